"""Data products: disclosure-controlled monthly versions of the marts, for anyone to download.

``data/publish/<product>/<YYYY-MM>/<product>_<YYYY-MM>.parquet`` and ``.csv`` (UTF-8 with BOM
and Korean column headers, what Korean spreadsheet users open) and a data dictionary per
product. No token or business-identifying value is ever published: products carry codes,
names of areas/categories/currencies, and aggregates only.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from regional_econ import names, reference
from regional_econ.marts import Mart, describe, label
from regional_econ.publish.disclosure import RULE, protect

NAME_COLUMN = {"areas": "name_ko", "merchant_categories": "name_ko", "currencies": "product_name_ko", "occupations": "name_ko"}


def _name_column(code_column: str) -> str:
    return code_column.replace("_cd", "_name")


def publishable(mart: Mart, frame: pl.DataFrame) -> pl.DataFrame:
    """The mart's cells after disclosure control, with names beside codes."""
    out = protect(frame, mart.publish)
    for code, table_name in mart.publish.names.items():
        table = reference.table(table_name)
        names = table.select(pl.col(table.columns[0]).alias(code), pl.col(NAME_COLUMN[table_name]).alias(_name_column(code)))
        out = out.join(names, on=code, how="left")
    ordered = []
    for column in out.columns:
        if column in ordered:
            continue
        ordered.append(column)
        if column in mart.publish.names:
            ordered.append(_name_column(column))
    return out.select(ordered)


def period_label(key: str) -> str:
    return key[:7]


def write_product(root: Path, mart: Mart, key: str, published: pl.DataFrame) -> list[Path]:
    folder = root / names.product_folder(mart.name) / period_label(key)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{mart.name}_{period_label(key)}"
    parquet, csv = folder / f"{stem}.parquet", folder / f"{stem}.csv"
    atomic(parquet, lambda tmp: published.write_parquet(tmp, compression="zstd"))
    korean = published.with_columns(pl.col(pl.Boolean).cast(pl.String)).rename({c: label(c, mart) for c in published.columns})
    atomic(csv, lambda tmp: tmp.write_bytes(korean.write_csv().encode("utf-8-sig")))
    atomic(
        root / names.product_folder(mart.name) / "dictionary.md",
        lambda tmp: tmp.write_text(dictionary(mart, published), encoding="utf-8"),
    )
    return [parquet, csv]


def dictionary(mart: Mart, published: pl.DataFrame) -> str:
    lines = [
        f"# {mart.name}",
        "",
        mart.description,
        "",
        f"Disclosure control: {RULE}. Suppressed cells have null values, `suppressed` = true and a reason.",
        "",
        "| column | 한글 헤더 | type | description |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{c}` | {label(c, mart)} | {t} | {describe(c, mart)} |" for c, t in published.schema.items()]
    return "\n".join(lines) + "\n"


def atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)
