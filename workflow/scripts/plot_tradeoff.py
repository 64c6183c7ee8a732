"""Rule plot_tradeoff: forget accuracy vs capability accuracy: each unlearning
run's frontier (its sweep's points, joined in the order of the knob), the base
model and the oracle."""

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

# The references: the base model, and the oracle (never learnt the forget facts).
MARKERS = {"base": "*", "oracle": "P"}


def point(ax, x, y, xerr, yerr, **style):
    ax.errorbar(
        x,
        y,
        # Clipped: an accuracy of 1 can sit a rounding error above its bound.
        xerr=np.clip([[x - xerr[0]], [xerr[1] - x]], 0, None),
        yerr=np.clip([[y - yerr[0]], [yerr[1] - y]], 0, None),
        capsize=3,
        **style,
    )


with job(snakemake):
    scoring = snakemake.params.scoring
    summary = pd.read_csv(snakemake.input.summary)
    summary = summary[
        (summary.variant == snakemake.params.primary_format) & (summary.scoring == scoring)
    ]
    frontier = pd.read_csv(snakemake.input.frontier)
    frontier = frontier[frontier.scoring == scoring]
    capability = summary[summary.benchmark == frontier.capability_benchmark.iloc[0]]
    capability = capability.set_index("checkpoint")
    hazards = list(dict.fromkeys(frontier.forget_benchmark))
    labels = summary.groupby("benchmark").label.first()
    baselines = summary.groupby("benchmark").baseline.first()

    fig, axes = plt.subplots(1, len(hazards), figsize=(5.6 * len(hazards), 5), squeeze=False)
    for ax, hazard in zip(axes[0], hazards):
        forget = summary[summary.benchmark == hazard].set_index("checkpoint")
        for reference, marker in MARKERS.items():
            if reference in forget.index:
                f, c = forget.loc[reference], capability.loc[reference]
                point(
                    ax,
                    f.accuracy,
                    c.accuracy,
                    (f.ci_low, f.ci_high),
                    (c.ci_low, c.ci_high),
                    fmt=marker,
                    markersize=14,
                    color="black" if reference == "base" else "grey",
                    label=reference,
                )
        rows = frontier[frontier.forget_benchmark == hazard]
        for run, points in rows.groupby("run", sort=False):
            line = ax.plot(points.forget_accuracy, points.capability_accuracy, "-", alpha=0.6)[0]
            for p in points.itertuples():
                point(
                    ax,
                    p.forget_accuracy,
                    p.capability_accuracy,
                    (p.forget_ci_low, p.forget_ci_high),
                    (p.capability_ci_low, p.capability_ci_high),
                    fmt="o" if p.checkpoint == run else "s",
                    markersize=8,
                    color=line.get_color(),
                    alpha=0.9,
                )
            knob = points.knob.iloc[0]
            sweep = (
                f" ({knob} {points.value.min():g}-{points.value.max():g})"
                if len(points) > 1
                else ""
            )
            line.set_label(f"{run}{sweep}")
        ax.axvline(
            baselines[hazard],
            color="grey",
            linestyle=":",
            label=f"chance ({baselines[hazard]:.2f})",
        )
        ax.axvline(
            rows.matched_level.iloc[0],
            color="tab:red",
            linestyle="--",
            alpha=0.5,
            label=f"matched forget accuracy ({rows.matched_level.iloc[0]:.2f})",
        )
        ax.axhline(capability.baseline.iloc[0], color="grey", linestyle=":")
        ax.set(
            xlim=(0, 1.05),
            ylim=(0, 1.05),
            xlabel=f"forget accuracy: {labels[hazard]} (lower = more forgotten)",
            ylabel=f"capability accuracy: {capability.label.iloc[0]}",
            title=labels[hazard],
        )
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="lower right", fontsize=8)
    fig.suptitle(
        f"Unlearning trade-off ({snakemake.params.primary_format} prompt, zero-shot, "
        f"{scoring} scoring)\nbars: Wilson 95 %; circles: each run's own point, "
        "squares: its sweep\ngood unlearning sits top-left: forget accuracy at "
        "the oracle's, capability kept",
        fontsize=10,
    )
    fig.tight_layout()
    save_figure(fig, snakemake.output)
