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
