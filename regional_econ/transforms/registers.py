"""Registers: upsert and snapshot feeds (merchants, cardholders, postings, bureau snapshots)
as known on a date, and attaching a register's entries to events as of each event's day."""

from __future__ import annotations

from datetime import date

import polars as pl

from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY
from regional_econ.transforms.common import Frame


def as_of(history: pl.LazyFrame, key: str, day: str) -> pl.LazyFrame:
    """The latest delivered record of each ``key`` in deliveries up to ``day`` (ISO date)."""
    return history.filter(pl.col("date") <= day).sort("date", maintain_order=True).unique(key, keep="last", maintain_order=True)


def latest_snapshot(snapshots: Frame, on_or_before: str) -> pl.LazyFrame:
    """The newest snapshot delivered for a period starting on or before ``on_or_before``."""
    known = snapshots.lazy().filter(pl.col("date") <= on_or_before)
    return known.filter(pl.col("date") == pl.col("date").max())


def with_merchant(transactions: pl.LazyFrame, merchants: pl.LazyFrame) -> pl.LazyFrame:
    """Each transaction with its merchant's area and category; unknown merchants are kept as such."""
    return transactions.join(
        merchants.select("merchant_id", "sigungu_cd", "category_cd"), on="merchant_id", how="left"
    ).with_columns(
        pl.col("sigungu_cd").fill_null(UNKNOWN_AREA),
        pl.col("category_cd").fill_null(UNKNOWN_CATEGORY),
        date=pl.col("approved_at").dt.convert_time_zone("Asia/Seoul").dt.date(),
    )


def key_hash(key: str) -> pl.Expr:
    return pl.col(key).hash()


class Register:
    """A register's entries, read once, to attach to events as delivered up to each event's day.

    Registers are daily upserts with a ``date`` column (the delivery): an event sees the
    latest entry delivered on or before its KST day (``_day``); an event without one gets
    nulls. A long backfill reads each register once and attaches it to every day.

    Each lookup first cuts the entries down to the keys that occur (a semi-join), and the
    as-of join runs on a 64-bit hash of the key, which is much cheaper than joining on
    64-character tokens. Every match is then checked on the key itself; if two keys ever share a hash, the exact join on
    the key runs instead.
    """

    def __init__(self, history: pl.LazyFrame, key: str, columns: list[str], hashed=key_hash):
        self.key, self.columns, self.hashed = key, columns, hashed
        entries = history.select(
            key,
            *columns,
            _as_of=pl.col("date").str.to_date("%Y-%m-%d"),  # the format spares inferring it on every row
            _key_hash=hashed(key),
        ).collect()
        # The lake hands registers over in delivery order: no need to sort millions of rows again.
        self.entries = entries if entries["_as_of"].is_sorted() else entries.sort("_as_of", maintain_order=True)

    def attach(self, events: pl.DataFrame, up_to: date | None = None) -> pl.DataFrame:
        """``events`` (with ``_day``) and the register's columns, in the events' order; only
        entries delivered up to ``up_to`` count when it is given."""
        key = self.key
        # Only the columns the join needs travel through it; the attributes are stacked back
        # on the events (moving every payload column twice cost as much as the join).
        probe = events.select(key, "_day").with_row_index("_event").with_columns(self.hashed(key).alias("_key_hash"))
        delivered = self.entries if up_to is None else self.entries.filter(pl.col("_as_of") <= up_to)
        wanted = delivered.join(probe.select("_key_hash"), on="_key_hash", how="semi", maintain_order="left")
        matched = self._as_of_join(probe, wanted.rename({key: "_entry_key"}), "_key_hash")
        if matched.select((pl.col("_entry_key").is_not_null() & pl.col("_entry_key").ne_missing(pl.col(key))).any()).item():
            matched = self._as_of_join(probe, delivered.drop("_key_hash"), key)
        return events.hstack(matched.sort("_event").select(self.columns))

    @staticmethod
    def _as_of_join(probe: pl.DataFrame, entries: pl.DataFrame, by: str) -> pl.DataFrame:
        return probe.sort("_day", maintain_order=True).join_asof(
            entries, left_on="_day", right_on="_as_of", by=by, strategy="backward", check_sortedness=False
        )


def attach_as_of(events: pl.DataFrame, history: pl.LazyFrame, key: str, columns: list[str], hashed=key_hash) -> pl.DataFrame:
    """``Register(history, key, columns).attach(events)``: for a single lookup."""
    return Register(history, key, columns, hashed).attach(events)
