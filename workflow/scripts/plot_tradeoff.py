"""Rule plot_tradeoff: forget accuracy vs capability accuracy, one point per checkpoint."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

with job(snakemake):
    table = pd.read_csv(snakemake.input[0])
    table = table[table.variant == snakemake.params.primary_format]
    general = table[table.benchmark == snakemake.params.general[0]].set_index("checkpoint")
    hazards = snakemake.params.hazards
    prefix = snakemake.params.label_prefix
    chance = table.chance.iloc[0]

    fig, axes = plt.subplots(1, len(hazards), figsize=(5.2 * len(hazards), 4.6), squeeze=False)
    for ax, hazard in zip(axes[0], hazards):
        forget = table[table.benchmark == hazard].set_index("checkpoint")
        for checkpoint in forget.index:
            x, y = forget.accuracy[checkpoint], general.accuracy[checkpoint]
            ax.errorbar(
                x,
                y,
                xerr=forget.stderr[checkpoint],
                yerr=general.stderr[checkpoint],
                fmt="*" if checkpoint == "base" else "o",
                markersize=14 if checkpoint == "base" else 9,
                capsize=3,
                label=checkpoint,
            )
        ax.axvline(chance, color="grey", linestyle=":", label=f"chance ({chance:.2f})")
        ax.axhline(chance, color="grey", linestyle=":")
        ax.set(
            xlim=(0, 1.05),
            ylim=(0, 1.05),
            xlabel=f"forget accuracy: {prefix}{hazard} (lower = more forgotten)",
            ylabel=f"capability accuracy: {prefix}{snakemake.params.general[0]}",
            title=f"toy {hazard} (a WMDP-{hazard} stand-in)" if prefix else hazard,
        )
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="lower right", fontsize=9)
    fig.suptitle(
        f"Unlearning trade-off ({snakemake.params.primary_format} scoring, "
        "zero-shot; bars: lm-eval stderr)\n"
        "good unlearning sits top-left: forget accuracy at chance, capability kept",
        fontsize=11,
    )
    fig.tight_layout()
    save_figure(fig, snakemake.output)
