"""Rule plot_prompt_attacks: forget accuracy under each prompt attack, per method."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from unlearning_audit.io import save_figure
from unlearning_audit.jobs import job

with job(snakemake):
    scoring = snakemake.params.scoring
    table = pd.read_csv(snakemake.input[0])
    table = table[table.split == "test"]  # the test items, as claims.md reads them
    table = table[table.scoring == scoring]
    # The references first: what each prompt form lets the base model show, and what
    # a model that never learnt the facts (the oracle) scores in it.
    methods = [*snakemake.params.references, *snakemake.params.unlearned]
    benchmarks = sorted(table.benchmark.unique())
    variants = list(dict.fromkeys(table.variant))  # table order: formats, k-shot, rephrase
    variants.sort(key=lambda v: (v != snakemake.params.primary_format, "shot" not in v, v))
    labels = table.groupby("benchmark").label.first()
    baselines = table.groupby("benchmark").baseline.first()
    base = table[(table.checkpoint == "base") & (table.variant == snakemake.params.primary_format)]

    passed = table.groupby(["variant", "benchmark"]).informative.all()

    def tick(variant):
        """A variant's name, and the benchmarks whose gate it failed (a variant a
        benchmark is not asked in, a rephrasing supplied for others only, has no bar)."""
        failed = [labels[b] for b in benchmarks if not passed.get((variant, b), True)]
        return f"{variant}\n(uninformative: {', '.join(failed)})" if failed else variant

    fig, axes = plt.subplots(
        len(methods),
        1,
        figsize=(1.0 * len(variants) + 3, 3.0 * len(methods)),
        squeeze=False,
        layout="constrained",  # leaves the three-line title its room, as tight_layout did not
    )
    width = 0.8 / len(benchmarks)
    x = np.arange(len(variants))
    for ax, method in zip(axes[:, 0], methods):
        rows = table[table.checkpoint == method].set_index(["benchmark", "variant"])
        for i, benchmark in enumerate(benchmarks):
            # Every variant, NaN (no bar) where this benchmark is not asked in it.
            cells = rows.reindex([(benchmark, v) for v in variants])
            acc, low, high = (cells[c].to_numpy(float) for c in ("accuracy", "ci_low", "ci_high"))
            bars = ax.bar(
                x + (i - (len(benchmarks) - 1) / 2) * width,
                acc,
                width,
                # Clipped: an accuracy of 1 can sit a rounding error above its bound.
                yerr=np.clip([acc - low, high - acc], 0, None),
                capsize=2,
                label=labels[benchmark],
            )
            for bar, informative, recovered, top in zip(
                bars, cells.informative, cells.recovery, high
            ):
                if np.isnan(top):
                    continue
                # The gate failed this variant: no reading of it counts, either way.
                if not informative:
                    bar.set(alpha=0.25, hatch="//")
                ax.annotate(
                    "" if np.isnan(recovered) else f"{recovered:.2f}",
                    # Above the interval's whisker, so the two never overlap.
                    (bar.get_x() + bar.get_width() / 2, top + 0.03),
                    ha="center",
                    fontsize=7,
                )
            base_acc = base[base.benchmark == benchmark].accuracy.iloc[0]
            ax.axhline(
                base_acc,
                color=bars[0].get_facecolor(),
                linestyle="--",
                linewidth=1,
                label=f"base model, {labels[benchmark]} zero-shot",
            )
            ax.axhline(
                baselines[benchmark],
                color=bars[0].get_facecolor(),
                linestyle=":",
                label=f"{labels[benchmark]}: chance ({baselines[benchmark]:.2f})",
            )
        ax.set(ylim=(0, 1.6), ylabel="forget accuracy", title=method)  # room for the legend
        ax.set_xticks(x, [tick(v) for v in variants], rotation=25, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=7, ncol=3, loc="upper right")
    fig.suptitle(
        f"Prompt attacks ({scoring} scoring; labels: recovery R, 0 = the knowledge-free\n"
        "baseline (the higher of the oracle and chance), 1 = the base model in the\n"
        "same variant; "
        "whiskers: Wilson 95 %; hatched: the gate found the variant uninformative)",
        fontsize=11,
    )
    save_figure(fig, snakemake.output)
