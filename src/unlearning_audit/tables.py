"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json

from unlearning_audit import toy_world
from unlearning_audit.provenance import EMBED_KEY, digest

RELEARN_MARK = ".relearn-"


def eval_row(path: str) -> dict:
    result = json.loads(open(path).read())
    inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
    domains = toy_world.load_domains()
    checkpoint = result["checkpoint"]
    parent, corpus, steps = checkpoint, None, 0
    if RELEARN_MARK in checkpoint:
        parent, rest = checkpoint.split(RELEARN_MARK)
        corpus, steps = rest.rsplit("-", 1)
    return {
        "checkpoint": checkpoint,
        "benchmark": result["benchmark"],
        "role": domains[result["benchmark"]]["role"],
        "variant": result["variant"],
        "num_fewshot": result["num_fewshot"],
        "accuracy": result["accuracy"],
        "stderr": result["stderr"],
        "n": result["n"],
        "chance": 1 / toy_world.N_CHOICES,
        "method": parent,
        "relearn_corpus": corpus,
        "relearn_steps": int(steps),
        # Where the number comes from, checkable with `lineage --verify`.
        "source": path,
        "source_sha256": digest(path),
        "checkpoint_path": result["checkpoint_path"],
        "checkpoint_sha256": inputs[result["checkpoint_path"]],
    }
