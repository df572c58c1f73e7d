"""Upsert feeds (merchants, cardholders, seekers, postings) as registers known on a date."""

from __future__ import annotations

import polars as pl


def as_of(history: pl.LazyFrame, key: str, day: str) -> pl.LazyFrame:
    """The latest delivered record of each ``key`` in deliveries up to ``day`` (ISO date)."""
    return (
        history.filter(pl.col("date") <= day)
        .sort("date", maintain_order=True)
        .unique(key, keep="last", maintain_order=True)
    )
