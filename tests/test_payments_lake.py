"""What the payments mart asks of the lake: registers staged by the first day, partitions with card_key."""

import dagster as dg
import polars as pl
import pytest

from assets.marts.spending import month_payments, payments_of_days
from regional_econ.storage.lake import Lake


def test_a_day_before_the_first_register_delivery_fails_clearly(tmp_path):
    lake = Lake(tmp_path)
    lake.write("staged", "kona/merchants", "2026-09-02", pl.DataFrame({"merchant_id": ["M000000001"]}))
    lake.write("staged", "kona/cardholders", "2026-09-01", pl.DataFrame({"card_token": ["a" * 64]}))
    with pytest.raises(dg.Failure, match=r"nothing staged for kona/merchants on or before this day \(first: 2026-09-02\)"):
        next(payments_of_days(lake, ["2026-09-01", "2026-09-02"]))


def test_payments_written_before_card_key_ask_to_be_rebuilt(tmp_path):
    lake = Lake(tmp_path)
    lake.write("marts", "payments", "2026-09-01", pl.DataFrame({"card_token": ["a" * 64], "amount_krw": [1]}))
    lake.write("marts", "payments", "2026-09-02", pl.DataFrame({"card_key": [1], "amount_krw": [1]}, schema_overrides={"card_key": pl.UInt128}))
    with pytest.raises(dg.Failure, match=r"2026-09-01\.\.2026-09-01 \(1 day\(s\)\) predate card_key: re-materialize"):
        month_payments(lake, "2026-09-01")
