"""Machinery every center's generator shares: seeded streams, tokens, sampling, daily counts.

Determinism: every random decision draws from its own numpy ``Generator`` seeded from
``(seed, purpose, day)``, never from a shared stream, so adding a decision does not shift
the others and a day's draws do not depend on how long the window is. Nothing reads the
clock.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import polars as pl
import pyarrow as pa

from regional_econ.contracts import Contract
from regional_econ.synth import calendar

EPOCH = date(1970, 1, 1)
# The synthetic world opens on this day (its registers as they stood on the eve, back-dated to
# kona's rollout in April 2019) and evolves day by day from it: every window on or after it is a
# slice of one timeline, so a day's files are the same whatever window holds them. A window that
# starts earlier opens its own world on its first day.
WORLD_OPENS = date(2025, 9, 1)
ROLLOUT = date(2019, 4, 1)  # kona's first merchants and cards

# The key all centers share to pseudonymize business registration numbers (the 2020 data
# laws' combination-agency model): biz_token = HMAC-SHA256(BIZ_KEY, "1234567891") as
# lowercase hex. A fixed synthetic constant, so every center's feed links on the same token.
BIZ_KEY = b"regional-econ synthetic combination-agency key v1"


@dataclass(frozen=True)
class Context:
    """The run's parameters, and the seeded streams and floored counts derived from them."""

    seed: int
    scale: float
    start: date
    days: int

    @property
    def last(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def opening(self) -> date:
        """The day the world opens: ``WORLD_OPENS``, or the window's first day if that is earlier."""
        return min(WORLD_OPENS, self.start)

    @cached_property
    def window(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @cached_property
    def timeline(self) -> list[date]:
        """Every day from the opening to the window's last: state evolves over all of them."""
        return [self.opening + timedelta(days=i) for i in range((self.last - self.opening).days + 1)]

    def rng(self, purpose: str, day: date | None = None) -> np.random.Generator:
        words = [self.seed & 0xFFFFFFFFFFFFFFFF, zlib.crc32(purpose.encode()), day.toordinal() if day else 0]
        return np.random.default_rng(np.random.SeedSequence(words))

    def count(
        self, purpose: str, per_day: float, floor: int, day: date | None = None, factor: float = 1.0, noise: float = 0.05
    ) -> int:
        """``per_day`` at real scale, times scale and ``factor``, +-noise; never below ``floor``.

        The floor keeps every feed non-empty at tiny scales; the noise is lognormal and
        small so that day-to-day volume stays inside the contracts' volume bands.
        """
        jitter = float(np.exp(self.rng(f"count:{purpose}", day).normal(0.0, noise)))
        return max(floor, int(round(per_day * self.scale * factor * jitter)))


def day_number(day: date) -> int:
    """Days since 1970-01-01: five digits from 1997 to 2243, used inside ids."""
    return (day - EPOCH).days


def day_ids(prefix: str, day: date, n: int, seq_digits: int = 5) -> pl.Series:
    """``<prefix><day number><seq>`` ids, unique across days (e.g. JP + 20423 + 00001)."""
    if n >= 10**seq_digits:
        raise ValueError(f"{prefix}: {n} ids do not fit {seq_digits} digits a day")
    seq = pl.Series(np.arange(1, n + 1, dtype=np.int64)).cast(pl.String).str.zfill(seq_digits)
    return (f"{prefix}{day_number(day):05d}" + seq).alias("id")


# --- tokens ------------------------------------------------------------------------------

_HEX_PAIRS = np.array([ord("0123456789abcdef"[i >> 4]) | (ord("0123456789abcdef"[i & 15]) << 8) for i in range(256)], dtype="<u2")


def hex_tokens(gen: np.random.Generator, n: int) -> pl.Series:
    """``n`` random 64-hex person tokens, vectorized (3M in well under a second).

    Person tokens (cards, seekers, clients) are per-center pseudonyms: random, so they can
    never be joined across centers, unlike ``biz_token``.
    """
    chars = _HEX_PAIRS[np.frombuffer(gen.bytes(32 * n), dtype=np.uint8)].view(np.uint8)
    offsets = np.arange(0, (n + 1) * 64, 64, dtype=np.int64)
    return pl.from_arrow(pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))).cast(pl.String)


def biz_token(number: str) -> str:
    return hmac.new(BIZ_KEY, number.encode("ascii"), hashlib.sha256).hexdigest()


def biz_tokens(numbers: list[str]) -> pl.Series:
    return pl.Series([biz_token(n) for n in numbers], dtype=pl.String)


# Business registration numbers: 3-digit tax office (101-899), 2-digit type (01-89),
# 4-digit serial and a check digit. A business's number is an affine permutation of its
# index modulo a prime below the 711,110,000 possible bodies, so numbers never collide.
_OFFICES, _TYPES, _SERIALS = 799, 89, 10_000
_BODIES = _OFFICES * _TYPES * _SERIALS


def _prime_below(n: int) -> int:
    def is_prime(k: int) -> bool:
        if k % 2 == 0:
            return False
        f = 3
        while f * f <= k:
            if k % f == 0:
                return False
            f += 2
        return True

    k = n - 1
    while not is_prime(k):
        k -= 1
    return k


_PRIME = _prime_below(_BODIES)
_WEIGHTS = np.array([1, 3, 7, 1, 3, 7, 1, 3, 5])


def check_digit(body: np.ndarray) -> np.ndarray:
    """The national tax service's check digit of 9-digit bodies (vectorized)."""
    digits = (body[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = (digits * _WEIGHTS).sum(axis=1) + (digits[:, 8] * 5) // 10
    return (10 - total % 10) % 10


def business_numbers(seed: int, index: np.ndarray) -> list[str]:
    """10-digit registration numbers of businesses ``index`` (distinct indices, distinct numbers)."""
    gen = np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFFFFFFFFFF, zlib.crc32(b"brn")]))
    a, b = int(gen.integers(1, _PRIME)), int(gen.integers(0, _PRIME))
    body = (a * np.asarray(index, dtype=object) + b) % _PRIME  # object ints: no int64 overflow
    body = body.astype(np.int64)
    office = 101 + body // (_TYPES * _SERIALS)
    kind = 1 + (body // _SERIALS) % _TYPES
    serial = body % _SERIALS
    nine = office * 10**6 + kind * 10**4 + serial
    ten = nine * 10 + check_digit(nine)
    return [f"{v:010d}" for v in ten.tolist()]


# --- sampling ----------------------------------------------------------------------------


def choice(gen: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """``n`` draws of indices with probability proportional to ``weights``."""
    w = np.asarray(weights, dtype=float)
    return gen.choice(len(w), size=n, p=w / w.sum())


def grouped_choice(
    gen: np.random.Generator, groups: np.ndarray, table_groups: np.ndarray, table_weights: np.ndarray
) -> np.ndarray:
    """For each sample's group, the index of a row of the table drawn within that group.

    ``table_groups`` must be sorted (ascending ints); weights are per row. Vectorized: the
    cumulative weight of each group is laid on [g, g + 1) and searched once.
    """
    table_groups = np.asarray(table_groups)
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(table_weights, dtype=float))])
    g_start = np.searchsorted(table_groups, table_groups, side="left")
    g_end = np.searchsorted(table_groups, table_groups, side="right")
    total = cum[g_end] - cum[g_start]
    within = (cum[1:] - cum[g_start]) / np.where(total > 0, total, 1.0)
    keys = table_groups + np.minimum(within, 1.0) * (1 - 1e-9)
    u = gen.random(len(groups))
    idx = np.searchsorted(keys, groups + u * (1 - 1e-9), side="left")
    s_start = np.searchsorted(table_groups, groups, side="left")
    s_end = np.searchsorted(table_groups, groups, side="right")
    if np.any(s_end <= s_start):
        raise ValueError("grouped_choice: a sample's group has no rows in the table")
    return np.clip(idx, s_start, s_end - 1)


def codes_at(codes: list[str] | np.ndarray, index: np.ndarray) -> pl.Series:
    """Code strings by integer index, through polars (fast for millions of rows)."""
    return pl.Series(list(codes), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def round_to(values: np.ndarray, unit: int) -> np.ndarray:
    return (np.round(np.asarray(values, dtype=float) / unit) * unit).astype(np.int64)


def kst_timestamps(day: date, seconds: np.ndarray) -> pl.Series:
    """Timestamps on ``day`` in KST from seconds after local midnight (whole seconds)."""
    midnight_utc_us = (day_number(day) * 86_400 - 9 * 3600) * 1_000_000
    us = midnight_utc_us + np.asarray(seconds, dtype=np.int64) * 1_000_000
    return pl.from_epoch(pl.Series(us), time_unit="us").dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Seoul")


def dates(days: np.ndarray) -> pl.Series:
    """Dates from day numbers (days since 1970-01-01)."""
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


def conform(contract: Contract, frame: pl.DataFrame) -> pl.DataFrame:
    """Exactly the contract's columns, in order, with its dtypes (write_delivery's input)."""
    missing = [c for c in contract.column_names if c not in frame.columns]
    if missing:
        raise ValueError(f"{contract.id}: generator produced no {missing}")
    return frame.select(contract.column_names).cast(dict(contract.schema))


def weekday_factor(day: date, weekdays: float, saturday: float, sunday: float) -> float:
    """An office's day: public holidays are Sundays."""
    return (weekdays, weekdays, weekdays, weekdays, weekdays, saturday, sunday)[calendar.weekday_of(day)]
