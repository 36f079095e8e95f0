"""Ingest benchmark: build N synthetic articles with Crossref answered from the cache.

Ours: ``kb.build.build`` on the corpus files, offline, after the synthetic world was
imported into the cache as a snapshot (so every lookup is a cache hit and every
suggestion searches the local works). Baseline (the ceiling): the very rows that build
wrote, inserted into a fresh database of the same shape (tables, indexes, full-text
triggers) with plain ``sqlite3`` ``executemany`` in one transaction. A cProfile run of
a slice of the corpus shows where the time goes.
"""

from __future__ import annotations

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


def _build(art_dir: Path, snap: Path, db: Path, paths: list[str] | None = None) -> Any:  # noqa: ANN401
    """Import the snapshot (untimed by the caller's choice) and return a build callable."""
    from kb.build import BuildOptions, build
    from kb.crossref.snapshot import import_snapshot
    from kb.database import open_db

    engine = open_db(db)
    import_snapshot(engine, snap)
    engine.dispose()
    opts = BuildOptions(offline=True, snapshot_dirs=(), progress=False)
    return lambda: build(paths or [str(art_dir)], db, opts)


def run(workdir: Path, *, seed: int, n_articles: int, profile_articles: int) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in workdir.glob("*.db*"):  # every run starts from empty databases
        stale.unlink()
    art_dir, snap, articles = prepare(workdir, seed, n_articles)
    db = workdir / "ingest.db"
    go = _build(art_dir, snap, db)
    with timer() as elapsed:
        result = go()
    build_s = elapsed()
    rows = count_rows(db)
    total_rows = sum(rows.values())
    raw_s, raw_rows = raw_insert_seconds(db, workdir / "raw.db")

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
        "target": {"share_of_ceiling_at_least": 0.25, "met": share >= 0.25},
        "parser_agreement": {
            "claims_found": rows.get("claim", 0),
            "claims_written": truth_claims,
            "references_found": rows.get("reference", 0),
            "references_written": truth_refs,
        },
        "profile": profile,
    }
