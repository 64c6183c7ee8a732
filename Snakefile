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
        SUMMARY_TABLE,
        TRADEOFF_FIGURE,
