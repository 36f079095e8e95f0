"""save_article writes an article whole, replaces it whole, and keeps dangling markers visible."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from ingest.types import (
    ParsedArticle,
    ParsedMarker,
    ParsedReference,
    ParsedSection,
    ParsedSentence,
    ReferenceFields,
    StudyDescription,
)
from kb.models import Article, Claim, Marker, Reference, Section, StudyLink
from kb.save import save_article


def make_article(source: str = "a.md", n_refs: int = 2, cite: list[str] | None = None):
    text = "Intro\n\nLDN helped [1][3]. A 2010 study found benefit.\n"
    refs = [
        ParsedReference(
            key=str(i + 1),
            number=i + 1,
            raw=f"Ref {i + 1}. doi: 10.5555/x{i}",
            position=i,
            fields=ReferenceFields(doi=f"10.5555/x{i}", doi_status="present", year=2010 + i),
        )
        for i in range(n_refs)
    ]
    keys = cite or ["1", "3"]
    s1 = ParsedSentence(
        text="LDN helped [1][3].",
        start=7,
        end=25,
        position=0,
        paragraph=1,
        section=0,
        markers=[
            ParsedMarker(raw=f"[{k}]", start=11 + 3 * i, end=14 + 3 * i, style="bracket", keys=[k])
            for i, k in enumerate(keys)
        ],
        is_claim=True,
    )
    s2 = ParsedSentence(
        text="A 2010 study found benefit.",
        start=26,
        end=53,
        position=1,
        paragraph=1,
        section=0,
        description=StudyDescription(year=2010),
        is_claim=True,
        uncited=True,
    )
    s3 = ParsedSentence(text="Intro", start=0, end=5, position=2, paragraph=0, section=None)
    return ParsedArticle(
        source=source,
        format="markdown",
        text=text,
        title="T",
        sections=[ParsedSection(heading="Intro", level=2, start=0, end=53, position=0)],
        sentences=[s1, s2, s3],
        references=refs,
        marker_style="numeric",
    )


def count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_save_article_writes_claims_markers_and_links(engine):
    with Session(engine) as session, session.begin():
        aid = save_article(session, make_article())
    with Session(engine) as session:
        assert count(session, Article) == 1
        assert count(session, Section) == 1
        assert count(session, Reference) == 2
        # only claims are stored as claims; the heading sentence is not one
        claims = session.execute(select(Claim).order_by(Claim.position)).scalars().all()
        assert [c.text for c in claims] == ["LDN helped [1][3].", "A 2010 study found benefit."]
        assert claims[1].uncited and claims[1].is_study_description and claims[1].desc_year == 2010
        assert count(session, Marker) == 2
        links = session.execute(select(StudyLink).order_by(StudyLink.key)).scalars().all()
        assert [(lk.key, lk.dangling) for lk in links] == [("1", False), ("3", True)]
        ref1 = session.execute(select(Reference).where(Reference.key == "1")).scalar_one()
        assert links[0].reference_id == ref1.id
        assert links[1].reference_id is None
        art = session.get(Article, aid)
        assert art.n_claims == 2 and art.n_references == 2 and art.n_sentences == 3


def test_resave_replaces_rows_and_keeps_article_id(engine):
    with Session(engine) as session, session.begin():
        first = save_article(session, make_article(n_refs=2))
    with Session(engine) as session, session.begin():
        second = save_article(session, make_article(n_refs=3, cite=["2"]))
    assert first == second
    with Session(engine) as session:
        assert count(session, Reference) == 3
        assert count(session, Marker) == 1
        assert [lk.dangling for lk in session.execute(select(StudyLink)).scalars()] == [False]


def test_same_key_twice_in_a_sentence_is_one_link(engine):
    with Session(engine) as session, session.begin():
        save_article(session, make_article(cite=["1", "1"]))
    with Session(engine) as session:
        assert count(session, Marker) == 2
        assert count(session, StudyLink) == 1
