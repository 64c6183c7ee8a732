import sys
from pathlib import Path

from unlearning_audit import provenance, toy_world
from unlearning_audit.config import ConfigError, apply_offline, validate_config

try:
    validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
except ConfigError as error:
    sys.exit(f"config error: {error}")

# Jobs inherit the environment: with offline: true nothing is fetched from a hub.
apply_offline(config)

TOY_WORLD = "results/data/toy_world"
DOMAINS = toy_world.load_domains()
EVALUATED = toy_world.domains_with_role(DOMAINS, *toy_world.EVALUATED_ROLES)
HAZARDS = toy_world.domains_with_role(DOMAINS, "hazard")
GENERAL = toy_world.domains_with_role(DOMAINS, "general")
PROMPT_FORMATS = config["evaluation"]["prompt_formats"]
UNLEARNED = list(config["unlearning"])
CHECKPOINTS = ["base"] + UNLEARNED


wildcard_constraints:
    run="|".join(UNLEARNED),
    checkpoint="|".join(CHECKPOINTS),
    task="toy_[a-z]+_[a-z]+",


def corpus(domain):
    return f"{TOY_WORLD}/corpora/{domain}.jsonl"


def qa(domain):
    return f"{TOY_WORLD}/qa/{domain}.jsonl"


def task_yaml(task):
    return f"{TOY_WORLD}/tasks/{task}.yaml"


def benchmark_split(domain, split):
    return f"{TOY_WORLD}/benchmarks/{domain}/{split}.jsonl"


def sidecars(*groups):
    """The provenance sidecar of each file (see unlearning_audit.provenance)."""
    return [f"{path}{provenance.SIDECAR_SUFFIX}" for group in groups for path in group]


def tasks():
    return [toy_world.task_name(d, f) for d in EVALUATED for f in PROMPT_FORMATS]


def task_data(wildcards):
    """The task YAML of an evaluation and the data files it names."""
    domain = wildcards.task.split("_")[1]
    return {
        "task": task_yaml(wildcards.task),
        "data": [benchmark_split(domain, s) for s in ("dev", "test")],
    }


def evaluations():
    return expand(
        "results/evals/{checkpoint}/{task}.json", checkpoint=CHECKPOINTS, task=tasks()
    )


TOY_CORPORA = [corpus(d) for d in DOMAINS]
TOY_QA = [qa(d) for d in DOMAINS]
TOY_BENCHMARKS = [benchmark_split(d, s) for d in EVALUATED for s in ("dev", "test")]
TOY_TASKS = [task_yaml(t) for t in tasks()]
SUMMARY_TABLE = "results/tables/summary.csv"
SUMMARY_MARKDOWN = "results/tables/summary.md"
TRADEOFF_FIGURE = expand(
    "results/figures/unlearning_tradeoff.{ext}", ext=["pdf", "png"]
)
