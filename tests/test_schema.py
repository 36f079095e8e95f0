"""Schema extras that keep Datasette's table pages cheap on million-row tables.

Checked through SQLite's own query plans on a shaped database: a plan does not depend
on timing, and a facet or filter that falls back to a full-table scan shows up as
``SCAN <table>`` without an index.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from kb.bulk import insert_rows
from kb.database import open_db
from kb.models import Article, Reference
from kb.schema import FACET_INDEXES, INDEXES, drop_extras
from kb.serve import METADATA

TABLES = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["kb"]["tables"]
FACETED = {t: conf["facets"] for t, conf in TABLES.items() if conf.get("facets")}
ID_COLUMNS = {"article_id", "condition_id"}  # selective: indexed by the models


@pytest.fixture
def conn(db_path):
    engine = open_db(db_path)
    engine.dispose()
    c = sqlite3.connect(db_path)
    yield c
    c.close()


def _indexes(conn: sqlite3.Connection, table: str) -> list[list[str]]:
    out = []
    for row in conn.execute(f"PRAGMA index_list('{table}')"):
        out.append([r[2] for r in conn.execute(f"PRAGMA index_info('{row[1]}')")])
    return out


def _plan(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> str:
    return " / ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def _facet_sql(table: str, col: str, where: str = "") -> str:
    # the statement Datasette 0.65 runs for a column facet
    return (
        f"select {col} as value, count(*) as count from (select * from {table} {where}) "
        f"where {col} is not null group by {col} order by count desc, value limit 31"
    )


def test_every_default_facet_leads_an_index(conn):
    for table, cols in FACETED.items():
        leading = {idx[0] for idx in _indexes(conn, table)}
        missing = [c for c in cols if c not in leading]
        assert not missing, (table, missing)


def test_facet_indexes_cover_the_other_facets_of_their_table(conn):
    for table, cols in FACETED.items():
        for col in set(cols) - ID_COLUMNS:
            wide = [idx for idx in _indexes(conn, table) if idx[0] == col]
            assert any(set(cols) <= set(idx) for idx in wide), (table, col)
            # the filtered page's rows come in id order from a single-column index
            assert [col] in _indexes(conn, table), (table, col, "single-column index")


def test_facet_indexes_match_the_metadata():
    """The schema's list names the metadata's faceted columns, and nothing else."""
    for table, wide in FACET_INDEXES.items():
        for cols in wide:
            assert set(cols) <= set(FACETED.get(table, [])), (table, cols)


@pytest.mark.parametrize("table", sorted(FACETED))
def test_facets_and_filters_never_scan_the_table(conn, table):
    cols = FACETED[table]
    for col in cols:
        plan = _plan(conn, _facet_sql(table, col))
        assert "COVERING INDEX" in plan, (table, col, plan)
        for other in set(cols) - {col} - ID_COLUMNS:
            plan = _plan(conn, _facet_sql(table, col, f"where {other} = ?"), ("x",))
            assert "COVERING INDEX" in plan, (table, col, other, plan)
        if col not in ID_COLUMNS:
            pk = next(r[1] for r in conn.execute(f"PRAGMA table_info('{table}')") if r[5])
            rows = f"select * from {table} where {col} = ? order by {pk} limit 51"
            plan = _plan(conn, rows, ("x",))
            assert plan.startswith(f"SEARCH {table} USING INDEX"), (table, col, plan)


def test_extras_are_idempotent_and_dropped_for_the_baseline(db_path):
    engine = open_db(db_path)
    open_db(db_path).dispose()  # a second open re-applies every statement without error
    with engine.begin() as c:
        drop_extras(c)
    engine.dispose()
    with sqlite3.connect(db_path) as c:
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    ours = {s.split("EXISTS ")[1].split()[0] for s in INDEXES}
    assert not names & ours


def _fts_changes(conn: sqlite3.Connection, sql: str, args: tuple) -> int:
    """Rows the triggers of one statement wrote (FTS and its shadow tables)."""
    before = conn.total_changes
    conn.execute(sql, args)
    return conn.total_changes - before - 1


def test_full_text_reindexes_a_row_only_when_an_indexed_column_changes(conn, db_path):
    insert_rows(conn, Article, [{"id": 1, "source": "a.md"}])  # the other columns' defaults
    raw = "Smith J. Fatigue in MS. 2010."
    insert_rows(
        conn, Reference, [{"id": 1, "article_id": 1, "key": "1", "position": 0, "raw": raw}]
    )
    # the build sets these on every entry: no re-indexing
    assert _fts_changes(conn, "UPDATE reference SET verification = ? WHERE id = 1", ("x",)) == 0
    assert _fts_changes(conn, "UPDATE reference SET search_terms = ? WHERE id = 1", ("y",)) > 0
    # setting an indexed column to the value it has changes nothing either
    assert _fts_changes(conn, "UPDATE reference SET raw = raw WHERE id = 1", ()) == 0
    hits = conn.execute("SELECT rowid FROM reference_fts WHERE reference_fts MATCH 'fatigue y'")
    assert [r[0] for r in hits] == [1]


def test_a_trigger_of_an_older_version_is_replaced(conn, db_path):
    conn.execute("DROP TRIGGER claim_fts_au")
    conn.execute("CREATE TRIGGER claim_fts_au AFTER UPDATE ON claim BEGIN SELECT 1; END")
    conn.commit()
    open_db(db_path).dispose()
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'claim_fts_au'").fetchone()[0]
    assert "AFTER UPDATE OF text, search_terms ON claim" in sql
