# unlearning-audit: base checkpoints -> unlearned checkpoints -> benchmark JSONs -> figures.
# See README.md; the config is validated (rules/common.smk) before any job runs.


import os
import sys

from unlearning_audit import numerics, resume
from unlearning_audit.config import (
    ConfigError,
    load_config,
    resolve_study,
    with_extends,
)

# The default study, unless --configfile names another (configs differ in shape, so
# they replace the default rather than merge into it). Read here rather than by
# `configfile:`, so that a YAML error names its line and column.
if not config.keys() - {"cell"}:
    try:
        config.update(load_config("config/config.yaml"))
    except ConfigError as error:
        sys.exit(f"config error: {error}")
# A --configfile that extends another (`extends:`), which Snakemake reads as written,
# is put together from its parents, --config on top. A matrix config (cells) is one
# study per cell: the chosen cell's config replaces it.
try:
    given = workflow.config_settings
    study = resolve_study(with_extends(config, given.configfiles, given.config))
except ConfigError as error:
    sys.exit(f"config error: {error}")
config.clear()
config.update(study)
# CPU kernel paths pinned for every job (unlearning_audit.numerics), over the caller's.
numerics.pin(config)
# A run killed part-way left Snakemake's lock: taken over when no live run holds the
# study, so the same command resumes it (unlearning_audit.resume). Cluster jobs, which
# read this file again, leave it to the run that submitted them.
if workflow.is_main_process:
    try:
        if resume.claim():
            print(
                "resuming: removed the lock of a run that no longer runs",
                file=sys.stderr,
            )
    except resume.StudyBusy as busy:
        sys.exit(str(busy))


onsuccess:
    resume.release()
    # Where a finished study's answers are (README: What you get).
    answers = [
        layout.AUDIT_MARKDOWN,
        STUDY.figures["audit_card"][1],
        layout.CLAIMS_MARKDOWN,
        layout.SUMMARY_MARKDOWN,
    ]
    if all(os.path.exists(path) for path in answers):
        print(
            f"The verdicts: {answers[0]} and {answers[1]}; the paper's claims: "
            f"{answers[2]}; every table: {answers[3]}. Where a number comes from: "
            f"{os.path.relpath(sys.executable)} -m unlearning_audit lineage <table> "
            "--select <column>=<value> ...",
            file=sys.stderr,
        )


onerror:
    resume.release()


report: "workflow/report/workflow.rst"


# Jobs of a second or two that load no model and read only the study's own files run
# where Snakemake runs: on a cluster, on the submitting host, not queued as Slurm jobs.
# (Rules that only some studies define say `localrule: True` themselves.)
localrules:
    all,
    prompt_template,
    benchmark_task,
    rephrase,
    gate_table,
    summary_table,
    prompt_attacks_table,
    relearning_table,
    frontier_table,
    seeds_table,
    summary_markdown,
    claims_markdown,
    audit_table,
    plot_audit_card,
    plot_tradeoff,
    plot_prompt_attacks,
    plot_relearning,
    plot_attacks,


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        STUDY.tables.values(),
        layout.SUMMARY_MARKDOWN,
        layout.CLAIMS_MARKDOWN,
        layout.AUDIT_MARKDOWN,
        STUDY.figures.values(),
        # Requested too, so a missing record is made again like a missing file.
        sidecars(
            STUDY.data.corpora,
            STUDY.data.qa,
            STUDY.data.practice,
            STUDY.data.forget_slices,
            STUDY.data.benchmark_splits,
            [layout.BENCHMARK_TABLE],
            STUDY.data.template_copies,
            STUDY.data.tasks,
            STUDY.data.rephrased,
            (
                [*STUDY.perplexity.files, STUDY.perplexity.template]
                if STUDY.perplexity
                else []
            ),
            STUDY.tables.values(),
            [layout.SUMMARY_MARKDOWN, layout.CLAIMS_MARKDOWN, layout.AUDIT_MARKDOWN],
            *STUDY.figures.values(),
        ),
