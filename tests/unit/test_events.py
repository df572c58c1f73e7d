"""Planted events are functions of the date: nothing before the start, the full effect after the ramp."""

from datetime import date, timedelta

import numpy as np
import pytest

from regional_econ.synth import events


@pytest.mark.parametrize("event", [e for e in events.EVENTS if e.kind != "relief_payment"], ids=lambda e: e.id)
def test_an_event_ramps_from_nothing_to_its_factor(event):
    assert event.effect(event.start - timedelta(days=1)) == 1.0
    assert event.effect(event.start + timedelta(days=max(event.ramp_days, 1) + 30)) == pytest.approx(event.factor)
    ramp = [event.effect(event.start + timedelta(days=k)) for k in range(max(event.ramp_days, 1))]
    assert all(np.diff(ramp) >= 0) if event.factor > 1 else all(np.diff(ramp) <= 0)


def test_spending_factors_touch_only_the_planted_cells():
    day = date(2026, 10, 1)
    area = np.array(["41273", "41273", "41111", "41111"])
    category = np.array(["C27", "C12", "C27", "C24"])
    f = events.spending_factors(day, area, category)
    assert f[0] == pytest.approx(0.5) and f[1] == pytest.approx(1.8) and f[2] == 1.0 and f[3] == 1.0


def test_the_relief_is_paid_on_its_days_only():
    relief = next(e for e in events.EVENTS if e.kind == "relief_payment")
    assert events.relief_on(relief.start - timedelta(days=1)) is None
    assert events.relief_on(relief.start + timedelta(days=relief.days - 1)) is relief
    assert events.relief_on(relief.start + timedelta(days=relief.days)) is None
