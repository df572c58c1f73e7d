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

**On an object store** (``s3://...``, see ``paths.lake_root``) the same layout holds; a file is
written locally and uploaded whole, and since an object store shows an object entirely or not
at all, the upload of the pointer is the commit. Object stores have no file locks: the period
locks are then files on the writer's host (``REGIONAL_ECON_LOCK_DIR``), so that writers of one
feed must share a host or a Dagster concurrency pool (deploy/README.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from regional_econ import names
from regional_econ.storage.paths import Location, is_remote, location
from regional_econ.storage.receipts import Receipts

PART_FILE = "part-0.parquet"
FEED_LAYERS = (names.STAGED, names.QUARANTINE)
META = "_meta"
TMP_PREFIX = ".tmp-"
GRACE_SECONDS = 3600  # an unreferenced file younger than this may belong to a commit under way elsewhere
LOCK_DIR_ENV = "REGIONAL_ECON_LOCK_DIR"


def _tmp_name(stem: str) -> str:
    """A temporary name that says which writer made it, so the next run knows a dead writer's
    leftovers; it ends in ``.tmp``, so a killed writer's file matches no reader's ``*.parquet`` or
    ``*.html`` (the catalog and the portal list by suffix)."""
    return f"{TMP_PREFIX}{os.getpid()}@{socket.gethostname()}@{stem}.tmp"


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


@contextmanager
def _scratch(directory: Location, stem: str) -> Iterator[Path]:
    """A local file to write before it is placed: beside its place in a folder (the rename is the
    commit), in a temporary folder for an object store (the upload of the whole object is)."""
    if is_remote(directory):
        with tempfile.TemporaryDirectory(prefix="regional-econ-") as scratch:
            yield Path(scratch) / stem
        return
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / _tmp_name(stem)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _place(tmp: Path, target: Location) -> None:
    if is_remote(target):
        target.fs.put_file(str(tmp), target.path)
    else:
        os.replace(tmp, target)


def write_atomic(path: Location, write) -> None:
    """``write(tmp)`` then put it in place of ``path``: readers see the old file or the new one."""
    with _scratch(path.parent, path.name) as tmp:
        write(tmp)
        _place(tmp, path)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    # zstd level 1: as fast to write as lz4 at half the size.
    frame.write_parquet(path, compression="zstd", compression_level=1, statistics=True)


class Lake(Receipts):
    def __init__(self, root: Location | str):
        self.root = location(root)

    # -- marts: one file per partition -------------------------------------------------------

    def partition_dir(self, layer: str, name: str, key: str, column: str = "date") -> Location:
        return self.root / names.lake_folder(layer, name) / f"{column}={key}"

    def write(self, layer: str, name: str, key: str, frame: pl.DataFrame, column: str = "date") -> Location:
        """Replace a mart partition (one file, put in place whole)."""
        if layer in FEED_LAYERS:
            raise ValueError("feed partitions are promoted (Lake.promote), not written one file at a time")
        directory = self.partition_dir(layer, name, key, column)
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

    def files(self, layer: str, name: str, keys: list[str] | None = None, column: str = "date") -> dict[str, Location]:
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

    def pointer_path(self, feed_id: str, key: str) -> Location:
        return self.root / META / "in_force" / feed_id / f"date={key}.json"

    def in_force(self, feed_id: str, key: str) -> dict | None:
        """What is in force for a feed's period: files, delivery, counts (None: nothing yet)."""
        path = self.pointer_path(feed_id, key)
        return self._read_pointer(path) if path.exists() else None

    def in_force_all(self, feed_id: str) -> dict[str, dict]:
        return {k: self._read_pointer(p) for k, p in sorted(self._pointers(feed_id).items())}

    def _pointers(self, feed_id: str) -> dict[str, Location]:
        folder = self.root / META / "in_force" / feed_id
        if not folder.exists():
            return {}
        return {p.stem[len("date=") :]: p for p in folder.glob("date=*.json")}

    @staticmethod
    def _read_pointer(path: Location) -> dict:
        return json.loads(path.read_text(encoding="utf-8"))

    @contextmanager
    def period_lock(self, feed_id: str, key: str, wait: bool = True) -> Iterator[bool]:
        """One writer per feed period at a time (yields False when ``wait`` is off and it is taken)."""
        path = self._lock_root() / feed_id / f"date={key}.lock"
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

    def _lock_root(self) -> Path:
        if not is_remote(self.root):
            return self.root / META / "locks"
        configured = os.environ.get(LOCK_DIR_ENV)
        base = Path(configured) if configured else Path(tempfile.gettempdir()) / "regional-econ-locks"
        return base / hashlib.sha256(str(self.root).encode()).hexdigest()[:16]

    def lock_held(self, feed_id: str, key: str) -> bool:
        """Whether a writer holds the period's lock now."""
        with self.period_lock(feed_id, key, wait=False) as taken:
            return not taken

    def clean(self, feed_id: str, key: str) -> list[Location]:
        """Remove a period's leftovers: temporary files of dead writers, and files no pointer references
        (a commit killed before its pointer). Call with the period's lock held."""
        pointer = self.in_force(feed_id, key) or {}
        keep = {str(self.root / pointer[layer]) for layer in FEED_LAYERS if layer in pointer}
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
                if str(path) not in keep:
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

    def _write_content_named(self, layer: str, feed_id: str, key: str, frame: pl.DataFrame) -> Location:
        directory = self.partition_dir(layer, feed_id, key)
        with _scratch(directory, "part.parquet") as tmp:
            write_parquet(frame, tmp)
            with tmp.open("rb") as written:
                digest = hashlib.file_digest(written, "sha256").hexdigest()[:16]
            target = directory / f"part-{digest}.parquet"
            if not target.exists():  # the same content may already be there: then nothing changes
                _place(tmp, target)
            return target

    def collect_garbage(self, older_than: float = 0.0) -> list[Location]:
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
                        keep = str(self.root / pointer[layer]) if layer in pointer else None
                        for path in [*directory.glob("part-*.parquet"), *directory.glob(f"{TMP_PREFIX}*")]:
                            if str(path) != keep and now - path.stat().st_mtime >= older_than:
                                if path.name.startswith(TMP_PREFIX) and not _writer_gone(path):
                                    continue
                                path.unlink(missing_ok=True)
                                removed.append(path)
        return removed


def _remove_dead_writers(directory: Location) -> list[Path]:
    """Temporary files of writers that died (an object store has none: files are uploaded whole)."""
    if is_remote(directory):
        return []
    removed = []
    for path in directory.glob(f"{TMP_PREFIX}*"):
        if _writer_gone(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
