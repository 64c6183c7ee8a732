"""The models of the attacks that build them from a checkpoint when they are evaluated
(``plan.BUILT_ATTACKS``): weight-only quantization, direction ablation, few-example
fine-tuning and soft prompts. Nothing is written: rule evaluate_<attack> loads the
parent, builds the model from the recorded settings, and scores it; its JSONs record
the settings and what building found (weights that survived quantization, the
directions' norms, the fine-tuning and soft-prompt losses).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from unlearning_audit import ablation, quantization
from unlearning_audit.activations import option_sequences

# What building may read besides the parent (the evaluation rule's named inputs).
BUILD_READS = ("reference", "unrelated", "forget")


@dataclass(frozen=True)
class BuildInputs:
    """What building reads besides the parent model."""

    parent: str  # the parent's folder
    load: Callable  # folder -> model
    reference: str | None = None  # the base model's folder
    # The forget benchmarks' items of entities T, (lm-eval task, docs) pairs: where
    # ablation estimates its directions and soft prompts are fitted.
    items: list[tuple] = field(default_factory=list)
    # Few-example fine-tuning: data kind (unrelated, forget) -> its texts.
    texts: Mapping[str, list[str]] = field(default_factory=dict)
    batch_size: int = 32

    @cached_property
    def reference_model(self):
        """The base model, loaded once a job: ablation reads it for every direction and
        never changes it (quantization changes what it loads, so loads its own)."""
        return self.load(self.reference)


def reads(settings: Mapping) -> tuple[str, ...]:
    """What building one model reads besides the parent (BUILD_READS, and
    ``prompt_tasks``: the task files of the items of entities T): what its records
    name."""
    attack = settings["attack"]
    if attack == "quantization":
        return ("reference",)
    if attack == "ablation":
        fitted = settings["direction"] == ablation.MEAN_DIFFERENCE
        return ("reference", "prompt_tasks") if fitted else ("reference",)
    if attack == "few_example":
        return (settings["data"],)
    return ("prompt_tasks",)


def build(model, tokenizer, settings: Mapping, inputs: BuildInputs):
    """``model`` (the parent, loaded) built as ``settings`` says (``settings["attack"]``:
    one of BUILT_ATTACKS); returns it and what building found."""
    attack = settings["attack"]
    if attack == "quantization":
        bits, group_size = settings["bits"], settings["group_size"]
        found = quantization.weights_changed(
            inputs.load, inputs.parent, inputs.reference, bits, group_size
        )
        return quantization.quantize(model, bits, group_size), {
            "library": quantization.LIBRARY,
            **found,
        }
    if attack == "ablation":
        return _ablated(model, tokenizer, settings, inputs)
    if attack == "few_example":
        return _fine_tuned(model, tokenizer, settings, inputs)
    if attack == "soft_prompt":
        return _soft_prompted(model, tokenizer, settings, inputs)
    raise ValueError(f"no attack builds models as {attack!r}")


def _ablated(model, tokenizer, settings, inputs):
    from unlearning_audit.methods.rmu import steering_vectors

    reference = inputs.reference_model
    first = ablation.first_changed_block(model, reference)
    count, hidden = len(model.model.layers), model.config.hidden_size
    blocks = range(0 if first is None else first, count)
    direction = settings["direction"]
    prompts = [task.doc_to_text(doc) for task, docs in inputs.items for doc in docs]
    if direction == ablation.MEAN_DIFFERENCE:
        means = [
            ablation.mean_residuals(m, tokenizer, prompts, inputs.batch_size)
            for m in (model, reference)
        ]
        vectors = (means[0] - means[1])[:, None]
    elif direction == ablation.RANDOM:
        vectors = ablation.random_directions(count, hidden, settings["seed"])
    else:
        steering = steering_vectors(hidden, settings["seed"], settings["corpora"])
        vectors = steering[None].expand(count, -1, -1)
    ablation.ablate(model, {b: vectors[b] for b in blocks})
    return model, {
        "first_changed_block": first,
        "blocks": list(blocks),
        "direction_norms": [round(float(vectors[b].norm()), 6) for b in blocks],
        "estimated_on": f"{len(prompts)} prompts of entities T"
        if direction == ablation.MEAN_DIFFERENCE
        else None,
    }


def _fine_tuned(model, tokenizer, settings, inputs):
    import torch

    from unlearning_audit.training import finetune_lm

    examples = random.Random(settings["seed"]).sample(
        inputs.texts[settings["data"]], settings["examples"]
    )
    # Every step reads every example (one batch of them all).
    cfg = {key: settings[key] for key in ("lr", "max_length", "seed")}
    cfg |= {"tuning": "full", "batch_size": settings["examples"]}
    torch.manual_seed(settings["seed"])
    losses = []
    finetune_lm(
        model,
        tokenizer,
        examples,
        cfg,
        checkpoints=[settings["steps"]],
        on_checkpoint=lambda _model, _step, steps_losses: losses.extend(steps_losses),
    )
    return model.eval(), {
        "texts": [len(text) for text in examples],  # characters of each example
        "losses": [round(loss, 6) for loss in losses],
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }


def _soft_prompted(model, tokenizer, settings, inputs):
    from unlearning_audit.soft_prompt import train_soft_prompt

    # Each item's prompt and correct answer, tokenized as lm-eval scores them.
    answers = []
    for task, docs in inputs.items:
        sequences, _ = option_sequences(task, docs, tokenizer)
        start = 0
        for doc in docs:
            answers.append(sequences[start + task.doc_to_target(doc)])
            start += len(task.doc_to_choice(doc))
    params = {key: settings[key] for key in ("tokens", "steps", "lr", "seed")}
    wrapped, losses = train_soft_prompt(model, tokenizer, answers, **params)
    return wrapped, {
        "items": len(answers),
        "losses": [round(loss, 6) for loss in losses],
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }
