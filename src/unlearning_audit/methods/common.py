"""What every unlearning method reads."""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import torch
from tqdm import tqdm

from unlearning_audit.models import with_lora


@dataclass
class UnlearningData:
    """Texts for one unlearning run.

    forget_corpora: {corpus name: texts} (one per forget corpus)
    forget_qa / retain_qa: (question prompt, answer) pairs
    retain_corpus: texts whose behaviour must survive
    other_corpora: texts of the other roles a run reads ({"capability": ..., "unrelated": ...})
    """

    forget_corpora: dict[str, list[str]]
    forget_qa: list[tuple[str, str]]
    retain_corpus: list[str]
    retain_qa: list[tuple[str, str]]
    other_corpora: dict[str, list[str]] = field(default_factory=dict)  # by role
    teacher: Any = None  # the model a method distils from (methods.distill), loaded

    @property
    def forget_texts(self) -> list[str]:
        return [t for texts in self.forget_corpora.values() for t in texts]

    def texts_of(self, role: str) -> list[str]:
        """The texts of one corpus role: forget, retain, capability or unrelated."""
        own = {"forget": self.forget_texts, "retain": self.retain_corpus}
        return own[role] if role in own else self.other_corpora[role]


def sequence_nll(model, batch: dict):
    """Summed negative log-likelihood of each row's labelled tokens (a vector)."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]
    # In float32 whatever the weights' dtype, as transformers computes its loss.
    logprobs = logits[:, :-1].float().log_softmax(-1)
    picked = logprobs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * (labels != -100)).sum(-1)


def trainable(model, params: dict, with_original: bool = False):
    """The model a method trains and, if asked, ``original(**inputs)``: the outputs
    of the model as it was (no gradients). With ``params["lora"]``, LoRA adapters on
    the caller's model train and the original is the same weights with the adapters
    off, so no second model is held (call ``merged`` at the end). Without, every
    weight trains and the original is a frozen copy, made now."""
    if lora := params.get("lora"):
        model = with_lora(model, lora)
        reference, switch = model, model.disable_adapter
    else:
        reference = copy.deepcopy(model).eval().requires_grad_(False) if with_original else None
        switch = contextlib.nullcontext

    def original(**inputs):
        with torch.no_grad(), switch():
            return reference(**inputs)

    return model, (original if with_original else None)


def merged(model) -> None:
    """Merge trained LoRA adapters into the caller's model (nothing to do without)."""
    if hasattr(model, "merge_and_unload"):
        model.merge_and_unload()


def adamw(model, lr: float, weight_decay: float = 0.01):
    """AdamW over the parameters that train (all of them, or the adapters)."""
    return torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=weight_decay
    )


def training_loop(model, optimizer, num_steps: int, step_loss, desc: str, schedule=None):
    """The loop every method trains in: ``num_steps`` times, ``step_loss(step)`` gives
    the step's loss and the numbers to log of it (a dict); the loss is backpropagated
    (onto gradients a step may have begun with backward passes of its own), the
    optimizer steps, then the schedule, if any. Returns the logged numbers of every
    step, in order."""
    history = []
    model.train()
    for step in (bar := tqdm(range(num_steps), desc=desc, mininterval=5)):
        optimizer.zero_grad(set_to_none=True)
        loss, logged = step_loss(step)
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        history.append(logged)
        bar.set_postfix(logged, refresh=False)
    return history
