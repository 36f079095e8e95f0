"""Ingest benchmark: build N synthetic articles with Crossref answered from the cache.

Ours: ``kb.build.build`` on the corpus files with 2 local worker processes, offline,
after the synthetic world was imported into the cache as a snapshot (so every lookup
is a cache hit and every suggestion searches the local works). Baseline (the
ceiling): the very rows that build wrote, inserted into a fresh database of the same
shape (tables, indexes, full-text triggers) with plain ``sqlite3`` ``executemany`` in
one transaction. The stage table sums each stage's CPU over the processes (writer and
workers); a cProfile run of a slice shows the writer's functions. Scale: the same
build with 1 local worker and on a 2-worker Dask ``LocalCluster`` (loopback),
articles/s against the 2-worker local pool, every row compared.
"""

from __future__ import annotations

import hashlib
import resource
import sqlite3
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from bench.corpus import iter_corpus, world_size_for, write_corpus
from bench.measure import profile_call, timer
from bench.world import make_world, write_world


def table_names() -> list[str]:
    """Every table of the models, parents before children (insert order)."""
    import kb.models  # noqa: F401  (registers the tables)

    return [t.name for t in SQLModel.metadata.sorted_tables]


def count_rows(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in table_names()}


def raw_insert_seconds(src_db: Path, dst_db: Path) -> tuple[float, int]:
    """Seconds to insert all of ``src_db``'s rows into a same-shaped fresh DB, and the rows."""
    from kb.database import open_db

    engine = open_db(dst_db)  # same tables, indexes, FTS tables and triggers as the build
    engine.dispose()
    data = []
    with sqlite3.connect(src_db) as src:
        for t in table_names():
            cur = src.execute(f'SELECT * FROM "{t}"')
            cols = [d[0] for d in cur.description]
            data.append((t, cols, cur.fetchall()))
    conn = sqlite3.connect(dst_db, isolation_level=None)
    # The same pragmas the project's engine sets, so only the insert path differs.
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    rows = 0
    with timer() as elapsed:
        conn.execute("BEGIN")
        for t, cols, values in data:
            if not values:
                continue
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            conn.executemany(f'INSERT INTO "{t}" ({names}) VALUES ({marks})', values)
            rows += len(values)
        conn.execute("COMMIT")
    conn.close()
    return elapsed(), rows


def prepare(workdir: Path, seed: int, n_articles: int) -> tuple[Path, Path, list]:
    """Write the corpus files and the world as a snapshot folder."""
    from ingest.crossref.snapshot import build_snapshot

    world = make_world(seed, world_size_for(n_articles))
    articles = list(iter_corpus(seed, n_articles, world))
    art_dir = workdir / "articles"
    write_corpus(articles, art_dir)
    jsonl = write_world(world, workdir / "world.jsonl")
    snap = workdir / "snapshot"
    build_snapshot(jsonl, snap)
    return art_dir, snap, articles


def _build(art_dir: Path, snap: Path, db: Path, paths: list[str] | None = None, **opts: Any):
    """Import the snapshot (untimed by the caller's choice) and return a build callable.
    ``opts``: more ``BuildOptions`` (workers, cluster)."""
    from kb.build import BuildOptions, build
    from kb.crossref.snapshot import import_snapshot
    from kb.database import open_db

    engine = open_db(db)
    import_snapshot(engine, snap)
    engine.dispose()
    options = BuildOptions(offline=True, snapshot_dirs=(), progress=False, **opts)
    return lambda: build(paths or [str(art_dir)], db, options)


def _children_cpu() -> float:
    """CPU seconds of this process's finished (reaped) child processes: pool workers."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed_build(art_dir: Path, snap: Path, db: Path, **opts: Any) -> tuple[float, Any, float]:
    """(seconds, BuildResult, CPU seconds of the worker processes) of one build."""
    go = _build(art_dir, snap, db, **opts)
    before = _children_cpu()
    with timer() as elapsed:
        result = go()
    return elapsed(), result, _children_cpu() - before


def rows_digest(db: Path) -> str:
    """Digest of every row of every table but the timestamps and build runs."""
    h = hashlib.sha256()
    with sqlite3.connect(db) as conn:
        for t in table_names():
            if t == "build_run":
                continue
            cur = conn.execute(f'SELECT * FROM "{t}"')
            keep = [i for i, d in enumerate(cur.description) if d[0] not in TIMESTAMPS]
            for row in sorted(repr(tuple(r[i] for i in keep)) for r in cur):
                h.update(row.encode())
    return h.hexdigest()


TIMESTAMPS = {"fetched_at", "ingested_at", "at", "created_at", "started_at", "finished_at"}


def stage_table(result: Any, worker_cpu: float, n_articles: int) -> list[dict]:
    """CPU per stage summed over processes, ms per article. The derived layers report
    their stages from wherever they ran; what the workers spent beyond them is parsing."""
    derive_cpu = result.derive_stats.cpu
    in_workers = worker_cpu > 0
    rows = [
        (
            "read + save (writer)" if in_workers else "read + parse + save",
            result.cpu.get("ingest", 0),
        ),
        ("parse (workers)", max(0.0, worker_cpu - sum(derive_cpu.values())) if in_workers else 0),
        ("crossref (writer)", result.cpu.get("crossref", 0)),
        *((f"{k} ({'workers' if in_workers else 'writer'})", v) for k, v in derive_cpu.items()),
        (
            "derive write (writer)",
            result.cpu.get("derive", 0) - (0 if in_workers else sum(derive_cpu.values())),
        ),
    ]
    total = sum(v for _k, v in rows) or 1.0
    return [
        {"stage": k, "cpu_s": round(v, 2), "ms_per_article": round(1000 * v / n_articles, 1),
         "share": round(v / total, 3)}
        for k, v in rows
    ]  # fmt: skip


def scale_runs(art_dir: Path, snap: Path, workdir: Path, n: int, local2: tuple) -> dict:
    """Articles/s with 1 and 2 local workers and on a 2-worker Dask LocalCluster."""
    from distributed import LocalCluster

    s1, r1, _ = timed_build(art_dir, snap, workdir / "w1.db", workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        sd, rd, _ = timed_build(
            art_dir, snap, workdir / "dask.db", cluster=cluster.scheduler_address
        )
    s2, _r2, db2 = local2
    same = rows_digest(db2) == rows_digest(workdir / "dask.db")
    aps = {"local_1_worker": n / s1, "local_2_workers": n / s2, "dask_2_workers": n / sd}
    ratio = aps["dask_2_workers"] / aps["local_2_workers"]
    return {
        "articles_per_s": {k: round(v, 2) for k, v in aps.items()},
        "seconds": {
            "local_1_worker": round(s1, 2),
            "local_2_workers": round(s2, 2),
            "dask_2_workers": round(sd, 2),
        },  # fmt: skip
        "failed": len(r1.failures) + len(rd.failures),
        "dask_rows_identical": same,
        "dask_to_local_ratio": round(ratio, 3),
        "target": {"dask_within_10_percent": True, "met": ratio >= 0.9 and same},
    }


def run(workdir: Path, *, seed: int, n_articles: int, profile_articles: int) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in workdir.glob("*.db*"):  # every run starts from empty databases
        stale.unlink()
    art_dir, snap, articles = prepare(workdir, seed, n_articles)
    db = workdir / "ingest.db"
    build_s, result, worker_cpu = timed_build(art_dir, snap, db, workers=2)
    rows = count_rows(db)
    total_rows = sum(rows.values())
    raw_s, raw_rows = raw_insert_seconds(db, workdir / "raw.db")
    stages = stage_table(result, worker_cpu, n_articles)
    scale = scale_runs(art_dir, snap, workdir, n_articles, (build_s, result, db))

    # Profile a slice in a fresh database: the timed figure above stays unprofiled.
    slice_paths = [str(art_dir / a.name) for a in articles[:profile_articles]]
    go_profiled = _build(art_dir, snap, workdir / "profile.db", slice_paths)
    profile = profile_call(go_profiled, workdir / "ingest-profile.txt")

    ours_rps = total_rows / build_s if build_s else 0.0
    raw_rps = raw_rows / raw_s if raw_s else 0.0
    share = ours_rps / raw_rps if raw_rps else 0.0
    truth_claims = sum(a.n_claims for a in articles)
    truth_refs = sum(len(a.references) for a in articles)
    return {
        "sizes": {
            "articles": n_articles,
            "rows": total_rows,
            "rows_by_table": rows,
            "profiled_articles": profile_articles,
        },
        "ours": {
            "seconds": round(build_s, 2),
            "articles_per_s": round(n_articles / build_s, 1),
            "rows_per_s": round(ours_rps),
            "ingested": result.ingested,
            "failed": len(result.failures),
            "failures_sample": [f"{f.source}: {f.reason}" for f in result.failures[:5]],
            "crossref": result.crossref_line,
        },
        "baseline": {
            "name": "plain sqlite3 executemany of the same rows, one transaction",
            "seconds": round(raw_s, 2),
            "rows_per_s": round(raw_rps),
        },
        # Not a speed-up: the share of the raw-insert ceiling the whole build reaches.
        "ratio": round(share, 3),
        "target": {
            "share_of_ceiling_at_least": 0.25,
            "met": share >= 0.25,
            "stretch_0_5_met": share >= 0.5,
        },  # fmt: skip
        "parser_agreement": {
            "claims_found": rows.get("claim", 0),
            "claims_written": truth_claims,
            "references_found": rows.get("reference", 0),
            "references_written": truth_refs,
        },
        "stages": stages,
        "scale": scale,
        "profile": profile,
    }
