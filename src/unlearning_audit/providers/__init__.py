"""Data providers: where a study's corpora and benchmarks come from.

A provider is selected by ``data.source`` in the config and writes, under
``results/data/`` (paths in ``unlearning_audit.layout``):

* ``corpora/<name>.jsonl``: texts (``text``), one file per corpus;
* ``qa/<name>.jsonl``: question/answer pairs of the same corpus
  (``prompt``, ``answer``, ``text`` = prompt + " " + answer);
* ``benchmarks/<name>/{dev,test}.jsonl``: multiple-choice items
  (``question``, ``choices``, ``answer``; ``entity`` where items come in clusters,
  such as several facts of one entity: intervals resample whole clusters), dev for
  few-shot exemplars only;
* ``benchmarks.csv``: the benchmark table (``BENCHMARK_COLUMNS``);
* ``practice/<name>.jsonl`` (providers whose catalog says ``practice``): texts
  that teach a base model trained by the pipeline the prompt forms the study
  asks in, for corpora it trains on;
* ``forget_slices/<name>.jsonl`` (providers whose catalog says ``forget_slices``):
  texts of each forget corpus that state no benchmark test item, for the
  forget-data relearning control (elsewhere it takes a random share of the
  corpus, which may state tested facts);
* ``retrain_sets/<name>.jsonl`` (providers whose catalog says ``retrain_sets``):
  texts about part T of each forget benchmark's test entities, for retraining on
  T and scoring on the rest, V (each test item's ``retrain_split``: T or V).

Nothing after ``results/data/`` knows which provider ran. Each provider module
has ``catalog(data_config) -> Catalog`` (what it will write, for planning the
graph; light, no file access) and ``check(config)`` (raises ``ValueError`` for
what the schema cannot say); its rules live in ``rules/providers/<source>.smk``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unlearning_audit.providers import hub, toy_world

PROVIDERS = {"toy_world": toy_world, "hub": hub}

# One vocabulary of roles. Corpora are forgotten, retained (the methods' retain
# and KL data), capability (learnt by a base model the pipeline trains, read by
# no method) or unrelated (the relearning attack's data, never in a base model's
# training); benchmarks measure forgetting or capability.
CORPUS_ROLES = ("forget", "retain", "capability", "unrelated")
# What a base model the pipeline trains reads, and what its oracle reads: the
# same without the forget corpora (retraining from scratch, the gold standard).
BASE_TRAINING_ROLES = ("forget", "retain", "capability")
ORACLE_TRAINING_ROLES = ("retain", "capability")
BENCHMARK_ROLES = ("forget", "capability")

# The benchmark table: what tables and figures know of a benchmark.
#   role        forget | capability
#   label       its name in tables and figures
#   choices     options per question
#   baseline    accuracy of a model that knows nothing (chance, for now)
#   task        its own lm-eval task, if it has one (the `lm_eval` prompt format)
#   format      the prompt template its own task's prompt matches (rephrased
#               copies of it are asked in that template)
BENCHMARK_COLUMNS = ("benchmark", "role", "label", "choices", "baseline", "task", "format")


@dataclass(frozen=True)
class Catalog:
    """What a provider writes: corpus name -> role, benchmark name -> role, and
    whether it writes practice texts, forget slices and retraining sets."""

    corpora: dict[str, str]
    benchmarks: dict[str, str]
    practice: bool = False
    forget_slices: bool = False
    retrain_sets: bool = False
    # benchmark -> the benchmark whose dev items are its few-shot exemplars, where
    # not its own (the paper's WMDP prompts show MMLU college-biology exemplars)
    fewshot_sources: dict[str, str] = field(default_factory=dict)

    def corpora_with_role(self, role: str) -> list[str]:
        return [name for name, r in self.corpora.items() if r == role]

    def corpora_with_roles(self, roles) -> list[str]:
        return [name for name, r in self.corpora.items() if r in roles]

    def benchmarks_with_role(self, role: str) -> list[str]:
        return [name for name, r in self.benchmarks.items() if r == role]


def provider(data_config: dict):
    return PROVIDERS[data_config["source"]]


def catalog(data_config: dict) -> Catalog:
    return Catalog(**provider(data_config).catalog(data_config))
