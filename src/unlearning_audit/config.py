"""Config validation: one clear line naming the offending key, before any job runs."""

from __future__ import annotations

import copy
import functools
import math
import os
from pathlib import Path

import jsonschema
import yaml

from unlearning_audit.layout import CHAT_FORMAT, GENERATE, OWN_TASK, seed_replica, sweep_point
from unlearning_audit.providers import catalog, provider
from unlearning_audit.rephrase import TRANSFORMS
from unlearning_audit.rewrite import load_prompts

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


# The method of an unlearning entry that someone published, taken as it is.
RELEASED = "released"
# Method parameters that were renamed: old name -> new name.
RENAMED_PARAMS = {"num_batches": "num_steps"}  # RMU's, as every method names its steps
# Rules that were replaced: old key -> what replaced it, and why (one line each).
REPLACED_KEYS = {
    ("gate", "min_accuracy"): "gate.min_gap: the gate reads the base model's gap to the "
    "knowledge-free baseline, not its level (docs/instrument.md)",
    ("claims", "similar_forgetting"): "claims.forget_margin: (a) tests forgetting for "
    "non-inferiority within this margin (docs/instrument.md)",
}


class ConfigError(ValueError):
    pass


def _key(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _check(instance, schema: dict, prefix: tuple) -> None:
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(instance)
    )
    if error is None:
        return
    path = prefix + tuple(error.absolute_path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        raise ConfigError(f"missing key {_key(path + (missing[0],))}")
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        raise ConfigError(f"unknown key {_key(path + (unknown[0],))}")
    raise ConfigError(f"{_key(path)}: {error.message}")


def _read(path: Path) -> dict:
    """A YAML file; a syntax error is reported with its file, line and column."""
    try:
        return yaml.safe_load(path.read_text()) or {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: {error}") from None


# The key naming the config a config extends.
EXTENDS = "extends"


def load_config(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """A YAML config file; a syntax error is reported with its file, line and column.

    A config that names another with ``extends`` (a path from its own folder) is that
    config, itself loaded so, with this one's entries put in as a cell's are
    (``resolve_study``): each top-level key is a dotted path whose value replaces the
    value there whole; null removes it. A path into a cell of a matrix config
    (``cells.NAME.rest``) goes through the cell's entry that holds it (null removes
    the entry), or adds the entry ``rest``."""
    path = Path(path)
    config = _read(path)
    if not isinstance(config, dict) or EXTENDS not in config:
        return config
    parent = config.pop(EXTENDS)
    if not isinstance(parent, str):
        raise ConfigError(f"{path}: {EXTENDS}: the path of a config, from this one's folder")
    chain = (*_chain, path.resolve())
    parent_path = path.parent / parent
    if parent_path.resolve() in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path))
        raise ConfigError(f"{path}: {EXTENDS}: {parent} extends it again ({cycle})")
    if not parent_path.is_file():
        raise ConfigError(f"{path}: {EXTENDS}: {parent} is not a config ({parent_path})")
    config_extended = load_config(parent_path, chain)
    _check_nesting(config, f"{path}: ")
    for dotted, value in config.items():
        _put_entry(config_extended, str(dotted), value, f"{path}: {dotted}")
    return config_extended


def with_extends(config: dict, configfiles, overrides) -> dict:
    """``config`` as Snakemake made it from ``--configfile`` files (merged in order as
    written) and ``--config`` ``overrides`` (on top): Snakemake reads no ``extends``,
    so where a file has one, the same made again from each file as ``load_config``
    reads it."""
    if EXTENDS not in config:
        return config
    from snakemake.utils import update_config

    merged: dict = {}
    for path in configfiles:
        update_config(merged, load_config(path))
    update_config(merged, dict(overrides))
    return merged


def _check_nesting(entries: dict, prefix: str) -> None:
    for dotted in entries:
        inner = [other for other in entries if str(other).startswith(f"{dotted}.")]
        if inner:  # which would win would depend on the entries' order
            raise ConfigError(f"{prefix}{inner[0]}: inside {dotted}, also set whole")


def _put(node: dict, keys: list[str], value, name: str, shown: tuple = ()) -> None:
    """Put one entry in: ``keys`` the path (``shown``, the path to ``node``, for
    errors); ``value`` replaces the value there whole, or null removes it."""
    *parents, last = keys
    for depth, key in enumerate(parents):
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            where = ".".join([*shown, *parents[: depth + 1]])
            raise ConfigError(f"{name}: {where} is not a mapping here")
    if value is None and last not in node:
        raise ConfigError(f"{name}: removes a key that is not there")
    if value is None:
        del node[last]
    else:
        node[last] = copy.deepcopy(value)


def _put_entry(config: dict, dotted: str, value, name: str) -> None:
    """``_put``, where a path into a cell (``cells.NAME.rest``) goes through the
    cell's entry that holds ``rest`` (itself a dotted path), or adds that entry."""
    keys = dotted.split(".")
    cells = config.get("cells") if keys[0] == "cells" and len(keys) > 2 else None
    cell = cells.get(keys[1]) if isinstance(cells, dict) else None
    if not isinstance(cell, dict):
        _put(config, keys, value, name)
        return
    rest = ".".join(keys[2:])
    holder = next((str(e) for e in cell if rest == e or rest.startswith(f"{e}.")), rest)
    inner = next((e for e in cell if str(e).startswith(f"{rest}.")), None)
    if inner is not None:
        raise ConfigError(f"{name}: the cell sets {inner}, inside it")
    if holder == rest:
        _put(cell, [rest], value, name)
    elif not isinstance(cell[holder], dict):
        raise ConfigError(f"{name}: {'.'.join(keys[:2])}.{holder} is not a mapping here")
    else:
        _put(cell[holder], rest[len(holder) + 1 :].split("."), value, name, (*keys[:2], holder))


def resolve_study(config: dict) -> dict:
    """The one study a config describes. A config with ``cells`` is a matrix of
    studies (config/paper.yaml: models x unlearning targets); ``cell`` (``--config
    cell=NAME``) chooses one, which is the shared keys with that cell's entries put
    in: each entry is a dotted path into the config whose value replaces the value
    there whole (null removes it). Each cell runs in its own study folder. Entries
    are put in after ``--config``: a key a cell sets is changed in the cell."""
    cells, chosen = config.get("cells"), config.get("cell")
    if cells is None:
        if chosen is not None:
            raise ConfigError(f"cell: {chosen!r} chosen, but this config has no cells")
        return dict(config)  # a new dict, which the Snakefile may put in config's place
    if not isinstance(cells, dict) or not all(
        isinstance(entries, dict) or entries is None for entries in cells.values()
    ):
        raise ConfigError("cells: a mapping of cell names to mappings of dotted keys")
    names = ", ".join(cells)
    if chosen is None:
        raise ConfigError(
            f"this config is a matrix of studies ({names}): choose one with --config "
            "cell=NAME, each in its own study folder (--directory)"
        )
    if chosen not in cells:
        raise ConfigError(f"cell: {chosen!r} is not a cell of this config ({names})")
    entries = cells[chosen] or {}
    _check_nesting(entries, f"cells.{chosen}.")
    study = copy.deepcopy({key: value for key, value in config.items() if key != "cells"})
    for dotted, value in entries.items():
        _put(study, str(dotted).split("."), value, f"cells.{chosen}.{dotted}")
    return study


def _check_finite(value, path: tuple = ()) -> None:
    """NaN and infinity compare false with every bound a schema sets, so they would
    pass it: reject them wherever they appear."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{_key(path)}: {value} is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_finite(item, path + (index,))


@functools.cache
def _schema(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def validate_config(config: dict, schema_path: Path = SCHEMA) -> None:
    """Raise ConfigError for the first problem found, naming its key."""
    schema = _schema(schema_path)
    _check_finite(config)
    for (section, key), replacement in REPLACED_KEYS.items():
        if key in (config.get(section) or {}):
            raise ConfigError(f"{section}.{key}: replaced by {replacement}")
    _check(config, schema, ())
    evaluation = config["evaluation"]
    if GENERATE in evaluation["scoring"] and OWN_TASK in evaluation["prompt_formats"]:
        raise ConfigError(
            "evaluation.scoring: generate asks in a prompt template of workflow/tasks/"
            f"templates, and prompt format {OWN_TASK} is each benchmark's own lm-eval task"
        )
    try:
        provider(config["data"]).check(config)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    benchmarks = catalog(config["data"]).benchmarks
    for source in config["attacks"].get("few_shot_from", {}):
        if source not in benchmarks or benchmarks[source] == "forget":
            others = ", ".join(b for b, role in benchmarks.items() if role != "forget")
            raise ConfigError(
                f"attacks.few_shot_from.{source}: exemplars come from a benchmark of this "
                f"study that is not a forget benchmark ({others})"
            )
        if evaluation["prompt_formats"][0] == OWN_TASK:
            raise ConfigError(
                f"attacks.few_shot_from.{source}: another benchmark's exemplars are shown "
                f"in a prompt template, and the primary format {OWN_TASK} is each "
                "benchmark's own lm-eval task"
            )
    prompts = load_prompts()
    clash = sorted(set(prompts) & set(TRANSFORMS))
    if clash:  # the rewrite and rephrase rules would both write rephrased/<name>/
        raise ConfigError(
            f"workflow/prompts/rewrites.yaml: {clash[0]} is also a rule-based transform"
        )
    rewrites = config["attacks"].get("rewrites", {}).get("transforms", [])
    for index, transform in enumerate(rewrites):
        if transform not in prompts:
            raise ConfigError(
                f"attacks.rewrites.transforms.{index}: {transform!r} has no prompt in "
                f"workflow/prompts/rewrites.yaml ({', '.join(prompts)})"
            )
    supplied = config["attacks"].get("rephrased_files", {})
    forget = [b for b, role in benchmarks.items() if role == "forget"]
    for name, files in supplied.items():
        if name in TRANSFORMS or name in rewrites:
            raise ConfigError(
                f"attacks.rephrased_files.{name}: also the name of a rephrasing the "
                "pipeline writes (attacks.rephrase or attacks.rewrites)"
            )
        if config["data"]["source"] != "hub":
            raise ConfigError(
                f"attacks.rephrased_files.{name}: rows are matched to the questions of hub "
                "datasets; this study's data source writes its own"
            )
        for benchmark in files:
            if benchmark not in forget:
                raise ConfigError(
                    f"attacks.rephrased_files.{name}.{benchmark}: not a forget benchmark "
                    f"of this study ({', '.join(forget)})"
                )
    asked = {
        "evaluation.prompt_formats": config["evaluation"]["prompt_formats"],
        "attacks.rephrase": [TRANSFORMS[t]["format"] for t in config["attacks"]["rephrase"]],
    }
    for key, formats in asked.items():
        if CHAT_FORMAT in formats and config["base_model"]["source"] == "scratch":
            raise ConfigError(
                f"{key}: chat asks in the model's own chat template, and a base model "
                "trained from scratch has none (base_model.source: scratch)"
            )
    perplexity = evaluation.get("perplexity")
    if perplexity:
        roles = catalog(config["data"]).corpora
        if roles.get(perplexity["corpus"]) != "unrelated":
            unrelated = [name for name, role in roles.items() if role == "unrelated"]
            raise ConfigError(
                f"evaluation.perplexity.corpus: {perplexity['corpus']!r} is not a corpus of "
                f"role unrelated ({', '.join(unrelated) or 'none'}): scored text must be "
                "text no scored model trains on"
            )
    relearning = config["attacks"]["relearning"]
    if relearning.get("compare_tuning") == relearning["tuning"]:
        raise ConfigError(
            f"attacks.relearning.compare_tuning: {relearning['tuning']} is the attack's own "
            "tuning; compare_tuning names the other one"
        )
    if relearning.get("stride", 0) > relearning["max_length"]:
        raise ConfigError(
            f"attacks.relearning.stride: {relearning['stride']} tokens between windows of "
            f"{relearning['max_length']} (max_length) would skip the tokens in between"
        )
    sliced = catalog(config["data"]).forget_slices
    if sliced and "forget_fraction" in relearning:
        raise ConfigError(
            "attacks.relearning.forget_fraction: this data source writes forget slices "
            "that state no tested fact, and the forget-data control trains on them whole"
        )
    if not sliced and "forget_fraction" not in relearning:
        raise ConfigError(
            "attacks.relearning.forget_fraction: needed: this data source writes no "
            "forget slices, so the control trains on this share of the forget corpora"
        )
    if config["audit"]["hidden_level"] < config["audit"]["margin"]:
        raise ConfigError(
            "audit.hidden_level: below audit.margin, a cell could read both recovered "
            "and like the oracle"
        )
    # The layer count of a pretrained model is known only once it is loaded.
    num_layers = config["base_model"].get("architecture", {}).get("num_layers", float("inf"))
    for name, entry in config["unlearning"].items():
        for section in ("params", "sweep"):
            for old in RENAMED_PARAMS.keys() & entry.get(section, {}).keys():
                raise ConfigError(
                    f"unlearning.{name}.{section}.{old}: renamed {RENAMED_PARAMS[old]}"
                )
        teacher = entry["params"].get("teacher") if entry["method"] == "distill" else None
        teachers = {"oracle"} | {
            n for n, e in config["unlearning"].items() if n != name and e["method"] != "distill"
        }
        if teacher is not None and teacher not in teachers:
            raise ConfigError(
                f"unlearning.{name}.params.teacher: {teacher!r} is neither the oracle nor "
                f"another entry that is not distilled ({', '.join(sorted(teachers))})"
            )
        knob = next(iter(entry.get("sweep", {})), None)
        if knob is not None and entry["method"] == RELEASED:
            raise ConfigError(
                f"unlearning.{name}.sweep: a released model is taken as it is; it has no knob"
            )
        if knob is not None and knob not in entry["params"]:
            raise ConfigError(
                f"unlearning.{name}.sweep.{knob}: not a parameter of this run "
                f"({', '.join(sorted(entry['params']))})"
            )
    # Seed replicas are their run's params with another seed: checked as the run.
    for name, point in unlearning_points(config | {"seeds": 1}).items():
        prefix = ("unlearning", point["run"], "params")
        if point["knob"] and name != point["run"]:
            prefix = ("unlearning", point["run"], "sweep")
        definition = "model_source" if point["method"] == RELEASED else point["method"]
        method_schema = schema["$defs"][definition] | {"$defs": schema["$defs"]}
        _check(point["params"], method_schema, prefix)
        if point["method"] == "rmu":
            _check_rmu(point["params"], prefix, num_layers, catalog(config["data"]))


def _check_rmu(params: dict, prefix: tuple, num_layers, data_catalog) -> None:
    if params["steering_layer"] >= num_layers:
        raise ConfigError(
            f"{_key(prefix + ('steering_layer',))}: {params['steering_layer']} "
            f"is not a layer of a {num_layers}-layer model"
        )
    if max(params["layers"]) > params["steering_layer"]:
        raise ConfigError(
            f"{_key(prefix + ('layers',))}: layers after steering_layer cannot change its output"
        )
    forget = set(data_catalog.corpora_with_role("forget"))
    unknown = sorted(set(params.get("forget_max_length", {})) - forget)
    if unknown:
        raise ConfigError(
            f"{_key(prefix + ('forget_max_length', unknown[0]))}: not a forget corpus "
            f"({', '.join(sorted(forget))})"
        )


def unlearning_points(config: dict) -> dict[str, dict]:
    """Every unlearned checkpoint the study makes: each ``unlearning`` entry as
    written, then one per further value of its ``sweep`` knob (the points of its
    trade-off frontier), then the entry repeated with other seeds (``seeds``).
    Name -> {run, method, params, knob, value, replica}; knob and value are None
    for an entry without a sweep; replica r > 0 adds r to the method's seed (and
    to the seed of the relearning runs that attack it). A released model (method
    ``released``) is one point: it was published once."""
    points = {}
    for run, entry in config["unlearning"].items():
        [(knob, values)] = entry.get("sweep", {None: []}).items()
        value = entry["params"][knob] if knob else None
        points[run] = {"run": run, "method": entry["method"], "params": entry["params"]}
        points[run] |= {"knob": knob, "value": value, "replica": 0}
        for other in values:
            if other != value:
                points[sweep_point(run, knob, other)] = points[run] | {
                    "params": entry["params"] | {knob: other},
                    "value": other,
                }
    for run, entry in config["unlearning"].items():
        if entry["method"] == RELEASED:  # published once: no other seed to run
            continue
        for replica in range(1, config.get("seeds", 1)):
            params = entry["params"] | {"seed": entry["params"]["seed"] + replica}
            points[seed_replica(run, replica)] = points[run] | {
                "params": params,
                "replica": replica,
            }
    return points


def apply_offline(config: dict) -> None:
    """Forbid hub access for this process and every job it starts, if the config says so."""
    if config["offline"]:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_DATASETS_OFFLINE"] = "1"


def prepend_python_path(directory: Path) -> None:
    """Let every job this process starts import from ``directory`` first."""
    paths = [str(directory), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
