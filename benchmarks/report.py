"""Results as Markdown: the table, the machine, the targets, the profile; and the block in BENCHMARKS.md."""

from __future__ import annotations

import io
import itertools
import pstats
import re
from pathlib import Path

BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def _f(value, digits: int = 1, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def table(results: dict) -> list[str]:
    scopes = results["settings"]["scopes"]
    head = ["window", "transactions"]
    for scope in scopes:
        head += [f"platform {scope} s"]
    head += ["baseline s", "floor s"]
    head += [f"ratio {scope}/baseline" for scope in scopes]
    head += [f"peak GB {scope}" for scope in scopes] + ["peak GB baseline"]
    head += [f"s/day {scope}" for scope in scopes] + ["runs"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _key, win in results["windows"].items():
        s = win.get("summary")
        if not s:
            continue
        row = [f"{win['days']} d", f"{win['rows']:,}"]
        row += [_f(s[scope]["wall_s"]) for scope in scopes]
        row += [_f(s["baseline_s"]), _f(s["floor_s"])]
        row += [_f(s[scope]["ratio"], 1, "x") for scope in scopes]
        row += [_f(s[scope]["peak_gb"], 2) for scope in scopes] + [_f(s["baseline_peak_gb"], 2)]
        row += [_f(s[scope]["s_per_day"], 2) for scope in scopes]
        row += [", ".join(f"{s[scope]['reps_ok']}/{s[scope]['reps']}" for scope in scopes) + f"; {s['reps']}"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def detail(results: dict) -> list[str]:
    scopes = results["settings"]["scopes"]
    head = ["window", "scope", "process s", "CPU s", "imports s", "in-run s", "runs (median s)", "in-run ratio", "in-run s/day"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for win in results["windows"].values():
        s = win.get("summary")
        if not s:
            continue
        for scope in scopes:
            p = s[scope]
            steps = ", ".join(f"{job} {_f(v)}" for job, v in p["steps_s"].items())
            lines.append(
                f"| {win['days']} d | {scope} | {_f(p['wall_s'])} | {_f(p.get('cpu_s'))} | {_f(p['import_s'])} | {_f(p['run_s'])} | {steps} | "
                f"{_f(p['ratio_run'], 1, 'x')} | {_f(p['run_s_per_day'], 2)} |"
            )
        lines.append(
            f"| {win['days']} d | baseline | {_f(s['baseline_s'])} | {_f(s.get('baseline_cpu_s'))} | - | {_f(s['baseline_run_s'])} | DuckDB script | - | - |"
        )
        lines.append(f"| {win['days']} d | floor | {_f(s['floor_s'])} | - | - | - | DuckDB sum of one column | - | - |")
    return lines


def targets(results: dict) -> list[str]:
    wins = {int(k): w["summary"] for k, w in results["windows"].items() if w.get("summary")}
    scope = "cycle" if "cycle" in results["settings"]["scopes"] else results["settings"]["scopes"][0]
    out = []

    def verdict(ok) -> str:
        return "n/a" if ok is None else ("holds" if ok else "**misses**")

    if 1 in wins:
        s = wins[1][scope]
        out.append(
            f"- One day, all daily feeds ({scope} scope), at most 2x the baseline: {_f(s['ratio'], 1, 'x')} "
            f"(in-run {_f(s['ratio_run'], 1, 'x')}): {verdict(s['ratio'] is not None and s['ratio'] <= 2)}."
        )
        out.append(
            f"- One day under 20 s on this machine: {_f(s['wall_s'])} s (in-run {_f(s['run_s'])} s): "
            f"{verdict(s['wall_s'] is not None and s['wall_s'] < 20)}."
        )
    long = max(wins) if wins else None
    if long and long >= 31:
        for sc in results["settings"]["scopes"]:
            s = wins[long][sc]
            out.append(
                f"- {long} days single-run ({sc} scope) at most 1.5x the baseline: {_f(s['ratio'], 1, 'x')}: "
                f"{verdict(s['ratio'] is not None and s['ratio'] <= 1.5)}; peak memory under 4 GB: "
                f"{_f(s['peak_gb'], 2)} GB: {verdict(s['peak_gb'] is not None and s['peak_gb'] < 4)}."
            )
    if len(wins) > 1:
        for sc in results["settings"]["scopes"]:
            per_day = {d: w[sc]["s_per_day"] for d, w in sorted(wins.items()) if w[sc]["s_per_day"]}
            if len(per_day) > 1:
                spread = max(per_day.values()) / min(per_day.values())
                out.append(
                    f"- Seconds per day flat within 20% ({sc} scope): "
                    + ", ".join(f"{d} d {v:.2f}" for d, v in per_day.items())
                    + f"; max/min {spread:.2f}: {verdict(spread <= 1.2)}."
                )
            # Linear growth read as a constant cost per added day: the fixed costs of a run
            # (imports, instance, the first register load, plots) divide out.
            walls = {d: w[sc]["wall_s"] for d, w in sorted(wins.items()) if w[sc]["wall_s"]}
            days = sorted(walls)
            added = {f"{a}-{b} d": (walls[b] - walls[a]) / (b - a) for a, b in itertools.pairwise(days)}
            if len(added) > 1 and min(added.values()) > 0:
                spread = max(added.values()) / min(added.values())
                out.append(
                    f"- Cost of each added day flat within 20% (linear growth, {sc} scope): "
                    + ", ".join(f"{k} {v:.2f} s/day" for k, v in added.items())
                    + f"; max/min {spread:.2f}: {verdict(spread <= 1.2)}."
                )
    return out


def cprofile_top(stats_path: Path, text_path: Path, n: int = 30) -> list[dict]:
    if not stats_path.exists():
        return []
    buffer = io.StringIO()
    stats = pstats.Stats(str(stats_path), stream=buffer)
    stats.sort_stats("tottime").print_stats(n)
    stats.sort_stats("cumulative").print_stats(n)
    text_path.write_text(buffer.getvalue(), encoding="utf-8")
    rows = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {"function": f"{Path(file).name}:{line}({fn})", "calls": nc, "tottime": round(tt, 3), "cumtime": round(ct, 3)}
        )
    return sorted(rows, key=lambda r: -r["tottime"])[:n]


def profile_markdown(p: dict) -> str:
    lines = [
        f"Profiled run: {p['scope']} scope, {p['days']} day(s); phase timers in a run of "
        f"{_f(p['phases_run']['run_s'])} s in-run ({_f(p['phases_run']['wall_s'])} s process)."
    ]
    if p.get("phases"):
        ph = p["phases"]
        if ph.get("peak_raised_gb_by"):
            lines += [
                "",
                f"Peak memory of the run process {ph['peak_rss_gb']:.2f} GB; raised by (first phase to reach a new high): "
                + ", ".join(f"{k} +{v:.2f} GB" for k, v in ph["peak_raised_gb_by"].items())
                + ".",
            ]
        total = ph["run_seconds"]
        lines += ["", "| phase (exclusive) | s | share | calls |", "|---|---|---|---|"]
        for name, v in ph["phases"].items():
            if v["seconds"] >= 0.05:
                lines.append(f"| {name} | {v['seconds']:.2f} | {100 * v['seconds'] / total:.0f}% | {v['calls']} |")
        lines.append(
            f"| Dagster and other (not in any timed function) | {ph['dagster_and_other_seconds']:.2f} | "
            f"{100 * ph['dagster_and_other_seconds'] / total:.0f}% | |"
        )
    for key, g in p.get("gates", {}).items():
        lines += [
            "",
            f"Gate step by step on {key} ({g['rows']:,} rows, {g['bytes'] / 1e6:.0f} MB; each step timed alone):",
            "",
            "| step | s |",
            "|---|---|",
        ]
        for name, sec in sorted(g["seconds"].items(), key=lambda kv: -kv[1]):
            if sec >= 0.02 or name.startswith(("alternative", "gate_file", "write")):
                lines.append(f"| {name} | {sec:.3f} |")
    if p.get("cprofile_top"):
        lines += [
            "",
            f"cProfile, top functions by own time (run of {_f(p['cprofile_run']['run_s'])} s under the profiler):",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---|---|---|",
        ]
        for r in p["cprofile_top"][:15]:
            lines.append(f"| `{r['function']}` | {r['calls']} | {r['tottime']:.2f} | {r['cumtime']:.2f} |")
    return "\n".join(lines)


def _contention(results: dict) -> str:
    runs = []
    for win in results["windows"].values():
        for group in [*win["platform"].values(), win["baseline"], win["floor"]]:
            runs += group
    if not runs:
        return "no timed runs"
    contended = [r for r in runs if r.get("contended")]
    retried = sum(r.get("attempts", 1) - 1 for r in runs)
    worst = max(r.get("foreign_share", 0.0) for r in runs)
    return (
        f"{len(runs)} timed runs; {retried} re-measured because other processes used more than 5% of the machine; "
        f"{len(contended)} still contended after retries; the most other processes used during a kept run: {100 * worst:.1f}%"
    )


def publication(results: dict) -> list[str]:
    """The once-per-bench run of every cycle job: the protection's time and what it withholds."""
    p = results.get("publication")
    if not p:
        return []
    lines = [
        f"- Every cycle job over {p['days']} days once ({'ok' if p['success'] else '**FAILED**'}): the protection and "
        f"audit of every product of the month (`publish_products`) {_f(p['publish_products_s'])} s, the monthly marts "
        f"{_f(p['monthly_marts_s'])} s, all runs {_f(p['run_s'])} s, peak {_f(p['peak_gb'], 2)} GB."
    ]
    for name, w in sorted(p["withheld"].items()):
        if name.startswith("spending_monthly "):
            share = w["by_level"].get("si/gun x category")
            lines.append(
                f"- {name}: {_f(100 * w['cells_share'], 1)}% of cells and {_f(100 * w['measure_share'], 1)}% of the amount "
                f"withheld; si/gun x category {_f(None if share is None else 100 * share, 1)}% of the amount "
                f"(target under 5% for a month at real scale)."
            )
    return lines


def summary(results: dict) -> str:
    """What BENCHMARKS.md carries: where it was measured, the main table and the targets."""
    m, code = results["machine"], results["code"]
    lines = [
        f"Measured {results['started'][:10]} at commit {code['commit']} on {m['cpus_usable']} cores ({m['cpu_model']}), "
        f"{m['memory_gb']} GB; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ". "
        f"Medians of {results['settings']['reps']} runs ({results['settings']['long_reps']} at "
        f"{results['settings']['long_window']} days); the full report with the profile is `data/bench/results.md`.",
        "",
        *table(results),
        "",
        *targets(results),
        *publication(results),
    ]
    return "\n".join(lines) + "\n"


def markdown(results: dict) -> str:
    m = results["machine"]
    code = results["code"]
    gen = results.get("generator", {})
    lines = [
        f"Measured {results['started']} on {m['cpus_usable']} usable cores ({m['cpus_online']} online, {m['cpu_model']}), "
        f"{m['memory_gb']} GB memory, Linux {m['kernel']}, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + ".",
        f"Code: {'a snapshot of ' if code.get('snapshot') else ''}commit {code['commit']}"
        + (
            f" plus uncommitted changes in {len(code['uncommitted'])} paths "
            f"({', '.join(code['uncommitted'][:12])}{', ...' if len(code['uncommitted']) > 12 else ''})"
            if code["uncommitted"]
            else ""
        )
        + ".",
        *(
            [
                f"**The code changed during the measurement**: commit {results['code_end']['commit']} at the end, "
                f"uncommitted {', '.join(results['code_end']['uncommitted']) or 'nothing'}."
            ]
            if results.get("code_end") and results["code_end"] != code
            else []
        ),
        f"Marts: {', '.join(results['marts'])}. Data: scale {results['settings']['scale']}, seed {results['settings']['seed']}, "
        f"windows from {results['settings']['start']}. Times are medians of {results['settings']['reps']} timed runs "
        f"({results['settings']['long_reps']} for windows of {results['settings']['long_window']} days or more) plus, for "
        f"the {results['settings']['scopes'][0]} scope and the baseline, the check's run (measured the same way); the "
        "`runs` column counts the runs used (platform scopes; baseline). Peak GB is the largest of the runs "
        "(1 GB = 10^9 bytes, resident memory of the whole process tree).",
        "",
        *table(results),
        "",
        "Process seconds (spawn to exit; what the table shows) split into imports and the Dagster runs; "
        "the in-run ratio compares the runs alone with the baseline's query time:",
        "",
        *detail(results),
        "",
        f"Quiet machine: {_contention(results)}.",
        "",
        "Targets (DESIGN.md section 9):",
        "",
        *targets(results),
    ]
    if results.get("publication"):
        p = results["publication"]
        lines += [
            "",
            "Publication (issue 13): every cycle job once over the publication window (`--publish-window`); seconds per run: "
            + ", ".join(f"{job} {_f(s)}" for job, s in p["runs_s"].items())
            + ".",
            "",
            *publication(results),
        ]
    if gen:
        lines += [
            "",
            "Generator (`regional-econ generate --scale 1.0`): "
            + "; ".join(
                f"{d} day(s) {v['wall_s']:.1f} s ({v['s_per_day']:.1f} s/day, peak {v['peak_gb']:.2f} GB"
                + (
                    ""
                    if "differ_from_long_window" not in v
                    else (
                        ", files identical to the first days of the 31-day window"
                        if not v["differ_from_long_window"]
                        else f", {len(v['differ_from_long_window'])} files DIFFER from the 31-day window's"
                    )
                )
                + ")"
                for d, v in sorted(gen.items(), key=lambda kv: int(kv[0]))
            )
            + ".",
        ]
    plans = results.get("plans", {})
    if plans:
        lines += ["", "Runs per scope (for the longest window):", ""]
        for scope, steps in plans.items():
            lines += [f"- {scope}: " + "; then ".join(steps)]
    if results.get("profile"):
        lines += ["", "### Profile", "", profile_markdown(results["profile"])]
    for name, ph in (results.get("profile_extra") or {}).items():
        total = ph["run_seconds"]
        lines += [
            "",
            f"Phase timers of a {name.replace('-', ' scope, ')} run ({total:.1f} s in-run; peak {ph.get('peak_rss_gb', 0):.2f} GB"
            + (
                ", raised by " + ", ".join(f"{k} +{v:.2f} GB" for k, v in ph.get("peak_raised_gb_by", {}).items())
                if ph.get("peak_raised_gb_by")
                else ""
            )
            + "):",
            "",
            "| phase (exclusive) | s | share | calls |",
            "|---|---|---|---|",
        ]
        for phase, v in ph["phases"].items():
            if v["seconds"] >= 0.5:
                lines.append(f"| {phase} | {v['seconds']:.1f} | {100 * v['seconds'] / total:.0f}% | {v['calls']} |")
        lines.append(
            f"| Dagster and other | {ph['dagster_and_other_seconds']:.1f} | {100 * ph['dagster_and_other_seconds'] / total:.0f}% | |"
        )
    return "\n".join(lines) + "\n"


def update_doc(path: Path, block: str) -> bool:
    """Replace the text between the markers of ``path``; False when the file or markers are missing."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        return False
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{block}\n{END}", text), encoding="utf-8")
    return True
