"""Rule summary_table: one row per checkpoint x benchmark task, from the evaluation JSONs."""

import json

import pandas as pd

from unlearning_audit import toy_world
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job

DOMAINS = toy_world.load_domains()

with job(snakemake):
    rows = []
    for path in snakemake.input:
        result = json.loads(open(path).read())
        _, domain, prompt_format = result["task"].split("_")
        rows.append(
            {
                "checkpoint": result["checkpoint"],
                "task": result["task"],
                "domain": domain,
                "role": DOMAINS[domain]["role"],
                "prompt_format": prompt_format,
                "accuracy": result["accuracy"],
                "stderr": result["stderr"],
                "n": result["n"],
                "chance": 1 / toy_world.N_CHOICES,
                "source": path,
            }
        )
    table = pd.DataFrame(rows).sort_values(["checkpoint", "task"])
    print(table.to_string(index=False))
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
