"""Rules <attack>_table (quantization, ablation, few_example, soft_prompt): every model the attack
built against its parent, the base model under the same attack and setting (R = 1)
and the oracle under it (R = 0), under the gate of that setting
(unlearning_audit.tables.attack_table); with what building found (BUILT_COLUMNS: the
weights that survived quantization, the first block ablated, the fine-tuning loss).
Ablation and soft prompts learn from the items of entities T: their forget rows score
entities V only (``scored_items``), as retraining on T is scored."""

import json
import math

import pandas as pd

from unlearning_audit.data import read_rows
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import (
    BUILT_COLUMNS,
    attack_table,
    eval_row,
    item_clusters,
    item_correctness,
)


def built_row(path: str, unattacked: dict, columns, held_out: dict) -> dict:
    built = json.loads(open(path).read())["built"]
    row = eval_row(path)
    items = held_out.get(row["benchmark"])
    parent = unattacked[row["parent"], row["benchmark"], row["scoring"]]
    scored = {
        "correct": item_correctness(path),
        "clusters": item_clusters(path),
        "unattacked": item_correctness(parent),
    }
    if items is not None:  # entities V only; attack_table counts them
        scored = {key: series[series.index.isin(items)] for key, series in scored.items()}
        row |= {"accuracy": math.nan, "n": math.nan, "n_effective": math.nan}
    return (
        row
        | scored
        | {
            "setting": built["setting"],
            **{column: built[column] for column in columns},
        }
    )


with job(snakemake):
    attack = snakemake.params.attack
    columns = BUILT_COLUMNS[attack]
    unattacked = {
        (row["checkpoint"], row["benchmark"], row["scoring"]): path
        for path, row in ((p, eval_row(p)) for p in snakemake.input.unattacked)
    }
    # Item ids are row numbers of each test split (lm-eval's doc_id).
    held_out = {
        benchmark: {
            str(i) for i, split in enumerate(read_rows([path])["retrain_split"]) if split == "V"
        }
        for benchmark, path in snakemake.params.scored_on_v.items()
    }
    attacked = pd.DataFrame(
        [built_row(p, unattacked, columns, held_out) for p in snakemake.input.attacked]
    )
    table = attack_table(attacked, attack, snakemake.params.min_gap)
    found = attacked.drop_duplicates(["parent", "setting"]).set_index(["parent", "setting"])
    table["scored_items"] = table.benchmark.map(lambda b: "V" if b in held_out else "all")
    for column in columns:
        table[column] = [found.loc[key, column] for key in zip(table.checkpoint, table.setting)]
    shown = ["checkpoint", "setting", "benchmark", "scoring", "accuracy", "recovery", "informative"]
    print(table[shown].to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
