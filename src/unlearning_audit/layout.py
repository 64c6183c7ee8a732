"""Where every artifact of a study lives, and what a checkpoint's name means.

The one home of the results layout: rules, scripts, tables and the lineage
command all name files through these functions. Paths are relative to the
study folder (Snakemake's workdir). Imports nothing heavy: the graph is planned
from here.
"""

from __future__ import annotations

RESULTS = "results"
DATA = f"{RESULTS}/data"
CHECKPOINTS = f"{RESULTS}/checkpoints"
EVALS = f"{RESULTS}/evals"
TABLES = f"{RESULTS}/tables"
FIGURES = f"{RESULTS}/figures"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"  # Snakemake's per-job cost files

# Whatever provider made the data, it writes these (see providers/__init__.py).
BENCHMARK_TABLE = f"{DATA}/benchmarks.csv"
SPLITS = ("dev", "test")


def corpus(name: str) -> str:
    """Texts of one corpus (a ``text`` column)."""
    return f"{DATA}/corpora/{name}.jsonl"


def qa(name: str) -> str:
    """Question/answer pairs of one corpus (``prompt``, ``answer`` and ``text`` columns)."""
    return f"{DATA}/qa/{name}.jsonl"


def practice(name: str) -> str:
    """Texts that teach a base model trained by the pipeline the study's prompt forms,
    on the facts of one corpus (``text`` column; see providers/__init__.py)."""
    return f"{DATA}/practice/{name}.jsonl"


def forget_slice(name: str) -> str:
    """Texts of one forget corpus that state no test item of any benchmark: what the
    forget-data relearning control trains on (providers that can tell; see
    providers/__init__.py)."""
    return f"{DATA}/forget_slices/{name}.jsonl"


def retrain_set(name: str) -> str:
    """Texts about part T of a forget benchmark's test entities (retraining on T)."""
    return f"{DATA}/retrain_sets/{name}.jsonl"


# The BPE tokenizer a base model trained from scratch reads, and so its oracle.
TOKENIZER = f"{DATA}/tokenizer"


def benchmark_split(benchmark: str, split: str) -> str:
    """Multiple-choice items (``question``, ``choices``, ``answer``) of one split."""
    return f"{DATA}/benchmarks/{benchmark}/{split}.jsonl"


def template(prompt_format: str) -> str:
    """The study's copy of a prompt template, which task YAMLs ``include:``."""
    return f"{DATA}/templates/{prompt_format}.yaml"


# The prompt format that means "the benchmark's own lm-eval task, as lm-eval asks it";
# every other format is a template in workflow/tasks/templates/.
OWN_TASK = "lm_eval"
# The prompt template asked through the model's own chat template (lm-eval's
# apply_chat_template), and practised in it by a base model the pipeline trains.
CHAT_FORMAT = "chat"


# How an answer is scored: the option of highest log-likelihood (lm-eval's
# multiple_choice), or the answer the model writes (generate_until, as the paper did;
# the prompt template plus templates/_generate.yaml).
LOGLIKELIHOOD, GENERATE = "loglikelihood", "generate"
SCORINGS = (LOGLIKELIHOOD, GENERATE)


def task_name(
    benchmark: str, variant: str, scoring: str = LOGLIKELIHOOD, split: str = "test"
) -> str:
    """lm-eval task of a benchmark in a prompt format, or of a rephrased copy, asking
    its test items (or, ``split="dev"``, its dev items: where attacks are chosen)."""
    name = f"{benchmark}_{variant}" + ("" if scoring == LOGLIKELIHOOD else f"_{scoring}")
    return name + ("" if split == "test" else f"_{split}")


def task_yaml(
    benchmark: str, variant: str, scoring: str = LOGLIKELIHOOD, split: str = "test"
) -> str:
    return f"{DATA}/tasks/{task_name(benchmark, variant, scoring, split)}.yaml"


def task_yamls(benchmark: str, variant: str) -> list[str]:
    """Every task YAML of a benchmark variant: one per scoring and split."""
    return [task_yaml(benchmark, variant, s, split) for s in SCORINGS for split in SPLITS]


def rephrased_split(benchmark: str, transform: str, split: str) -> str:
    return f"{DATA}/rephrased/{transform}/{benchmark}/{split}.jsonl"


def checkpoint(name: str) -> str:
    return f"{CHECKPOINTS}/{name}"


# The base model trained without the forget corpora: what "truly unlearned" looks like.
ORACLE = "oracle"
# The checkpoint that writes the model-written rephrasings (attacks.rewrites).
GENERATOR = "generator"


RELEARN_MARK = ".relearn-"
# Models an attack builds from a checkpoint when it evaluates them (no folder of their
# own): attack (its key under attacks:) -> the mark of their names.
BUILT_MARKS = {
    "quantization": ".quantize-",
    "ablation": ".ablate-",
    "few_example": ".finetune-",
    "soft_prompt": ".soft_prompt-",
}
SWEEP_MARK = ".sweep-"
SEED_MARK = ".seed-"


def sweep_point(run: str, knob: str, value) -> str:
    """Name of the checkpoint of unlearning run ``run`` with ``knob`` set to ``value``."""
    return f"{run}{SWEEP_MARK}{knob}-{value:g}"


def seed_replica(run: str, replica: int) -> str:
    """Name of unlearning run ``run`` (or reference: base, oracle) repeated with its
    seeds shifted by ``replica`` (config ``seeds``); replica 0 is the run itself."""
    return f"{run}{SEED_MARK}{replica}" if replica else run


def replica(name: str) -> tuple[str, int]:
    """``seed_replica``'s inverse: the run (or reference) and replica of a checkpoint
    name (config names hold no dot, so the mark is unambiguous)."""
    run, mark, number = name.rpartition(SEED_MARK)
    return (run, int(number)) if mark and number.isdigit() else (name, 0)


def replica_reference(reference: str, checkpoint: str, present) -> str:
    """The checkpoint ``reference`` (the base model, the oracle, a distillation teacher,
    the first RMU run) of ``checkpoint``'s seed replica: its replica of the same number
    where there is one (among ``present``), else ``reference`` itself."""
    own = seed_replica(reference, replica(checkpoint)[1])
    return own if own in present else reference


def compared_tuning(tuning: str) -> str:
    """The relearning kind (beside unrelated, forget and retrain) of the unrelated-data
    attack under its compared tuning (attacks.relearning.compare_tuning)."""
    return f"unrelated_{tuning}"


def relearned(parent: str, corpus: str, steps) -> str:
    """Name of the checkpoint ``parent`` fine-tuned ``steps`` steps on ``corpus``."""
    return f"{parent}{RELEARN_MARK}{corpus}-{steps}"


def built(parent: str, attack: str, setting: str) -> str:
    """Name of the model ``attack`` builds from ``parent`` under one of its settings
    (``rmu.quantize-int4``, ``rmu.ablate-random``, ``rmu.finetune-unrelated-5``,
    ``rmu.soft_prompt-4-tokens``):
    built at evaluation from its parent, with no folder of its own."""
    return f"{parent}{BUILT_MARKS[attack]}{setting}"


def evaluation(
    model: str, benchmark: str, variant: str, scoring: str = LOGLIKELIHOOD, split: str = "test"
) -> str:
    folder = f"{EVALS}/{model}/{benchmark}/{scoring}" + ("" if split == "test" else f"/{split}")
    return f"{folder}/{variant}.json"


def activations(model: str) -> str:
    """The logit lens and probes of one checkpoint, per layer (rule activations)."""
    return f"{EVALS}/{model}/activations.json"


# The template of perplexity tasks (plain text, no questions).
PERPLEXITY_TEMPLATE = "_perplexity"


def perplexity_documents(corpus: str) -> str:
    """The held-out documents of a corpus that perplexity is scored on."""
    return f"{DATA}/perplexity/{corpus}.jsonl"


def perplexity_task(corpus: str) -> str:
    return f"{DATA}/tasks/perplexity_{corpus}.yaml"


def perplexity(model: str) -> str:
    return f"{EVALS}/{model}/perplexity.json"


def table(name: str) -> str:
    return f"{TABLES}/{name}.csv"


SUMMARY_MARKDOWN = f"{TABLES}/summary.md"
# The paper's claims, measured and decided by the rules in the config's `claims`.
CLAIMS_MARKDOWN = f"{TABLES}/claims.md"
# Hidden or removed: each run's verdict by the rules in the config's `audit`.
AUDIT_MARKDOWN = f"{TABLES}/audit.md"


def figure(name: str, ext: str) -> str:
    return f"{FIGURES}/{name}.{ext}"


def log(rule: str, job: str = "") -> str:
    return f"{LOGS}/{rule}{'/' + job if job else ''}.log"


def cost(rule: str, job: str = "") -> str:
    """Snakemake's ``benchmark:`` file of one job."""
    return f"{BENCHMARKS}/{rule}{'/' + job if job else ''}.tsv"
