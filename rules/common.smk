import sys
from pathlib import Path

from unlearning_audit import cluster, models, provenance, rephrase, tables, toy_world
from unlearning_audit.config import (
    ConfigError,
    apply_offline,
    prepend_python_path,
    validate_config,
)

try:
    validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
except ConfigError as error:
    sys.exit(f"config error: {error}")

# Jobs inherit the environment: with offline: true nothing is fetched from a hub.
apply_offline(config)
# Jobs in a --sdm conda environment import the workflow's package from src/.
prepend_python_path(Path(workflow.basedir) / "src")

BASE = config["base_model"]
DTYPE = BASE.get("dtype", "float32")
TRUST_REMOTE_CODE = BASE.get("trust_remote_code", False)
if BASE["source"] == "gguf":
    try:
        GGUF_FILE = str(models.packaged_file(BASE["package"], BASE["file"]))
    except FileNotFoundError as error:
        sys.exit(f"config error: base_model: {error}")
TOY_WORLD = "results/data/toy_world"
# The data: the generated toy world, or real corpora and lm-eval's own tasks.
HUB_DATA = "data" in config
if HUB_DATA:
    DATA = config["data"]
    ROLES = {name: spec["role"] for name, spec in config["benchmarks"].items()}
    FORGET, RETAIN, UNRELATED = DATA["forget"], DATA["retain"], DATA["unrelated"]
    SEED = DATA["seed"]
else:
    DOMAINS = toy_world.load_domains()
    ROLES = {d: DOMAINS[d]["role"] for d in DOMAINS}
    FORGET, RETAIN, UNRELATED = (
        toy_world.domains_with_role(DOMAINS, role)
        for role in ("hazard", "general", "unrelated")
    )
    SEED = config["toy_world"]["seed"]
# Figures call toy-world benchmarks "toy bio"; real ones by their own names.
LABEL_PREFIX = "" if HUB_DATA else "toy "
EVALUATED = [b for b, role in ROLES.items() if role in toy_world.EVALUATED_ROLES]
HAZARD_BENCHMARKS = [b for b in EVALUATED if ROLES[b] == "hazard"]
GENERAL_BENCHMARKS = [b for b in EVALUATED if ROLES[b] == "general"]
PROMPT_FORMATS = config["evaluation"]["prompt_formats"]
PRIMARY = PROMPT_FORMATS[0]
# Rephrased copies of lm-eval's tasks are scored with letters, as WMDP and MMLU are.
REPHRASE_PRIMARY = "letter" if HUB_DATA else PRIMARY
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


def job_resources(rule):
    """Cluster resources of a rule: size from config["resources"], site from the environment."""
    return cluster.job_resources(rule, config["resources"])


DATA_DIR = "results/data/hub" if HUB_DATA else TOY_WORLD


def corpus(name):
    return f"{DATA_DIR}/corpora/{name}.jsonl"


def qa(domain):
    """Toy-world QA practice; a study on real corpora has none (LLMU splits texts)."""
    return [] if HUB_DATA else [f"{TOY_WORLD}/qa/{domain}.jsonl"]


def task_yaml(task):
    return f"{TOY_WORLD}/tasks/{task}.yaml"


def benchmark_split(benchmark, split):
    return f"{DATA_DIR}/benchmarks/{benchmark}/{split}.jsonl"


def rephrased_dir(benchmark, transform):
    return f"{DATA_DIR}/rephrased/{transform}/{benchmark}"


def task_of(benchmark, variant):
    """lm-eval task name of one benchmark variant (a prompt format or a rephrasing)."""
    if variant == "lm_eval":
        return config["benchmarks"][benchmark]["task"]
    return toy_world.task_name(benchmark, variant)


def sidecars(*groups):
    """The provenance sidecar of each file (see unlearning_audit.provenance)."""
    return [f"{path}{provenance.SIDECAR_SUFFIX}" for group in groups for path in group]


def tasks():
    """The toy world's own task YAMLs (a study on lm-eval's tasks writes none)."""
    return (
        []
        if HUB_DATA
        else [task_yaml(task_of(d, f)) for d in EVALUATED for f in PROMPT_FORMATS]
    )


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
                "task": task_of(benchmark, task_variant),
                "variant": variant,
                "benchmark": benchmark,
                "role": ROLES[benchmark],
                "num_fewshot": shots,
                "output": path,
            }
        )
    return plan


def relearn_corpora(wildcards):
    return [corpus(c) for c in (FORGET if wildcards.corpus == "forget" else UNRELATED)]


def primary_task_inputs():
    """Task YAMLs (and their data) of every benchmark's primary variant."""
    if HUB_DATA:
        return [f for b in EVALUATED for f in workflow_task_files(b)]
    return [task_yaml(task_of(b, PRIMARY)) for b in EVALUATED] + BENCHMARK_SPLITS


def variant_inputs(wildcards):
    """Task YAMLs and data files of every variant of one benchmark."""
    domain = wildcards.benchmark
    files = [] if HUB_DATA else [benchmark_split(domain, s) for s in ("dev", "test")]
    files += [] if HUB_DATA else [task_yaml(task_of(domain, f)) for f in PROMPT_FORMATS]
    for t in REPHRASE:
        files += [f"{rephrased_dir(domain, t)}/{name}" for name in REPHRASED_FILES]
    return files + workflow_task_files(domain)


def workflow_task_files(benchmark):
    """The workflow's own YAML of a benchmark's lm-eval task or group, if it has one."""
    if not HUB_DATA:
        return []
    path = Path(WORKFLOW_TASKS) / f"{config['benchmarks'][benchmark]['task']}.yaml"
    return [str(path)] if path.exists() else []


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


CORPORA = [corpus(c) for c in (DATA["corpora"] if HUB_DATA else DOMAINS)]
QA = [] if HUB_DATA else [q for d in DOMAINS for q in qa(d)]
BENCHMARK_SPLITS = [benchmark_split(b, s) for b in EVALUATED for s in ("dev", "test")]
TASKS = tasks()
# lm-eval task YAMLs of the workflow's own (groups such as mmlu_biology).
WORKFLOW_TASKS = str(Path(workflow.basedir) / "workflow/tasks")
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
