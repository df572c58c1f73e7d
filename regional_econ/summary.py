"""The platform in a few lines: deliveries per feed, where the money was spent, and whether the
events planted in the synthetic world (``<landing>/_events.json``) show in the marts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from regional_econ.periods import month_days, shift_month
from regional_econ.synth.businesses import DECLINES
from regional_econ.warehouse import query

DELIVERIES = """
select split_part(feed, '/', 1) as center, split_part(feed, '/', 2) as feed,
       count(*) as files,
       count(*) filter (where in_force) as in_force,
       count(*) filter (where outcome in ('blocked', 'refused')) as not_accepted,
       coalesce(sum(rows_received) filter (where in_force), 0) as rows_received,
       coalesce(sum(rows_staged) filter (where in_force), 0) as rows_staged,
       coalesce(sum(rows_quarantined) filter (where in_force), 0) as rows_quarantined,
       coalesce(sum(rows_rejected) filter (where in_force or outcome = 'blocked'), 0) as rows_rejected,
       coalesce(sum(rows_held), 0) as rows_held
from ops.receipts group by all order by center, feed
"""

TOP_AREAS = """
select s.sigungu_cd, coalesce(a.name_ko, '(unknown)') as area, coalesce(a.name_en, '') as area_en,
       sum(s.net_amount_krw) as net_amount_krw, sum(s.approvals) as approvals
from marts.spending_daily s left join ref.areas a using (sigungu_cd)
group by all order by net_amount_krw desc limit {limit}
"""


def summary(warehouse: Path, top: int = 10, landing: Path | None = None) -> str:
    deliveries = query(warehouse, DELIVERIES)
    areas = query(warehouse, TOP_AREAS.format(limit=top))
    total = query(warehouse, "select sum(net_amount_krw) as n, min(date) as a, max(date) as b from marts.spending_daily")
    lines = ["Deliveries (per center and feed)", _table(deliveries), ""]
    n, first, last = total.row(0)
    lines += [f"Net spending {first}..{last}: {n:,} KRW", f"Top {top} areas by net spending", _table(areas)]
    truth = Path(landing) / "_events.json" if landing else None
    if truth is not None and truth.exists():
        lines += ["", "Planted events (ground truth in _events.json) and what the marts show"]
        lines += [planted_line(warehouse, e) for e in json.loads(truth.read_text(encoding="utf-8"))]
    declines = Path(landing) / DECLINES if landing else None
    if declines is not None and declines.exists():
        lines += ["", warning_line(warehouse, pl.read_csv(declines, schema={"biz_token": pl.String, "onset": pl.Date}))]
    return "\n".join(lines)


def warning_line(warehouse: Path, declines: pl.DataFrame) -> str:
    """The credit early warning of the latest month against the planted declines: recall over the
    planted businesses declining through its whole 3-month window that it could assess (the bureau
    grades them), precision over the flagged (true if planted and begun by the month's end, or closed)."""
    warnings = query(
        warehouse, "select * from marts.credit_early_warning where month = (select max(month) from marts.credit_early_warning)"
    )
    if warnings.is_empty():
        return "Credit early warning: no month yet"
    month = warnings["month"][0]
    if not warnings["assessed"].any():
        return (
            f"Credit early warning {month:%Y-%m}: no business assessed yet (it compares three months of revenue "
            f"with the three before or a year earlier); {declines.height} planted declines under way ({DECLINES})"
        )
    window_start = date.fromisoformat(shift_month(month.isoformat(), -2))  # the 3-month window's first month
    month_end = month_days(month.isoformat())[1]
    rows = warnings.join(declines, on="biz_token", how="left")
    planted = rows.filter((pl.col("onset") <= window_start) & pl.col("assessed") & pl.col("credit_grade").is_not_null())
    flagged = rows.filter("flagged")
    true = flagged.filter((pl.col("onset") <= month_end) | pl.col("is_closed").fill_null(False))
    recall = f"{planted['flagged'].mean():.2f} of {planted.height}" if planted.height else "n/a"
    precision = f"{true.height / flagged.height:.2f} of {flagged.height}" if flagged.height else "n/a"
    return (
        f"Credit early warning {month:%Y-%m} against the planted declines ({DECLINES}): "
        f"recall {recall} (declining since {window_start:%Y-%m}, graded), precision {precision} flagged"
    )


# What a planted event must move for the marts to have found it, measured after its start against before.
FOUND_RISE, FOUND_FALL, FOUND_SURGE, FOUND_RELIEF = 1.15, 0.85, 1.5, 3.0

# A cell's share of net spending (of its area, or of the province), the days from the start pooled, over
# the days before pooled.
SHARE_AFTER_BEFORE = """
with days as (
  select date >= date '{start}' as after, sum(net_amount_krw) filter (where {cell}) as cell, sum(net_amount_krw) as whole
  from marts.spending_daily where {scope} group by all)
select max(cell / whole) filter (where after) / max(cell / whole) filter (where not after) from days
"""
# The area's share of the occupation's new postings over its share of all new postings (the month).
SURGE = """
select (sum(new_postings) filter (where sigungu_cd = '{area}' and occupation_cd = '{occupation}')
        / sum(new_postings) filter (where occupation_cd = '{occupation}'))
     / (sum(new_postings) filter (where sigungu_cd = '{area}') / sum(new_postings))
from marts.job_matching where month = date_trunc('month', date '{start}')
"""
# Policy-fund spending of the fund a day, after the payment began over before.
RELIEF = """
with d as (select date >= date '{start}' as after, count(distinct date) as days,
                  sum(case when txn_type = 'APPROVE' then amount_krw else -amount_krw end)
                    filter (where policy_fund_cd = 'DRS') as spent
           from marts.payments group by all)
select (max(spent / days) filter (where after)) / nullif(max(spent / days) filter (where not after), 0) from d
"""


def _literal(value: str) -> str:
    """A code or ISO date from the ground truth, refused unless it is one (it goes into SQL)."""
    if not isinstance(value, str) or not value.replace("-", "").isalnum():
        raise ValueError(f"_events.json: {value!r} is not a code or a date")
    return value


def planted_line(warehouse: Path, event: dict) -> str:
    """One planted event, the ratio the marts show and whether that counts as found."""
    event = {k: _literal(v) if k in ("start", "sigungu_cd", "category_cd", "occupation_cd") else v for k, v in event.items()}
    kind, start = event["kind"], event["start"]
    if kind in ("category_rise", "downturn"):
        area = event.get("sigungu_cd")
        cell = f"category_cd = '{event['category_cd']}'"
        scope = f"sigungu_cd = '{area}'" if area else "true"
        ratio = query(warehouse, SHARE_AFTER_BEFORE.format(start=start, cell=cell, scope=scope)).item()
        found = ratio is not None and (ratio >= FOUND_RISE if kind == "category_rise" else ratio <= FOUND_FALL)
        measure = "share of spending after/before"
    elif kind == "hiring_surge":
        sql = SURGE.format(start=start, area=event["sigungu_cd"], occupation=event["occupation_cd"])
        ratio = query(warehouse, sql).item()
        found, measure = ratio is not None and ratio >= FOUND_SURGE, "area's share of the occupation's postings / of all"
    elif kind == "relief_payment":
        ratio = query(warehouse, RELIEF.format(start=start)).item()
        found, measure = ratio is not None and ratio >= FOUND_RELIEF, "DRS fund spending a day after/before"
    else:
        return f"  {event['id']}: {kind} (no check)"
    shown = "n/a" if ratio is None else f"{float(ratio):.2f}"
    return f"  {event['id']} from {start}: {measure} {shown} -> {'found' if found else 'NOT found'}"


def _table(frame) -> str:
    cells = [[str(c) for c in frame.columns]] + [
        [f"{v:,}" if isinstance(v, (int, Decimal)) else str(v) for v in row] for row in frame.iter_rows()
    ]
    widths = [max(_width(r[i]) for r in cells) for i in range(frame.width)]
    return "\n".join("  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)) for r in cells)


def _width(text: str) -> int:
    # Hangul takes two columns in a terminal.
    return sum(2 if "\uac00" <= ch <= "\ud7a3" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
