"""Rule plot_relearning: forget accuracy against relearning steps, per method."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

# What each relearning run trains on (and, for retraining, what it is scored on).
CORPORA = {
    "unrelated": "unrelated data",
    "forget": "forget slice (control)",
    "retrain": "retrained on T, scored on V",
}
STYLES = {"unrelated": "-o", "forget": ":x", "retrain": "-.d"}
REFERENCE_STYLES = {"unrelated": "--s", "forget": ":v", "retrain": "-.^"}

with job(snakemake):
    scoring, tuning = snakemake.params.scoring, snakemake.params.tuning
    # The unrelated-data attack under the other tuning too (compare_tuning): dashed.
    for kind, other in snakemake.params.compared_tuning.items():
        CORPORA[kind] = f"unrelated data, {other} fine-tuning"
        STYLES[kind], REFERENCE_STYLES[kind] = "--P", "--p"
    table = pd.read_csv(snakemake.input[0])
    forget = table[(table.role == "forget") & (table.scoring == scoring)]
    hazards = list(dict.fromkeys(forget.benchmark))
    colors = dict(
        zip(snakemake.params.unlearned, plt.rcParams["axes.prop_cycle"].by_key()["color"])
    )

    fig, axes = plt.subplots(1, len(hazards), squeeze=False)
    for ax, hazard in zip(axes[0], hazards):
        rows = forget[forget.benchmark == hazard]
        benchmark_label, baseline = rows.label.iloc[0], rows.baseline.iloc[0]
        # The base model relearned the same way is the drift control; the oracle never
        # learnt the facts: its curves are what relearning gives a model with nothing hidden.
        curves = [(method, color, STYLES, method) for method, color in colors.items()]
        curves += [
            (parent, color, REFERENCE_STYLES, f"control: {parent}")
            for parent, color in (("base", "black"), ("oracle", "grey"))
        ]
        for parent, color, styles, name in curves:
            for corpus, style in styles.items():
                run = rows[(rows.parent == parent) & (rows.relearn_corpus == corpus)]
                if len(run):
                    run = run.sort_values("relearn_steps")
                    ax.plot(
                        run.relearn_steps,
                        run.accuracy,
                        style,
                        color=color,
                        markersize=4 if styles is REFERENCE_STYLES else 6,
                        label=f"{name}, {CORPORA[corpus]}",
                        alpha=1 if corpus.startswith("unrelated") else 0.6,
                    )
        # The entry's other seeds (config `seeds`), unlearned and relearned on their own
        # seeds: thin lines, unrelated data only, so the spread shows beside run 0.
        label = "other seeds, unrelated data"
        for method, color in colors.items():
            for replica in snakemake.params.replicas[method][1:]:
                run = rows[(rows.parent == replica) & (rows.relearn_corpus == "unrelated")]
                run = run.sort_values("relearn_steps")
                style = {"color": color, "lw": 0.8, "alpha": 0.5, "label": label}
                ax.plot(run.relearn_steps, run.accuracy, "-", **style)
                label = None  # one legend entry for them all
        base_run = rows[(rows.parent == "base") & (rows.relearn_corpus == "unrelated")]
        base_run = base_run.sort_values("relearn_steps")
        ax.axhline(
            base_run.accuracy.iloc[0],
            color="black",
            linewidth=0.8,
            label="base model before relearning",
        )
        ax.axhline(baseline, color="grey", linestyle=":", label=f"chance ({baseline:.2f})")
        ax.set(
            ylim=(0, 1.05),
            xlabel=f"relearning steps ({tuning} fine-tuning, unless marked)",
            ylabel=f"forget accuracy ({snakemake.params.primary_format})",
            title=benchmark_label
            + ("" if rows.informative.all() else " (uninformative: the base model fails the gate)"),
        )
        ax.grid(alpha=0.3)
    # Beside the plot: inside it, the legend hides the curves near the baseline. As many
    # columns as fit the panels' height (24 entries each), 3.5 inches each beside them.
    columns = math.ceil(len(axes[0, -1].get_legend_handles_labels()[1]) / 24)
    fig.set_size_inches(5.5 * len(hazards) + 3.5 * columns, 5.2)
    axes[0, -1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1), ncol=columns)
    fig.suptitle(
        "Does fine-tuning bring unlearned knowledge back? Unrelated data, a forget slice\n"
        f"stating no tested fact, and retraining on T scored on V ({scoring} scoring)",
        fontsize=11,
    )
    fig.tight_layout()
    save_figure(fig, snakemake.output)
