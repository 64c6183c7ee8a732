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
