"""Issue 15: every article is parsed under a wall-clock budget, enforced in the process
that parses it, and a timeout is recorded with the stage it was reached at."""

from __future__ import annotations

import sqlite3

import pytest

import ingest.article
from ingest.budget import ArticleTimeout, article_budget, at_stage
from kb.build import BuildOptions, build
from tests.test_bad_input import GOOD


def test_a_runaway_loop_is_stopped_at_its_stage():
    with pytest.raises(ArticleTimeout, match="while parsing") as err:
        with article_budget(0.05):
            at_stage("parse")
            while True:
                pass
    assert err.value.stage == "timeout"


def test_a_swallowed_timeout_comes_back():
    """A parser's own ``except Exception`` cannot keep the article running."""
    with pytest.raises(ArticleTimeout):
        with article_budget(0.05):
            try:
                while True:
                    pass
            except Exception:  # noqa: BLE001 - what a defensive helper does
                pass
            while True:  # ...and its caller goes on for ever
                pass


def _slow_reader(real):
    def read_document(text, fmt):
        if "SLOW" in text:
            while True:  # a reader that never finishes on this input
                pass
        return real(text, fmt)

    return read_document


def test_the_build_records_a_timeout_and_keeps_the_good_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ingest.article, "read_document", _slow_reader(ingest.article.read_document))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.md").write_text(GOOD)
    (tmp_path / "in" / "slow.md").write_text(GOOD.replace("Good article", "SLOW article"))
    opts = BuildOptions(offline=True, crossref=False, article_timeout=1, workers=0)
    result = build(["in"], tmp_path / "kb.db", opts)
    (failure,) = result.failures
    assert failure.source == "in/slow.md" and failure.stage == "timeout"
    assert "while reading" in failure.reason
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT source FROM article").fetchall() == [("in/good.md",)]
    assert con.execute("SELECT stage FROM ingest_failure").fetchall() == [("timeout",)]


def test_the_budget_is_enforced_inside_a_worker_process():
    """``compute_article`` is what every executor runs: the budget goes with the job.
    A budget of a microsecond is over before any article is parsed."""
    from concurrent.futures import ProcessPoolExecutor

    from ingest.types import Failure
    from kb.parallel import ArticleJob, compute_article

    job = ArticleJob("a.md", GOOD.encode(), None, timeout=1e-6)
    with ProcessPoolExecutor(1) as pool:
        outcome = pool.submit(compute_article, job).result()
    assert isinstance(outcome, Failure) and outcome.stage == "timeout"
    assert outcome.reason.startswith("timeout: over the 1e-06 s budget while")
    assert isinstance(
        compute_article(ArticleJob("a.md", GOOD.encode())), ingest.article.ParsedArticle
    )
