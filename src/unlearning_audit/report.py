"""The key numbers of a study as Markdown (results/tables/summary.md, for the README).

Every accuracy carries its Wilson 95 % interval; one section per scoring (the
claims, with recovery and its intervals, are unlearning_audit.claims'). Prompt
attacks are read only in variants the gate found informative; the others are shown,
marked, and never counted as an attack that failed.
"""

from __future__ import annotations

import pandas as pd

from unlearning_audit.plan import BUILT_ATTACKS
from unlearning_audit.tables import interval_text

# The tables every summary reads (results/tables/<name>.csv); perplexity.csv too where
# the study scores perplexity.
TABLES = ("summary", "prompt_attacks", "relearning", "frontier", "seeds")


def cells(table):
    """Accuracy cells; under generation with the share of questions answered with an option."""
    return [
        interval_text(a, lo, hi) + ("" if s != "generate" else f", {answered:.0%} answered")
        for a, lo, hi, s, answered in zip(
            table.accuracy, table.ci_low, table.ci_high, table.scoring, table.answered
        )
    ]


def accuracy_at(table, key):
    return cells(table.loc[[key]])[0]


def order(checkpoints, references):
    return [*references, *sorted(set(checkpoints) - set(references))]


def gate_section(gate):
    view = gate.assign(
        base=[
            interval_text(*r) for r in zip(gate.base_accuracy, gate.base_ci_low, gate.base_ci_high)
        ],
        baseline=[
            f"{b:.2f}, upper {h:.2f} ({s})"
            for b, h, s in zip(gate.baseline, gate.baseline_ci_high, gate.baseline_source)
        ],
        gap=[f"{g:.2f}" for g in gate.gap],
        informative=["yes" if i else "**no**" for i in gate.informative],
    )[["benchmark", "variant", "scoring", "n", "base", "baseline", "gap", "informative"]]
    failed = gate[~gate.informative]
    verdict = f"Informative: {int(gate.informative.sum())} of {len(gate)} benchmark variants"
    if len(failed):
        verdict += "; not informative: " + ", ".join(
            f"{b} {v} ({s})" for b, v, s in zip(failed.benchmark, failed.variant, failed.scoring)
        )
    return [view.to_markdown(index=False), "", verdict + ".", ""]


def frontier_section(frontier):
    """Each run's frontier points, and its capability at matched forget accuracy."""
    lines = []
    for benchmark, rows in frontier.groupby("forget_benchmark"):
        view = pd.DataFrame(
            {
                "run": rows.run,
                "point": [
                    "(as configured)" if c == r else f"{k} = {v:g}"
                    for c, r, k, v in zip(rows.checkpoint, rows.run, rows.knob, rows.value)
                ],
                f"forget: {benchmark}": [
                    interval_text(*r)
                    for r in zip(rows.forget_accuracy, rows.forget_ci_low, rows.forget_ci_high)
                ],
                f"capability: {rows.capability_benchmark.iloc[0]}": [
                    interval_text(*r)
                    for r in zip(
                        rows.capability_accuracy, rows.capability_ci_low, rows.capability_ci_high
                    )
                ],
                "capability kept": [f"{k:.2f}" for k in rows.capability_kept],
                "selective": [
                    "-" if pd.isna(x) else "**yes**" if x else "no" for x in rows.selective
                ],
                "matched": ["**yes**" if m else "" for m in rows.matched],
            }
        )
        selective = rows[rows.selective.fillna(False).astype(bool)]
        gate = "" if rows.forget_informative.all() else " (forget variant uninformative)"
        lines += [
            f"**{benchmark}**{gate}: matched forget accuracy {rows.matched_level.iloc[0]:.2f} "
            "(the highest of the compared runs' lowest); `matched` marks each one's best "
            "capability at or below it. `selective`: capability at least "
            "`selectivity.capability_kept` of the base model's and forget accuracy inside "
            "the oracle's interval.",
            "",
            view.to_markdown(index=False),
            "",
            "Selective points: "
            + (
                ", ".join(selective.checkpoint)
                if len(selective)
                else "none"
                if rows.selective.notna().any()
                else "not judged (no oracle)"
            )
            + ".",
            "",
        ]
    return lines


def spread_text(row) -> str:
    if row.n_seeds < 2:
        return f"{row['mean']:.2f} (1 seed)"
    return f"{row['mean']:.2f} ± {row['std']:.2f} [{row['min']:.2f}, {row['max']:.2f}]"


def seeds_section(seeds, primary):
    """Each run's zero-shot accuracies and its accuracy after the longest relearning,
    as mean ± standard deviation [range] over its seed replicas (seeds.csv)."""
    zero = seeds[(seeds.statistic == "accuracy") & (seeds.variant == primary)]
    relearned = seeds[seeds.statistic == "accuracy after relearning"]
    last = relearned[relearned.relearn_steps == relearned.relearn_steps.max()]
    columns = [
        zero.assign(column=zero.benchmark + " zero-shot"),
        *(
            last[last.relearn_corpus == corpus].assign(
                column=last.benchmark + f" after {label} (" + last.scored_items + " items)"
            )
            for corpus, label in (("unrelated", "unrelated data"), ("retrain", "retraining on T"))
        ),
    ]
    cells = pd.concat(columns).assign(cell=lambda t: [spread_text(r) for _, r in t.iterrows()])
    view = cells.pivot(index="run", columns="column", values="cell")
    n = int(seeds.n_seeds.max())
    return [
        f"**Over seeds** ({n} runs of each unlearning entry, and of the base model and "
        "the oracle where the study trains them per seed, each attacked by relearning "
        "with its own seed; mean ± standard deviation [range], results/tables/seeds.csv):",
        "",
        view.to_markdown(),
        "",
    ]


def scoring_section(
    scoring,
    summary,
    prompt_attacks,
    relearning,
    frontier,
    seeds,
    primary,
    references,
    compared_tuning,
):
    summary, attacks, relearning, frontier, seeds = (
        t[t.scoring == scoring] for t in (summary, prompt_attacks, relearning, frontier, seeds)
    )
    zero = summary[summary.variant == primary]
    zero_shot = zero.assign(
        cell=cells(zero), column=[f"{b} ({r})" for b, r in zip(zero.benchmark, zero.role)]
    ).pivot(index="checkpoint", columns="column", values="cell")

    attack_tables = []
    for benchmark, rows in attacks.groupby("benchmark"):
        view = rows.assign(
            cell=cells(rows),
            column=[
                v if i else f"{v} (uninformative)" for v, i in zip(rows.variant, rows.informative)
            ],
        ).pivot(index="checkpoint", columns="column", values="cell")
        view.columns.name = "variant"
        columns = list(
            dict.fromkeys(rows.sort_values("informative", ascending=False, kind="stable").variant)
        )
        columns = [c if c in view.columns else f"{c} (uninformative)" for c in columns]
        attack_tables += [
            f"**{benchmark}**",
            "",
            view.loc[order(view.index, references), columns].T.to_markdown(),
            "",
        ]

    relearning = relearning[relearning.role == "forget"]
    last = relearning.relearn_steps.max()
    retrained = (relearning.relearn_corpus == "retrain").any()
    at = relearning.set_index(["parent", "relearn_corpus", "benchmark", "relearn_steps"])

    def after(parent, corpus, benchmark, steps):
        key = (parent, corpus, benchmark, steps)
        return accuracy_at(at, key) if key in at.index else "-"

    relearn_rows = [
        {
            "checkpoint": parent,
            "forget benchmark": benchmark,
            "before": after(parent, "unrelated", benchmark, 0),
            f"after {last} steps, unrelated data": after(parent, "unrelated", benchmark, last),
            f"after {last} steps, forget slice (control)": after(parent, "forget", benchmark, last),
        }
        | {
            f"after {last} steps, unrelated data, {tuning} fine-tuning": after(
                parent, kind, benchmark, last
            )
            for kind, tuning in compared_tuning.items()
        }
        | (
            {
                "V before": after(parent, "retrain", benchmark, 0),
                f"V after {last} steps retraining on T": after(parent, "retrain", benchmark, last),
            }
            if retrained
            else {}
        )
        for parent in order(relearning.parent.unique(), references)
        for benchmark in sorted(relearning.benchmark.unique())
    ]
    relearn_gate = "; ".join(
        f"{b}: {'informative' if i else 'uninformative'}"
        for b, i in relearning.groupby("benchmark").informative.all().items()
    )
    return [
        f"#### {scoring.capitalize()} scoring",
        "",
        "**Zero-shot accuracy** of every checkpoint:",
        "",
        zero_shot.loc[order(zero_shot.index, references)].to_markdown(),
        "",
        "**Trade-off frontiers** (zero-shot; each run's sweep, results/tables/frontier.csv):",
        "",
        *frontier_section(frontier),
        "**Prompt attacks** on forget benchmarks, every checkpoint under every variant:",
        "",
        *attack_tables,
        "(Recovery under every informative attack, with intervals widened for how many "
        "were tried, and the verdict, are in claims.md.)",
        "",
        f"**Relearning attack** (fine-tuning on unrelated data) and its controls ({relearn_gate})"
        + (
            "; retraining on T, texts about half the tested entities, scored on the "
            "other half, V (Deeb & Roger 2024):"
            if retrained
            else ":"
        ),
        "",
        pd.DataFrame(relearn_rows).to_markdown(index=False),
        "",
        *(seeds_section(seeds, primary) if (seeds.n_seeds > 1).any() else []),
    ]


def attack_cell(row) -> str:
    """An attack table's row: accuracy, and R where the gate passed the attack."""
    text = interval_text(row.accuracy, row.ci_low, row.ci_high)
    if not row.informative:
        return text + " (uninformative)"
    if pd.isna(row.recovery):
        return text
    interval = (
        "" if pd.isna(row.recovery_low) else f" [{row.recovery_low:.2f}, {row.recovery_high:.2f}]"
    )
    return text + f", R {row.recovery:.2f}{interval}"


def section(caption: str, view) -> list[str]:
    return [caption, "", view.to_markdown(), ""]


# What each attack that builds models is, for its section of summary.md.
BUILT_CAPTIONS = {
    "quantization": "**Quantization** (weight-only, round-to-nearest in groups; R against the "
    "base model and the oracle quantized alike; the share of the decoder blocks' weights "
    "that differ from the base model's, and that fall in another bucket quantized):",
    "ablation": "**Direction ablation** on entities V (projected out of the residual stream "
    "after every block from the first the model changed: the mean difference from the base "
    "model on the prompts of entities T, a random direction as control, RMU's steering "
    "directions; R against the base model and the oracle ablated alike):",
    "few_example": "**Few-example fine-tuning** (each count of examples from the parent "
    "afresh, every step on all of them: unrelated text, the attack, and the forget slice, "
    "its control; R against the base model and the oracle fine-tuned alike):",
    "soft_prompt": "**Soft prompt** on entities V (trainable embeddings before every prompt, "
    "fitted with the model frozen to the answers of entities T; R against the base model "
    "and the oracle prompted alike: the oracle's row is the attack's false positive):",
}


def first_seeds(table, repeats, name=None):
    """The rows of a table whose checkpoint (relearning.csv: whose parent) is no seed
    replica beyond the first."""
    column = "parent" if name == "relearning" else "checkpoint"
    return table[~table[column].isin(repeats)]


def white_box_section(references, built=(), activations=None):
    """The attacks that build models from a checkpoint (``built``: attack -> its table:
    quantization, direction ablation, few-example fine-tuning, soft prompts) and read it layer by
    layer (activations.csv, at the layer chosen on entities T), on the forget
    benchmarks, beside the base model (R = 1) and the oracle."""
    lines = []
    for attack, table in dict(built).items():
        rows = table[table.role == "forget"].assign(
            cell=lambda t: [attack_cell(r) for r in t.itertuples()],
            column=lambda t: t.setting + " " + t.benchmark + " (" + t.scoring + ")",
        )
        view = rows.pivot(index="checkpoint", columns="column", values="cell")
        if attack == "quantization":
            survived = table.drop_duplicates(["checkpoint", "setting"]).pivot(
                index="checkpoint", columns="setting", values="quantized_weights_changed"
            )
            view = view.join(
                survived.map(lambda v: f"{v:.1%}").add_prefix("block weights in another bucket, ")
            ).join(
                table.drop_duplicates("checkpoint")
                .set_index("checkpoint")
                .weights_changed.map(lambda v: f"{v:.1%}")
                .rename("block weights changed")
            )
        lines += section(BUILT_CAPTIONS[attack], view.loc[order(view.index, references)].T)
    if activations is not None:
        rows = activations[(activations.role == "forget") & activations.selected].assign(
            cell=lambda t: [f"layer {r.layer}: {attack_cell(r)}" for r in t.itertuples()],
            column=lambda t: t.attack.str.replace("_", " ") + ", " + t.benchmark,
        )
        view = rows.pivot(index="checkpoint", columns="column", values="cell")
        lines += section(
            "**Activations** on entities V, at the layer chosen on entities T (the logit "
            "lens: each layer decoded as the model decodes its last; a linear probe fitted "
            "on T; all layers in results/tables/activations.csv):",
            view.loc[order(view.index, references)].T,
        )
    return lines


def perplexity_section(perplexity, references):
    """Each scored checkpoint's word perplexity on held-out unrelated text, and its
    ratio to the base model's (perplexity.csv)."""
    rows = perplexity.set_index("checkpoint")
    rows = rows.loc[order(rows.index, references)]
    view = pd.DataFrame(
        {
            "word perplexity": [
                interval_text(*r) for r in zip(rows.word_perplexity, rows.ci_low, rows.ci_high)
            ],
            "vs base": [
                interval_text(*r) for r in zip(rows.vs_base, rows.vs_base_low, rows.vs_base_high)
            ],
            "bits per byte": [f"{b:.3f}" for b in rows.bits_per_byte],
        },
        index=rows.index,
    )
    corpus, documents = rows.corpus.iloc[0], rows.documents.iloc[0]
    return [
        f"**Perplexity** on {documents} held-out documents of {corpus} (lm-eval's rolling "
        "log-likelihood; 95 % intervals resample documents, `vs base` paired):",
        "",
        view.to_markdown(),
        "",
    ]


def summary_markdown(
    gate,
    tables,
    perplexity=None,
    *,
    scorings,
    primary_format,
    references,
    replicas,
    min_gap,
    compared_tuning,
) -> str:
    """summary.md from the gate table, the tables (name -> DataFrame, TABLES) and,
    where the study scores it, the perplexity table. The rest are rule
    summary_markdown's params."""
    primary = primary_format
    # The runs as configured; their other seeds appear only as spread (seeds_section).
    repeats = [c for names in replicas.values() for c in names[1:]]
    tables = {
        name: table if name == "seeds" else first_seeds(table, repeats, name)
        for name, table in dict(tables).items()
    }
    perplexity = None if perplexity is None else first_seeds(perplexity, repeats)
    # The white-box attacks' tables, where the study runs them.
    built = {attack: tables.pop(attack) for attack in BUILT_ATTACKS if attack in tables}
    activations = tables.pop("activations", None)
    # Test items only; dev rows of prompt attacks are where claims.md chooses attacks.
    attacks = tables["prompt_attacks"]
    tables["prompt_attacks"] = attacks[attacks.split == "test"]
    return "\n".join(
        [
            "Accuracies with Wilson 95 % intervals (items that share an entity count as "
            "fewer: n over the design effect), zero-shot unless a variant says otherwise, "
            f"in the {primary} prompt format; one section per scoring ({', '.join(scorings)}). "
            "Under generation, an answer that is none of the options counts as wrong "
            "and unanswered."
            + (
                " A benchmark averaged over subjects weighs its questions so, and its "
                "interval counts their effective number (Kish)."
                if "n_effective" in tables["summary"]
                and (tables["summary"].n_effective < tables["summary"].n).any()
                else ""
            ),
            "",
            "**The gate**: can each benchmark variant show knowledge? The base model's "
            f"lower bound must lie at least {min_gap} above the upper bound of the "
            "knowledge-free baseline (the higher of chance among the options and, on forget "
            "benchmarks, the oracle).",
            "",
            *gate_section(gate),
            *(perplexity_section(perplexity, references) if perplexity is not None else []),
            *white_box_section(references, built, activations),
            *(
                line
                for scoring in scorings
                for line in scoring_section(
                    scoring,
                    **tables,
                    primary=primary,
                    references=references,
                    compared_tuning=compared_tuning,
                )
            ),
        ]
    )
