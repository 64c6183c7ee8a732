"""The study a config describes, planned: its checkpoints, attacks, evaluations, data
files, tables and figures, every file named through ``unlearning_audit.layout``.

``Study.from_config`` builds it once from a validated config (rules/common.smk); the
rules are thin input functions over it, and tests read it without Snakemake. It is
frozen: mappings are read-only (mappingproxy), sequences tuples; ``plain`` turns a
value of it back into the dicts and lists a rule's params hold. Imports nothing
heavy: the graph is planned from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from unlearning_audit import layout, rephrase
from unlearning_audit.ablation import RMU_STEERING
from unlearning_audit.config import RELEASED, ConfigError, unlearning_points
from unlearning_audit.io import packaged_file
from unlearning_audit.providers import (
    BASE_TRAINING_ROLES,
    ORACLE_TRAINING_ROLES,
    Catalog,
    catalog,
)
from unlearning_audit.rewrite import load_prompts

# How a checkpoint comes to be (Checkpoint.kind).
TRAINED = "trained"  # the base model or its oracle, trained by the pipeline
FETCHED = "fetched"  # taken as it is: a hub model at a revision, or a packaged GGUF file
UNLEARNED = "unlearned"  # an unlearning method run on the base model
RELEARNED = "relearned"  # fine-tuned by the relearning attack, or one of its controls

# The kinds of relearning run beside the compared tuning's (Study.relearning_corpora).
RELEARNING_CORPORA = ("unrelated", "forget", "retrain")
# Attacks whose models are built from a checkpoint when they are evaluated (nothing is
# written): one evaluation job and one table (results/tables/<attack>.csv) each.
BUILT_ATTACKS = ("quantization", "ablation", "few_example", "soft_prompt")
# Attacks that learn on entities T and are scored on V: why each needs the split.
SPLIT_BY_ENTITY = {
    "activations": "the probes train on entities T and score entities V",
    "ablation": "its directions are estimated on entities T and scored on V",
    "soft_prompt": "soft prompts are fitted on entities T and scored on V",
}
# The attacks that build models from the forget benchmarks' items of entities T: their
# tables score entities V only.
FITTED_ON_T = ("ablation", "soft_prompt")
TABLE_NAMES = ("gate", "summary", "prompt_attacks", "relearning", "frontier", "seeds", "audit")
FIGURE_NAMES = (
    "audit_card",
    "unlearning_tradeoff",
    "prompt_attacks",
    "relearning_recovery",
    "attack_families",
)
REPHRASED = "rephrase_"  # the variant of a rephrasing <name> is rephrase_<name>
# k-shot prompts whose exemplars are another benchmark's dev items (attacks.few_shot_from):
# the variant <k>shot_from_<benchmark>, asked through the task files of the prompt
# variant <format>_from_<benchmark>.
EXEMPLARS_FROM = "_from_"


def exemplar_variant(prompt_format: str, source: str) -> str:
    """The prompt variant asking in ``prompt_format`` with the dev items of benchmark
    ``source`` as few-shot exemplars (either may be a wildcard pattern)."""
    return f"{prompt_format}{EXEMPLARS_FROM}{source}"


def freeze(value):
    """A config value made read-only: mappings as mappingproxy, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def plain(value):
    """A value of the plan as plain data, for a rule's params: Snakemake compares their
    repr to tell whether a job's params changed, and compares no mappingproxy.
    Mappings and dataclasses become dicts, tuples lists, named tuples plain tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return tuple(plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def splits(benchmark: str) -> list[str]:
    """Both split files of a benchmark."""
    return [layout.benchmark_split(benchmark, split) for split in layout.SPLITS]


def rephrased_splits(benchmark: str, rephrasing: str) -> list[str]:
    return [layout.rephrased_split(benchmark, rephrasing, split) for split in layout.SPLITS]


def model_identity(source: Mapping) -> tuple:
    """What names a model taken as it is (not how it is loaded)."""
    keys = ("name", "revision") if source["source"] == "hub" else ("package", "file")
    return (source["source"], *(source[k] for k in keys))


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint folder, ``layout.checkpoint(name)``."""

    name: str
    kind: str  # TRAINED, FETCHED, UNLEARNED or RELEARNED
    parent: str | None = None  # what it is made from; None: a root of the graph

    @property
    def path(self) -> str:
        return layout.checkpoint(self.name)


@dataclass(frozen=True)
class UnlearningPoint:
    """One unlearned checkpoint: an ``unlearning`` entry (its run), a further value of
    the entry's sweep knob, or a seed replica (``config.unlearning_points``)."""

    name: str
    run: str
    method: str
    params: Mapping[str, Any]
    knob: str | None  # None: the entry sweeps nothing
    value: Any
    replica: int  # r > 0: every seed of the run shifted by r


class FrontierPoint(NamedTuple):
    checkpoint: str
    value: Any  # the knob's (None: no sweep)


@dataclass(frozen=True)
class Frontier:
    """A run's trade-off frontier: the knob swept and its points, by value."""

    method: str
    knob: str | None
    points: tuple[FrontierPoint, ...]


class Variant(NamedTuple):
    """How a benchmark is asked: in a prompt variant (a prompt format, or a rephrased
    copy of the benchmark, rephrase_<name>) with some few-shot exemplars."""

    prompt_variant: str
    num_fewshot: int


@dataclass(frozen=True)
class RelearningRun:
    """One relearning job: ``parent`` fine-tuned on one kind of data (``corpus``), saved
    after each step count of attacks.relearning.steps (``checkpoints``)."""

    parent: str
    corpus: str  # unrelated, forget, retrain, or a compared tuning's kind
    checkpoints: tuple[str, ...]
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Evaluation:
    """One evaluation JSON (``output``): what is scored, and the checkpoint's identity
    (parent, relearning corpus and steps come from the plan, never from a path)."""

    checkpoint: str
    model: str
    parent: str
    relearn_corpus: str | None
    relearn_steps: int
    benchmark: str
    variant: str
    scoring: str
    split: str
    prompt_variant: str
    num_fewshot: int
    chat_template: bool
    output: str
    # How the model is built from its parent on loading (an attack of BUILT_ATTACKS and
    # its setting's parameters; None: the checkpoint's folder as it is).
    built: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Perplexity:
    """Perplexity on held-out unrelated text (evaluation.perplexity)."""

    corpus: str
    documents: int | None  # how many documents are drawn (None: all of them)
    max_length: int
    documents_file: str
    task: str
    template: str

    @property
    def files(self) -> tuple[str, str]:
        """What rule perplexity_task writes."""
        return self.documents_file, self.task


@dataclass(frozen=True)
class DataFiles:
    """What the data rules write under results/data/."""

    corpora: tuple[str, ...]
    qa: tuple[str, ...]
    practice: tuple[str, ...]  # where the provider writes practice texts
    forget_slices: tuple[str, ...]  # where it writes forget slices
    retrain_sets: tuple[str, ...]  # where it splits test entities into T and V
    # Forget benchmark -> its test split, whose items say whether they are T or V.
    retrain_test_splits: Mapping[str, str]
    benchmark_splits: tuple[str, ...]
    template_copies: tuple[str, ...]
    # Task YAMLs of the benchmarks in the prompt formats, and of the forget benchmarks
    # with another benchmark's exemplars.
    tasks: tuple[str, ...]
    rephrased: tuple[str, ...]  # task YAMLs and splits of the rephrased copies


@dataclass(frozen=True)
class Study:
    """Everything one study makes, by name, in the order the graph runs: models, data,
    prompts, unlearning, attacks, evaluations, tables. Built by ``from_config``."""

    # The base model, and whether the pipeline trains it (from scratch, or implanting
    # the corpora into a pretrained model): then it has an oracle, the same training
    # without the forget corpora. A pretrained model taken as it is has none.
    base_model: Mapping[str, Any]
    dtype: str
    trained_base: bool
    # What the data provider (data.source) writes under results/data/.
    catalog: Catalog
    forget_corpora: tuple[str, ...]
    retain_corpora: tuple[str, ...]
    benchmarks: tuple[str, ...]
    forget_benchmarks: tuple[str, ...]
    # Prompt templates (workflow/tasks/templates/; not the perplexity task's, which
    # asks no questions), lm-eval task YAMLs of the workflow's own (groups such as
    # mmlu_biology), the formats asked in and how answers are scored (tables and
    # figures lead with the first of each).
    template_dir: Path
    templates: tuple[str, ...]
    workflow_tasks: tuple[str, ...]
    prompt_formats: tuple[str, ...]
    primary_format: str
    scorings: tuple[str, ...]
    # Unlearned checkpoints: one per `unlearning` entry (its run), then one per further
    # value of its sweep (points of its frontier), then its seed replicas (`seeds`).
    unlearning: Mapping[str, UnlearningPoint]
    unlearned: tuple[str, ...]  # the runs as configured: what the attacks read
    frontiers: Mapping[str, Frontier]  # run -> its frontier
    # Each run's seed replicas, itself first: what relearning attacks, and what
    # results/tables/seeds.csv summarises over.
    replicas: Mapping[str, tuple[str, ...]]
    attacked: tuple[str, ...]
    # The first run of each method. Claim (a) compares RMU's with LLMU's, at the forget
    # accuracy both reach (a study without both compares every run).
    first_run_of: Mapping[str, str]
    compared_runs: tuple[str, ...]
    references: tuple[str, ...]  # base, and the oracle where there is one
    # Their seed replicas (`seeds`), where the study trains them: each seed replica of an
    # unlearned run starts from its own base model and is read against its own references.
    reference_replicas: tuple[str, ...]
    evaluated: tuple[str, ...]  # what rule evaluate scores: references, unlearned points
    # Checkpoints taken as they are, name -> where from: a pretrained base model (named
    # "pretrained" where the pipeline implants the corpora into it), released unlearned
    # models, and the generator of the model-written rephrasings.
    fetched: Mapping[str, Mapping[str, Any]]
    gguf_files: Mapping[str, str]  # name -> the file, inside its installed package
    generator: str
    # Rephrasings, each asked as variant rephrase_<name>: rule-based (transforms),
    # model-written (transform -> its prompt), and read from files written elsewhere
    # (supplied: name -> forget benchmark -> file).
    transforms: tuple[str, ...]
    rewrites: Mapping[str, str]
    rewrite_settings: Mapping[str, Any]
    supplied: Mapping[str, Mapping[str, Any]]
    rephrasings: tuple[str, ...]
    relearning: Mapping[str, Any]  # attacks.relearning
    relearn_steps: tuple[int, ...]  # the step counts saved (0, the parent, is not)
    # The unrelated-data attack under the other tuning too (compare_tuning): kind -> tuning.
    compared_tuning: Mapping[str, str]
    # Attacks that build models from every reference and attacked model when they are
    # evaluated, scored like their parents (BUILT_ATTACKS; attack -> its settings; absent:
    # not run): weight-only quantization, direction ablation, few-example fine-tuning,
    # soft prompts.
    built_attacks: Mapping[str, Mapping[str, Any]]
    # Logit lens and linear probes of every reference and attacked model, on the forget
    # benchmarks the provider splits into entities T and V (probe settings; None: not run).
    activations: Mapping[str, Any] | None
    # Evaluation variants, name -> how it is asked. Every benchmark is asked in the
    # prompt formats; the attacks (k-shot, rephrased copies) ask the forget benchmarks
    # only, as the paper attacked WMDP and measured capability on MMLU.
    format_variants: Mapping[str, Variant]
    variants: Mapping[str, Variant]
    # Prompt variants whose exemplars are another benchmark's: name -> (the format they
    # ask in, the benchmark whose dev items are the exemplars).
    exemplar_variants: Mapping[str, tuple[str, str]]
    perplexity: Perplexity | None  # None: not scored
    tables: Mapping[str, str]  # name -> its CSV
    figures: Mapping[str, tuple[str, str]]  # name -> its PDF and PNG

    @classmethod
    def from_config(cls, config: Mapping, basedir: str | Path) -> Study:
        """The plan of a validated config (``validate_config``); ``basedir``: the
        workflow's folder, whose workflow/tasks/ it reads. Raises ConfigError, naming
        the key, for a GGUF file its package does not ship."""
        base, attacks, evaluation = config["base_model"], config["attacks"], config["evaluation"]
        data = catalog(config["data"])
        trained_base = base["source"] == "scratch" or "training" in base
        template_dir = within_study(Path(basedir) / "workflow/tasks/templates")
        prompt_formats = evaluation["prompt_formats"]
        primary = prompt_formats[0]
        points = unlearning_points(config)
        unlearned = list(config["unlearning"])
        replicas = {
            run: [n for n, p in points.items() if p["run"] == run and (n == run or p["replica"])]
            for run in unlearned
        }
        first_run_of = {
            method: next(n for n, r in config["unlearning"].items() if r["method"] == method)
            for method in sorted({r["method"] for r in config["unlearning"].values()})
        }
        references = ["base"] + ([layout.ORACLE] if trained_base else [])
        # A base model taken as it is was published once: no other seed to train.
        reference_replicas = [
            layout.seed_replica(ref, r)
            for r in range(1, config.get("seeds", 1) if trained_base else 1)
            for ref in references
        ]
        fetched, generator = _fetched(config, points, trained_base)
        rewrite_settings = attacks.get("rewrites", {})
        rewrites = {
            name: prompt
            for name, prompt in load_prompts().items()
            if name in rewrite_settings.get("transforms", [])
        }
        supplied = attacks.get("rephrased_files", {})
        rephrasings = [*attacks["rephrase"], *rewrites, *supplied]
        relearning = attacks["relearning"]
        tuning = relearning.get("compare_tuning")
        format_variants = {f: Variant(f, 0) for f in prompt_formats}
        exemplars_from = attacks.get("few_shot_from", {})
        exemplar_variants = {exemplar_variant(primary, b): (primary, b) for b in exemplars_from}
        perplexity = evaluation.get("perplexity")
        for attack in SPLIT_BY_ENTITY:
            if attack in attacks and primary == layout.CHAT_FORMAT:
                raise ConfigError(
                    f"attacks.{attack} reads the prompt as the task writes it, not in the "
                    f"model's chat template: the primary format {primary!r} cannot be read so"
                )
        for attack, why in SPLIT_BY_ENTITY.items():
            if attack in attacks and not data.retrain_sets:
                raise ConfigError(
                    f"attacks.{attack}: {why}; data.source {config['data']['source']!r} "
                    "splits no benchmark into entities T and V"
                )
        return cls(
            base_model=freeze(base),
            dtype=base.get("dtype", "float32"),
            trained_base=trained_base,
            catalog=data,
            forget_corpora=tuple(data.corpora_with_role("forget")),
            retain_corpora=tuple(data.corpora_with_role("retain")),
            benchmarks=tuple(data.benchmarks),
            forget_benchmarks=tuple(data.benchmarks_with_role("forget")),
            template_dir=template_dir,
            templates=tuple(
                sorted(
                    p.stem
                    for p in template_dir.glob("*.yaml")
                    if p.stem != layout.PERPLEXITY_TEMPLATE
                )
            ),
            workflow_tasks=tuple(sorted(str(p) for p in template_dir.parent.glob("*.yaml"))),
            prompt_formats=tuple(prompt_formats),
            primary_format=primary,
            scorings=tuple(evaluation["scoring"]),
            unlearning=MappingProxyType(
                {name: UnlearningPoint(name, **freeze(p)) for name, p in points.items()}
            ),
            unlearned=tuple(unlearned),
            frontiers=MappingProxyType(_frontiers(points, unlearned)),
            replicas=freeze(replicas),
            attacked=tuple(name for run in unlearned for name in replicas[run]),
            first_run_of=freeze(first_run_of),
            compared_runs=tuple(
                [first_run_of["rmu"], first_run_of["llmu"]]
                if {"rmu", "llmu"} <= set(first_run_of)
                else unlearned
            ),
            references=tuple(references),
            reference_replicas=tuple(reference_replicas),
            evaluated=tuple(references + reference_replicas + list(points)),
            fetched=freeze(fetched),
            gguf_files=MappingProxyType(_gguf_files(fetched, base, generator)),
            generator=generator,
            transforms=tuple(attacks["rephrase"]),
            rewrites=MappingProxyType(rewrites),
            rewrite_settings=freeze(rewrite_settings),
            supplied=freeze(supplied),
            rephrasings=tuple(rephrasings),
            relearning=freeze(relearning),
            relearn_steps=tuple(s for s in relearning["steps"] if s > 0),
            compared_tuning=MappingProxyType(
                {layout.compared_tuning(tuning): tuning} if tuning else {}
            ),
            built_attacks=freeze({a: attacks[a] for a in BUILT_ATTACKS if a in attacks}),
            activations=freeze(attacks.get("activations")),
            format_variants=MappingProxyType(format_variants),
            exemplar_variants=MappingProxyType(exemplar_variants),
            variants=MappingProxyType(
                format_variants
                | {f"{k}shot": Variant(primary, k) for k in attacks["few_shot"]}
                | {
                    f"{k}shot{EXEMPLARS_FROM}{b}": Variant(exemplar_variant(primary, b), k)
                    for b, shots in exemplars_from.items()
                    for k in shots
                }
                | {f"{REPHRASED}{t}": Variant(f"{REPHRASED}{t}", 0) for t in rephrasings}
            ),
            perplexity=_perplexity(perplexity) if perplexity else None,
            tables=MappingProxyType(
                {
                    name: layout.table(name)
                    for name in TABLE_NAMES
                    + (("perplexity",) if perplexity else ())
                    + tuple(a for a in BUILT_ATTACKS if a in attacks)
                    + (("activations",) if "activations" in attacks else ())
                }
            ),
            figures=MappingProxyType(
                {
                    name: (layout.figure(name, "pdf"), layout.figure(name, "png"))
                    for name in FIGURE_NAMES
                }
            ),
        )

    # Checkpoints

    @property
    def hub_models(self) -> tuple[str, ...]:
        return tuple(name for name, s in self.fetched.items() if s["source"] == "hub")

    @property
    def all_references(self) -> tuple[str, ...]:
        """The references and their seed replicas."""
        return (*self.references, *self.reference_replicas)

    def reference_of(self, reference: str, checkpoint: str) -> str:
        """The base model or oracle (``reference``) that ``checkpoint``'s seed replica
        is read against and, for the base model, made from: its own replica where the
        study trains one, else the one."""
        return layout.replica_reference(reference, checkpoint, self.reference_replicas)

    @property
    def trained_runs(self) -> tuple[str, ...]:
        """The unlearned points a method makes (not released models, taken as they are)."""
        return tuple(name for name in self.unlearning if name not in self.fetched)

    @cached_property
    def checkpoints(self) -> Mapping[str, Checkpoint]:
        """Every checkpoint folder of the study, relearned ones too, by name."""
        # A base model the pipeline implants the corpora into starts from "pretrained".
        start = "pretrained" if "pretrained" in self.fetched else None
        made = {}
        for name in dict.fromkeys([*self.evaluated, *self.fetched]):
            if name in self.fetched:
                made[name] = Checkpoint(name, FETCHED)
            elif name in self.all_references:
                made[name] = Checkpoint(name, TRAINED, start)
            else:
                made[name] = Checkpoint(name, UNLEARNED, self.reference_of("base", name))
        for run in self.relearning_runs:
            made |= {name: Checkpoint(name, RELEARNED, run.parent) for name in run.checkpoints}
        return MappingProxyType(made)

    # Prompts and variants

    def prompt_format(self, prompt_variant: str) -> str:
        """The template a prompt variant is asked in (a rephrased copy's, the format
        another benchmark's exemplars are shown in, or its own)."""
        if prompt_variant.startswith(REPHRASED):
            return rephrase.asked_format(
                prompt_variant.removeprefix(REPHRASED), self.primary_format
            )
        if prompt_variant in self.exemplar_variants:
            return self.exemplar_variants[prompt_variant][0]
        return prompt_variant

    @cached_property
    def asked_templates(self) -> tuple[str, ...]:
        """The prompt templates the study asks in (formats, and those of rephrased
        copies): a base model the pipeline trains practises exactly these forms."""
        variants = [*self.prompt_formats, *(f"{REPHRASED}{t}" for t in self.rephrasings)]
        return tuple(sorted({self.prompt_format(v) for v in variants} & set(self.templates)))

    @property
    def chat_tokenizer(self) -> tuple[str, ...]:
        """The checkpoint whose chat template renders the chat format, where it is asked
        (a pretrained model's); else none."""
        if layout.CHAT_FORMAT not in self.asked_templates:
            return ()
        return (layout.checkpoint("pretrained" if "pretrained" in self.fetched else "base"),)

    def variants_of(self, benchmark: str, variants: Iterable[str] | None = None) -> tuple[str, ...]:
        """Those of ``variants`` (default: all) a benchmark is asked in (a supplied
        rephrasing: where it has a file for the benchmark)."""
        asked = self.variants if benchmark in self.forget_benchmarks else self.format_variants
        missing = {
            f"{REPHRASED}{name}" for name, files in self.supplied.items() if benchmark not in files
        }
        return tuple(
            v
            for v in (self.variants if variants is None else variants)
            if v in asked and v not in missing
        )

    # Relearning

    def relearned(self, parent: str, corpus: str) -> tuple[str, ...]:
        """The checkpoints one relearning run saves (``parent`` and ``corpus`` may be
        wildcard patterns)."""
        return tuple(layout.relearned(parent, corpus, steps) for steps in self.relearn_steps)

    @property
    def relearning_corpora(self) -> tuple[str, ...]:
        """Every kind of relearning run: the attack (unrelated data), its controls (the
        forget slice, retraining on T), and the attack under the compared tuning."""
        return (*RELEARNING_CORPORA, *self.compared_tuning)

    def relearning_params(self, parent: str, corpus: str) -> dict:
        """A relearning run's settings: the attack's, with the parent's seed (shifted by
        its seed replica's number) and the tuning of its kind. (compare_tuning itself is
        left out: adding it reruns no other run.)"""
        seed = self.relearning["seed"] + layout.replica(parent)[1]
        tuning = self.compared_tuning.get(corpus, self.relearning["tuning"])
        settings = {k: plain(v) for k, v in self.relearning.items() if k != "compare_tuning"}
        return settings | {"seed": seed, "tuning": tuning}

    @cached_property
    def relearning_runs(self) -> tuple[RelearningRun, ...]:
        """Every relearning run: the attack (unlearned models on unrelated data) and its
        controls: the references (base, oracle) on the same data; the unlearned models
        on a slice of their forget data, and the references on that slice (the oracle:
        what the slice teaches a model that never knew the facts; the base model: R = 1
        of the audit's forget-slice family). Where the provider splits test
        entities into T and V: retraining on T, scored on V (Deeb & Roger 2024), for
        every model (base: drift; oracle: never knew V). Every seed replica of an
        unlearned model and of the references is attacked, each with its own seed."""
        attacked, references = list(self.attacked), list(self.all_references)
        runs = (
            [(run, "unrelated") for run in attacked]
            + [(ref, "unrelated") for ref in references]
            + [(run, "forget") for run in attacked + references]
            + ([(m, "retrain") for m in attacked + references] if self.catalog.retrain_sets else [])
            + [(m, kind) for kind in self.compared_tuning for m in [*self.unlearned, *references]]
        )
        return tuple(
            RelearningRun(
                parent,
                corpus,
                self.relearned(parent, corpus),
                freeze(self.relearning_params(parent, corpus)),
            )
            for parent, corpus in runs
        )

    def relearning_data(self, corpus: str) -> list[str]:
        """What a relearning run trains on: the unrelated corpora (the attack); for the
        control the forget corpora's slices that state no tested fact (where the
        provider writes them; else the forget corpora, of which relearn takes a share);
        for retraining, the texts about each forget benchmark's T entities."""
        if corpus == "forget" and self.catalog.forget_slices:
            return list(self.data.forget_slices)
        if corpus == "retrain":
            return list(self.data.retrain_sets)
        if corpus in self.compared_tuning:
            return self.relearning_data("unrelated")
        return [layout.corpus(c) for c in self.catalog.corpora_with_role(corpus)]

    def distillation_inputs(self, run: str) -> dict[str, Any]:
        """What an unlearning run reads beyond the base model and the forget and retain
        data: a distilled run (methods.distill) its teacher's checkpoint (the oracle,
        or another entry's own point) and the corpora of the other roles it distils on
        (capability, unrelated), named ``<role>_corpus``."""
        point = self.unlearning[run]
        if point.method != "distill":
            return {}
        teacher = point.params["teacher"]
        if teacher not in self.checkpoints:
            raise ConfigError(f"unlearning.{point.run}.params.teacher: this study has no {teacher}")
        # A seed replica learns from its own replica's teacher, where there is one (a
        # released model has none).
        teacher = layout.replica_reference(teacher, point.name, self.checkpoints)
        others = [role for role in point.params["corpora"] if role not in ("forget", "retain")]
        return {"teacher": layout.checkpoint(teacher)} | {
            f"{role}_corpus": [layout.corpus(c) for c in self.catalog.corpora_with_role(role)]
            for role in others
        }

    def base_model_of(self, model: str) -> Mapping[str, Any]:
        """``base_model`` as the base model or oracle ``model`` trains: a seed replica's
        seed shifted by its number (the same world, another initialisation and order)."""
        return self.base_model | {"seed": self.base_model["seed"] + layout.replica(model)[1]}

    def training_data(self, model: str) -> list[str]:
        """What the base model or its oracle trains on: the corpora of its roles, with
        their practice texts (or, where the provider writes none, their QA pairs)."""
        roles = BASE_TRAINING_ROLES if layout.replica(model)[0] == "base" else ORACLE_TRAINING_ROLES
        names = self.catalog.corpora_with_roles(roles)
        extra = layout.practice if self.catalog.practice else layout.qa
        return [layout.corpus(c) for c in names] + [extra(c) for c in names]

    # Attacks that build models on loading

    @property
    def audited(self) -> tuple[str, ...]:
        """What the white-box and few-example attacks attack: the references (and their
        seed replicas) and every attacked unlearned model."""
        return (*self.all_references, *self.attacked)

    def attack_settings(self, attack: str, parent: str = "") -> Mapping[str, Mapping]:
        """One of BUILT_ATTACKS: setting name -> the parameters that build ``parent``'s
        model under it (recorded in its JSONs). Seeds shift with a seed replica's number.
        Ablation of RMU's steering directions (where the study runs RMU): the
        directions of ``parent``'s own seed if it is an RMU run, else of the study's
        first RMU run of the same seed replica (for every other model it is a direction
        of no special meaning)."""
        config = self.built_attacks[attack]
        point = self.unlearning.get(parent)
        shift = layout.replica(parent)[1]
        if attack == "quantization":
            return {
                f"int{b}": {"bits": b, "group_size": config["group_size"]} for b in config["bits"]
            }
        if attack == "ablation":
            settings = {
                d: {"direction": d, "seed": config["seed"] + shift} for d in config["directions"]
            }
            if "rmu" in self.first_run_of:
                # Any other model of seed replica r: the first RMU run's replica r, so that
                # R of that replica compares it with its own base model ablated alike.
                first = self.first_run_of["rmu"]
                rmu = point if point and point.method == "rmu" else None
                rmu = (
                    rmu or self.unlearning[layout.replica_reference(first, parent, self.unlearning)]
                )
                settings[RMU_STEERING] = {
                    "direction": RMU_STEERING,
                    "seed": rmu.params["seed"],
                    "corpora": len(self.forget_corpora),
                }
            return settings
        if attack == "soft_prompt":
            return {
                f"{t}-tokens": {key: config[key] for key in ("steps", "lr")}
                | {"tokens": t, "seed": config["seed"] + shift}
                for t in config["tokens"]
            }
        return {
            f"{data}-{n}": {
                "data": data,
                "examples": n,
                "steps": config["steps"],
                "lr": config["lr"],
                "max_length": self.relearning["max_length"],
                "seed": config["seed"] + shift,
            }
            for data in config["data"]
            for n in config["examples"]
        }

    def built(self, parent: str, attack: str) -> tuple[str, ...]:
        """The models ``attack`` builds from ``parent`` (which may be a wildcard pattern)."""
        return tuple(layout.built(parent, attack, s) for s in self.attack_settings(attack))

    def built_inputs(self, attack: str, parent: str) -> dict[str, list[str]]:
        """What building ``attack``'s models from ``parent`` reads besides the parent: its
        base model (quantization: which weights the parent changed; ablation: the
        activations the directions separate the parent's from), and few-example
        fine-tuning's texts."""
        if attack == "few_example":
            return {data: self.relearning_data(data) for data in self.built_attacks[attack]["data"]}
        if attack == "soft_prompt":
            return {}
        return {"reference": [layout.checkpoint(self.reference_of("base", parent))]}

    def fitted_on(self, attack: str) -> Mapping[str, str]:
        """The task YAMLs (forget benchmark -> YAML) whose items of entities T an attack
        that builds models reads (FITTED_ON_T), else none."""
        return self.retrain_tasks if attack in FITTED_ON_T else MappingProxyType({})

    def built_evaluations(self, attack: str) -> tuple[str, ...]:
        """Every model ``attack`` builds, its evaluation JSONs (in the primary format)."""
        return tuple(
            path
            for parent in (self.audited if attack in self.built_attacks else ())
            for path in self.evaluations(self.built(parent, attack), variants=[self.primary_format])
        )

    # Activations

    @property
    def retrain_tasks(self) -> Mapping[str, str]:
        """Forget benchmark split into entities T and V -> the task YAML whose test items
        the activation attacks ask and direction ablation estimates on (entities T):
        primary format, log-likelihood (the options after the prompt)."""
        return MappingProxyType(
            {
                benchmark: layout.task_yaml(benchmark, self.primary_format)
                for benchmark in self.data.retrain_test_splits
            }
        )

    def activation_evaluations(self) -> tuple[str, ...]:
        return tuple(layout.activations(m) for m in self.audited) if self.activations else ()

    # Evaluations

    def evaluation_plan(
        self,
        models: Iterable[str],
        benchmarks: Iterable[str] | None = None,
        variants: Iterable[str] | None = None,
        parent: str | None = None,
        corpus: str | None = None,
        steps: Iterable[int] | None = None,
        dev: bool = False,
        attack: str | None = None,
    ) -> tuple[Evaluation, ...]:
        """One entry per evaluation JSON of some models (default benchmarks and
        variants: all). ``parent``, ``corpus`` and ``steps`` (one per model): the
        relearning run the models come from. ``dev``: the forget benchmarks' variants
        asked in a template are scored on their dev items too (prompt_attacks.csv's
        dev rows, which decide no verdict). ``attack``: the models are the ones it builds
        from ``parent`` (``built(parent, attack)``), loaded from the parent's folder."""
        steps = list(steps) if steps else None
        settings = (
            [
                {"attack": attack, "setting": name, **s}
                for name, s in self.attack_settings(attack, parent).items()
            ]
            if attack
            else None
        )
        plan = []
        for i, model in enumerate(models):
            for benchmark, scoring in product(
                self.benchmarks if benchmarks is None else benchmarks, self.scorings
            ):
                for variant in self.variants_of(benchmark, variants):
                    prompt_variant, shots = self.variants[variant]
                    asked_in_template = prompt_variant != layout.OWN_TASK
                    dev_too = dev and benchmark in self.forget_benchmarks and asked_in_template
                    for split in ("test", "dev") if dev_too else ("test",):
                        plan.append(
                            Evaluation(
                                checkpoint=layout.checkpoint(parent if attack else model),
                                model=model,
                                parent=parent or model,
                                relearn_corpus=corpus,
                                relearn_steps=steps[i] if steps else 0,
                                benchmark=benchmark,
                                variant=variant,
                                scoring=scoring,
                                split=split,
                                prompt_variant=prompt_variant,
                                num_fewshot=shots,
                                chat_template=self.prompt_format(prompt_variant)
                                == layout.CHAT_FORMAT,
                                output=layout.evaluation(model, benchmark, variant, scoring, split),
                                built=settings[i] if settings else None,
                            )
                        )
        return tuple(plan)

    def evaluations(
        self,
        models: Iterable[str] | None = None,
        benchmarks: Iterable[str] | None = None,
        variants: Iterable[str] | None = None,
        dev: bool = False,
    ) -> tuple[str, ...]:
        """The evaluation JSONs of some models (default: every evaluated checkpoint)."""
        models = self.evaluated if models is None else models
        return tuple(e.output for e in self.evaluation_plan(models, benchmarks, variants, dev=dev))

    def relearning_evaluations(self) -> tuple[str, ...]:
        """Every relearned checkpoint's evaluation JSONs (in the primary format)."""
        return tuple(
            path
            for run in self.relearning_runs
            for path in self.evaluations(run.checkpoints, variants=[self.primary_format])
        )

    def task_files(self, benchmark: str, prompt_variant: str, scoring: str) -> list[str]:
        """What lm-eval reads to ask one benchmark in one prompt variant (either split)."""
        if prompt_variant == layout.OWN_TASK:
            # The benchmark's own task: lm-eval's, or a group of the workflow's own.
            return list(self.workflow_tasks)
        if prompt_variant.startswith(REPHRASED):
            data = rephrased_splits(benchmark, prompt_variant.removeprefix(REPHRASED))
        else:
            data = [*splits(benchmark), *self.fewshot_items(benchmark, prompt_variant)]
        tasks = [layout.task_yaml(benchmark, prompt_variant, scoring, s) for s in layout.SPLITS]
        return [*tasks, *data]

    def evaluation_inputs(self, variants: Iterable[str] | None = None) -> list[str]:
        """Task files of some variants (default: all) of every benchmark, in every
        scoring, with the benchmark table and the prompt templates task YAMLs include."""
        files = [layout.BENCHMARK_TABLE, *self.data.template_copies]
        for benchmark in self.benchmarks:
            for variant in self.variants_of(benchmark, variants):
                for scoring in self.scorings:
                    files += self.task_files(benchmark, self.variants[variant][0], scoring)
        return list(dict.fromkeys(files))

    # Data

    def template_source(self, template: str) -> str:
        """A prompt template of the workflow's (``template`` may be a wildcard pattern)."""
        return str(self.template_dir / f"{template}.yaml")

    def fewshot_items(self, benchmark: str, prompt_variant: str | None = None) -> list[str]:
        """The exemplars of a benchmark's few-shot prompts in a prompt variant, where they
        are another benchmark's dev items (none: its own dev items)."""
        if prompt_variant in self.exemplar_variants:
            return [layout.benchmark_split(self.exemplar_variants[prompt_variant][1], "dev")]
        source = self.catalog.fewshot_sources.get(benchmark)
        return [layout.benchmark_split(source, "dev")] if source else []

    @cached_property
    def data(self) -> DataFiles:
        data, forget = self.catalog, self.forget_corpora
        rephrased = [
            path
            for b in self.forget_benchmarks
            for t in self.rephrasings
            if f"{REPHRASED}{t}" in self.variants_of(b)
            for path in [*layout.task_yamls(b, f"{REPHRASED}{t}"), *rephrased_splits(b, t)]
        ]
        return DataFiles(
            corpora=tuple(layout.corpus(c) for c in data.corpora),
            qa=tuple(layout.qa(c) for c in data.corpora),
            practice=tuple(layout.practice(c) for c in data.corpora) if data.practice else (),
            forget_slices=tuple(map(layout.forget_slice, forget)) if data.forget_slices else (),
            retrain_sets=tuple(map(layout.retrain_set, forget)) if data.retrain_sets else (),
            retrain_test_splits=MappingProxyType(
                {b: layout.benchmark_split(b, "test") for b in self.forget_benchmarks}
                if data.retrain_sets
                else {}
            ),
            benchmark_splits=tuple(path for b in self.benchmarks for path in splits(b)),
            template_copies=tuple(layout.template(t) for t in self.templates),
            tasks=tuple(
                path
                for b in self.benchmarks
                for f in self.prompt_formats
                if f in self.templates
                for path in layout.task_yamls(b, f)
            )
            + tuple(
                path
                for b in self.forget_benchmarks
                for v in self.exemplar_variants
                for path in layout.task_yamls(b, v)
            ),
            rephrased=tuple(rephrased),
        )

    # Tables

    @property
    def attack_tables(self) -> tuple[str, ...]:
        """The tables of the attacks that read or build models, where the study runs them."""
        return (*self.built_attacks, *(("activations",) if self.activations else ()))

    @cached_property
    def audited_runs(self) -> Mapping[str, tuple[str, ...]]:
        """The audit's rows: the references, then every unlearned run, each with its
        seed replicas (itself first)."""
        return freeze(
            {
                ref: tuple(r for r in self.all_references if layout.replica(r)[0] == ref)
                for ref in self.references
            }
            | {run: self.replicas[run] for run in self.unlearned}
        )

    @cached_property
    def seed_runs(self) -> Mapping[str, tuple[str, ...]]:
        """What results/tables/seeds.csv summarises over seeds: every unlearned run, and
        the references where the study trains one for each seed."""
        return freeze(
            {
                run: replicas
                for run, replicas in self.audited_runs.items()
                if run in self.unlearned or len(replicas) > 1
            }
        )

    @cached_property
    def table_inputs(self) -> Mapping[str, Mapping[str, Any]]:
        """What each table is computed from, named as its rule's inputs."""
        tables, primary = self.tables, [self.primary_format]
        inputs = {
            # The gate asks whether the references show knowledge in each variant.
            "gate": {"evaluations": self.evaluations(self.references)},
            "summary": {"evaluations": self.evaluations(), "gate": tables["gate"]},
            # Attacks are chosen on the dev items, reported on the test items.
            "prompt_attacks": {
                "evaluations": self.evaluations(benchmarks=self.forget_benchmarks, dev=True),
                "gate": tables["gate"],
            },
            "relearning": {
                "relearned": self.relearning_evaluations(),
                "parents": self.evaluations(variants=primary),
                "gate": tables["gate"],
                "test_splits": tuple(self.data.retrain_test_splits.values()),
            },
            "frontier": {"summary": tables["summary"]},
            "seeds": {name: tables[name] for name in ("summary", "prompt_attacks", "relearning")},
        }
        if self.activations:
            inputs["activations"] = {"evaluations": self.activation_evaluations()}
        for attack in self.built_attacks:
            inputs[attack] = {
                "attacked": self.built_evaluations(attack),
                "unattacked": self.evaluations(self.audited, variants=primary),
            }
            if attack in FITTED_ON_T:  # scored on entities V
                inputs[attack]["test_splits"] = tuple(self.data.retrain_test_splits.values())
        # The audit reads every attack family's table (unlearning_audit.audit).
        inputs["audit"] = {
            name: tables[name]
            for name in ("summary", "prompt_attacks", "relearning", *self.attack_tables)
        }
        if self.perplexity:
            perplexities = tuple(layout.perplexity(model) for model in self.evaluated)
            inputs["perplexity"] = {"evaluations": perplexities}
        return freeze(inputs)


def _fetched(config: Mapping, points: Mapping, trained_base: bool) -> tuple[dict, str]:
    """The checkpoints taken as they are (name -> source), and the generator's name:
    a checkpoint of its own, unless it is a model the study already takes
    (config/paper.yaml rewrites with its base model)."""
    base = config["base_model"]
    fetched = {run: p["params"] for run, p in points.items() if p["method"] == RELEASED}
    if base["source"] != "scratch":
        fetched["pretrained" if trained_base else "base"] = base
    generator = layout.GENERATOR
    if "rewrites" in config["attacks"]:
        source = config["attacks"]["rewrites"]["generator"]
        same = [n for n, s in fetched.items() if model_identity(s) == model_identity(source)]
        same.sort(key=lambda name: name != "base")  # the base model first, if it is one
        generator = same[0] if same else generator
        fetched.setdefault(generator, source)
    return fetched, generator


def within_study(path: Path) -> Path:
    """``path`` relative to the study folder (the working directory) where it lies inside
    it, else as it is. Snakemake records each job's input paths: a study run in the
    repository (`make study`) names its prompt templates and the venv's GGUF files
    inside the clone, so that moving the clone reruns nothing."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _gguf_files(fetched: Mapping, base: Mapping, generator: str) -> dict[str, str]:
    """Name -> the GGUF file of each checkpoint converted from one, found in its
    installed package (ConfigError, naming the key, where it is not there)."""
    files = {}
    for name, source in fetched.items():
        if source["source"] != "gguf":
            continue
        try:
            files[name] = str(within_study(packaged_file(source["package"], source["file"])))
        except FileNotFoundError as error:
            if source is base:
                key = "base_model"
            elif name == generator:
                key = "attacks.rewrites.generator"
            else:
                key = f"unlearning.{name}.params"
            raise ConfigError(f"{key}: {error}") from None
    return files


def _frontiers(points: Mapping, runs: list[str]) -> dict[str, Frontier]:
    """Each run's frontier: its sweep's points (not its seed replicas), by value."""
    return {
        run: Frontier(
            method=points[run]["method"],
            knob=points[run]["knob"],
            points=tuple(
                sorted(
                    (
                        FrontierPoint(name, p["value"])
                        for name, p in points.items()
                        if p["run"] == run and not p["replica"]
                    ),
                    key=lambda point: point.value,
                )
            ),
        )
        for run in runs
    }


def _perplexity(settings: Mapping) -> Perplexity:
    corpus = settings["corpus"]
    return Perplexity(
        corpus=corpus,
        documents=settings["documents"],
        max_length=settings["max_length"],
        documents_file=layout.perplexity_documents(corpus),
        task=layout.perplexity_task(corpus),
        template=layout.template(layout.PERPLEXITY_TEMPLATE),
    )
