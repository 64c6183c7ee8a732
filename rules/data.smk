if HUB_DATA:

    rule corpus:
        output:
            corpus("{name}"),
            provenance=sidecars([corpus("{name}")]),
        log:
            "results/logs/corpus/{name}.log",
        benchmark:
            "results/benchmarks/corpus/{name}.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("corpus"),
        params:
            source=lambda wildcards: DATA["corpora"][wildcards.name],
        script:
            "../workflow/scripts/corpus.py"

    rule benchmark_items:
        output:
            dev=benchmark_split("{benchmark}", "dev"),
            test=benchmark_split("{benchmark}", "test"),
            provenance=sidecars(
                [benchmark_split("{benchmark}", s) for s in ("dev", "test")]
            ),
        log:
            "results/logs/benchmark_items/{benchmark}.log",
        benchmark:
            "results/benchmarks/benchmark_items/{benchmark}.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("benchmark_items"),
        params:
            datasets=lambda wildcards: config["benchmarks"][wildcards.benchmark][
                "items"
            ],
            seed=SEED,
        script:
            "../workflow/scripts/benchmark_items.py"

else:

    rule toy_world:
        output:
            corpora=CORPORA,
            qa=QA,
            benchmarks=BENCHMARK_SPLITS,
            tasks=TASKS,
            provenance=sidecars(CORPORA, QA, BENCHMARK_SPLITS, TASKS),
        log:
            "results/logs/toy_world.log",
        benchmark:
            "results/benchmarks/toy_world.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("toy_world"),
        params:
            toy_world=config["toy_world"],
            prompt_formats=PROMPT_FORMATS,
            out_dir=lambda wildcards, output: Path(output.corpora[0]).parents[1],
        script:
            "../workflow/scripts/make_toy_world.py"


REPHRASED_PATTERN = [
    f"{rephrased_dir('{benchmark}', '{transform}')}/{name}" for name in REPHRASED_FILES
]


rule rephrase:
    input:
        dev=benchmark_split("{benchmark}", "dev"),
        test=benchmark_split("{benchmark}", "test"),
    output:
        dev=REPHRASED_PATTERN[0],
        test=REPHRASED_PATTERN[1],
        task=REPHRASED_PATTERN[2],
        provenance=sidecars(REPHRASED_PATTERN),
    log:
        "results/logs/rephrase/{transform}/{benchmark}.log",
    benchmark:
        "results/benchmarks/rephrase/{transform}/{benchmark}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("rephrase"),
    params:
        primary_format=REPHRASE_PRIMARY,
        seed=SEED,
    script:
        "../workflow/scripts/rephrase_benchmark.py"
