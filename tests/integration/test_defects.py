"""Every defect class the generator plants is caught by the gate with the right rule id,
and a clean window passes untouched (no quarantine, no failing check)."""

import json
from datetime import date, timedelta

import pytest

from regional_econ.contracts import contracts
from regional_econ.gate.lookups import LOOKUPS
from regional_econ.periods import period_keys
from regional_econ.staging import stage_period
from regional_econ.storage.lake import Lake
from regional_econ.synth import generate
from regional_econ.synth.defects import DEFECT_CLASSES

START, DAYS = date(2026, 9, 1), 3


def staging_order() -> list:
    """Feeds whose lookup rules read another feed come after it."""
    needs = {c.id: {f for r in c.rules_at("lookup") for f in LOOKUPS[r.id].needs} for c in contracts().values()}
    ordered: list[str] = []
    while len(ordered) < len(needs):
        for feed, deps in needs.items():
            if feed not in ordered and deps <= set(ordered) | {feed}:
                ordered.append(feed)
    return [contracts()[f] for f in ordered]


def stage_window(root):
    lake, outcomes = Lake(root / "lake"), {}
    last = START + timedelta(days=DAYS - 1)
    for c in staging_order():
        for key in period_keys(c.delivery.cadence, START, last):
            outcomes[(c.id, key)] = stage_period(c, root / "landing", lake, key)
    return outcomes


def failing_checks(outcome) -> set[str]:
    return set(outcome.failures)


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    root = tmp_path_factory.mktemp("defects")
    generate(out=root / "landing", start=START, days=DAYS, scale=0.001, seed=5, defect_rate=0.02)
    truth = [json.loads(line) for line in (root / "landing" / "_defects.jsonl").read_text().splitlines()]
    return truth, stage_window(root)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    generate(out=root / "landing", start=START, days=DAYS, scale=0.001, seed=5)
    return stage_window(root)


def test_every_planted_defect_is_caught_with_its_rule(defective):
    truth, outcomes = defective
    missed = []
    for d in truth:
        if d["defect"] == "resend":
            continue
        outcome = outcomes[(d["feed"], d["period"])]
        if outcome.delivery.version != d["version"]:
            continue  # a corrected version replaced this file; see the re-send test
        if d["line"] is None:
            caught = d["rule"] in failing_checks(outcome) | ({outcome.rejection.rule} if outcome.rejection else set())
        else:
            rows = outcome.quarantined_rows
            hit = rows.filter(rows["_line"] == d["line"]) if rows is not None else None
            caught = hit is not None and hit.height == 1 and d["rule"] in hit["rules_broken"][0].to_list()
            if outcome.rejection:  # a whole-file rejection also stops its rows
                caught = True
        if not caught:
            missed.append(d)
    assert missed == []
    assert {d["defect"] for d in truth} == set(DEFECT_CLASSES), "every class is planted at least once"


def test_the_resend_is_in_force_and_clean(defective):
    truth, outcomes = defective
    resends = [d for d in truth if d["defect"] == "resend"]
    assert resends
    for d in resends:
        outcome = outcomes[(d["feed"], d["period"])]
        assert outcome.delivery.version == 2 and outcome.quarantined == 0 and not outcome.rejection


def test_rows_are_conserved_in_every_delivery(defective):
    _, outcomes = defective
    for outcome in outcomes.values():
        assert outcome.received == outcome.staged + outcome.quarantined + outcome.rejected


def test_a_clean_window_passes_untouched(clean):
    for (feed, key), outcome in clean.items():
        assert outcome.quarantined == 0 and outcome.rejection is None, (feed, key, outcome.broken_by_rule)
        assert failing_checks(outcome) == set(), (feed, key, failing_checks(outcome))
        assert outcome.staged == outcome.manifest["rows"] > 0
