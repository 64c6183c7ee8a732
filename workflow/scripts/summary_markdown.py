"""Rule summary_markdown: the key numbers of the study as Markdown, for the README.

Every accuracy carries its Wilson 95 % interval. Prompt attacks are read only in
variants the gate found informative; the others are shown, marked, and never
counted as an attack that failed.
"""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job


def cell(accuracy, low, high):
    return f"{accuracy:.2f} [{low:.2f}, {high:.2f}]"


def cells(table):
    return [cell(*row) for row in zip(table.accuracy, table.ci_low, table.ci_high)]


def order(checkpoints, references):
    return [*references, *sorted(set(checkpoints) - set(references))]


with job(snakemake):
    primary, references = snakemake.params.primary_format, snakemake.params.references
    gate = pd.read_csv(snakemake.input.gate)
    gate_view = gate.assign(
        base=[cell(*r) for r in zip(gate.base_accuracy, gate.base_ci_low, gate.base_ci_high)],
        baseline=[f"{b:.2f} ({s})" for b, s in zip(gate.baseline, gate.baseline_source)],
        informative=["yes" if i else "**no**" for i in gate.informative],
    )[["benchmark", "variant", "n", "base", "baseline", "informative"]]
    passed = gate[gate.informative]
    failed = gate[~gate.informative]

    summary = pd.read_csv(snakemake.input.summary)
    zero = summary[summary.variant == primary]
    zero_shot = zero.assign(
        cell=cells(zero), column=[f"{b} ({r})" for b, r in zip(zero.benchmark, zero.role)]
    ).pivot(index="checkpoint", columns="column", values="cell")

    attacks = pd.read_csv(snakemake.input.prompt_attacks)
    attack_tables = []
    for benchmark, rows in attacks.groupby("benchmark"):
        view = rows.assign(
            cell=cells(rows),
            column=[
                v if i else f"{v} (uninformative)" for v, i in zip(rows.variant, rows.informative)
            ],
        ).pivot(index="checkpoint", columns="column", values="cell")
        view.columns.name = "variant"
        columns = list(dict.fromkeys(rows.sort_values("informative", ascending=False).variant))
        columns = [c if c in view.columns else f"{c} (uninformative)" for c in columns]
        attack_tables += [
            f"**{benchmark}**",
            "",
            view.loc[order(view.index, references), columns].T.to_markdown(),
            "",
        ]

    # The strongest informative attack on each unlearned model, beside the references.
    on = attacks.set_index(["checkpoint", "benchmark", "variant"])
    tried = attacks[
        ~attacks.checkpoint.isin(references) & (attacks.variant != primary) & attacks.informative
    ]
    strongest = tried.loc[tried.groupby(["checkpoint", "benchmark"]).accuracy.idxmax()]
    prompt_rows = [
        {
            "checkpoint": row.checkpoint,
            "forget benchmark": row.benchmark,
            "zero-shot": cell(
                *on.loc[(row.checkpoint, row.benchmark, primary)][["accuracy", "ci_low", "ci_high"]]
            ),
            "strongest informative attack": row.variant,
            "its accuracy": cell(row.accuracy, row.ci_low, row.ci_high),
            "uplift": f"{row.uplift:.2f}x",
            **{
                f"{ref}, same attack": cell(
                    *on.loc[(ref, row.benchmark, row.variant)][["accuracy", "ci_low", "ci_high"]]
                )
                for ref in references
            },
        }
        for row in strongest.itertuples()
    ]

    relearning = pd.read_csv(snakemake.input.relearning)
    relearning = relearning[relearning.role == "forget"]
    last = relearning.relearn_steps.max()
    at = relearning.set_index(["parent", "relearn_corpus", "benchmark", "relearn_steps"])

    def after(parent, corpus, benchmark, steps):
        key = (parent, corpus, benchmark, steps)
        return cell(*at.loc[key][["accuracy", "ci_low", "ci_high"]]) if key in at.index else "-"

    relearn_rows = [
        {
            "checkpoint": parent,
            "forget benchmark": benchmark,
            "before": after(parent, "unrelated", benchmark, 0),
            f"after {last} steps, unrelated data": after(parent, "unrelated", benchmark, last),
            f"after {last} steps, forget slice (control)": after(parent, "forget", benchmark, last),
        }
        for parent in order(relearning.parent.unique(), references)
        for benchmark in sorted(relearning.benchmark.unique())
    ]
    relearn_gate = "; ".join(
        f"{b}: {'informative' if i else 'uninformative'}"
        for b, i in relearning.groupby("benchmark").informative.all().items()
    )
    text = "\n".join(
        [
            "Accuracies with Wilson 95 % intervals, zero-shot unless a variant says otherwise; "
            f"{primary} scoring is primary.",
            "",
            "**The gate**: can each benchmark variant show knowledge? The base model's "
            f"lower bound must reach {snakemake.params.min_accuracy} and clear the "
            "knowledge-free baseline (the oracle's upper bound on forget benchmarks, chance "
            "otherwise).",
            "",
            gate_view.to_markdown(index=False),
            "",
            f"Informative: {len(passed)} of {len(gate)} benchmark variants"
            + (
                "; not informative: "
                + ", ".join(f"{b} {v}" for b, v in zip(failed.benchmark, failed.variant))
                if len(failed)
                else ""
            )
            + ".",
            "",
            "**Zero-shot accuracy** of every checkpoint:",
            "",
            zero_shot.loc[order(zero_shot.index, references)].to_markdown(),
            "",
            "**Prompt attacks** on forget benchmarks, every checkpoint under every variant:",
            "",
            *attack_tables,
            "The strongest informative prompt attack on each unlearned checkpoint:",
            "",
            pd.DataFrame(prompt_rows).to_markdown(index=False) if prompt_rows else "(none)",
            "",
            "**Relearning attack** (fine-tuning on unrelated data) and its controls "
            f"({primary} scoring; {relearn_gate}):",
            "",
            pd.DataFrame(relearn_rows).to_markdown(index=False),
            "",
        ]
    )
    print(text)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
