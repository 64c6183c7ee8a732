"""The gate: can the instrument see knowledge in a prompt variant at all?

A variant (benchmark x prompt variant x scoring) is *informative* when the base model, which
knows the facts, is measurably right in it, and clearly above what a model without
the knowledge scores in it:

* the lower end of the base model's 95 % interval is at least ``min_accuracy``;
* and it lies above the upper end of the knowledge-free baseline's interval.

The knowledge-free baseline of a forget benchmark is the oracle's accuracy in the
same variant (trained without the forget corpora, it knows none of those facts,
so it scores what the format alone gives away); without an oracle, and on
capability benchmarks (whose facts the oracle knows), it is the benchmark's chance
level (under generation: a model that writes a random option). An unlearned model
near its baseline under an uninformative variant says nothing: the instrument could
not have seen a success.
"""

from __future__ import annotations

import pandas as pd

from unlearning_audit.stats import wilson_interval

COLUMNS = (
    "benchmark",
    "role",
    "variant",
    "scoring",
    "n",
    "base_accuracy",
    "base_ci_low",
    "base_ci_high",
    "baseline_source",
    "baseline",
    "baseline_ci_high",
    "informative",
)


def gate_table(evaluations: pd.DataFrame, min_accuracy: float) -> pd.DataFrame:
    """``evaluations``: table rows (``tables.eval_row``) of the base model and, if
    there is one, the oracle (checkpoint ``oracle``)."""
    base = evaluations[evaluations.checkpoint == "base"]
    oracle = evaluations[evaluations.checkpoint == "oracle"].set_index(list(KEY))
    rows = []
    for row in base.itertuples():
        if row.role == "forget" and (row.benchmark, row.variant, row.scoring) in oracle.index:
            known = oracle.loc[(row.benchmark, row.variant, row.scoring)]
            source, baseline = "oracle", known.accuracy
            baseline_high = wilson_interval(known.accuracy, known.n_effective)[1]
        else:
            source, baseline, baseline_high = "chance", row.baseline, row.baseline
        low, high = wilson_interval(row.accuracy, row.n_effective)
        rows.append(
            {
                "benchmark": row.benchmark,
                "role": row.role,
                "variant": row.variant,
                "scoring": row.scoring,
                "n": row.n,
                "base_accuracy": row.accuracy,
                "base_ci_low": low,
                "base_ci_high": high,
                "baseline_source": source,
                "baseline": baseline,
                "baseline_ci_high": baseline_high,
                "informative": bool(low >= min_accuracy and low > baseline_high),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(list(KEY))


# What the gate judges: one benchmark asked one way and scored one way.
KEY = ("benchmark", "variant", "scoring")


def informative(gate: pd.DataFrame) -> dict[tuple[str, str, str], bool]:
    """(benchmark, variant, scoring) -> whether the gate passed it."""
    return {key: bool(i) for key, i in zip(zip(*(gate[k] for k in KEY)), gate.informative)}
