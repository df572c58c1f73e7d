"""Cards' purses: never below zero, money conserved, policy money spent by its recipients only."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from regional_econ.synth.wallets import MAX_CHARGE, NO_FUND, Wallets


def _replay_never_negative(opening, policy0, fund0, card, amount, second, fund, tops):
    """Every event in time order, top-ups before payments at the same second, a card's payments of
    one second in the order they were drawn: no purse below zero."""
    t_card, t_second, t_amount, t_bonus = tops
    events = sorted(
        [
            (int(s), 0, i, int(c), int(a + b), NO_FUND)
            for i, (c, s, a, b) in enumerate(zip(t_card, t_second, t_amount, t_bonus, strict=True))
        ]
        + [(int(s), 1, i, int(c), -int(a), int(f)) for i, (c, s, a, f) in enumerate(zip(card, second, amount, fund, strict=True))]
    )
    own, policy = opening.astype(np.int64).copy(), policy0.astype(np.int64).copy()
    for _, _, _, c, delta, f in events:
        if f == NO_FUND:
            own[c] += delta
        else:
            assert fund0[c] == f and policy[c] > 0  # tagged with the fund the card holds, while it has some
            used = min(-delta, policy[c])  # the rest of the payment from its own money
            policy[c] -= used
            own[c] += delta + used
        assert own[c] >= 0 and policy[c] >= 0
    return own, policy


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cards=st.integers(1, 30), payments=st.integers(0, 300), big=st.booleans())
def test_payments_never_overdraw_and_money_is_conserved(seed, cards, payments, big):
    rng = np.random.default_rng(seed)
    wallets = Wallets(rng, cards)
    holders = rng.choice(cards, rng.integers(0, cards + 1), replace=False)
    wallets.pay_policy(holders, rng.integers(0, 5, holders.size), rng.integers(1, 50, holders.size) * 10_000)
    opening, policy0, fund0 = wallets.own.copy(), wallets.policy.copy(), wallets.fund.copy()
    card = rng.integers(0, cards, payments)
    amount = rng.integers(1, 5_000 if big else 50, payments) * 1_000
    second = rng.integers(0, 86_400, payments)
    incentive = rng.choice([0.06, 0.1], cards)
    fund, tops = wallets.settle(rng, card, amount, second, incentive)
    own, policy = _replay_never_negative(opening, policy0, fund0, card, amount, second, fund, tops)
    assert (wallets.own == own).all() and (wallets.policy == policy).all()
    assert (tops[2] <= MAX_CHARGE).all() and (tops[2] > 0).all()
    assert (tops[3] == np.floor(tops[2] * incentive[tops[0]] / 10) * 10).all()
    # A card whose policy money is spent out holds no fund any more.
    assert (wallets.fund[wallets.policy == 0] == NO_FUND).all()


def test_policy_money_pays_whole_payments_first_then_own_money():
    wallets = Wallets(np.random.default_rng(0), 1)
    wallets.own[:] = 0
    wallets.pay_policy(np.array([0]), np.array([2]), np.array([30_000]))
    fund, (t_card, _, t_amount, _) = wallets.settle(
        np.random.default_rng(1),
        np.zeros(3, np.int64),
        np.array([10_000, 15_000, 10_000]),
        np.array([10, 20, 30]),
        np.array([0.1]),
    )
    # 10,000 + 15,000 from the fund; the third spends its last 5,000 and 5,000 of own money, topped up.
    assert fund.tolist() == [2, 2, 2]
    assert t_card.tolist() == [0] and t_amount[0] >= 10_000
    assert wallets.policy[0] == 0 and wallets.fund[0] == NO_FUND  # spent out: the card may receive another fund


def test_a_card_holding_no_fund_takes_back_one_fund():
    wallets = Wallets(np.random.default_rng(0), 1)
    wallets.own[:] = 0
    wallets.refund(np.array([0, 0]), np.array([5_000, 3_000]), np.array([1, 3]))
    assert wallets.policy.tolist() == [5_000] and wallets.fund.tolist() == [1] and wallets.own.tolist() == [3_000]


def test_cancels_refund_the_purse_they_were_paid_from():
    wallets = Wallets(np.random.default_rng(0), 2)
    wallets.own[:] = 0
    wallets.refund(np.array([0, 1]), np.array([5_000, 7_000]), np.array([NO_FUND, 3]))
    assert wallets.own.tolist() == [5_000, 0]
    assert wallets.policy.tolist() == [0, 7_000] and wallets.fund.tolist() == [NO_FUND, 3]
