"""Where a platform run spends its time: wall-clock timers wrapped around the platform's functions.

Installed in the benchmark child (``platform_run --phases``) by patching module attributes
at their call sites; nothing in the platform is edited. Times are exclusive: a phase
nested in another (the UTF-8 decode inside the read) is counted once, in the inner one.
Whatever the run spends outside every wrapped function is Dagster (planning, events,
SQLite storage, checks and metadata plumbing) and glue.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import resource
import time
from collections import defaultdict
from collections.abc import Callable

# (module, attribute, label); a label may use {layer} (Lake.write) or {feed} (stage_period).
TARGETS: list[tuple[str, str, str]] = [
    ("assets.staged", "stage_period", "staging glue (find deliveries, manifests, outcome)"),
    ("regional_econ.gate", "read", "read CSV: file read + parse to text columns"),
    ("regional_econ.gate.read", "csv_structure", "read CSV: structure check and line count"),
    ("regional_econ.gate.read", "decode", "read CSV: UTF-8 decode/validation"),
    ("regional_econ.gate", "prepare", "gate: prepare (normalize text, parse types, pattern shapes)"),
    ("regional_econ.gate", "find_direct_identifiers", "gate: direct-identifier scan (regex on every column)"),
    ("regional_econ.gate", "gate_rows", "gate: rules + lookups + split into staged/quarantine"),
    ("regional_econ.staging", "sha256_of_bytes", "receipts: sha256 of the file"),
    ("regional_econ.staging", "_volume_median", "receipts: volume median (reads earlier receipts)"),
    ("regional_econ.storage.lake:Lake", "write", "write Parquet: {layer}"),
    ("regional_econ.storage.lake", "write_parquet", "write Parquet (staged, quarantine, marts)"),
    ("regional_econ.storage.lake:Lake", "_write_content_named", "promote: hash and name the files"),
    ("regional_econ.storage.lake:Lake", "clean", "promote: clean a period's leftovers"),
    ("regional_econ.storage.lake:Lake", "in_force_all", "lake: read every pointer of a feed"),
    ("regional_econ.staging", "examine_period", "landing: examine the period's folder"),
    ("regional_econ.staging.pending", "lookups_missing", "staging: are the lookups' periods staged"),
    ("regional_econ.staging", "key_seen_in_other_periods", "gate: keys unique across periods"),
    ("regional_econ.staging.batch", "evaluate", "batch rules"),
    ("regional_econ.storage.lake:Lake", "write_receipt", "receipts: write JSON"),
    ("regional_econ.storage.lake:Lake", "scan", "lake: list + scan partitions (lazy)"),
    ("resources", "write_delivery_report", "contract report (HTML)"),
    ("assets.staged", "check_results", "batch checks (from the outcome)"),
    ("assets.staged", "_figures", "staged asset metadata"),
    ("regional_econ.marts.plots", "*", "mart plots (matplotlib)"),
    ("assets.marts.factory", "preview", "mart metadata (preview)"),
    ("regional_econ.marts.build", "conform", "mart: conform to the declared column order"),
    ("checks.output_schema:SchemaFailures", "add", "output checks (pandera)"),
    ("checks.conservation:Conservation", "difference", "output checks: net spending equals payments"),
    ("regional_econ.transforms.spending", "*", "mart transform: {name}"),
    ("regional_econ.transforms.registers:Register", "__init__", "mart transform: read a register"),
    ("regional_econ.transforms.registers:Register", "attach", "mart transform: attach register entries"),
    ("regional_econ.transforms.registers", "*", "mart transform: registers.{name}"),
    ("regional_econ.transforms.payments", "*", "mart transform: {name}"),
]


class PhaseTimer:
    def __init__(self) -> None:
        self.exclusive: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [label, start, child seconds]
        # Peak resident memory of the process: how much each phase raised it (the first to see a new peak).
        self.max_rss = self._rss()
        self.rss_raised: dict[str, float] = defaultdict(float)
        self._patched: list[tuple[object, str, object]] = []

    def _wrap(self, fn: Callable, label: str) -> Callable:
        timer = self

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            name = label
            if "{layer}" in label:
                name = label.format(layer=kwargs.get("layer", args[1] if len(args) > 1 else "?"))
            frame = [name, time.perf_counter(), 0.0]
            timer._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                timer._stack.pop()
                total = time.perf_counter() - frame[1]
                timer.exclusive[name] += total - frame[2]
                timer.calls[name] += 1
                rss = timer._rss()
                if rss > timer.max_rss:
                    timer.rss_raised[name] += rss - timer.max_rss
                    timer.max_rss = rss
                if timer._stack:
                    timer._stack[-1][2] += total

        return wrapper

    @staticmethod
    def _rss() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9

    def _patch(self, owner: object, attr: str, label: str) -> None:
        original = inspect.getattr_static(owner, attr)
        self._patched.append((owner, attr, original))
        setattr(owner, attr, self._wrap(getattr(owner, attr), label))

    def install(self) -> PhaseTimer:
        for module_name, attr, label in TARGETS:
            module_name, _, cls = module_name.partition(":")
            # A timer whose target moved or went away is an error: silently timing nothing would
            # shift its seconds into "Dagster and other".
            owner = importlib.import_module(module_name)
            if cls:
                owner = getattr(owner, cls)
            if attr == "*":
                found = [
                    (n, fn)
                    for n, fn in vars(owner).copy().items()
                    if inspect.isfunction(fn) and not n.startswith("_") and fn.__module__ == owner.__name__
                ]
                if not found:
                    raise LookupError(f"phase timer {module_name}: no public functions to time")
                for name, _fn in found:
                    self._patch(owner, name, label.format(name=name))
            elif hasattr(owner, attr):
                self._patch(owner, attr, label)
            else:
                raise LookupError(f"phase timer {module_name}{':' + cls if cls else ''}.{attr} no longer exists")
        from regional_econ.gate.lookups import LOOKUPS, Lookup

        for rule, lookup in list(LOOKUPS.items()):
            self._patched.append((LOOKUPS, rule, lookup))
            LOOKUPS[rule] = Lookup(lookup.needs, self._wrap(lookup.broken, f"gate: lookup {rule}"), lookup.local)
        return self

    def uninstall(self) -> None:
        for owner, attr, original in reversed(self._patched):
            if isinstance(owner, dict):
                owner[attr] = original
            else:
                setattr(owner, attr, original)
        self._patched.clear()

    def report(self, run_seconds: float) -> dict:
        attributed = sum(self.exclusive.values())
        phases = {
            k: {"seconds": round(v, 3), "calls": self.calls[k]} for k, v in sorted(self.exclusive.items(), key=lambda kv: -kv[1])
        }
        return {
            "run_seconds": round(run_seconds, 3),
            "phases": phases,
            "dagster_and_other_seconds": round(run_seconds - attributed, 3),
            "peak_rss_gb": round(self._rss(), 2),
            "peak_raised_gb_by": {k: round(v, 2) for k, v in sorted(self.rss_raised.items(), key=lambda kv: -kv[1]) if v >= 0.05},
        }
