"""The marts: grain, columns and how each is published, declared once.

Assets, the warehouse, the data products (CSV headers in Korean, the data dictionary) and
the disclosure control all read these declarations. Column labels and descriptions live
in ``COLUMNS``; a column used by several marts means the same thing in each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# column -> (Korean label, description)
COLUMNS: dict[str, tuple[str, str]] = {
    "date": ("기준일자", "Day (KST)."),
    "month": ("기준년월", "Month (KST), as its first day."),
    "sigungu_cd": ("시군구코드", "Si/gun/gu of the merchant (where the money was spent); 99999 = unknown merchant."),
    "sigungu_name": ("시군구명", "Name of the si/gun/gu."),
    "home_sigungu_cd": ("거주지시군구코드", "Si/gun/gu where the cardholder lives; 99999 = unknown cardholder."),
    "home_sigungu_name": ("거주지시군구명", "Name of the cardholder's si/gun/gu."),
    "merchant_sigungu_cd": ("가맹점시군구코드", "Si/gun/gu of the merchant."),
    "merchant_sigungu_name": ("가맹점시군구명", "Name of the merchant's si/gun/gu."),
    "category_cd": ("업종코드", "Card merchant category (ref.merchant_categories); C99 = unknown merchant."),
    "category_name": ("업종명", "Name of the card merchant category."),
    "day_of_week": ("요일", "ISO weekday: 1 = Monday .. 7 = Sunday."),
    "hour": ("시간대", "Hour of the day, 0-23 (KST)."),
    "time_band": ("시간구간", "Gyeonggi card data time band: 1 = 00-06h, 2 = 07-08h, ..., 9 = 21-22h, 10 = 23h."),
    "age_band": ("연령대", "Cardholder's age band; 'unknown' when the card is not in the register."),
    "gender": ("성별", "Cardholder's gender M/F; U = unknown."),
    "currency_cd": ("지역화폐코드", "Currency (code of the issuing si/gun); 99999 = unknown card."),
    "currency_name": ("지역화폐명", "Product name of the currency."),
    "in_issuing_city": ("발행지역내사용여부", "Spent inside the si/gun that issued the currency."),
    "policy_fund_cd": ("정책수당코드", "Policy fund the money came from (ref.policy_funds)."),
    "sales_class": ("매출등급", "Merchant's card-fee sales class (영세, 중소1-3, 일반)."),
    "is_small_merchant": ("영세중소여부", "영세 or 중소 merchant."),
    "net_amount_krw": ("순결제금액", "Approvals minus cancels on their own day, KRW."),
    "approvals": ("승인건수", "Number of approvals."),
    "cancels": ("취소건수", "Number of cancels (full or partial)."),
    "cards": ("카드수", "Distinct cards."),
    "merchants": ("가맹점수", "Distinct merchants."),
    "avg_ticket_krw": ("건당평균결제금액", "Approved amount / approvals, rounded half up."),
    "top_merchant_share": ("최대가맹점비중", "Largest merchant's share of the cell's approved amount."),
    "share_of_fund": ("수당내비중", "Cell's share of its fund's month."),
    "inflow_krw": ("유입금액", "Non-residents' net spending at merchants in the area."),
    "outflow_krw": ("유출금액", "Residents' net spending at merchants elsewhere."),
    "resident_spending_at_home_krw": ("역내소비금액", "Residents' net spending at merchants of their own area."),
    "net_inflow_krw": ("순유입금액", "Inflow minus outflow."),
    "local_retention": ("역내소비율", "Residents' spending at home / residents' total spending."),
    "charged_krw": ("충전금액", "Money charged onto cards of the currency."),
    "incentive_krw": ("인센티브금액", "Incentive bonus paid on charges."),
    "policy_charged_krw": ("정책수당충전금액", "Charges paid by policy funds."),
    "charges": ("충전건수", "Number of charges."),
    "spent_in_issuing_city_krw": ("발행지역내사용금액", "Net spending inside the issuing si/gun."),
    "spent_elsewhere_krw": ("발행지역외사용금액", "Net spending outside the issuing si/gun."),
    "incentive_cost_per_local_won": ("역내사용원당인센티브", "Incentive paid per won spent in the issuing city."),
    "occupation_cd": ("직종코드", "KECO-2018 medium occupation class; 99 = unknown posting."),
    "occupation_name": ("직종명", "Name of the occupation class."),
    "trading_merchants": ("거래가맹점수", "Merchants with at least one approval in the month."),
    "openings": ("모집인원", "People wanted by postings open in the month (job_matching); merchants opened (sme_indicators)."),
    "closures": ("폐업가맹점수", "Merchants closed in the month."),
    "total_revenue_krw": ("총매출액", "Net card revenue of the cell's merchants."),
    "median_revenue_krw": ("매출액중앙값", "Median net revenue of trading merchants."),
    "revenue_growth": ("매출증감률", "Total revenue / previous month's - 1 (null without a base)."),
    "small_merchant_share": ("영세중소1비중", "Share of trading merchants of class 영세 or 중소1."),
    "businesses": ("사업체수", "Businesses in the cell."),
    "assessed": ("평가사업체수", "Businesses with a revenue base to assess."),
    "flagged": ("조기경보사업체수", "Businesses flagged by the credit early warning."),
    "flag_rate": ("조기경보비율", "Flagged / assessed (null when none assessed)."),
    "open_postings": ("구인공고수", "Postings open at any time in the month."),
    "new_postings": ("신규구인공고수", "Postings posted in the month."),
    "placements": ("취업건수", "Hires into postings of the cell in the month."),
    "active_seekers": ("구직자수", "Seekers registered and not yet placed, by home area and desired occupation."),
    "vacancy_to_seeker_ratio": ("구인배수", "Openings / active seekers (null without seekers)."),
    "placement_rate": ("취업률", "Active seekers placed in the month / active seekers."),
    "fill_rate": ("충원율", "Postings filled / postings ended in the month."),
    "median_days_to_fill": ("충원소요일중앙값", "Median days from posting to the last hire."),
    "dimension": ("구분", "Breakdown: all, debt_type or outcome."),
    "value": ("구분값", "Debt type or outcome (ALL for the total)."),
    "cases": ("상담건수", "Counselling cases opened in the month."),
    "cases_per_10k": ("카드소지자만명당상담건수", "Cases per 10,000 cardholders living in the area."),
    "suppressed": ("비공개여부", "True when the cell's values are withheld by disclosure control."),
    "suppression": ("비공개사유", "Why: persons (< 5 cards), businesses (< 3 merchants), dominance (one merchant > 85%), secondary."),
}


@dataclass(frozen=True)
class Disclosure:
    """How a mart is published: dimensions, the values withheld in a suppressed cell, and its counts."""

    dims: tuple[str, ...]  # a published cell is one combination of these (month first)
    values: tuple[str, ...]  # measures published, withheld (null) when the cell is suppressed
    persons: str | None = "cards"  # None: the cell counts no persons (business statistics)
    businesses: str | None = "merchants"  # None: the cell counts no businesses
    dominance: str | None = "top_merchant_share"
    names: dict[str, str] = field(default_factory=dict)  # code column -> reference table for a name column
    derived: tuple[str, ...] = ()  # dims that are functions of other dims (not a line of their own)

    @property
    def line_dims(self) -> tuple[str, ...]:
        """Dims along which a published line (whose total a reader may know) runs."""
        return tuple(d for d in self.dims if d != "month" and d not in self.derived)


@dataclass(frozen=True)
class Mart:
    name: str
    cadence: str  # the partitions: daily or monthly
    keys: tuple[str, ...]
    description: str
    publish: Disclosure | None = None

    @property
    def period_column(self) -> str:
        return "date" if self.cadence == "daily" else "month"


SPENDING_VALUES = ("net_amount_krw", "approvals", "cancels")
AREA = {"sigungu_cd": "areas"}

MARTS = {
    m.name: m
    for m in [
        Mart("payments", "daily", ("date", "txn_id"),
             "Each staged transaction with its KST hour and weekday and its merchant's and card's attributes as "
             "delivered up to its day: the fact table the spending marts aggregate. Internal: carries ids and card keys."),
        Mart("spending_daily", "daily", ("date", "sigungu_cd", "category_cd"),
             "Day x merchant area x category: net spending, approvals, cancels, cards, merchants, average ticket."),
        Mart("spending_monthly", "monthly", ("month", "sigungu_cd", "category_cd"),
             "Month x merchant area x category: spending_daily over a month, with distinct cards and merchants.",
             Disclosure(("month", "sigungu_cd", "category_cd"), SPENDING_VALUES,
                        names=AREA | {"category_cd": "merchant_categories"})),
        Mart("spending_by_time", "monthly", ("month", "sigungu_cd", "day_of_week", "hour"),
             "Month x merchant area x weekday x hour (and the 10 time bands): when money is spent.",
             Disclosure(("month", "sigungu_cd", "day_of_week", "hour", "time_band"), SPENDING_VALUES, names=AREA,
                        derived=("time_band",))),
        Mart("spending_by_demographics", "monthly", ("month", "sigungu_cd", "age_band", "gender", "category_cd"),
             "Month x merchant area x age band x gender x category: who spends on what, the 2019 portal's cuts.",
             Disclosure(("month", "sigungu_cd", "age_band", "gender", "category_cd"), (*SPENDING_VALUES, "cards"),
                        names=AREA | {"category_cd": "merchant_categories"})),
        Mart("spending_flows", "monthly", ("month", "home_sigungu_cd", "merchant_sigungu_cd"),
             "Month x cardholders' home area x merchant area: money flowing between Gyeonggi's cities.",
             Disclosure(("month", "home_sigungu_cd", "merchant_sigungu_cd"), ("net_amount_krw", "approvals", "cards"),
                        names={"home_sigungu_cd": "areas", "merchant_sigungu_cd": "areas"})),
        Mart("area_flow_summary", "monthly", ("month", "sigungu_cd"),
             "Month x area: inflow, outflow, net inflow and local retention of residents' spending."),
        Mart("currency_circulation", "monthly", ("month", "currency_cd", "merchant_sigungu_cd"),
             "Month x currency x merchant area: where each city's currency is spent, inside the issuing city or not.",
             Disclosure(("month", "currency_cd", "merchant_sigungu_cd", "in_issuing_city"), SPENDING_VALUES,
                        names={"currency_cd": "currencies", "merchant_sigungu_cd": "areas"}, derived=("in_issuing_city",))),
        Mart("currency_balance", "monthly", ("month", "currency_cd"),
             "Month x currency: charged, incentives, spending in and outside the issuing city, incentive cost per local won."),
        Mart("policy_fund_usage", "monthly", ("month", "policy_fund_cd", "sigungu_cd", "category_cd", "sales_class"),
             "Month x policy fund x area x category x merchant sales class: where policy money is spent, share per fund.",
             Disclosure(("month", "policy_fund_cd", "sigungu_cd", "category_cd", "sales_class", "is_small_merchant"),
                        ("net_amount_krw", "approvals"), names=AREA | {"category_cd": "merchant_categories"},
                        derived=("is_small_merchant",))),
        # Fusion of the centers (issue 5)
        Mart("merchant_revenue_monthly", "monthly", ("month", "merchant_id"),
             "Month x merchant: net currency revenue, transactions, customers, MoM/YoY growth, status. Internal."),
        Mart("sme_indicators", "monthly", ("month", "sigungu_cd", "category_cd"),
             "Month x area x category: merchants, openings, closures, total and median revenue, growth, small-merchant share.",
             Disclosure(("month", "sigungu_cd", "category_cd"),
                        ("merchants", "trading_merchants", "openings", "closures", "total_revenue_krw", "median_revenue_krw",
                         "revenue_growth", "small_merchant_share"),
                        persons=None, names=AREA | {"category_cd": "merchant_categories"})),
        Mart("sme_profile", "monthly", ("month", "biz_token"),
             "One row per business known to any center: credit, currency revenue and dependency, guarantees, support, "
             "technology and content flags, hiring. Internal: never published."),
        Mart("linkage_rates", "monthly", ("month", "center_a", "center_b"),
             "For each pair of centers: businesses of A also known to B."),
        Mart("credit_early_warning", "monthly", ("month", "biz_token"),
             "Per business: the early-warning flag (3-month currency revenue down >= 30% and a credit signal) and reasons. Internal."),
        Mart("credit_risk_by_area", "monthly", ("month", "sigungu_cd", "category_cd"),
             "Month x area x category: businesses assessed and flagged by the early warning, and the flag rate.",
             Disclosure(("month", "sigungu_cd", "category_cd"), ("businesses", "assessed", "flagged", "flag_rate"),
                        persons=None, businesses="businesses", dominance=None,
                        names=AREA | {"category_cd": "merchant_categories"})),
        Mart("job_matching", "monthly", ("month", "sigungu_cd", "occupation_cd"),
             "Month x area x occupation: openings, postings, seekers, placements, vacancy-to-seeker ratio, placement and fill rates.",
             Disclosure(("month", "sigungu_cd", "occupation_cd"),
                        ("open_postings", "openings", "new_postings", "placements", "active_seekers", "vacancy_to_seeker_ratio",
                         "placement_rate", "fill_rate", "median_days_to_fill"),
                        persons="active_seekers", businesses="employers", dominance=None,
                        names=AREA | {"occupation_cd": "occupations"})),
        Mart("job_mismatch", "monthly", ("month", "sigungu_cd"),
             "Month x area: mismatch index = 0.5 x sum over occupations |share of openings - share of seekers|."),
        Mart("consumption_trends", "weekly", ("week", "sigungu_cd", "category_cd"),
             "Week x area x category: spending growth beside mention and search growth, and a rising/steady/falling signal."),
        Mart("finance_stress", "monthly", ("month", "sigungu_cd", "dimension", "value"),
             "Month x area: counselling cases by debt type and outcome, per 10,000 resident cardholders.",
             Disclosure(("month", "sigungu_cd", "dimension", "value"), ("cases", "cases_per_10k"),
                        persons="clients", businesses=None, dominance=None, names=AREA)),
    ]
}


def label(column: str) -> str:
    return COLUMNS.get(column, (column, ""))[0]


def describe(column: str) -> str:
    return COLUMNS.get(column, ("", ""))[1]
