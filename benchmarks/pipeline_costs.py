"""Benchmark (not a test): where an evaluate job's time goes, and what planning costs.

Evaluation, from a finished study (run ``make study`` first): every evaluation
JSON records the seconds of its ``score`` call and of the model's own forward
and generate calls within it (``seconds``); Snakemake's benchmark files hold
each evaluate job's wall time. Importing what an evaluate job imports is timed
here in fresh processes. The table splits the evaluate jobs' wall time into
forward passes, the rest of scoring (building tasks, lm-eval's bookkeeping),
imports, and the remainder (process start, loading the model, writing JSONs).

Planning: ``snakemake -n`` of every config in config/, into an empty folder,
against ``snakemake --version`` (Snakemake's own start-up) in the same run.

    .venv/bin/python benchmarks/pipeline_costs.py [STUDY_DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unlearning_audit import layout
from unlearning_audit.costs import step_costs

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def seconds(command: list[str], repeats: int) -> float:
    """Median wall time of a command (it must succeed)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def evaluation_breakdown(study: Path, repeats: int) -> None:
    costs = step_costs(study / layout.BENCHMARKS)
    if "evaluate" not in costs.index:
        sys.exit(f"no evaluate jobs in {study / layout.BENCHMARKS}: run the study first")
    perplexity = Path(layout.perplexity("any")).name  # the perplexity rule's, not evaluate's
    scored = [
        json.loads(p.read_text())
        for p in (study / layout.EVALS).rglob("*.json")
        if p.name != perplexity
    ]
    if any("seconds" not in s for s in scored):
        sys.exit("evaluations without timings: rerun the study with this version")
    jobs, wall = int(costs.loc["evaluate", "jobs"]), costs.loc["evaluate", "wall_s"]
    model = sum(s["seconds"]["model"] for s in scored)
    scoring = sum(s["seconds"]["total"] for s in scored) - model
    imports = jobs * seconds([sys.executable, "-c", "import unlearning_audit.evaluation"], repeats)
    start = jobs * seconds([sys.executable, "-c", "pass"], repeats)
    rest = wall - model - scoring - imports
    print(f"evaluate: {jobs} jobs, {len(scored)} scored variants, {wall:.1f} s of job wall time")
    rows = [
        ("forward passes (model calls)", model),
        ("rest of scoring (tasks, lm-eval bookkeeping)", scoring),
        (f"imports (measured here: {imports / jobs - start / jobs:.2f} s a job)", imports - start),
        (f"python start (measured here: {start / jobs:.2f} s a job)", start),
        ("the rest (loading models, Snakemake's script wrapper, writing)", rest),
    ]
    for name, value in rows:
        print(f"  {name:66} {value:8.1f} s  {value / wall:6.1%}")
    print(f"  overhead (everything but forward passes): {1 - model / wall:.1%}")


def planning(repeats: int) -> None:
    floor = seconds([*SNAKEMAKE, "--version"], repeats)
    print(f"planning (median of {repeats}; `snakemake --version` alone: {floor:.2f} s)")
    for config in sorted((REPO / "config").glob("*.yaml")):
        with tempfile.TemporaryDirectory() as empty:
            command = [*SNAKEMAKE, "-n", "--quiet", "--configfile", str(config), "-d", empty]
            plan = seconds(command, repeats)
        print(f"  {config.name:14} {plan:6.2f} s  ({plan / floor:.2f}x Snakemake's start-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("study", nargs="?", default=".", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    planning(args.repeats)
    evaluation_breakdown(args.study, args.repeats)


if __name__ == "__main__":
    main()
