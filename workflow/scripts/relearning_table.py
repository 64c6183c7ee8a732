"""Rule relearning_table: accuracy after each number of relearning steps.

Step 0 of every run is its parent checkpoint's zero-shot primary-format score.
Retraining on T is scored on V only (``scored_items``), from each evaluation's
per-item results: the forget benchmarks' test items whose ``retrain_split`` is V.
Recovery R of each row: against the base model and the oracle relearned the same way
(tables.relearning_recovery).
"""

import pandas as pd

from unlearning_audit.data import read_rows
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_table, on_items, relearning_recovery

with job(snakemake):
    relearned = eval_table(snakemake.input.relearned, snakemake.input.gate)
    parents = eval_table(snakemake.input.parents, snakemake.input.gate)
    step_zero = [
        parents[parents.checkpoint == parent].assign(relearn_corpus=corpus)
        for parent, corpus in relearned[["parent", "relearn_corpus"]].drop_duplicates().values
    ]
    table = pd.concat([relearned, *step_zero], ignore_index=True).assign(scored_items="all")
    # Item ids are row numbers of each test split (lm-eval's doc_id).
    held_out = {
        benchmark: {
            str(i) for i, split in enumerate(read_rows([path])["retrain_split"]) if split == "V"
        }
        for benchmark, path in snakemake.params.test_splits.items()
    }
    retrained = (table.relearn_corpus == "retrain") & table.benchmark.isin(list(held_out))
    rows = [
        on_items(row, held_out[row["benchmark"]]) | {"scored_items": "V"}
        for row in table[retrained].to_dict("records")
    ]
    table = pd.concat([table[~retrained], pd.DataFrame(rows)], ignore_index=True)
    table = table.sort_values(["parent", "relearn_corpus", "benchmark", "relearn_steps"])

    table = relearning_recovery(table, held_out)
    print(
        table[
            [
                "parent",
                "relearn_corpus",
                "benchmark",
                "relearn_steps",
                "scored_items",
                "accuracy",
                "recovery",
            ]
        ].to_string()
    )
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
