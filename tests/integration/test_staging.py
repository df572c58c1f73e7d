"""Staging periods: the newest complete delivery wins, nothing is lost, re-runs are exact."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regional_econ.contracts import contract
from regional_econ.gate import gate_rows
from regional_econ.staging import MissingDelivery, stage_period
from regional_econ.storage.lake import Lake
from tests.builders.deliveries import TOKEN_A, TOKEN_B, deliver, merchants, transactions

TXN = contract("kona/transactions")
MER = contract("kona/merchants")
DAY = "2026-09-01"


@pytest.fixture
def root(tmp_path):
    return tmp_path


def stage(root, feed, day=DAY):
    return stage_period(contract(feed), root / "landing", Lake(root / "lake"), day)


def test_resend_v2_replaces_v1_and_receipts_say_which_is_in_force(root):
    deliver(root / "landing", MER.id, DAY, merchants([("M000000001", "41111")]))
    stage(root, MER.id)
    bad = transactions(DAY, [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M000000001", -1, "APPROVE", None)])
    v1 = deliver(root / "landing", TXN.id, DAY, bad)
    first = stage(root, TXN.id)
    assert (first.staged, first.quarantined) == (1, 1)
    fixed = bad.with_columns(pl.when(pl.col("amount_krw") < 0).then(500).otherwise("amount_krw").alias("amount_krw"))
    deliver(root / "landing", TXN.id, DAY, fixed, version=2)
    second = stage(root, TXN.id)
    assert (second.delivery.version, second.staged, second.quarantined) == (2, 2, 0)
    assert v1.path.exists(), "landing files are never removed"
    lake = Lake(root / "lake")
    receipts = {r["version"]: r for r in lake.receipts(TXN.id, DAY)}
    # Both were promoted in their turn and keep their counts; the pointer says which is in force.
    assert {v: (r["outcome"], r["rows_staged"], r["rows_quarantined"]) for v, r in receipts.items()} == {
        1: ("promoted", 1, 1), 2: ("promoted", 2, 0),
    }  # fmt: skip
    assert lake.in_force(TXN.id, DAY)["delivery"] == receipts[2]["file"]
    staged = lake.scan("staged", TXN.id, [DAY]).collect()
    assert staged["amount_krw"].to_list() == [1000, 500]


def test_unknown_merchant_is_accepted_once_a_later_merchants_delivery_registers_it(root):
    deliver(root / "landing", MER.id, DAY, merchants([("M000000001", "41111")]))
    stage(root, MER.id)
    deliver(root / "landing", TXN.id, DAY, transactions(DAY, [(1, TOKEN_A, "M000000002", 1000, "APPROVE", None)]))
    assert stage(root, TXN.id).broken_by_rule == {"merchant_exists": 1}
    deliver(root / "landing", MER.id, DAY, merchants([("M000000001", "41111"), ("M000000002", "41820")]), version=2)
    stage(root, MER.id)
    rerun = stage(root, TXN.id)
    assert (rerun.staged, rerun.quarantined) == (1, 0)


def test_cancel_of_an_earlier_day_needs_its_approval_and_never_exceeds_it(root):
    deliver(root / "landing", MER.id, DAY, merchants([("M000000001", "41111")]))
    stage(root, MER.id)
    deliver(root / "landing", TXN.id, DAY, transactions(DAY, [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None)]))
    stage(root, TXN.id)
    nxt = "2026-09-02"
    deliver(root / "landing", MER.id, nxt, merchants([("M000000001", "41111")]))
    stage(root, MER.id, nxt)
    rows = [
        (1, TOKEN_A, "M000000001", 600, "CANCEL", "T2026090100000001"),
        (2, TOKEN_A, "M000000001", 600, "CANCEL", "T2026090100000001"),  # together above the 1,000 approval
        (3, TOKEN_B, "M000000001", 100, "CANCEL", "T2026083100000001"),  # approval never delivered
    ]
    deliver(root / "landing", TXN.id, nxt, transactions(nxt, rows))
    out = stage(root, TXN.id, nxt)
    assert out.broken_by_rule == {"cancel_has_approval": 3} and out.staged == 0
    deliver(root / "landing", TXN.id, nxt, transactions(nxt, rows[:1]), version=2)
    assert stage(root, TXN.id, nxt).staged == 1


def test_a_cancel_counts_every_earlier_cancel_of_its_approval_days_back(root):
    days = ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"]
    for day in days:
        deliver(root / "landing", MER.id, day, merchants([("M000000001", "41111")]))
        stage(root, MER.id, day)
    delivered = {
        days[0]: [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None)],
        days[1]: [(1, TOKEN_A, "M000000001", 600, "CANCEL", "T2026090100000001")],
        days[2]: [(1, TOKEN_B, "M000000001", 50, "APPROVE", None)],
    }
    for day, rows in delivered.items():
        deliver(root / "landing", TXN.id, day, transactions(day, rows))
        assert stage(root, TXN.id, day).staged == 1
    # 600 already cancelled on 09-02: another 600 on 09-04 exceeds the 1,000 approved on 09-01.
    deliver(
        root / "landing", TXN.id, days[3], transactions(days[3], [(1, TOKEN_A, "M000000001", 600, "CANCEL", "T2026090100000001")])
    )
    assert stage(root, TXN.id, days[3]).broken_by_rule == {"cancel_has_approval": 1}
    deliver(
        root / "landing",
        TXN.id,
        days[3],
        transactions(days[3], [(1, TOKEN_A, "M000000001", 400, "CANCEL", "T2026090100000001")]),
        version=2,
    )
    assert stage(root, TXN.id, days[3]).staged == 1


def test_missing_delivery_is_a_clear_failure(root):
    with pytest.raises(
        MissingDelivery, match=r"kona/transactions 2026-09-01: no complete delivery in .*landing/kona/transactions/2026-09-01"
    ):
        stage(root, TXN.id)
    deliver(root / "landing", TXN.id, DAY, transactions(DAY, [(1, TOKEN_A, "M000000001", 1, "APPROVE", None)]))
    next((root / "landing" / "kona" / "transactions" / DAY).glob("*.manifest.json")).unlink()
    with pytest.raises(MissingDelivery, match="without a manifest"):
        stage(root, TXN.id)


def test_restaging_is_byte_identical(root):
    deliver(root / "landing", MER.id, DAY, merchants([("M000000001", "41111")]))
    stage(root, MER.id)
    deliver(
        root / "landing",
        TXN.id,
        DAY,
        transactions(DAY, [(1, TOKEN_A, "M000000001", 1000, "APPROVE", None), (2, TOKEN_A, "M9", 5, "APPROVE", None)]),
    )

    def everything() -> dict:
        lake = root / "lake"
        return {
            str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file() and "locks" not in p.parts
        }

    stage(root, TXN.id)
    first = everything()
    assert any(name.startswith("staged/") for name in first) and any(name.startswith("quarantine/") for name in first)
    stage(root, TXN.id)
    assert everything() == first


CORRUPTIONS = {
    "none": lambda v: v,
    "blank": lambda v: "",
    "text": lambda v: "x?",
    "negative": lambda v: "-" + v,
    "huge": lambda v: v + "000000000",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.sampled_from(list(CORRUPTIONS)), st.sampled_from(TXN.column_names)),
        min_size=1,
        max_size=30,
    )
)
def test_rows_are_conserved_and_staged_rows_are_valid(tmp_path, spec):
    rows = [(i % 7 + 1, TOKEN_A, "M000000001", 1000 * n, "APPROVE", None) for i, (n, _, _) in enumerate(spec)]
    frame = transactions(DAY, rows).cast({c: pl.String for c in TXN.column_names})
    for i, (_, kind, col) in enumerate(spec):
        values = frame[col].to_list()
        values[i] = CORRUPTIONS[kind](values[i] or "")
        frame = frame.with_columns(pl.Series(col, values, dtype=pl.String))
    raw = frame.with_row_index("_line", offset=2).with_columns(pl.col("_line").cast(pl.Int64))
    result = gate_rows(TXN, raw, "f")
    assert result.staged.height + result.quarantined.height == len(spec)
    if result.quarantined.height:
        assert result.quarantined["rules_broken"].list.len().min() >= 1
    staged = result.staged
    assert staged["amount_krw"].min() is None or staged["amount_krw"].min() >= 1
    assert staged["txn_id"].is_unique().all() and staged.null_count()["txn_id"][0] == 0
