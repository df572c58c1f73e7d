"""The pandera schemas derived from the contracts and the mart declarations."""

from dataclasses import replace

import polars as pl
import pytest

from checks.output_schema import SchemaFailures, mart_schema, staged_schema
from regional_econ.contracts import contract
from regional_econ.marts import MARTS
from regional_econ.marts.columns import MartColumn

MISMATCH = MARTS["job_mismatch"]


def _good_mismatch() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sigungu_cd": ["41111", "41113"],
            "openings": [3, 0],
            "active_seekers": [4, 2],
            "mismatch_index": [0.25, None],
            "mismatch_null_reason": [None, "no_openings"],
        },
        schema={c.name: c.dtype for c in MISMATCH.stored_columns},
    )


def _failures(frame, schema) -> dict:
    found = SchemaFailures()
    found.add("2026-09-01", frame, schema)
    return found.partitions.get("2026-09-01", {})


def test_a_frame_as_declared_passes():
    assert _failures(_good_mismatch(), mart_schema(MISMATCH)) == {}


@pytest.mark.parametrize(
    "broken, expected",
    [
        (lambda f: f.with_columns(extra=pl.lit(1)), "column_in_schema"),
        (lambda f: f.drop("mismatch_index"), "column_in_dataframe"),
        (lambda f: f.with_columns(pl.col("openings").cast(pl.Int32)), "openings: dtype('Int64')"),
        (lambda f: pl.concat([f, f.head(1)]), "grain_unique"),
        (lambda f: f.with_columns(sigungu_cd=pl.lit(None, pl.String)), "sigungu_cd: not_nullable"),
        (lambda f: f.with_columns(mismatch_index=pl.lit(1.5)), "mismatch_index: in_range(0, 1)"),
        (lambda f: f.with_columns(openings=pl.lit(-1, pl.Int64)), "openings: greater_than_or_equal_to(0)"),
    ],
)
def test_each_kind_of_drift_is_named_by_column_and_check(broken, expected):
    found = _failures(broken(_good_mismatch()), mart_schema(MISMATCH))
    assert any(expected in what for what in found), found


def test_failures_carry_counts_and_positions_never_values():
    secret = "900101-1234567"
    frame = _good_mismatch().with_columns(sigungu_cd=pl.Series([secret, "41113"]))
    coded = MartColumn("sigungu_cd", pl.String(), "시군구코드", "area", domain=("41111", "41113"))
    schema = mart_schema(replace(MISMATCH, own=(coded,)))
    found = SchemaFailures()
    assert not found.add("2026-09-01", frame, schema)
    assert found.partitions["2026-09-01"]["sigungu_cd: isin(['41111', '41113'])"] == {"rows": 1, "first_rows": [0]}
    assert secret not in repr(found.partitions) and secret not in found.describe()


def test_a_column_added_to_a_contract_or_a_mart_is_in_its_schema():
    column = MartColumn("areas", pl.Int64(), "지역수", "test")
    wider = replace(MISMATCH, columns=(*MISMATCH.columns, "areas"), own=(column,))
    assert "areas" in mart_schema(wider).columns
    feed = contract("kona/charges")
    column = replace(feed.columns[0], name="note", required=False, unique=False, pattern=None)
    assert "note" in staged_schema(replace(feed, columns=(*feed.columns, column))).columns


def test_the_staged_schema_follows_the_contract():
    schema = staged_schema(contract("kona/transactions"))
    assert [c.name for c in schema.checks] == ["grain_unique"] and schema.strict
    assert schema.columns["orig_txn_id"].nullable and not schema.columns["txn_id"].nullable
    frame = pl.DataFrame(schema=contract("kona/transactions").schema)
    assert _failures(frame, schema) == {}
    assert "amount_krw: in_range(1, 50000000)" in _failures(
        pl.DataFrame({"amount_krw": [0]}).join(frame.drop("amount_krw").clear(1), how="cross").select(frame.columns), schema
    )


def test_a_repeated_key_in_a_mart_with_a_128_bit_column_is_named():
    """payments carries card_key (UInt128), which pandera cannot tabulate as a failure case."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    payments = MARTS["payments"]
    at = datetime(2026, 9, 1, 0, 13, tzinfo=ZoneInfo("Asia/Seoul"))
    rows = [
        {"txn_id": f"T{i}", "approved_at": at, "merchant_id": "M1", "amount_krw": 5900, "txn_type": "APPROVE",
         "orig_txn_id": None, "channel": "CARD", "policy_fund_cd": None, "hour": 0, "day_of_week": 2,
         "month": "2026-09-01", "sigungu_cd": "41310", "category_cd": "C24", "sales_class": "중소1",
         "home_sigungu_cd": "41310", "currency_cd": "41310", "age_band": "30", "gender": "F",
         "card_key": 2**127 + i if i % 2 else i}  # half of them above the largest Int128
        for i in range(10)
    ]  # fmt: skip
    frame = pl.DataFrame(rows * 2, schema={c.name: c.dtype for c in payments.stored_columns})
    assert any("grain_unique" in what for what in _failures(frame, mart_schema(payments)))
