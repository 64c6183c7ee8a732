"""Rule summary_table: one row per checkpoint x benchmark task, from the evaluation JSONs."""

import json

import pandas as pd

from unlearning_audit import toy_world
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.provenance import EMBED_KEY, digest

DOMAINS = toy_world.load_domains()

with job(snakemake):
    rows = []
    for path in snakemake.input:
        result = json.loads(open(path).read())
        inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
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
                # Where the number comes from, checkable with `lineage --verify`.
                "source": path,
                "source_sha256": digest(path),
                "checkpoint_path": result["checkpoint_path"],
                "checkpoint_sha256": inputs[result["checkpoint_path"]],
            }
        )
    table = pd.DataFrame(rows).sort_values(["checkpoint", "task"])
    print(table.to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
