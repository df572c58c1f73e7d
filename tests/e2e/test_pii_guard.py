"""Direct identifiers of every class, planted in typed and free-text columns of real-format files,
through the real platform (`regional-econ-run`, its own Dagster instance, the warehouse).

Every such delivery is rejected whole, naming rule, column and line; its feed's downstream does
not run; and no planted value appears in any output: the lake (staged, quarantine, receipts,
pointers), the reports, the warehouse, Dagster's run and event storage and compute logs, or
what the run printed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from regional_econ.contracts import contract
from regional_econ.synth.writer import encode
from tests.builders.deliveries import TOKEN_A, deliver, merchants, transactions

# Merchants are upstream of transactions: their identifiers come in a second run, on later days.
DAYS = ("2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04")
# what -> (feed, day, column, the value written in place of the cell)
PLANTED = {
    "resident number as an amount": ("kona/transactions", DAYS[0], "amount_krw", "9001011234567"),
    "phone number in place of a token": ("kona/transactions", DAYS[1], "card_token", "010-9876-5432"),
    "e-mail inside a merchant's name": ("kona/merchants", DAYS[2], "merchant_name", "행복분식 hong.gildong@example.com"),
    "card number as a coordinate": ("kona/merchants", DAYS[3], "lat", "4111111111111111"),
    "full-width phone inside a programme name": (
        "gbsa/sme_support",
        DAYS[0],
        "program_name",
        "창업지원 ０１０－２２２２－３３３３",
    ),
    "business number after a company name": ("gbsa/sme_support", DAYS[1], "program_name", "(주)행복상사 123-45-67891 지원"),
}


def _secrets() -> list[bytes]:
    """Every planted value, as written and as its bare digits (or address), in UTF-8."""
    found = set()
    for *_, value in PLANTED.values():
        found.add(value)
        core = re.search(r"[0-9０-９][0-9０-９\-－]{7,}[0-9０-９]|[\w.]+@[\w.]+", value)[0]
        found.add(core)
        digits = re.sub(r"\D", "", core.translate({0xFF10 + i: str(i) for i in range(10)}))
        if len(digits) >= 9:
            found.add(digits)
    return sorted(s.encode() for s in found)


def _plant(landing: Path, feed: str, day: str, frame: pl.DataFrame, column: str, value: str) -> None:
    """The file as the center writes it, with ``value`` typed over the first row's ``column``."""
    c = contract(feed)
    header, first, *rest = encode(c, frame).decode(c.delivery.encoding).split("\n")
    cells = first.split(",")
    cells[c.column_names.index(column)] = value
    deliver(landing, feed, day, frame, data="\n".join([header, ",".join(cells), *rest]).encode(c.delivery.encoding))


def _frames(day: str) -> dict[str, pl.DataFrame]:
    from datetime import date

    support = pl.DataFrame(
        {"award_id": ["AW2042300001"], "biz_token": [TOKEN_A], "program_cd": ["STARTUP"], "program_name": ["창업지원"],
         "support_krw": [5_000_000], "awarded_on": [date.fromisoformat(day)]}
    ).cast(dict(contract("gbsa/sme_support").schema))  # fmt: skip
    return {
        "kona/transactions": transactions(day, [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None)]),
        "kona/merchants": merchants([("M000000001", "41111")]),
        "gbsa/sme_support": support,
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pii")
    data, home = root / "data", root / "dagster"
    for feed, day, column, value in PLANTED.values():
        _plant(data / "landing", feed, day, _frames(day)[feed], column, value)
    for day in DAYS[:2]:
        deliver(data / "landing", "kona/merchants", day, merchants([("M000000001", "41111")]))
    env = {**os.environ, "REGIONAL_ECON_DATA": str(data), "DAGSTER_HOME": str(home)}
    command = [str(Path(sys.executable).parent / "regional-econ-run"), "--days", "2", "--cadence", "daily", "--start"]
    runs = [subprocess.run([*command, start], capture_output=True, env=env, timeout=600) for start in (DAYS[0], DAYS[2])]
    return root, runs


def test_each_delivery_is_rejected_whole_naming_rule_column_and_line(run):
    root, runs = run
    assert [r.returncode for r in runs] == [1, 1]  # the daily cycle fails: blocked feeds, and their downstream not run
    lake = root / "data" / "lake"
    for feed, day, column, _ in PLANTED.values():
        assert not (lake / "_meta" / "in_force" / feed / f"date={day}.json").exists(), f"{feed} {day} must not be promoted"
        (receipt,) = (lake / "receipts" / feed / f"date={day}").glob("*.json")
        text = receipt.read_text()
        assert '"rejected_by_rule": "no_direct_identifiers"' in text and f'"rejected_at_column": "{column}"' in text
        assert '"rejected_at_line": 2' in text
    columns = {column for _, _, column, _ in PLANTED.values()}
    reports = "".join(p.read_text() for p in (root / "data" / "reports").rglob("*.html"))
    assert all(f"column {column}" in reports for column in columns) and "line 2" in reports


def test_no_planted_value_is_stored_or_echoed_anywhere(run):
    root, runs = run
    secrets = _secrets()
    outputs = {f"{stream} of run {i}": getattr(r, stream) for i, r in enumerate(runs) for stream in ("stdout", "stderr")}
    for path in root.rglob("*"):
        if path.is_file() and "landing" not in path.relative_to(root).parts:
            outputs[str(path.relative_to(root))] = path.read_bytes()
    assert any(name.endswith(".db") for name in outputs), "Dagster's storage is searched"
    assert any("warehouse.duckdb" in name for name in outputs)
    leaked = sorted({(name, s.decode()) for name, blob in outputs.items() for s in secrets if s in blob})
    assert leaked == []
