"""Gradient difference: ascend the LM loss on the forget corpora, descend it on
the retain corpus (Liu et al. 2022; a baseline of TOFU and MUSE).

loss = -NLL(forget text) + retain_weight * NLL(retain text)
"""

from __future__ import annotations

from unlearning_audit.methods.common import (
    UnlearningData,
    adamw,
    merged,
    trainable,
    training_loop,
)
from unlearning_audit.models import shuffled_batches, tokenize


def gradient_difference(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    bs, max_len = params["batch_size"], params["max_length"]
    forget_batches = shuffled_batches(data.forget_texts, bs, params["seed"])
    retain_batches = shuffled_batches(data.retain_corpus, bs, params["seed"] + 1)
    model, _ = trainable(model, params)
    optimizer = adamw(model, params["lr"])

    def step_loss(_):
        forget_nll = model(**tokenize(tokenizer, next(forget_batches), max_len)).loss
        retain_nll = model(**tokenize(tokenizer, next(retain_batches), max_len)).loss
        loss = -forget_nll + params["retain_weight"] * retain_nll
        return loss, {"forget_nll": forget_nll.item(), "retain_nll": retain_nll.item()}

    steps = params["num_steps"]
    history = training_loop(model, optimizer, steps, step_loss, "gradient_difference")
    merged(model)
    return {"steps": history}
