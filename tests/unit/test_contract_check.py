"""`regional-econ contract check` on hand-written hostile files: exit codes, rules named, no PII printed."""

import json
from pathlib import Path

import pytest

from regional_econ.cli import main

HEADER = "txn_id,approved_at,card_token,merchant_id,amount_krw,txn_type,orig_txn_id,channel,policy_fund_cd"
TOKEN = "0123456789abcdef" * 4


def row(n, amount=10000, kind="APPROVE", orig="", merchant="M000000001"):
    return f"T20260901{n:08d},2026-09-01T12:00:00+09:00,{TOKEN},{merchant},{amount},{kind},{orig},CARD,"


def write(tmp_path: Path, lines: list[str], name="transactions_20260901_v1.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def check(capsys, path, feed="kona/transactions", fmt="text"):
    code = main(["contract", "check", str(path), "--feed", feed, "--format", fmt])
    return code, capsys.readouterr().out


def test_clean_file_passes(tmp_path, capsys):
    code, out = check(capsys, write(tmp_path, [HEADER, row(1), row(2, 500, "CANCEL", "T2026090100000001")]))
    assert code == 0 and out.startswith("PASS") and "accepted 2, rejected 0" in out


def test_negative_amount_duplicate_row_and_cancel_above_approval(tmp_path, capsys):
    lines = [
        HEADER,
        row(1),
        row(2, amount=-5000),
        row(3),
        row(3),
        row(4, 6000, "CANCEL", "T2026090100000001"),
        row(5, 6000, "CANCEL", "T2026090100000001"),
    ]
    code, out = check(capsys, write(tmp_path, lines), fmt="json")
    report = json.loads(out)
    assert code == 1 and not report["passed"]
    by_rule = {f["rule"]: f for f in report["failures"]}
    # amount_krw is an internal column: the report names the line, never the value.
    assert by_rule["amount_krw_range"]["first_lines"] == [3] and by_rule["amount_krw_range"]["sample"] is None
    assert "-5000" not in out
    assert by_rule["txn_id_unique"]["first_lines"] == [5]
    assert by_rule["cancel_has_approval"]["first_lines"] == [6, 7]
    assert report["accepted"] == 2 and report["rejected"] == 4


def test_file_cut_mid_row_fails_its_manifest(tmp_path, capsys):
    path = write(tmp_path, [HEADER, row(1), row(2)[:40]])
    path.with_name(path.name + ".manifest.json").write_text(json.dumps({"rows": 3, "sha256": "0" * 64}))
    code, out = check(capsys, path)
    assert code == 1
    assert "manifest_rows" in out and "manifest_sha256" in out
    assert "csv_wellformed" in out and "line 3" in out  # the cut row has fewer fields than the header


MERCHANT_HEADER = (
    "merchant_id,biz_token,merchant_name,category_cd,ksic_cd,sigungu_cd,road_address,lat,lon,sales_class,registered_on,closed_on"
)


def merchant(area="41111", name="행복분식"):
    return f"M000000001,{TOKEN},{name},C27,56111,{area},경기도 수원시 장안구 1,37.3,127.0,영세,2020-01-01,"


def test_cp949_file_labelled_utf8_is_rejected_whole(tmp_path, capsys):
    path = write(tmp_path, [MERCHANT_HEADER, merchant()], name="merchants_20260901_v1.csv", encoding="cp949")
    code, out = check(capsys, path, feed="kona/merchants")
    assert code == 1 and "encoding_declared" in out and "line 2" in out


def test_unknown_area_code_names_the_rule(tmp_path, capsys):
    path = write(tmp_path, [MERCHANT_HEADER, merchant(area="41999")], name="merchants_20260901_v1.csv")
    code, out = check(capsys, path, feed="kona/merchants")
    assert code == 1 and "sigungu_cd_ref" in out and "41999" in out  # a public code may be shown


@pytest.mark.parametrize("secret", ["900101-1234567", "010-1234-5678", "hong@example.com", "4111-1111-1111-1111"])
def test_direct_identifier_is_never_printed(tmp_path, capsys, secret):
    path = write(tmp_path, [MERCHANT_HEADER, merchant(name=f"가게 {secret}")], name="merchants_20260901_v1.csv")
    for fmt in ("text", "json"):
        code, out = check(capsys, path, feed="kona/merchants", fmt=fmt)
        assert code == 1 and "no_direct_identifiers" in out and "merchant_name" in out
        assert secret not in out and secret.replace("-", "") not in out


def test_business_identifying_values_are_masked(tmp_path, capsys):
    path = write(tmp_path, [MERCHANT_HEADER, merchant().replace(",37.3,", ",12.5,")], name="merchants_20260901_v1.csv")
    code, out = check(capsys, path, feed="kona/merchants")
    assert code == 1 and "lat_range" in out and "12.5" not in out
