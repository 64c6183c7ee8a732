"""Rule plot_audit_card: the audit card. Checkpoints by attack families, one panel per
forget benchmark, each cell coloured by recovery R with its interval written in,
cells not read hatched, each run's verdict beside its row
(unlearning_audit.audit)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from unlearning_audit.audit import (
    FAMILIES,
    NO_CAPABILITY,
    REFERENCE,
    UNINFORMATIVE,
    verdicts,
)
from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

with job(snakemake):
    cells = pd.read_csv(snakemake.input.audit)
    runs, scoring = snakemake.params.runs, snakemake.params.scoring
    decided = verdicts(cells, runs, scoring).set_index("run")
    # Each run's first seed is drawn; its verdict is over every seed.
    # The lens and the probe have a scoring of their own: shown whatever the scoring.
    shown = cells[(cells.scoring == scoring) | cells.attack.isin(["logit_lens", "probe"])]
    rows = [run for run in runs if run in set(shown.checkpoint)]
    families = [f for f, _, _ in FAMILIES if f in set(shown.family)]
    benchmarks = sorted(shown.benchmark.unique())
    fig, axes = plt.subplots(
        len(benchmarks),
        1,
        figsize=(1.05 * len(families) + 4.2, (0.55 * len(rows) + 1.9) * len(benchmarks) + 0.6),
        squeeze=False,
    )
    colours = plt.cm.RdYlBu_r
    for ax, benchmark in zip(axes[:, 0], benchmarks):
        at = shown[shown.benchmark == benchmark].set_index(["checkpoint", "family"])
        r = np.full((len(rows), len(families)), np.nan)
        for i, run in enumerate(rows):
            for j, family in enumerate(families):
                if (run, family) not in at.index:
                    continue
                cell = at.loc[(run, family)]
                # A cell not read is hatched, its R written but not coloured.
                hatch = {UNINFORMATIVE: "///", NO_CAPABILITY: "xx"}.get(cell.cell)
                r[i, j] = np.nan if hatch else cell.recovery
                if hatch:
                    ax.add_patch(
                        plt.Rectangle(
                            (j - 0.5, i - 0.5), 1, 1, fill=False, hatch=hatch, color="0.55", lw=0
                        )
                    )
                interval = (
                    ""
                    if np.isnan(cell.recovery_low)
                    else f"\n[{cell.recovery_low:.2f}, {cell.recovery_high:.2f}]"
                )
                text = "n/a" if np.isnan(cell.recovery) else f"{cell.recovery:.2f}{interval}"
                dark = not np.isnan(r[i, j]) and not 0.0 <= r[i, j] <= 0.9
                colour = "white" if dark else ("0.35" if np.isnan(r[i, j]) else "black")
                ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color=colour)
        ax.imshow(
            np.ma.masked_invalid(np.clip(r, -0.25, 1.25)),
            cmap=colours,
            vmin=-0.25,
            vmax=1.25,
            aspect="auto",
        )
        ax.set_xticks(range(len(families)), families, rotation=35, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=9)
        ax.set_xticks(np.arange(len(families) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", lw=1.5)
        ax.tick_params(which="minor", length=0)
        # The references above, the audited below.
        ax.axhline(sum(run in ("base", "oracle") for run in rows) - 0.5, color="black", lw=1.2)
        ax.set_title(f"{benchmark} (forget)")
    for ax in axes[:, 0]:
        for i, run in enumerate(rows):
            row = decided.loc[run]
            label = f"reference: {row.rule_reads}" if row.verdict == REFERENCE else row.verdict
            # "2/3" where the most common verdict is the one shown, else "2/3 hidden".
            count, common = row.seeds.split()
            seeds = count if common == row.rule_reads else row.seeds
            ax.text(
                len(families) - 0.3,
                i,
                f"{label}  {seeds}\ncapability {row.capability_kept:.3f}",
                va="center",
                fontsize=9,
                weight="normal" if row.verdict == REFERENCE else "bold",
            )
    fig.suptitle(
        f"Audit card: recovery R under each attack ({scoring} scoring; 0 = the knowledge-free "
        "baseline, 1 = the base model under the same attack)\nnot read, hatched: /// "
        "uninformative; xx like the oracle in a model that lost its capability under the "
        "scoring\nright: verdict over every benchmark, scoring and seed, seeds agreeing, and "
        "the capability kept (of the base model's)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.subplots_adjust(right=1 - 2.6 / fig.get_figwidth())
    save_figure(fig, snakemake.output)
