"""The landing zone: where centers drop files, read as the platform reads them.

Layout: ``<landing>/<center>/<feed>/<period key>/<feed>_<YYYYMMDD>_v<N>.<csv|parquet>`` with a
``<file>.manifest.json`` control record ``{"rows", "sha256", "encoding"}`` beside it. The
platform never edits or deletes anything here. A delivery is complete once its manifest
exists; the newest complete version of a period is the one in force.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from regional_econ import names
from regional_econ.contracts import Contract
from regional_econ.periods import KST


@dataclass(frozen=True)
class DeliveredFile:
    """One delivered file of one feed for one period."""

    feed_id: str
    period_key: str
    version: int
    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path.with_name(self.path.name + names.MANIFEST_SUFFIX)

    @property
    def complete(self) -> bool:
        return self.manifest_path.exists()

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    @property
    def received_at(self) -> datetime:
        """When the delivery landed: the manifest's arrival, which completes it."""
        source = self.manifest_path if self.complete else self.path
        return datetime.fromtimestamp(source.stat().st_mtime, KST)


def find_deliveries(landing: Path, contract: Contract, period_key: str | None = None) -> list[DeliveredFile]:
    """Every file delivered for the feed (and period), oldest version first."""
    feed_dir = landing / names.landing_folder(contract.id)
    pattern = f"{period_key}/*" if period_key else "*/*"
    found = []
    for path in feed_dir.glob(pattern):
        match = names.LANDING_FILE.match(path.name)
        if match and match["feed"] == contract.feed:
            found.append(DeliveredFile(contract.id, path.parent.name, int(match["version"]), path))
    return sorted(found, key=lambda d: (d.period_key, d.version))


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
