"""Configs that extend one another (``extends``, dotted overrides), renamed method
parameters, and the schema's method list: in milliseconds, no Snakemake run."""

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from unlearning_audit.config import (
    ConfigError,
    load_config,
    resolve_study,
    validate_config,
    with_extends,
)


def write(folder: Path, name: str, config: dict) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


BASE = {
    "gate": {"min_accuracy": 0.8},
    "data": {"source": "toy_world", "seed": 0, "domains": ["cyber", "music"]},
    "unlearning": {"rmu": {"method": "rmu", "params": {"lr": 0.1, "seed": 1}}},
}


def test_a_config_is_the_config_it_extends_with_its_dotted_entries_put_in(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "sub/child.yaml",
        {
            "extends": "../base.yaml",  # from the config's own folder
            "gate": {"min_accuracy": 0.5, "margin": 0.1},  # whole, not merged
            "data.domains": None,  # removed
            "unlearning.rmu.params.lr": 0.2,
            "seeds": 3,  # added
        },
    )
    assert load_config(child) == {
        "gate": {"min_accuracy": 0.5, "margin": 0.1},
        "data": {"source": "toy_world", "seed": 0},
        "unlearning": {"rmu": {"method": "rmu", "params": {"lr": 0.2, "seed": 1}}},
        "seeds": 3,
    }
    # Chains: a config extending one that extends another.
    grandchild = write(tmp_path, "grandchild.yaml", {"extends": "sub/child.yaml", "data.seed": 7})
    assert load_config(grandchild)["data"] == {"source": "toy_world", "seed": 7}
    assert load_config(grandchild)["unlearning"]["rmu"]["params"]["lr"] == 0.2
    assert load_config(tmp_path / "base.yaml") == BASE  # the parent, untouched


def test_an_entry_into_a_cell_changes_the_cells_entry_that_holds_it(tmp_path):
    matrix = BASE | {
        "cells": {
            "one": {},
            "two": {
                "unlearning.rmu": {"method": "rmu", "params": {"lr": 0.3, "seed": 2}},
                "gate.min_accuracy": 0.7,
                "data.domains": None,
            },
        }
    }
    write(tmp_path, "matrix.yaml", matrix)
    small = {
        "extends": "matrix.yaml",
        "unlearning.rmu.params.lr": 0.01,  # the shared keys
        "cells.two.unlearning.rmu.params.lr": 0.03,  # inside the cell's entry unlearning.rmu
        "cells.two.gate.min_accuracy": None,  # the cell's entry removed
        "cells.two.data.seed": 5,  # a new entry of the cell
    }
    config = load_config(write(tmp_path, "small.yaml", small))
    assert config["cells"] == {
        "one": {},
        "two": {
            "unlearning.rmu": {"method": "rmu", "params": {"lr": 0.03, "seed": 2}},
            "data.domains": None,
            "data.seed": 5,
        },
    }
    two = resolve_study(config | {"cell": "two"})
    assert two["unlearning"]["rmu"]["params"]["lr"] == 0.03
    assert two["gate"] == {"min_accuracy": 0.8} and two["data"] == {
        "source": "toy_world",
        "seed": 5,
    }
    assert resolve_study(config | {"cell": "one"})["unlearning"]["rmu"]["params"]["lr"] == 0.01


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a.yaml": {"extends": "missing.yaml"}}, "a.yaml: extends: missing.yaml is not a config"),
        (
            {"a.yaml": {"extends": "a.yaml"}},
            "a.yaml: extends: a.yaml extends it again (a.yaml -> a.yaml)",
        ),
        (
            {"a.yaml": {"extends": "b.yaml"}, "b.yaml": {"extends": "a.yaml"}},
            "b.yaml: extends: a.yaml extends it again (a.yaml -> b.yaml -> a.yaml)",
        ),
        ({"a.yaml": {"extends": ["b.yaml"]}}, "a.yaml: extends: the path of a config"),
        (
            {"a.yaml": {"extends": "b.yaml", "gate.x.y": 1}},
            "a.yaml: gate.x.y: gate.x is not a mapping here",
        ),
        (
            {"a.yaml": {"extends": "b.yaml", "seeds": None}},
            "a.yaml: seeds: removes a key that is not there",
        ),
        (
            {"a.yaml": {"extends": "b.yaml", "gate": {}, "gate.min_accuracy": 1}},
            "a.yaml: gate.min_accuracy: inside gate, also set whole",
        ),
    ],
)
def test_a_config_that_cannot_be_put_together_is_refused_in_one_line(tmp_path, files, message):
    write(tmp_path, "b.yaml", BASE)
    for name, config in files.items():
        write(tmp_path, name, config)
    with pytest.raises(ConfigError, match=re.escape(message)) as refused:
        load_config(tmp_path / "a.yaml")
    assert "\n" not in str(refused.value)


def test_a_configfile_that_extends_another_is_put_together_for_snakemake(tmp_path):
    """What the Snakefile does with `config` as Snakemake read --configfile (as
    written, --config on top): the same, from each file as load_config reads it."""
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", {"extends": "base.yaml", "data.seed": 4})
    as_read = yaml.safe_load(child.read_text()) | {"cell": "x", "gate": {"margin": 1}}
    config = with_extends(as_read, [child], {"cell": "x", "gate": {"margin": 1}})
    assert config == load_config(child) | {"cell": "x", "gate": {"min_accuracy": 0.8, "margin": 1}}
    whole = {"gate": {}}
    assert with_extends(whole, [], {}) is whole  # a config without extends, as it is


@pytest.mark.parametrize("name", ["tiny", "full", "paper-smoke"])
def test_the_shrunk_configs_extend_another_and_put_together_are_valid(name):
    path = REPO / f"config/{name}.yaml"
    assert "extends" in yaml.safe_load(path.read_text())
    config = load_config(path)
    assert "extends" not in config
    for cell in config.get("cells") or [None]:
        validate_config(resolve_study(config | ({"cell": cell} if cell else {})))


def test_an_old_parameter_name_is_refused_naming_the_new_one():
    config = load_config(REPO / "config/tiny.yaml")
    params = config["unlearning"]["rmu"]["params"]
    params["num_batches"] = params.pop("num_steps")
    with pytest.raises(
        ConfigError, match=r"^unlearning\.rmu\.params\.num_batches: renamed num_steps$"
    ):
        validate_config(config)
    config = load_config(REPO / "config/tiny.yaml")
    config["unlearning"]["rmu"]["sweep"] = {"num_batches": [5]}
    with pytest.raises(
        ConfigError, match=r"^unlearning\.rmu\.sweep\.num_batches: renamed num_steps$"
    ):
        validate_config(config)


@pytest.mark.parametrize(
    "section, old, new",
    [("gate", "min_accuracy", "gate.min_gap"), ("claims", "similar_forgetting", "forget_margin")],
)
def test_a_replaced_rule_is_refused_naming_what_replaced_it(section, old, new):
    config = load_config(REPO / "config/tiny.yaml")
    config[section][old] = 0.8
    with pytest.raises(ConfigError, match=rf"^{section}\.{old}: replaced by .*{new}"):
        validate_config(config)


def test_the_schemas_methods_are_the_registered_ones_and_released():
    from unlearning_audit.config import RELEASED, SCHEMA
    from unlearning_audit.methods import METHODS

    schema = yaml.safe_load(SCHEMA.read_text())
    entry = schema["properties"]["unlearning"]["additionalProperties"]["properties"]
    assert sorted(entry["method"]["enum"]) == sorted([*METHODS, RELEASED])
    # Each method's params have their own definition, and every one counts num_steps.
    for method in METHODS:
        assert "num_steps" in schema["$defs"][method]["required"], method
