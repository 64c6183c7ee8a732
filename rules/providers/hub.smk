# The hub provider: corpora and benchmark questions through `datasets`; benchmarks
# scored with lm-eval's own tasks (src/unlearning_audit/providers/hub.py).

HUB = config["data"]


rule corpus:
    output:
        corpus=layout.corpus("{name}"),
        qa=layout.qa("{name}"),
        provenance=sidecars([layout.corpus("{name}"), layout.qa("{name}")]),
    log:
        layout.log("corpus", "{name}"),
    benchmark:
        layout.cost("corpus", "{name}")
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("corpus"),
    params:
        source=lambda wildcards: HUB["corpora"][wildcards.name],
    script:
        "../../workflow/scripts/corpus.py"


rule benchmark_items:
    output:
        dev=layout.benchmark_split("{benchmark}", "dev"),
        test=layout.benchmark_split("{benchmark}", "test"),
        provenance=sidecars(splits("{benchmark}")),
    log:
        layout.log("benchmark_items", "{benchmark}"),
    benchmark:
        layout.cost("benchmark_items", "{benchmark}")
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("benchmark_items"),
    params:
        datasets=lambda wildcards: HUB["benchmarks"][wildcards.benchmark]["items"],
        seed=HUB["seed"],
    script:
        "../../workflow/scripts/benchmark_items.py"


rule benchmark_table:
    output:
        table=layout.BENCHMARK_TABLE,
        provenance=sidecars([layout.BENCHMARK_TABLE]),
    log:
        layout.log("benchmark_table"),
    benchmark:
        layout.cost("benchmark_table")
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("benchmark_table"),
    params:
        benchmarks=HUB["benchmarks"],
    script:
        "../../workflow/scripts/benchmark_table.py"
