"""datasette_metadata.json describes the live schema completely and its queries run."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from sqlmodel import Session

from kb.database import open_db
from kb.serve import METADATA
from tests.factories import build_world

FTS_SHADOW = re.compile(r"_(data|idx|docsize|config|content)$")


def _meta() -> dict:
    return json.loads(METADATA.read_text(encoding="utf-8"))


def _live_schema(db_path) -> dict[str, list[str]]:
    """Every user-facing table and view of a freshly shaped database, with its columns."""
    con = sqlite3.connect(db_path)
    names = [
        r[0]
        for r in con.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite_%' order by name"
        )
    ]
    fts = {n for n in names if n.endswith("_fts")}
    shown = [n for n in names if not any(n.startswith(f + "_") for f in fts)]
    schema = {n: [r[1] for r in con.execute(f"pragma table_info([{n}])")] for n in shown}
    con.close()
    return schema


@pytest.fixture
def schema(db_path) -> dict[str, list[str]]:
    open_db(db_path)
    return _live_schema(db_path)


def test_top_level_fields():
    meta = _meta()
    for key in ("title", "source", "license"):
        assert meta.get(key), key
    assert meta.get("description") or meta.get("description_html")


def test_every_table_and_column_is_described(schema):
    tables = _meta()["databases"]["kb"]["tables"]
    assert "claim" in schema and "claim_fts" in schema  # the schema really was read
    missing_tables = [t for t in schema if not tables.get(t, {}).get("description")]
    missing_columns = [
        f"{t}.{c}"
        for t, cols in schema.items()
        for c in cols
        if not tables.get(t, {}).get("columns", {}).get(c)
    ]
    assert not missing_tables, f"tables without a description: {missing_tables}"
    assert not missing_columns, f"columns without a description: {missing_columns}"


def test_no_description_for_a_column_that_does_not_exist(schema):
    tables = _meta()["databases"]["kb"]["tables"]
    stale = [
        f"{t}.{c}"
        for t, conf in tables.items()
        for c in conf.get("columns", {})
        if t in schema and c not in schema[t]
    ]
    assert not stale, f"described but not in the schema: {stale}"


def test_table_options_name_real_columns(schema):
    for table, conf in _meta()["databases"]["kb"]["tables"].items():
        cols = schema.get(table, [])
        if "label_column" in conf:
            assert conf["label_column"] in cols, (table, conf["label_column"])
        for key in ("facets", "sortable_columns"):
            for col in conf.get(key, []):
                assert isinstance(col, str) and col in cols, (table, key, col)
        if "fts_table" in conf:
            assert conf["fts_table"] in schema, (table, conf["fts_table"])


def test_researcher_tables_have_search_and_facets():
    tables = _meta()["databases"]["kb"]["tables"]
    for table in ("claim", "reference", "work"):
        assert tables[table].get("fts_table") == f"{table}_fts"
    assert {"doi_status", "verification", "evidence_type", "source_type"} <= set(
        tables["reference"]["facets"]
    )
    assert {"code", "severity"} <= set(tables["finding"]["facets"])
    assert {"type", "provenance", "evidence_type"} <= set(tables["work"]["facets"])


def _queries() -> dict[str, dict]:
    return _meta()["databases"]["kb"].get("queries", {})


def test_no_canned_query_writes():
    """Serving is read-only: no canned query may be a writable one."""
    assert _queries()
    for name, q in _queries().items():
        assert not (isinstance(q, dict) and q.get("write")), name


@pytest.mark.parametrize("name", sorted(_queries()))
def test_canned_query_runs_on_empty_and_filled_db(name, db_path):
    query = _queries()[name]
    sql = query["sql"] if isinstance(query, dict) else query
    assert query.get("title") if isinstance(query, dict) else None, f"{name} has no title"
    params = set(re.findall(r"(?<!:):(\w+)", sql))
    engine = open_db(db_path)
    con = sqlite3.connect(db_path)
    # every named parameter bound to "" (what Datasette does before the form is filled in)
    con.execute(sql, {p: "" for p in params}).fetchall()
    with Session(engine, expire_on_commit=False) as session:
        build_world(session)
    con.execute(sql, {p: "1" for p in params}).fetchall()
    con.close()
