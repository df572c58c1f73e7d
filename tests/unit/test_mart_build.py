"""What the marts ask of the lake: declared inputs, and frames that match their declaration."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regional_econ.marts import MARTS, build
from regional_econ.marts.inputs import MissingInput
from regional_econ.storage.lake import Lake
from tests.builders.lake import put_staged


def test_a_day_before_the_first_register_delivery_fails_clearly(tmp_path):
    lake = Lake(tmp_path)
    put_staged(lake, "kona/merchants", "2026-09-02", pl.DataFrame({"merchant_id": ["M000000001"]}))
    put_staged(lake, "kona/cardholders", "2026-09-01", pl.DataFrame({"card_token": ["a" * 64]}))
    with pytest.raises(MissingInput, match=r"nothing staged for kona/merchants on or before this day \(first: 2026-09-02\)"):
        next(build.periods(MARTS["payments"], lake, ["2026-09-01", "2026-09-02"]))


def test_a_required_input_with_nothing_for_the_period_names_it_and_the_span(tmp_path):
    with pytest.raises(
        MissingInput, match=r"spending_monthly 2026-09-01: marts/payments has nothing for 2026-09-01\.\.2026-09-30"
    ):
        next(build.periods(MARTS["spending_monthly"], Lake(tmp_path), ["2026-09-01"]))


def test_an_optional_input_is_an_empty_frame_of_its_source_schema(tmp_path):
    lake = Lake(tmp_path)
    mart = MARTS["finance_stress"]
    frame = mart.inputs["cases"].read(lake, mart.name, mart.cadence, "2026-09-01")
    assert frame.collect().height == 0 and "client_token" in frame.collect_schema()


def test_conform_orders_the_declared_columns_and_types_an_all_null_column():
    mart = MARTS["job_mismatch"]
    declared = [c.name for c in mart.stored_columns]
    frame = pl.DataFrame({"mismatch_null_reason": [None], "extra": [1]}).with_columns(
        *[pl.lit(None).alias(c) for c in declared if c != "mismatch_null_reason"], month=pl.lit("2026-09-01")
    )
    out = build.conform(mart, frame)
    assert out.columns == [*declared, "extra"] and out.schema["mismatch_index"] == pl.Float64


def test_a_declaration_that_does_not_match_its_transform_fails_at_import():
    from dataclasses import replace

    with pytest.raises(ValueError, match="do not match"):
        replace(MARTS["job_mismatch"], inputs={"matches": MARTS["job_mismatch"].inputs["matching"]})


def test_every_declared_column_is_used_and_every_mart_column_is_declared():
    from regional_econ.marts.columns import COLUMNS
    from regional_econ.publish.files import NAME_COLUMN

    used = {c.name for m in MARTS.values() for c in m.declared_columns}
    names = {code.replace("_cd", "_name") for m in MARTS.values() if m.publish for code in m.publish.names}
    assert set(COLUMNS) - used - names == {"suppressed"}
    assert set(NAME_COLUMN) >= {t for m in MARTS.values() if m.publish for t in m.publish.names.values()}
    with pytest.raises(KeyError, match="not declared"):
        MARTS["spending_monthly"].column("no_such_column")


def test_a_column_added_to_a_declaration_appears_in_the_stored_schema():
    from dataclasses import replace

    from regional_econ.marts.columns import MartColumn

    mart = MARTS["job_mismatch"]
    extra = MartColumn("areas_compared", pl.Int64(), "비교지역수", "test column")
    wider = replace(mart, columns=(*mart.columns, extra.name), own=(extra,))
    assert wider.schema["areas_compared"] == pl.Int64 and "areas_compared" in [c.name for c in wider.stored_columns]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.sets(st.integers(0, 120), min_size=0, max_size=12),
    first_month=st.integers(0, 4),
    months=st.integers(1, 4),
    required=st.booleans(),
    collect=st.booleans(),
    cadence=st.sampled_from(["monthly", "weekly"]),
)
def test_a_register_read_once_per_run_gives_each_period_what_reading_it_alone_gives(
    tmp_path_factory, days, first_month, months, required, collect, cadence
):
    """Read once for the run and cut to each period's end, a register is what the period alone would read."""
    from dataclasses import replace
    from datetime import date, timedelta

    from regional_econ.marts.inputs import register
    from regional_econ.periods import period_keys

    lake = Lake(tmp_path_factory.mktemp("lake"))
    start = date(2026, 1, 1)
    for n in sorted(days):
        day = (start + timedelta(days=n)).isoformat()
        put_staged(lake, "kona/merchants", day, pl.DataFrame({"merchant_id": [f"M{n:09d}", f"M{n + 500:09d}"]}))
    source = replace(register("kona/merchants", required=required), collect=collect)
    first = start + timedelta(days=30 * first_month)
    keys = period_keys(cadence, first, first + timedelta(days=30 * months))

    def outcome(read, *args):
        try:
            frame = read(*args)
            return (frame if collect else frame.collect()).to_dicts()  # in the order read
        except MissingInput as err:
            return str(err)

    as_of = source.history(lake, "m", cadence, keys)
    for key in keys:
        assert outcome(as_of, key) == outcome(source.read, lake, "m", cadence, key)
