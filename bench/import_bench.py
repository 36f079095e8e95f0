"""Crossref public-data-file import: records per second of ``kb crossref import`` on a
synthetic snapshot, and the time that implies for Crossref's whole file.

The snapshot has the public data file's shape (a folder of ``.json.gz`` files, each
``{"items": [work message, ...]}``, compact JSON, 5,000 records a file) and is filled
with the synthetic world of ``bench/world.py``. The command runs as a user runs it, in
its own process, into a fresh database. Baseline measured in the same run: only
decompressing and parsing the same files (the floor of any import of them).
"""

from __future__ import annotations

import gzip
import json
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.measure import timer
from bench.world import make_world

ROOT = Path(__file__).resolve().parent.parent
PER_FILE = 5000
# Crossref's public data file, April 2025 release: "over 170 million records"
# (https://www.crossref.org/blog/2025-public-data-file-now-available/; the brief of
# issue 13 uses the same round figure).
FULL_FILE_RECORDS = 170_000_000
FULL_FILE_SOURCE = "Crossref, 2025 public data file announcement: about 170 million records"


def write_snapshot(folder: Path, *, seed: int, n_works: int) -> list[Path]:
    """The synthetic world as ``part-NNNNN.json.gz`` files of ``PER_FILE`` records."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json.gz"):
        old.unlink()
    works = make_world(seed, n_works)
    files = []
    for i in range(0, n_works, PER_FILE):
        path = folder / f"part-{i // PER_FILE:05d}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as fh:
            json.dump({"items": works[i : i + PER_FILE]}, fh, ensure_ascii=False)
        files.append(path)
    return files


def read_only(files: list[Path]) -> int:
    """Decompress and parse every file: the floor under any import of them."""
    n = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            n += len(json.load(fh)["items"])
    return n


def run(workdir: Path, *, seed: int, n_works: int) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    snap, db = workdir / "snapshot", workdir / "import.db"
    with timer() as t_write:
        files = write_snapshot(snap, seed=seed, n_works=n_works)
    for p in workdir.glob("import.db*"):
        p.unlink()
    cmd = [sys.executable, "-m", "kb", "crossref", "import", str(snap), "--db", str(db)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with timer() as t_import:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the import process: on a shared machine the wall time also holds waiting
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    with timer() as t_read:
        read = read_only(files)
    seconds = t_import()
    works = 0
    if db.exists():
        with sqlite3.connect(db) as conn:
            works = conn.execute("SELECT count(*) FROM work").fetchone()[0]
    per_s = n_works / seconds if seconds else 0.0
    full_hours = FULL_FILE_RECORDS / per_s / 3600 if per_s else None
    return {
        "sizes": {"works": n_works, "files": len(files), "per_file": PER_FILE,
                  "snapshot_mib": round(sum(f.stat().st_size for f in files) / 2**20, 1)},
        "write_seconds": round(t_write(), 1),
        "ours": {
            "seconds": round(seconds, 1),
            "records_per_s": round(per_s),
            "cpu_seconds": round(cpu, 1),
            "records_per_cpu_s": round(n_works / cpu) if cpu else None,
            "exit_code": done.returncode,
            "works_in_db": works,
            "summary": (done.stdout.strip().splitlines() or [done.stderr.strip()[-300:]])[-1],
            "db_mib": round(db.stat().st_size / 2**20) if db.exists() else None,
        },
        "baseline": {"what": "decompress and parse the same files only",
                     "seconds": round(t_read(), 1),
                     "records_per_s": round(read / t_read()) if t_read() else None},
        "ratio": round(t_read() / seconds, 3) if seconds else None,
        "ratio_note": "share of the reading floor: parse-only seconds / import seconds",
        "target": {"what": "every record imported (exit 0, one work per record)",
                   "met": done.returncode == 0 and works == n_works},
        "full_file": {"records": FULL_FILE_RECORDS, "source": FULL_FILE_SOURCE,
                      "implied_hours": round(full_hours, 1) if full_hours else None,
                      "implied_cpu_hours": round(FULL_FILE_RECORDS / (n_works / cpu) / 3600, 1)
                      if cpu else None},
    }  # fmt: skip
