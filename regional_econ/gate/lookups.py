"""Row rules that look beyond the delivery, into feeds already staged ("lookup" rules).

A transaction's merchant must be registered, a cancel must have its approval (within 90
days, and the cancels of an approval never add up to more than it), a placement must have
its posting. Rows that break one are quarantined; when a later delivery makes them valid,
re-running the partition stages them. The centers' own pre-send check cannot see the
platform's registers, so it reports these rules as not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from regional_econ.contracts import Contract, rules
from regional_econ.periods import shift_period
from regional_econ.storage.lake import Lake

CANCEL_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Lookup:
    needs: tuple[str, ...]  # feeds whose same period must be staged first (and earlier ones, as delivered)
    # (typed delivery, lake, period key) -> boolean Series, true where the row breaks the rule
    broken: Callable[[pl.DataFrame, Lake, str], pl.Series]
    # What the file alone can tell (for the centers' pre-send check), when anything.
    local: Callable[[pl.DataFrame], pl.Series] | None = None
    # The feed's own previous period must be staged first (a cancel's approval is in an earlier day).
    previous_period: bool = False


def _keys_up_to(lake: Lake, feed_id: str, period_key: str, days: int | None = None) -> list[str]:
    first = (date.fromisoformat(period_key) - timedelta(days=days)).isoformat() if days else ""
    return [k for k in lake.keys("staged", feed_id) if first <= k <= period_key]


def _registered(lake: Lake, feed_id: str, period_key: str, key: str, values: pl.Series) -> pl.Series:
    history = lake.scan("staged", feed_id, _keys_up_to(lake, feed_id, period_key))
    if history is None:
        return pl.Series([False] * len(values))
    # Every known key, not only the wanted ones: filtering the history first cost twice as much.
    known = history.select(key).collect()[key]
    return values.is_in(known.implode())


def merchant_exists(frame: pl.DataFrame, lake: Lake, period_key: str) -> pl.Series:
    return ~_registered(lake, "kona/merchants", period_key, "merchant_id", frame["merchant_id"])


def placement_has_posting(frame: pl.DataFrame, lake: Lake, period_key: str) -> pl.Series:
    return ~_registered(lake, "gjf/job_postings", period_key, "posting_id", frame["posting_id"])


def cancel_has_approval(frame: pl.DataFrame, lake: Lake, period_key: str) -> pl.Series:
    is_cancel = frame["txn_type"] == "CANCEL"
    wanted = frame.filter(is_cancel)["orig_txn_id"].drop_nulls().unique()
    columns = ["txn_id", "txn_type", "orig_txn_id", "amount_krw"]
    relevant = pl.col("txn_id").is_in(wanted.implode()) | pl.col("orig_txn_id").is_in(wanted.implode())
    seen = [frame.select(columns).filter(relevant)]
    # An approval comes before its cancels, so walking back a day at a time until every
    # wanted approval is found also reads every earlier cancel of them. Most cancels are of
    # the same or the previous day: rescanning the whole 90-day window grew with history.
    # This takes a txn_id to name one transaction across days, as the operator assigns it:
    # an approval delivered again on a later day would hide the cancels before that day.
    missing = _not_approved_in(wanted, seen[-1])
    earlier = [k for k in _keys_up_to(lake, "kona/transactions", period_key, CANCEL_WINDOW_DAYS) if k < period_key]
    for key in reversed(earlier):
        if missing.is_empty():
            break
        seen.append(lake.scan("staged", "kona/transactions", [key]).select(columns).filter(relevant).collect())
        missing = _not_approved_in(missing, seen[-1])
    history = pl.concat(seen)
    approvals = history.filter(pl.col("txn_type") == "APPROVE").select(orig_txn_id="txn_id", approved="amount_krw")
    cancelled = history.filter(pl.col("txn_type") == "CANCEL").group_by("orig_txn_id").agg(cancelled=pl.col("amount_krw").sum())
    ok = approvals.join(cancelled, on="orig_txn_id", how="left").filter(pl.col("cancelled").fill_null(0) <= pl.col("approved"))[
        "orig_txn_id"
    ]
    return is_cancel & ~frame["orig_txn_id"].is_in(ok.implode()).fill_null(False)


def _not_approved_in(ids: pl.Series, rows: pl.DataFrame) -> pl.Series:
    approved = rows.filter(pl.col("txn_type") == "APPROVE")["txn_id"]
    return ids.filter(~ids.is_in(approved.implode()))


def needs(contract: Contract, period_key: str) -> list[tuple[str, str]]:
    """(feed, period) pairs a delivery's lookup rules read, that must be staged before it."""
    found: dict[tuple[str, str], None] = {}
    for rule in contract.rules_at("lookup"):
        lookup = LOOKUPS[rule.id]
        for feed_id in lookup.needs:
            found[(feed_id, period_key)] = None
        if lookup.previous_period:
            found[(contract.id, shift_period(contract.delivery.cadence, period_key, -1))] = None
    return list(found)


def key_seen_in_other_periods(contract: Contract, frame: pl.DataFrame, lake: Lake, period_key: str) -> pl.Series:
    """True where the row's key is already staged for another period within the contract's horizon.

    Each period's pointer keeps its keys' range (min, max). Only periods whose range overlaps
    this delivery's are read, and only their key column: operators assign event ids in
    sequence, so a day's ids overlap no other day's and the check reads nothing at all. Keys
    of random shape would overlap every period and cost one key column per period of the
    horizon.
    """
    key = contract.primary_key[0]
    values = frame[key]
    present = values.drop_nulls()
    if present.is_empty():
        return pl.Series([False] * len(values))
    low, high = present.min(), present.max()
    day = date.fromisoformat(period_key)
    horizon = timedelta(days=contract.unique_across_periods_days)
    first, last = (day - horizon).isoformat(), (day + horizon).isoformat()
    overlapping = [
        k for k, pointer in lake.in_force_all(contract.id).items()
        if k != period_key and first <= k <= last and (r := pointer.get("key_range")) and r[0] <= high and r[1] >= low
    ]  # fmt: skip
    if not overlapping:
        return pl.Series([False] * len(values))
    seen = lake.scan("staged", contract.id, overlapping).select(key).filter(pl.col(key).is_in(present.implode()))
    return values.is_in(seen.collect()[key].implode()).fill_null(False)


def cancel_above_approval_in_file(frame: pl.DataFrame) -> pl.Series:
    """Cancels of an approval in the same file that add up to more than it."""
    approved = frame.filter(pl.col("txn_type") == "APPROVE").select(orig_txn_id="txn_id", approved="amount_krw")
    cancelled = frame.filter(pl.col("txn_type") == "CANCEL").group_by("orig_txn_id").agg(cancelled=pl.col("amount_krw").sum())
    over = approved.join(cancelled, on="orig_txn_id").filter(pl.col("cancelled") > pl.col("approved"))["orig_txn_id"]
    return (frame["txn_type"] == "CANCEL") & frame["orig_txn_id"].is_in(over.implode()).fill_null(False)


LOOKUPS: dict[str, Lookup] = {
    rules.MERCHANT_EXISTS.id: Lookup(("kona/merchants",), merchant_exists),
    rules.CANCEL_HAS_APPROVAL.id: Lookup(
        ("kona/merchants",), cancel_has_approval, local=cancel_above_approval_in_file, previous_period=True
    ),
    rules.PLACEMENT_HAS_POSTING.id: Lookup(("gjf/job_postings",), placement_has_posting),
}
if set(LOOKUPS) != set(rules.LOOKUP_RULES):
    raise RuntimeError("every lookup rule of the vocabulary needs its check here, and only those")
