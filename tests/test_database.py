"""ensure_db_shape is idempotent and brings a database made by an older version up to date."""

from __future__ import annotations

import sqlite3

from kb.database import open_db


def columns(db, table) -> dict[str, tuple]:
    con = sqlite3.connect(db)
    try:
        return {r[1]: (r[2], r[4]) for r in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


def test_opening_twice_changes_nothing(tmp_path):
    db = tmp_path / "kb.db"
    open_db(db)
    con = sqlite3.connect(db)
    before = sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall())
    open_db(db)
    assert sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()) == before


def test_an_older_database_gains_the_columns_added_since(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    # an article table as an earlier version wrote it, with a row in it
    con.execute(
        "CREATE TABLE article (id INTEGER PRIMARY KEY, source VARCHAR NOT NULL UNIQUE, "
        "source_kind VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, format VARCHAR NOT NULL, "
        "text VARCHAR NOT NULL, ingested_at VARCHAR NOT NULL)"
    )
    con.execute(
        "INSERT INTO article VALUES (1, 'a.md', 'file', 'h', 'markdown', 'x', '2026-01-01')"
    )
    con.commit()
    con.close()
    open_db(db)
    cols = columns(db, "article")
    assert {"title", "derived_hash", "repaired", "n_claims", "completeness"} <= set(cols)
    con = sqlite3.connect(db)
    # the old row reads the model's defaults in the new columns
    assert con.execute("SELECT derived_hash, repaired, n_claims FROM article").fetchone() == (
        "",
        0,
        0,
    )
    assert "continues_claim_id" in columns(db, "claim")
