"""Rule relearning_table: accuracy after each number of relearning steps.

Step 0 of every run is its parent checkpoint's zero-shot primary-format score.
"""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_table

with job(snakemake):
    relearned = eval_table(snakemake.input.relearned, snakemake.input.gate)
    parents = eval_table(snakemake.input.parents, snakemake.input.gate)
    step_zero = [
        parents[parents.checkpoint == parent].assign(relearn_corpus=corpus)
        for parent, corpus in relearned[["parent", "relearn_corpus"]].drop_duplicates().values
    ]
    table = pd.concat([relearned, *step_zero]).sort_values(
        ["parent", "relearn_corpus", "benchmark", "relearn_steps"]
    )
    print(table[["parent", "relearn_corpus", "benchmark", "relearn_steps", "accuracy"]].to_string())
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
