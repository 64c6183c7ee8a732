"""Rule plot_attacks: every checkpoint's forget accuracy under every attack family,
one panel per forget benchmark (unlearning_audit.tables.attack_families)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job
from unlearning_audit.plan import BUILT_ATTACKS
from unlearning_audit.tables import attack_families

with job(snakemake):
    tables = {name: pd.read_csv(path) for name, path in snakemake.input.items()}
    white_box = [tables[n] for n in (*BUILT_ATTACKS, "activations") if n in tables]
    families = attack_families(
        tables["summary"],
        tables["prompt_attacks"],
        tables["relearning"],
        snakemake.params.primary_format,
        snakemake.params.scoring,
        white_box,
    )
    checkpoints = [*snakemake.params.references, *snakemake.params.unlearned]
    order = list(dict.fromkeys(families.family))
    benchmarks = sorted(families.benchmark.unique())
    chance = tables["summary"].groupby("benchmark").baseline.first()
    styles = {"base": ("s", "black"), "oracle": ("D", "grey")}
    colours = plt.cm.tab10.colors
    fig, axes = plt.subplots(
        len(benchmarks), 1, figsize=(1.1 * len(order) + 3, 4.2 * len(benchmarks)), squeeze=False
    )
    x = np.arange(len(order))
    width = 0.8 / len(checkpoints)
    for ax, benchmark in zip(axes[:, 0], benchmarks):
        rows = families[families.benchmark == benchmark].set_index(["checkpoint", "family"])
        passed = rows.groupby("family").informative.all()
        for i, family in enumerate(order):
            if not passed.get(family, True):  # the gate failed it: no reading counts
                ax.axvspan(i - 0.45, i + 0.45, color="0.9", hatch="//", zorder=0)
        for j, checkpoint in enumerate(checkpoints):
            cells = rows.reindex([(checkpoint, f) for f in order])
            acc, low, high = (cells[c].to_numpy(float) for c in ("accuracy", "ci_low", "ci_high"))
            marker, colour = styles.get(checkpoint, ("o", colours[j % len(colours)]))
            ax.errorbar(
                x + (j - (len(checkpoints) - 1) / 2) * width,
                acc,
                yerr=np.clip([acc - low, high - acc], 0, None),
                fmt=marker,
                color=colour,
                capsize=2,
                label=checkpoint,
            )
        ax.axhline(chance[benchmark], color="0.4", linestyle=":", label="chance")
        ax.set(ylim=(-0.02, 1.05), ylabel="forget accuracy", title=benchmark)
        labels = [f if passed.get(f, True) else f"{f}\n(uninformative)" for f in order]
        ax.set_xticks(x, labels, rotation=25, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=8, ncol=len(checkpoints) + 1, loc="lower left")
    fig.suptitle(
        f"Every attack family ({snakemake.params.scoring} scoring where it applies; whiskers: "
        "Wilson 95 %;\nhatched: the gate found the attack uninformative; settings chosen on "
        "dev items or entities T)",
        fontsize=11,
    )
    fig.tight_layout()
    save_figure(fig, snakemake.output)
