"""The benchmark harness stays tied to the code it measures."""

import pytest


def test_every_phase_timer_finds_its_target_and_a_missing_one_is_an_error(monkeypatch):
    from benchmarks import phases

    timer = phases.PhaseTimer().install()
    try:
        assert len(timer._patched) > len(phases.TARGETS)
    finally:
        timer.uninstall()
    monkeypatch.setattr(phases, "TARGETS", [("regional_econ.gate", "no_such_function", "gone")])
    with pytest.raises(LookupError, match="no_such_function no longer exists"):
        phases.PhaseTimer().install()
