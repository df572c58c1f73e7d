"""Every mart column, declared once: its type, its Korean label and what it means.

A column used by several marts means the same thing in each; a column whose meaning differs
in one mart is declared with that mart (``declarations.py``). The marts' Parquet schema, the
check of every frame a mart writes, the Dagster column schema, the products' Korean CSV
headers and the data dictionaries are all derived from here, and an undeclared column is an
error, never a blank line.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

S, I8, I32, I64, F64, B = pl.String(), pl.Int8(), pl.Int32(), pl.Int64(), pl.Float64(), pl.Boolean()
TIMESTAMP = pl.Datetime("us", "Asia/Seoul")


@dataclass(frozen=True)
class MartColumn:
    name: str
    dtype: pl.DataType
    label_ko: str
    description: str
    nullable: bool = True  # the grain's columns are never null, whatever this says
    range: tuple[float, float | None] | None = None  # inclusive; None as the upper bound: no upper bound
    domain: tuple[str, ...] | None = None


# Options of a declaration row: never null, a range, a domain.
NOT_NULL = {"nullable": False}
COUNT = {"nullable": False, "range": (0, None)}
SHARE = {"range": (0, 1)}


def _declare(*columns: tuple) -> dict[str, MartColumn]:
    declared = [MartColumn(*c[:4], **(c[4] if len(c) > 4 else {})) for c in columns]
    found = {c.name: c for c in declared}
    if len(found) != len(declared):
        raise ValueError("a mart column is declared twice")
    return found


COLUMNS = _declare(
    # Periods: the partition key, the ISO date the period starts (KST).
    ("date", S, "기준일자", "Day (KST), YYYY-MM-DD.", NOT_NULL),
    ("week", S, "기준주", "Week (KST), as its Monday, YYYY-MM-DD.", NOT_NULL),
    ("month", S, "기준년월", "Month (KST), as its first day.", NOT_NULL),
    # Places, categories, people
    ("sigungu_cd", S, "시군구코드", "Si/gun/gu of the merchant (where the money was spent); 99999 = unknown merchant.", NOT_NULL),
    ("sigungu_name", S, "시군구명", "Name of the si/gun/gu."),
    ("home_sigungu_cd", S, "거주지시군구코드", "Si/gun/gu where the cardholder lives; 99999 = unknown cardholder.", NOT_NULL),
    ("home_sigungu_name", S, "거주지시군구명", "Name of the cardholder's si/gun/gu."),
    ("merchant_sigungu_cd", S, "가맹점시군구코드", "Si/gun/gu of the merchant.", NOT_NULL),
    ("merchant_sigungu_name", S, "가맹점시군구명", "Name of the merchant's si/gun/gu."),
    ("category_cd", S, "업종코드", "Card merchant category (ref.merchant_categories); C99 = unknown merchant.", NOT_NULL),
    ("category_name", S, "업종명", "Name of the card merchant category."),
    ("day_of_week", I8, "요일", "ISO weekday: 1 = Monday .. 7 = Sunday.", {"nullable": False, "range": (1, 7)}),
    ("hour", I8, "시간대", "Hour of the day, 0-23 (KST).", {"nullable": False, "range": (0, 23)}),
    (
        "time_band",
        I8,
        "시간구간",
        "Gyeonggi card data time band: 1 = 00-06h, 2 = 07-08h, ..., 9 = 21-22h, 10 = 23h.",
        {"nullable": False, "range": (1, 10)},
    ),
    ("age_band", S, "연령대", "Cardholder's age band; 'unknown' when the card is not in the register.", NOT_NULL),
    ("gender", S, "성별", "Cardholder's gender M/F; U = unknown.", {"nullable": False, "domain": ("M", "F", "U")}),
    ("currency_cd", S, "지역화폐코드", "Currency (code of the issuing si/gun); 99999 = unknown card.", NOT_NULL),
    ("currency_name", S, "지역화폐명", "Product name of the currency."),
    ("in_issuing_city", B, "발행지역내사용여부", "Spent inside the si/gun that issued the currency.", NOT_NULL),
    ("policy_fund_cd", S, "정책수당코드", "Policy fund the money came from (ref.policy_funds)."),
    ("sales_class", S, "매출등급", "Merchant's card-fee sales class (영세, 중소1-3, 일반); 'unknown' when not in the register."),
    ("is_small_merchant", B, "영세중소여부", "영세 or 중소 merchant.", NOT_NULL),
    ("occupation_cd", S, "직종코드", "KECO-2018 medium occupation class; 99 = unknown posting."),
    ("occupation_name", S, "직종명", "Name of the occupation class."),
    # Payments (the fact table)
    ("txn_id", S, "거래번호", "Transaction id assigned by the operator.", NOT_NULL),
    ("approved_at", TIMESTAMP, "승인일시", "Time of the approval or cancel (KST).", NOT_NULL),
    ("merchant_id", S, "가맹점번호", "Merchant id in kona/merchants.", NOT_NULL),
    (
        "amount_krw",
        I64,
        "결제금액",
        "Amount in KRW; a cancel carries the amount cancelled, positive.",
        {"nullable": False, "range": (1, None)},
    ),
    ("txn_type", S, "거래구분", "APPROVE or CANCEL.", {"nullable": False, "domain": ("APPROVE", "CANCEL")}),
    ("orig_txn_id", S, "원거래번호", "For a cancel, the approval it cancels."),
    (
        "channel",
        S,
        "결제수단",
        "Card, mobile wallet or paper voucher.",
        {"nullable": False, "domain": ("CARD", "MOBILE", "PAPER")},
    ),
    (
        "card_key",
        pl.UInt128(),
        "카드키",
        "The card: the first 128 bits of its token, so distinct counts run on integers.",
        NOT_NULL,
    ),
    # Spending
    ("net_amount_krw", I64, "순결제금액", "Approvals minus cancels on their own day, KRW.", NOT_NULL),
    ("approvals", I64, "승인건수", "Number of approvals.", COUNT),
    ("cancels", I64, "취소건수", "Number of cancels (full or partial).", COUNT),
    ("cards", I64, "카드수", "Distinct cards.", COUNT),
    ("merchants", I64, "가맹점수", "Distinct merchants.", COUNT),
    ("avg_ticket_krw", I64, "건당평균결제금액", "Approved amount / approvals, rounded half up."),
    ("approved_amount_krw", I64, "승인금액", "Approved amount (before cancels), KRW: what the dominance shares are of.", COUNT),
    ("top_merchant_share", F64, "최대가맹점비중", "Largest merchant's share of the cell's approved amount.", SHARE),
    ("second_merchant_share", F64, "2위가맹점비중", "Second-largest merchant's share of the cell's approved amount.", SHARE),
    ("moved_merchants", I64, "이동가맹점수", "Merchants also in another area, category or sales class that month.", COUNT),
    ("top_card_share", F64, "최대카드비중", "Largest card's (one person's) share of the cell's approved amount.", SHARE),
    ("share_of_fund", F64, "수당내비중", "Cell's share of its fund's month."),
    ("inflow_krw", I64, "유입금액", "Non-residents' net spending at merchants in the area.", NOT_NULL),
    ("outflow_krw", I64, "유출금액", "Residents' net spending at merchants elsewhere.", NOT_NULL),
    ("resident_spending_at_home_krw", I64, "역내소비금액", "Residents' net spending at merchants of their own area.", NOT_NULL),
    ("net_inflow_krw", I64, "순유입금액", "Inflow minus outflow.", NOT_NULL),
    ("local_retention", F64, "역내소비율", "Residents' spending at home / residents' total spending."),
    ("charged_krw", I64, "충전금액", "Money charged onto cards of the currency.", NOT_NULL),
    ("incentive_krw", I64, "인센티브금액", "Incentive bonus paid on charges.", NOT_NULL),
    ("policy_charged_krw", I64, "정책수당충전금액", "Charges paid by policy funds.", NOT_NULL),
    ("charges", I64, "충전건수", "Number of charges.", COUNT),
    ("spent_in_issuing_city_krw", I64, "발행지역내사용금액", "Net spending inside the issuing si/gun.", NOT_NULL),
    ("spent_elsewhere_krw", I64, "발행지역외사용금액", "Net spending outside the issuing si/gun.", NOT_NULL),
    ("incentive_cost_per_local_won", F64, "역내사용원당인센티브", "Incentive paid per won spent in the issuing city."),
    # Merchants and businesses
    ("biz_token", S, "사업자토큰", "Pseudonymous business key (HMAC of the registration number), the same in every center."),
    ("in_register", B, "가맹점등록여부", "The merchant is in kona/merchants as of month end.", NOT_NULL),
    (
        "status",
        S,
        "상태",
        "new (registered in the month), closed (closed in the month) or active (traded).",
        {"nullable": False, "domain": ("new", "active", "closed")},
    ),
    ("net_revenue_krw", I64, "순매출액", "Net currency revenue in the month: approvals minus cancels, KRW.", NOT_NULL),
    ("transactions", I64, "승인건수", "Approvals in the month.", COUNT),
    ("customers", I64, "고객수", "Distinct cards with an approval in the month.", COUNT),
    ("mom_growth", F64, "전월대비증감률", "Net revenue / previous month's - 1 (null without a positive base)."),
    ("yoy_growth", F64, "전년동월대비증감률", "Net revenue / same month a year earlier - 1 (null without a positive base)."),
    ("trading_merchants", I64, "거래가맹점수", "Merchants with at least one approval in the month.", COUNT),
    ("openings", I64, "모집인원", "People wanted by postings open in the month.", COUNT),
    ("closures", I64, "폐업가맹점수", "Merchants closed in the month.", COUNT),
    ("total_revenue_krw", I64, "총매출액", "Net card revenue of the cell's merchants.", NOT_NULL),
    ("median_revenue_krw", I64, "매출액중앙값", "Median net revenue of trading merchants."),
    (
        "positive_revenue_krw",
        I64,
        "양의매출합계",
        "Sum of trading merchants' positive net revenue: what the dominance shares are of.",
        COUNT,
    ),
    ("revenue_growth", F64, "매출증감률", "Total revenue / previous month's - 1 (null without a base)."),
    ("small_merchant_share", F64, "영세중소1비중", "Share of trading merchants of class 영세 or 중소1.", SHARE),
    ("centers", I64, "보유기관수", "Centers that know the business.", COUNT),
    ("in_kona", B, "코나아이보유", "Known to kona (a merchant, or currency revenue in the 12 months).", NOT_NULL),
    ("in_ked", B, "한국평가데이터보유", "In the latest ked credit snapshot.", NOT_NULL),
    ("in_gcgf", B, "신용보증재단보유", "A gcgf guarantee event in the 12 months or an active guarantee.", NOT_NULL),
    ("in_gbsa", B, "경기도경제과학진흥원보유", "A gbsa support award in the 12 months.", NOT_NULL),
    ("in_gtp", B, "경기테크노파크보유", "In the latest gtp technology-firm snapshot.", NOT_NULL),
    ("in_gca", B, "경기콘텐츠진흥원보유", "In the latest gca content-firm snapshot.", NOT_NULL),
    ("in_gjf", B, "경기도일자리재단보유", "A gjf posting open at month end or posted in the 12 months, or a hire.", NOT_NULL),
    ("credit_base_month", S, "신용평가기준월", "Month of the ked snapshot used."),
    ("credit_grade", S, "신용등급", "ked credit grade AAA..D (null when not in ked)."),
    ("revenue_krw", I64, "연매출액", "Revenue of the last fiscal year (ked), KRW."),
    ("is_closed", B, "폐업여부", "Closed, according to ked."),
    ("employees", I32, "종업원수", "Employees (ked)."),
    ("currency_revenue_12m_krw", I64, "지역화폐매출12개월", "Net currency revenue of the business's merchants over 12 months."),
    ("currency_dependency", F64, "지역화폐의존도", "Currency revenue over 12 months / last fiscal year's revenue."),
    ("active_guarantees", I64, "유효보증건수", "Guarantees issued and not yet repaid, defaulted or subrogated.", COUNT),
    ("active_guarantee_krw", I64, "유효보증금액", "Issued amount of the active guarantees, KRW.", NOT_NULL),
    ("defaulted_guarantees_12m", I64, "부실보증건수12개월", "Guarantees with a default or subrogation in the 12 months.", COUNT),
    ("support_awards_12m", I64, "지원건수12개월", "gbsa support awards in the 12 months.", COUNT),
    ("support_krw_12m", I64, "지원금액12개월", "gbsa support in the 12 months, KRW.", NOT_NULL),
    ("tech_field_cd", S, "기술분야코드", "gtp technology field."),
    ("genre_cd", S, "콘텐츠장르코드", "gca content genre."),
    ("open_postings", I64, "구인공고수", "Postings open at any time in the month.", COUNT),
    ("hires_12m", I64, "채용건수12개월", "Hires into the business's postings in the 12 months.", COUNT),
    ("center_a", S, "기관A", "The center whose businesses are counted.", NOT_NULL),
    ("center_b", S, "기관B", "The center they are looked up in.", NOT_NULL),
    ("businesses_a", I64, "기관A사업체수", "Businesses known to center A.", COUNT),
    ("businesses_b", I64, "기관B사업체수", "Businesses known to center B.", COUNT),
    ("businesses_both", I64, "공통사업체수", "Businesses known to both, by biz_token.", COUNT),
    ("rate", F64, "연계율", "businesses_both / businesses_a (null when A has none).", SHARE),
    # Credit early warning
    ("revenue_3m_krw", I64, "최근3개월매출", "Currency revenue over the 3 months ending this month.", NOT_NULL),
    ("base_3m_krw", I64, "비교3개월매출", "Revenue of the base window (a year earlier, else the prior 3 months)."),
    (
        "base_period",
        S,
        "비교기간",
        "year_earlier or prior_3m; null without a positive base.",
        {"domain": ("year_earlier", "prior_3m")},
    ),
    ("revenue_change", F64, "매출증감률", "revenue_3m / base_3m - 1."),
    ("revenue_drop", B, "매출급감여부", "Revenue at or below 70% of the base.", NOT_NULL),
    ("grade_b_or_worse", B, "B등급이하여부", "Credit grade B or worse.", NOT_NULL),
    ("guarantee_default_12m", B, "보증사고12개월", "A default or subrogation in the 12 months.", NOT_NULL),
    (
        "reasons",
        pl.List(S),
        "사유",
        "Every condition that holds, in order: revenue drop, grade, guarantee default, closed.",
        NOT_NULL,
    ),
    ("businesses", I64, "사업체수", "Businesses in the cell.", COUNT),
    ("assessed", I64, "평가사업체수", "Businesses with a revenue base to assess.", COUNT),
    ("flagged", I64, "조기경보사업체수", "Businesses flagged by the credit early warning.", COUNT),
    ("flag_rate", F64, "조기경보비율", "Flagged / assessed (null when none assessed).", SHARE),
    # Job matching
    ("new_postings", I64, "신규구인공고수", "Postings posted in the month.", COUNT),
    ("ended_postings", I64, "종료구인공고수", "Postings whose last open day fell in the month.", COUNT),
    ("filled_postings", I64, "충원구인공고수", "Ended postings with status FILLED.", COUNT),
    ("placements", I64, "취업건수", "Hires into postings of the cell in the month.", COUNT),
    ("active_seekers", I64, "구직자수", "Seekers registered and not yet placed, by home area and desired occupation.", COUNT),
    ("new_seekers", I64, "신규구직자수", "Seekers registered in the month.", COUNT),
    ("placed_seekers", I64, "취업구직자수", "Active seekers hired in the month.", COUNT),
    ("vacancy_to_seeker_ratio", F64, "구인배수", "Openings / active seekers (null without seekers).", {"range": (0, None)}),
    ("placement_rate", F64, "취업률", "Active seekers placed in the month / active seekers.", SHARE),
    ("ratio_null_reason", S, "비율미산출사유", "Why the ratios are null: no_active_seekers."),
    ("fill_rate", F64, "충원율", "Postings filled / postings ended in the month.", SHARE),
    ("fill_rate_null_reason", S, "충원율미산출사유", "Why fill_rate is null: no_postings_ended."),
    ("median_days_to_fill", F64, "충원소요일중앙값", "Median days from posting to the last hire."),
    ("employers", I64, "구인사업체수", "Distinct employers with an open posting.", COUNT),
    ("mismatch_index", F64, "미스매치지수", "0.5 x sum over occupations of |share of openings - share of seekers|, 0..1.", SHARE),
    ("mismatch_null_reason", S, "미스매치미산출사유", "Why the index is null: no_openings, no_active_seekers or both."),
    # Consumption trends
    ("net_spending_krw", I64, "순결제금액", "Approvals minus cancels in the week, KRW.", NOT_NULL),
    ("prev_net_spending_krw", I64, "전주순결제금액", "The same for the week before.", NOT_NULL),
    ("spending_growth", F64, "결제증감률", "Net spending / the week before's - 1 (null without a positive base)."),
    ("mention_count", I64, "언급량", "theimc mentions in the week (null when theimc has no row).", {"range": (0, None)}),
    ("prev_mention_count", I64, "전주언급량", "The same for the week before.", {"range": (0, None)}),
    ("mention_growth", F64, "언급증감률", "Mentions / the week before's - 1."),
    ("search_index", F64, "검색지수", "theimc's 0-100 search index, mean over age band x gender.", {"range": (0, 100)}),
    ("prev_search_index", F64, "전주검색지수", "The same for the week before.", {"range": (0, 100)}),
    ("search_index_change", F64, "검색지수변화", "Search index minus the week before's, in index points."),
    (
        "signal",
        S,
        "추세신호",
        "rising, falling or steady (null without a spending base).",
        {"domain": ("rising", "steady", "falling")},
    ),
    # Household finance stress
    (
        "dimension",
        S,
        "구분",
        "Breakdown: all, debt_type or outcome.",
        {"nullable": False, "domain": ("all", "debt_type", "outcome")},
    ),
    ("value", S, "구분값", "Debt type or outcome (ALL for the total).", NOT_NULL),
    ("cases", I64, "상담건수", "Counselling cases opened in the month.", COUNT),
    ("clients", I64, "상담자수", "Distinct clients of those cases.", COUNT),
    ("cardholders", I64, "카드소지자수", "Cardholders registered by month end who live in the area.", COUNT),
    ("cases_per_10k", F64, "카드소지자만명당상담건수", "Cases per 10,000 cardholders living in the area.", {"range": (0, None)}),
    ("rate_null_reason", S, "비율미산출사유", "Why cases_per_10k is null: no_cardholders."),
    # Disclosure control (products)
    ("suppressed", B, "비공개여부", "True when the cell's values are withheld by disclosure control.", NOT_NULL),
)


def column(name: str) -> MartColumn:
    try:
        return COLUMNS[name]
    except KeyError:
        raise KeyError(f"mart column {name!r} is not declared in regional_econ/marts/columns.py") from None
