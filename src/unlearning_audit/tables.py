"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json

from unlearning_audit import toy_world
from unlearning_audit.provenance import EMBED_KEY, digest

RELEARN_MARK = ".relearn-"


def relearned_name(parent: str, corpus: str, steps) -> str:
    """Name of the checkpoint ``parent`` fine-tuned ``steps`` steps on ``corpus``."""
    return f"{parent}{RELEARN_MARK}{corpus}-{steps}"


def parse_checkpoint_name(name: str) -> tuple[str, str | None, int]:
    """(parent, relearning corpus, steps); a checkpoint that was not relearned is its own parent."""
    if RELEARN_MARK not in name:
        return name, None, 0
    parent, rest = name.split(RELEARN_MARK)
    corpus, steps = rest.rsplit("-", 1)
    return parent, corpus, int(steps)


def eval_row(path: str) -> dict:
    result = json.loads(open(path).read())
    inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
    checkpoint = result["checkpoint"]
    parent, corpus, steps = parse_checkpoint_name(checkpoint)
    return {
        "checkpoint": checkpoint,
        "benchmark": result["benchmark"],
        "role": result["role"],
        "variant": result["variant"],
        "num_fewshot": result["num_fewshot"],
        "accuracy": result["accuracy"],
        "stderr": result["stderr"],
        "n": result["n"],
        "chance": 1 / toy_world.N_CHOICES,
        "method": parent,
        "relearn_corpus": corpus,
        "relearn_steps": steps,
        # Where the number comes from, checkable with `lineage --verify`.
        "source": path,
        "source_sha256": digest(path),
        "checkpoint_path": result["checkpoint_path"],
        "checkpoint_sha256": inputs[result["checkpoint_path"]],
    }
