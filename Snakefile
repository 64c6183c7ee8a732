# unlearning-audit: base checkpoints -> unlearned checkpoints -> benchmark JSONs -> figures.
# See README.md; the config is validated (rules/common.smk) before any job runs.


# The default study, unless --configfile names another (configs differ in shape, so
# they replace the default rather than merge into it).
if not config:

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
        layout.SUMMARY_MARKDOWN,
        FIGURES.values(),
        # Requested too, so a missing record is made again like a missing file.
        sidecars(
            CORPORA,
            QA,
            BENCHMARK_SPLITS,
            [layout.BENCHMARK_TABLE],
            TEMPLATE_COPIES,
            TASKS,
            REPHRASED,
            TABLES.values(),
            [layout.SUMMARY_MARKDOWN],
            *FIGURES.values(),
        ),
