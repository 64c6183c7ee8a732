# The toy world provider: fictitious facts, generated (src/unlearning_audit/providers/).


rule toy_world:
    output:
        corpora=CORPORA,
        qa=QA,
        benchmarks=BENCHMARK_SPLITS,
        benchmark_table=layout.BENCHMARK_TABLE,
        provenance=sidecars(CORPORA, QA, BENCHMARK_SPLITS, [layout.BENCHMARK_TABLE]),
    log:
        layout.log("toy_world"),
    benchmark:
        layout.cost("toy_world")
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("toy_world"),
    params:
        data=config["data"],
        out_dir=lambda wildcards, output: Path(output.benchmark_table).parent,
    script:
        "../../workflow/scripts/make_toy_world.py"
