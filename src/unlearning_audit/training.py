"""Causal-LM fine-tuning, short enough to read top to bottom."""

from __future__ import annotations

import math

import torch
from tqdm import tqdm

from unlearning_audit.models import (
    packed_batches,
    padded_batch,
    shuffled_batches,
    strided_windows,
    tokenize,
    with_lora,
)


def train_lm(
    model,
    tokenizer,
    texts: list[str],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    warmup_fraction: float,
    max_length: int,
    seed: int,
) -> list[float]:
    """AdamW with linear warmup and cosine decay on packed rows of ``max_length``
    tokens; returns the loss of every step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    warmup = max(1, int(warmup_fraction * steps))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    batches = packed_batches(tokenizer, texts, batch_size, max_length, seed)
    losses = []
    model.train()
    for _ in (bar := tqdm(range(steps), desc="train", mininterval=5)):
        loss = model(**next(batches)).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        bar.set_postfix(loss=losses[-1], refresh=False)
    model.eval()
    return losses


def finetune_lm(
    model, tokenizer, texts: list[str], cfg: dict, checkpoints: list[int], on_checkpoint
):
    """Constant-lr AdamW fine-tuning, full or LoRA (``cfg["tuning"]``).

    Calls ``on_checkpoint(model, step, losses)`` after each step count in
    ``checkpoints``; under LoRA the model is the peft model, whose ``save_pretrained``
    writes the adapters alone (no merged copy of the weights, in memory or on disk).
    """
    if cfg["tuning"] == "lora":
        model = with_lora(model, cfg["lora"])
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg["lr"], weight_decay=0.0)
    if "stride" in cfg:  # windows of max_length tokens over every text
        rows = strided_windows(tokenizer, texts, cfg["max_length"], cfg["stride"])
        windows = shuffled_batches(rows, cfg["batch_size"], cfg["seed"])
        batches = (padded_batch(tokenizer, batch) for batch in windows)
    else:  # each text cut at max_length
        text_batches = shuffled_batches(texts, cfg["batch_size"], cfg["seed"])
        batches = (tokenize(tokenizer, batch, cfg["max_length"]) for batch in text_batches)
    losses = []
    model.train()
    for step in tqdm(range(1, max(checkpoints) + 1), desc="finetune", mininterval=5):
        loss = model(**next(batches)).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step in checkpoints:
            model.eval()
            on_checkpoint(model, step, list(losses))
            model.train()
