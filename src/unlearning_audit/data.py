"""Reading the pipeline's JSONL files through `datasets`."""

from __future__ import annotations

from datasets import load_dataset

from unlearning_audit.toy_world import QUESTION_PROMPT


def read_rows(paths: list[str]):
    return load_dataset("json", data_files=list(paths), split="train")


def read_texts(paths: list[str]) -> list[str]:
    """The ``text`` column of each file, in order (files may differ in other columns)."""
    return [text for path in paths for text in read_rows([path])["text"]]


def read_qa(paths: list[str]) -> list[tuple[str, str]]:
    """(benchmark-format prompt, answer) pairs."""
    rows = read_rows(paths)
    return [
        (QUESTION_PROMPT.format(question=q), a) for q, a in zip(rows["question"], rows["answer"])
    ]
