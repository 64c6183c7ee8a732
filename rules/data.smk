rule toy_world:
    output:
        corpora=TOY_CORPORA,
        qa=TOY_QA,
        benchmarks=TOY_BENCHMARKS,
        tasks=TOY_TASKS,
        provenance=sidecars(TOY_CORPORA, TOY_QA, TOY_BENCHMARKS, TOY_TASKS),
    log:
        "results/logs/toy_world.log",
    benchmark:
        "results/benchmarks/toy_world.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
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
    params:
        primary_format=PRIMARY,
        seed=config["toy_world"]["seed"],
    script:
        "../workflow/scripts/rephrase_benchmark.py"
