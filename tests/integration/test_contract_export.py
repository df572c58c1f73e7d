"""The GX export is a suite a center can run: it passes a clean file and catches a bad one."""

import json

from regional_econ.cli import main
from regional_econ.contracts import contract
from regional_econ.contracts.gx import gx_suite
from tests.builders.deliveries import TOKEN_A, transactions

DAY = "2026-09-01"


def _validate(suite, frame, tmp_path):
    """Run the suite as a center would, on its own SQL database (row rules are SQL)."""
    import sqlite3

    import great_expectations as gx

    db = tmp_path / "center.db"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as con:
        frame.to_pandas().to_sql("delivery", con, index=False)
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sqlite("center", connection_string=f"sqlite:///{db}")
    batch_def = source.add_table_asset("delivery", table_name="delivery").add_batch_definition_whole_table("whole")
    return batch_def.get_batch().validate(context.suites.add(suite))


def test_exported_suite_passes_clean_and_fails_bad_rows(tmp_path):
    c = contract("kona/transactions")
    rows = [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M000000001", 300, "CANCEL", "T2026090100000001")]
    clean = transactions(DAY, rows)
    assert _validate(gx_suite(c), clean, tmp_path).success

    bad = clean.with_columns(clean["txn_type"].scatter(1, "REFUND"), clean["orig_txn_id"].scatter(1, None))
    result = _validate(gx_suite(c), bad, tmp_path)
    failed = {r.expectation_config.meta["rule"] for r in result.results if not r.success}
    assert failed == {"txn_type_domain"}


def test_export_command_writes_json(tmp_path, capsys):
    out = tmp_path / "suite.json"
    assert main(["contract", "export", "--feed", "msc/counseling_cases", "--format", "gx", "--out", str(out)]) == 0
    suite = json.loads(out.read_text())
    rules = {e["meta"]["rule"] for e in suite["expectations"]}
    assert {"case_id_unique", "debt_type_domain", "sigungu_cd_ref", "client_token_pattern"} <= rules
