"""Landing sensors request exactly the periods whose deliveries are new or re-sent."""

import dagster as dg

from resources import LandingZone
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions


def _evaluate(sensor, landing, cursor=None):
    from definitions import defs

    context = dg.build_sensor_context(cursor=cursor, resources={"landing": LandingZone(root=str(landing))}, definitions=defs)
    result = sensor.evaluate_tick(context)
    return result.run_requests, result.cursor


def test_new_and_resent_deliveries_are_requested_once(tmp_path):
    from definitions import defs

    sensor = defs.resolve_sensor_def("landing_kona")
    landing = tmp_path / "landing"
    deliver(landing, "kona/merchants", "2026-09-01", merchants([("M000000001", "41111")]))
    deliver(
        landing, "kona/transactions", "2026-09-02", transactions("2026-09-02", [(1, TOKEN_A, "M000000001", 100, "APPROVE", None)])
    )
    requests, cursor = _evaluate(sensor, landing)
    assert {(r.partition_key, tuple(k.to_user_string() for k in r.asset_selection)) for r in requests} == {
        ("2026-09-01", ("staged/kona/merchants", "quarantine/kona/merchants")),
        ("2026-09-02", ("staged/kona/transactions", "quarantine/kona/transactions")),
    }
    assert _evaluate(sensor, landing, cursor)[0] == []  # nothing new
    deliver(
        landing,
        "kona/transactions",
        "2026-09-02",
        transactions("2026-09-02", [(1, TOKEN_A, "M000000001", 90, "APPROVE", None)]),
        version=2,
    )
    requests, _ = _evaluate(sensor, landing, cursor)
    assert [(r.partition_key, r.tags["regional_econ/delivery"]) for r in requests] == [
        ("2026-09-02", "kona/transactions/2026-09-02/transactions_20260902_v2.csv")
    ]
