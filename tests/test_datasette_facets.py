"""Table pages' facets read from the build's summaries and search counts read from the
full-text index show the same numbers as Datasette's own computation over the rows:
unfiltered, filtered on one value, after changes the summaries have not caught up with,
and on search pages."""

from __future__ import annotations

import random
import sqlite3

import pytest
from sqlmodel import Session

from kb import datasette_facets
from kb.database import open_db
from kb.summary import FACETS, refresh_summaries
from tests.ds_client import SyncClient
from tests.test_canned_rewrites import _random_kb


@pytest.fixture
def kb(db_path):
    engine = open_db(db_path)
    with Session(engine) as session:
        _random_kb(session, random.Random(5))
    with engine.begin() as conn:  # every faceted value occurs
        conn.exec_driver_sql("update claim set is_study_description = 1 where id % 3 = 0")
        conn.exec_driver_sql("update reference set verification = 'not_found' where id % 4 = 0")
        conn.exec_driver_sql("update study_link set dangling = 1 where id % 5 = 0")
    refresh_summaries(engine)
    engine.dispose()
    client = SyncClient(db_path)
    yield client, db_path
    client.close()


def facets(client: SyncClient, path: str) -> dict[str, list[tuple]]:
    data = client.json(path)
    return {
        name: [(v["value"], v["count"], v["selected"]) for v in f["results"]]
        for name, f in data["facet_results"].items()
    }


def group_by(db, table: str, col: str, where: str = "", size: int = 30) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(
            f'select "{col}", count(*) from "{table}" where "{col}" is not null {where} '
            f"group by 1 order by 2 desc, 1 limit {size}"
        ).fetchall()


def test_summary_facets_match_group_by_and_datasettes_own(kb):
    client, db = kb
    for table, cols in FACETS.items():
        ours = facets(client, f"/kb/{table}.json")
        # `_where=1` makes the page filtered: Datasette's own ColumnFacet computes it
        theirs = facets(client, f"/kb/{table}.json?_where=1")
        assert ours == theirs, table
        for col in cols:
            assert [(v, n) for v, n, _ in ours[col]] == group_by(db, table, col), (table, col)


def test_filtered_on_one_value(kb):
    client, db = kb
    for path, table, col, where in [
        ("/kb/claim.json?is_study_description=1", "claim", "article_id",
         "and is_study_description = 1"),
        ("/kb/reference.json?verification=not_found", "reference", "article_id",
         "and verification = 'not_found'"),
        ("/kb/study_link.json?dangling=1", "study_link", "article_id", "and dangling = 1"),
        ("/kb/finding.json?code=non_scholarly_source", "finding", "article_id",
         "and code = 'non_scholarly_source'"),
    ]:  # fmt: skip
        got = facets(client, path)
        if col in got:
            assert [(v, n) for v, n, _ in got[col]] == group_by(db, table, col, where), path
    got = facets(client, "/kb/claim.json?is_study_description=1")
    expected = group_by(db, "claim", "is_study_description", "and is_study_description = 1")
    assert [(v, n, s) for v, n, s in got["is_study_description"]] == [(*expected[0], True)]
    # a value no row has: no counts, as Datasette's own facet would show
    assert facets(client, "/kb/claim.json?is_study_description=7")["article_id"] == []


def test_filtered_pages_match_datasettes_own_facets(kb):
    client, _db = kb
    with sqlite3.connect(_db) as con:
        codes = [r[0] for r in con.execute("select distinct code from finding")]
    paths = [f"/kb/finding.json?code={c}" for c in codes] + [
        f"/kb/reference.json?{col}={v}"
        for col, v in (("verification", "not_found"), ("verification", "verified"),
                       ("source_type", "web"), ("evidence_type", "narrative review"),
                       ("doi_status", "absent"))
    ] + ["/kb/claim.json?is_study_description=0", "/kb/study_link.json?dangling=1",
         "/kb/claim.json?article_id=2"]  # fmt: skip
    for path in paths:
        ours = facets(client, path)
        theirs = facets(client, path + "&_where=1")  # computed by Datasette's ColumnFacet
        assert ours == theirs and ours, path


def test_later_pages_show_the_facets_of_the_whole_selection(kb):
    client, db = kb
    for first in ("/kb/claim.json", "/kb/finding.json", "/kb/claim.json?is_study_description=1"):
        data = client.json(first + ("&" if "?" in first else "?") + "_size=2")
        later = data["next_url"].split("/kb/", 1)[1]
        assert "_next=" in later
        ours = facets(client, "/kb/" + later)
        assert ours == facets(client, first), later
    where = "and is_study_description = 1"
    got = facets(client, "/kb/claim.json?is_study_description=1&_next=3")["article_id"]
    assert [(v, n) for v, n, _ in got] == group_by(db, "claim", "article_id", where)


def test_the_summaries_are_what_the_page_reads(kb):
    client, db = kb
    with sqlite3.connect(db) as con:  # a tampered summary shows: the page read it
        con.execute(
            "update facet_total set n = 999 where table_name = 'claim' and "
            "column_name = 'is_study_description' and value = 1"
        )
    got = dict((v, n) for v, n, _ in facets(client, "/kb/claim.json")["is_study_description"])
    assert got[1] == 999


def test_stale_summaries_are_not_used(kb):
    client, db = kb
    with sqlite3.connect(db) as con:  # a write the build has not summarised yet
        con.execute("update claim set is_study_description = 1")
        assert con.execute("select count(*) from summary_dirty_article").fetchone()[0]
    got = facets(client, "/kb/claim.json")["is_study_description"]
    assert [(v, n) for v, n, _ in got] == group_by(db, "claim", "is_study_description")
    refresh_summaries(open_db(db))
    assert facets(client, "/kb/claim.json")["is_study_description"] == got


def test_search_count_from_the_index_and_facets_above_the_limit(kb, monkeypatch):
    client, db = kb
    with sqlite3.connect(db) as con:
        matches = con.execute(
            "select count(*) from claim where id in "
            "(select rowid from claim_fts where claim_fts match 'claim')"
        ).fetchone()[0]
    assert matches > 3
    data = client.json("/kb/claim.json?_search=claim")
    assert data["filtered_table_rows_count"] == matches
    assert set(data["facet_results"]) == {"article_id", "is_study_description"}
    assert f"{matches:,} row" in client.html("/kb/claim?_search=claim")
    # combined with a filter: counted up to the limit, exact below it
    data = client.json("/kb/claim.json?_search=claim&is_study_description=1")
    expected = group_by(db, "claim", "is_study_description", "and is_study_description = 1")
    with_filter = expected[0][1]
    assert data["filtered_table_rows_count"] == with_filter
    assert f"{with_filter:,} row" in client.html("/kb/claim?_search=claim&is_study_description=1")

    monkeypatch.setattr(datasette_facets, "SEARCH_FACET_ROWS", 3)
    data = client.json("/kb/claim.json?_search=claim")
    assert data["facet_results"] == {}
    assert data["filtered_table_rows_count"] == matches
    page = client.html("/kb/claim?_search=claim")
    assert "Facet counts (article_id, is_study_description) are not shown" in page
    assert f"this search matches {matches:,}" in page and "_facet_all=1" in page
    assert "kb-facets-skipped" not in client.html("/kb/claim?_search=claim&_facet_all=1")
    # above the limit a search with a filter is "more than" the limit: null in the JSON
    data = client.json("/kb/claim.json?_search=claim&is_study_description=1")
    assert data["filtered_table_rows_count"] is None and with_filter > 3
    page = client.html("/kb/claim?_search=claim&is_study_description=1")
    assert "matches more than 3 rows (counted no further)" in page
    forced = facets(client, "/kb/claim.json?_search=claim&_facet_all=1")
    assert [(v, n) for v, n, _ in forced["article_id"]] == group_by(db, "claim", "article_id")


def test_the_summarised_facets_are_the_default_facets():
    from kb.serve import load_metadata

    declared = {(t, c) for t, cols in FACETS.items() for c in cols}
    assert set(datasette_facets.SUMMARY_FACETS) == declared
    tables = load_metadata()["databases"]["kb"]["tables"]
    for table, cols in FACETS.items():
        assert set(tables[table]["facets"]) == set(cols), table
