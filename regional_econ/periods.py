"""Delivery periods in KST: which period a date falls in, and how a period is named.

Every feed's partition key is the ISO date its period starts (a day, the Monday of a week,
the first of a month or quarter), matching Dagster's time-window partition keys.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")


def period_start(cadence: str, day: date) -> date:
    if cadence == "daily":
        return day
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown cadence {cadence!r}")


def period_end(cadence: str, start: date) -> date:
    """The first day after the period that starts on ``start``."""
    if cadence == "daily":
        return start + timedelta(days=1)
    if cadence == "weekly":
        return start + timedelta(days=7)
    months = {"monthly": 1, "quarterly": 3}[cadence]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


# The column (and lake folder ``<column>=<key>``) a mart's periods are keyed by, and the name a
# transform takes its period under.
PERIOD_COLUMN = {"daily": "date", "weekly": "week", "monthly": "month", "quarterly": "quarter"}
PERIOD_ARGUMENT = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}


def shift_period(cadence: str, key: str, periods: int) -> str:
    """The key of the period ``periods`` after the one keyed ``key`` (negative: before)."""
    start = date.fromisoformat(key)
    if cadence == "daily":
        return (start + timedelta(days=periods)).isoformat()
    if cadence == "weekly":
        return (start + timedelta(days=7 * periods)).isoformat()
    return shift_month(key, periods * {"monthly": 1, "quarterly": 3}[cadence])


def period_keys(cadence: str, first: date, last: date) -> list[str]:
    """Keys of every period that overlaps the days ``first``..``last`` (inclusive)."""
    keys, start = [], period_start(cadence, first)
    while start <= last:
        keys.append(start.isoformat())
        start = period_end(cadence, start)
    return keys


def period_label(cadence: str, key: str) -> str:
    """How the centers name a period in their data: 2026-09-01, 2026-09 or 2026Q3."""
    start = date.fromisoformat(key)
    if cadence == "monthly":
        return f"{start:%Y-%m}"
    if cadence == "quarterly":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return key


def deadline(cadence: str, key: str, days_after_period_end: int, at: str) -> datetime:
    """When a delivery for the period is due, in KST."""
    end = period_end(cadence, date.fromisoformat(key))
    hour, minute = map(int, at.split(":"))
    return datetime.combine(end + timedelta(days=days_after_period_end), time(hour, minute), KST)


def shift_month(month: str, months: int) -> str:
    """The month key ``months`` after ``month`` (negative: before): ("2026-01-01", -1) -> "2025-12-01"."""
    start = date.fromisoformat(month)
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1).isoformat()


def month_days(month: str) -> tuple[date, date]:
    """First and last day of the month keyed ``month``."""
    first = date.fromisoformat(month)
    return first, period_end("monthly", first) - timedelta(days=1)


def months_back(month: str, count: int) -> list[str]:
    """The ``count`` month keys ending with ``month``, oldest first."""
    return [shift_month(month, k) for k in range(1 - count, 1)]
