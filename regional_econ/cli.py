"""The ``regional-econ`` command: sample feeds, the centers' contract tools, the warehouse summary.

regional-econ generate --out data/landing --start 2026-09-01 --days 14 --scale 0.002 --seed 7
regional-econ contract check FILE --feed kona/transactions [--format json]
regional-econ contract export --feed kona/transactions --format gx [--out suite.json]
regional-econ contract docs [--out DIR]
regional-econ summary
regional-econ portal [--host 127.0.0.1] [--port 8080]
regional-econ keys create --tier public|center|staff [--center ID] [--daily-quota N]
regional-econ keys revoke KEY_ID | keys list
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from regional_econ.storage import paths


def _generate(args: argparse.Namespace) -> int:
    from regional_econ.synth import generate

    report = generate(
        out=Path(args.out), start=args.start, days=args.days, scale=args.scale, seed=args.seed, defect_rate=args.defect_rate
    )
    print(report)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from regional_econ.summary import summary

    target = Path(args.warehouse) if args.warehouse else paths.warehouse_path()
    if not target.exists():
        print(f"{target}: no warehouse yet; run `make demo` or materialize the `warehouse` asset", file=sys.stderr)
        return 1
    print(summary(target, args.top, Path(args.landing) if args.landing else paths.landing_root()))
    return 0


def _contract_check(args: argparse.Namespace) -> int:
    from regional_econ.contracts import contract
    from regional_econ.contracts.check import check_file

    path = Path(args.file)
    if not path.exists() and not path.is_symlink():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    report = check_file(contract(args.feed), path, args.period)
    print(report.to_json() if args.format == "json" else report.to_text())
    return 0 if report.passed else 1


def _contract_export(args: argparse.Namespace) -> int:
    from regional_econ.contracts import contract
    from regional_econ.contracts.gx import gx_suite_json

    text = gx_suite_json(contract(args.feed))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def _contract_docs(args: argparse.Namespace) -> int:
    from regional_econ.contracts.docs import write_docs

    out = Path(args.out) if args.out else paths.reports_root() / "contracts"
    for path in write_docs(out):
        print(path)
    return 0


def _store():
    from regional_econ.serve.keys import KeyStore

    return KeyStore(paths.data_root() / "serve" / "portal.sqlite")


def _portal(args: argparse.Namespace) -> int:
    import uvicorn

    from regional_econ.serve.app import create_app

    print(f"portal on http://{args.host}:{args.port}/ (data: {paths.data_root()})", flush=True)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    try:
        key, secret = _store().create(args.tier, args.center, args.daily_quota)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"key id {key.key_id}: tier {key.tier}, center {key.center or '-'}, {key.daily_quota} calls a day")
    print(f"KEY={secret}")
    print("Shown once: the portal keeps only its SHA-256.", file=sys.stderr)
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    if _store().revoke(args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"{args.key_id}: no live key with that id", file=sys.stderr)
    return 1


def _keys_list(args: argparse.Namespace) -> int:
    for row in _store().listing():
        print("\t".join("" if v is None else str(v) for v in row.values()))
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

    con = sub.add_parser("contract", help="the delivery contracts: check a file, export, document")
    con_sub = con.add_subparsers(dest="contract_command", required=True)
    check = con_sub.add_parser("check", help="check one file against its feed's contract before sending it")
    check.add_argument("file")
    check.add_argument("--feed", required=True, help="center/feed, e.g. kona/transactions")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--period", help="the period the file is for, YYYY-MM-DD (default: from the file's name)")
    check.set_defaults(run=_contract_check)
    export = con_sub.add_parser("export", help="export a contract for other tools")
    export.add_argument("--feed", required=True)
    export.add_argument("--format", choices=("gx",), default="gx", help="gx: a Great Expectations 1.x suite (JSON)")
    export.add_argument("--out", help="file to write (default: stdout)")
    export.set_defaults(run=_contract_export)
    docs = con_sub.add_parser("docs", help="write the data dictionary: one page per feed")
    docs.add_argument("--out", help="folder (default: $REGIONAL_ECON_DATA/reports/contracts)")
    docs.set_defaults(run=_contract_docs)

    summ = sub.add_parser("summary", help="print deliveries per feed and the top areas by net spending")
    summ.add_argument("--warehouse", help="path of warehouse.duckdb (default: $REGIONAL_ECON_DATA/warehouse.duckdb)")
    summ.add_argument("--top", type=int, default=10)
    summ.add_argument("--landing", help="landing root holding _events.json (default: $REGIONAL_ECON_DATA/landing)")
    summ.set_defaults(run=_summary)

    portal = sub.add_parser("portal", help="serve the portal and the Open API over the published data")
    portal.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)")
    portal.add_argument("--port", type=int, default=8080)
    portal.set_defaults(run=_portal)

    keys = sub.add_parser("keys", help="Open API keys: create (printed once), revoke, list")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="issue a key")
    create.add_argument("--tier", required=True, choices=("public", "center", "staff"))
    create.add_argument("--center", help="the center a center key reads (e.g. kona)")
    create.add_argument("--daily-quota", type=int, help="calls a day (default: public 1000, center 10000, staff 100000)")
    create.set_defaults(run=_keys_create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=_keys_revoke)
    keys_sub.add_parser("list", help="every key's id, tier, center, quota and dates (never the key)").set_defaults(run=_keys_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
