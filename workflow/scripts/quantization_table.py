"""Rule quantization_table: every quantized model against its parent, the quantized
base model (R = 1) and the quantized oracle (R = 0), under the gate of the same
quantization (unlearning_audit.tables.attack_table); with how many of the parent's
changed weights survive quantization (unlearning_audit.quantization)."""

import json

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import attack_table, eval_row, item_clusters, item_correctness


def quantized_row(path: str, unattacked: dict) -> dict:
    settings = json.loads(open(path).read())["quantization"]
    row = eval_row(path)
    return row | {
        "setting": f"int{settings['bits']}",
        "correct": item_correctness(path),
        "clusters": item_clusters(path),
        "unattacked": item_correctness(unattacked[row["parent"], row["benchmark"], row["scoring"]]),
        "weights_changed": settings["weights_changed"],
        "quantized_weights_changed": settings["quantized_weights_changed"],
    }


with job(snakemake):
    unattacked = {
        (row["checkpoint"], row["benchmark"], row["scoring"]): path
        for path, row in ((p, eval_row(p)) for p in snakemake.input.unattacked)
    }
    attacked = pd.DataFrame([quantized_row(p, unattacked) for p in snakemake.input.attacked])
    table = attack_table(attacked, "quantization", snakemake.params.min_gap)
    changes = attacked.drop_duplicates(["parent", "setting"]).set_index(["parent", "setting"])
    for column in ("weights_changed", "quantized_weights_changed"):
        table[column] = [changes.loc[key, column] for key in zip(table.checkpoint, table.setting)]
    shown = ["checkpoint", "setting", "benchmark", "scoring", "accuracy", "recovery", "informative"]
    print(table[shown].to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
