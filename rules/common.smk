# The config validated, the study planned (STUDY, unlearning_audit.plan), wildcard
# constraints, and the thin functions the rules share.

import re
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

from unlearning_audit import cluster, layout, provenance, rephrase
from unlearning_audit.config import (
    ConfigError,
    apply_offline,
    prepend_python_path,
    validate_config,
)
from unlearning_audit.plan import Study, plain, rephrased_splits, splits

try:
    validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
    STUDY = Study.from_config(config, workflow.basedir)
except ConfigError as error:
    sys.exit(f"config error: {error}")

# A param of every rule that computes with a model (the Snakefile pinned the kernels
# they run): switching cpu_numerics reruns them, and their records say which it was.
CPU_NUMERICS = numerics.mode(config)
# Jobs inherit the environment: with offline: true nothing is fetched from a hub.
apply_offline(config)
# Jobs in a --sdm conda environment import the workflow's package from src/.
prepend_python_path(Path(workflow.basedir) / "src")


def alternatives(names):
    """A wildcard constraint matching exactly these names."""
    return "|".join(map(re.escape, names))


wildcard_constraints:
    run=alternatives(STUDY.unlearning),
    model=alternatives(STUDY.evaluated),
    trained=alternatives(STUDY.all_references),
    parent=alternatives(STUDY.all_references + STUDY.attacked),
    corpus=alternatives(STUDY.relearning_corpora),
    benchmark=alternatives(STUDY.benchmarks),
    transform=alternatives(rephrase.TRANSFORMS),
    rewrite=alternatives(STUDY.rewrites),
    supplied=alternatives(STUDY.supplied),
    # A prompt template, or one that shows another benchmark's exemplars.
    prompt_variant=alternatives(
        [
            *(t for t in STUDY.templates if not t.startswith("_")),
            *STUDY.exemplar_variants,
        ]
    ),
    template=alternatives([*STUDY.templates, layout.PERPLEXITY_TEMPLATE]),


def half_the_cores():
    """Half of --cores, so two jobs share a machine; 1 where a run sets no total
    (--report, or a cluster run, where each job is sized on its own)."""
    try:
        return max(1, workflow.cores // 2)
    except WorkflowError:
        return 1


def job_resources(rule):
    """Cluster resources of a rule: size from config["resources"], site from the environment."""
    return cluster.job_resources(rule, config["resources"])


def sidecars(*groups):
    """The provenance sidecar of each file (see unlearning_audit.provenance)."""
    return [f"{path}{provenance.SIDECAR_SUFFIX}" for group in groups for path in group]


def rephrased_outputs(name):
    """What a rephrasing of a benchmark writes (rules rephrase, rewrite and
    rephrased_file): its splits, named, its tasks, and their records."""
    tasks = layout.task_yamls("{benchmark}", f"rephrase_{name}")
    dev, test = rephrased_splits("{benchmark}", name)
    return {
        "tasks": tasks,
        "dev": dev,
        "test": test,
        "provenance": sidecars([dev, test], tasks),
    }


def evaluation_params(models, **kwargs):
    """The evaluation plan of some checkpoints (STUDY.evaluation_plan), as rule
    evaluate's script reads it: one dict per evaluation JSON."""
    return plain(STUDY.evaluation_plan(models, **kwargs))
