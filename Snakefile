# unlearning-audit: base checkpoints -> unlearned checkpoints -> benchmark JSONs -> figures.
# See README.md; the config is validated (rules/common.smk) before any job runs.


import sys

from unlearning_audit.config import ConfigError, load_config, resolve_study

# The default study, unless --configfile names another (configs differ in shape, so
# they replace the default rather than merge into it). Read here rather than by
# `configfile:`, so that a YAML error names its line and column.
if not config.keys() - {"cell"}:
    try:
        config.update(load_config("config/config.yaml"))
    except ConfigError as error:
        sys.exit(f"config error: {error}")
# A matrix config (cells) is one study per cell: the chosen cell's config replaces it.
try:
    study = resolve_study(config)
except ConfigError as error:
    sys.exit(f"config error: {error}")
config.clear()
config.update(study)


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
        layout.CLAIMS_MARKDOWN,
        FIGURES.values(),
        # Requested too, so a missing record is made again like a missing file.
        sidecars(
            CORPORA,
            QA,
            PRACTICE,
            FORGET_SLICES,
            BENCHMARK_SPLITS,
            [layout.BENCHMARK_TABLE],
            TEMPLATE_COPIES,
            TASKS,
            REPHRASED,
            PERPLEXITY_DATA + ([PERPLEXITY_TEMPLATE] if PERPLEXITY else []),
            TABLES.values(),
            [layout.SUMMARY_MARKDOWN, layout.CLAIMS_MARKDOWN],
            *FIGURES.values(),
        ),
