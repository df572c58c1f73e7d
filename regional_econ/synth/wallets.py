"""What each card holds: money that adds up.

A card pays from its balance and never goes below zero. It holds two purses: policy money (one
fund at a time: youth basic income, relief...) and its own charged money. Payments are paid from
the policy purse first, in time order, and are then tagged with the fund; the one that spends the
last of it is paid partly from the card's own money, and the fund is released. When that does not cover a payment, the holder tops up minutes before: a
standard amount at least the shortfall, plus the city's incentive. So charges follow spending
(over a month they balance it), policy payments are spent by the cards that received them, and
cancels refund the purse they were paid from.
"""

from __future__ import annotations

import numpy as np

CHARGE_AMOUNTS = np.array([10_000, 20_000, 30_000, 50_000, 100_000, 150_000, 200_000, 300_000, 500_000])
CHARGE_WEIGHTS = np.array([0.04, 0.06, 0.08, 0.16, 0.24, 0.10, 0.14, 0.10, 0.08])
TOP_UP_LEAD = (60, 1800)  # seconds a top-up comes before the payment that needs it
MAX_CHARGE = 2_000_000  # the contract's largest charge: a larger shortfall takes several
NO_FUND = -1


class Wallets:
    """Per card (by index): own balance, policy balance and the policy fund it holds."""

    def __init__(self, gen: np.random.Generator, n: int):
        # The opening state of a card that has been topping up for a while: somewhere between
        # empty and the charge it last made, a charge seen in proportion to how long it lasts
        # (its size), so that charges and spending balance from the first month.
        lasting = CHARGE_WEIGHTS * CHARGE_AMOUNTS
        usual = CHARGE_AMOUNTS[gen.choice(len(CHARGE_AMOUNTS), n, p=lasting / lasting.sum())]
        self.own = np.round(usual * gen.random(n), -1).astype(np.int64)
        self.policy = np.zeros(n, dtype=np.int64)
        self.fund = np.full(n, NO_FUND, dtype=np.int64)
        self.credited_at = np.full(n, -1, dtype=np.int64)  # second of today's policy payment, -1 if none

    def open_policy(self, cards: np.ndarray, fund: np.ndarray, amount: np.ndarray) -> None:
        """Policy money cards already hold when the world opens (part of a fund not spent yet)."""
        self.pay_policy(cards, fund, amount)

    def extend(self, n: int) -> None:
        """New cards start empty."""
        zeros = np.zeros(n, dtype=np.int64)
        self.own = np.concatenate([self.own, zeros])
        self.policy = np.concatenate([self.policy, zeros])
        self.fund = np.concatenate([self.fund, np.full(n, NO_FUND, dtype=np.int64)])
        self.credited_at = np.concatenate([self.credited_at, np.full(n, -1, dtype=np.int64)])

    def without_policy(self) -> np.ndarray:
        return self.fund == NO_FUND

    def pay_policy(self, cards: np.ndarray, fund: np.ndarray, amount: np.ndarray, second: np.ndarray | None = None) -> None:
        """Credit policy payments (cards must hold no other fund); ``second``: when in the day they
        arrive (the day's payments before that cannot use them)."""
        if (self.fund[cards] != NO_FUND).any() or len(np.unique(cards)) != len(cards):
            raise ValueError("a card receives one policy fund at a time")
        self.fund[cards] = fund
        self.policy[cards] += amount
        if second is not None:
            self.credited_at[cards] = second

    def settle(
        self, gen: np.random.Generator, card: np.ndarray, amount: np.ndarray, second: np.ndarray, incentive_rate: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Pay the day's approvals in time order; returns each payment's fund (``NO_FUND``: own
        money) and the top-ups (card, second, amount, incentive) that made them possible.
        ``incentive_rate`` is per card (its currency's bonus on charges)."""
        n = len(card)
        order = np.lexsort((np.arange(n), second, card))
        c, a = card[order], amount[order]
        first = np.r_[True, c[1:] != c[:-1]] if n else np.zeros(0, bool)
        start = np.flatnonzero(first)
        group = np.cumsum(first) - 1

        def running(values: np.ndarray) -> np.ndarray:
            total = np.cumsum(values)
            return total - np.r_[0, total[:-1]][start][group] if n else total

        held = self.fund[c]
        # Policy money first, in time order, until it is spent: the payment that spends the last of
        # it is paid partly from it (and carries the fund), the rest from the card's own money.
        # Money paid in today counts from its arrival: a payment before it cannot use it.
        arrived = (second[order] > self.credited_at[c]) & (held != NO_FUND)
        usable = np.where(arrived, a, 0)
        through = running(usable)
        policy = self.policy[c]
        used = np.minimum(through, policy) - np.minimum(through - usable, policy)
        from_policy = used > 0
        spent_policy = np.bincount(group, weights=used, minlength=len(start)).astype(np.int64)
        own_paid = a - used
        need = running(own_paid)  # own money spent up to and including each payment
        available = self.own[c].copy()
        top_card, top_second, top_amount, top_incentive = [], [], [], []
        while True:
            short = np.flatnonzero(need > available)
            if not short.size:
                break
            # The first payment of each card that its money does not cover.
            _, at = np.unique(group[short], return_index=True)
            pay = short[at]
            lack = need[pay] - available[pay]
            usual = CHARGE_AMOUNTS[gen.choice(len(CHARGE_AMOUNTS), pay.size, p=CHARGE_WEIGHTS / CHARGE_WEIGHTS.sum())]
            charge = np.minimum(np.maximum(usual, -(-lack // 10_000) * 10_000), MAX_CHARGE)
            bonus = (np.floor(charge * incentive_rate[c[pay]] / 10) * 10).astype(np.int64)
            lead = gen.integers(*TOP_UP_LEAD, pay.size)
            top_card.append(c[pay])
            top_second.append(np.maximum(second[order][pay] - lead, 0))
            top_amount.append(charge)
            top_incentive.append(bonus)
            credit = np.zeros(len(start), dtype=np.int64)
            credit[group[pay]] = charge + bonus
            # The credit counts from that payment on: earlier ones were already covered.
            later = np.zeros(n, dtype=np.int64)
            later[pay] = credit[group[pay]]
            available += running(later)
        spent_own = np.bincount(group, weights=own_paid, minlength=len(start)).astype(np.int64)
        cards = c[start] if n else np.zeros(0, np.int64)
        charged = np.zeros(len(self.own), dtype=np.int64)
        if top_card:
            np.add.at(charged, np.concatenate(top_card), np.concatenate(top_amount) + np.concatenate(top_incentive))
        self.own += charged
        self.own[cards] -= spent_own
        self.policy[cards] -= spent_policy
        if (self.own < 0).any() or (self.policy < 0).any():
            raise AssertionError("a card went below zero")
        self.fund[self.policy == 0] = NO_FUND
        self.credited_at[:] = -1
        fund = np.full(n, NO_FUND, dtype=np.int64)
        fund[order] = np.where(from_policy, held, NO_FUND)
        tops = tuple(np.concatenate(x) if x else np.zeros(0, np.int64) for x in (top_card, top_second, top_amount, top_incentive))
        return fund, tops

    def refund(self, card: np.ndarray, amount: np.ndarray, fund: np.ndarray) -> None:
        """Cancels give the money back to the purse it came from: the fund's, when the card holds
        that fund or none (then it holds it again, the first fund refunded if several), else its
        own money."""
        held = self.fund[card]
        back = (fund != NO_FUND) & ((held == fund) | (held == NO_FUND))
        if back.any():  # a card holding no fund takes back one fund only
            rows = np.flatnonzero(back & (held == NO_FUND))
            cards, first = np.unique(card[rows], return_index=True)
            first_fund = np.full(len(self.fund), NO_FUND, dtype=np.int64)
            first_fund[cards] = fund[rows[first]]
            back &= (held != NO_FUND) | (fund == first_fund[card])
        np.add.at(self.own, card[~back], amount[~back])
        np.add.at(self.policy, card[back], amount[back])
        self.fund[card[back]] = fund[back]
