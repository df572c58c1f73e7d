"""The synthetic economy's calendar: growth, months, each category group's week and hours,
Korean public holidays and paydays.

Every factor is a function of the date alone (never of the window), so a day's volume is the
same whatever window contains it. Public holidays come from the ``holidays`` library (lunar
Seollal and Chuseok, substitute holidays, election days); on a public holiday shops keep
Sunday's rhythm, the three days of Seollal and Chuseok are quiet, and the days before them
are busy with shopping for the feast.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np

from regional_econ.reference import table

GROWTH = 0.06  # payments a year, compounded daily (``growth``: relative to ``LEVEL``)
LEVEL = date(2026, 1, 1)  # the day the generators' real-scale counts describe
MONTH = (0.96, 0.92, 0.99, 1.00, 1.04, 0.99, 1.00, 1.00, 0.99, 1.01, 1.00, 1.08)  # January .. December
LUNAR = ("Korean New Year", "Chuseok")  # the feasts, by the library's English names
EVE_DAYS = 3  # days of feast shopping before Seollal and Chuseok
PAYDAY = 25  # most salaries; paid the working day before when the 25th is not one
PAYDAY_LIFT = (1.06, 1.03, 1.02)  # on payday and the two days after
SUNDAY = 6

GROUPS = ("G1", "G2", "G3", "G4", "G5", "G6", "G7")
# Each group's week, Monday .. Sunday (relative): clinics and academies close on Sundays, clothes sell at weekends.
WEEK = {
    "G1": (0.95, 0.97, 0.98, 1.00, 1.10, 1.12, 0.95),  # food and groceries
    "G2": (0.95, 0.96, 0.97, 0.99, 1.05, 1.12, 1.00),  # retail and household goods
    "G3": (0.90, 0.90, 0.92, 0.95, 1.05, 1.30, 1.15),  # clothing and accessories
    "G4": (1.15, 1.05, 1.05, 1.05, 1.05, 0.75, 0.12),  # health and medical
    "G5": (1.08, 1.08, 1.08, 1.08, 1.02, 0.85, 0.35),  # education, culture and leisure
    "G6": (1.02, 1.00, 1.00, 1.01, 1.06, 1.00, 0.85),  # cars and fuel
    "G7": (0.95, 1.00, 1.00, 1.00, 1.05, 1.15, 0.70),  # services and other
}
# The feasts: (on the three days, on the eves) per group. Markets and grocers sell for the rites before,
# most small shops close on the days themselves.
FEAST = {
    "G1": (0.75, 1.35),
    "G2": (0.70, 1.20),
    "G3": (0.55, 1.10),
    "G4": (0.25, 1.05),
    "G5": (0.45, 0.95),
    "G6": (0.80, 1.15),
    "G7": (0.45, 1.10),
}
# Hours of the day (0 .. 23, relative) per group, on working days and on weekends and holidays.
_ = 0.0
HOURS = {
    "G1": (
        (0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.6, 1.4, 2.2, 2.6, 3.4, 7.5, 10.5, 6.5, 3.6, 3.2, 3.6, 6.0, 8.8, 8.2, 6.0, 4.2, 2.6, 1.4),
        (0.9, 0.5, 0.3, 0.2, 0.1, 0.1, 0.3, 0.7, 1.5, 2.4, 3.8, 7.0, 9.4, 8.0, 5.6, 4.6, 4.6, 6.2, 8.4, 7.6, 5.4, 3.8, 2.4, 1.4),
    ),
    "G2": (
        (0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.8, 2.8, 3.6, 4.6, 5.4, 5.8, 5.6, 5.2, 5.2, 5.8, 7.0, 7.8, 7.4, 6.2, 4.8, 3.0, 1.6),
        (0.9, 0.6, 0.4, 0.2, 0.2, 0.2, 0.5, 1.0, 2.0, 3.4, 5.0, 6.0, 6.4, 6.6, 6.6, 6.4, 6.4, 6.8, 7.0, 6.4, 5.2, 4.0, 2.6, 1.4),
    ),
    "G3": (
        (0.1, _, _, _, _, _, _, 0.1, 0.3, 0.8, 2.2, 4.2, 5.4, 6.2, 6.8, 7.0, 7.2, 7.6, 8.0, 7.8, 6.6, 4.2, 1.4, 0.3),
        (0.1, _, _, _, _, _, _, 0.1, 0.2, 0.6, 2.4, 5.0, 6.4, 7.8, 8.4, 8.4, 8.2, 7.8, 7.2, 6.2, 4.8, 3.0, 1.0, 0.2),
    ),
    "G4": (
        (0.1, 0.1, _, _, _, _, 0.1, 0.6, 4.0, 8.6, 9.6, 9.0, 6.0, 4.4, 7.6, 8.2, 7.8, 7.0, 5.2, 2.8, 1.6, 0.9, 0.4, 0.2),
        (0.1, 0.1, _, _, _, _, 0.1, 0.4, 3.0, 8.2, 9.8, 9.4, 6.8, 3.6, 2.4, 1.8, 1.4, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2),
    ),
    "G5": (
        (0.1, _, _, _, _, _, _, 0.2, 0.6, 1.2, 2.0, 2.6, 3.0, 3.4, 4.6, 6.4, 8.4, 9.0, 8.6, 8.0, 7.0, 5.2, 2.6, 0.6),
        (0.2, 0.1, _, _, _, _, _, 0.2, 0.8, 2.4, 4.6, 6.0, 6.4, 6.8, 7.0, 7.0, 6.8, 6.4, 5.8, 5.0, 4.0, 2.8, 1.4, 0.4),
    ),
    "G6": (
        (0.8, 0.4, 0.3, 0.3, 0.4, 1.0, 2.8, 5.2, 6.0, 5.2, 4.8, 4.6, 4.6, 4.6, 4.6, 4.8, 5.2, 6.4, 6.8, 5.6, 4.0, 2.8, 1.8, 1.2),
        (0.8, 0.5, 0.3, 0.3, 0.3, 0.6, 1.4, 2.6, 4.0, 5.2, 6.0, 6.2, 6.0, 5.8, 5.6, 5.6, 5.6, 5.6, 5.2, 4.4, 3.4, 2.6, 1.8, 1.2),
    ),
    "G7": (
        (0.3, 0.1, 0.1, _, _, _, 0.1, 0.5, 1.6, 3.6, 5.8, 6.4, 6.2, 6.2, 6.6, 6.8, 7.0, 7.2, 7.0, 6.2, 4.8, 3.0, 1.4, 0.6),
        (0.3, 0.2, 0.1, _, _, _, 0.1, 0.3, 1.2, 3.4, 6.0, 7.0, 7.2, 7.2, 7.4, 7.2, 6.8, 6.4, 5.6, 4.6, 3.4, 2.2, 1.0, 0.5),
    ),
}


@cache
def _public_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year, language="en_US"))


def holiday(day: date) -> str | None:
    """The public holiday's name (the library's), or None."""
    return _public_holidays(day.year).get(day)


def is_feast(day: date) -> bool:
    """One of the days of Seollal or Chuseok (their substitute holidays included)."""
    name = holiday(day)
    return name is not None and any(f in name for f in LUNAR)


def is_eve(day: date) -> bool:
    """One of the ``EVE_DAYS`` days before Seollal or Chuseok begins."""
    return not is_feast(day) and any(is_feast(day + timedelta(days=k)) for k in range(1, EVE_DAYS + 1))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday(day) is None


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def payday(year: int, month: int) -> date:
    day = date(year, month, PAYDAY)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def growth(day: date) -> float:
    """Volume relative to ``LEVEL``: ``GROWTH`` a year, compounded daily."""
    return (1 + GROWTH) ** ((day - LEVEL).days / 365.25)


def weekday_of(day: date) -> int:
    """The day's rhythm: its weekday, or Sunday's on a public holiday."""
    return SUNDAY if holiday(day) is not None else day.weekday()


def rests(day: date) -> bool:
    """Whether the day keeps weekend hours (a Saturday, a Sunday or a public holiday)."""
    return weekday_of(day) >= 5


@cache
def group_of_category() -> np.ndarray:
    """Each category's group index (in ``GROUPS``), in ``calibration.categories()`` order."""
    groups = table("category_groups").sort("category_cd")
    return np.array([GROUPS.index(g) for g in groups["group_cd"].to_list()])


def group_factors(day: date) -> np.ndarray:
    """Per group, the day's volume relative to an ordinary day of the same season: its week,
    the feasts and their eves."""
    wd = weekday_of(day)
    feast, eve = is_feast(day), is_eve(day)
    out = np.empty(len(GROUPS))
    for i, g in enumerate(GROUPS):
        f = WEEK[g][wd]
        if feast:
            f *= FEAST[g][0]
        elif eve:
            f *= FEAST[g][1]
        out[i] = f
    return out


def season(day: date) -> float:
    """Growth, the month and the payday lift: the factor common to every group."""
    pay = payday(day.year, day.month)
    lift = PAYDAY_LIFT[(day - pay).days] if 0 <= (day - pay).days < len(PAYDAY_LIFT) else 1.0
    return growth(day) * MONTH[day.month - 1] * lift


@cache
def hour_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key, hour, weight) rows sorted by key = group x 2 + (1 on a rest day), for grouped draws."""
    key, hour, weight = [], [], []
    for i, g in enumerate(GROUPS):
        for rest in (0, 1):
            key += [i * 2 + rest] * 24
            hour += list(range(24))
            weight += list(HOURS[g][rest])
    return np.array(key), np.array(hour), np.array(weight, dtype=float)
