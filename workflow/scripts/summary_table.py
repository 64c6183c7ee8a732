"""Rule summary_table: one row per checkpoint x benchmark x variant (no relearning)."""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_row

with job(snakemake):
    table = pd.DataFrame([eval_row(p) for p in snakemake.input])
    table = table.sort_values(["checkpoint", "benchmark", "variant"])
    print(table.drop(columns=["source_sha256", "checkpoint_sha256"]).to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
