"""The gate: can the instrument see knowledge in a prompt variant at all?

A variant (benchmark x prompt variant x scoring) is *informative* when the base model,
which knows the facts, is measurably above what a model without the knowledge scores
in it: the lower end of the base model's 95 % interval lies at least ``min_gap`` above
the upper end of the knowledge-free baseline's.

The knowledge-free baseline is the higher of two floors, in every scoring:

* chance among the options (a model that knows the answer format but no fact
  guesses; under generation it writes a random option, so restoring the format is
  not read as knowledge);
* on a forget benchmark, the oracle's accuracy in the same variant (trained without
  the forget corpora, it knows none of those facts, so it scores what the prompt
  alone gives away). The oracle knows a capability benchmark's facts: there the
  baseline is chance alone.

Why a gap and not a level: what recovery R = (attacked - b) / (base - b) can resolve
depends on base - b. An accuracy's 95 % half-width at the study's size is h (about
0.12 at n = 70 near 0.5), so R's half-width is about h / (base - b); a rule that
reads R against 0.5 needs that below 0.5, so base - b of at least 2h, about 0.25
(config `gate.min_gap`). An unlearned model near its baseline under an uninformative
variant says nothing: the instrument could not have seen a success.
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
    "gap",
    "informative",
)

# What the gate judges: one benchmark asked one way and scored one way.
KEY = ("benchmark", "variant", "scoring")


def knowledge_free_baseline(chance, oracle=None, oracle_n=None):
    """The baseline, its upper bound and its source: the higher of chance and the
    oracle's accuracy (of ``oracle_n`` effective items; None: no oracle here)."""
    if oracle is None:
        return chance, chance, "chance"
    high = max(chance, wilson_interval(oracle, oracle_n)[1])
    return (oracle, high, "oracle") if oracle > chance else (chance, high, "chance")


def gate_table(evaluations: pd.DataFrame, min_gap: float) -> pd.DataFrame:
    """``evaluations``: table rows (``tables.eval_row``) of the base model and, if
    there is one, the oracle (checkpoint ``oracle``)."""
    base = evaluations[evaluations.checkpoint == "base"]
    oracle = evaluations[evaluations.checkpoint == "oracle"].set_index(list(KEY))
    rows = []
    for row in base.itertuples():
        key = (row.benchmark, row.variant, row.scoring)
        known = oracle.loc[key] if row.role == "forget" and key in oracle.index else None
        baseline, baseline_high, source = knowledge_free_baseline(
            row.baseline,
            None if known is None else known.accuracy,
            None if known is None else known.n_effective,
        )
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
                "gap": low - baseline_high,
                "informative": bool(low - baseline_high >= min_gap),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(list(KEY))


def informative(gate: pd.DataFrame) -> dict[tuple[str, str, str], bool]:
    """(benchmark, variant, scoring) -> whether the gate passed it."""
    return {key: bool(i) for key, i in zip(zip(*(gate[k] for k in KEY)), gate.informative)}
