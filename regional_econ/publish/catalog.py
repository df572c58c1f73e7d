"""The catalog of everything published: ``data/publish/catalog.json`` lists every product,
period, schema, row count, file sha256, the suppression rule and, per period, the shares of
cells and of the product's main measure that are withheld. A release id names what was published:
per period the digest of its files' digests, and for the catalog the digest of all of them (the
same files, the same id; a re-publication that changes a byte changes it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.marts import MARTS, describe, label
from regional_econ.publish.disclosure import RULE
from regional_econ.storage.lake import write_atomic


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release_id(digests: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()[:12]


def build_catalog(root: Path) -> dict:
    """Every product file on disk, described; written to ``catalog.json``."""
    products = []
    for name, mart in MARTS.items():
        if mart.publish is None or not (root / names.product_folder(name)).exists():
            continue
        periods = []
        for parquet in sorted((root / names.product_folder(name)).glob("*/*.parquet")):
            frame = pl.read_parquet(parquet)
            csv = parquet.with_suffix(".csv")
            shares = parquet.parent / "disclosure.json"
            withheld = json.loads(shares.read_text(encoding="utf-8")) if shares.exists() else {}
            files = [
                {"path": str(f.relative_to(root)), "format": f.suffix[1:], "bytes": f.stat().st_size, "sha256": _sha256(f)}
                for f in (parquet, csv)
            ]
            periods.append(
                {
                    "period": parquet.parent.name,
                    "rows": frame.height,
                    "suppressed_cells": int(frame["suppressed"].sum()),
                    "withheld_cells_share": withheld.get("withheld_cells_share"),
                    "withheld_measure": withheld.get("measure"),
                    "withheld_measure_share": withheld.get("withheld_measure_share"),
                    "withheld_by_level": withheld.get("by_level", {}),
                    "release_id": release_id([f["sha256"] for f in files]),
                    "files": files,
                }
            )
        schema = [
            {"name": c, "label_ko": label(c, mart), "type": str(t), "description": describe(c, mart)}
            for c, t in frame.schema.items()
        ]
        products.append(
            {
                "product": name,
                "title_ko": mart.publish.title[0],
                "title_en": mart.publish.title[1],
                "description": mart.description,
                "dictionary": f"{name}/dictionary.md",
                "suppression_rule": RULE,
                "schema": schema,
                "periods": periods,
            }
        )
    catalog = {"release_id": release_id([p["release_id"] for x in products for p in x["periods"]]), "products": products}
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(
        root / "catalog.json", lambda tmp: tmp.write_text(json.dumps(catalog, ensure_ascii=False, indent=2), encoding="utf-8")
    )
    return catalog
