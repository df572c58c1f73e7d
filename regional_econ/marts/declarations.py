"""The marts, declared once: grain, cadence, columns, inputs, the transform that computes a
period, and how the mart is published.

Assets, the warehouse, the data products (CSV headers in Korean, the data dictionary) and
the disclosure control all read these declarations. A mart's transform is called with its
declared inputs by name (see ``inputs.py``) and, when it takes one, its period key (``day``,
``week`` or ``month``); the declaration is checked against the transform's signature at import.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from regional_econ.marts.columns import COUNT, NOT_NULL, MartColumn, column
from regional_econ.marts.inputs import THIS_PERIOD, UP_TO_PERIOD_END, Input, Window, feed, mart, register
from regional_econ.periods import PERIOD_ARGUMENT, PERIOD_COLUMN
from regional_econ.transforms import credit, jobs, payments, sme, spending, stress, trends


@dataclass(frozen=True)
class Statistic:
    """A published value that is not a sum of contributions (a median, growth rate or ratio): shown
    only over enough ``contributors`` (columns of counts) and rounded; ``ratio_of`` (numerator,
    denominator, scale) recomputes it for the totals, which are otherwise left empty."""

    contributors: tuple[str, ...]
    digits: int | None = 2
    significant: int | None = None
    ratio_of: tuple[str, str, float] | None = None


@dataclass(frozen=True)
class Disclosure:
    """How a mart is published (``regional_econ.publish.disclosure``): its dimensions, the values
    withheld in a suppressed cell, and what the rules and the attacker's relations need."""

    dims: tuple[str, ...]  # a published cell is one combination of these (month first)
    values: tuple[str, ...]  # measures published, withheld (null) when the cell is suppressed
    additive: tuple[str, ...] = ()  # values that add up over cells: the relations a reader can use
    family: str | None = None  # products of a family measure the same things (their additive values link)
    links: dict[str, str] = field(default_factory=dict)  # additive value -> "family.value" it equals
    roles: dict[str, str] = field(default_factory=dict)  # dim -> the dim it is in the family (merchant area)
    persons: str | None = "cards"  # None: the cell counts no persons (business statistics)
    businesses: str | None = "merchants"  # None: the cell counts no businesses
    moved: str | None = "moved_merchants"  # its businesses also in another cell along ``business_dims``
    contributions: str | None = "approved_amount_krw"  # what the dominance shares are shares of
    top_shares: tuple[str, str] | None = ("top_merchant_share", "second_merchant_share")
    person_share: str | None = "top_card_share"
    statistics: dict[str, Statistic] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # code column -> reference table for a name column
    derived: tuple[str, ...] = ()  # dims that are functions of other dims (not a line of their own)
    # A long table's (kind, value) dims: each kind's values add up to its "all" row; not rolled up.
    breakdown: tuple[str, str] | None = None
    # Dims published from the level above the mart's cells (gu rolled into their si/gun): where
    # the cells are too thin to show, so that they are not unknowns of every audit.
    coarser: tuple[str, ...] = ()
    # Dims a business has one value of in a period (its area, its category): along them a total's
    # businesses and largest contributions follow exactly from its parts' (publish/disclosure/cube.py).
    business_dims: tuple[str, ...] = ()
    title: tuple[str, str] = ("", "")  # (Korean, English): the product's name in the portal and the API

    def __post_init__(self) -> None:
        loose = set(self.additive) - set(self.values) | set(self.statistics) - set(self.values)
        if loose:
            raise ValueError(f"additive values and statistics must be published values: {sorted(loose)}")

    @property
    def line_dims(self) -> tuple[str, ...]:
        """Dims along which a published line (whose total a reader may know) runs."""
        return tuple(d for d in self.dims if d != "month" and d not in self.derived)

    def quantity(self, product: str, value: str) -> str:
        """The one name of what an additive value measures, shared by every product that publishes it."""
        return self.links.get(value) or f"{self.family or product}.{value}"


def _names(names: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(names.split()) if isinstance(names, str) else tuple(names)


@dataclass(frozen=True)
class Mart:
    name: str
    cadence: str  # the partitions: daily, weekly or monthly
    grain: tuple[str, ...]  # the columns a row is unique on, period first ("month sigungu_cd ..." accepted)
    description: str
    # Every column, in order, period first: names declared in columns.py, or in ``own`` for a
    # column whose meaning is this mart's own.
    columns: tuple[str, ...]
    inputs: dict[str, Input]
    compute: Callable[..., pl.DataFrame]
    publish: Disclosure | None = None
    own: tuple[MartColumn, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "grain", _names(self.grain))
        object.__setattr__(self, "columns", _names(self.columns))
        declared = list(self.columns)
        if declared[0] != self.period_column or len(set(declared)) != len(declared):
            raise ValueError(f"mart {self.name}: columns start with {self.period_column!r} and name each column once")
        if not set(self.grain) <= set(declared) or not {c.name for c in self.own} <= set(declared):
            raise ValueError(f"mart {self.name}: its grain and own columns must be among its columns")
        if self.publish is not None and not all(self.publish.title):
            raise ValueError(f"mart {self.name}: a published product has a Korean and an English title")
        if self.publish is not None and self.publish.business_dims:
            # Exact totals along them rest on the mart counting who is in two of their cells.
            if not set(self.publish.business_dims) <= set(self.grain) or (
                self.publish.moved is not None and self.publish.moved not in declared
            ):
                raise ValueError(f"mart {self.name}: business_dims must be grain columns and its moved column a column")
        takes = inspect.signature(self.compute).parameters
        needed = {n for n, p in takes.items() if p.default is inspect.Parameter.empty}
        offered = set(self.inputs) | {self.period_argument}
        if not set(self.inputs) <= set(takes) or not needed <= offered:
            signature = f"{self.compute.__qualname__}{inspect.signature(self.compute)}"
            raise ValueError(f"mart {self.name}: inputs {sorted(self.inputs)} do not match {signature}")

    @property
    def period_column(self) -> str:
        return PERIOD_COLUMN[self.cadence]

    @property
    def period_argument(self) -> str:
        return PERIOD_ARGUMENT[self.cadence]

    @property
    def takes_period(self) -> bool:
        return self.period_argument in inspect.signature(self.compute).parameters

    @cached_property
    def declared_columns(self) -> tuple[MartColumn, ...]:
        own = {c.name: c for c in self.own}
        return tuple(own.get(name) or column(name) for name in self.columns)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Every column as readers of the lake see it (the period column is the partition key)."""
        return {c.name: c.dtype for c in self.declared_columns}

    @property
    def stored_columns(self) -> tuple[MartColumn, ...]:
        """The columns of a partition file: all but the period, which is the folder's key."""
        return tuple(c for c in self.declared_columns if c.name != self.period_column)

    def column(self, name: str) -> MartColumn:
        for c in self.declared_columns:
            if c.name == name:
                return c
        return column(name)


def label(name: str, mart: Mart | None = None) -> str:
    """A column's Korean label (as the mart declares it, else as declared for all marts)."""
    return (mart.column(name) if mart else column(name)).label_ko


def describe(name: str, mart: Mart | None = None) -> str:
    return (mart.column(name) if mart else column(name)).description


SPENDING_VALUES = ("net_amount_krw", "approvals", "cancels")
CELL_COUNTS = (
    "net_amount_krw approvals cancels cards merchants approved_amount_krw top_merchant_share second_merchant_share top_card_share "
    "moved_merchants"
)
AREA = {"sigungu_cd": "areas"}
AREA_CATEGORY = AREA | {"category_cd": "merchant_categories"}
# A merchant is in one area and one category (the register as of its payments).
MERCHANT_AREA_CATEGORY = ("sigungu_cd", "category_cd")
MONTH_OF_PAYMENTS = {"payments": mart("payments", collect=False)}
REVENUE = "merchant_revenue_monthly"


def _months(count: int) -> Window:
    """The ``count`` months ending with the mart's month."""
    return Window(1 - count, 0)


# fmt: off
MARTS: dict[str, Mart] = {m.name: m for m in [
    Mart(
        "payments", "daily", "date txn_id",
        "Each staged transaction with its KST hour and weekday and its merchant's and card's attributes as delivered up "
        "to its day: the fact table the spending marts aggregate. Internal: carries ids and card keys.",
        "date txn_id approved_at merchant_id amount_krw txn_type orig_txn_id channel policy_fund_cd hour day_of_week month "
        "sigungu_cd category_cd sales_class home_sigungu_cd currency_cd age_band gender card_key",
        {
            "transactions": feed("kona/transactions"),
            # Each register is read once per run, up to its last day, and indexed for as-of joins.
            "merchants": Input("staged", "kona/merchants", UP_TO_PERIOD_END, per_run=True, covers_start=True,
                               prepare=payments.merchant_register),
            "cards": Input("staged", "kona/cardholders", UP_TO_PERIOD_END, per_run=True, covers_start=True,
                           prepare=payments.card_register),
        },
        payments.payments,
    ),
    Mart(
        "spending_daily", "daily", "date sigungu_cd category_cd",
        "Day x merchant area x category: net spending, approvals, cancels, cards, merchants, average ticket.",
        "date sigungu_cd category_cd net_amount_krw approvals cancels cards merchants avg_ticket_krw",
        {"payments": mart("payments", collect=False)}, spending.spending_daily,
    ),
    Mart(
        "spending_monthly", "monthly", "month sigungu_cd category_cd",
        "Month x merchant area x category: spending_daily over a month, with distinct cards and merchants.",
        f"month sigungu_cd category_cd {CELL_COUNTS}",
        MONTH_OF_PAYMENTS, spending.spending_monthly,
        Disclosure(("month", "sigungu_cd", "category_cd"), SPENDING_VALUES, SPENDING_VALUES, "spending", names=AREA_CATEGORY, business_dims=MERCHANT_AREA_CATEGORY, title=("업종별 소비", "Spending by area and category")),
    ),
    Mart(
        "spending_by_time", "monthly", "month sigungu_cd day_of_week hour",
        "Month x merchant area x weekday x hour (and the 10 time bands): when money is spent.",
        f"month sigungu_cd day_of_week hour time_band {CELL_COUNTS}",
        MONTH_OF_PAYMENTS, spending.spending_by_time,
        Disclosure(("month", "sigungu_cd", "day_of_week", "hour", "time_band"), SPENDING_VALUES, SPENDING_VALUES,
                   "spending", names=AREA, derived=("time_band",), business_dims=("sigungu_cd",), title=("시간대별 소비", "Spending by weekday and hour")),
    ),
    Mart(
        "spending_by_demographics", "monthly", "month sigungu_cd age_band gender category_cd",
        "Month x merchant area x age band x gender x category: who spends on what, the 2019 portal's cuts.",
        f"month sigungu_cd age_band gender category_cd {CELL_COUNTS}",
        MONTH_OF_PAYMENTS, spending.spending_by_demographics,
        Disclosure(("month", "sigungu_cd", "age_band", "gender", "category_cd"), (*SPENDING_VALUES, "cards"),
                   SPENDING_VALUES, "spending", names=AREA_CATEGORY, coarser=("sigungu_cd",), business_dims=MERCHANT_AREA_CATEGORY,
                   title=("성별·연령별 소비", "Spending by age and gender")),
    ),
    Mart(
        "spending_flows", "monthly", "month home_sigungu_cd merchant_sigungu_cd",
        "Month x cardholders' home area x merchant area: money flowing between Gyeonggi's cities.",
        f"month home_sigungu_cd merchant_sigungu_cd {CELL_COUNTS}",
        MONTH_OF_PAYMENTS, spending.spending_flows,
        Disclosure(("month", "home_sigungu_cd", "merchant_sigungu_cd"), ("net_amount_krw", "approvals", "cards"),
                   ("net_amount_krw", "approvals"), "spending", roles={"merchant_sigungu_cd": "sigungu_cd"},
                   names={"home_sigungu_cd": "areas", "merchant_sigungu_cd": "areas"}, business_dims=("merchant_sigungu_cd",), title=("지역 간 소비 흐름", "Spending flows between areas")),
    ),
    Mart(
        "area_flow_summary", "monthly", "month sigungu_cd",
        "Month x area: inflow, outflow, net inflow and local retention of residents' spending.",
        "month sigungu_cd inflow_krw outflow_krw resident_spending_at_home_krw net_inflow_krw local_retention",
        {"flows": mart("spending_flows")}, spending.area_flow_summary,
    ),
    Mart(
        "currency_circulation", "monthly", "month currency_cd merchant_sigungu_cd",
        "Month x currency x merchant area: where each city's currency is spent, inside the issuing city or not.",
        f"month currency_cd merchant_sigungu_cd {CELL_COUNTS} in_issuing_city",
        MONTH_OF_PAYMENTS, spending.currency_circulation,
        Disclosure(("month", "currency_cd", "merchant_sigungu_cd", "in_issuing_city"), SPENDING_VALUES, SPENDING_VALUES,
                   "spending", roles={"merchant_sigungu_cd": "sigungu_cd"},
                   names={"currency_cd": "currencies", "merchant_sigungu_cd": "areas"}, derived=("in_issuing_city",), business_dims=("merchant_sigungu_cd",), title=("지역화폐 유통", "Regional currency circulation")),
    ),
    Mart(
        "currency_balance", "monthly", "month currency_cd",
        "Month x currency: charged, incentives, spending in and outside the issuing city, incentive cost per local won.",
        "month currency_cd charged_krw incentive_krw policy_charged_krw charges spent_in_issuing_city_krw "
        "spent_elsewhere_krw incentive_cost_per_local_won",
        {"circulation": mart("currency_circulation"), "charges": feed("kona/charges"),
         "cardholders": register("kona/cardholders", required=True)},
        spending.currency_balance,
    ),
    Mart(
        "policy_fund_usage", "monthly", "month policy_fund_cd sigungu_cd category_cd sales_class",
        "Month x policy fund x area x category x merchant sales class: where policy money is spent, share per fund.",
        f"month policy_fund_cd sigungu_cd category_cd sales_class {CELL_COUNTS} is_small_merchant share_of_fund",
        MONTH_OF_PAYMENTS, spending.policy_fund_usage,
        Disclosure(("month", "policy_fund_cd", "sigungu_cd", "category_cd", "sales_class", "is_small_merchant"),
                   ("net_amount_krw", "approvals"), ("net_amount_krw", "approvals"), "policy_fund", names=AREA_CATEGORY,
                   derived=("is_small_merchant",), coarser=("sigungu_cd",), business_dims=(*MERCHANT_AREA_CATEGORY, "sales_class"), title=("정책자금 사용", "Policy fund usage")),
    ),
    # Fusion of the centers
    Mart(
        REVENUE, "monthly", "month merchant_id",
        "Month x merchant: net currency revenue, transactions, customers, MoM/YoY growth, status. Internal.",
        "month merchant_id biz_token sigungu_cd category_cd sales_class in_register status net_revenue_krw transactions "
        "cancels customers mom_growth yoy_growth",
        {"transactions": feed("kona/transactions"), "merchants": register("kona/merchants"),
         # Its own earlier months, for growth: the month before and the month a year before.
         "history": mart(REVENUE, Window(-12, -1), required=False)},
        sme.merchant_revenue_monthly,
    ),
    Mart(
        "sme_indicators", "monthly", "month sigungu_cd category_cd",
        "Month x area x category: merchants, total and median revenue, growth, small-merchant share.",
        "month sigungu_cd category_cd merchants trading_merchants total_revenue_krw median_revenue_krw "
        "revenue_growth small_merchant_share positive_revenue_krw top_merchant_share second_merchant_share",
        {"revenue": mart(REVENUE, _months(2)), "spending": mart("spending_monthly")}, sme.sme_indicators,
        Disclosure(("month", "sigungu_cd", "category_cd"),
                   ("merchants", "trading_merchants", "total_revenue_krw", "median_revenue_krw",
                    "revenue_growth", "small_merchant_share"),
                   ("merchants", "trading_merchants", "total_revenue_krw"),
                   # a cell's revenue is its spending (by construction): one cell with spending_monthly's
                   links={"total_revenue_krw": "spending.net_amount_krw"}, persons=None,
                   contributions="positive_revenue_krw", person_share=None, names=AREA_CATEGORY,
                   # one row per merchant and month in the revenue mart: a merchant is in one cell
                   business_dims=MERCHANT_AREA_CATEGORY, moved=None,
                   statistics={"median_revenue_krw": Statistic(("trading_merchants",), None, significant=3),
                               "revenue_growth": Statistic(("trading_merchants",)),
                               "small_merchant_share": Statistic(("trading_merchants",))}, title=("소상공인 경영지표", "Small business indicators")),
        own=(MartColumn("top_merchant_share", pl.Float64(), "최대가맹점비중", "Largest merchant's share of positive_revenue_krw.",
                        range=(0, 1)),
             MartColumn("second_merchant_share", pl.Float64(), "2위가맹점비중",
                        "Second-largest merchant's share of positive_revenue_krw.", range=(0, 1))),
    ),
    Mart(
        "sme_churn", "monthly", "month sigungu_cd category_cd",
        "Month x area x category: merchants opened and closed; published by si/gun and category group.",
        "month sigungu_cd category_cd merchants openings closures",
        {"revenue": mart(REVENUE)}, sme.sme_churn,
        # Openings and closures are sparse counts: at gu x category, protecting each withheld one
        # would withhold large spending cells beside it (BENCHMARKS.md); a coarser table is not linked
        # to the spending cells (it shares no value with them).
        Disclosure(("month", "sigungu_cd", "category_cd"), ("openings", "closures"), ("openings", "closures"),
                   persons=None, contributions=None, top_shares=None, person_share=None, names=AREA_CATEGORY,
                   coarser=("sigungu_cd", "category_cd"), business_dims=MERCHANT_AREA_CATEGORY, moved=None,
                   title=("소상공인 개업·폐업", "Small business openings and closures")),
        own=(MartColumn("openings", pl.Int64(), "개업가맹점수", "Merchants registered (opened) in the month.", **COUNT),),
    ),
    Mart(
        "sme_profile", "monthly", "month biz_token",
        "One row per business known to any center: credit, currency revenue and dependency, guarantees, support, "
        "technology and content flags, hiring. Internal: never published.",
        "month biz_token centers in_kona in_ked in_gcgf in_gbsa in_gtp in_gca in_gjf merchants credit_base_month "
        "credit_grade revenue_krw is_closed employees currency_revenue_12m_krw currency_dependency active_guarantees "
        "active_guarantee_krw defaulted_guarantees_12m support_awards_12m support_krw_12m tech_field_cd genre_cd "
        "open_postings hires_12m",
        {"revenue": mart(REVENUE, _months(12)), "merchants": register("kona/merchants"),
         "credit": register("ked/sme_credit"), "guarantees": register("gcgf/guarantee_events"),
         "support": register("gbsa/sme_support"), "tech": register("gtp/tech_firms"),
         "content": register("gca/content_firms"), "postings": register("gjf/job_postings"),
         "placements": register("gjf/placements")},
        sme.sme_profile,
        own=(MartColumn("merchants", pl.Int64(), "가맹점수", "kona merchants of the business (null when not in kona)."),),
    ),
    Mart(
        "linkage_rates", "monthly", "month center_a center_b",
        "For each pair of centers: businesses of A also known to B.",
        "month center_a center_b businesses_a businesses_b businesses_both rate",
        {"profile": mart("sme_profile")}, sme.linkage_rates,
    ),
    Mart(
        "credit_early_warning", "monthly", "month biz_token",
        "Per business: the early-warning flag (3-month currency revenue down >= 30% and a credit signal) and reasons. "
        "Internal.",
        "month biz_token sigungu_cd category_cd revenue_3m_krw base_3m_krw base_period assessed revenue_change "
        "revenue_drop credit_grade grade_b_or_worse guarantee_default_12m is_closed flagged reasons",
        {"revenue": mart(REVENUE, _months(15)), "credit": register("ked/sme_credit"),
         "guarantees": register("gcgf/guarantee_events")},
        credit.credit_early_warning,
        own=(MartColumn("assessed", pl.Boolean(), "평가대상여부", "A base window with positive revenue exists.", **NOT_NULL),
             MartColumn("flagged", pl.Boolean(), "조기경보여부",
                        "Revenue drop AND (grade B or worse, a guarantee default, or closed).", **NOT_NULL)),
    ),
    Mart(
        "credit_risk_by_area", "monthly", "month sigungu_cd category_cd",
        "Month x area x category: businesses assessed and flagged by the early warning, and the flag rate.",
        "month sigungu_cd category_cd businesses assessed flagged flag_rate",
        {"warnings": mart("credit_early_warning")}, credit.credit_risk_by_area,
        Disclosure(("month", "sigungu_cd", "category_cd"), ("businesses", "assessed", "flagged", "flag_rate"),
                   ("businesses", "assessed", "flagged"), persons=None, businesses="businesses", contributions=None,
                   names=AREA_CATEGORY, statistics={"flag_rate": Statistic(("assessed",), ratio_of=("flagged", "assessed", 1))}, title=("신용위험 조기경보", "Credit early warning by area")),
    ),
    Mart(
        "job_matching", "monthly", "month sigungu_cd occupation_cd",
        "Month x area x occupation: openings, postings, seekers, placements, vacancy-to-seeker ratio, placement and fill "
        "rates.",
        "month sigungu_cd occupation_cd open_postings openings new_postings ended_postings filled_postings placements "
        "active_seekers new_seekers placed_seekers vacancy_to_seeker_ratio placement_rate ratio_null_reason fill_rate "
        "fill_rate_null_reason median_days_to_fill employers",
        {"postings": register("gjf/job_postings"), "seekers": register("gjf/job_seekers"),
         "placements": register("gjf/placements")},
        jobs.job_matching,
        Disclosure(("month", "sigungu_cd", "occupation_cd"),
                   ("open_postings", "openings", "new_postings", "placements", "active_seekers",
                    "vacancy_to_seeker_ratio", "placement_rate", "fill_rate", "median_days_to_fill"),
                   ("open_postings", "openings", "new_postings", "placements", "active_seekers"),
                   persons="active_seekers", businesses="employers", contributions=None,
                   names=AREA | {"occupation_cd": "occupations"},
                   statistics={
                       "vacancy_to_seeker_ratio": Statistic(("employers", "active_seekers"),
                                                            ratio_of=("open_postings", "active_seekers", 1)),
                       "placement_rate": Statistic(("active_seekers",), ratio_of=("placed_seekers", "active_seekers", 1)),
                       "fill_rate": Statistic(("employers",), ratio_of=("filled_postings", "ended_postings", 1)),
                       "median_days_to_fill": Statistic(("filled_postings", "employers"), 0)}, title=("일자리 매칭", "Job matching")),
    ),
    Mart(
        "job_mismatch", "monthly", "month sigungu_cd",
        "Month x area: mismatch index = 0.5 x sum over occupations |share of openings - share of seekers|.",
        "month sigungu_cd openings active_seekers mismatch_index mismatch_null_reason",
        {"matching": mart("job_matching")}, jobs.job_mismatch,
    ),
    Mart(
        "consumption_trends", "weekly", "week sigungu_cd category_cd",
        "Week x area x category: spending growth beside mention and search growth, and a rising/steady/falling signal.",
        "week sigungu_cd category_cd net_spending_krw prev_net_spending_krw spending_growth mention_count "
        "prev_mention_count mention_growth search_index prev_search_index search_index_change signal",
        {"transactions": feed("kona/transactions", Window(-1, 0)), "merchants": register("kona/merchants"),
         "trends": feed("theimc/consumer_trends", Window(-1, 0), required=False)},
        trends.consumption_trends,
    ),
    Mart(
        "finance_stress", "monthly", "month sigungu_cd dimension value",
        "Month x area: counselling cases by debt type and outcome, per 10,000 resident cardholders.",
        "month sigungu_cd dimension value cases clients cardholders cases_per_10k rate_null_reason",
        {"cases": feed("msc/counseling_cases", THIS_PERIOD, required=False), "cardholders": register("kona/cardholders")},
        stress.finance_stress,
        Disclosure(("month", "sigungu_cd", "dimension", "value"), ("cases", "cases_per_10k"), ("cases",),
                   persons="clients", businesses=None, contributions=None, names=AREA, breakdown=("dimension", "value"),
                   statistics={"cases_per_10k": Statistic(("clients",), 1)}, title=("금융 애로 상담", "Financial stress cases")),
    ),
]}
# fmt: on
