"""Deliveries a careless or hostile center sends, staged as the platform stages them.

Every one gets a receipt and a named rule (file, line where there is one, column), never a
traceback; a delivery that breaks an ERROR rule is not promoted and the period it was meant to
correct stays exactly as it was, for readers of the lake and of the warehouse alike.
"""

import json
import os
from datetime import date

import polars as pl
import pytest

from regional_econ import warehouse
from regional_econ.contracts import contract
from regional_econ.staging import MissingDelivery, stage_period
from regional_econ.storage.lake import Lake
from regional_econ.synth.writer import encode
from tests.builders.deliveries import TOKEN_A, TOKEN_B, deliver, merchants, transactions

TXN, MER = contract("kona/transactions"), contract("kona/merchants")
DAY, NEXT = "2026-09-01", "2026-09-02"
ROWS = [(i, TOKEN_A if i % 2 else TOKEN_B, "M000000001", 1000 * i, "APPROVE", None) for i in range(1, 7)]


def _frame(day: str = DAY, rows=ROWS) -> pl.DataFrame:
    return transactions(day, rows)


def _bytes(frame: pl.DataFrame) -> bytes:
    return encode(TXN, frame)


@pytest.fixture
def world(tmp_path):
    """merchants and one day of transactions (v1) staged and in force."""
    landing, lake = tmp_path / "landing", Lake(tmp_path / "lake")
    for day in (DAY, NEXT):
        deliver(landing, MER.id, day, merchants([("M000000001", "41111")]))
        stage_period(MER, landing, lake, day)
    deliver(landing, TXN.id, DAY, _frame())
    first = stage_period(TXN, landing, lake, DAY)
    assert first.promoted and first.staged == 6
    return tmp_path, landing, lake


def _state(root) -> dict:
    """Everything a reader of the period can see: its pointer and the files it points at."""
    lake = Lake(root / "lake")
    pointer = lake.pointer_path(TXN.id, DAY)
    seen = {"pointer": pointer.read_bytes()}
    for layer in ("staged", "quarantine"):
        seen[layer] = lake.files(layer, TXN.id, [DAY])[DAY].read_bytes()
    return seen


def _views(root) -> tuple:
    warehouse.build(root / "lake", root / "warehouse.duckdb")
    return tuple(
        warehouse.query(root / "warehouse.duckdb", "select count(*), sum(amount_krw) from staged.kona_transactions").row(0)
    ) + tuple(warehouse.query(root / "warehouse.duckdb", "select count(*) from quarantine.kona_transactions").row(0))


def _resend(landing, data: bytes, manifest: dict | None = None, version: int = 2):
    deliver(landing, TXN.id, DAY, _frame(), version=version, data=data, manifest=manifest)


def _cut_mid_row(data: bytes) -> bytes:
    return data[: int(len(data) * 0.6)]


def _with_line(data: bytes, number: int, line: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[number - 1] = line
    return b"\n".join(lines)


GOOD = _bytes(_frame())
BLOCKED = {
    "truncated upload": (
        lambda: (_cut_mid_row(GOOD), {"rows": 6, "sha256": __import__("hashlib").sha256(GOOD).hexdigest()}),
        {"manifest_rows", "manifest_sha256"},
    ),
    "checksum of other bytes": (lambda: (GOOD, {"sha256": "0" * 64}), {"manifest_sha256"}),
    "manifest rows wrong": (lambda: (GOOD, {"rows": 7}), {"manifest_rows"}),
    "not UTF-8": (lambda: (GOOD.replace(b"APPROVE", "승인".encode("cp949"), 1), None), {"delivery_readable"}),
    "lone carriage return": (lambda: (GOOD.replace(b"\n", b"\r", 2).replace(b"\r", b"\n", 1), None), {"delivery_readable"}),
    "a row with an extra field": (lambda: (_with_line(GOOD, 3, GOOD.split(b"\n")[2] + b",x"), None), {"delivery_readable"}),
    "a row with a field missing": (
        lambda: (_with_line(GOOD, 4, GOOD.split(b"\n")[3].rsplit(b",", 1)[0]), None),
        {"delivery_readable"},
    ),
    "an unclosed quote": (lambda: (_with_line(GOOD, 5, b'"' + GOOD.split(b"\n")[4]), None), {"delivery_readable"}),
    "header only": (lambda: (GOOD.split(b"\n")[0] + b"\n", {"rows": 0}), {"delivery_not_empty"}),
    "another day's rows": (lambda: (_bytes(_frame(NEXT)), None), {"delivery_in_period"}),
    "a resident number": (lambda: (GOOD.replace(TOKEN_A.encode(), b"900101-1234567", 1), None), {"no_direct_identifiers"}),
    "manifest not JSON": (lambda: (GOOD, "not json"), {"manifest_readable"}),
    "manifest not an object": (lambda: (GOOD, [1, 2]), {"manifest_readable"}),
    "manifest says CP949": (lambda: (GOOD, {"encoding": "cp949"}), {"manifest_encoding"}),
}


def _deliver_raw_manifest(landing, data: bytes, manifest) -> None:
    """A v2 whose manifest is whatever the center wrote (also not JSON, or not an object)."""
    folder = landing / TXN.id / DAY
    path = folder / "transactions_20260901_v2.csv"
    path.write_bytes(data)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / (path.name + ".manifest.json")).write_text(text)


@pytest.mark.parametrize("variant", list(BLOCKED))
def test_a_blocked_resend_changes_nothing_readers_see(world, variant):
    root, landing, lake = world
    before, views = _state(root), _views(root)
    make, expected = BLOCKED[variant]
    data, manifest = make()
    if isinstance(manifest, str | list):
        _deliver_raw_manifest(landing, data, manifest)
    else:
        _resend(landing, data, manifest)
    outcome = stage_period(TXN, landing, lake, DAY)  # never a traceback
    assert not outcome.promoted and expected <= set(outcome.blocking), outcome.failures
    assert _state(root) == before and _views(root) == views
    receipts = {r["version"]: r for r in lake.receipts(TXN.id, DAY)}
    assert receipts[1]["rows_staged"] == 6, "the superseded-or-not v1 keeps its counts"
    assert receipts[2]["outcome"] == "blocked" and expected <= set(receipts[2]["rules_blocking"])


def test_parse_errors_name_the_physical_line_and_never_echo_it(world):
    _, landing, lake = world
    secret_line = GOOD.split(b"\n")[3] + b",XSECRETX"
    _resend(landing, _with_line(GOOD, 4, secret_line))
    outcome = stage_period(TXN, landing, lake, DAY)
    assert outcome.rejection.rule == "csv_wellformed" and outcome.rejection.line == 4
    assert "XSECRETX" not in str(outcome.rejection) and "XSECRETX" not in json.dumps(outcome.failures)


def test_a_quoted_line_break_keeps_every_later_line_number_right(world):
    _, landing, lake = world
    lines = GOOD.split(b"\n")
    fields = lines[2].split(b",")
    fields[7] = b'"CARD\nCARD"'  # channel with a line break: breaks its domain rule, spans lines 3-4
    bad = lines[5].split(b",")
    bad[4] = b"-5"  # amount out of range, on physical line 7 (it is the 5th record)
    data = b"\n".join([*lines[:2], b",".join(fields), *lines[3:5], b",".join(bad), *lines[6:]])
    _resend(landing, data)
    outcome = stage_period(TXN, landing, lake, DAY)
    lines_by_rule = {r: sorted(outcome.quarantined_rows.filter(pl.col("rules_broken").list.contains(r))["_line"].to_list())
                     for r in outcome.broken_by_rule}  # fmt: skip
    assert lines_by_rule == {"channel_domain": [3], "amount_krw_range": [7]}
    assert outcome.records == 6 and not outcome.blocking


def test_rows_of_another_period_replayed_keys_long_text_and_control_characters_are_quarantined(world):
    _, landing, lake = world
    replayed = (3, TOKEN_A, "M000000001", 3000, "APPROVE", None)  # txn T2026090100000003, staged on 09-01
    frame = pl.concat(
        [
            _frame(NEXT, [(1, TOKEN_A, "M000000001", 100, "APPROVE", None), (2, TOKEN_A, "M000000001", 200, "APPROVE", None)]),
            transactions(DAY, [replayed]).with_columns(approved_at=pl.lit(None, TXN.schema["approved_at"])),
            _frame(DAY, [(9, TOKEN_A, "M000000001", 900, "APPROVE", None)]),
        ]
    ).with_columns(approved_at=pl.col("approved_at").fill_null(pl.datetime(2026, 9, 2, 10, time_zone="Asia/Seoul")))
    deliver(landing, TXN.id, NEXT, frame)
    outcome = stage_period(TXN, landing, lake, NEXT)
    assert outcome.promoted and outcome.broken_by_rule == {"approved_at_in_period": 1, "txn_id_unique_across_periods": 1}

    name = merchants([("M000000002", "41111")])
    long_text = name.with_columns(merchant_name=pl.lit("가" * 5_000_000))
    nul = merchants([("M000000003", "41111")]).with_columns(merchant_name=pl.lit("행복\x00분식"))
    deliver(landing, MER.id, NEXT, pl.concat([merchants([("M000000001", "41111")]), long_text, nul]), version=2)
    outcome = stage_period(MER, landing, lake, NEXT)
    assert outcome.broken_by_rule == {"merchant_name_max_length": 1, "merchant_name_no_control_chars": 1}
    assert outcome.promoted and outcome.staged == 1


def test_a_resend_with_half_the_rows_is_flagged(world):
    _, landing, lake = world
    deliver(landing, TXN.id, DAY, _frame(rows=ROWS[:2]), version=2)
    outcome = stage_period(TXN, landing, lake, DAY)
    assert "resend_not_shrinking" in outcome.failures and outcome.promoted  # a WARN: shown, and the correction stands


def test_symlinks_and_misnamed_files_are_refused_with_a_receipt(world, tmp_path):
    root, landing, lake = world
    before = _state(root)
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(GOOD)
    folder = landing / TXN.id / DAY
    os.symlink(outside, folder / "transactions_20260901_v2.csv")
    (folder / "transactions_20260901_v2.csv.manifest.json").write_text(json.dumps({"rows": 6, "sha256": "0" * 64}))
    outcome = stage_period(TXN, landing, lake, DAY)
    assert "landing_regular_file" in outcome.blocking and not outcome.promoted and _state(root) == before
    refused = {r["file"]: r for r in lake.receipts(TXN.id, DAY) if r["outcome"] == "refused"}
    assert [r["rules_failed"] for r in refused.values()] == [["landing_regular_file"]]

    # Only misnamed files: the failure says which, and why.
    other = landing / TXN.id / "2026-09-05"
    other.mkdir(parents=True)
    (other / "transactions_20260906_v1.csv").write_bytes(GOOD)
    (other / "transactions 2026-09-05.csv").write_bytes(GOOD)
    with pytest.raises(
        MissingDelivery, match=r"transactions_20260906_v1.csv refused: named for 20260906, in the folder of 2026-09-05"
    ):
        stage_period(TXN, landing, lake, "2026-09-05")
    assert {r["rules_failed"][0] for r in lake.receipts(TXN.id, "2026-09-05")} == {"file_name_matches_folder"}


def test_a_parquet_column_of_a_nested_type_is_refused_by_position(tmp_path):
    feed = contract("theimc/consumer_trends")
    frame = pl.DataFrame(schema=feed.schema).with_columns(pl.Series("mention_count", [], dtype=pl.List(pl.Int64)))
    landing = tmp_path / "landing"
    buffer = __import__("io").BytesIO()
    frame.write_parquet(buffer)
    key = "2026-08-31"
    deliver(landing, feed.id, key, pl.DataFrame(schema=feed.schema), data=buffer.getvalue())
    outcome = stage_period(feed, landing, Lake(tmp_path / "lake"), key)
    assert outcome.rejection.rule == "format_declared" and "positions" in str(outcome.rejection)
    assert not outcome.promoted


def test_rows_are_conserved_against_the_lines_counted_in_the_file(world):
    _, landing, lake = world
    outcome = stage_period(TXN, landing, lake, DAY)
    assert outcome.records == GOOD.count(b"\n") - 1 == outcome.staged + outcome.quarantined + outcome.rejected
    assert date.fromisoformat(DAY)
