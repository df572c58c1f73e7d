"""API keys: printed once, stored hashed, tiers ordered, revocation, quotas counted by day."""

import pytest

from regional_econ.serve.keys import TIERS, KeyStore


@pytest.fixture
def store(tmp_path):
    return KeyStore(tmp_path / "portal.sqlite")


def test_a_key_authenticates_and_only_its_digest_is_stored(store, tmp_path):
    key, secret = store.create("center", "kona", 7)
    assert store.authenticate(secret) == key and key.center == "kona" and key.daily_quota == 7
    stored = (tmp_path / "portal.sqlite").read_bytes()
    assert secret.split(".", 1)[1].encode() not in stored and secret.encode() not in stored


@pytest.mark.parametrize("wrong", ["", "nodot", "deadbeef.wrong", None, "x" * 500])
def test_anything_but_a_live_key_is_refused(store, wrong):
    store.create("public")
    assert store.authenticate(wrong) is None


def test_a_key_with_its_id_but_another_secret_is_refused(store):
    _, secret = store.create("staff")
    assert store.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_a_revoked_key_is_refused(store):
    key, secret = store.create("public")
    assert store.revoke(key.key_id) and store.authenticate(secret) is None
    assert not store.revoke(key.key_id)


def test_tiers_reach_down_never_up(store):
    keys = {tier: store.create(tier, "kona" if tier == "center" else None)[0] for tier in TIERS}
    for i, tier in enumerate(TIERS):
        assert [keys[tier].reaches(t) for t in TIERS] == [j <= i for j in range(len(TIERS))]


@pytest.mark.parametrize(("tier", "center"), [("center", None), ("public", "kona"), ("center", "nowhere"), ("root", None)])
def test_an_inconsistent_key_is_not_issued(store, tier, center):
    with pytest.raises(ValueError):
        store.create(tier, center)


def test_calls_are_counted_per_key_and_usage_per_product(store):
    a, _ = store.create("public")
    b, _ = store.create("public")
    for code in ("INFO-000", "INFO-000", "ERROR-336"):
        store.log(a, "spending_monthly", 3, code)
    store.log(b, "job_matching", 1, "INFO-000")
    assert store.calls_today(a) == 3 and store.calls_today(b) == 1
    assert store.usage() == {"spending_monthly": 2, "job_matching": 1}
