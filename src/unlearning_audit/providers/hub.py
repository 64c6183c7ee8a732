"""The hub provider: real corpora (Hugging Face datasets, or local files pinned by
sha256) and benchmarks that are lm-eval's own tasks (config/paper.yaml).

Corpora and benchmark questions are read through `datasets` at run time only;
planning needs nothing but the config.
"""

from __future__ import annotations

from pathlib import Path

from unlearning_audit.provenance import file_sha256

# The template a benchmark's own lm-eval prompt matches, unless its config says
# otherwise: WMDP and MMLU list lettered options and score the letter.
DEFAULT_FORMAT = "letter"
DEFAULT_CHOICES = 4


def catalog(data_config: dict) -> dict:
    return {
        "corpora": {name: spec["role"] for name, spec in data_config["corpora"].items()},
        "benchmarks": {name: spec["role"] for name, spec in data_config["benchmarks"].items()},
    }


def check(config: dict) -> None:
    """What the schema cannot check about a hub study."""
    roles = set(catalog(config["data"])["corpora"].values())
    for role in ("forget", "retain", "unrelated"):
        if role not in roles:
            raise ValueError(f"data.corpora: no corpus has role {role}")


def benchmark_table(benchmarks: dict) -> list[dict]:
    rows = []
    for name, spec in benchmarks.items():
        choices = spec.get("choices", DEFAULT_CHOICES)
        rows.append(
            {
                "benchmark": name,
                "role": spec["role"],
                "label": spec.get("label", name),
                "choices": choices,
                "baseline": 1 / choices,
                "task": spec["task"],
                "format": spec.get("format", DEFAULT_FORMAT),
            }
        )
    return rows


def load_hub_rows(spec: dict):
    """Rows of one Hugging Face dataset split (``path``, ``name``, ``split``, ``revision``)."""
    from datasets import load_dataset

    return load_dataset(
        spec["path"], spec.get("name"), split=spec["split"], revision=spec.get("revision")
    )


def read_local_corpus(spec: dict) -> list[str]:
    """Texts of a local JSONL corpus (a ``text`` column), checked against its sha256."""
    from unlearning_audit.data import read_texts

    path = Path(spec["path"])
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. To obtain it: {spec['obtain']}")
    found = file_sha256(path)
    if spec["sha256"] is None:
        raise ValueError(f"{path} is not pinned: set its sha256 in the config ({found} now)")
    if found != spec["sha256"]:
        raise ValueError(f"{path}: sha256 {found}, but the config expects {spec['sha256']}")
    return read_texts([str(path)])


def qa_from_texts(texts: list[str]) -> list[dict]:
    """Question/answer pairs from plain texts, for LLMU on corpora without questions:
    the first half of a text's words prompts the second half."""
    pairs = []
    for text in texts:
        words = text.split()
        if len(words) >= 2:
            half = len(words) // 2
            prompt, answer = " ".join(words[:half]), " ".join(words[half:])
            pairs.append({"prompt": prompt, "answer": answer, "text": f"{prompt} {answer}"})
    return pairs
