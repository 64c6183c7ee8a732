"""Rule summary_table: one row per checkpoint x benchmark x variant (no relearning)."""

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_table

with job(snakemake):
    table = eval_table(snakemake.input.evaluations, snakemake.input.gate)
    table = table.sort_values(["checkpoint", "benchmark", "variant"])
    print(table.drop(columns=["source_sha256", "checkpoint_sha256"]).to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
