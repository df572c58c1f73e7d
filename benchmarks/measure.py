"""Run a command as a child process and measure wall time, CPU and peak memory of its process tree.

Linux only (``/proc``). Peak memory is the largest sum, over one poll, of the resident set
sizes of the child and every descendant; never below the child's own ``ru_maxrss``.
CPU is the user+system time of the tree. Other work on the machine during the run
("foreign" CPU: all busy CPU time in ``/proc/stat`` minus the tree's and the harness's own)
is measured too, because on a 2-core machine anything else running skews the wall time;
``wait_quiet`` waits for the machine to be idle before a measurement starts.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.1
CORES = len(os.sched_getaffinity(0))


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    foreign_cpu_s: float  # CPU seconds used by other processes during the run
    returncode: int
    log: str
    waited_s: float = 0.0  # waited for a quiet machine before starting

    @property
    def peak_gb(self) -> float:
        return self.peak_rss_bytes / 1e9

    @property
    def foreign_share(self) -> float:
        """Share of the machine's CPU capacity used by others during the run."""
        return self.foreign_cpu_s / (self.wall_s * CORES) if self.wall_s else 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"peak_gb": self.peak_gb, "foreign_share": self.foreign_share}


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_quiet(max_wait: float = 300.0, idle_share: float = 0.1, window: float = 2.0) -> float:
    """Wait until others use less than ``idle_share`` of the machine over ``window`` seconds; seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < max_wait:
        b0, s0 = busy_seconds(), self_cpu()
        time.sleep(window)
        others = (busy_seconds() - b0) - (self_cpu() - s0)
        if others / (window * CORES) < idle_share:
            break
    return time.perf_counter() - start


def _stat(pid: str) -> tuple[int, float] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime + stime


def sample_tree(root: int, cpu: dict[int, float]) -> int:
    """Resident bytes of ``root`` and its descendants now; updates ``cpu`` (pid -> CPU seconds so far)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            found = _stat(entry.name)
            if found:
                children.setdefault(found[0], []).append(int(entry.name))
                times[int(entry.name)] = found[1]
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        if pid in times:
            cpu[pid] = max(cpu.get(pid, 0.0), times[pid])
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def run_measured(cmd: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> Measurement:
    """Run ``cmd`` to completion (output to ``log``) and measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    cpu: dict[int, float] = {}
    with open(log, "wb") as out:
        b0, s0 = busy_seconds(), self_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, sample_tree(proc.pid, cpu))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        busy, own = busy_seconds() - b0, self_cpu() - s0
    proc.returncode = os.waitstatus_to_exitcode(status)
    root_cpu = usage.ru_utime + usage.ru_stime  # the child and the descendants it waited for
    tree_cpu = max(root_cpu, sum(cpu.values()))
    return Measurement(
        wall_s=wall,
        cpu_s=tree_cpu,
        peak_rss_bytes=max(peak, usage.ru_maxrss * 1024),
        foreign_cpu_s=max(0.0, busy - tree_cpu - own),
        returncode=proc.returncode,
        log=str(log),
    )
