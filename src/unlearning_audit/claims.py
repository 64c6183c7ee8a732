"""The paper's three claims, each measured, with its interval, the rule that decides it
(config `claims`) and the verdict, per scoring (results/tables/claims.md).

(a) RMU keeps capability better than LLMU at similar or better forgetting.
(b) Prompting (k-shot, rephrasing) brings the forgotten knowledge back.
(c) Fine-tuning on unrelated data almost completely recovers it.

Every statistic is computed from the per-item results of the evaluation JSONs the
tables name (paired over items). A claim is read only where the gate found its
variant informative; elsewhere its verdict says so.
"""

from __future__ import annotations

import pandas as pd

from unlearning_audit.gate import KEY
from unlearning_audit.stats import mcnemar, paired_difference, recovery
from unlearning_audit.tables import (
    interval_text,
    item_correctness,
    item_weights,
    strongest_attacks,
)

# The tables the claims are read from (results/tables/<name>.csv).
TABLES = ("summary", "prompt_attacks", "relearning", "frontier")

# Every verdict a claim can get.
SUPPORTED = "**supported**"
NOT_SUPPORTED = "**not supported**"
INCONCLUSIVE = "inconclusive"
UNINFORMATIVE = "not testable (uninformative variant)"
NO_INTERVAL = "not testable (the base model does not beat the baseline, or too few resamples do)"
NOT_SIMILAR = "not testable (forgetting not similar or better)"


def verdict(low, high, threshold, informative=True):
    """Whether an interval lies above a threshold, below it, or straddles it (an
    interval that touches it, say [0, 0] against 0, is inconclusive)."""
    if not informative:
        return UNINFORMATIVE
    if pd.isna(low):
        return NO_INTERVAL
    if low > threshold:
        return SUPPORTED
    return NOT_SUPPORTED if high < threshold else INCONCLUSIVE


def correct_at(table, key):
    return item_correctness(table.loc[key, "source"])


def paired(first, second):
    """Two models' per-item correctness, aligned by item id."""
    return first, second[first.index]


def capability_claim(summary, frontier, runs, primary, rule):
    """(a): RMU's capability minus LLMU's, and their forget accuracies likewise, each
    method at its point of matched forget accuracy (frontier.csv: its best
    capability at or below the forget accuracy both reach). ``runs``: method -> its
    first run. Returns the section's Markdown lines."""
    rmu, llmu = runs.get("rmu"), runs.get("llmu")
    if not (rmu and llmu):
        return ["(a) needs an rmu and an llmu run in `unlearning`; this study has not both.", ""]
    rows = capability_rows(summary, frontier, rmu, llmu, primary, rule)
    return [
        f"**(a) {rmu} keeps capability better than {llmu} at similar or better "
        f"forgetting.** Each method at its point of matched forget accuracy (its "
        "best capability at or below the forget accuracy both reach; "
        "frontier.csv). Rule: the capability difference's interval lies above 0, "
        "while the forget-accuracy difference's upper end is at most "
        f"{rule['similar_forgetting']} (zero-shot, paired bootstrap over items).",
        "",
        pd.DataFrame(rows).to_markdown(index=False) if rows else "(no capability benchmark)",
        "",
    ]


def capability_rows(summary, frontier, rmu, llmu, primary, rule):
    """(a)'s rows: one per forget benchmark of the frontier table."""
    zero = summary[summary.variant == primary].set_index(["checkpoint", "benchmark"])
    rows = []
    for hazard, points in frontier[frontier.matched].groupby("forget_benchmark"):
        matched = points.set_index("run").checkpoint
        benchmark = points.capability_benchmark.iloc[0]
        pair = matched[rmu], matched[llmu]
        kept = paired(*(correct_at(zero, (name, benchmark)) for name in pair))
        forgot = paired(*(correct_at(zero, (name, hazard)) for name in pair))
        # Items weighted as the capability benchmark averages them (over subjects, or alike).
        weights = item_weights(zero.loc[(pair[0], benchmark), "source"])
        capability = paired_difference(*kept, weights[kept[0].index])
        forgetting = paired_difference(*forgot)
        similar = forgetting[2] <= rule["similar_forgetting"]
        informative = all(zero.informative[name, b] for name in pair for b in (benchmark, hazard))
        rows.append(
            {
                "capability benchmark": benchmark,
                "forget benchmark": hazard,
                "points compared": " vs ".join(pair),
                "matched forget accuracy": f"{points.matched_level.iloc[0]:.2f}",
                f"capability, {rmu} - {llmu}": interval_text(*capability),
                "McNemar p": f"{mcnemar(*kept):.3g}",
                f"forget accuracy, {rmu} - {llmu}": interval_text(*forgetting),
                "verdict": verdict(capability[1], capability[2], 0.0, informative)
                if similar or not informative
                else NOT_SIMILAR,
            }
        )
    return rows


def prompt_claim(attacks, unlearned, references, primary, threshold):
    """(b): the strongest prompt attack per unlearned model and benchmark, chosen
    on the dev items and reported on the test items. Returns its rows."""
    # The attacks: k-shot prompts and rephrased copies (not other prompt formats).
    attack = attacks.variant.str.endswith("shot") | attacks.variant.str.startswith("rephrase_")
    tried = attacks[attacks.checkpoint.isin(unlearned) & attack]
    on = attacks[attacks.split == "test"].set_index(["checkpoint", *KEY])
    rows = []
    for (checkpoint, benchmark, scoring), (variant, chosen_on) in strongest_attacks(tried).items():
        best = on.loc[(checkpoint, benchmark, variant, scoring)]
        r = (best.recovery, best.recovery_ci_low, best.recovery_ci_high)
        zero = on.loc[(checkpoint, benchmark, primary, scoring)]
        rows.append(
            {
                "checkpoint": checkpoint,
                "forget benchmark": benchmark,
                "strongest attack": variant,
                "chosen on": f"{chosen_on} items",
                "zero-shot": interval_text(zero.accuracy, zero.ci_low, zero.ci_high),
                "attacked": interval_text(best.accuracy, best.ci_low, best.ci_high),
                "McNemar p (vs zero-shot)": "-"
                if pd.isna(best.mcnemar_p)
                else f"{best.mcnemar_p:.3g}",
                "recovery R": interval_text(*r),
                "uplift": f"{best.uplift:.2f}x" if zero.accuracy else "- (zero-shot 0)",
                **{
                    f"{ref}, same attack": interval_text(
                        *on.loc[(ref, benchmark, variant, scoring)][
                            ["accuracy", "ci_low", "ci_high"]
                        ]
                    )
                    for ref in references
                },
                "verdict": verdict(r[1], r[2], threshold, bool(best.informative)),
            }
        )
    return rows


def relearning_claim(relearning, references, unlearned, threshold):
    """(c): recovery after the longest relearning on unrelated data. Returns that
    step count and the rows."""
    unrelated = relearning[
        (relearning.relearn_corpus == "unrelated") & (relearning.role == "forget")
    ]
    last = unrelated.relearn_steps.max()
    at = unrelated.set_index(["parent", "benchmark", "relearn_steps"])
    rows = []
    for checkpoint in unlearned:
        for benchmark in sorted(unrelated.benchmark.unique()):
            attacked = correct_at(at, (checkpoint, benchmark, last))
            base = correct_at(at, ("base", benchmark, 0))[attacked.index]
            # The knowledge-free baseline under the same attack: the oracle relearned
            # the same way; without an oracle, chance.
            if "oracle" in references:
                baseline = correct_at(at, ("oracle", benchmark, last))[attacked.index]
            else:
                baseline = at.loc[(checkpoint, benchmark, last), "baseline"]
            r = recovery(attacked, base, baseline)
            row = at.loc[(checkpoint, benchmark, last)]
            rows.append(
                {
                    "checkpoint": checkpoint,
                    "forget benchmark": benchmark,
                    "before": interval_text(
                        *at.loc[(checkpoint, benchmark, 0)][["accuracy", "ci_low", "ci_high"]]
                    ),
                    f"after {last} steps": interval_text(row.accuracy, row.ci_low, row.ci_high),
                    "base model before": interval_text(
                        *at.loc[("base", benchmark, 0)][["accuracy", "ci_low", "ci_high"]]
                    ),
                    "recovery R": interval_text(*r),
                    "verdict": verdict(r[1], r[2], threshold, bool(row.informative)),
                }
            )
    return last, rows


def claims_markdown(
    tables, *, scorings, primary_format, references, unlearned, methods, claims
) -> str:
    """claims.md from the tables (name -> DataFrame, TABLES). The rest are rule
    claims_markdown's params: ``methods``, method -> its first run; ``claims``, the
    config's rules."""
    primary, rule = primary_format, claims
    lines = [
        "The paper's three claims, measured on this study. Intervals are 95 % paired "
        "bootstrap intervals over items; recovery R = (attacked - b) / (base - b), b the "
        "knowledge-free baseline under the same attack (the oracle, or chance), base the "
        "base model. Verdicts follow the rules in the config's `claims`; a claim is read "
        "only in variants the gate found informative. Where every item agrees (say, 0 "
        "of 70 right for every model compared) the bootstrap interval is 0 wide; the "
        "accuracies' Wilson intervals are the honest bound there.",
        "",
    ]
    for scoring in scorings:
        summary, attacks, relearning, frontier = (
            tables[name][tables[name].scoring == scoring] for name in TABLES
        )
        lines += [f"#### {scoring.capitalize()} scoring", ""]
        lines += capability_claim(summary, frontier, methods, primary, rule)
        prompt_rows = prompt_claim(attacks, unlearned, references, primary, rule["prompt_recovery"])
        lines += [
            "**(b) Prompt attacks (k-shot, rephrasing) bring the knowledge back.** Rule: "
            f"recovery R's interval lies above {rule['prompt_recovery']} for the strongest "
            "attack, chosen by recovery on the dev items and reported on the test items "
            "(where a benchmark has no dev items of its own, chosen on the test items, "
            "which flatters it); below it, not supported.",
            "",
            pd.DataFrame(prompt_rows).to_markdown(index=False) if prompt_rows else "(none)",
            "",
        ]
        last, relearn_rows = relearning_claim(
            relearning, references, unlearned, rule["relearning_recovery"]
        )
        lines += [
            f"**(c) Fine-tuning on unrelated data ({last} steps) almost completely recovers "
            f"the knowledge.** Rule: recovery R's interval lies above "
            f"{rule['relearning_recovery']}, with base the base model before relearning and "
            + (
                "b the oracle relearned the same way."
                if "oracle" in references
                else "b chance (a hub base model has no oracle)."
            ),
            "",
            pd.DataFrame(relearn_rows).to_markdown(index=False) if relearn_rows else "(none)",
            "",
        ]
    return "\n".join(lines)
