"""Small helpers shared by the benchmarks: clocks, percentiles, profiles, machine facts."""

from __future__ import annotations

import cProfile
import io
import os
import platform
import pstats
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT_DIRS = ("/kb/", "/ingest/")


@contextmanager
def timer() -> Any:
    """``with timer() as t: ...`` then ``t()`` is the elapsed seconds."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def ratio(ours: float, baseline: float) -> float | None:
    """How many times faster ours is than the baseline (baseline seconds / our seconds)."""
    return round(baseline / ours, 2) if ours > 0 else None


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for pkg in ("datasette", "habanero", "sqlmodel", "sqlalchemy", "pysbd", "evidence-kb"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def machine() -> dict[str, Any]:
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": mem,
        "python_executable": sys.executable,
    }


def profile_call(fn: Callable[[], Any], out_path: Path, top: int = 20) -> dict[str, Any]:
    """Run ``fn`` under cProfile; write the full report and return a summary.

    The summary names the project's own functions with the most cumulative time
    (where the time goes, in our terms) and the functions with the most own time
    anywhere (the hot spots, often in libraries)."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(buf.getvalue(), encoding="utf-8")
    total = max((v[3] for v in stats.stats.values()), default=0.0)  # type: ignore[attr-defined]

    def row(key: tuple, v: tuple) -> dict[str, Any]:
        filename, line, name = key
        short = filename.split("/main/")[-1] if "/main/" in filename else filename
        short = short.split("site-packages/")[-1]
        return {
            "function": f"{short}:{line}:{name}",
            "calls": v[1],
            "own_s": round(v[2], 3),
            "cumulative_s": round(v[3], 3),
            "share": round(v[3] / total, 3) if total else None,
        }

    items = list(stats.stats.items())  # type: ignore[attr-defined]
    ours = [
        (k, v)
        for k, v in items
        if any(d in k[0] for d in PROJECT_DIRS) and "/.venv/" not in k[0] and "/bench/" not in k[0]
    ]
    ours.sort(key=lambda kv: -kv[1][3])
    own = sorted(items, key=lambda kv: -kv[1][2])
    return {
        "total_s": round(total, 3),
        "project_cumulative": [row(k, v) for k, v in ours[:top]],
        "hottest_own_time": [row(k, v) for k, v in own[:top]],
        "report": str(out_path),
    }
