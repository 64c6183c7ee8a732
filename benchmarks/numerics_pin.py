"""Benchmark (not a test): what pinning CPU numerics costs (unlearning_audit.numerics).

Runs one study twice from nothing, one after the other in one run of this script:
``cpu_numerics: native`` (each kernel library takes the CPU's fastest paths), then
``pinned`` (AVX2 paths everywhere). Prints each run's wall time, the job time per
rule of each (Snakemake's benchmark files) and the pinned/native ratios, and
whether the two runs' tables agree (on an AVX-512 CPU they need not: that is what
the pin is for). Both folders are kept under --keep, to compare with other runs.

    .venv/bin/python benchmarks/numerics_pin.py [--configfile config/config.yaml]
        [--cores 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from unlearning_audit import layout, numerics
from unlearning_audit.config import load_config
from unlearning_audit.costs import step_costs

REPO = Path(__file__).resolve().parents[1]


def run_study(folder: Path, config: dict, cores: int) -> float:
    (folder / "config").mkdir(parents=True)
    (folder / "config/config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    command = [sys.executable, "-m", "snakemake", "-s", REPO / "Snakefile", "--cores", str(cores)]
    start = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    return time.perf_counter() - start


def tables_agree(first: Path, second: Path) -> list[str]:
    """The tables (CSV) whose bytes differ between two runs."""
    tables = sorted(p.name for p in (first / layout.TABLES).glob("*.csv"))
    return [
        t
        for t in tables
        if not filecmp.cmp(first / layout.TABLES / t, second / layout.TABLES / t, shallow=False)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configfile", default=REPO / "config/config.yaml", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep both study folders here")
    args = parser.parse_args()
    config = load_config(args.configfile)
    root = args.keep or Path(tempfile.mkdtemp(prefix="numerics-pin-"))
    walls, costs = {}, {}
    for mode in (numerics.NATIVE, numerics.PINNED):
        folder = root / mode
        walls[mode] = run_study(folder, config | {numerics.CONFIG_KEY: mode}, args.cores)
        costs[mode] = step_costs(folder / layout.BENCHMARKS)
        print(f"{mode:7} {walls[mode]:8.1f} s wall ({folder})", flush=True)
    native, pinned = costs[numerics.NATIVE], costs[numerics.PINNED]
    per_rule = native[["jobs"]].assign(
        native_s=native.wall_s, pinned_s=pinned.wall_s, ratio=pinned.wall_s / native.wall_s
    )
    print(per_rule.sort_values("native_s", ascending=False).to_string(float_format="%.2f"))
    total = pinned.wall_s.sum() / native.wall_s.sum()
    print(f"job time, pinned / native: {total:.3f}; wall: {walls['pinned'] / walls['native']:.3f}")
    differ = tables_agree(root / numerics.NATIVE, root / numerics.PINNED)
    print("tables that differ between the two:", ", ".join(differ) or "none")


if __name__ == "__main__":
    main()
