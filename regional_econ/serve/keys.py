"""API keys, tiers, daily quotas and the call log, in one SQLite file (``data/serve/portal.sqlite``).

A key is ``<key id>.<secret>``, printed once at creation; the file keeps only the SHA-256 of the
whole key (a random 32-byte secret needs no slow hash) and compares it in constant time. Logs
and the call table carry the key id, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from regional_econ.contracts import centers

TIERS = ("public", "center", "staff")  # each reads what the one before it reads, and more
DEFAULT_QUOTA = {"public": 1_000, "center": 10_000, "staff": 100_000}
KST = timezone(timedelta(hours=9))

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    key_id TEXT PRIMARY KEY, digest TEXT NOT NULL, tier TEXT NOT NULL, center TEXT,
    daily_quota INTEGER NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS calls (
    at TEXT NOT NULL, day TEXT NOT NULL, key_id TEXT, product TEXT NOT NULL,
    rows INTEGER NOT NULL, code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_key_day ON calls (key_id, day);
"""


@dataclass(frozen=True)
class Key:
    key_id: str
    tier: str
    center: str | None
    daily_quota: int

    def reaches(self, tier: str) -> bool:
        return TIERS.index(self.tier) >= TIERS.index(tier)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _today() -> str:
    return datetime.now(KST).date().isoformat()


class KeyStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def create(self, tier: str, center: str | None = None, daily_quota: int | None = None) -> tuple[Key, str]:
        """A new key and its secret (shown once)."""
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
        if (tier == "center") != (center is not None):
            raise ValueError("a center key names its center (--center), and only a center key does")
        if center is not None and center not in centers():
            raise ValueError(f"unknown center {center!r}; centers: {', '.join(centers())}")
        quota = DEFAULT_QUOTA[tier] if daily_quota is None else daily_quota
        if quota < 1:
            raise ValueError("a daily quota is at least 1 call")
        key = Key(secrets.token_hex(4), tier, center, quota)
        secret = f"{key.key_id}.{secrets.token_urlsafe(32)}"
        with self._db() as db:
            db.execute(
                "INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (key.key_id, _digest(secret), tier, center, quota, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return key, secret

    def revoke(self, key_id: str) -> bool:
        with self._db() as db:
            done = db.execute(
                "UPDATE keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (datetime.now(UTC).isoformat(timespec="seconds"), key_id),
            )
            return done.rowcount == 1

    def authenticate(self, secret: str | None) -> Key | None:
        """The key a secret is, if it is a live one."""
        if not secret or "." not in secret or len(secret) > 200:
            return None
        key_id = secret.split(".", 1)[0]
        with self._db() as db:
            row = db.execute(
                "SELECT digest, tier, center, daily_quota FROM keys WHERE key_id = ? AND revoked_at IS NULL", (key_id,)
            ).fetchone()
        digest = row[0] if row else _digest("no such key")  # the same work either way
        if not hmac.compare_digest(digest, _digest(secret)) or row is None:
            return None
        return Key(key_id, row[1], row[2], row[3])

    def calls_today(self, key: Key) -> int:
        with self._db() as db:
            return db.execute("SELECT count(*) FROM calls WHERE key_id = ? AND day = ?", (key.key_id, _today())).fetchone()[0]

    def log(self, key: Key | None, product: str, rows: int, code: str) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), _today(), key.key_id if key else None, product, rows, code),
            )

    def usage(self) -> dict[str, int]:
        """Successful calls and downloads per product, all time."""
        with self._db() as db:
            rows = db.execute("SELECT product, count(*) FROM calls WHERE code = 'INFO-000' GROUP BY product").fetchall()
        return dict(rows)

    def listing(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT key_id, tier, center, daily_quota, created_at, revoked_at FROM keys ORDER BY created_at")
            names = [d[0] for d in rows.description]
            return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]
