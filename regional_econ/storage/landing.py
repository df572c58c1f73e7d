"""The landing zone: where centers drop files, read as the platform reads them.

Layout: ``<landing>/<center>/<feed>/<period key>/<feed>_<YYYYMMDD>_v<N>.<csv|parquet>`` with a
``<file>.manifest.json`` control record ``{"rows", "sha256", "encoding"}`` beside it. The
platform never edits or deletes anything here. A delivery is complete once its manifest
exists; the newest complete version of a period is the one in force.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from regional_econ import names
from regional_econ.contracts import Contract, rules
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


@dataclass(frozen=True)
class RefusedFile:
    """A file in a period's folder that is not a delivery the platform reads: it gets a receipt, never rows."""

    feed_id: str
    period_key: str
    path: Path
    rule: str  # the rule it breaks (rules.LANDING_REGULAR_FILE or rules.FILE_NAME_MATCHES_FOLDER)
    reason: str  # what is wrong, without the file's content

    @property
    def arrived(self) -> float:
        try:
            return self.path.lstat().st_mtime
        except OSError:
            return 0.0


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def _examine(landing: Path, contract: Contract, folder: Path, path: Path) -> DeliveredFile | RefusedFile:
    key = folder.name
    refuse = lambda rule, reason: RefusedFile(contract.id, key, path, rule, reason)  # noqa: E731
    if path.is_symlink() or folder.is_symlink() or not _inside(path, landing):
        return refuse(rules.LANDING_REGULAR_FILE.id, "a symbolic link, or a path that leads outside the landing zone")
    if not path.is_file():
        return refuse(rules.LANDING_REGULAR_FILE.id, "not a regular file")
    match = names.LANDING_FILE.match(path.name)
    expected = names.landing_file(contract.id, key, 1, contract.delivery.format)
    if not match or match["feed"] != contract.feed:
        return refuse(rules.FILE_NAME_MATCHES_FOLDER.id, f"not named like {expected.replace('_v1.', '_v<N>.')}")
    if match["day"] != key.replace("-", ""):
        return refuse(rules.FILE_NAME_MATCHES_FOLDER.id, f"named for {match['day']}, in the folder of {key}")
    if match["ext"] != expected.rsplit(".", 1)[1]:
        return refuse(
            rules.FILE_NAME_MATCHES_FOLDER.id, f"a .{match['ext']} file; the contract's format is {contract.delivery.format}"
        )
    delivered = DeliveredFile(contract.id, key, int(match["version"]), path)
    manifest = delivered.manifest_path
    if manifest.is_symlink() or (manifest.exists() and not _inside(manifest, landing)):
        return refuse(rules.LANDING_REGULAR_FILE.id, "its manifest is a symbolic link")
    return delivered


def examine_period(landing: Path, contract: Contract, period_key: str) -> tuple[list[DeliveredFile], list[RefusedFile]]:
    """The period folder's deliveries (oldest version first) and the files refused in it.

    Manifests and hidden files (an upload in progress) are not deliveries of their own.
    """
    folder = landing / names.landing_folder(contract.id, period_key)
    if not folder.exists() and not folder.is_symlink():
        return [], []
    if folder.is_symlink() or not _inside(folder, landing):
        reason = "the period folder is a symbolic link, or leads outside the landing zone"
        return [], [RefusedFile(contract.id, period_key, folder, rules.LANDING_REGULAR_FILE.id, reason)]
    found, refused = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith(names.MANIFEST_SUFFIX):
            continue
        seen = _examine(landing, contract, folder, path)
        (found if isinstance(seen, DeliveredFile) else refused).append(seen)
    return sorted(found, key=lambda d: d.version), refused


def find_deliveries(landing: Path, contract: Contract, period_key: str | None = None) -> list[DeliveredFile]:
    """Every readable file delivered for the feed (and period), oldest version first."""
    feed_dir = landing / names.landing_folder(contract.id)
    keys = [period_key] if period_key else sorted(p.name for p in feed_dir.glob("*")) if feed_dir.exists() else []
    found = []
    for key in keys:
        found += examine_period(landing, contract, key)[0]
    return sorted(found, key=lambda d: (d.period_key, d.version))


class ManifestError(Exception):
    """A manifest that cannot be read as the control record it must be (rule manifest_readable)."""


def read_manifest(delivered: DeliveredFile) -> dict:
    """The manifest as a dict with ``rows`` (int) and ``sha256`` (64 hex); raises ``ManifestError``."""
    try:
        manifest = json.loads(delivered.manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ManifestError("the manifest is not valid JSON in UTF-8") from None
    if not isinstance(manifest, dict):
        raise ManifestError("the manifest is not a JSON object")
    rows, digest = manifest.get("rows"), manifest.get("sha256")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise ManifestError("the manifest's rows is not a whole number")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ManifestError("the manifest's sha256 is not 64 lowercase hexadecimal digits")
    for field_name in ("encoding", "format"):
        if field_name in manifest and not isinstance(manifest[field_name], str):
            raise ManifestError(f"the manifest's {field_name} is not a text")
    return manifest


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
