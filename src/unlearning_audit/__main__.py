"""Command line, run from a study folder (where `results/` is).

python -m unlearning_audit lineage ARTIFACT [--select COL=VALUE ...] [--verify]
                                            [--format text|json|prov]
python -m unlearning_audit costs [results/benchmarks]
"""

from __future__ import annotations

import argparse
import json
import sys

from unlearning_audit import lineage
from unlearning_audit.costs import step_costs


def _lineage(args) -> int:
    selector = dict(item.split("=", 1) for item in args.select)
    root = lineage.trace(args.artifact, selector)
    broken = lineage.verify(root) if args.verify else None
    if args.format == "json":
        print(json.dumps(lineage.to_dict(root), indent=2))
    elif args.format == "prov":
        print(lineage.to_prov(root).serialize(format="json", indent=2))
    else:
        print(lineage.to_text(root))
    if args.verify:
        if broken:
            print(f"verify: FAILED at {broken.path}: {broken.problem}", file=sys.stderr)
            return 1
        count = sum(1 for _ in lineage.walk(root))
        print(f"verify: OK, {count} artifacts match their records", file=sys.stderr)
    return 0


def _costs(args) -> int:
    table = step_costs(args.benchmarks_dir)
    print(table.to_string(float_format=lambda x: f"{x:.2f}"))
    print(f"\ntotal job wall time: {table.wall_s.sum():.1f} s (jobs run in parallel)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m unlearning_audit")
    commands = parser.add_subparsers(dest="command", required=True)

    trace = commands.add_parser("lineage", help="where an artifact, or one number, comes from")
    trace.add_argument("artifact", help="a figure, table, evaluation JSON, checkpoint or data file")
    trace.add_argument(
        "--select",
        nargs="*",
        default=[],
        metavar="COL=VALUE",
        help="narrow tables to the rows matching, e.g. checkpoint=rmu task=toy_bio_cloze",
    )
    trace.add_argument("--verify", action="store_true", help="recompute every hash on the way")
    trace.add_argument("--format", choices=["text", "json", "prov"], default="text")
    trace.set_defaults(run=_lineage)

    costs = commands.add_parser("costs", help="cost of each step of a finished study")
    costs.add_argument("benchmarks_dir", nargs="?", default="results/benchmarks")
    costs.set_defaults(run=_costs)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
