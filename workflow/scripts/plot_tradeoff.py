"""Rule plot_tradeoff: forget accuracy vs capability accuracy, one point per checkpoint."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

# The references: the base model, and the oracle (never learnt the forget facts).
MARKERS = {"base": "*", "oracle": "P"}

with job(snakemake):
    table = pd.read_csv(snakemake.input[0])
    scoring = snakemake.params.scoring
    table = table[(table.variant == snakemake.params.primary_format) & (table.scoring == scoring)]
    # Capability on the y axis: the first capability benchmark.
    capability = table[table.role == "capability"]
    general = capability[capability.benchmark == capability.benchmark.iloc[0]]
    general = general.set_index("checkpoint")
    hazards = list(dict.fromkeys(table[table.role == "forget"].benchmark))
    labels = table.groupby("benchmark").label.first()
    baselines = table.groupby("benchmark").baseline.first()

    fig, axes = plt.subplots(1, len(hazards), figsize=(5.2 * len(hazards), 4.6), squeeze=False)
    for ax, hazard in zip(axes[0], hazards):
        forget = table[table.benchmark == hazard].set_index("checkpoint")
        for checkpoint in forget.index:
            x, y = forget.accuracy[checkpoint], general.accuracy[checkpoint]
            ax.errorbar(
                x,
                y,
                xerr=[[x - forget.ci_low[checkpoint]], [forget.ci_high[checkpoint] - x]],
                yerr=[[y - general.ci_low[checkpoint]], [general.ci_high[checkpoint] - y]],
                fmt=MARKERS.get(checkpoint, "o"),
                markersize=14 if checkpoint in MARKERS else 9,
                capsize=3,
                label=checkpoint,
            )
        ax.axvline(
            baselines[hazard],
            color="grey",
            linestyle=":",
            label=f"chance ({baselines[hazard]:.2f}); the oracle: knowledge-free",
        )
        ax.axhline(general.baseline.iloc[0], color="grey", linestyle=":")
        ax.set(
            xlim=(0, 1.05),
            ylim=(0, 1.05),
            xlabel=f"forget accuracy: {labels[hazard]} (lower = more forgotten)",
            ylabel=f"capability accuracy: {general.label.iloc[0]}",
            title=labels[hazard],
        )
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="lower right", fontsize=9)
    fig.suptitle(
        f"Unlearning trade-off ({snakemake.params.primary_format} prompt, zero-shot,\n"
        f"{scoring} scoring; bars: Wilson 95 %)\n"
        "good unlearning sits top-left, where the oracle is:\n"
        "forget accuracy at the oracle's level, capability kept",
        fontsize=11,
    )
    fig.tight_layout()
    save_figure(fig, snakemake.output)
