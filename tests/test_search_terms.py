"""Search terms (kb.search_terms) and the full-text tables that index them (kb.schema)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text
from sqlmodel import Session

from kb.bulk import dbapi, update_rows
from kb.database import ensure_db_shape, get_engine, open_db
from kb.models import Claim, Condition
from kb.search_terms import claim_terms, search_term_updates
from tests.factories import add_article, add_claim, add_condition, tag


def test_claim_terms_name_conditions_and_expand_the_articles_abbreviations():
    ms = Condition(
        name="Multiple sclerosis",
        synonyms='["disseminated sclerosis"]',
        abbreviations='["MS"]',
        mesh_id="D009103",
        mesh_heading="Multiple Sclerosis",
    )
    terms = claim_terms("LDN helped in MS.", [ms], {"LDN": "low-dose naltrexone", "RA": "x y"})
    for want in ("Multiple sclerosis", "disseminated sclerosis", "D009103", "low-dose naltrexone"):
        assert want in terms
    assert "x y" not in terms  # RA is defined but not used in the sentence
    assert claim_terms("LDN-like drugs", [], {"LDN": "low-dose naltrexone"}) == ""


def test_search_finds_claims_by_condition_and_abbreviation(db_path):
    engine = open_db(db_path)
    with Session(engine, expire_on_commit=False) as s:
        art = add_article(s, "a.md", text="Low-dose naltrexone (LDN) is studied in MS.")
        claim = add_claim(s, art, "LDN helped in MS [1].", position=1)
        ms = add_condition(s, "Multiple sclerosis", abbreviations=["MS"], mesh_id="D009103")
        tag(s, claim, ms, "MS")
        s.commit()
        claims, refs = search_term_updates(s, art.id, {claim.id: [ms.id]}, art.text)
        assert refs == []  # the article has no entries
        update_rows(dbapi(s), Claim, claims)  # as the build's writer saves them
        s.commit()
    conn = sqlite3.connect(db_path)
    for query in ("multiple sclerosis", "naltrexone", "D009103", "LDN"):
        hits = conn.execute("select rowid from claim_fts where claim_fts match ?", (f'"{query}"',))
        assert [r[0] for r in hits] == [claim.id], query


def test_an_older_full_text_table_is_rebuilt_with_the_declared_columns(db_path):
    engine = open_db(db_path)
    with Session(engine) as s:
        art = add_article(s, "a.md")
        add_claim(s, art, "Fatigue improved [1].", position=1)
        s.commit()
    with engine.begin() as conn:  # the shape an earlier version made: text only
        for suffix in ("_ai", "_ad", "_au"):
            conn.execute(text(f"DROP TRIGGER claim_fts{suffix}"))
        conn.execute(text("DROP TABLE claim_fts"))
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', "
                "content_rowid='rowid', tokenize='porter unicode61')"
            )
        )
    ensure_db_shape(get_engine(db_path))
    conn = sqlite3.connect(db_path)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(claim_fts)")]
    assert cols == ["text", "search_terms"]
    hits = conn.execute("select count(*) from claim_fts where claim_fts match 'fatigue'")
    assert hits.fetchone()[0] == 1  # rebuilt from the claims already there
