"""What every unlearning method reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UnlearningData:
    """Texts for one unlearning run.

    forget_corpora: {corpus name: texts} (one per forget corpus)
    forget_qa / retain_qa: (question prompt, answer) pairs
    retain_corpus: texts whose behaviour must survive
    """

    forget_corpora: dict[str, list[str]]
    forget_qa: list[tuple[str, str]]
    retain_corpus: list[str]
    retain_qa: list[tuple[str, str]]

    @property
    def forget_texts(self) -> list[str]:
        return [t for texts in self.forget_corpora.values() for t in texts]


def sequence_nll(model, batch: dict):
    """Summed negative log-likelihood of each row's labelled tokens (a vector)."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]
    logprobs = logits[:, :-1].log_softmax(-1)
    picked = logprobs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * (labels != -100)).sum(-1)
