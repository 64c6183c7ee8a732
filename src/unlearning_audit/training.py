"""Causal-LM fine-tuning, short enough to read top to bottom."""

from __future__ import annotations

import math

import torch
from tqdm import tqdm

from unlearning_audit.models import shuffled_batches, tokenize


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
    """AdamW with linear warmup and cosine decay; returns the loss of every step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    warmup = max(1, int(warmup_fraction * steps))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    batches = shuffled_batches(texts, batch_size, seed)
    losses = []
    model.train()
    for _ in (bar := tqdm(range(steps), desc="train", mininterval=5)):
        loss = model(**tokenize(tokenizer, next(batches), max_length)).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        bar.set_postfix(loss=losses[-1], refresh=False)
    model.eval()
    return losses
