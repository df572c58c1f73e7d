"""Every monthly spending mart on one hand-computed month.

Cards: A lives in Suwon Jangan-gu (41111) and holds 수원페이 (41110); B lives in Gapyeong
(41820) with Gapyeong's currency; C is not in the card register. Merchants: M1 restaurant
in 41111 (영세), M2 retail in 41820 (일반).
  Tue 09-01 12:00  A at M1  10,000 approve (T1)
  Tue 09-01 13:00  A at M2  20,000 approve (T2), youth basic income (YBI): Suwon money spent in Gapyeong
  Tue 09-01 15:00  A at M1   4,000 partial cancel of T1
  Wed 09-02 09:00  A at M2   5,000 next-day cancel of T2 (YBI)
  Wed 09-02 23:30  B at M2   7,000 approve
  Wed 09-02 20:00  C at M1   3,000 approve (unknown cardholder)
"""

import polars as pl
import pytest

from regional_econ import reference
from regional_econ.transforms import payments as p
from regional_econ.transforms import spending as s
from tests.builders.spending_month import cardholders_register, charges, merchants_register, transactions


def pays():
    return p.payments(
        transactions(), p.payment_register("merchant", merchants_register()), p.payment_register("card", cardholders_register())
    ).lazy()


def rows(frame: pl.DataFrame, keys: list[str]) -> dict:
    return {tuple(r[k] for k in keys): r for r in frame.to_dicts()}


NET = 10_000 + 20_000 - 4_000 - 5_000 + 7_000 + 3_000


def test_spending_by_time_counts_cancels_in_their_own_hour_and_bands_hours():
    out = rows(s.spending_by_time(pays()), ["sigungu_cd", "day_of_week", "hour"])
    assert out[("41111", 2, 12)]["net_amount_krw"] == 10_000 and out[("41111", 2, 12)]["time_band"] == 4
    assert out[("41111", 2, 15)]["net_amount_krw"] == -4_000 and out[("41111", 2, 15)]["cancels"] == 1
    assert out[("41820", 3, 9)]["net_amount_krw"] == -5_000 and out[("41820", 3, 9)]["time_band"] == 3
    assert out[("41820", 3, 23)]["time_band"] == 10 and out[("41111", 3, 20)]["time_band"] == 8
    assert sum(r["net_amount_krw"] for r in out.values()) == NET


def test_spending_by_demographics_keeps_the_unknown_cardholder():
    out = rows(s.spending_by_demographics(pays()), ["sigungu_cd", "age_band", "gender", "category_cd"])
    assert out[("41111", "30", "F", "C27")]["net_amount_krw"] == 6_000
    assert out[("41820", "30", "F", "C23")]["net_amount_krw"] == 15_000
    assert out[("41820", "60", "M", "C23")]["net_amount_krw"] == 7_000
    assert out[("41111", p.UNKNOWN_AGE_BAND, p.UNKNOWN_GENDER, "C27")]["net_amount_krw"] == 3_000
    assert out[("41820", "30", "F", "C23")]["cards"] == 1


def test_flows_and_area_summary():
    flows = s.spending_flows(pays())
    out = rows(flows, ["home_sigungu_cd", "merchant_sigungu_cd"])
    assert {k: v["net_amount_krw"] for k, v in out.items()} == {
        ("41111", "41111"): 6_000,
        ("41111", "41820"): 15_000,
        ("41820", "41820"): 7_000,
        ("99999", "41111"): 3_000,
    }
    summary = rows(s.area_flow_summary(flows), ["sigungu_cd"])
    jangan, gapyeong = summary[("41111",)], summary[("41820",)]
    assert (jangan["inflow_krw"], jangan["outflow_krw"], jangan["net_inflow_krw"]) == (3_000, 15_000, -12_000)
    assert jangan["local_retention"] == pytest.approx(6_000 / 21_000)
    assert (gapyeong["inflow_krw"], gapyeong["outflow_krw"], gapyeong["local_retention"]) == (15_000, 0, 1.0)
    assert ("99999",) not in summary


def test_currency_circulation_and_balance():
    circulation = s.currency_circulation(pays(), reference.table("areas"))
    out = rows(circulation, ["currency_cd", "merchant_sigungu_cd"])
    assert (out[("41110", "41111")]["net_amount_krw"], out[("41110", "41111")]["in_issuing_city"]) == (6_000, True)
    assert (out[("41110", "41820")]["net_amount_krw"], out[("41110", "41820")]["in_issuing_city"]) == (15_000, False)
    assert out[("41820", "41820")]["in_issuing_city"] and out[("99999", "41111")]["net_amount_krw"] == 3_000
    balance = rows(s.currency_balance(circulation, charges(), cardholders_register()), ["currency_cd"])
    suwon, gapyeong = balance[("41110",)], balance[("41820",)]
    assert (suwon["charged_krw"], suwon["incentive_krw"], suwon["spent_in_issuing_city_krw"], suwon["spent_elsewhere_krw"]) == (
        50_000,
        5_000,
        6_000,
        15_000,
    )
    assert suwon["incentive_cost_per_local_won"] == pytest.approx(5_000 / 6_000)
    assert (gapyeong["charged_krw"], gapyeong["policy_charged_krw"], gapyeong["incentive_krw"]) == (300_000, 200_000, 6_000)
    assert balance[("99999",)]["incentive_cost_per_local_won"] is None


def test_policy_fund_usage_nets_the_next_day_cancel():
    out = s.policy_fund_usage(pays()).to_dicts()
    assert len(out) == 1
    cell = out[0]
    assert (cell["policy_fund_cd"], cell["sigungu_cd"], cell["category_cd"], cell["sales_class"]) == (
        "YBI",
        "41820",
        "C23",
        "일반",
    )
    assert (cell["net_amount_krw"], cell["share_of_fund"], cell["is_small_merchant"]) == (15_000, 1.0, False)


def test_spending_monthly_counts_distinct_cards_over_the_month():
    out = rows(s.spending_monthly(pays()), ["sigungu_cd", "category_cd"])
    assert (out[("41111", "C27")]["net_amount_krw"], out[("41111", "C27")]["cards"], out[("41111", "C27")]["approvals"]) == (
        9_000,
        2,
        2,
    )
    assert (out[("41820", "C23")]["net_amount_krw"], out[("41820", "C23")]["cancels"]) == (22_000, 1)
    assert out[("41111", "C27")]["top_merchant_share"] == 1.0


def test_the_four_marts_agree_on_the_net_total():
    totals = [
        s.spending_daily(pays())["net_amount_krw"].sum(),
        s.spending_by_time(pays())["net_amount_krw"].sum(),
        s.spending_by_demographics(pays())["net_amount_krw"].sum(),
        s.spending_flows(pays())["net_amount_krw"].sum(),
    ]
    assert totals == [NET] * 4
