"""Rule benchmark_items (hub provider): the questions of one lm-eval benchmark (hub
dataset splits with question, choices and answer columns) as dev/test JSONL, for
the rephrase rule.

The dev split (few-shot exemplars of rephrased tasks) is 5 items drawn from the
questions, which then leave the test split.
"""

import random

from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job
from unlearning_audit.providers.hub import load_hub_rows

DEV_ITEMS = 5

with job(snakemake):
    items = [
        {"question": row["question"], "choices": list(row["choices"]), "answer": row["answer"]}
        for spec in snakemake.params.datasets
        for row in load_hub_rows(spec)
    ]
    random.Random(snakemake.params.seed).shuffle(items)
    write_jsonl(snakemake.output.dev, items[:DEV_ITEMS])
    write_jsonl(snakemake.output.test, items[DEV_ITEMS:])
    print(f"{snakemake.wildcards.benchmark}: {len(items) - DEV_ITEMS} test items")
