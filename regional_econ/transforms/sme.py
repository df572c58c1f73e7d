"""SME marts: merchant revenue from the currency cards, SME indicators, and the SME profile
that fuses the centers on ``biz_token``.

Only businesses are joined across centers (``biz_token`` is the same HMAC in every feed);
person tokens (``card_token``, ``seeker_token``, ``client_token``) never leave their center.
Months are keyed "YYYY-MM-01"; money is KRW Int64. A growth is ``current / base - 1`` and is
null, never zero, when there is no base or the base is not positive.
"""

from __future__ import annotations

from datetime import date
from itertools import permutations

import polars as pl

from regional_econ.periods import month_days, months_back, shift_month
from regional_econ.reference import UNKNOWN_AREA, UNKNOWN_CATEGORY, table
from regional_econ.transforms.common import (
    GUARANTEE_DEFAULTS,
    GUARANTEE_ENDS,
    IS_APPROVAL,
    IS_CANCEL,
    Frame,
    growth,
    round_half_up,
    signed_amount,
)
from regional_econ.transforms.registers import as_of, latest_snapshot

# The centers that carry biz_token, in the order linkage rates are listed.
BUSINESS_CENTERS = ("kona", "ked", "gcgf", "gbsa", "gtp", "gca", "gjf")


# -- merchant revenue ---------------------------------------------------------------------


def merchant_revenue_monthly(transactions: Frame, merchants: Frame, month: str, history: Frame | None = None) -> pl.DataFrame:
    """Month x merchant: net revenue, transactions, customers, growth and status.

    Inputs: kona ``transactions`` (any span; only approvals and cancels whose KST day falls in
    the month count), the kona ``merchants`` register deliveries (the record as of the month's
    last day is used), and ``history``: earlier rows of this mart (at least ``month``,
    ``merchant_id``, ``net_revenue_krw``) for the month before and the month a year before.

    Grain: one row per merchant that is new, closed or trading in the month (a registered
    merchant with none of these has no row). Columns:

    - month, merchant_id, biz_token, sigungu_cd, category_cd, sales_class: the register's,
      as of month end; a merchant missing from the register keeps its rows with
      ``in_register`` false, biz_token and sales_class null, sigungu_cd ``UNKNOWN_AREA`` and
      category_cd ``UNKNOWN_CATEGORY``.
    - net_revenue_krw = approvals minus cancels in the month (a cancel counts in its own
      month, at the original merchant); transactions = approvals; cancels; customers =
      distinct cards with an approval.
    - mom_growth = net / previous month's net - 1; yoy_growth = net / same month last year - 1;
      null when history has no row for the base month or the base is not positive.
    - status, first match wins: ``closed`` when closed_on is in the month, ``new`` when
      registered_on is in the month, ``active`` when it had an approval or a cancel.
    """
    first, last = month_days(month)
    register = as_of(merchants.lazy(), "merchant_id", last.isoformat()).select(
        "merchant_id",
        "biz_token",
        "sigungu_cd",
        "category_cd",
        "sales_class",
        "registered_on",
        "closed_on",
        in_register=pl.lit(True),
    )
    kst_day = pl.col("approved_at").dt.convert_time_zone("Asia/Seoul").dt.date()
    trading = (
        transactions.lazy()
        .filter(kst_day.is_between(first, last))
        .group_by("merchant_id")
        .agg(
            net_revenue_krw=signed_amount().sum(),
            transactions=IS_APPROVAL.sum().cast(pl.Int64),
            cancels=IS_CANCEL.sum().cast(pl.Int64),
            customers=pl.col("card_token").filter(IS_APPROVAL).n_unique().cast(pl.Int64),
        )
        .with_columns(traded=pl.lit(True))
    )
    in_month = lambda column: pl.col(column).is_between(first, last)  # noqa: E731
    rows = (
        register.join(trading, on="merchant_id", how="full", coalesce=True)
        .with_columns(
            status=pl.when(in_month("closed_on"))
            .then(pl.lit("closed"))
            .when(in_month("registered_on"))
            .then(pl.lit("new"))
            .when(pl.col("traded"))
            .then(pl.lit("active"))
        )
        .filter(pl.col("status").is_not_null())
        .with_columns(
            pl.col("in_register").fill_null(False),
            pl.col("sigungu_cd").fill_null(UNKNOWN_AREA),
            pl.col("category_cd").fill_null(UNKNOWN_CATEGORY),
            pl.col("net_revenue_krw", "transactions", "cancels", "customers").fill_null(0),
            month=pl.lit(month),
        )
    )
    rows = _with_growth(rows, history, month)
    return (
        rows.select(
            "month",
            "merchant_id",
            "biz_token",
            "sigungu_cd",
            "category_cd",
            "sales_class",
            "in_register",
            "status",
            "net_revenue_krw",
            "transactions",
            "cancels",
            "customers",
            "mom_growth",
            "yoy_growth",
        )
        .sort("merchant_id")
        .collect()
    )


def _with_growth(rows: pl.LazyFrame, history: Frame | None, month: str) -> pl.LazyFrame:
    """Join the base months' net revenue from earlier mart rows; no history, no growth."""
    base_schema = {"month": pl.String, "merchant_id": pl.String, "net_revenue_krw": pl.Int64}
    earlier = pl.LazyFrame(schema=base_schema) if history is None else history.lazy().select(*base_schema)

    def base(months_ago: int, name: str) -> pl.LazyFrame:
        return (
            earlier.filter(pl.col("month") == shift_month(month, -months_ago))
            .select("merchant_id", pl.col("net_revenue_krw").alias(name))
            .unique("merchant_id")
        )

    return (
        rows.join(base(1, "_mom_base"), on="merchant_id", how="left")
        .join(base(12, "_yoy_base"), on="merchant_id", how="left")
        .with_columns(mom_growth=growth("net_revenue_krw", "_mom_base"), yoy_growth=growth("net_revenue_krw", "_yoy_base"))
    )


# -- SME indicators -----------------------------------------------------------------------


def sme_indicators(revenue: Frame, spending: Frame, month: str) -> pl.DataFrame:
    """Month x sigungu_cd x category_cd: merchant counts, revenue, growth, small-merchant share.

    Input: ``merchant_revenue_monthly`` rows for ``month`` and the month before (other months
    are ignored; without the month before, growth is null) and ``spending_monthly``. Columns:

    - merchants: rows of the merchant mart in the cell (new, closed or trading merchants);
      trading_merchants: those with at least one approval in the month (the "active
      merchants" the shares and medians are over, whatever their status).
    - total_revenue_krw: the cell's net spending (``spending_monthly.net_amount_krw``, 0 without
      it), each payment placed by its day's register. The merchants' rows place a whole month by
      the register at its end: for a merchant re-registered elsewhere during the month the two
      would differ, and the difference of two published cells would be that merchant's takings;
      without such a merchant it is the sum of the cell's merchants' net revenue;
      median_revenue_krw: median net revenue of trading merchants, rounded half up to a won
      (null without trading merchants).
    - revenue_growth = total / previous month's total of the cell - 1 (null without a
      positive base).
    - small_merchant_share = trading merchants of class 영세 or 중소1 / trading merchants with
      a known sales class (null when there are none, e.g. the unknown-merchant cell).
    """
    cell = ["sigungu_cd", "category_cd"]
    rows = revenue.lazy()
    previous = rows.filter(pl.col("month") == shift_month(month, -1)).group_by(cell).agg(_base=pl.col("net_revenue_krw").sum())
    placed = spending.lazy().filter(pl.col("month") == month).select(*cell, total_revenue_krw=pl.col("net_amount_krw"))
    small = table("sales_classes").lazy().select("sales_class", "is_small")
    is_trading = pl.col("transactions") > 0
    known_class = is_trading & pl.col("is_small").is_not_null()
    return (
        rows.filter(pl.col("month") == month)
        .join(small, on="sales_class", how="left")
        .group_by(cell)
        .agg(
            merchants=pl.len().cast(pl.Int64),
            trading_merchants=is_trading.sum().cast(pl.Int64),
            median_revenue_krw=round_half_up(pl.col("net_revenue_krw").filter(is_trading).median()),
            _small=(known_class & pl.col("is_small")).sum(),
            # Dominance: the largest trading merchant's share of the cell's positive revenue.
            _top=pl.col("net_revenue_krw").filter(is_trading).clip(lower_bound=0).top_k(2).sort(descending=True),
            positive_revenue_krw=pl.col("net_revenue_krw").filter(is_trading).clip(lower_bound=0).sum(),
            _classified=known_class.sum(),
        )
        .join(previous, on=cell, how="left")
        .join(placed, on=cell, how="left")
        .with_columns(pl.col("total_revenue_krw").fill_null(0))
        .with_columns(
            month=pl.lit(month),
            revenue_growth=growth("total_revenue_krw", "_base"),
            small_merchant_share=pl.when(pl.col("_classified") > 0).then(pl.col("_small") / pl.col("_classified")),
            **{
                share: pl.when(pl.col("positive_revenue_krw") > 0).then(
                    pl.col("_top").list.get(i, null_on_oob=True).fill_null(0) / pl.col("positive_revenue_krw")
                )
                for i, share in enumerate(("top_merchant_share", "second_merchant_share"))
            },
        )
        .select(
            "month",
            *cell,
            "merchants",
            "trading_merchants",
            "total_revenue_krw",
            "median_revenue_krw",
            "revenue_growth",
            "small_merchant_share",
            "positive_revenue_krw",
            "top_merchant_share",
            "second_merchant_share",
        )
        .sort(cell)
        .collect()
    )


def sme_churn(revenue: Frame, month: str) -> pl.DataFrame:
    """Month x sigungu_cd x category_cd: merchants, openings (status ``new``) and closures (status
    ``closed``) in the ``merchant_revenue_monthly`` rows of ``month``. Few merchants open or close
    in a gu and category in a month: published by si/gun and category group (``Disclosure.coarser``)."""
    cell = ["sigungu_cd", "category_cd"]
    return (
        revenue.lazy()
        .filter(pl.col("month") == month)
        .group_by(cell)
        .agg(
            merchants=pl.len().cast(pl.Int64),
            openings=(pl.col("status") == "new").sum().cast(pl.Int64),
            closures=(pl.col("status") == "closed").sum().cast(pl.Int64),
        )
        .with_columns(month=pl.lit(month))
        .select("month", *cell, "merchants", "openings", "closures")
        .sort(cell)
        .collect()
    )


# -- SME profile: the fusion across centers -----------------------------------------------


def sme_profile(
    *,
    revenue: Frame,
    merchants: Frame,
    credit: Frame,
    guarantees: Frame,
    support: Frame,
    tech: Frame,
    content: Frame,
    postings: Frame,
    placements: Frame,
    month: str,
) -> pl.DataFrame:
    """One row per business (biz_token) known to any center in the 12 months ending ``month``.

    Inputs: ``merchant_revenue_monthly`` rows (the 12 months used), and staged feeds with their
    ``date`` partition key: kona merchants (register), ked sme_credit, gcgf guarantee_events,
    gbsa sme_support, gtp tech_firms, gca content_firms, gjf job_postings (register) and
    placements. Nothing after the month's last day is used. The window is the 12 months
    ending with ``month``.

    A business is in a center (``in_<center>``) when:
    kona: a merchant of it is in the register as of month end and did not close before the
    window, or it has merchant revenue rows in the window; ked / gtp / gca: it is in the
    latest snapshot delivered for a period starting by month end; gcgf: it has an event in
    the window or an active guarantee; gbsa: an award in the window; gjf: a posting of it is
    open at month end or was posted in the window, or it hired in the window.
    ``centers`` counts them; in_gtp and in_gca are the technology and content flags.

    Measures: merchants (kona merchants counted above); credit_base_month, credit_grade,
    revenue_krw (last fiscal year), is_closed, employees from ked (null when not in ked);
    currency_revenue_12m_krw = sum of net revenue of its merchants over the window (null when
    not in kona); currency_dependency = currency revenue / revenue_krw (null when either is
    unknown or revenue_krw is 0; it can exceed 1, ked's revenue being last fiscal year's);
    active_guarantees / active_guarantee_krw: guarantees ISSUED by month end with no REPAID,
    DEFAULTED or SUBROGATED event by then (the issued amount); defaulted_guarantees_12m:
    guarantees with a DEFAULTED or SUBROGATED event in the window; support_awards_12m /
    support_krw_12m: gbsa awards in the window; tech_field_cd (gtp) and genre_cd (gca);
    open_postings: postings with status OPEN as of month end and closes_on not before it;
    hires_12m: placements in the window into its postings. Counts are 0, flags false, for a
    business a center lacks.
    """
    _, last = month_days(month)
    since, until = date.fromisoformat(shift_month(month, -11)), last.isoformat()
    in_window = lambda column: pl.col(column).is_between(since, last)  # noqa: E731

    merchant_register = as_of(merchants.lazy(), "merchant_id", until).filter(
        (pl.col("registered_on") <= last) & (pl.col("closed_on").is_null() | (pl.col("closed_on") >= since))
    )
    kona = (
        merchant_register.group_by("biz_token")
        .agg(merchants=pl.len().cast(pl.Int64))
        .join(
            revenue.lazy()
            .filter(pl.col("month").is_in(months_back(month, 12)) & pl.col("biz_token").is_not_null())
            .group_by("biz_token")
            .agg(currency_revenue_12m_krw=pl.col("net_revenue_krw").sum()),
            on="biz_token",
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("merchants", "currency_revenue_12m_krw").fill_null(0))
    )

    ked = (
        latest_snapshot(credit, until)
        .select(
            "biz_token", pl.col("base_month").alias("credit_base_month"), "credit_grade", "revenue_krw", "is_closed", "employees"
        )
        .unique("biz_token")
    )

    events = guarantees.lazy().filter(pl.col("event_on") <= last)
    ended = events.filter(pl.col("event_type").is_in(GUARANTEE_ENDS)).select("guarantee_id").unique()
    active = (
        events.filter(pl.col("event_type") == "ISSUED")
        .join(ended, on="guarantee_id", how="anti")
        .group_by("biz_token")
        .agg(
            active_guarantees=pl.col("guarantee_id").n_unique().cast(pl.Int64), active_guarantee_krw=pl.col("guarantee_krw").sum()
        )
    )
    recent = (
        events.filter(in_window("event_on"))
        .group_by("biz_token")
        .agg(
            defaulted_guarantees_12m=pl.col("guarantee_id")
            .filter(pl.col("event_type").is_in(GUARANTEE_DEFAULTS))
            .n_unique()
            .cast(pl.Int64)
        )
    )
    gcgf = recent.join(active, on="biz_token", how="full", coalesce=True)

    gbsa = (
        support.lazy()
        .filter(in_window("awarded_on"))
        .group_by("biz_token")
        .agg(support_awards_12m=pl.len().cast(pl.Int64), support_krw_12m=pl.col("support_krw").sum())
    )
    gtp = latest_snapshot(tech, until).select("biz_token", "tech_field_cd").unique("biz_token")
    gca = latest_snapshot(content, until).select("biz_token", "genre_cd").unique("biz_token")

    posting_register = as_of(postings.lazy(), "posting_id", until).filter(pl.col("posted_on") <= last)
    hires = (
        placements.lazy()
        .filter(in_window("hired_on"))
        .join(posting_register.select("posting_id", "employer_biz_token"), on="posting_id", how="inner")
        .group_by("employer_biz_token")
        .agg(hires_12m=pl.len().cast(pl.Int64))
    )
    # OPEN past its closing date only means the CLOSED update has not arrived yet.
    is_open = (pl.col("status") == "OPEN") & (pl.col("closes_on") >= last)
    gjf = (
        posting_register.filter(is_open | in_window("posted_on"))
        .group_by("employer_biz_token")
        .agg(open_postings=is_open.sum().cast(pl.Int64))
        .join(hires, on="employer_biz_token", how="full", coalesce=True)
        .rename({"employer_biz_token": "biz_token"})
    )

    present = {"kona": kona, "ked": ked, "gcgf": gcgf, "gbsa": gbsa, "gtp": gtp, "gca": gca, "gjf": gjf}
    profile = pl.concat([frame.select("biz_token") for frame in present.values()]).unique()
    for center, frame in present.items():
        profile = profile.join(frame.with_columns(pl.lit(True).alias(f"in_{center}")), on="biz_token", how="left")
    flags = [f"in_{c}" for c in BUSINESS_CENTERS]
    counts = [
        "active_guarantees",
        "active_guarantee_krw",
        "defaulted_guarantees_12m",
        "support_awards_12m",
        "support_krw_12m",
        "open_postings",
        "hires_12m",
    ]
    return (
        profile.with_columns(pl.col(*flags).fill_null(False), pl.col(*counts).fill_null(0), month=pl.lit(month))
        .with_columns(
            centers=pl.sum_horizontal(*flags).cast(pl.Int64),
            currency_dependency=pl.when(pl.col("revenue_krw") > 0).then(
                pl.col("currency_revenue_12m_krw") / pl.col("revenue_krw")
            ),
        )
        .select(
            "month",
            "biz_token",
            "centers",
            *flags,
            "merchants",
            "credit_base_month",
            "credit_grade",
            "revenue_krw",
            "is_closed",
            "employees",
            "currency_revenue_12m_krw",
            "currency_dependency",
            "active_guarantees",
            "active_guarantee_krw",
            "defaulted_guarantees_12m",
            "support_awards_12m",
            "support_krw_12m",
            "tech_field_cd",
            "genre_cd",
            "open_postings",
            "hires_12m",
        )
        .sort("biz_token")
        .collect()
    )


def linkage_rates(profile: Frame, month: str) -> pl.DataFrame:
    """For each ordered pair of business centers (A, B): how many of A's businesses B also knows.

    Input: ``sme_profile`` rows; only ``month`` is used. One row per ordered pair (42 rows):
    month, center_a, center_b, businesses_a, businesses_b, businesses_both (in A and in B, by
    biz_token only) and rate = businesses_both / businesses_a (null when A has none).
    """
    flags = profile.lazy().filter(pl.col("month") == month)
    counts = (
        flags.select(
            *[pl.col(f"in_{c}").sum().cast(pl.Int64).alias(c) for c in BUSINESS_CENTERS],
            *[
                (pl.col(f"in_{a}") & pl.col(f"in_{b}")).sum().cast(pl.Int64).alias(f"{a}&{b}")
                for a, b in permutations(BUSINESS_CENTERS, 2)
            ],
        )
        .collect()
        .row(0, named=True)
    )
    pairs = [
        {
            "center_a": a,
            "center_b": b,
            "businesses_a": counts[a],
            "businesses_b": counts[b],
            "businesses_both": counts[f"{a}&{b}"],
        }
        for a, b in permutations(BUSINESS_CENTERS, 2)
    ]
    schema = {
        "center_a": pl.String,
        "center_b": pl.String,
        "businesses_a": pl.Int64,
        "businesses_b": pl.Int64,
        "businesses_both": pl.Int64,
    }
    return pl.DataFrame(pairs, schema=schema).select(
        pl.lit(month).alias("month"),
        pl.all(),
        rate=pl.when(pl.col("businesses_a") > 0).then(pl.col("businesses_both") / pl.col("businesses_a")),
    )
