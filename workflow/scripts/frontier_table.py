"""Rule frontier_table: each unlearning method's trade-off frontier, and each
method's capability at matched forget accuracy.

One row per (scoring, forget benchmark, unlearned checkpoint): its run, the
knob its sweep turns and the value, forget accuracy and capability accuracy
(the first capability benchmark) with Wilson intervals, all in the primary
prompt format, zero-shot; and each run's point at matched forget accuracy
(``tables.matched_forget_accuracy``) among the runs claim (a) compares (the first
RMU and LLMU runs; every run where the study has not both), marked ``matched``; and
whether each point unlearns selectively (``tables.selective``, config `selectivity`).
"""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import matched_forget_accuracy, selective

with job(snakemake):
    summary = pd.read_csv(snakemake.input.summary)
    summary = summary[summary.variant == snakemake.params.primary_format]
    runs = [
        {"run": run, "method": f["method"], "knob": f["knob"], "checkpoint": name, "value": value}
        for run, f in snakemake.params.frontiers.items()
        for name, value in f["points"]
    ]
    points = pd.DataFrame(runs)
    rows = []
    for scoring, scored in summary.groupby("scoring", sort=False):
        capability = scored[scored.role == "capability"]
        capability = capability[capability.benchmark == capability.benchmark.iloc[0]]
        capability = capability.set_index("checkpoint")
        for benchmark, forget in scored[scored.role == "forget"].groupby("benchmark"):
            forget = forget.set_index("checkpoint")
            table = points.assign(
                scoring=scoring,
                forget_benchmark=benchmark,
                forget_informative=forget.informative[points.checkpoint].to_numpy(),
                **{
                    f"{side}_{column}": frame[column][points.checkpoint].to_numpy()
                    for side, frame in (("forget", forget), ("capability", capability))
                    for column in ("accuracy", "ci_low", "ci_high")
                },
                capability_benchmark=capability.benchmark.iloc[0],
            )
            level, matched = matched_forget_accuracy(table, snakemake.params.compared)
            table = table.assign(matched_level=level, matched=matched)
            oracle = forget.loc["oracle"] if "oracle" in forget.index else None
            kept = snakemake.params.capability_kept
            rows.append(selective(table, capability.loc["base"], oracle, kept))
    frontier = pd.concat(rows, ignore_index=True)
    print(frontier.to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        frontier.to_csv(tmp, index=False)
