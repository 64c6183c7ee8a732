"""Rule benchmark_items (hub provider): the questions of one benchmark (hub dataset
splits with question, choices and answer columns) as dev/test JSONL.

The dev split (few-shot exemplars; every attack is also scored on it) is the
benchmark's own `dev` datasets where the config names them (MMLU's dev split), in
their order; otherwise `dev_items` drawn from the questions, which
then leave the test split. A small run keeps at most `max_test_items` test items.
A benchmark averaged over subjects (`average: subjects`) gives each item its
subject (the dataset it came from) and a weight, so that every subject weighs the
same in each split.
"""

import random

from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job
from unlearning_audit.providers.hub import load_hub_rows
from unlearning_audit.stats import subject_weights


def subject(spec: dict) -> str:
    """What names an items dataset: its hub config (MMLU's subject), or its files."""
    return spec.get("name") or str(spec.get("data_files") or spec["path"])


def items(specs: list[dict]) -> list[dict]:
    """The questions of some datasets, each with its row among them all (where a
    rephrased file's row for it is, attacks.rephrased_files)."""
    rows = [(spec, row) for spec in specs for row in load_hub_rows(spec)]
    return [
        {"question": row["question"], "choices": list(row["choices"]), "answer": row["answer"]}
        | {"row": index}
        | ({"subject": subject(spec)} if snakemake.params.by_subject else {})
        for index, (spec, row) in enumerate(rows)
    ]


def subject_weighted(split: list[dict]) -> list[dict]:
    weights = subject_weights([item["subject"] for item in split])
    return [item | {"weight": w} for item, w in zip(split, weights)]


with job(snakemake):
    test, dev_specs = items(snakemake.params.datasets), snakemake.params.dev
    rng = random.Random(snakemake.params.seed)
    if dev_specs:
        dev = items(dev_specs)
    else:
        rng.shuffle(test)
        dev, test = test[: snakemake.params.dev_items], test[snakemake.params.dev_items :]
    if snakemake.params.max_test_items is not None:
        test = rng.sample(test, min(len(test), snakemake.params.max_test_items))
    if snakemake.params.by_subject:
        dev, test = subject_weighted(dev), subject_weighted(test)
    write_jsonl(snakemake.output.dev, dev)
    write_jsonl(snakemake.output.test, test)
    print(f"{snakemake.wildcards.benchmark}: {len(test)} test items, {len(dev)} dev items")
