"""Rule seeds_table: each run's statistics over its seed replicas (config ``seeds``).

One row per run and statistic: zero-shot and prompt-attack accuracy (summary.csv),
prompt-attack recovery (prompt_attacks.csv) and accuracy after relearning
(relearning.csv, by corpus, steps and the items scored), all on test items; with
the number of seeds, mean, sample standard deviation, range and each seed's value.
With one seed the table holds each run's single value and no spread.
"""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import seed_spread

ATTACK_KEYS = ["benchmark", "variant", "scoring"]
RELEARN_KEYS = ["relearn_corpus", "relearn_steps", "scored_items", "benchmark", "scoring"]
SPREAD = ["n_seeds", "mean", "std", "min", "max", "values"]

with job(snakemake):
    replicas = snakemake.params.replicas
    summary, attacks, relearning = (
        pd.read_csv(snakemake.input[name]) for name in ("summary", "prompt_attacks", "relearning")
    )
    summary, attacks = (t[t.split == "test"] for t in (summary, attacks))
    # (table, the column naming the checkpoint, keys, the value, what it is)
    sources = [
        (summary, "checkpoint", ATTACK_KEYS, "accuracy", "accuracy"),
        (attacks, "checkpoint", ATTACK_KEYS, "recovery", "recovery"),
        (relearning, "parent", RELEARN_KEYS, "accuracy", "accuracy after relearning"),
    ]
    table = pd.concat(
        [
            seed_spread(rows, replicas, name, keys, value).assign(statistic=statistic)
            for rows, name, keys, value, statistic in sources
        ],
        ignore_index=True,
    )
    table = table[["run", "statistic", *dict.fromkeys(ATTACK_KEYS + RELEARN_KEYS), *SPREAD]]
    print(table.to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
