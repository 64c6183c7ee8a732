"""Rephrasing attacks: new versions of a multiple-choice benchmark that ask
the same thing differently. Each transform keeps the correct option correct.

A transform is a data change (``transform_item``) plus the prompt format the
new task is scored in (``TRANSFORMS[name]["format"]``; ``None`` = the
config's primary format).
"""

from __future__ import annotations

import random

# Irrelevant text placed before the question; it names no entity of any benchmark.
FILLER = (
    "The weather was mild that week, and the market stalls sold bread, "
    "lamps and woollen scarves to the passing crowd. "
)

TRANSFORMS = {
    # A question template that neither training nor the benchmark uses (an item's
    # `restated_question`, where its provider wrote one; otherwise a rule-based
    # restatement).
    "restated": {"format": None},
    # Options labelled 1-4 instead of A-D.
    "relabelled": {"format": "numbered"},
    # Options in another order, the answer index remapped.
    "shuffled": {"format": "letter"},
    # The answer text itself is scored, no labels.
    "cloze": {"format": "cloze"},
    # A plain User/Assistant frame (no chat template).
    "conversation": {"format": "conversation"},
    # The same conversation in the model's own chat template (layout.CHAT_FORMAT).
    "chat": {"format": "chat"},
    # Irrelevant text before the question.
    "filler": {"format": None},
}


def asked_format(transform: str, primary: str) -> str:
    """The template a rephrased copy is asked in: its transform's own, else the
    primary format (so too a model-written rewrite, which changes the question only)."""
    return TRANSFORMS.get(transform, {}).get("format") or primary


def transform_item(name: str, item: dict, rng: random.Random) -> dict:
    item = dict(item)
    if name == "restated":
        item["question"] = item.get("restated_question") or _restate(item["question"])
    elif name == "shuffled":
        order = list(range(len(item["choices"])))
        while order == sorted(order):
            rng.shuffle(order)
        item["choices"] = [item["choices"][i] for i in order]
        item["answer"] = order.index(item["answer"])
    elif name == "filler":
        item["question"] = FILLER + item["question"]
    elif name not in TRANSFORMS:
        raise ValueError(f"unknown rephrase transform {name!r}")
    return item


def _restate(question: str) -> str:
    """Rule-based restatement for benchmarks without a held-out template."""
    return f"Here is a question. {question.rstrip('?')}? Pick the right option."


def transform_split(name: str, items: list[dict], seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [transform_item(name, item, rng) for item in items]
