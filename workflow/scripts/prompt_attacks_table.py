"""Rule prompt_attacks_table: forget accuracy under each prompt attack, and its
uplift over the zero-shot primary-format accuracy of the same checkpoint."""

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_table

with job(snakemake):
    table = eval_table(snakemake.input.evaluations, snakemake.input.gate)
    zero_shot = table[table.variant == snakemake.params.primary_format].set_index(
        ["checkpoint", "benchmark"]
    )["accuracy"]
    table["zero_shot_accuracy"] = [
        zero_shot[c, b] for c, b in zip(table.checkpoint, table.benchmark)
    ]
    table["uplift"] = table.accuracy / table.zero_shot_accuracy
    table = table.sort_values(["checkpoint", "benchmark", "variant"])
    print(table[["checkpoint", "benchmark", "variant", "accuracy", "uplift"]].to_string())
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
