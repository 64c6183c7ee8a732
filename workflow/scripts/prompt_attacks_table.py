"""Rule prompt_attacks_table: forget accuracy under each prompt attack, as recovery.

Recovery R = (attacked - b) / (base - b) in the same variant and scoring, b the
knowledge-free baseline there (the higher of the oracle's accuracy and chance), with a
95 % bootstrap interval resampling whole entities (stats.recovery): 0 is what a model
that never learned the facts shows, 1 all the base model shows. The ratio to the
checkpoint's own zero-shot accuracy (`uplift`) is kept for comparison with the paper's
wording, and McNemar's exact p-value compares the attacked answers with the zero-shot
ones, item by item. Rows of the dev split (``split``) are computed the same way on the
dev items.
"""

import math

from unlearning_audit import layout
from unlearning_audit.gate import KEY
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.stats import mcnemar, recovery
from unlearning_audit.tables import eval_table, item_clusters, item_correctness

with job(snakemake):
    table = eval_table(snakemake.input.evaluations, snakemake.input.gate)
    primary = snakemake.params.primary_format
    sources = table.set_index(["checkpoint", "split", *KEY])["source"]
    accuracy = table.set_index(["checkpoint", "split", *KEY])["accuracy"]
    table["zero_shot_accuracy"] = [
        accuracy[(c, split, b, primary, s)]
        for c, split, b, s in zip(table.checkpoint, table.split, table.benchmark, table.scoring)
    ]
    table["uplift"] = table.accuracy / table.zero_shot_accuracy
    correct = {path: item_correctness(path) for path in table.source}
    clusters = {path: item_clusters(path) for path in table.source}
    intervals, p_values = [], []
    present = set(table.checkpoint)
    for row in table.itertuples():
        # Within one split: the base model and oracle (of the row's seed replica) of the
        # same items.
        key = (row.split, *(getattr(row, k) for k in KEY))
        base_source = sources[(layout.replica_reference("base", row.checkpoint, present), *key)]
        base = correct[base_source]
        attacked = correct[row.source][base.index]
        oracle = (layout.replica_reference("oracle", row.checkpoint, present), *key)
        oracle = correct[sources[oracle]][base.index] if oracle in sources else None
        cluster = clusters[base_source][base.index]
        intervals.append(recovery(attacked, base, oracle, row.baseline, cluster))
        # Against the same checkpoint's zero-shot answers to the same items. A benchmark's
        # own lm-eval task numbers its items in its own order, which rephrased copies
        # (drawn from a shuffled split) do not share: no pairing there.
        zero = correct[sources[(row.checkpoint, row.split, row.benchmark, primary, row.scoring)]]
        own_order = primary == layout.OWN_TASK and row.variant.startswith("rephrase_")
        p_values.append(math.nan if own_order else mcnemar(attacked, zero[attacked.index]))
    table["recovery"], table["recovery_ci_low"], table["recovery_ci_high"] = zip(*intervals)
    table["mcnemar_p"] = p_values
    table = table.sort_values(["checkpoint", "split", *KEY])
    print(table[["checkpoint", "split", *KEY, "accuracy", "recovery", "uplift"]].to_string())
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
