"""save_article writes each table in one statement (``kb.bulk``: one ``executemany`` on the
session's sqlite3 connection), and a None where the column has a default stores the
default (what the ORM insert it replaced did)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from ingest.article import parse_article
from kb.bulk import dbapi, insert_rows
from kb.models import Article, Claim, Reference, Section
from kb.save import save_article
from tests.conftest import SAMPLE_ARTICLE


def _trace(session: Session) -> list[str]:
    """Every statement SQLite runs on the session's connection (an ``executemany`` runs its
    one statement once per row, traced with its values; triggers' statements start with
    ``--``): here without the values."""
    statements: list[str] = []
    dbapi(session).set_trace_callback(lambda sql: statements.append(sql.split(" VALUES")[0]))
    return statements


def test_none_takes_the_column_default_and_one_statement_serves_mixed_rows(engine):
    with Session(engine) as session, session.begin():
        session.add(Article(source="a.txt", text="x"))
        session.flush()
        aid = session.execute(select(Article.id)).scalar_one()
        statements = _trace(session)
        rows = [
            {"article_id": aid, "position": 0, "heading": "A", "level": None, "start": None,
             "end": 5, "is_references": None},
            {"article_id": aid, "position": 1, "heading": "B", "level": 3, "start": 5,
             "end": None, "is_references": True},
        ]  # fmt: skip
        insert_rows(dbapi(session), Section, rows)
        assert len(set(statements)) == 1 and statements[0].startswith("INSERT")
        got = session.execute(
            select(Section.level, Section.start, Section.end, Section.is_references).order_by(
                Section.position
            )
        ).all()
    assert got == [(2, 0, 5, False), (3, 5, 0, True)]


def test_saving_an_article_is_a_handful_of_statements(engine):
    parsed = parse_article(SAMPLE_ARTICLE.read_bytes(), str(SAMPLE_ARTICLE))
    assert len(parsed.claims) > 20 and len(parsed.references) > 10
    with Session(engine) as session, session.begin():
        statements = _trace(session)
        aid = save_article(session, parsed)
        n_claims = session.execute(select(Claim.id).where(Claim.article_id == aid)).all()
        n_refs = session.execute(select(Reference.id).where(Reference.article_id == aid)).all()
    assert len(n_claims) == len(parsed.claims) and len(n_refs) == len(parsed.references)
    inserts = {s for s in statements if s.lstrip().upper().startswith("INSERT")}
    # article, section, reference, claim, marker, study_link: one statement each
    assert len(inserts) == 6, inserts
