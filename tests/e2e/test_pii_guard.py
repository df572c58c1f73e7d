"""A delivery carrying a resident registration number, through the real Dagster graph.

It is rejected whole, its feed's downstream assets do not run, and the number appears
nowhere: not in the lake, the receipts, the reports, the warehouse or the run's event log.
"""

import dagster as dg
import polars as pl

from assets.run import partition_range_tags
from regional_econ.contracts import contract
from regional_econ.synth.writer import encode
from resources import default_resources
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions

SECRET = "900101-1234567"
DAY = "2026-09-01"


def test_resident_number_blocks_downstream_and_is_copied_nowhere(tmp_path):
    from definitions import defs

    landing = tmp_path / "landing"
    deliver(landing, "kona/merchants", DAY, merchants([("M000000001", "41111")]))
    frame = transactions(
        DAY, [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M000000001", 2000, "APPROVE", None)]
    )
    text = encode(contract("kona/transactions"), frame).decode().replace(TOKEN_A, SECRET, 1)
    deliver(landing, "kona/transactions", DAY, frame, data=text.encode())

    selection = [
        dg.AssetKey(["staged", "kona", "merchants"]),
        dg.AssetKey(["quarantine", "kona", "merchants"]),
        dg.AssetKey(["staged", "kona", "transactions"]),
        dg.AssetKey(["quarantine", "kona", "transactions"]),
        dg.AssetKey(["marts", "spending_daily"]),
    ]
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=set(selection))
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance, resources=default_resources(tmp_path), raise_on_error=False, tags=partition_range_tags(DAY, DAY)
        )
        assert not result.success
        materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert "staged/kona/merchants" in materialized
        assert "marts/spending_daily" not in materialized, "downstream of a blocked feed must not run"
        checks = {
            (e.check_name, e.passed)
            for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
            if e.asset_key == dg.AssetKey(["staged", "kona", "transactions"])
        }
        assert ("no_direct_identifiers", False) in checks
        log = "\n".join(str(record) for record in instance.all_logs(result.run_id))
        assert "no_direct_identifiers" in log and "card_token" in log
        assert SECRET not in log and SECRET.replace("-", "") not in log

    defs.resolve_job_def("warehouse_refresh").execute_in_process(resources=default_resources(tmp_path))
    leaked = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and "landing" not in path.parts:
            data = path.read_bytes()
            if SECRET.encode() in data or SECRET.replace("-", "").encode() in data:
                leaked.append(str(path))
    assert leaked == []
    receipt = next((tmp_path / "lake" / "receipts" / "kona" / "transactions").rglob("*.json")).read_text()
    assert '"rejected_by_rule": "no_direct_identifiers"' in receipt and '"rejected_at_column": "card_token"' in receipt
    assert pl.read_parquet(next((tmp_path / "lake" / "quarantine" / "kona" / "transactions").rglob("*.parquet"))).height == 0
