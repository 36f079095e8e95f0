"""Local DOI candidates from the reference's rarest words give the same best match as the
query over every word did, on the sample and on a synthetic KB; a repeated reference is
answered from the memo; and the locator look-ups use indexes, not a scan of ``work``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, or_, select, text
from sqlmodel import Session

from bench.corpus import make_article
from bench.world import make_world, write_world
from ingest.crossref.match import RefFacts, best_match
from ingest.crossref.snapshot import build_snapshot
from ingest.crossref.suggest import facts_from_reference, needs_suggestion, worth_searching
from kb.build import BuildOptions, build
from kb.crossref.candidates import CandidateMemo, local_candidates
from kb.crossref.snapshot import import_snapshot
from kb.crossref.suggestion_state import REF_COLUMNS
from kb.models import Work
from kb.save import save_article
from tests.conftest import SAMPLE_ARTICLE


def every_word_candidates(session: Session, facts: RefFacts, limit: int = 20) -> list[Work]:
    """The previous algorithm: up to 24 words ORed over the whole full-text index, and one
    OR query (a scan) for the locators."""
    words = []
    for value in (facts.title, facts.journal, facts.first_author):
        words += re.findall(r"[^\W_]{3,}", value or "")
    words = list(dict.fromkeys(w.lower() for w in words))[:24]
    found: dict[str, Work | None] = {}
    if words:
        q = " OR ".join(f'"{w}"' for w in words)
        rows = session.execute(
            text(
                "SELECT work.doi FROM work_fts JOIN work ON work.rowid = work_fts.rowid "
                "WHERE work_fts MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": q, "n": limit},
        ).all()
        for (doi,) in rows:
            found.setdefault(doi, session.get(Work, doi))
    conds = []
    if facts.year and (facts.volume or facts.pages or facts.article_number):
        loc = []
        if facts.volume:
            loc.append(Work.volume == facts.volume)
        first = re.split(r"[-–]", facts.pages or "")[0].strip()
        if first:
            loc.append(Work.page.like(f"{first}%"))
            loc.append(Work.article_number == first)
        if facts.article_number:
            loc.append(Work.article_number == facts.article_number)
        conds.append((Work.year.between(facts.year - 1, facts.year + 1)) & or_(*loc))
    if facts.doi_fragment:
        conds.append(Work.doi.like(facts.doi_fragment.replace("%", "") + "%"))
    if conds:
        for w in session.execute(select(Work).where(or_(*conds)).limit(limit)).scalars():
            found.setdefault(w.doi, w)
    return [w for w in found.values() if w is not None]


def _facts(session: Session) -> list[RefFacts]:
    refs = [r for r in session.execute(select(*REF_COLUMNS)) if needs_suggestion(r)]
    return [f for f in map(facts_from_reference, refs) if worth_searching(f)]


def _same_best(session: Session) -> int:
    memo = CandidateMemo()
    facts = _facts(session)
    for f in facts:
        ours = best_match(f, local_candidates(session, f, memo=memo))
        theirs = best_match(f, every_word_candidates(session, f))
        got = (ours.doi, ours.confidence) if ours else None
        want = (theirs.doi, theirs.confidence) if theirs else None
        assert got == want, f
    return len(facts)


@pytest.fixture
def synthetic(tmp_path, engine):
    world = make_world(3, 900)
    build_snapshot(write_world(world, tmp_path / "world.jsonl"), tmp_path / "snap")
    import_snapshot(engine, tmp_path / "snap")
    with Session(engine) as s, s.begin():
        for i in range(25):
            save_article(s, make_article(3, i, world).parsed, content_hash=str(i))
    return engine


def test_rarest_words_find_the_same_best_match_on_a_synthetic_kb(synthetic):
    with Session(synthetic) as s:
        assert _same_best(s) > 50


def test_rarest_words_find_the_same_best_match_on_the_sample(tmp_path):
    build([str(SAMPLE_ARTICLE)], tmp_path / "kb.db", BuildOptions(offline=True))
    from kb.database import open_db

    with Session(open_db(tmp_path / "kb.db")) as s:
        assert _same_best(s) > 5


def test_a_repeated_reference_is_answered_from_the_memo(synthetic):
    statements: list[str] = []
    with Session(synthetic) as s:
        facts = _facts(s)[0]
        memo = CandidateMemo()
        first = local_candidates(s, facts, memo=memo)
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        again = local_candidates(s, facts, memo=memo)
    assert [w.doi for w in again] == [w.doi for w in first]
    assert not any("work_fts" in q or "rowid" in q for q in statements)  # one fetch by DOI


def test_locator_lookups_use_indexes(synthetic):
    with Session(synthetic) as s:
        plan = s.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT work.rowid, doi FROM work WHERE year BETWEEN 2019 "
                "AND 2021 AND (volume = '3' OR page LIKE '12%' OR article_number = '12')"
            )
        ).all()
        doi_plan = s.execute(
            text("EXPLAIN QUERY PLAN SELECT doi FROM work WHERE doi >= '10.5' AND doi < '10.6'")
        ).all()
    assert "USING INDEX idx_work_year_volume" in " ".join(str(r) for r in plan)
    assert "SEARCH work USING COVERING INDEX" in " ".join(str(r) for r in doi_plan)
