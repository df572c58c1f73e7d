"""kona: the regional-currency card operator's four feeds.

Registers (``kona/merchants``, ``kona/cardholders``): the first day of the window carries
the full register, later days the upserts (new registrations, closures, Bucheon's recoding
on 2024-01-01). Every merchant and card a transaction or charge uses is in a register
delivered on or before that day.

Transactions, per day (all vectorized):
1. a payment cell merchant area x category x gender is drawn with weight = calibrated amount
   share / the cell's mean ticket (``calibration.spending_cells``), x the week's category trend,
   x the group's day (``calendar``) and the planted events (``events``), so AMOUNT shares match
   the calibration; cells without an open merchant are dropped; the day's count follows the
   calendar;
2. a merchant of that area and category, weighted by its annual sales (x its own trend); a
   distressed merchant also loses payments outright as it declines;
3. the currency paid with, from ``calibration.currency_by_area`` (regional currencies are
   only accepted in their issuing city, so this is ~always the area's own);
4. a card holding that currency and of that gender: 80% of the time one living in the
   merchant's area, else any holder (residents of the city's other gu, or people living
   elsewhere who hold this city's currency) - residents mostly spend at home;
5. amount lognormal around its cell's mean ticket (the portal's per area, ~24,700 KRW overall),
   ending as its category group's prices do; time from its group's hours (``calendar``);
   channel by age;
6. paid from the card's purses (``wallets``): policy money first (the payment carries the fund;
   the one that spends the last of it is topped up from the card's own money), else the card's
   own money, topped up minutes before when short.
Charges are those top-ups (with the city's incentive) and the policy payments: youth basic income
each quarter, a planted relief payment on its days, the other funds daily, each to eligible cards
holding no other fund.
Cancels: 1.2% of approvals fully and 0.3% partially the same day, 0.5% the next day (a
cancel of day D-1's approval in day D's file, same card and merchant; planned on D-1 so a
day never depends on the window's length, and only emitted for approvals in the window).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl

from regional_econ.contracts import contract
from regional_econ.reference import codes, table
from regional_econ.synth import areas, calendar, calibration, events
from regional_econ.synth.businesses import NO_ONSET, TREND, Universe, declining, log_trend
from regional_econ.synth.common import (
    ROLLOUT,
    Context,
    choice,
    codes_at,
    conform,
    dates,
    day_ids,
    day_number,
    grouped_choice,
    hex_tokens,
    kst_timestamps,
    round_to,
)
from regional_econ.synth.wallets import NO_FUND, Wallets

MERCHANTS = 200_000
NEW_MERCHANTS = 120  # a day; with the closures, about 6% a year net, the pace of the volume
CLOSED_MERCHANTS = 88  # a day (on average; none on some days at small scale)
HISTORIC_CLOSED = 0.05  # merchants in the register that closed before the opening
DISTRESSED = 0.03  # merchants planted to decline (``businesses.DECLINE``): credit early-warning cases
ONSET = (-60, 600)  # days from the opening to a planted decline's start (base register)
NEW_SHOP_LEAD = 90  # a shop registering later: its decline starts 90 to 750 days after it registers
DRIFT_SIGMA = 0.02  # spread of merchants' own drift, log sales a month
CARDS = 3_000_000
NEW_CARDS = 500  # a day: 6% a year, the pace of the volume (calendar.GROWTH), so spending per card holds
TRANSACTIONS = 600_000
POLICY_CHARGES = 1_500  # policy payments a day (youth basic income comes quarterly, below)
YBI_SHARE = 0.1  # of cards in their twenties: those aged 24, paid youth basic income each quarter
RELIEF_SALT = 7_919  # a relief payment's cards: a fixed draw independent of youth basic income's
POLICY_HOLDERS = 0.02  # cards holding policy money not yet spent (about three weeks of payments, one quarter's YBI)
LOCAL = 0.80  # a payment's card lives in the merchant's area
FOREIGN_CURRENCY = 0.03  # cards holding another city's currency
CANCEL_FULL, CANCEL_PARTIAL, CANCEL_NEXT_DAY = 0.012, 0.003, 0.005

# Hourly rhythm of next-day cancels (payments keep their group's, in ``calendar``), weekday and weekend.
HOURS_WEEKDAY = np.array(
    [0.6, 0.3, 0.2, 0.15, 0.15, 0.3, 0.9, 2.2, 3.2, 3.6, 4.4, 6.5, 8.6, 6.6, 5.2, 5.0, 5.4, 6.6, 8.4, 8.0, 6.2, 4.6, 3.0, 1.6]
)
HOURS_WEEKEND = np.array(
    [0.9, 0.5, 0.3, 0.2, 0.15, 0.2, 0.5, 1.0, 1.8, 2.8, 4.2, 6.2, 8.0, 7.8, 7.0, 6.6, 6.4, 6.8, 7.8, 7.2, 5.6, 4.2, 2.8, 1.6]
)
AGE_BANDS = tuple(codes("age_bands"))
CHANNELS = ("CARD", "MOBILE", "PAPER")
CHANNEL_BY_AGE = {  # young people pay by phone, older ones keep paper vouchers
    "10": (0.45, 0.55, 0.0),
    "20": (0.50, 0.50, 0.0),
    "30": (0.62, 0.36, 0.02),
    "40": (0.72, 0.25, 0.03),
    "50": (0.80, 0.15, 0.05),
    "60": (0.85, 0.07, 0.08),
    "70": (0.86, 0.04, 0.10),
    "80": (0.86, 0.04, 0.10),
    "90+": (0.86, 0.04, 0.10),
}
FUNDS = tuple(codes("policy_funds"))  # YBI, DRS, PPC, FBI, CHD
YBI_AMOUNT = 250_000  # youth basic income, a quarter
FUND_CHARGE = {  # the daily policy payments (KRW), their share of them, eligible ages
    "DRS": (100_000, 0.40, AGE_BANDS),
    "PPC": (500_000, 0.05, ("20", "30")),
    "FBI": (60_000, 0.15, ("50", "60", "70", "80")),
    "CHD": (100_000, 0.40, ("30", "40")),
}

# Regional currency's share of a merchant's card sales, by category group (``calendar.GROUPS``):
# highest where the incentive is spent (restaurants, local marts), lowest at fuel and car services.
# A merchant's annual card sales (which set its card-fee sales class and its bureau revenue) are
# its expected kona revenue over this share, so kona and the bureau agree on every business.
CURRENCY_SHARE = {"G1": 0.15, "G2": 0.12, "G3": 0.08, "G4": 0.10, "G5": 0.10, "G6": 0.05, "G7": 0.12}
SALES_SIGMA = 0.9  # lognormal spread of merchants' sizes within a cell
# The card companies re-assess every merchant's sales class twice a year on its card sales
# (the preferential-fee review: one in each half year); here on these days, from the sales its
# trend has reached (``businesses.log_trend``), so a declining shop drops a class.
REASSESSED_ON = ((2, 1), (8, 1))  # (month, day)
NAME_PREFIX = (
    "행복",
    "우리",
    "한솔",
    "미소",
    "다온",
    "새봄",
    "푸른",
    "온누리",
    "하나",
    "별빛",
    "소담",
    "청춘",
    "정다운",
    "참",
    "들꽃",
    "해오름",
    "늘봄",
    "가온",
    "한마음",
    "바른",
    "으뜸",
    "동네",
    "골목",
    "사랑",
    "하늘",
    "보람",
    "솔",
    "누리",
    "다솜",
    "착한",
    "명품",
    "제일",
    "황금",
    "초록",
    "햇살",
    "큰",
    "새",
    "좋은",
    "맑은",
    "두레",
)
NAME_SUFFIX = {
    "C01": ("가구", "가구점", "인테리어가구"),
    "C02": ("건강원", "홍삼", "건강식품"),
    "C03": ("철물", "건재상사", "타일"),
    "C04": ("안경", "안경원", "렌즈"),
    "C05": ("상회", "상사", "마켓"),
    "C06": ("의료기", "보건의원", "재활센터"),
    "C07": ("농원", "농장", "영농조합"),
    "C08": ("노래연습장", "PC방", "볼링장"),
    "C09": ("스포츠", "자전거", "골프"),
    "C10": ("공방", "화방", "악기"),
    "C11": ("병원", "요양병원", "한방병원"),
    "C12": ("헤어", "미용실", "네일"),
    "C13": ("컴퓨터", "통신", "전자"),
    "C14": ("서점", "문구", "책방"),
    "C15": ("세탁소", "수선", "열쇠"),
    "C16": ("모텔", "호텔", "게스트하우스"),
    "C17": ("잡화", "가방", "신발"),
    "C18": ("약국",),
    "C19": ("여행사", "투어"),
    "C20": ("주유소", "충전소"),
    "C21": ("사진관", "인쇄", "이사"),
    "C22": ("하나로마트", "생협", "협동조합마트"),
    "C23": ("마트", "슈퍼", "편의점"),
    "C24": ("정육점", "반찬", "떡집", "과일", "베이커리"),
    "C25": ("의류", "옷가게", "부티크"),
    "C26": ("내과", "소아과", "치과", "한의원", "의원"),
    "C27": ("식당", "분식", "카페", "국밥", "치킨", "김밥", "칼국수"),
    "C28": ("카센터", "자동차공업사", "타이어"),
    "C29": ("모터스", "오토"),
    "C30": ("전자", "가전"),
    "C31": ("주방", "그릇"),
    "C32": ("직물", "이불", "커튼"),
    "C33": ("학원", "영어학원", "수학학원", "태권도", "피아노"),
    "C34": ("클럽", "회원마트"),
}
ROADS = (
    "중앙로",
    "시청로",
    "역말로",
    "문화로",
    "평화로",
    "대학로",
    "공원로",
    "장터길",
    "새말길",
    "은행나무길",
    "시장로",
    "복지로",
    "학교길",
    "산업로",
    "호수로",
    "경수대로",
)
NO_DAY = np.iinfo(np.int32).max  # "not closed" in day-number arrays


def new_business_key(day: date, seq: np.ndarray) -> np.ndarray:
    """Stable business key of a merchant registering on ``day``: never collides with base keys."""
    return 10_000_000 + day_number(day) * 1_000 + np.asarray(seq, dtype=np.int64)


@dataclass
class Pending:
    """Next-day cancels planned on day D, delivered in day D+1's file."""

    day: date
    orig_txn_id: pl.Series
    card_token: pl.Series
    merchant_id: pl.Series
    amount: np.ndarray
    channel: pl.Series
    policy: pl.Series
    card: np.ndarray  # card index
    fund: np.ndarray  # fund index, len(FUNDS) for none

    @property
    def size(self) -> int:
        return len(self.amount)

    @classmethod
    def empty(cls, day: date) -> Pending:
        none = pl.Series([], dtype=pl.String)
        empty = np.zeros(0, dtype=np.int64)
        return cls(day, none, none, none, empty, none, none, empty, empty)


def _cancel_amounts(gen: np.random.Generator, amount: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """Full cancels carry the approval's amount; partial ones 10-90% of it, always less."""
    cut = round_to(amount * gen.uniform(0.1, 0.9, len(amount)), 10)
    return np.where(partial, np.clip(cut, 10, amount - 10), amount).astype(np.int64)


@dataclass
class KonaDay:
    frames: dict[str, pl.DataFrame]
    referenced_approvals: set[str]  # approvals of this day that some cancel refers to


class Kona:
    """kona's registers (state carried day to day) and its daily feeds."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.currencies = tuple(codes("currencies"))
        self.leaf = areas.all_leaf_codes()
        self.si = areas.si_of()
        self.merchants = self._base_merchants()
        self.universe = Universe(ctx, self.merchants)
        self._attach_tokens()
        self._base_cards()
        self.incentive = self._incentive_rates()
        self.pending: Pending | None = None

    # -- merchants ----------------------------------------------------------------------

    def _merchant_rows(
        self, gen: np.random.Generator, cell_area: np.ndarray, cell_cat: np.ndarray, since: int, new: bool
    ) -> dict[str, object]:
        """Attributes of merchants in the given area/category cells (vectorized) joining the timeline on
        day number ``since``: the opening (the base register), or their registration (``new``)."""
        n = len(cell_area)
        cats = calibration.categories()
        area_codes = np.array(self.leaf)[cell_area]
        cat_codes = np.array(cats)[cell_cat]
        level = self._sales_level.get
        cell = cell_area * len(cats) + cell_cat
        median = float(np.median(list(self._sales_level.values())))
        relative = gen.lognormal(-(SALES_SIGMA**2) / 2, SALES_SIGMA, n)  # mean one
        sales = np.array([level(int(k), median) for k in cell]) * relative
        sales = np.clip(sales, 5e6, 2e10).round(-4).astype(np.int64)
        sales_class = sales_class_of(sales)
        ksic = table("ksic")
        by_cat: dict[str, list[str]] = {}
        for k, c in zip(ksic["ksic_cd"].to_list(), ksic["category_cd"].to_list(), strict=True):
            if c:
                by_cat.setdefault(c, []).append(k)
        every = ksic["ksic_cd"].to_list()
        pick = gen.random(n)
        ksic_cd = [
            (by_cat.get(c) or every)[int(u * len(by_cat.get(c) or every))] for c, u in zip(cat_codes, pick, strict=True)
        ]  # one lookup per merchant: registers are ~200k rows, built once
        prefix = np.array(NAME_PREFIX)[gen.integers(0, len(NAME_PREFIX), n)]
        suffix = [NAME_SUFFIX[c][int(u * len(NAME_SUFFIX[c]))] for c, u in zip(cat_codes, gen.random(n), strict=True)]
        names = [f"{p}{s}" for p, s in zip(prefix, suffix, strict=True)]
        road = np.array(ROADS)[gen.integers(0, len(ROADS), n)]
        number = gen.integers(1, 400, n)
        ko = areas.names_ko()
        address = [f"경기도 {ko[a]} {r} {k}" for a, r, k in zip(area_codes, road, number, strict=True)]
        lat, lon = areas.points(gen, area_codes)
        distressed = gen.random(n) < DISTRESSED
        drift = gen.normal(0.0, DRIFT_SIGMA, n)
        offset = gen.integers(*ONSET, n)
        if new:  # a new shop trades at least NEW_SHOP_LEAD days before it fails
            offset = offset - ONSET[0] + NEW_SHOP_LEAD
        onset = np.where(distressed, since + offset, NO_ONSET)
        return {
            "merchant_name": names,
            "category_cd": cat_codes,
            "category_i": cell_cat.astype(np.int64),
            "ksic_cd": ksic_cd,
            "sigungu_cd": area_codes,
            "road_address": address,
            "lat": lat,
            "lon": lon,
            "sales_class": sales_class,
            "sales_krw": sales,
            "drift": drift,
            "since": np.full(n, since, dtype=np.int64),
            "onset": onset.astype(np.int64),
        }

    def _base_merchants(self) -> pl.DataFrame:
        """The register on the eve of the opening: one merchant at least in every paid cell, the
        oldest registered at kona's rollout."""
        ctx, start = self.ctx, self.ctx.opening
        gen = ctx.rng("kona/merchants:base")
        cells = calibration.merchant_cells(start)
        per_cell = np.maximum(1, np.round(MERCHANTS * ctx.scale * cells["payments"].to_numpy())).astype(np.int64)
        # Each cell's kona amount a year, shared by its merchants, over the currency's share of card sales.
        yearly = cells["share"].to_numpy() * TRANSACTIONS * ctx.scale * calibration.mean_ticket_krw() * 365
        group = np.array(calendar.GROUPS)[calendar.group_of_category()[cells["category_i"].to_numpy()]]
        share = np.array([CURRENCY_SHARE[g] for g in group])
        key = cells["area_i"].to_numpy() * len(calibration.categories()) + cells["category_i"].to_numpy()
        self._sales_level = dict(zip(key.tolist(), (yearly / per_cell / share).tolist(), strict=True))
        cell_of = np.repeat(np.arange(cells.height), per_cell)
        first = np.r_[True, cell_of[1:] != cell_of[:-1]]  # the cell's first merchant never closes
        closed_n = max(1, round(HISTORIC_CLOSED * len(cell_of)))
        closed_cells = gen.choice(cells.height, closed_n, p=cells["payments"].to_numpy())
        cell_of = np.concatenate([cell_of, closed_cells])
        protected = np.concatenate([first, np.zeros(closed_n, dtype=bool)])
        n = len(cell_of)
        rows = self._merchant_rows(
            gen, cells["area_i"].to_numpy()[cell_of], cells["category_i"].to_numpy()[cell_of], day_number(start), False
        )
        eve = day_number(start) - 1
        registered = eve - np.minimum(gen.exponential(900, n), max(0, eve - day_number(ROLLOUT))).astype(np.int64)
        closed = np.full(n, NO_DAY, dtype=np.int64)
        hist = np.arange(n) >= n - closed_n
        closed[hist] = registered[hist] + ((eve - registered[hist]) * gen.random(closed_n)).astype(np.int64)
        perm = gen.permutation(n)  # ids (and business keys) carry no hint of area or category
        frame = pl.DataFrame(rows).with_columns(
            merchant_id="M0" + pl.Series(perm).cast(pl.String).str.zfill(8),
            biz_key=pl.Series(perm.astype(np.int64)),
            registered_on=dates(registered),
            closed_on=_optional_dates(np.where(hist, closed, NO_DAY)),
            protected=pl.Series(protected),
        )
        return frame.sort("merchant_id")

    def _attach_tokens(self) -> None:
        tokens = self.universe.frame.select("biz_key", "biz_token")
        self.merchants = self.merchants.join(tokens, on="biz_key", how="left", maintain_order="left")

    def _merchant_day(self, day: date, files: bool = True) -> pl.DataFrame:
        """Apply the day's registrations, closures and recodings; return the rows to deliver."""
        ctx = self.ctx
        gen = ctx.rng("kona/merchants", day)
        changed: list[pl.DataFrame] = []
        # Recode areas that stopped being valid (Bucheon on 2024-01-01): an upsert each.
        valid = set(areas.codes_on(day))
        stale = ~self.merchants["sigungu_cd"].is_in(list(valid))
        if stale.any():
            old = self.merchants.filter(stale)
            new_codes = areas.recode(old["sigungu_cd"], old["biz_key"].to_numpy(), day)
            ko = areas.names_ko()
            fixed = old.with_columns(
                sigungu_cd=pl.Series(new_codes, dtype=pl.String),
                road_address=pl.Series(
                    [
                        f"경기도 {ko[c]} " + a.split(" ", 2)[2] if a else a
                        for c, a in zip(new_codes, old["road_address"].to_list(), strict=True)
                    ]
                ),
            )
            self.merchants = pl.concat([self.merchants.filter(~stale), fixed]).sort("merchant_id")
            changed.append(fixed.select("merchant_id"))
        if (day.month, day.day) in REASSESSED_ON:
            changed.append(self._reassess(day))
        # Closures: open, unprotected merchants; declining and small ones close more often.
        dn = day_number(day)
        closures = int(gen.poisson(CLOSED_MERCHANTS * ctx.scale))
        is_open = self._open_mask(day) & ~self.merchants["protected"].to_numpy()
        is_open &= self.merchants["registered_on"].cast(pl.Int32).to_numpy() < dn
        candidates = np.flatnonzero(is_open)
        if closures and len(candidates):
            w = np.where(declining(self.merchants["onset"].to_numpy()[candidates], day), 5.0, 1.0)
            w = w / np.sqrt(self.merchants["sales_krw"].to_numpy()[candidates] / 1e8)
            chosen = gen.choice(candidates, min(closures, len(candidates)), replace=False, p=w / w.sum())
            mask = np.zeros(self.merchants.height, dtype=bool)
            mask[chosen] = True
            closed = self.merchants["closed_on"].cast(pl.Int32).fill_null(NO_DAY).to_numpy().copy()
            closed[mask] = dn
            self.merchants = self.merchants.with_columns(closed_on=_optional_dates(closed))
            changed.append(self.merchants.filter(pl.Series(mask)).select("merchant_id"))
        # Registrations: at least one a day, in cells drawn like payments.
        n_new = ctx.count("kona/merchants:new", NEW_MERCHANTS, 1, day)
        cells = calibration.merchant_cells(day)
        drawn = choice(gen, n_new, cells["payments"].to_numpy())
        rows = self._merchant_rows(gen, cells["area_i"].to_numpy()[drawn], cells["category_i"].to_numpy()[drawn], dn, True)
        ids = day_ids("M", day, n_new, seq_digits=4)
        keys = new_business_key(day, np.arange(1, n_new + 1))
        new = pl.DataFrame(rows).with_columns(
            merchant_id=ids,
            biz_key=pl.Series(keys),
            registered_on=pl.lit(day),
            closed_on=pl.lit(None, dtype=pl.Date),
            protected=pl.lit(False),
        )
        self.universe.add_merchant_businesses(day, new)
        new = new.join(self.universe.frame.select("biz_key", "biz_token"), on="biz_key", how="left", maintain_order="left")
        self.merchants = pl.concat([self.merchants, new.select(self.merchants.columns)], how="vertical_relaxed")
        changed.append(new.select("merchant_id"))
        if not files:
            return pl.DataFrame()
        if day == ctx.start:
            return self.merchants
        ids_changed = pl.concat(changed)["merchant_id"].unique()
        return self.merchants.filter(pl.col("merchant_id").is_in(ids_changed.implode()))

    def _reassess(self, day: date) -> pl.DataFrame:
        """Set each open merchant's sales class from the sales it has reached; the ids that moved."""
        trend = log_trend(*(self.merchants[c].to_numpy() for c in TREND), day)
        now = sales_class_of(self.merchants["sales_krw"].to_numpy() * np.exp(trend))
        moved = pl.Series((now != self.merchants["sales_class"].to_numpy()) & self._open_mask(day))
        self.merchants = self.merchants.with_columns(
            sales_class=pl.when(moved).then(pl.Series(now)).otherwise(pl.col("sales_class"))
        )
        return self.merchants.filter(moved).select("merchant_id")

    def _open_mask(self, day: date) -> np.ndarray:
        dn = day_number(day)
        registered = self.merchants["registered_on"].cast(pl.Int32).to_numpy()
        closed = self.merchants["closed_on"].cast(pl.Int32).fill_null(NO_DAY).to_numpy()
        return (registered <= dn) & (closed > dn)

    # -- cards ----------------------------------------------------------------------------

    def _area_payment_shares(self, day: date) -> tuple[np.ndarray, np.ndarray]:
        """Per leaf area index: share of payments, and share of them made by women."""
        return _area_payment_shares(areas.regime(day))

    def _age_table(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(area index, age index, share) rows sorted by area, for grouped draws."""
        return _age_table(areas.regime(day))

    def _currency_table(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(area index, currency index, share) rows sorted by area, for grouped draws."""
        return _currency_table(areas.regime(day), self.currencies)

    def _currency_of_home(self, gen: np.random.Generator, home: np.ndarray, day: date) -> np.ndarray:
        """Home si's currency, or (3%) another city's, drawn by that city's payment volume."""
        share, _ = self._area_payment_shares(day)
        cur_index = {c: i for i, c in enumerate(self.currencies)}
        home_cur = np.array([cur_index[self.si[self.leaf[h]]] for h in range(len(self.leaf))])[home]
        volume = np.zeros(len(self.currencies))
        np.add.at(volume, np.array([cur_index[self.si[c]] for c in self.leaf]), share)
        foreign = gen.random(len(home)) < FOREIGN_CURRENCY
        other = gen.choice(len(self.currencies), len(home), p=volume / volume.sum())
        other = np.where(other == home_cur, (other + 1) % len(self.currencies), other)
        return np.where(foreign, other, home_cur)

    def _base_cards(self) -> None:
        """Cards on the eve of the opening: per home area as many as its payments need."""
        ctx, start = self.ctx, self.ctx.opening
        gen = ctx.rng("kona/cardholders:base")
        share, female = self._area_payment_shares(start)
        valid = areas.index_of(list(areas.codes_on(start)))
        total = CARDS * ctx.scale
        homes, genders, ages = [], [], []
        age_area, age_i, age_share = self._age_table(start)
        for h in valid:  # 44 areas x 2 genders: quota per group, exact age mix by largest remainder
            for g, g_share in ((0, female[h]), (1, 1 - female[h])):
                n = max(1, int(round(total * share[h] * g_share)))
                rows = age_area == h
                quota = n * age_share[rows] / age_share[rows].sum()
                count = np.floor(quota).astype(np.int64)
                count[np.argsort(-(quota - count))[: n - count.sum()]] += 1
                homes.append(np.full(n, h))
                genders.append(np.full(n, g))
                ages.append(np.repeat(age_i[rows], count))
        home, gender, age = map(np.concatenate, (homes, genders, ages))
        order = gen.permutation(len(home))
        home, gender, age = home[order], gender[order], age[order]
        currency = self._currency_of_home(gen, home, start)
        # The first card of every home x gender keeps the home currency: every local group is non-empty.
        key = home * 2 + gender
        _, first = np.unique(key, return_index=True)
        cur_index = {c: i for i, c in enumerate(self.currencies)}
        currency[first] = [cur_index[self.si[self.leaf[h]]] for h in home[first]]
        n = len(home)
        eve = day_number(start) - 1
        registered = eve - np.minimum(gen.exponential(600, n), max(0, eve - day_number(ROLLOUT))).astype(np.int64)
        self.cards = {"home": home, "gender": gender, "age": age, "currency": currency, "registered": registered}
        self._groups: dict[str, np.ndarray] | None = None  # ``_card_groups`` of the cards so far
        self.card_tokens = hex_tokens(gen, n)
        self.wallets = Wallets(ctx.rng("kona/wallets:base"), n)
        self._opening_policy(ctx.rng("kona/wallets:policy"))

    def _opening_policy(self, gen: np.random.Generator) -> None:
        """``POLICY_HOLDERS`` of the cards hold part of a policy payment when the world opens: a fund
        they are eligible for (youth basic income for the 24-year-olds), not yet spent."""
        ages = self.cards["age"]
        n = len(ages)
        holders = np.flatnonzero(gen.random(n) < POLICY_HOLDERS)
        ybi = (ages[holders] == AGE_BANDS.index("20")) & (_unit_hash(holders) < YBI_SHARE)
        names = list(FUND_CHARGE)
        eligible = np.array([[AGE_BANDS[a] in FUND_CHARGE[f][2] for f in names] for a in range(len(AGE_BANDS))], dtype=float)
        weights = eligible * np.array([FUND_CHARGE[f][1] for f in names])
        rows = np.repeat(np.arange(len(AGE_BANDS)), len(names))
        drawn = grouped_choice(gen, ages[holders], rows, weights.ravel()) % len(names)
        fund = np.where(ybi, FUNDS.index("YBI"), np.array([FUNDS.index(f) for f in names])[drawn])
        full = np.array([FUND_CHARGE.get(f, (YBI_AMOUNT,))[0] for f in FUNDS])[fund]
        left = np.maximum(10, np.round(full * gen.random(holders.size), -1)).astype(np.int64)
        self.wallets.open_policy(holders, fund, left)

    def _card_day(self, day: date, files: bool = True) -> pl.DataFrame:
        """New cards of the day (and recoded homes); the full register on the first day."""
        ctx = self.ctx
        gen = ctx.rng("kona/cardholders", day)
        c = self.cards
        n_before = len(c["home"])
        valid = areas.index_of(list(areas.codes_on(day)))
        stale = ~np.isin(c["home"], valid)
        if stale.any():
            codes_now = areas.recode(np.array(self.leaf)[c["home"][stale]], np.flatnonzero(stale), day)
            c["home"][stale] = areas.index_of(list(codes_now))
            self._groups = None  # homes moved: sort again
        n = ctx.count("kona/cardholders:new", NEW_CARDS, 1, day)
        share, female = self._area_payment_shares(day)
        home = gen.choice(len(self.leaf), n, p=share)
        gender = (gen.random(n) >= female[home]).astype(np.int64)
        age_area, age_i, age_share = self._age_table(day)
        age = age_i[grouped_choice(gen, home, age_area, age_share)]
        currency = self._currency_of_home(gen, home, day)
        for name, values in (
            ("home", home),
            ("gender", gender),
            ("age", age),
            ("currency", currency),
            ("registered", np.full(n, day_number(day))),
        ):
            c[name] = np.concatenate([c[name], values])
        self.card_tokens = pl.concat([self.card_tokens, hex_tokens(gen, n)])
        self.wallets.extend(n)
        if not files:
            return pl.DataFrame()
        if day == ctx.start:
            rows = np.arange(len(c["home"]))
        else:
            rows = np.concatenate([np.flatnonzero(stale), np.arange(n_before, n_before + n)])
        return self._cardholder_frame(rows)

    def _cardholder_frame(self, rows: np.ndarray) -> pl.DataFrame:
        c = self.cards
        return conform(
            contract("kona/cardholders"),
            pl.DataFrame(
                {
                    "card_token": self.card_tokens.gather(rows),
                    "currency_cd": codes_at(self.currencies, c["currency"][rows]),
                    "home_sigungu_cd": codes_at(self.leaf, c["home"][rows]),
                    "age_band": codes_at(AGE_BANDS, c["age"][rows]),
                    "gender": codes_at(("F", "M"), c["gender"][rows]),
                    "registered_on": dates(c["registered"][rows]),
                }
            ),
        )

    def _card_groups(self) -> dict[str, np.ndarray]:
        """Cards sorted by (currency, gender, home) and by (currency, gender), with group bounds."""
        c = self.cards
        n_areas, n_cur = len(self.leaf), len(self.currencies)
        key2 = c["currency"] * 2 + c["gender"]
        key1 = key2 * n_areas + c["home"]
        out, known = {}, self._groups
        for name, key, size in (("local", key1, n_cur * 2 * n_areas), ("pool", key2, n_cur * 2), ("gender", c["gender"], 2)):
            if known is None:
                order = np.argsort(key, kind="stable")
            else:  # yesterday's order with the new cards inserted: what a stable sort of all of them gives
                old = known[name]
                new = np.argsort(key[len(old) :], kind="stable")
                at = np.searchsorted(key[old], key[len(old) :][new], side="right")
                order = np.insert(old, at, len(old) + new)
            counts = np.bincount(key, minlength=size)
            out[name] = order
            out[f"{name}_start"] = np.concatenate([[0], np.cumsum(counts)[:-1]])
            out[f"{name}_size"] = counts
        self._groups = out
        return out

    # -- transactions -----------------------------------------------------------------------

    def _transactions(self, day: date, files: bool = True) -> tuple[pl.DataFrame, set[str]]:
        ctx = self.ctx
        gen = ctx.rng("kona/transactions", day)
        n_cat = len(calibration.categories())
        cells = calibration.spending_cells(day)
        c_area, c_cat = cells["area_i"].to_numpy(), cells["category_i"].to_numpy()
        c_group = calendar.group_of_category()[c_cat]
        trend = calibration.category_trend(ctx.seed, day)
        # The day's volume: the season times each group's day (its week, the feasts), weighted by its payments.
        weight = cells["payments"].to_numpy() * trend[c_cat]
        day_weight = weight * calendar.group_factors(day)[c_group]
        day_weight *= events.spending_factors(day, cells["sigungu_cd"].to_numpy(), cells["category_cd"].to_numpy())
        n = ctx.count(
            "kona/transactions",
            TRANSACTIONS / (1 + CANCEL_FULL + CANCEL_PARTIAL + CANCEL_NEXT_DAY),
            200,
            day,
            factor=calendar.season(day) * day_weight.sum() / weight.sum(),
        )
        # 1. payment cells, restricted to cells with an open merchant
        m_open = np.flatnonzero(self._open_mask(day))
        m_area = areas.index_of(self.merchants["sigungu_cd"].gather(m_open).to_list())
        m_cell = m_area * n_cat + self.merchants["category_i"].to_numpy()[m_open]
        pick = choice(gen, n, day_weight * np.isin(c_area * n_cat + c_cat, m_cell))
        area_i, cat_i = c_area[pick], c_cat[pick]
        gender = (cells["gender"].to_numpy()[pick] == "M").astype(np.int64)
        # 2. merchant within the cell, by its sales and its own trend
        # Its drift weighs it within the cell; a planted decline acts below, by payments lost outright.
        m_trend = [self.merchants[c].to_numpy() for c in TREND]
        drift = log_trend(m_trend[0][m_open], m_trend[1][m_open], NO_ONSET, day)
        m_weight = self.merchants["sales_krw"].to_numpy()[m_open] * np.exp(drift)
        order = np.argsort(m_cell, kind="stable")
        merchant = m_open[order][grouped_choice(gen, area_i * n_cat + cat_i, m_cell[order], m_weight[order])]
        # A declining merchant loses customers outright (not shared out within its cell, where the only
        # merchant of a cell would keep everything): DECLINE a month from its onset.
        decline = log_trend(0.0, 0, m_trend[2][merchant], day)
        kept = gen.random(n) < np.exp(decline)
        pick, area_i, cat_i, gender, merchant = pick[kept], area_i[kept], cat_i[kept], gender[kept], merchant[kept]
        n = int(kept.sum())
        # 3. currency paid with, by merchant area
        t_area, t_cur, t_share = self._currency_table(day)
        currency = t_cur[grouped_choice(gen, area_i, t_area, t_share)]
        # 4. card: a holder of that currency living in the area, else any holder, else any card of the gender
        card = self._pick_cards(gen, currency, gender, area_i)
        # 5. amount, time, channel, policy fund
        raw = gen.lognormal(calibration.ticket_mu(cells["ticket"].to_numpy()[pick]), calibration.TICKET_SIGMA)
        amount = np.clip(calibration.prices(gen, raw, c_group[pick]), 100, 5_000_000)
        # Each group's hours: clinics in the morning, academies after school, restaurants at meals.
        h_key, h_hour, h_weight = calendar.hour_table()
        rest = int(calendar.rests(day))
        second = h_hour[grouped_choice(gen, c_group[pick] * 2 + rest, h_key, h_weight)] * 3600 + gen.integers(0, 3600, n)
        hours = HOURS_WEEKEND if rest else HOURS_WEEKDAY
        age = self.cards["age"][card]
        channel_p = np.array([CHANNEL_BY_AGE[a] for a in AGE_BANDS]).ravel()
        channel = grouped_choice(gen, age, np.repeat(np.arange(len(AGE_BANDS)), len(CHANNELS)), channel_p) % len(CHANNELS)
        # 6. paid from the card's purses: policy money tagged with its fund, or its own, topped up when short
        incentive = self.incentive[self.cards["currency"]]
        fund, self._top_ups = self.wallets.settle(self.ctx.rng("kona/wallets", day), card, amount, second, incentive)
        no_fund = len(FUNDS)  # index of the null fund in codes_at(FUNDS + (None,))
        fund = np.where(fund == NO_FUND, no_fund, fund)
        # Same-day cancels: full, or partial (strictly less than the approval).
        r = gen.random(n)
        full = r < CANCEL_FULL
        partial = (r >= CANCEL_FULL) & (r < CANCEL_FULL + CANCEL_PARTIAL) & (amount >= 200)
        same = np.flatnonzero(full | partial)
        c_amount = _cancel_amounts(gen, amount[same], partial[same])
        c_second = np.minimum(second[same] + 60 + gen.exponential(2400, len(same)).astype(np.int64), 86_399)
        # Yesterday's plan becomes today's next-day cancels (only approvals inside the window).
        pend = self.pending if self.pending is not None and self.pending.day == day else Pending.empty(day)
        p = pend.size
        p_second = choice(gen, p, hours) * 3600 + gen.integers(0, 3600, p) if p else np.zeros(0, dtype=np.int64)
        # All events in time order (approvals first on equal seconds): T + yyyymmdd + 8-digit rank.
        when = np.concatenate([second, c_second, p_second])
        n_events = len(when)
        if n_events >= 90_000_000:  # ids from 9xxxxxxx are kept free for never-issued ids
            raise ValueError("kona/transactions: more than 90M events in a day do not fit the id")
        rank = np.empty(n_events, dtype=np.int64)
        rank[np.lexsort((np.arange(n_events), when))] = np.arange(1, n_events + 1)
        # Cancels refund the purse they were paid from, after the day's payments (never earlier than the cancel).
        self.wallets.refund(
            np.concatenate([card[same], pend.card]),
            np.concatenate([c_amount, pend.amount]),
            _fund_or_none(np.r_[fund[same], pend.fund]),
        )
        # Plan tomorrow's cancels (70% full, 30% partial) among approvals nobody cancelled today.
        nextday = np.flatnonzero((gen.random(n) < CANCEL_NEXT_DAY / (1 - CANCEL_FULL - CANCEL_PARTIAL)) & ~(full | partial))
        part = (gen.random(len(nextday)) < 0.3) & (amount[nextday] >= 200)
        next_amount = _cancel_amounts(gen, amount[nextday], part)
        if not files:  # a day before the window: the state moves on, nothing is written
            none = Pending.empty(day).orig_txn_id
            self.pending = Pending(
                day + timedelta(days=1), none, none, none, next_amount, none, none, card[nextday], fund[nextday]
            )
            return pl.DataFrame(), set()
        # The window's first day holds no cancel of an approval before the window (the eve's plan).
        shown = pend if day != ctx.start else Pending.empty(day)
        rows = n + len(same) + shown.size
        ids = f"T{day:%Y%m%d}" + pl.Series(rank[:rows]).cast(pl.String).str.zfill(8)
        approval_ids = ids.slice(0, n)
        merchant_ids = self.merchants["merchant_id"]
        frame = pl.DataFrame(
            {
                "txn_id": ids,
                "approved_at": kst_timestamps(day, when[:rows]),
                "card_token": pl.concat([self.card_tokens.gather(card), self.card_tokens.gather(card[same]), shown.card_token]),
                "merchant_id": pl.concat([merchant_ids.gather(merchant), merchant_ids.gather(merchant[same]), shown.merchant_id]),
                "amount_krw": np.concatenate([amount, c_amount, shown.amount]).astype(np.int64),
                "txn_type": codes_at(
                    ("APPROVE", "CANCEL"), np.r_[np.zeros(n, dtype=np.int64), np.ones(rows - n, dtype=np.int64)]
                ),
                "orig_txn_id": pl.concat([pl.Series([None] * n, dtype=pl.String), approval_ids.gather(same), shown.orig_txn_id]),
                "channel": pl.concat([codes_at(CHANNELS, channel), codes_at(CHANNELS, channel[same]), shown.channel]),
                "policy_fund_cd": pl.concat(
                    [codes_at(FUNDS + (None,), fund), codes_at(FUNDS + (None,), fund[same]), shown.policy]
                ),
            }
        )
        frame = conform(contract("kona/transactions"), frame).sort("txn_id")
        self.pending = Pending(
            day=day + timedelta(days=1),
            orig_txn_id=approval_ids.gather(nextday),
            card_token=self.card_tokens.gather(card[nextday]),
            merchant_id=merchant_ids.gather(merchant[nextday]),
            amount=next_amount,
            channel=codes_at(CHANNELS, channel[nextday]),
            policy=codes_at(FUNDS + (None,), fund[nextday]),
            card=card[nextday],
            fund=fund[nextday],
        )
        referenced = set(approval_ids.gather(same).to_list()) | set(self.pending.orig_txn_id.to_list())
        return frame, referenced

    def _pick_cards(self, gen: np.random.Generator, currency: np.ndarray, gender: np.ndarray, area: np.ndarray) -> np.ndarray:
        g = self._card_groups()
        k_pool = currency * 2 + gender
        k_local = k_pool * len(self.leaf) + area
        u = gen.random(len(currency))

        def pick(name: str, key: np.ndarray) -> np.ndarray:
            size = g[f"{name}_size"][key]
            pos = g[f"{name}_start"][key] + np.minimum((u * size).astype(np.int64), np.maximum(size - 1, 0))
            return g[name][np.minimum(pos, len(g[name]) - 1)]

        use_local = (gen.random(len(currency)) < LOCAL) & (g["local_size"][k_local] > 0)
        use_pool = ~use_local & (g["pool_size"][k_pool] > 0)
        return np.where(use_local, pick("local", k_local), np.where(use_pool, pick("pool", k_pool), pick("gender", gender)))

    # -- charges ------------------------------------------------------------------------------

    def _incentive_rates(self) -> np.ndarray:
        """Each city's bonus rate on purchases of its currency: 6, 7, 8 or 10%."""
        gen = self.ctx.rng("kona/charges:incentive")
        return gen.choice(np.array([0.06, 0.07, 0.08, 0.10]), len(self.currencies), p=[0.2, 0.2, 0.2, 0.4])

    def _policy_payouts(self, day: date) -> None:
        """The day's policy payments, credited before anyone pays (the early-morning batch): youth
        basic income on each quarter's first working day to the cards of 24-year-olds, a planted
        relief payment (``events``) on its days, the other funds every day to eligible cards
        holding no fund."""
        ctx, ages = self.ctx, self.cards["age"]
        gen = ctx.rng("kona/charges:policy", day)
        n = len(ages)
        free = self.wallets.without_policy()
        blocks: list[tuple[np.ndarray, str, int]] = []  # cards, fund, amount each
        taken = np.zeros(n, dtype=bool)

        def pay(cards: np.ndarray, fund: str, amount: int) -> None:
            cards = cards[~taken[cards]]
            taken[cards] = True
            blocks.append((cards, fund, amount))

        if day == calendar.first_working_day(day.year, 3 * ((day.month - 1) // 3) + 1):
            aged_24 = _unit_hash(np.arange(n)) < YBI_SHARE
            pay(np.flatnonzero((ages == AGE_BANDS.index("20")) & free & aged_24), "YBI", YBI_AMOUNT)
        relief = events.relief_on(day)
        if relief is not None:  # each of its cards on one of its days
            h = _unit_hash(np.arange(n), RELIEF_SALT)
            today = (h < relief.share) & (np.floor(h / relief.share * relief.days) == (day - relief.start).days)
            pay(np.flatnonzero(today & free), "DRS", relief.amount_krw)
        names = list(FUND_CHARGE)
        drawn = choice(
            gen, ctx.count("kona/charges:policy", POLICY_CHARGES, 2, day), np.array([FUND_CHARGE[f][1] for f in names])
        )
        for i, name in enumerate(names):
            k = int((drawn == i).sum())
            eligible = np.flatnonzero(np.isin(ages, [AGE_BANDS.index(a) for a in FUND_CHARGE[name][2]]) & free & ~taken)
            if k and eligible.size:
                pay(np.sort(gen.choice(eligible, min(k, eligible.size), replace=False)), name, FUND_CHARGE[name][0])
        card = np.concatenate([b[0] for b in blocks]) if blocks else np.zeros(0, np.int64)
        fund = np.concatenate([np.full(b[0].size, FUNDS.index(b[1])) for b in blocks]) if blocks else np.zeros(0, np.int64)
        amount = np.concatenate([np.full(b[0].size, b[2], dtype=np.int64) for b in blocks]) if blocks else np.zeros(0, np.int64)
        second = 5 * 3600 + gen.integers(0, 2 * 3600, card.size)
        self.wallets.pay_policy(card, fund, amount, second)
        self._payouts = (card, second, amount, fund)

    def _charges(self, day: date) -> pl.DataFrame:
        """The policy payments and the top-ups the day's payments needed (``wallets``)."""
        p_card, p_second, p_amount, p_fund = self._payouts
        t_card, t_second, t_amount, t_incentive = self._top_ups
        when = np.concatenate([p_second, t_second])
        order = np.lexsort((np.arange(len(when)), when))
        rank = np.empty(len(when), dtype=np.int64)
        rank[order] = np.arange(1, len(when) + 1)
        frame = pl.DataFrame(
            {
                "charge_id": f"CH{day:%Y%m%d}" + pl.Series(rank).cast(pl.String).str.zfill(7),
                "card_token": self.card_tokens.gather(np.concatenate([p_card, t_card])),
                "charged_at": kst_timestamps(day, when),
                "amount_krw": np.concatenate([p_amount, t_amount]).astype(np.int64),
                "incentive_krw": np.concatenate([np.zeros(p_card.size, dtype=np.int64), t_incentive]),
                "policy_fund_cd": pl.concat([codes_at(FUNDS, p_fund), pl.Series([None] * t_card.size, dtype=pl.String)]),
            }
        )
        return conform(contract("kona/charges"), frame).sort("charge_id")

    # -- the day ----------------------------------------------------------------------------

    def move_to_window(self) -> None:
        """Move the state on over the days from the opening to the window's eve (nothing delivered)."""
        for day in self.ctx.timeline[: (self.ctx.start - self.ctx.opening).days]:
            self.day(day, files=False)

    def window_opening(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per card (own, policy, fund index or ``NO_FUND``) as a reader of the window's files must take
        them on its first morning: the state then, plus the refunds of the cancels of the eve's
        approvals (the window does not hold them; they are refunded later that day)."""
        w = copy.deepcopy(self.wallets)
        pend = self.pending
        if pend is not None and pend.day == self.ctx.start:
            w.refund(pend.card, pend.amount, _fund_or_none(pend.fund))
        return w.own, w.policy, w.fund

    def day(self, day: date, files: bool = True) -> KonaDay:
        """Move the registers and balances on by ``day``; its files, unless ``files`` is false (a day
        before the window: the same draws, nothing to deliver)."""
        merchants = self._merchant_day(day, files)
        cardholders = self._card_day(day, files)
        self._policy_payouts(day)
        transactions, referenced = self._transactions(day, files)
        if not files:
            return KonaDay(frames={}, referenced_approvals=set())
        charges = self._charges(day)
        merchant_out = conform(contract("kona/merchants"), merchants).sort("merchant_id")
        return KonaDay(
            frames={
                "kona/merchants": merchant_out,
                "kona/cardholders": cardholders,
                "kona/transactions": transactions,
                "kona/charges": charges,
            },
            referenced_approvals=referenced,
        )


def sales_class_of(annual_sales_krw: np.ndarray) -> np.ndarray:
    """The sales class (``sales_classes``) of each annual card sales figure."""
    classes = table("sales_classes")
    limits = classes["max_annual_revenue_krw"].fill_null(2**62).to_numpy()
    return np.array(classes["sales_class"].to_list())[np.searchsorted(limits, annual_sales_krw, side="left")]


@cache
def _area_payment_shares(day: date) -> tuple[np.ndarray, np.ndarray]:
    cells = calibration.spending_cells(day)
    n = len(areas.all_leaf_codes())
    area, payments = cells["area_i"].to_numpy(), cells["payments"].to_numpy()
    share = np.bincount(area, weights=payments, minlength=n)
    women = np.bincount(area, weights=payments * (cells["gender"].to_numpy() == "F"), minlength=n)
    female = np.divide(women, share, out=np.full(n, 0.5), where=share > 0)
    return share / share.sum(), female


@cache
def _age_table(day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ages = calibration.age_by_area(day)
    area_i = areas.index_of(ages["sigungu_cd"].to_list())
    age_i = np.array([AGE_BANDS.index(a) for a in ages["age_band"].to_list()])
    order = np.lexsort((age_i, area_i))
    return area_i[order], age_i[order], ages["share"].to_numpy()[order]


@cache
def _currency_table(day: date, currencies: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = calibration.currency_by_area(day)
    index = {c: i for i, c in enumerate(currencies)}
    area = areas.index_of(table["sigungu_cd"].to_list())
    currency = np.array([index[c] for c in table["currency_cd"].to_list()])
    order = np.argsort(area, kind="stable")
    return area[order], currency[order], table["share"].to_numpy()[order]


def _fund_or_none(fund: np.ndarray) -> np.ndarray:
    """Fund indices with the null fund (``len(FUNDS)``) as the wallets' ``NO_FUND``."""
    return np.where(fund == len(FUNDS), NO_FUND, fund)


def _unit_hash(keys: np.ndarray, salt: int = 0) -> np.ndarray:
    """A fixed number in [0, 1) per integer key (splitmix64's finalizer): the same draw every run,
    and draws of different salts independent of each other."""
    x = np.asarray(keys, dtype=np.uint64) + np.uint64(salt * 0x9E3779B97F4A7C15 % 2**64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return ((x ^ (x >> np.uint64(31))) >> np.uint64(11)).astype(float) / 2**53


def _optional_dates(days: np.ndarray) -> pl.Series:
    """Dates from day numbers, NO_DAY meaning null (a merchant not closed)."""
    days = np.asarray(days, dtype=np.int64)
    return (
        pl.Series(np.where(days == NO_DAY, 0, days).astype(np.int32)).cast(pl.Date).scatter(np.flatnonzero(days == NO_DAY), None)
    )
