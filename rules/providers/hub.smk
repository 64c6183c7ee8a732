# The hub provider: corpora and benchmark questions through `datasets`; benchmarks
# scored with lm-eval's own tasks (src/unlearning_audit/providers/hub.py).
# Local files standing in for hub datasets (`data_files`) are the jobs' inputs.

from unlearning_audit.providers.hub import local_files

HUB = config["data"]


rule corpus:
    input:
        lambda wildcards: local_files([HUB["corpora"][wildcards.name].get("hub", {})]),
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
    input:
        lambda wildcards: local_files(
            [
                *HUB["benchmarks"][wildcards.benchmark]["items"],
                *HUB["benchmarks"][wildcards.benchmark].get("dev", []),
            ]
        ),
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
        dev=lambda wildcards: HUB["benchmarks"][wildcards.benchmark].get("dev", []),
        seed=HUB["seed"],
        # Only where it draws them (a change reruns no benchmark with its own dev data).
        dev_items=lambda wildcards: (
            None
            if "dev" in HUB["benchmarks"][wildcards.benchmark]
            else HUB["dev_items"]
        ),
        max_test_items=HUB.get("max_test_items"),
        by_subject=lambda wildcards: HUB["benchmarks"][wildcards.benchmark].get(
            "average"
        )
        == "subjects",
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
    localrule: True
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("benchmark_table"),
    params:
        benchmarks=HUB["benchmarks"],
    script:
        "../../workflow/scripts/benchmark_table.py"
