"""The machine and the code measured, read from the machine itself."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata

from benchmarks.config import REPO


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    for line in open("/proc/meminfo", encoding="utf-8"):
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    versions = {}
    for package in ("polars", "duckdb", "dagster", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpus_online": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory_gb": round(mem / 1e9, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "disk_free_gb": round(shutil.disk_usage(REPO).free / 1e9, 1),
        "versions": versions,
    }


def code_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    dirty = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": dirty}
