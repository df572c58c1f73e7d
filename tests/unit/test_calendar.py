"""The synthetic calendar: public holidays from the library, feasts and their eves, paydays, growth."""

from datetime import date, timedelta

import numpy as np
import pytest

from regional_econ.synth import calendar


@pytest.mark.parametrize(
    ("day", "feast", "eve"),
    [
        (date(2026, 9, 24), True, False),  # the day before Chuseok (a public holiday itself)
        (date(2026, 9, 26), True, False),  # its second day, a Saturday
        (date(2026, 9, 23), False, True),
        (date(2026, 9, 21), False, True),
        (date(2026, 9, 20), False, False),  # four days before: an ordinary Sunday
        (date(2026, 2, 17), True, False),  # Seollal
        (date(2025, 10, 8), True, False),  # the substitute holiday for Chuseok 2025
        (date(2026, 5, 5), False, False),  # Children's Day: a holiday, not a feast
    ],
)
def test_feasts_and_their_eves(day, feast, eve):
    assert calendar.is_feast(day) is feast
    assert calendar.is_eve(day) is eve


def test_a_public_holiday_keeps_sundays_rhythm():
    assert calendar.weekday_of(date(2026, 5, 5)) == calendar.SUNDAY  # a Tuesday
    assert calendar.weekday_of(date(2026, 5, 6)) == 2
    assert calendar.rests(date(2026, 5, 5)) and not calendar.rests(date(2026, 5, 6))


@pytest.mark.parametrize(
    ("year", "month", "paid"),
    [
        (2026, 11, date(2026, 11, 25)),  # a Wednesday
        (2026, 7, date(2026, 7, 24)),  # the 25th is a Saturday: paid on Friday
        (2026, 10, date(2026, 10, 23)),  # the 25th is a Sunday
        (2026, 12, date(2026, 12, 24)),  # the 25th is Christmas
    ],
)
def test_payday_is_the_last_working_day_up_to_the_25th(year, month, paid):
    assert calendar.payday(year, month) == paid


def test_growth_compounds_to_the_declared_rate_a_year():
    day = date(2025, 3, 1)
    assert calendar.growth(calendar.LEVEL) == 1.0
    assert calendar.growth(day + timedelta(days=365)) / calendar.growth(day) == pytest.approx(
        (1 + calendar.GROWTH) ** (365 / 365.25)
    )


def test_every_category_has_a_group_and_every_group_its_rhythm():
    groups = calendar.group_of_category()
    assert len(groups) == 34 and set(groups) == set(range(len(calendar.GROUPS)))
    key, hour, weight = calendar.hour_table()
    assert (np.diff(key) >= 0).all() and len(key) == len(calendar.GROUPS) * 2 * 24
    assert set(calendar.WEEK) == set(calendar.FEAST) == set(calendar.HOURS) == set(calendar.GROUPS)
    assert all(len(w) == 7 for w in calendar.WEEK.values())
    assert all(len(h) == 24 for pair in calendar.HOURS.values() for h in pair)


def test_feast_days_are_quiet_and_their_eves_busy_for_every_group():
    feast, eve, ordinary = (calendar.group_factors(date(2026, 9, d)) for d in (25, 22, 15))
    assert (feast < ordinary).all()
    assert (eve[:3] > ordinary[:3]).all()  # food, retail and clothing sell for the feast
