import sys
from pathlib import Path

from unlearning_audit import provenance, rephrase, tables, toy_world
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
UNRELATED = toy_world.domains_with_role(DOMAINS, "unrelated")
PROMPT_FORMATS = config["evaluation"]["prompt_formats"]
PRIMARY = PROMPT_FORMATS[0]
UNLEARNED = list(config["unlearning"])
CHECKPOINTS = ["base"] + UNLEARNED
ATTACKS = config["attacks"]
REPHRASE = ATTACKS["rephrase"]
RELEARN = ATTACKS["relearning"]
RELEARN_STEPS = [s for s in RELEARN["steps"] if s > 0]
# (parent, corpus) of every relearning run: the attack (unlearned models on
# unrelated data) and its controls (the base model on the same data; the
# unlearned models on a slice of their forget data).
RELEARN_RUNS = (
    [(run, "unrelated") for run in UNLEARNED]
    + [("base", "unrelated")]
    + [(run, "forget") for run in UNLEARNED]
)


wildcard_constraints:
    run="|".join(UNLEARNED),
    model="|".join(CHECKPOINTS),
    parent="|".join(CHECKPOINTS),
    corpus="unrelated|forget",
    benchmark="|".join(EVALUATED),
    transform="|".join(rephrase.TRANSFORMS),


def corpus(domain):
    return f"{TOY_WORLD}/corpora/{domain}.jsonl"


def qa(domain):
    return f"{TOY_WORLD}/qa/{domain}.jsonl"


def task_yaml(task):
    return f"{TOY_WORLD}/tasks/{task}.yaml"


def benchmark_split(domain, split):
    return f"{TOY_WORLD}/benchmarks/{domain}/{split}.jsonl"


def rephrased_dir(domain, transform):
    return f"{TOY_WORLD}/rephrased/{transform}/{domain}"


def sidecars(*groups):
    """The provenance sidecar of each file (see unlearning_audit.provenance)."""
    return [f"{path}{provenance.SIDECAR_SUFFIX}" for group in groups for path in group]


def tasks():
    return [toy_world.task_name(d, f) for d in EVALUATED for f in PROMPT_FORMATS]


def variants():
    """Evaluation variants of every benchmark: variant -> (task, num_fewshot)."""
    table = {f: (f, 0) for f in PROMPT_FORMATS}
    table |= {f"{k}shot": (PRIMARY, k) for k in ATTACKS["few_shot"]}
    table |= {f"rephrase_{t}": (f"rephrase_{t}", 0) for t in REPHRASE}
    return table


def evaluation_plan(wildcards, input, output):
    """(checkpoint, task, num_fewshot, output) for each output of an evaluate job."""
    plan = []
    for path in output:
        model, benchmark, variant = Path(path).parts[-3:]
        variant = variant.removesuffix(".json")
        task_variant, shots = variants()[variant]
        plan.append(
            {
                "checkpoint": f"results/checkpoints/{model}",
                "task": toy_world.task_name(benchmark, task_variant),
                "variant": variant,
                "benchmark": benchmark,
                "num_fewshot": shots,
                "output": path,
            }
        )
    return plan


def relearn_corpora(wildcards):
    domains = HAZARDS if wildcards.corpus == "forget" else UNRELATED
    return [corpus(d) for d in domains]


def variant_inputs(wildcards):
    """Task YAMLs and data files of every variant of one benchmark."""
    domain = wildcards.benchmark
    files = [benchmark_split(domain, s) for s in ("dev", "test")]
    files += [task_yaml(toy_world.task_name(domain, f)) for f in PROMPT_FORMATS]
    for t in REPHRASE:
        files += [f"{rephrased_dir(domain, t)}/{name}" for name in REPHRASED_FILES]
    return files


REPHRASED_FILES = ["dev.jsonl", "test.jsonl", "task.yaml"]


relearned = tables.relearned_name


def evaluations():
    return expand(
        "results/evals/{model}/{benchmark}/{variant}.json",
        model=CHECKPOINTS,
        benchmark=EVALUATED,
        variant=variants(),
    )


def relearning_evaluations():
    return [
        f"results/evals/{relearned(p, c, s)}/{b}/{PRIMARY}.json"
        for p, c in RELEARN_RUNS
        for s in RELEARN_STEPS
        for b in EVALUATED
    ]


TOY_CORPORA = [corpus(d) for d in DOMAINS]
TOY_QA = [qa(d) for d in DOMAINS]
TOY_BENCHMARKS = [benchmark_split(d, s) for d in EVALUATED for s in ("dev", "test")]
TOY_TASKS = [task_yaml(t) for t in tasks()]
REPHRASED = [
    f"{rephrased_dir(d, t)}/{name}"
    for d in EVALUATED
    for t in REPHRASE
    for name in REPHRASED_FILES
]
TABLES = {
    name: f"results/tables/{name}.csv"
    for name in ("summary", "prompt_attacks", "relearning")
}
SUMMARY_TABLE = TABLES["summary"]
SUMMARY_MARKDOWN = "results/tables/summary.md"


def figure(name):
    return expand(f"results/figures/{name}.{{ext}}", ext=["pdf", "png"])


FIGURES = {
    name: figure(name)
    for name in ("unlearning_tradeoff", "prompt_attacks", "relearning_recovery")
}
