"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json

from unlearning_audit.provenance import EMBED_KEY, digest

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
    "num_fewshot",
    "accuracy",
    "stderr",
    "n",
    "baseline",
)


def eval_row(path: str) -> dict:
    result = json.loads(open(path).read())
    inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
    return {key: result[key] for key in COLUMNS} | {
        # Where the number comes from, checkable with `lineage --verify`.
        "source": path,
        "source_sha256": digest(path),
        "checkpoint_path": result["checkpoint_path"],
        "checkpoint_sha256": inputs[result["checkpoint_path"]],
    }
