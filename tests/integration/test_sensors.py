"""Landing sensors request exactly the periods that need staging: deliveries without a receipt
(new, late, re-sent), and deliveries held back until their lookups' periods were staged."""

import dagster as dg

from regional_econ.contracts import contract
from regional_econ.staging import stage_period
from regional_econ.storage.lake import Lake
from resources import LandingZone, ParquetLake
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions

TXN, MER = contract("kona/transactions"), contract("kona/merchants")


def _evaluate(landing, lake_root, cursor=None):
    from definitions import defs

    sensor = defs.resolve_sensor_def("landing_kona")
    resources = {"landing": LandingZone(root=str(landing)), "lake": ParquetLake(root=str(lake_root))}
    result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, resources=resources, definitions=defs))
    return result.run_requests, result.cursor


def _requested(requests) -> set:
    return {(r.partition_key, r.asset_selection[0].to_user_string(), r.tags["regional_econ/reason"]) for r in requests}


def test_new_resent_and_already_staged_deliveries(tmp_path):
    landing, root = tmp_path / "landing", tmp_path / "lake"
    deliver(landing, MER.id, "2026-09-01", merchants([("M000000001", "41111")]))
    txn = transactions("2026-09-01", [(1, TOKEN_A, "M000000001", 100, "APPROVE", None)])
    deliver(landing, TXN.id, "2026-09-01", txn)
    requests, cursor = _evaluate(landing, root)
    assert _requested(requests) == {
        ("2026-09-01", "staged/kona/merchants", "new"),
        ("2026-09-01", "staged/kona/transactions", "new"),
    }
    # each run names its feed, for a run queue that stages a feed one run at a time
    assert {(r.tags["regional_econ/feed"], r.asset_selection[0].to_user_string()) for r in requests} == {
        ("kona/merchants", "staged/kona/merchants"), ("kona/transactions", "staged/kona/transactions")
    }  # fmt: skip
    for c in (MER, TXN):
        stage_period(c, landing, Lake(root), "2026-09-01")
    assert _evaluate(landing, root, cursor)[0] == []  # every delivery has its receipt
    assert len(cursor) < 200  # the receipts are the memory: the cursor does not grow with history
    deliver(landing, TXN.id, "2026-09-01", txn.with_columns(amount_krw=txn["amount_krw"] * 2), version=2)
    requests, _ = _evaluate(landing, root, cursor)
    assert [(r.partition_key, r.tags["regional_econ/delivery"], r.tags["regional_econ/reason"]) for r in requests] == [
        ("2026-09-01", "kona/transactions/2026-09-01/transactions_20260901_v2.csv", "re-sent")
    ]


def test_a_first_tick_over_a_staged_history_requests_nothing(tmp_path):
    landing, root = tmp_path / "landing", tmp_path / "lake"
    for day in ("2026-09-01", "2026-09-02", "2026-09-03"):
        deliver(landing, MER.id, day, merchants([("M000000001", "41111")]))
        stage_period(MER, landing, Lake(root), day)
    assert _evaluate(landing, root)[0] == []


def test_a_day_staged_before_its_predecessor_waits_and_is_requested_when_it_arrives(tmp_path):
    landing, root = tmp_path / "landing", tmp_path / "lake"
    for day in ("2026-09-01", "2026-09-02"):
        deliver(landing, MER.id, day, merchants([("M000000001", "41111")]))
        stage_period(MER, landing, Lake(root), day)
    deliver(landing, TXN.id, "2026-09-01", transactions("2026-09-01", [(1, TOKEN_A, "M000000001", 100, "APPROVE", None)]))
    stage_period(TXN, landing, Lake(root), "2026-09-01")
    # 09-03 arrives before 09-02: judged against an incomplete history it is held back, not mass-quarantined.
    early = transactions("2026-09-03", [(1, TOKEN_A, "M000000001", 50, "CANCEL", "T2026090200000001")])
    deliver(landing, MER.id, "2026-09-03", merchants([("M000000001", "41111")]))
    stage_period(MER, landing, Lake(root), "2026-09-03")
    deliver(landing, TXN.id, "2026-09-03", early)
    held = stage_period(TXN, landing, Lake(root), "2026-09-03")
    assert not held.promoted and set(held.blocking) == {"lookups_ready"}
    assert "kona/transactions 2026-09-02" in held.blocking["lookups_ready"]
    assert _evaluate(landing, root)[0] == []  # still waiting: nothing to do
    deliver(landing, TXN.id, "2026-09-02", transactions("2026-09-02", [(1, TOKEN_A, "M000000001", 900, "APPROVE", None)]))
    stage_period(TXN, landing, Lake(root), "2026-09-02")
    requests, _ = _evaluate(landing, root)
    assert _requested(requests) == {("2026-09-03", "staged/kona/transactions", "ready")}
    restaged = stage_period(TXN, landing, Lake(root), "2026-09-03")
    assert restaged.promoted and restaged.staged == 1  # the cancel finds its approval of 09-02


def test_a_day_whose_predecessor_is_delivered_waits_for_the_run_staging_it(tmp_path):
    """Runs side by side (a backfill, two at a time): 09-02 starts first and waits for 09-01,
    delivered and being staged by another run, instead of being held back."""
    import threading
    import time

    landing, root = tmp_path / "landing", tmp_path / "lake"
    for day in ("2026-09-01", "2026-09-02"):
        deliver(landing, MER.id, day, merchants([("M000000001", "41111")]))
        stage_period(MER, landing, Lake(root), day)
    deliver(landing, TXN.id, "2026-09-01", transactions("2026-09-01", [(1, TOKEN_A, "M000000001", 900, "APPROVE", None)]))
    deliver(
        landing, TXN.id, "2026-09-02", transactions("2026-09-02", [(1, TOKEN_A, "M000000001", 50, "CANCEL", "T2026090100000001")])
    )

    def other_run():
        time.sleep(1.0)
        stage_period(TXN, landing, Lake(root), "2026-09-01")

    thread = threading.Thread(target=other_run)
    thread.start()
    later = stage_period(TXN, landing, Lake(root), "2026-09-02", wait_for_lookups=60)
    thread.join()
    assert later.promoted and later.staged == 1  # the cancel found its approval of 09-01


def test_a_day_whose_predecessor_is_not_delivered_does_not_wait(tmp_path):
    import time

    landing, root = tmp_path / "landing", tmp_path / "lake"
    for day in ("2026-08-31", "2026-09-01", "2026-09-02"):
        deliver(landing, MER.id, day, merchants([("M000000001", "41111")]))
        stage_period(MER, landing, Lake(root), day)
    deliver(landing, TXN.id, "2026-08-31", transactions("2026-08-31", [(1, TOKEN_A, "M000000001", 9, "APPROVE", None)]))
    stage_period(TXN, landing, Lake(root), "2026-08-31")  # staged history exists, 09-01 never arrives
    deliver(landing, TXN.id, "2026-09-02", transactions("2026-09-02", [(1, TOKEN_A, "M000000001", 50, "APPROVE", None)]))
    began = time.monotonic()
    held = stage_period(TXN, landing, Lake(root), "2026-09-02", wait_for_lookups=60)
    assert time.monotonic() - began < 30  # held at once, not after the whole wait
    assert not held.promoted and set(held.blocking) == {"lookups_ready"}
