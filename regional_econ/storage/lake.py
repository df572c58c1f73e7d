"""The Parquet lake: Hive-style partitions, written so that readers never see half of a change.

``<lake>/<layer>/<name>/<period column>=<key>/...`` where layer is ``staged`` or ``quarantine``
(name = ``<center>/<feed>``) or ``marts`` (name = the mart).

**Feeds are promoted, never overwritten.** A feed's period is one staged file, one quarantine
file and one receipt, which must change together or not at all. Each is written under a name
derived from its content (``part-<sha256 prefix>.parquet``) beside the files in force, and then
one small pointer, ``_meta/in_force/<center>/<feed>/date=<key>.json``, is replaced atomically:
that rename is the commit. Readers go through the pointer (``keys``, ``scan``, the warehouse's
views), so a writer killed at any point leaves the period exactly as it was, and a delivery the
batch gate blocks is simply never promoted. Re-staging identical content rewrites identical
bytes. Files no pointer references are removed by ``collect_garbage`` (the warehouse runs it
after rebuilding its views on the pointers) and, with the temporary files of a killed writer,
by the next staging of that period. A lock file per period keeps one writer at a time.

**Marts** are one file per partition (``part-0.parquet``), written beside its place and renamed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.storage.receipts import Receipts

PART_FILE = "part-0.parquet"
FEED_LAYERS = (names.STAGED, names.QUARANTINE)
META = "_meta"
TMP_PREFIX = ".tmp-"
GRACE_SECONDS = 3600  # an unreferenced file younger than this may belong to a commit under way elsewhere


def _tmp_name(stem: str) -> str:
    """A temporary name that says which writer made it, so the next run knows a dead writer's leftovers."""
    return f"{TMP_PREFIX}{os.getpid()}@{socket.gethostname()}@{stem}"


def _writer_gone(path: Path) -> bool:
    """A temporary file whose writer (that pid on this host) no longer runs, or that is old."""
    try:
        pid, host, _ = path.name[len(TMP_PREFIX) :].split("@", 2)
        age = time.time() - path.stat().st_mtime
    except (ValueError, OSError):
        return True
    if host != socket.gethostname():
        return age > GRACE_SECONDS
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return True
    except PermissionError:
        return False
    return int(pid) != os.getpid() and age > GRACE_SECONDS


def write_atomic(path: Path, write) -> None:
    """``write(tmp)`` then rename over ``path``: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(_tmp_name(path.name))
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    # zstd level 1: as fast to write as lz4 at half the size.
    frame.write_parquet(path, compression="zstd", compression_level=1, statistics=True)


class Lake(Receipts):
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- marts: one file per partition -------------------------------------------------------

    def partition_dir(self, layer: str, name: str, key: str, column: str = "date") -> Path:
        return self.root / names.lake_folder(layer, name) / f"{column}={key}"

    def write(self, layer: str, name: str, key: str, frame: pl.DataFrame, column: str = "date") -> Path:
        """Replace a mart partition (one file, renamed into place)."""
        if layer in FEED_LAYERS:
            raise ValueError("feed partitions are promoted (Lake.promote), not written one file at a time")
        directory = self.partition_dir(layer, name, key, column)
        directory.mkdir(parents=True, exist_ok=True)
        _remove_dead_writers(directory)
        target = directory / PART_FILE
        write_atomic(target, lambda tmp: write_parquet(frame, tmp))
        return target

    def keys(self, layer: str, name: str, column: str = "date") -> list[str]:
        """Partition keys present, in order (for feeds: those with a delivery in force)."""
        if layer in FEED_LAYERS:
            return sorted(self._pointers(name))
        base = self.root / names.lake_folder(layer, name)
        prefix = f"{column}="
        if not base.exists():
            return []
        return sorted(p.name[len(prefix) :] for p in base.glob(f"{prefix}*") if (p / PART_FILE).exists())

    def files(self, layer: str, name: str, keys: list[str] | None = None, column: str = "date") -> dict[str, Path]:
        """Key -> the file in force for each partition ``keys`` (default: all) that exists."""
        if layer in FEED_LAYERS:
            pointers = self._pointers(name)
            wanted = sorted(pointers) if keys is None else [k for k in keys if k in pointers]
            return {k: self.root / self._read_pointer(pointers[k])[layer] for k in wanted}
        present = set(self.keys(layer, name, column))
        wanted = sorted(present) if keys is None else [k for k in keys if k in present]
        return {k: self.partition_dir(layer, name, k, column) / PART_FILE for k in wanted}

    def scan(self, layer: str, name: str, keys: list[str] | None = None, column: str = "date") -> pl.LazyFrame | None:
        """The partitions ``keys`` (default: all) as one frame, or None when none exist."""
        found = self.files(layer, name, keys, column)
        if not found:
            return None
        return pl.concat(
            [pl.scan_parquet(str(path)).with_columns(pl.lit(k).alias(column)) for k, path in found.items()],
            how="vertical_relaxed",
        )

    # -- feeds: promotion through a pointer --------------------------------------------------

    def pointer_path(self, feed_id: str, key: str) -> Path:
        return self.root / META / "in_force" / feed_id / f"date={key}.json"

    def in_force(self, feed_id: str, key: str) -> dict | None:
        """What is in force for a feed's period: files, delivery, counts (None: nothing yet)."""
        path = self.pointer_path(feed_id, key)
        return self._read_pointer(path) if path.exists() else None

    def in_force_all(self, feed_id: str) -> dict[str, dict]:
        return {k: self._read_pointer(p) for k, p in sorted(self._pointers(feed_id).items())}

    def _pointers(self, feed_id: str) -> dict[str, Path]:
        folder = self.root / META / "in_force" / feed_id
        if not folder.exists():
            return {}
        return {p.stem[len("date=") :]: p for p in folder.glob("date=*.json")}

    @staticmethod
    def _read_pointer(path: Path) -> dict:
        return json.loads(path.read_text(encoding="utf-8"))

    @contextmanager
    def period_lock(self, feed_id: str, key: str, wait: bool = True) -> Iterator[bool]:
        """One writer per feed period at a time (yields False when ``wait`` is off and it is taken)."""
        path = self.root / META / "locks" / feed_id / f"date={key}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def lock_held(self, feed_id: str, key: str) -> bool:
        """Whether a writer holds the period's lock now."""
        with self.period_lock(feed_id, key, wait=False) as taken:
            return not taken

    def clean(self, feed_id: str, key: str) -> list[Path]:
        """Remove a period's leftovers: temporary files of dead writers, and files no pointer references
        (a commit killed before its pointer). Call with the period's lock held."""
        pointer = self.in_force(feed_id, key) or {}
        keep = {self.root / pointer[layer] for layer in FEED_LAYERS if layer in pointer}
        removed = []
        for folder in (self.pointer_path(feed_id, key).parent, self.receipt_path(feed_id, key, "x").parent):
            if folder.exists():
                removed += _remove_dead_writers(folder)
        for layer in FEED_LAYERS:
            directory = self.partition_dir(layer, feed_id, key)
            if not directory.exists():
                continue
            removed += _remove_dead_writers(directory)
            for path in directory.glob("part-*.parquet"):
                if path not in keep:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed

    def promote(self, feed_id: str, key: str, staged: pl.DataFrame, quarantined: pl.DataFrame, record: dict) -> dict:
        """Write a period's staged and quarantine files and make them, with ``record``, the ones in
        force, in one atomic step. Call with the period's lock held. Returns the new pointer."""
        pointer = dict(record)
        for layer, frame in ((names.STAGED, staged), (names.QUARANTINE, quarantined)):
            pointer[layer] = str(self._write_content_named(layer, feed_id, key, frame).relative_to(self.root))
        write_atomic(
            self.pointer_path(feed_id, key),
            lambda tmp: tmp.write_text(json.dumps(pointer, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8"),
        )
        return pointer

    def _write_content_named(self, layer: str, feed_id: str, key: str, frame: pl.DataFrame) -> Path:
        directory = self.partition_dir(layer, feed_id, key)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / _tmp_name("part.parquet")
        try:
            write_parquet(frame, tmp)
            with tmp.open("rb") as written:
                digest = hashlib.file_digest(written, "sha256").hexdigest()[:16]
            target = directory / f"part-{digest}.parquet"
            if target.exists():  # the same content is already there: nothing changes
                return target
            os.replace(tmp, target)
            return target
        finally:
            tmp.unlink(missing_ok=True)

    def collect_garbage(self, older_than: float = 0.0) -> list[Path]:
        """Remove feed files no pointer references (superseded versions, killed commits), for every
        period whose lock is free; ``older_than``: seconds a file must have been there."""
        removed = []
        now = time.time()
        for layer in FEED_LAYERS:
            for pointer_dir in (self.root / META / "in_force").glob("*/*"):
                feed_id = f"{pointer_dir.parent.name}/{pointer_dir.name}"
                base = self.root / names.lake_folder(layer, feed_id)
                for directory in base.glob("date=*"):
                    key = directory.name[len("date=") :]
                    with self.period_lock(feed_id, key, wait=False) as held:
                        if not held:
                            continue
                        pointer = self.in_force(feed_id, key) or {}
                        keep = self.root / pointer[layer] if layer in pointer else None
                        for path in [*directory.glob("part-*.parquet"), *directory.glob(f"{TMP_PREFIX}*")]:
                            if path != keep and now - path.stat().st_mtime >= older_than:
                                if path.name.startswith(TMP_PREFIX) and not _writer_gone(path):
                                    continue
                                path.unlink(missing_ok=True)
                                removed.append(path)
        return removed


def _remove_dead_writers(directory: Path) -> list[Path]:
    removed = []
    for path in directory.glob(f"{TMP_PREFIX}*"):
        if _writer_gone(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
