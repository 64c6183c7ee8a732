"""Reading the artifacts under results/data/ (whatever provider wrote them) through
`datasets`, and the benchmark table (see ``providers/__init__.py``)."""

from __future__ import annotations

import csv
from pathlib import Path

from unlearning_audit import layout
from unlearning_audit.io import atomic_path


def read_rows(paths: list[str]):
    from datasets import load_dataset

    return load_dataset("json", data_files=list(paths), split="train")


def read_texts(paths: list[str]) -> list[str]:
    """The ``text`` column of each file, in order (files may differ in other columns)."""
    return [text for path in paths for text in read_rows([path])["text"]]


def read_qa(paths: list[str]) -> list[tuple[str, str]]:
    """(prompt, answer) pairs of QA files."""
    if not paths:
        return []
    rows = read_rows(paths)
    return list(zip(rows["prompt"], rows["answer"]))


def write_benchmark_table(path: str | Path, rows: list[dict]) -> None:
    from unlearning_audit.providers import BENCHMARK_COLUMNS

    with atomic_path(path) as tmp, tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=BENCHMARK_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def read_benchmark_table(path: str | Path) -> dict[str, dict]:
    """Benchmark name -> its row, with ``choices`` and ``baseline`` as numbers."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        row["benchmark"]: row | {"choices": int(row["choices"]), "baseline": float(row["baseline"])}
        for row in rows
    }


def write_tasks(
    benchmark: str,
    variant: str,
    data_files: dict[str, str],
    template: str,
    fewshot_items: str | None = None,
) -> None:
    """The lm-eval task YAMLs of one benchmark variant (``layout.task_yamls``), one
    per scoring and split: its name, its data, and what it includes (lm-eval's own
    ``include:``, relative to the YAML's folder): the prompt template, and for
    generation the template's own generation settings (``_generate_<template>.yaml``)
    or else ``_generate.yaml``, after it (its keys win). The dev task asks the dev
    items, exemplars drawn from the other dev items (lm-eval leaves the asked one
    out); ``fewshot_items``: a file whose first items are every task's exemplars instead."""
    import os

    import yaml

    generate = Path(template).with_name(f"_generate_{Path(template).stem}.yaml")
    if not generate.exists():
        generate = Path(layout.template("_generate"))
    data_files = dict(data_files) | ({"fewshot": fewshot_items} if fewshot_items else {})
    for scoring in layout.SCORINGS:
        for split in layout.SPLITS:
            path = layout.task_yaml(benchmark, variant, scoring, split)
            includes = [template, *([generate] if scoring == layout.GENERATE else [])]
            config = {
                "include": [os.path.relpath(p, Path(path).parent) for p in includes],
                "task": layout.task_name(benchmark, variant, scoring, split),
                "dataset_kwargs": {"data_files": data_files},
            }
            if split != "test":
                config["test_split"] = split
            if fewshot_items:  # the first k, in file order, as the paper took them
                config |= {"fewshot_split": "fewshot", "fewshot_config": {"sampler": "first_n"}}
            with atomic_path(path) as tmp:
                tmp.write_text(yaml.safe_dump(config, sort_keys=False))


def write_rephrased_tasks(
    benchmark: str, transform: str, data_files: dict[str, str], primary: str, benchmark_table
) -> str:
    """The tasks of a rephrased copy of a benchmark (rule-based or model-written),
    asked in its transform's template, else in the primary format (where that is the
    benchmark's own lm-eval task, in the template its prompt matches); returns that
    template's name."""
    from unlearning_audit.rephrase import asked_format

    if primary == layout.OWN_TASK:
        primary = read_benchmark_table(benchmark_table)[benchmark]["format"]
    prompt_format = asked_format(transform, primary)
    write_tasks(benchmark, f"rephrase_{transform}", data_files, layout.template(prompt_format))
    return prompt_format


def write_perplexity_task(path: str, documents: str) -> None:
    """The lm-eval task at ``path`` scoring perplexity on held-out ``documents``
    (templates/_perplexity.yaml, included relative to the task's folder)."""
    import os

    import yaml

    config = {
        "include": os.path.relpath(layout.template(layout.PERPLEXITY_TEMPLATE), Path(path).parent),
        "task": Path(path).stem,
        "dataset_kwargs": {"data_files": {"test": documents}},
    }
    with atomic_path(path) as tmp:
        tmp.write_text(yaml.safe_dump(config, sort_keys=False))


def read_prompt_templates(paths) -> dict[str, dict]:
    """Prompt templates (not the shared ``_`` includes): name -> its YAML
    (``doc_to_text``, ``doc_to_choice``)."""
    import yaml

    return {
        Path(p).stem: yaml.safe_load(Path(p).read_text())
        for p in paths
        if not Path(p).stem.startswith("_")
    }
