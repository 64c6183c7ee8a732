"""NPO, Negative Preference Optimization (Zhang et al. 2024), with its retain
term (NPO+RT when ``retain_weight`` > 0).

loss = -(2 / beta) * mean log sigmoid(-beta * log(p_current(x) / p_original(x)))
     + retain_weight * NLL(retain text)

on forget texts x (their summed token log-likelihoods). Unlike gradient
ascent, the forget term flattens once a text is much less likely than under
the original model, so it does not diverge. The original model is a frozen copy.
"""

from __future__ import annotations

import torch.nn.functional as F

from unlearning_audit.methods.common import (
    UnlearningData,
    adamw,
    merged,
    sequence_nll,
    trainable,
    training_loop,
)
from unlearning_audit.models import shuffled_batches, tokenize


def npo(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    model, original = trainable(model, params, with_original=True)
    bs, max_len, beta = params["batch_size"], params["max_length"], params["beta"]
    forget_batches = shuffled_batches(data.forget_texts, bs, params["seed"])
    retain_batches = shuffled_batches(data.retain_corpus, bs, params["seed"] + 1)
    optimizer = adamw(model, params["lr"])

    def step_loss(_):
        forget = tokenize(tokenizer, next(forget_batches), max_len)
        original_nll = sequence_nll(original, forget)
        # log(p_current / p_original) = original NLL - current NLL
        log_ratio = original_nll - sequence_nll(model, forget)
        forget_loss = -2 / beta * F.logsigmoid(-beta * log_ratio).mean()
        retain_nll = model(**tokenize(tokenizer, next(retain_batches), max_len)).loss
        loss = forget_loss + params["retain_weight"] * retain_nll
        logged = {
            "forget_loss": forget_loss.item(),
            "log_ratio": log_ratio.mean().item(),
            "retain_nll": retain_nll.item(),
        }
        return loss, logged

    history = training_loop(model, optimizer, params["num_steps"], step_loss, "npo")
    merged(model)
    return {"steps": history}
