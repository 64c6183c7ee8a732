"""Gradient ascent: maximise the LM loss on the forget corpora. The plain baseline."""

from __future__ import annotations

from unlearning_audit.methods.common import (
    UnlearningData,
    adamw,
    merged,
    trainable,
    training_loop,
)
from unlearning_audit.models import shuffled_batches, tokenize


def gradient_ascent(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    batches = shuffled_batches(data.forget_texts, params["batch_size"], params["seed"])
    model, _ = trainable(model, params)
    optimizer = adamw(model, params["lr"])

    def step_loss(_):
        forget_nll = model(**tokenize(tokenizer, next(batches), params["max_length"])).loss
        return -forget_nll, {"forget_nll": forget_nll.item()}

    history = training_loop(model, optimizer, params["num_steps"], step_loss, "gradient_ascent")
    merged(model)
    return {"steps": history}
