"""LLMU, "Large Language Model Unlearning" (Yao et al. 2023).

loss = ga_weight     * (-NLL of the true answers to forget questions)
     + random_weight * NLL of mismatched answers to the same questions
     + kl_weight     * KL(original || current) on retain QA

As Yao et al. run it: each forget question gets ``random_answers`` mismatched
answers (they use 5), drawn from the retain answers as they draw them from an
unrelated QA set, and the KL term reads retain questions with their answers in
the forget QA's own format, so the format that gradient ascent damages is the
one held to the original. The forget QA are the provider's training questions
(the toy world's training templates), never a benchmark item.

The reference computes its "KL" as the cross-entropy H(p_original, p_current);
this computes the true KL, which differs by H(p_original), a constant with
respect to the trained model: the same gradients, and the logged value starts
at zero. AdamW with a linear schedule to zero.

With ``lora`` (the paper trained LLMU through adapters on q and v), only adapters
train and the original model is the same weights with them switched off, so no
second copy of the model is held; they are merged into the model at the end.
"""

from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from unlearning_audit.methods.common import (
    UnlearningData,
    adamw,
    merged,
    sequence_nll,
    trainable,
    training_loop,
)
from unlearning_audit.models import shuffled_batches, tokenize_answers


def llmu(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    model, original = trainable(model, params, with_original=True)
    rng = random.Random(params["seed"])
    bs, max_len, steps = params["batch_size"], params["max_length"], params["num_steps"]
    # Independent streams: the same seed would pair forget and retain items alike.
    forget_batches = shuffled_batches(data.forget_qa, bs, params["seed"])
    retain_batches = shuffled_batches(data.retain_qa, bs, params["seed"] + 1)
    other_answers = [answer for _, answer in data.retain_qa]
    # No mismatched answers where their term weighs nothing (the paper's WMDP runs).
    k = params["random_answers"] if params["random_weight"] > 0 else 0

    optimizer = adamw(model, params["lr"])
    schedule = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.0, total_iters=steps)

    def step_loss(_):
        questions, answers = zip(*next(forget_batches))
        forget = tokenize_answers(tokenizer, questions, answers, max_len)
        mismatched = [
            tokenize_answers(
                tokenizer, questions, [rng.choice(other_answers) for _ in questions], max_len
            )
            for _ in range(k)
        ]
        retain = tokenize_answers(tokenizer, *zip(*next(retain_batches)), max_len)

        # One backward per pass (their gradients add up to the whole loss's), so one
        # batch's activations are held at a time: the k mismatched answers are k
        # passes, each adding its tokens' share of the mean NLL over all of them. The
        # loop runs the last, the KL term's.
        forget_nll = model(**forget).loss
        (-params["ga_weight"] * forget_nll).backward()
        answer_tokens = sum(int((batch["labels"][:, 1:] != -100).sum()) for batch in mismatched)
        random_nll = 0.0 if k else None
        for batch in mismatched:
            share = sequence_nll(model, batch).sum() / answer_tokens
            (params["random_weight"] * share).backward()
            random_nll += share.item()
        inputs = {"input_ids": retain["input_ids"], "attention_mask": retain["attention_mask"]}
        reference = original(**inputs).logits
        current = model(**inputs).logits
        mask = retain["attention_mask"].bool()
        kl = F.kl_div(
            current[mask].log_softmax(-1),
            reference[mask].log_softmax(-1),
            log_target=True,
            reduction="batchmean",
        )
        logged = {"forget_nll": forget_nll.item(), "random_nll": random_nll, "kl": kl.item()}
        return params["kl_weight"] * kl, logged

    history = training_loop(model, optimizer, steps, step_loss, "llmu", schedule)
    merged(model)
    return {"steps": history}
