"""RMU, Representation Misdirection for Unlearning (Li et al. 2024, WMDP).

Only ``mlp.down_proj.weight`` of ``params["layers"]`` is trained. On forget
text, the residual stream after ``params["steering_layer"]`` is pushed towards
``steering_coef * u`` (``u`` a fixed random unit vector, one per forget
corpus); on retain text it is held to the original model's, weighted by
``alpha``. Forget corpora alternate batch by batch, each shuffled on its own
stream, and are cut at their own token lengths (``forget_max_length``; the
reference: bio 512, cyber 768), retain text at ``max_length`` (512). AdamW
without weight decay (the reference's ``transformers.AdamW``), no schedule.

The frozen model of the reference is not a second copy here: its retain
activations come from the same module with the original down_proj weights
substituted for the call (``layer_output(..., overrides=...)``), so RMU needs
memory for three matrices rather than a second model.
"""

from __future__ import annotations

import torch

from unlearning_audit.methods.common import UnlearningData, training_loop
from unlearning_audit.models import layer_output, shuffled_batches, tokenize


def _masked_mse(h: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """MSE over real tokens only: padding carries no knowledge to steer."""
    per_token = ((h - target) ** 2).mean(-1)
    return (per_token * mask).sum() / mask.sum()


def steering_vectors(hidden: int, seed: int, count: int) -> torch.Tensor:
    """RMU's random steering directions u (not normed), one per forget corpus in the
    order RMU reads them, as its seed draws them (direction ablation reproduces them)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.stack([torch.rand(hidden, generator=generator) for _ in range(count)])


def rmu(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    layer = params["steering_layer"]
    names = [f"layers.{i}.mlp.down_proj.weight" for i in params["layers"]]
    trainable = dict(model.model.named_parameters())
    for p in model.parameters():
        p.requires_grad_(False)
    for name in names:
        trainable[name].requires_grad_(True)
    originals = {name: trainable[name].detach().clone() for name in names}

    draws = steering_vectors(model.config.hidden_size, params["seed"], len(data.forget_corpora))
    controls = {
        corpus: (params["steering_coef"] * u / u.norm()).to(model.device, model.dtype)
        for corpus, u in zip(data.forget_corpora, draws)
    }

    bs, max_len = params["batch_size"], params["max_length"]
    forget_max_len = {c: params.get("forget_max_length", {}).get(c, max_len) for c in controls}
    forget_batches = {
        corpus: shuffled_batches(texts, bs, params["seed"] + 1 + i)
        for i, (corpus, texts) in enumerate(data.forget_corpora.items())
    }
    retain_batches = shuffled_batches(data.retain_corpus, bs, params["seed"])
    optimizer = torch.optim.AdamW([trainable[n] for n in names], lr=params["lr"], weight_decay=0.0)
    corpora = list(data.forget_corpora)
    base_norm = None

    def step_loss(step):
        nonlocal base_norm
        corpus = corpora[step % len(corpora)]
        forget = tokenize(tokenizer, next(forget_batches[corpus]), forget_max_len[corpus])
        retain = tokenize(tokenizer, next(retain_batches), max_len)

        h_forget = layer_output(model, layer, forget)
        if step == 0:  # the untouched model: what steering_coef should be compared with
            base_norm = _mean_norm(h_forget, forget)
        forget_loss = _masked_mse(
            h_forget, controls[corpus].expand_as(h_forget), forget["attention_mask"]
        )
        h_retain = layer_output(model, layer, retain)
        with torch.no_grad():
            h_retain_frozen = layer_output(model, layer, retain, overrides=originals)
        retain_loss = params["alpha"] * _masked_mse(
            h_retain, h_retain_frozen, retain["attention_mask"]
        )
        logged = {"forget_loss": forget_loss.item(), "retain_loss": retain_loss.item()}
        return forget_loss + retain_loss, logged

    history = training_loop(model, optimizer, params["num_steps"], step_loss, "rmu")
    model.requires_grad_(True)
    return {"steps": history, "base_forget_activation_norm": base_norm}


def _mean_norm(h: torch.Tensor, batch: dict) -> float:
    mask = batch["attention_mask"].bool()
    return h.detach()[mask].norm(dim=-1).mean().item()
