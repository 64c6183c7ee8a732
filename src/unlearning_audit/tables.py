"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json

from unlearning_audit.gate import KEY, informative
from unlearning_audit.provenance import EMBED_KEY, digest
from unlearning_audit.stats import wilson_interval

# Copied from each evaluation JSON into its table row, as written by the evaluate rule.
COLUMNS = (
    "checkpoint",
    "parent",
    "relearn_corpus",
    "relearn_steps",
    "benchmark",
    "label",
    "role",
    "variant",
    "scoring",
    "num_fewshot",
    "accuracy",
    "n",
    "answered",
    "accuracy_on_answered",
    "baseline",
)


def eval_row(path: str) -> dict:
    result = json.loads(open(path).read())
    inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
    ci_low, ci_high = wilson_interval(result["accuracy"], result["n"])
    return {key: result[key] for key in COLUMNS} | {
        "ci_low": ci_low,  # Wilson 95 % interval
        "ci_high": ci_high,
        # Where the number comes from, checkable with `lineage --verify`.
        "source": path,
        "source_sha256": digest(path),
        "checkpoint_path": result["checkpoint_path"],
        "checkpoint_sha256": inputs[result["checkpoint_path"]],
    }


def interval_text(value: float, low: float, high: float) -> str:
    """A number with its 95 % interval, as every table of the study prints it."""
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def item_correctness(path: str):
    """Per-item correctness (0/1) of one evaluation JSON, indexed by item id."""
    import pandas as pd

    items = json.loads(open(path).read())["items"]
    return pd.Series([i["correct"] for i in items], index=[i["id"] for i in items])


def eval_table(paths: list[str], gate: str):
    """Rows of some evaluation JSONs, each marked with whether the gate (the table
    at ``gate``) found its benchmark variant informative."""
    import pandas as pd

    table = pd.DataFrame([eval_row(p) for p in paths])
    passed = informative(pd.read_csv(gate))
    return table.assign(
        informative=[passed.get(key, False) for key in zip(*(table[k] for k in KEY))]
    )
