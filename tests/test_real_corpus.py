"""The real-article corpus (tests/fixtures/real, issue 10): every article built offline through
the real build (no Crossref) and compared with what a reader counted in its expected file:
entry count per list, every DOI, cited and uncited entries, citations, dangling keys, marker
style, and every marker's entries where the file lists them. An article that still fails is
marked xfail only with its reason written in its expected file ("xfail"); the corpus report
(bench/corpus_report.py) counts them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bench import corpus_report as cr
from kb.build import BuildOptions, build
from kb.database import open_db
from kb.models import Article

EXPECTED = cr.expected_articles()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("real") / "corpus.db"
    result = build([e["path"] for e in EXPECTED], db, BuildOptions(offline=True, crossref=False))
    assert not result.failures, result.failures
    engine = open_db(db)
    yield engine
    engine.dispose()


def test_the_corpus_is_there():
    assert len(EXPECTED) >= 30
    assert len({e["form"] for e in EXPECTED}) >= 8


@pytest.mark.parametrize("exp", EXPECTED, ids=[e["id"] for e in EXPECTED])
def test_real_article(corpus_db, exp):
    with Session(corpus_db) as session:
        article = next(
            a for a in session.exec(select(Article)).all() if a.source.endswith(exp["file"])
        )
        result = cr.compare(exp, cr.observe(session, article))
    problems = list(result.problems)
    if result.links is not None:
        true, got, want = result.links
        if not true == got == want:
            problems.append(f"links: {true} right of {got} found, {want} expected")
    if problems and exp.get("xfail"):
        pytest.xfail(exp["xfail"] + " | " + "; ".join(problems))
    assert not problems
    if exp["entries"]:
        assert article.n_references > 0  # never zero entries when the article has a list


def test_xfail_reasons_are_written_down():
    for exp in EXPECTED:
        assert "xfail" not in exp or len(exp["xfail"].split()) >= 5, exp["id"]
