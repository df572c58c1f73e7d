"""Reading deliveries in every encoding, label style and format the contracts allow."""

from dataclasses import replace

import polars as pl
import pytest

from regional_econ.contracts import contract
from regional_econ.gate import gate_rows, read_delivery
from regional_econ.gate.errors import DeliveryError
from regional_econ.gate.read import decode
from regional_econ.reference import derive
from regional_econ.synth.writer import write_delivery

REFERENCE = derive.DEFAULT_SOURCE


def _counselling():
    c = contract("msc/counseling_cases")
    frame = pl.DataFrame(
        {
            "case_id": ["CS0000000001", "CS0000000002"],
            "client_token": ["ab" * 32, "cd" * 32],
            "sigungu_cd": ["41111", "41820"],
            "age_band": ["30", "90+"],
            "gender": ["F", "M"],
            "debt_type": ["CARD", "OTHER"],
            "debt_band": ["UNDER_10M", "OVER_100M"],
            "outcome": ["EDUCATION", "WELFARE_LINK"],
            "opened_on": ["2026-09-01", "2026-09-01"],
        }
    ).with_columns(pl.col("opened_on").str.to_date())
    return c, frame


@pytest.mark.parametrize("encoding,header", [("cp949", "ko"), ("utf-8", "en"), ("utf-8-sig", "ko"), ("utf-8", "ko")])
def test_csv_in_each_encoding_and_label_style_reads_back(tmp_path, encoding, header):
    c, frame = _counselling()
    c = replace(c, delivery=replace(c.delivery, encoding=encoding, header=header))
    delivery = write_delivery(tmp_path, c, "2026-09-01", frame)
    raw = delivery.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    if header == "ko":
        assert "상담번호".encode(encoding.replace("-sig", "")) in raw
    result = gate_rows(c, read_delivery(c, delivery.path), "f")
    assert result.quarantined.height == 0
    assert result.staged.to_dicts() == frame.to_dicts()


def test_parquet_delivery_reads_back(tmp_path):
    c = contract("gtp/tech_firms")
    frame = pl.DataFrame(
        {
            "biz_token": ["ef" * 32],
            "base_quarter": ["2026Q3"],
            "tech_field_cd": ["BIO"],
            "rnd_krw": [10],
            "patents": [2],
            "employees": [5],
            "is_venture": [True],
        }
    ).cast(dict(c.schema))
    delivery = write_delivery(tmp_path, c, "2026-07-01", frame)
    result = gate_rows(c, read_delivery(c, delivery.path), "f")
    assert result.staged.to_dicts() == frame.to_dicts()


def test_cp949_file_declared_utf8_is_rejected_with_its_line(tmp_path):
    c, frame = _counselling()
    c_utf8 = replace(c, delivery=replace(c.delivery, encoding="utf-8"))
    delivery = write_delivery(tmp_path, c, "2026-09-01", frame)  # written in CP949
    with pytest.raises(DeliveryError) as err:
        read_delivery(c_utf8, delivery.path)
    assert err.value.rule == "encoding_declared" and err.value.line == 1
    assert str(delivery.path) in str(err.value)


def test_utf8_file_declared_cp949_is_rejected_not_read_as_mojibake(tmp_path):
    c, frame = _counselling()
    c_utf8 = replace(c, delivery=replace(c.delivery, encoding="utf-8"))
    delivery = write_delivery(tmp_path, c_utf8, "2026-09-01", frame)
    with pytest.raises(DeliveryError, match="UTF-8 but the contract declares CP949"):
        read_delivery(c, delivery.path)


def test_a_real_cp949_file_decodes():
    c, _ = _counselling()
    text = decode(c, (REFERENCE / "portal2019_total_by_sigungu_cp949.csv").read_bytes(), "portal")
    assert text.startswith("시도명,시군구명,연령대코드")


def test_unknown_or_missing_columns_are_named_by_position_not_value(tmp_path):
    c, frame = _counselling()
    path = tmp_path / "x.csv"
    text = "\n".join([",".join(c.header_names() + ["900101-1234567"]), ""])
    path.write_bytes(text.encode("cp949"))
    with pytest.raises(DeliveryError) as err:
        read_delivery(c, path)
    assert err.value.rule == "header_matches" and "900101" not in str(err.value)
    path.write_bytes(",".join(c.header_names()[:-1]).encode("cp949"))
    with pytest.raises(DeliveryError, match="missing columns: opened_on"):
        read_delivery(c, path)
