"""The platform in a few lines: deliveries per feed and where the money was spent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

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


def summary(warehouse: Path, top: int = 10) -> str:
    deliveries = query(warehouse, DELIVERIES)
    areas = query(warehouse, TOP_AREAS.format(limit=top))
    total = query(warehouse, "select sum(net_amount_krw) as n, min(date) as a, max(date) as b from marts.spending_daily")
    lines = ["Deliveries (per center and feed)", _table(deliveries), ""]
    n, first, last = total.row(0)
    lines += [f"Net spending {first}..{last}: {n:,} KRW", f"Top {top} areas by net spending", _table(areas)]
    return "\n".join(lines)


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
