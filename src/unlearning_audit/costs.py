"""What each step of a finished study cost, from Snakemake's `benchmark:` files.

Every rule writes ``results/benchmarks/<rule>[/<wildcards>].tsv`` (wall
seconds, peak memory, CPU time). This sums them per rule, with each rule's
share of the total, so costs are compared within one run, never across runs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def step_costs(benchmarks_dir: str | Path) -> pd.DataFrame:
    rows = []
    root = Path(benchmarks_dir)
    for path in sorted(root.rglob("*.tsv")):
        bench = pd.read_csv(path, sep="\t").iloc[0]
        rows.append(
            {
                "rule": path.relative_to(root).parts[0].removesuffix(".tsv"),
                "job": path.relative_to(root).with_suffix("").as_posix(),
                "wall_s": bench["s"],
                "cpu_s": bench["cpu_time"],
                "max_rss_mb": bench["max_rss"],
            }
        )
    if not rows:
        raise FileNotFoundError(f"no benchmark files under {root}: run the study first")
    jobs = pd.DataFrame(rows)
    per_rule = jobs.groupby("rule").agg(
        jobs=("job", "count"),
        wall_s=("wall_s", "sum"),
        mean_wall_s=("wall_s", "mean"),
        cpu_s=("cpu_s", "sum"),
        max_rss_mb=("max_rss_mb", "max"),
    )
    per_rule["share_of_wall"] = per_rule.wall_s / per_rule.wall_s.sum()
    return per_rule.sort_values("wall_s", ascending=False)
