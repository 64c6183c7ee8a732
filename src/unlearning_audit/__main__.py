"""Command line: ``python -m unlearning_audit costs [results/benchmarks]``."""

from __future__ import annotations

import argparse

from unlearning_audit.costs import step_costs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m unlearning_audit")
    commands = parser.add_subparsers(dest="command", required=True)
    costs = commands.add_parser("costs", help="cost of each step of a finished study")
    costs.add_argument("benchmarks_dir", nargs="?", default="results/benchmarks")
    args = parser.parse_args(argv)
    if args.command == "costs":
        table = step_costs(args.benchmarks_dir)
        print(table.to_string(float_format=lambda x: f"{x:.2f}"))
        print(f"\ntotal job wall time: {table.wall_s.sum():.1f} s (jobs run in parallel)")


if __name__ == "__main__":
    main()
