"""Gradient ascent: maximise the LM loss on the forget corpora. The plain baseline."""

from __future__ import annotations

from tqdm import tqdm

from unlearning_audit.methods.common import UnlearningData, adamw, merged, trainable
from unlearning_audit.models import shuffled_batches, tokenize


def gradient_ascent(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    batches = shuffled_batches(data.forget_texts, params["batch_size"], params["seed"])
    model, _ = trainable(model, params)
    optimizer = adamw(model, params["lr"])
    history = []
    model.train()
    for _ in (bar := tqdm(range(params["num_steps"]), desc="gradient_ascent", mininterval=5)):
        batch = tokenize(tokenizer, next(batches), params["max_length"])
        forget_nll = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        (-forget_nll).backward()
        optimizer.step()
        history.append({"forget_nll": forget_nll.item()})
        bar.set_postfix(history[-1], refresh=False)
    merged(model)
    return {"steps": history}
