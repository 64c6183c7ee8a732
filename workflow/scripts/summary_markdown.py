"""Rule summary_markdown: the key numbers of the study as Markdown, for the README."""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job


def fmt(accuracy):
    return f"{accuracy:.2f}"


def cell(accuracy, stderr):
    return f"{accuracy:.2f} ± {stderr:.2f}"


with job(snakemake):
    primary = snakemake.params.primary_format
    summary = pd.read_csv(snakemake.input.summary)
    summary = summary[summary.variant == primary]
    zero_shot = summary.assign(
        cell=[cell(a, s) for a, s in zip(summary.accuracy, summary.stderr)],
        column=[f"{b} ({r})" for b, r in zip(summary.benchmark, summary.role)],
    ).pivot(index="checkpoint", columns="column", values="cell")
    order = ["base"] + [c for c in zero_shot.index if c != "base"]
    n = ", ".join(f"{b}: {k}" for b, k in summary.groupby("benchmark").n.first().items())
    baseline = ", ".join(
        f"{b}: {k:.2f}" for b, k in summary.groupby("benchmark").baseline.first().items()
    )

    attacks = pd.read_csv(snakemake.input.prompt_attacks)
    on_base = attacks[attacks.checkpoint == "base"].set_index(["benchmark", "variant"]).accuracy
    attacks = attacks[(attacks.checkpoint != "base") & (attacks.variant != primary)]
    best = attacks.loc[attacks.groupby(["checkpoint", "benchmark"]).accuracy.idxmax()]
    prompt_rows = [
        {
            "checkpoint": row.checkpoint,
            "forget benchmark": row.benchmark,
            "zero-shot": f"{row.zero_shot_accuracy:.2f}",
            "strongest prompt attack": row.variant,
            "its accuracy": cell(row.accuracy, row.stderr),
            "uplift (ratio)": f"{row.uplift:.2f}x",
            "base model, same attack": fmt(on_base[row.benchmark, row.variant]),
        }
        for row in best.itertuples()
    ]

    relearning = pd.read_csv(snakemake.input.relearning)
    relearning = relearning[relearning.role == "forget"]
    last = relearning.relearn_steps.max()
    at = relearning.set_index(["parent", "relearn_corpus", "benchmark", "relearn_steps"]).accuracy
    relearn_rows = [
        {
            "checkpoint": method,
            "forget benchmark": benchmark,
            "before": fmt(at[method, "unrelated", benchmark, 0]),
            f"after {last} steps on unrelated data": fmt(at[method, "unrelated", benchmark, last]),
            f"control: after {last} steps on forget data": fmt(
                at[method, "forget", benchmark, last]
            ),
            f"control: base after {last} steps, unrelated": fmt(
                at["base", "unrelated", benchmark, last]
            ),
        }
        for method, benchmark in sorted(
            {(m, b) for m, b in zip(relearning.parent, relearning.benchmark) if m != "base"}
        )
    ]
    text = "\n".join(
        [
            f"Zero-shot accuracy ± lm-eval stderr, {primary} scoring; knowledge-free "
            f"baseline {baseline}; test items per benchmark: {n}.",
            "",
            zero_shot.loc[order].to_markdown(),
            "",
            "Prompt attacks (k-shot and rephrased benchmarks): the strongest per checkpoint.",
            "",
            pd.DataFrame(prompt_rows).to_markdown(index=False),
            "",
            "Relearning attack (fine-tuning on unrelated data) and its controls.",
            "",
            pd.DataFrame(relearn_rows).to_markdown(index=False),
            "",
        ]
    )
    print(text)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
