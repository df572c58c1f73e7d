"""Child process: the row gate on one real-scale delivery, step by step, each step timed alone.

Takes the gate apart with the platform's own pieces (``read_delivery``, ``gate.rows``:
``prepare``/``parse``, ``column_rules``, ``find_direct_identifiers``, ``LOOKUPS``) so that
each column's preparation and each rule can be timed on its own, then times the whole
``gate_file`` and the Parquet write as the lake does it, and a few alternatives (typed CSV
read, other Parquet codecs). Each step is timed alone (the best of one run), so the steps
do not add up exactly to ``gate_file``. Tied to the gate's internals: when they change,
update this file (the harness records the error and goes on). Needs a lake where the feed's lookup feeds are staged up to the day.

    python -m benchmarks.gate_breakdown --landing L --lake LAKE --feed kona/transactions --day 2026-09-02 --result r.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--lake", required=True, type=Path)
    parser.add_argument("--feed", default="kona/transactions")
    parser.add_argument("--day", required=True)
    parser.add_argument("--result", required=True, type=Path)
    args = parser.parse_args(argv)

    import polars as pl

    from regional_econ.contracts import contract
    from regional_econ.gate import find_direct_identifiers, gate_file, gate_rows, read_delivery, rows
    from regional_econ.gate.lookups import LOOKUPS
    from regional_econ.gate.rows import column_rules
    from regional_econ.staging import lookup_for
    from regional_econ.storage.lake import Lake
    from regional_econ.storage.landing import find_deliveries, sha256_of

    prepare = getattr(rows, "prepare", None)

    c = contract(args.feed)
    lake = Lake(args.lake)
    path = [d for d in find_deliveries(args.landing, c, args.day) if d.complete][-1].path
    steps: dict[str, float] = {}

    errors: dict[str, str] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        try:
            value = fn()
        except Exception as err:  # noqa: BLE001 - a profiling step tied to internals may break; say so, go on
            errors[name] = f"{type(err).__name__}: {str(err)[:300]}"
            return None
        steps[name] = round(time.perf_counter() - t0, 4)
        return value

    data = timed("read: file bytes", path.read_bytes)
    timed("read: pl.read_csv of the bytes, all strings", lambda: pl.read_csv(data, infer_schema=False))
    raw = timed("read: read_delivery (file, CSV parse, header map, line numbers)", lambda: read_delivery(c, path))
    timed(
        "alternative read: pl.read_csv typed by the contract schema",
        lambda: pl.read_csv(
            data,
            schema_overrides={
                col.name: (pl.String if col.type in ("timestamp", "date", "boolean") else col.dtype) for col in c.columns
            },
        ),
    )
    timed("receipts: sha256 of the file", lambda: sha256_of(path))
    names = c.column_names
    if prepare is not None:  # the gate prepares a delivery once (normalized text, typed values, shapes)
        renamed = raw.rename({n: rows.raw(n) for n in names})
        for col in c.columns:
            text = rows.normalized(pl.col(rows.raw(col.name)))
            exprs = [rows.parse(col, text)] + (
                [text.str.contains(col.pattern).alias(rows.shape(col.name))] if col.pattern else []
            )
            timed(
                f"prepare: {col.name} ({col.type}{', pattern' if col.pattern else ''})", lambda exprs=exprs: renamed.select(exprs)
            )
        typed = timed("prepare: all columns (as gate_file does)", lambda: prepare(c, raw))
    else:  # older gate: parse inside gate_rows
        typed = raw.with_columns(pl.col(n).alias(f"_raw_{n}") for n in names).with_columns(rows.parse(col) for col in c.columns)
    timed("gate: find_direct_identifiers", lambda: find_direct_identifiers(c, typed))
    rules = column_rules(c)
    for rule_id, expr in rules:
        timed(f"rule: {rule_id}", lambda expr=expr: typed.select(expr))
    timed(
        "rules: all rule expressions in one select (no lookups)",
        lambda: typed.select(pl.any_horizontal([e.alias(f"_r{i}") for i, (_, e) in enumerate(rules)])),
    )
    for rule in c.rules_at("lookup"):
        timed(f"lookup: {rule.id}", lambda rule=rule: LOOKUPS[rule.id].broken(typed, lake, args.day))
    timed(
        "gate_rows: rules, lookups, split, cast (on the prepared delivery)",
        lambda: gate_rows(c, typed, str(path), lookup_for(c, lake, args.day)),
    )
    result = timed(
        "gate_file: the whole gate as staging runs it", lambda: gate_file(c, path, str(path), lookup_for(c, lake, args.day))
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "part.parquet"
        timed(
            "write: staged and quarantine Parquet, promoted as the lake does (Lake.promote)",
            lambda: Lake(Path(tmp)).promote(c.id, args.day, result.staged, result.quarantined, {}),
        )
        size_zstd = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet"))
        timed(
            "alternative write: zstd level 3 (polars default)",
            lambda: result.staged.write_parquet(out, compression="zstd", statistics=True),
        )
        timed("alternative write: lz4", lambda: result.staged.write_parquet(out, compression="lz4", statistics=True))
        timed(
            "alternative write: uncompressed",
            lambda: result.staged.write_parquet(out, compression="uncompressed", statistics=True),
        )
    args.result.write_text(
        json.dumps(
            {
                "feed": c.id,
                "day": args.day,
                "file": str(path),
                "bytes": path.stat().st_size,
                "rows": raw.height,
                "staged": result.staged.height,
                "quarantined": result.quarantined.height,
                "staged_parquet_bytes": size_zstd,
                "seconds": steps,
                "errors": errors,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
