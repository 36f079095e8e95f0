"""tag_article, ensure_vocabulary and classify_references against a real database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kb.evidence import classify_references
from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Condition,
    Reference,
    ReferenceCondition,
    Section,
    Work,
)
from kb.tagging import ensure_vocabulary, tag_article, url_slug_text
from tests.conftest import SAMPLE_ARTICLE

TEXT = (
    "Multiple sclerosis (MS) is a chronic disease. "
    "Crohn's Disease\n"
    "LDN improved symptoms in patients [1]. In MS, relapses fell [2]. "
    "References\n"
)


def _article(session: Session) -> int:
    art = Article(source="t.txt", text=TEXT)
    session.add(art)
    session.flush()
    crohn = Section(article_id=art.id, position=0, heading="Crohn's Disease", level=2)
    refs = Section(article_id=art.id, position=1, heading="References", is_references=True)
    session.add_all([crohn, refs])
    session.flush()
    session.add_all(
        [
            Claim(article_id=art.id, section_id=crohn.id, position=0, start=0, end=10,
                  text="LDN improved symptoms in patients [1]."),
            Claim(article_id=art.id, section_id=crohn.id, position=1, start=0, end=10,
                  text="In MS, relapses fell [2]."),
        ]
    )  # fmt: skip
    session.add(
        Work(doi="10.5555/w1", title="Low dose naltrexone in fibromyalgia: a randomized trial",
             container_title="Pain", type="journal-article")
    )  # fmt: skip
    session.flush()  # the work first: references point at it
    session.add_all(
        [
            Reference(article_id=art.id, key="1", position=0, raw="x", work_doi="10.5555/w1",
                      title="Some other title about psoriasis"),
            Reference(article_id=art.id, key="2", position=1, raw="y",
                      title="Naltrexone in relapsing-remitting multiple sclerosis"),
            Reference(article_id=art.id, key="3", position=2, raw="z", source_type="web",
                      url="https://lupuscorner.com/low-dose-naltrexone-receptors-lupus/"),
            Reference(article_id=art.id, key="4", position=3, raw="Abstract: 12. Chronic Pain."),
        ]
    )  # fmt: skip
    session.flush()
    return art.id


@pytest.fixture
def session(engine):
    with Session(engine) as s, s.begin():
        yield s


def test_ensure_vocabulary_is_idempotent(session):
    n = ensure_vocabulary(session)
    first = {c.name: c.id for c in session.exec(select(Condition))}
    assert n == len(first) >= 150
    assert ensure_vocabulary(session) == n
    assert {c.name: c.id for c in session.exec(select(Condition))} == first
    crohn = session.exec(select(Condition).where(Condition.name == "Crohn's disease")).one()
    assert crohn.mesh_id and "Inflammatory bowel disease" in crohn.parents


def _claim_tags(session, article_id):
    rows = session.exec(
        select(Claim.position, Condition.name, ClaimCondition)
        .where(ClaimCondition.article_id == article_id)
        .where(ClaimCondition.claim_id == Claim.id, ClaimCondition.condition_id == Condition.id)
    ).all()
    return {(pos, name, cc.inherited): cc for pos, name, cc in rows}


def test_claims_tagged_from_text_and_heading(session):
    aid = _article(session)
    ensure_vocabulary(session)
    n = tag_article(session, aid)
    tags = _claim_tags(session, aid)
    # Claim 0 names no condition: it inherits its section's heading.
    assert (0, "Crohn's disease", True) in tags
    assert tags[(0, "Crohn's disease", True)].start is None
    # Claim 1 uses the abbreviation the article defined elsewhere; offsets are in the claim.
    ms = tags[(1, "Multiple sclerosis", False)]
    assert (ms.matched_text, ms.start, ms.end) == ("MS", 3, 5)
    assert (1, "Crohn's disease", True) in tags
    # Rewriting replaces, never duplicates.
    assert tag_article(session, aid) == n
    assert len(session.exec(select(ClaimCondition)).all()) == len(tags)


def test_references_tagged_from_work_title_entry_title_url_or_raw(session):
    aid = _article(session)
    tag_article(session, aid)
    rows = session.exec(
        select(Reference.key, Condition.name, ReferenceCondition.field)
        .where(ReferenceCondition.reference_id == Reference.id)
        .where(ReferenceCondition.condition_id == Condition.id)
    ).all()
    got = {(k, n, f) for k, n, f in rows}
    assert ("1", "Fibromyalgia", "work_title") in got  # the work's title wins over the entry's
    assert not any(k == "1" and n == "Psoriasis" for k, n, _ in got)
    assert ("2", "Relapsing-remitting multiple sclerosis", "title") in got
    assert ("3", "Systemic lupus erythematosus", "url") in got
    assert ("4", "Chronic pain", "raw") in got


def test_url_slug_text():
    assert url_slug_text("https://x.org/a/hashimoto-thyroiditis_and-ldn.html?x=1") == (
        "a hashimoto thyroiditis and ldn"
    )
    assert url_slug_text("www.site.com/2011/09/long-covid") == "long covid"
    assert url_slug_text(None) == ""


def test_classify_references_sets_reference_and_work(session):
    aid = _article(session)
    typed = classify_references(session, aid)
    refs = {r.key: r for r in session.exec(select(Reference))}
    assert refs["1"].evidence_type == "randomised controlled trial"
    assert session.get(Work, "10.5555/w1").evidence_type == "randomised controlled trial"
    assert refs["3"].evidence_type == "web page or press release"
    assert refs["4"].evidence_type == "conference abstract"
    assert all(r.evidence_signal for r in refs.values())
    assert typed == sum(r.evidence_type != "unknown" for r in refs.values())


def test_sample_article_end_to_end(session):
    pytest.importorskip("ingest.article")
    from ingest.article import parse_article
    from kb.save import save_article

    parsed = parse_article(SAMPLE_ARTICLE.read_bytes(), str(SAMPLE_ARTICLE))
    aid = save_article(session, parsed)
    assert tag_article(session, aid) > 0
    tags = _claim_tags(session, aid)
    tagged = {name for _pos, name, _inh in tags}
    for expected in ["Multiple sclerosis", "Crohn's disease", "Fibromyalgia", "Long COVID",
                     "Post-traumatic stress disorder", "Autism spectrum disorder"]:  # fmt: skip
        assert expected in tagged
    claims = {c.id: c.text for c in session.exec(select(Claim).where(Claim.article_id == aid))}
    for cc in session.exec(select(ClaimCondition).where(ClaimCondition.inherited == False)):  # noqa: E712
        assert claims[cc.claim_id][cc.start : cc.end] == cc.matched_text
    refs = {r.key: r for r in session.exec(select(Reference).where(Reference.article_id == aid))}
    classify_references(session, aid)
    assert refs["7"].evidence_type == "web page or press release"  # ScienceDaily
    assert refs["12"].evidence_type == "conference abstract"
