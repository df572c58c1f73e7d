"""Metadata the operator sees on every asset: schema from the contract, previews with tokens masked."""

from __future__ import annotations

import dagster as dg
import polars as pl

from regional_econ.contracts import Contract
from regional_econ.contracts.classification import masked_in_preview


def column_schema(contract: Contract) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.type,
                description=f"{c.label_ko}: {c.description} [{c.classification}]",
                constraints=dg.TableColumnConstraints(nullable=not c.required, unique=c.unique),
            )
            for c in contract.columns
        ]
    )


def masked(frame: pl.DataFrame, contract: Contract | None = None) -> pl.DataFrame:
    """Tokens and business-identifying values shortened to their first characters."""
    if contract is None:
        return frame
    hide = [c.name for c in contract.columns if masked_in_preview(c.classification) and c.name in frame.columns]
    return frame.with_columns((pl.col(n).cast(pl.String).str.slice(0, 4) + pl.lit("…")).alias(n) for n in hide)


def preview(frame: pl.DataFrame, contract: Contract | None = None, rows: int = 10) -> dg.MetadataValue:
    head = masked(frame.head(rows), contract)
    return dg.MetadataValue.md(_markdown_table(head))


def _markdown_table(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "_no rows_"
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    for row in frame.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)


def data_class(contract: Contract) -> str:
    """The most sensitive classification of the feed's columns: what handling its data needs."""
    order = ("pseudonymous", "business_identifying", "internal", "public")
    found = {c.classification for c in contract.columns}
    return next(level for level in order if level in found)


def feed_tags(contract: Contract, layer: str) -> dict[str, str]:
    """Tags the UI filters on: the layer, the center, the data class."""
    return {"layer": layer, "center": contract.center, "data_class": data_class(contract)}


def owners(contract: Contract) -> list[str]:
    return [f"team:{contract.owner}"]
