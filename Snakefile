# unlearning-audit: base checkpoints -> unlearned checkpoints -> benchmark JSONs -> figures.
# See README.md; the config is validated (rules/common.smk) before any job runs.


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        TABLES.values(),
        SUMMARY_MARKDOWN,
        FIGURES.values(),
        # Requested too, so a missing record is made again like a missing file.
        sidecars(
            TOY_CORPORA,
            TOY_QA,
            TOY_BENCHMARKS,
            TOY_TASKS,
            REPHRASED,
            TABLES.values(),
            [SUMMARY_MARKDOWN],
            *FIGURES.values(),
        ),
