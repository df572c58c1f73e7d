"""Data products: disclosure-controlled monthly versions of the marts, for anyone to download.

``data/publish/<product>/<YYYY-MM>/<product>_<YYYY-MM>.parquet`` and ``.csv`` (UTF-8 with BOM
and Korean column headers, what Korean spreadsheet users open), ``disclosure.json`` (the
shares of cells and of the main measure withheld) and a data dictionary per product. No token
or business-identifying value is ever published: products carry codes, names of
areas/categories/currencies, aggregates and ``suppressed``; why a cell is withheld stays
internal. A null in a dimension is the total over it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from regional_econ import names, reference
from regional_econ.marts import MARTS, Mart, describe, label
from regional_econ.publish.disclosure import RULE, Protection, protect
from regional_econ.publish.disclosure.hierarchy import LEVELS, level_names, parents
from regional_econ.publish.disclosure.rules import rounded, statistic_shown
from regional_econ.storage.lake import write_atomic

NAME_COLUMN = {"areas": "name_ko", "merchant_categories": "name_ko", "currencies": "product_name_ko", "occupations": "name_ko"}
SUPPRESSED = "suppressed"


def _name_column(code_column: str) -> str:
    return code_column.replace("_cd", "_name")


def published_frames(marts: dict[str, pl.DataFrame], period: str) -> tuple[dict[str, pl.DataFrame], Protection]:
    """Every product of ``period`` from its mart's period, protected together (one linked set)."""
    protection = protect({name: (frame, MARTS[name].publish) for name, frame in marts.items()})
    return {name: _publishable(MARTS[name], protection.published(name), period) for name in marts}, protection


def _publishable(mart: Mart, cells: pl.DataFrame, period: str) -> pl.DataFrame:
    """The cells as published: dims with names, values (null where withheld), ``suppressed``."""
    d, withheld = mart.publish, pl.col(SUPPRESSED)
    shown = []
    for value in d.values:
        statistic = d.statistics.get(value)
        column = pl.col(value)
        if statistic:
            ok = statistic_shown(list(statistic.contributors))
            column = pl.when(ok).then(rounded(column.cast(pl.Float64), statistic.digits, statistic.significant))
        shown.append(pl.when(withheld).then(None).otherwise(column).alias(value))
    dims = [c for c in d.dims if c != mart.period_column]
    out = cells.select(pl.lit(period).alias(mart.period_column), *dims, *shown, SUPPRESSED)
    for code, table_name in d.names.items():
        table = reference.table(table_name)
        codes = table[table.columns[0]].to_list() + list(level_names(code))
        labels = table[NAME_COLUMN[table_name]].to_list() + list(level_names(code).values())
        out = out.with_columns(pl.col(code).replace_strict(codes, labels, default=None).alias(_name_column(code)))
    ordered = []
    for column in out.columns:
        if column not in ordered:
            ordered.append(column)
            if column in d.names:
                ordered.append(_name_column(column))
    return out.select(ordered)


def withheld_shares(mart: Mart, published: pl.DataFrame, cells: pl.DataFrame) -> dict:
    """Shares of the cells, and of the main measure over the mart's own cells, that are withheld."""
    d = mart.publish
    figures = {"cells": published.height, "withheld_cells": int(published[SUPPRESSED].sum())}
    figures["withheld_cells_share"] = round(figures["withheld_cells"] / max(1, figures["cells"]), 3)
    if d.additive:
        main = d.additive[0]
        leaves = cells.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in d.line_dims if c in cells.columns))
        total = float(leaves[main].abs().sum() or 0)
        hidden = float(leaves.filter(pl.col(SUPPRESSED))[main].abs().sum() or 0)
        figures["measure"] = main
        # Rounded to a tenth of a percent: the share says how useful a product is, not what is hidden.
        figures["withheld_measure_share"] = round(hidden / total, 3) if total else 0.0
        figures["by_level"] = _by_level(cells, [c for c in d.line_dims if c in cells.columns], main)
    return figures


def _by_level(cells: pl.DataFrame, dims: list[str], main: str) -> dict:
    """The withheld shares per level of the hierarchy ("si/gun x category", "gu x group", "all")."""
    labels = []
    for dim in dims:
        fine, coarse = LEVELS.get(dim, (dim, dim))
        below = list(parents(dim))
        labels.append(
            pl.when(pl.col(dim).is_null())
            .then(None)
            .when(pl.col(dim).cast(pl.String).is_in(below))
            .then(pl.lit(fine))
            .otherwise(pl.lit(coarse))
        )
    level = pl.concat_str(labels, separator=" x ", ignore_nulls=True) if labels else pl.lit("")
    value = pl.col(main).cast(pl.Float64).abs()
    rows = (
        cells.with_columns(_level=pl.when(level == "").then(pl.lit("all")).otherwise(level))
        .group_by("_level")
        .agg(
            cells=pl.len(),
            withheld_cells_share=(pl.col(SUPPRESSED).mean()).round(3),
            withheld_measure_share=(value.filter(pl.col(SUPPRESSED)).sum() / value.sum()).fill_nan(0.0).round(3),
        )
        .sort("_level")
    )
    return {row.pop("_level"): row for row in rows.to_dicts()}


def period_label(key: str) -> str:
    return key[:7]


def write_product(root: Path, mart: Mart, key: str, published: pl.DataFrame, shares: dict | None = None) -> list[Path]:
    folder = root / names.product_folder(mart.name) / period_label(key)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{mart.name}_{period_label(key)}"
    parquet, csv = folder / f"{stem}.parquet", folder / f"{stem}.csv"
    write_atomic(parquet, lambda tmp: published.write_parquet(tmp, compression="zstd"))
    korean = published.with_columns(pl.col(pl.Boolean).cast(pl.String)).rename({c: label(c, mart) for c in published.columns})
    write_atomic(csv, lambda tmp: tmp.write_bytes(korean.write_csv().encode("utf-8-sig")))
    if shares is not None:
        write_atomic(folder / "disclosure.json", lambda tmp: tmp.write_text(json.dumps(shares, indent=1), encoding="utf-8"))
    write_atomic(
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
        f"Disclosure control: {RULE}. A withheld cell has null values and `suppressed` = true. A null in a "
        "dimension is the total over it (all areas of a si, all categories of a group, ...); areas come as gu and "
        "as their si/gun, categories as categories and as groups."
        + (
            f" Published from the level above the mart's cells for: {', '.join(mart.publish.coarser)} (gu rolled into their si/gun)."
            if mart.publish.coarser
            else ""
        ),
        "",
        "| column | 한글 헤더 | type | description |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{c}` | {label(c, mart)} | {t} | {describe(c, mart)} |" for c, t in published.schema.items()]
    return "\n".join(lines) + "\n"
