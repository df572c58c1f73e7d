"""Metadata the operator sees on every asset: schema from the contract, previews with tokens masked."""

from __future__ import annotations

from collections.abc import Iterator

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


def partition_materializations(
    context: dg.AssetExecutionContext, key: dg.AssetKey, figures: dict[str, dict], run: dict, latest: dict | None = None
) -> Iterator[dg.MaterializeResult]:
    """The result of a run: each partition shows its own figures (``figures[partition]``).

    A run over one partition records one materialization with its figures, ``run`` and
    ``latest`` (previews, plots). A run over a range (a single-run backfill) records one
    materialization per partition: each carries its own figures, the run's (``run`` and
    ``run_*`` totals), and the last partition also ``latest``. The figures are attached to the
    events Dagster records for the result, so a partition costs one event, not two.
    """
    latest = latest or {}
    if len(figures) == 1:
        (only,) = figures.values()
        yield dg.MaterializeResult(asset_key=key, metadata=only | run | latest)
        return
    totals = {"run_partitions": len(figures)}
    if all("dagster/row_count" in f for f in figures.values()):
        totals["run_row_count_all_partitions"] = sum(f["dagster/row_count"] for f in figures.values())
    last = list(figures)[-1] if figures else None
    for partition, own in figures.items():
        context.add_asset_metadata(own | (latest if partition == last else {}), asset_key=key, partition_key=partition)
    yield dg.MaterializeResult(asset_key=key, metadata=totals | run)
