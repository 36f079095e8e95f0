"""The editors' canned queries return the rows an editor expects, on a database built here."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlmodel import Session

from kb.audit import run_audit
from kb.audit.queries import CANNED_QUERIES
from kb.summary import refresh_summaries
from tests.audit_helpers import Builder, verified_entry
from tests.conftest import ROOT


@pytest.fixture
def db(engine, db_path):
    """Two articles: one with a retraction, a duplicate, a dangling marker, an uncited entry,
    a missing DOI with a suggestion and a misdescribed study; one clean."""
    with Session(engine) as s:
        b = Builder(s, source="articles/a.txt", title="Article A")
        e1 = verified_entry(
            b,
            1,
            "10.5555/q.1",
            title="A randomised trial of LDN",
            journal="Annals of Neurology",
            year=2010,
            volume="68",
            issue="2",
            pages="145-150",
        )
        b.update("10.5555/q.1", "retraction", "10.5555/q.1.retraction")
        verified_entry(
            b,
            2,
            "10.5555/q.2",
            title="A cohort",
            journal="Pain Medicine",
            year=2013,
            volume="1",
            issue="1",
            pages="1-9",
        )
        b.ref(
            3,
            "Pain Medicine. 2013;1(1):1-9. doi:10.5555/q.2",
            doi="10.5555/q.2",
            work_doi="10.5555/q.2",
            verification="verified",
            year=2013,
            volume="1",
            issue="1",
            pages="1-9",
            journal="Pain Medicine",
            title="A cohort",
            authors=["Smith J"],
        )
        e4 = b.ref(
            4,
            "2018; 2018(4): CD010410.",
            year=2018,
            volume="2018",
            issue="4",
            article_number="CD010410",
        )
        b.suggest(e4, "10.5555/q.4", confidence=0.8)
        verified_entry(
            b,
            5,
            "10.5555/q.5",
            title="Never cited",
            journal="Lupus",
            year=2015,
            volume="2",
            issue="2",
            pages="2-3",
        )
        b.claim(
            "A 2012 study in the Journal of Neuroimmunology found fewer relapses [1].",
            ["1"],
            desc_year=2012,
            desc_journal="Journal of Neuroimmunology",
        )
        b.claim("Fibromyalgia pain fell [2][3][4].", ["2", "3", "4"])
        b.claim("Beyond the list [9].", ["9"])
        a_id = b.article.id
        assert e1.id
        run_audit(s, a_id)
        c = Builder(s, source="articles/b.txt", title="Article B")
        verified_entry(
            c,
            1,
            "10.5555/q.b1",
            title="Clean",
            journal="Lupus",
            year=2015,
            volume="2",
            issue="2",
            pages="2-3",
        )
        c.claim("Something [1].", ["1"])
        run_audit(s, c.article.id)
        s.commit()
    refresh_summaries(engine)  # as a build ends: the counts the paged queries read
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def run(db, name: str, article: str = "") -> list[dict]:
    # as Datasette runs a canned query: a parameter not given is "" (``page``: the first)
    params = {"article": article, "page": ""}
    return [dict(r) for r in db.execute(CANNED_QUERIES[name]["sql"], params)]


def test_metadata_serves_exactly_these_queries():
    meta = json.loads((ROOT / "datasette_metadata.json").read_text(encoding="utf-8"))
    queries = meta["databases"]["kb"]["queries"]
    for name, q in CANNED_QUERIES.items():
        assert queries[name] == q, f"run python -m kb.audit.queries to refresh {name}"
        assert q["title"] and q["description"]


def test_references_needing_attention(db):
    rows = run(db, "references_needing_attention", "Article A")
    assert [(r["entry"], r["worst_severity"]) for r in rows] == [
        ("1", "error"),
        ("3", "warning"),
        ("4", "warning"),
        ("5", "warning"),
    ]
    by_entry = {r["entry"]: r for r in rows}
    assert "retracted" in by_entry["1"]["reasons"]
    assert "description_mismatch" not in by_entry["1"]["reasons"]  # a citation problem
    assert by_entry["1"]["complete_reference"].startswith("AMA: Smith J, Jones K.")
    assert "duplicate_reference" in by_entry["3"]["reasons"]
    assert by_entry["3"]["use_entry_instead"] == "2"
    assert by_entry["4"]["suggested_doi"] == "10.5555/q.4"
    assert by_entry["4"]["doi_confidence"] == pytest.approx(0.8)
    assert by_entry["5"]["reasons"] == "uncited_reference"
    # by id and by source the same; the clean article has nothing; empty means all
    assert run(db, "references_needing_attention", "1") == rows
    assert run(db, "references_needing_attention", "articles/a.txt") == rows
    assert run(db, "references_needing_attention", "Article B") == []
    assert run(db, "references_needing_attention") == rows


def test_citations_that_misdescribe_their_source(db):
    rows = run(db, "citations_misdescribing_source", "Article A")
    assert [(r["code"], r["marker"], r["cited_entry"]) for r in rows] == [
        ("description_mismatch", "1", "1")
    ]
    fields = json.loads(rows[0]["evidence"])["fields"]
    assert set(fields) == {"year", "journal"}


def test_duplicate_references(db):
    rows = run(db, "duplicate_references", "Article A")
    assert [(r["entry"], r["same_as_entry"], r["criterion"], r["doi"]) for r in rows] == [
        ("3", "2", "same DOI", "10.5555/q.2")
    ]
    assert rows[0]["kept_reference"].startswith("Smith J, Jones K. A cohort")


def test_markers_without_entries_and_entries_never_cited(db):
    rows = run(db, "markers_without_entries_and_uncited_entries", "Article A")
    assert [(r["problem"], r["marker"], r["entry"]) for r in rows] == [
        ("marker without entry", "9", None),
        ("entry never cited", None, "5"),
    ]
    assert rows[0]["text"] == "Beyond the list [9]."
