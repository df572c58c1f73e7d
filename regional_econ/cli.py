"""The ``regional-econ`` command: generate sample feeds, summarize the warehouse.

    regional-econ generate --out data/landing --start 2026-09-01 --days 14 --scale 0.002 --seed 7
    regional-econ summary
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from regional_econ import paths


def _generate(args: argparse.Namespace) -> int:
    from regional_econ.synth import generate

    report = generate(
        out=Path(args.out), start=args.start, days=args.days, scale=args.scale, seed=args.seed,
        defect_rate=args.defect_rate,
    )
    print(report)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from regional_econ.summary import summary

    target = Path(args.warehouse) if args.warehouse else paths.warehouse_path()
    if not target.exists():
        print(f"{target}: no warehouse yet; run `make demo` or materialize the `warehouse` asset", file=sys.stderr)
        return 1
    print(summary(target, args.top))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regional-econ", description="Gyeonggi regional economy data platform")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic deliveries of every feed due in a window")
    gen.add_argument("--out", required=True, help="landing root to write into (e.g. data/landing)")
    gen.add_argument("--start", required=True, type=date.fromisoformat, help="first day, YYYY-MM-DD")
    gen.add_argument("--days", required=True, type=int, help="number of days")
    gen.add_argument("--scale", type=float, default=0.01, help="1.0 = real scale (~600,000 transactions a day)")
    gen.add_argument("--seed", type=int, default=0, help="random seed; same seed, same files")
    gen.add_argument("--defect-rate", type=float, default=0.0, help="share of rows/files given contract defects")
    gen.set_defaults(run=_generate)

    summ = sub.add_parser("summary", help="print deliveries per feed and the top areas by net spending")
    summ.add_argument("--warehouse", help="path of warehouse.duckdb (default: $REGIONAL_ECON_DATA/warehouse.duckdb)")
    summ.add_argument("--top", type=int, default=10)
    summ.set_defaults(run=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
