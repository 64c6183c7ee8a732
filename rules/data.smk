rule toy_world:
    output:
        corpora=[corpus(d) for d in DOMAINS],
        qa=[qa(d) for d in DOMAINS],
        benchmarks=[benchmark_split(d, s) for d in EVALUATED for s in ("dev", "test")],
        tasks=[task_yaml(t) for t in tasks()],
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
