"""Distillation from a teacher: UNDO (Lee et al. 2025, *Distillation Robustifies
Unlearning*) and, with the oracle as teacher, the oracle-imitation control.

loss = KL(teacher(x) || student(x)), the next-token distributions of every position
of texts x drawn from ``corpora`` (forget, retain, unrelated).

The student starts from the base model (``student: base``) or from the teacher's
weights (``student: teacher``), then ``noise`` of a fresh initialisation is mixed
in: theta <- (1 - noise) theta + noise theta_fresh (shrink and perturb, Ash & Adams
2020; UNDO's noising; noise 1 is a freshly initialised model). Two known answers:
- UNDO: an unlearned teacher, its noised copy as the student, retain and unrelated
  text. Expected (Lee et al.): the student keeps the teacher's behaviour, not the
  knowledge the teacher only hid.
- Oracle imitation: the oracle as teacher, the base model as the student, forget and
  retain text, no noise. It learns to answer as the oracle does, but nothing removes
  what its weights hold: expected hidden (Lee et al.: undone by a few steps).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from unlearning_audit.methods.common import UnlearningData, adamw, training_loop
from unlearning_audit.models import shuffled_batches, tokenize


def noised(model, noise: float, seed: int) -> None:
    """Mix ``noise`` of a fresh initialisation of the architecture into ``model``'s weights."""
    if noise == 0:
        return
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        fresh = type(model)(model.config).to(model.device, model.dtype)
    with torch.no_grad():
        for weight, init in zip(model.parameters(), fresh.parameters()):
            weight.mul_(1 - noise).add_(init, alpha=noise)


def distill(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    teacher = data.teacher.eval().requires_grad_(False)
    if params["student"] == "teacher":
        model.load_state_dict(teacher.state_dict())
    noised(model, params["noise"], params["seed"])
    texts = [t for corpus in params["corpora"] for t in data.texts_of(corpus)]
    batches = shuffled_batches(texts, params["batch_size"], params["seed"])
    optimizer = adamw(model, params["lr"])

    def step_loss(_):
        batch = tokenize(tokenizer, next(batches), params["max_length"])
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        with torch.no_grad():
            target = teacher(**inputs).logits.float().log_softmax(-1)
        student = model(**inputs).logits.float().log_softmax(-1)
        # KL(teacher || student) per position, averaged over the real tokens.
        kl = F.kl_div(student, target, log_target=True, reduction="none").sum(-1)
        mask = batch["attention_mask"].float()
        loss = (kl * mask).sum() / mask.sum()
        return loss, {"kl": loss.item()}

    history = training_loop(model, optimizer, params["num_steps"], step_loss, "distill")
    return {"steps": history}
