"""``python -m benchmarks``: generate, check, time, report (see ``benchmarks/__init__.py``)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks import config, report
from benchmarks.baseline import MissingBaseline, baseline_script, floor_script, window_files
from benchmarks.compare import compare
from benchmarks.machine import code_state, machine
from benchmarks.measure import Measurement, run_measured, wait_quiet

CONTENDED = 0.05  # others used more than 5% of the machine during a measurement


class Bench:
    def __init__(
        self, python: str, code: str = "worktree", start: date = config.START, retries: int = 2, max_wait: float = 300.0
    ):
        self.python = python
        self.start = start
        self.retries = retries
        self.max_wait = max_wait
        self.root = config.bench_root()
        self.landing = config.landing_root()
        self.code_root, self.code = self._code(code)
        self.env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(self.code_root), os.environ.get("PYTHONPATH")]))}

    def _code(self, code: str) -> tuple[Path, dict]:
        """The code measured: the working tree, or a commit exported beside the data (immune to edits meanwhile)."""
        if code == "worktree":
            return config.REPO, code_state()
        sha = subprocess.run(
            ["git", "rev-parse", code], cwd=config.REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        target = self.root / "code" / sha[:12]
        if not (target / "definitions.py").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            archive = subprocess.run(["git", "archive", sha], cwd=config.REPO, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        # The harness is the instrument, not the subject: always this one.
        shutil.rmtree(target / "benchmarks", ignore_errors=True)
        shutil.copytree(Path(__file__).resolve().parent, target / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
        return target, {"commit": sha[:7], "uncommitted": [], "snapshot": str(target)}

    def say(self, message: str) -> None:
        print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)

    # --- children ---------------------------------------------------------------------------
    def child(self, module: str, args: list[str], log: Path, prepare=None) -> Measurement:
        """Measure a child; when others used more than 5% of the machine meanwhile, measure again (``retries``)."""
        attempts = []
        for _ in range(self.retries + 1):
            if prepare:
                prepare()
            waited = wait_quiet(self.max_wait)
            m = run_measured([self.python, "-m", module, *args], log, env=self.env, cwd=self.code_root)
            m.waited_s = waited
            attempts.append(m)
            if m.foreign_share <= CONTENDED or m.returncode:
                break
            if len(attempts) <= self.retries:
                self.say(f"  (others used {100 * m.foreign_share:.0f}% of the machine during that run: measuring again)")
        best = min(attempts, key=lambda a: a.foreign_share)
        best.attempts = len(attempts)  # type: ignore[attr-defined]
        return best

    @staticmethod
    def record(m: Measurement) -> dict:
        return m.as_dict() | {"attempts": getattr(m, "attempts", 1), "contended": m.foreign_share > CONTENDED}

    def platform(self, days: int, scope: str, root: Path, extra: list[str] = (), as_delivered: bool = False) -> dict:
        """One platform measurement on a fresh data root (landing linked, empty lake and Dagster instance).

        ``as_delivered``: the landing holds only what was delivered by the window's last day. A run
        of every cycle job needs it: a monthly mart waits for a period delivered and not staged yet
        (``staging.pending``), and the generated landing runs on past a short window."""
        result = root / "result.json"
        last = (self.start + timedelta(days=days - 1)).isoformat()

        def fresh() -> None:
            if root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True)
            if not as_delivered:
                (root / "landing").symlink_to(self.landing, target_is_directory=True)
                return
            (root / "landing").mkdir()
            for kept in self.landing.iterdir():  # the ground truth beside the feeds
                if kept.is_file():
                    (root / "landing" / kept.name).symlink_to(kept)
            # Files hard-linked into real folders: the gate refuses a symbolic link in the landing zone.
            for period in self.landing.glob("*/*/*"):
                if period.is_dir() and period.name <= last:
                    view = root / "landing" / period.relative_to(self.landing)
                    view.mkdir(parents=True)
                    for file in period.iterdir():
                        os.link(file, view / file.name)

        m = self.child(
            "benchmarks.platform_run",
            [
                "--root",
                str(root),
                "--start",
                self.start.isoformat(),
                "--days",
                str(days),
                "--scope",
                scope,
                "--result",
                str(result),
                *extra,
            ],
            root.parent / f"{root.name}.log",
            prepare=fresh,
        )
        inner = json.loads(result.read_text()) if result.exists() else {"success": False, "runs": []}
        return self.record(m) | inner

    def baseline(self, days: int, marts: list[str], out: Path, floor: bool = False) -> dict:
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        script = out / ("floor.sql" if floor else "baseline.sql")
        text = (
            floor_script(self.landing, self.start, days) if floor else baseline_script(marts, self.landing, self.start, days, out)
        )
        script.write_text(text, encoding="utf-8")
        result = out / "result.json"

        def fresh() -> None:
            for p in out.glob("*.parquet"):
                p.unlink()

        m = self.child(
            "benchmarks.baseline_run", ["--script", str(script), "--result", str(result)], out / "run.log", prepare=fresh
        )
        inner = json.loads(result.read_text()) if result.exists() else {}
        return self.record(m) | inner

    # --- data ---------------------------------------------------------------------------------
    def generate(self, out: Path, days: int, log: Path, fresh=None) -> Measurement:
        return self.child(
            "regional_econ.cli",
            [
                "generate",
                "--out",
                str(out),
                "--start",
                self.start.isoformat(),
                "--days",
                str(days),
                "--scale",
                str(config.SCALE),
                "--seed",
                str(config.SEED),
            ],
            log,
            prepare=fresh,
        )

    def ensure_landing(self, days: int) -> dict | None:
        """Generate the benchmark window once; later runs reuse it."""
        try:
            for feed in ("kona/transactions", "kona/merchants", "kona/cardholders", "kona/charges"):
                window_files(self.landing, feed, self.start, days)
            return None
        except FileNotFoundError:
            pass
        self.say(f"generating {days} days at scale {config.SCALE} into {self.landing} (once; reused afterwards)")
        m = self.generate(self.landing, days, self.root / "generate.log")
        if m.returncode:
            raise SystemExit(f"generation failed, see {m.log}")
        record = self.record(m) | {"days": days, "s_per_day": m.wall_s / days}
        (self.root / "generate.json").write_text(json.dumps(record, indent=1))
        return record

    def generator_timing(self, windows: tuple[int, ...]) -> dict:
        """Time the generator alone for short windows, and check their files equal the long window's first days."""
        out = {}
        for days in windows:
            scratch = self.root / "scratch" / f"generate-{days}d"
            shutil.rmtree(scratch, ignore_errors=True)
            m = self.generate(
                scratch,
                days,
                self.root / "scratch" / f"generate-{days}d.log",
                fresh=lambda scratch=scratch: shutil.rmtree(scratch, ignore_errors=True),
            )
            # The deliveries, not the ground truth at the root (it describes the window, not a day).
            files = sorted(
                p for p in scratch.rglob("*") if p.is_file() and not p.name.endswith(".manifest.json") and p.parent != scratch
            )
            differ = [
                str(p.relative_to(scratch))
                for p in files
                if not (self.landing / p.relative_to(scratch)).is_file()
                or (self.landing / p.relative_to(scratch)).read_bytes() != p.read_bytes()
            ]
            out[days] = self.record(m) | {"s_per_day": m.wall_s / days, "files": len(files), "differ_from_long_window": differ}
            self.say(
                f"generator {days} day(s): {m.wall_s:.1f} s, {len(files)} files, "
                f"{'identical to' if not differ else f'{len(differ)} DIFFER from'} the long window's"
            )
            shutil.rmtree(scratch, ignore_errors=True)
        full = self.root / "generate.json"
        if full.exists():
            out[json.loads(full.read_text())["days"]] = json.loads(full.read_text())
        return out

    def discover(self, days: int, scopes: tuple[str, ...]) -> dict:
        """The benchmarked marts and the runs of each scope, from the measured code's definitions."""
        out = subprocess.run(
            [
                self.python,
                "-m",
                "benchmarks.marts",
                "--start",
                self.start.isoformat(),
                "--days",
                str(days),
                "--scopes",
                ",".join(scopes),
            ],
            cwd=self.code_root,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            raise SystemExit(f"could not load the definitions of {self.code_root}:\n{out.stderr[-3000:]}")
        found = json.loads(out.stdout.strip().splitlines()[-1])
        if Path(found["code"]) != self.code_root.resolve():
            raise SystemExit(f"the children import the platform from {found['code']}, not {self.code_root}")
        return found

    def warm(self) -> None:
        """Read every landing file once, so that every measurement sees a warm page cache."""
        for path in self.landing.rglob("*"):
            if path.is_file():
                with open(path, "rb") as handle:
                    while handle.read(1 << 24):
                        pass

    def rows(self, days: int) -> int:
        return sum(
            json.loads(p.with_name(p.name + ".manifest.json").read_text())["rows"]
            for p in window_files(self.landing, config.TRANSACTIONS, self.start, days)
        )


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run(args: argparse.Namespace) -> int:
    config.bench_root().mkdir(parents=True, exist_ok=True)
    bench = Bench(args.python, args.code, retries=args.retries, max_wait=args.max_wait)
    windows = tuple(int(w) for w in args.windows.split(","))
    scopes = tuple(args.scopes.split(","))
    found = bench.discover(max(windows), scopes)
    marts = found["marts"]
    results: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": bench.code,
        "marts": marts,
        "settings": {
            "start": config.START.isoformat(),
            "scale": config.SCALE,
            "seed": config.SEED,
            "windows": windows,
            "scopes": scopes,
            "reps": args.reps,
            "long_reps": args.long_reps,
            "long_window": args.long_window,
            "python": args.python,
            "code": args.code,
        },
        "plans": found["plans"],
        "windows": {},
    }
    bench.say(f"marts benchmarked: {', '.join(marts)}")
    try:
        baseline_script(marts, bench.landing, config.START, 1, bench.root)  # fails early on a missing <mart>.sql
    except MissingBaseline as err:
        print(err, file=sys.stderr)
        return 2
    except FileNotFoundError:
        pass
    generated = bench.ensure_landing(max(config.GENERATED_DAYS, max(windows)))
    results["generator"] = {} if args.no_generator_timing else bench.generator_timing((1, 7))
    if generated:
        results["generator"][generated["days"]] = generated
    bench.say("warming the page cache with the landing files")
    bench.warm()

    def save() -> None:
        results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        if args.code == "worktree":
            results["code_end"] = code_state()
        (bench.root / "results.json").write_text(json.dumps(results, indent=1, default=str))
        (bench.root / "results.md").write_text(report.markdown(results), encoding="utf-8")

    for days in windows:
        runs = bench.root / "runs" / f"{days}d"
        win: dict = {
            "days": days,
            "rows": bench.rows(days),
            "check": {},
            "platform": {s: [] for s in scopes},
            "baseline": [],
            "floor": [],
        }
        results["windows"][str(days)] = win
        bench.say(f"{days} day(s), {win['rows']:,} transactions: check (platform {scopes[0]} scope vs baseline)")
        plat = bench.platform(days, scopes[0], runs / "check" / "platform")
        base = bench.baseline(days, marts, runs / "check" / "baseline")
        diffs = compare(runs / "check" / "platform" / "lake", runs / "check" / "baseline", marts) if plat["success"] else {}
        win["check"] = {"platform": plat, "baseline": base, "differences": diffs}
        if not plat["success"] or base["returncode"] or any(diffs.values()):
            save()
            print(
                f"CHECK FAILED for {days} day(s): platform ok={plat['success']} (log {plat['log']}), "
                f"baseline rc={base['returncode']} (log {base['log']})",
                file=sys.stderr,
            )
            for _mart, problems in diffs.items():
                for problem in problems:
                    print(f"  {problem}", file=sys.stderr)
            return 1
        bench.say(f"  check passed: {len(marts)} marts equal (platform {plat['wall_s']:.1f} s, baseline {base['wall_s']:.1f} s)")
        if not args.keep_runs:
            shutil.rmtree(runs / "check" / "platform" / "lake", ignore_errors=True)
        if args.check_only:
            continue
        reps = args.long_reps if days >= args.long_window else args.reps
        for rep in range(reps):
            for scope in scopes:
                root = runs / f"{scope}-{rep}"
                p = bench.platform(days, scope, root)
                p["differences"] = compare(root / "lake", runs / "check" / "baseline", marts) if p["success"] else {}
                win["platform"][scope].append(p)
                bench.say(
                    f"  rep {rep + 1}/{reps} platform {scope}: {p['wall_s']:.1f} s (run {p.get('run_s', 0):.1f} s), "
                    f"peak {p['peak_gb']:.2f} GB{'' if p['success'] else ' FAILED'}"
                    f"{' MARTS DIFFER' if any(p['differences'].values()) else ''}"
                )
                if not args.keep_runs:
                    shutil.rmtree(root / "lake", ignore_errors=True)
                    shutil.rmtree(root / "reports", ignore_errors=True)
            b = bench.baseline(days, marts, runs / f"baseline-{rep}")
            win["baseline"].append(b)
            f = bench.baseline(days, marts, runs / f"floor-{rep}", floor=True)
            win["floor"].append(f)
            bench.say(
                f"  rep {rep + 1}/{reps} baseline {b['wall_s']:.1f} s (peak {b['peak_gb']:.2f} GB), floor {f['wall_s']:.1f} s"
            )
        win["summary"] = summarize(win, scopes)
        save()
    if not args.no_publish and not args.check_only:
        days = args.publish_window or max(windows)
        bench.ensure_landing(max(config.GENERATED_DAYS, days))
        results["publication"] = publication(bench, days, bench.root / "runs" / "publish", args.keep_runs)
        save()
    save()
    if not args.no_profile:
        profile(
            argparse.Namespace(
                python=args.python,
                days=args.profile_days,
                scope=args.profile_scope,
                code=args.code,
                max_wait=args.max_wait,
                retries=args.retries,
            ),
            results,
        )
        results["profile_extra"] = extra_phases(results.get("profile"))
        save()
    print((bench.root / "results.md").read_text(encoding="utf-8"))
    if not args.no_doc and not args.check_only:
        if report.update_doc(config.benchmarks_md(), report.summary(results)):
            bench.say(f"updated the results block of {config.benchmarks_md()}")
    return 0


def publication(bench: Bench, days: int, root: Path, keep: bool) -> dict:
    """Every cycle job over the window once (``publish`` scope): how long the monthly protection and
    audit of every product take at this scale, and what the products withhold (the catalog)."""
    bench.say(f"{days} day(s): every cycle job, products protected and audited")
    p = bench.platform(days, "publish", root, as_delivered=True)
    steps = {k: v for run in p.get("runs", []) for k, v in run.get("step_s", {}).items()}
    monthly = next((run for run in p.get("runs", []) if run["job"] == "monthly_cycle"), {})
    withheld = withheld_shares(root / "publish") if (root / "publish").exists() else {}
    bench.say(
        f"  publish_products {steps.get('publish_products', 0):.1f} s, monthly cycle {monthly.get('seconds', 0):.1f} s, "
        f"all runs {p.get('run_s', 0):.1f} s{'' if p['success'] else ' FAILED'}"
    )
    if not keep:
        for folder in ("lake", "reports"):
            shutil.rmtree(root / folder, ignore_errors=True)
    return {
        "days": days,
        "success": p["success"],
        "wall_s": p["wall_s"],
        "peak_gb": p["peak_gb"],
        "run_s": p.get("run_s"),
        "runs_s": {run["job"]: run["seconds"] for run in p.get("runs", [])},
        "publish_products_s": steps.get("publish_products"),
        "monthly_marts_s": sum(v for k, v in monthly.get("step_s", {}).items() if k.startswith("marts__")),
        "withheld": withheld,
        "log": p.get("log"),
    }


def withheld_shares(folder: Path) -> dict:
    """Per product and month, the shares withheld, as the catalog states them (the catalog asset
    belongs to the warehouse run, which the publication run does not include)."""
    from regional_econ.publish.catalog import build_catalog

    shares = {}
    for product in build_catalog(folder)["products"]:
        for period in product["periods"]:
            shares[f"{product['product']} {period['period']}"] = {
                "cells_share": period["withheld_cells_share"],
                "measure_share": period["withheld_measure_share"],
                "by_level": {lvl: v["withheld_measure_share"] for lvl, v in period["withheld_by_level"].items()},
            }
    return shares


def summarize(win: dict, scopes: tuple[str, ...]) -> dict:
    """Medians per window. The check's runs are measured exactly like the timed ones (fresh root,
    same command), so they count as one more run of the first scope and of the baseline."""
    check = win.get("check", {})
    base = [b for b in [check.get("baseline"), *win["baseline"]] if b and not b["returncode"]]
    s = {
        "baseline_s": _median([b["wall_s"] for b in base]),
        "baseline_run_s": _median([b["run_s"] for b in base]),
        "baseline_peak_gb": max((b["peak_gb"] for b in base), default=None),
        "baseline_cpu_s": _median([b["cpu_s"] for b in base]),
        "floor_s": _median([f["wall_s"] for f in win["floor"] if not f["returncode"]]),
        "reps": len(base),
    }
    for scope in scopes:
        runs = (
            [check["platform"] | {"differences": check.get("differences", {})}]
            if scope == scopes[0] and check.get("platform")
            else []
        )
        runs += win["platform"][scope]
        ok = [p for p in runs if p["success"] and not any(p["differences"].values())]
        wall, inner = _median([p["wall_s"] for p in ok]), _median([p["run_s"] for p in ok])
        steps: dict[str, list[float]] = {}
        for p in ok:
            for r in p["runs"]:
                steps.setdefault(r["job"], []).append(r["seconds"])
        s[scope] = {
            "reps_ok": len(ok),
            "reps": len(runs),
            "wall_s": wall,
            "run_s": inner,
            "import_s": _median([p["import_s"] for p in ok]),
            "cpu_s": _median([p["cpu_s"] for p in ok]),
            "steps_s": {job: _median(v) for job, v in steps.items()},
            "peak_gb": max((p["peak_gb"] for p in ok), default=None),
            "ratio": wall / s["baseline_s"] if wall and s["baseline_s"] else None,
            "ratio_run": inner / s["baseline_run_s"] if inner and s["baseline_run_s"] else None,
            "s_per_day": wall / win["days"] if wall else None,
            "run_s_per_day": inner / win["days"] if inner else None,
        }
    return s


def profile(args: argparse.Namespace, results: dict | None = None) -> int:
    """Where one platform run spends its time: phase timers, cProfile, and the gate on one file step by step."""
    config.bench_root().mkdir(parents=True, exist_ok=True)
    bench = Bench(args.python, args.code, retries=args.retries, max_wait=args.max_wait)
    out = bench.root / "profile"
    out.mkdir(parents=True, exist_ok=True)
    bench.ensure_landing(max(config.GENERATED_DAYS, args.days))
    bench.say(f"profile: platform {args.scope} scope, {args.days} day(s), phase timers")
    root = out / f"phases-{args.scope}-{args.days}d"
    phases = bench.platform(args.days, args.scope, root, ["--phases", str(out / f"phases-{args.scope}-{args.days}d.json")])
    bench.say("profile: same run under cProfile")
    croot = out / f"cprofile-{args.scope}-{args.days}d"
    prof = out / f"cprofile-{args.scope}-{args.days}d.prof"
    cprof = bench.platform(args.days, args.scope, croot, ["--cprofile", str(prof)])
    top = report.cprofile_top(prof, out / f"cprofile-{args.scope}-{args.days}d.txt")
    gates = {}
    for feed, day in (
        ("kona/transactions", config.START),
        ("kona/transactions", config.START + timedelta(days=args.days - 1)),
        ("kona/cardholders", config.START),
    ):
        key = f"{feed} {day}"
        if key in gates or not (root / "lake" / "staged" / feed / f"date={day}").exists():
            continue
        result = out / f"gate-{feed.replace('/', '_')}-{day}.json"
        bench.say(f"profile: gate step by step on {feed} {day}")
        bench.child(
            "benchmarks.gate_breakdown",
            [
                "--landing",
                str(bench.landing),
                "--lake",
                str(root / "lake"),
                "--feed",
                feed,
                "--day",
                day.isoformat(),
                "--result",
                str(result),
            ],
            out / "gate.log",
        )
        if result.exists():
            gates[key] = json.loads(result.read_text())
    record = {
        "scope": args.scope,
        "days": args.days,
        "code": bench.code,
        "phases_run": {
            k: phases.get(k) for k in ("wall_s", "run_s", "import_s", "peak_gb", "success", "foreign_share", "attempts")
        },
        "phases": json.loads((out / f"phases-{args.scope}-{args.days}d.json").read_text()) if phases.get("success") else None,
        "cprofile_run": {k: cprof.get(k) for k in ("wall_s", "run_s", "success", "foreign_share")},
        "cprofile_top": top,
        "gates": gates,
    }
    (out / "profile.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    if results is not None:
        results["profile"] = record
    else:
        print(report.profile_markdown(record))
    for r in (root, croot):
        shutil.rmtree(r / "lake", ignore_errors=True)
    return 0


def extra_phases(main: dict | None) -> dict:
    """Phase timings of other profiled runs (e.g. ``--profile-only --profile-days 31 --profile-scope kona``)."""
    out = {}
    for path in sorted((config.bench_root() / "profile").glob("phases-*.json")):
        name = path.stem.removeprefix("phases-")
        if main and name == f"{main['scope']}-{main['days']}d":
            continue
        out[name] = json.loads(path.read_text())
    return out


def rerender(args: argparse.Namespace) -> int:
    """Summaries, results.md and the BENCHMARKS.md block again from results.json (e.g. after a report change)."""
    path = config.bench_root() / "results.json"
    results = json.loads(path.read_text())
    scopes = tuple(results["settings"]["scopes"])
    for win in results["windows"].values():
        if win.get("baseline"):
            win["summary"] = summarize(win, scopes)
    profile_json = config.bench_root() / "profile" / "profile.json"
    if profile_json.exists():
        results["profile"] = json.loads(profile_json.read_text())
    results["profile_extra"] = extra_phases(results.get("profile"))
    path.write_text(json.dumps(results, indent=1, default=str))
    text = report.markdown(results)
    (config.bench_root() / "results.md").write_text(text, encoding="utf-8")
    print(text)
    if not args.no_doc and report.update_doc(config.benchmarks_md(), report.summary(results)):
        print(f"updated the results block of {config.benchmarks_md()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the measured children (default: this one)")
    parser.add_argument("--windows", default=",".join(map(str, config.WINDOWS)), help="window lengths in days (default 1,7,31)")
    parser.add_argument(
        "--scopes", default=",".join(config.SCOPES), help="platform scopes: kona, cycle (the first is also the check)"
    )
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions per window (default 3)")
    parser.add_argument("--long-window", type=int, default=31, help="windows this long or longer get --long-reps")
    parser.add_argument("--long-reps", type=int, default=1, help="repetitions of long windows (default 1)")
    parser.add_argument("--check-only", action="store_true", help="only the baseline-vs-platform check of each window")
    parser.add_argument("--keep-runs", action="store_true", help="keep every timed run's lake (disk: ~1 GB per 7 days)")
    parser.add_argument("--no-generator-timing", action="store_true", help="skip timing the generator on 1 and 7 days")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile of one platform run")
    parser.add_argument("--no-publish", action="store_true", help="skip running every cycle job (protection and audit) once")
    parser.add_argument(
        "--publish-window", type=int, help="days of that run (default the longest window; 31 covers a whole month)"
    )
    parser.add_argument(
        "--profile-only", action="store_true", help="only the profile (phase timers, cProfile, gate step by step)"
    )
    parser.add_argument("--profile-days", type=int, default=1, help="window of the profiled run (default 1)")
    parser.add_argument("--profile-scope", default="cycle", help="scope of the profiled run (default cycle)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the results block of BENCHMARKS.md")
    parser.add_argument(
        "--code",
        default="worktree",
        help="measure the working tree (default) or a commit (e.g. HEAD), "
        "exported under the bench root so that edits meanwhile do not change what is measured",
    )
    parser.add_argument(
        "--retries", type=int, default=2, help="re-measure a run when others used >5%% of the machine (default 2)"
    )
    parser.add_argument("--max-wait", type=float, default=300, help="seconds to wait for an idle machine before each run")
    parser.add_argument("--report-only", action="store_true", help="re-render results.md (and BENCHMARKS.md) from results.json")
    args = parser.parse_args(argv)
    if args.report_only:
        return rerender(args)
    if args.profile_only:
        return profile(
            argparse.Namespace(
                python=args.python,
                days=args.profile_days,
                scope=args.profile_scope,
                code=args.code,
                max_wait=args.max_wait,
                retries=args.retries,
            )
        )
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
