"""Reading the pipeline's JSONL files, hub datasets and local corpora through `datasets`."""

from __future__ import annotations

from pathlib import Path

from datasets import load_dataset

from unlearning_audit.provenance import file_sha256
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


def load_hub_rows(spec: dict):
    """Rows of one Hugging Face dataset split (``path``, ``name``, ``split``, ``revision``)."""
    return load_dataset(
        spec["path"], spec.get("name"), split=spec["split"], revision=spec.get("revision")
    )


def read_local_corpus(spec: dict) -> list[str]:
    """Texts of a local JSONL corpus (a ``text`` column), checked against its sha256."""
    path = Path(spec["path"])
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. To obtain it: {spec['obtain']}")
    found = file_sha256(path)
    if spec["sha256"] is None:
        raise ValueError(f"{path} is not pinned: set its sha256 in the config ({found} now)")
    if found != spec["sha256"]:
        raise ValueError(f"{path}: sha256 {found}, but the config expects {spec['sha256']}")
    return read_texts([str(path)])


def qa_from_texts(texts: list[str]) -> list[tuple[str, str]]:
    """(prompt, answer) pairs from plain texts, for LLMU on corpora without questions:
    the first half of a text's words prompts the second half."""
    pairs = []
    for text in texts:
        words = text.split()
        if len(words) >= 2:
            half = len(words) // 2
            pairs.append((" ".join(words[:half]), " ".join(words[half:])))
    return pairs
