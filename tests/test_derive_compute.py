"""The derived layers computed as rows (``kb.derive``, in workers or not) and written by one
writer equal what the in-session functions (``classify_references``, ``tag_article``,
``run_audit``) write, on the sample and on a synthetic KB; per-work results are computed
once and again only when the work's record or the rules change."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import text, update
from sqlmodel import Session

import kb.work_results as wr
from bench.corpus import make_article
from bench.world import make_world, write_world
from ingest.crossref.snapshot import build_snapshot
from kb.build import BuildOptions, build, derive
from kb.crossref.run import verify_and_suggest
from kb.crossref.snapshot import import_snapshot
from kb.database import open_db
from kb.models import Article, Work
from kb.save import save_article
from tests.conftest import SAMPLE_ARTICLE

DERIVED = {
    "reference": "SELECT id, evidence_type, evidence_signal FROM reference",
    "work": "SELECT doi, evidence_type, evidence_signal FROM work WHERE evidence_type IS NOT NULL",
    "claim_condition": "SELECT claim_id, condition_id, article_id, matched_text, start, "
    '"end", inherited FROM claim_condition',
    "reference_condition": "SELECT reference_id, condition_id, article_id, matched_text, field "
    "FROM reference_condition",
    "finding": "SELECT article_id, code, severity, reference_id, claim_id, marker_id, "
    "reference_key, marker_key, message, evidence, fix_doi, fix_reference, fix_text FROM finding",
    "article": "SELECT id, completeness FROM article",
}


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {k: sorted(map(tuple, conn.execute(text(q))), key=repr) for k, q in DERIVED.items()}


def in_session_derive(engine) -> None:
    """The layers as the build wrote them before: in the writer's session, article by article,
    twice. (In one pass, a work that article 1 suggests and article 2 links had no evidence
    type yet when article 1 was audited and had one on every later build; the rows now do
    not depend on article order and equal that settled state.)"""
    from kb.audit import run_audit
    from kb.evidence import classify_references
    from kb.tagging import tag_article

    with Session(engine) as s:
        ids = [a.id for a in s.query(Article).order_by(Article.id)]
    for aid in ids + ids:
        with Session(engine) as s, s.begin():
            classify_references(s, aid)
            tag_article(s, aid)
            run_audit(s, aid)


def clear_derived(engine) -> None:
    with Session(engine) as s, s.begin():
        for t in ("claim_condition", "reference_condition", "finding", "work_result"):
            s.execute(text(f"DELETE FROM {t}"))
        s.execute(text("UPDATE reference SET evidence_type = NULL, evidence_signal = NULL"))
        s.execute(text("UPDATE work SET evidence_type = NULL, evidence_signal = NULL"))
        s.execute(text("UPDATE article SET completeness = NULL, derived_hash = ''"))


@pytest.fixture
def sample_db(tmp_path):
    build([str(SAMPLE_ARTICLE)], tmp_path / "kb.db", BuildOptions(offline=True))
    return open_db(tmp_path / "kb.db")


@pytest.fixture
def synthetic_db(tmp_path):
    engine = open_db(tmp_path / "syn.db")
    world = make_world(5, 600)
    build_snapshot(write_world(world, tmp_path / "w.jsonl"), tmp_path / "snap")
    import_snapshot(engine, tmp_path / "snap")
    with Session(engine) as s, s.begin():
        for i in range(12):
            save_article(s, make_article(5, i, world).parsed, content_hash=str(i))
    verify_and_suggest(engine, offline=True)
    return engine


@pytest.mark.parametrize("kb", ["sample_db", "synthetic_db"])
def test_rows_equal_the_in_session_layers(kb, request):
    engine = request.getfixturevalue(kb)
    clear_derived(engine)
    in_session_derive(engine)
    want = snapshot(engine)
    assert want["finding"] and want["claim_condition"] and want["reference_condition"]
    clear_derived(engine)
    wr._memo.clear()
    assert derive(engine, force=True) == len(want["article"])
    assert snapshot(engine) == want


def test_rows_from_worker_processes_equal_the_local_ones(synthetic_db):
    derive(synthetic_db, force=True)
    want = snapshot(synthetic_db)
    clear_derived(synthetic_db)
    with ProcessPoolExecutor(2) as pool:
        derive(synthetic_db, force=True, executor=pool)
    assert snapshot(synthetic_db) == want


def _computed(engine, monkeypatch) -> int:
    """How many per-work results one forced derive computes (not found stored)."""
    counted = []
    real = wr._compute
    monkeypatch.setattr(wr, "_compute", lambda w, d: counted.append(w.doi) or real(w, d))
    wr._memo.clear()
    derive(engine, force=True)
    return len(counted)


def test_work_results_are_computed_once_and_again_on_change(synthetic_db, monkeypatch):
    first = _computed(synthetic_db, monkeypatch)
    assert first > 100
    assert _computed(synthetic_db, monkeypatch) == 0  # stored by the first derive
    with Session(synthetic_db) as s:
        stored = s.execute(text("SELECT count(*) FROM work_result")).scalar_one()
        fixes = s.execute(text("SELECT count(*) FROM work_result WHERE fix_text IS NOT NULL"))
        assert stored == first and fixes.scalar_one() > 0
        doi = s.execute(text("SELECT doi FROM work_result LIMIT 1")).scalar_one()
    with Session(synthetic_db) as s, s.begin():
        s.execute(update(Work).where(Work.doi == doi).values(title="A changed title"))
    assert _computed(synthetic_db, monkeypatch) == 1  # only the changed record
    monkeypatch.setattr(wr, "rules_version", lambda: "other rules")
    assert _computed(synthetic_db, monkeypatch) == stored  # every work, the rules changed
    monkeypatch.undo()
