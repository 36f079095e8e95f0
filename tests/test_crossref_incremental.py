"""A run recomputes a reference's DOI suggestion only when what it was computed from changed.

What it depends on: the reference's fields, editors' decisions, the candidate works, a
Crossref search that was wanted and not answered. Recomputations are counted through
``local_candidates`` (called once per recomputed reference that is worth searching).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

import kb.crossref.suggestions as suggestions_mod
from ingest.crossref.limiter import Limits
from ingest.crossref.snapshot import build_snapshot
from ingest.crossref.testing import synthetic_works
from kb.crossref.run import verify_and_suggest
from kb.crossref.snapshot import import_snapshot
from kb.models import Article, Reference, Suggestion, SuggestionDecision, SuggestionState, Work
from kb.save import save_article

FAST = Limits(single_rate=100, single_concurrency=3, list_rate=100, list_concurrency=3)
J = "Journal of Synthetic Testing"
ALVAREZ = {"raw": "Alvarez A. Microglial modulation by opioid antagonists. J Synth Test. "
                  "2022;10(4):401-10.",
           "title": "Microglial modulation by opioid antagonists", "first_author": "Alvarez",
           "journal": J, "year": 2022, "volume": "10", "issue": "4", "pages": "401-10"}  # fmt: skip
BRENNAN = {"raw": "Brennan A. Sleep quality under low dose naltrexone. J Synth Test. "
                  "2022;10(5):571-80.",
           "title": "Sleep quality under low dose naltrexone", "first_author": "Brennan",
           "journal": J, "year": 2022, "volume": "10", "issue": "5", "pages": "571-80"}  # fmt: skip
NOBODY = {"raw": "Nobody N. A paper no index holds. Unknown J. 2001;1(1):1-2.",
          "title": "A paper no index holds", "first_author": "Nobody", "journal": "Unknown J",
          "year": 2001, "volume": "1", "issue": "1", "pages": "1-2"}  # fmt: skip
URL_ONLY = {"raw": "https://example.org/blog/ldn", "url": "https://example.org/blog/ldn"}


@pytest.fixture
def searched(monkeypatch) -> list[str | None]:
    """Titles of the references whose suggestion was recomputed, in order."""
    calls: list[str | None] = []
    real = suggestions_mod.local_candidates

    def counting(session, facts, *args, **kw):
        calls.append(facts.title)
        return real(session, facts, *args, **kw)

    monkeypatch.setattr(suggestions_mod, "local_candidates", counting)
    return calls


def _article(engine, refs: list[dict], source: str = "a") -> int:
    with Session(engine) as s:
        art = Article(source=source)
        s.add(art)
        s.flush()
        for i, fields in enumerate(refs):
            s.add(Reference(article_id=art.id, key=str(i + 1), position=i, **fields))
        s.commit()
        return art.id


def _suggestions(engine) -> dict[str, tuple]:
    with Session(engine) as s:
        rows = s.exec(select(Suggestion, Reference.key).join(Reference)).all()
        return {key: (g.id, g.doi, g.confidence, g.status, g.provenance) for g, key in rows}


def _run(engine, url: str | None = None, **kw):
    if url is None:
        return verify_and_suggest(engine, offline=True, **kw)
    return verify_and_suggest(engine, base_url=url, limits=FAST, **kw)


def test_a_second_run_recomputes_nothing_and_keeps_every_row(engine, crossref_server, searched):
    _article(engine, [ALVAREZ, BRENNAN, NOBODY, URL_ONLY])
    first = _run(engine, crossref_server.url)
    before = _suggestions(engine)
    assert set(before) == {"1", "2"} and first.suggested == 2
    assert set(searched) == {ALVAREZ["title"], BRENNAN["title"], NOBODY["title"]}
    searched.clear()
    crossref_server.reset()
    second = _run(engine, crossref_server.url)
    assert searched == [] and crossref_server.requests == 0
    after = _suggestions(engine)
    assert {k: v[:4] for k, v in after.items()} == {k: v[:4] for k, v in before.items()}
    # what came from Crossref in the first run comes from the cache now, as if recomputed
    assert {v[4] for v in after.values()} == {"cache"}
    assert second.suggested == first.suggested


def test_a_changed_reference_alone_is_recomputed(engine, crossref_server, searched):
    _article(engine, [ALVAREZ, BRENNAN, NOBODY])
    _run(engine, crossref_server.url)
    before = _suggestions(engine)
    searched.clear()
    with Session(engine) as s:  # the entry for Nobody now describes Brennan's paper
        changed = {k: v for k, v in BRENNAN.items() if k != "raw"}
        s.execute(update(Reference).where(Reference.key == "3").values(**changed))
        s.commit()
    summary = _run(engine, crossref_server.url)
    assert searched == [BRENNAN["title"]]
    after = _suggestions(engine)
    assert after["3"][1] == before["2"][1] and summary.suggested == 3
    assert after["1"][:4] == before["1"][:4] and after["2"][:4] == before["2"][:4]


def test_new_candidate_works_are_considered(engine, tmp_path, searched):
    _article(engine, [ALVAREZ, NOBODY])
    assert _run(engine).suggested == 0  # offline, no works at all
    searched.clear()
    assert _run(engine).suggested == 0 and searched == []  # nothing changed
    snap, src = tmp_path / "snap", tmp_path / "works.jsonl"
    src.write_text("\n".join(json.dumps(w) for w in synthetic_works()))
    build_snapshot(src, snap)
    import_snapshot(engine, snap)
    summary = _run(engine)
    assert len(searched) == 2 and summary.suggested == 1
    assert _suggestions(engine)["1"][1] == "10.5555/jst.2022.041"
    searched.clear()
    import_snapshot(engine, snap)  # the same snapshot again changes no work
    assert _run(engine).suggested == 1 and searched == []


def test_refresh_recomputes_every_reference(engine, crossref_server, searched):
    _article(engine, [ALVAREZ, BRENNAN, NOBODY, URL_ONLY])
    _run(engine, crossref_server.url)
    before = _suggestions(engine)
    searched.clear()
    _run(engine, crossref_server.url, refresh=True)
    assert sorted(searched, key=str) == sorted([ALVAREZ["title"], BRENNAN["title"],
                                                NOBODY["title"]])  # fmt: skip
    assert {k: v[1:4] for k, v in _suggestions(engine).items()} == {
        k: v[1:4] for k, v in before.items()
    }


def test_an_unanswered_search_is_retried_online_not_offline(engine, crossref_server, searched):
    _article(engine, [ALVAREZ])
    assert _run(engine).suggested == 0  # offline: the search it wants cannot be made
    with Session(engine) as s:
        assert [st.pending for st in s.exec(select(SuggestionState))] == [True]
    searched.clear()
    assert _run(engine).suggested == 0 and searched == []  # offline again: same outcome
    summary = _run(engine, crossref_server.url)
    assert set(searched) == {ALVAREZ["title"]} and summary.suggested == 1
    assert _suggestions(engine)["1"][1] == "10.5555/jst.2022.041"
    with Session(engine) as s:
        assert [st.pending for st in s.exec(select(SuggestionState))] == [False]


def test_decisions_recompute_and_an_accepted_link_survives_skipped_runs(
    engine, crossref_server, searched
):
    _article(engine, [ALVAREZ, BRENNAN])
    _run(engine, crossref_server.url)
    sugs = _suggestions(engine)
    with Session(engine) as s:
        s.add(
            SuggestionDecision(
                article_source="a", reference_key="1", doi=sugs["1"][1], status="accepted"
            )
        )
        s.add(SuggestionDecision(article_source="a", reference_key="2", doi=sugs["2"][1],
                                 status="rejected"))  # fmt: skip
        s.commit()
    searched.clear()
    assert _run(engine, crossref_server.url).suggested == 1
    assert sorted(searched) == sorted([ALVAREZ["title"], BRENNAN["title"]])
    for _ in range(2):
        got = _suggestions(engine)
        assert got["1"][1:4:2] == (sugs["1"][1], "accepted")
        assert got["2"][1:4:2] == (sugs["2"][1], "rejected")
        with Session(engine) as s:
            refs = {r.key: r for r in s.exec(select(Reference))}
        assert refs["1"].work_doi == sugs["1"][1] and refs["2"].work_doi is None
        searched.clear()
        assert _run(engine, crossref_server.url).suggested == 1 and searched == []


def test_a_reference_that_no_longer_needs_one_loses_its_suggestion(engine, crossref_server):
    _article(engine, [ALVAREZ, BRENNAN])
    _run(engine, crossref_server.url)
    with Session(engine) as s:
        s.execute(
            update(Reference)
            .where(Reference.key == "1")
            .values(doi="10.5555/jst.2022.041", doi_status="present")
        )
        s.commit()
    assert _run(engine, crossref_server.url).suggested == 1
    assert set(_suggestions(engine)) == {"2"}
    with Session(engine) as s:
        assert len(s.exec(select(SuggestionState)).all()) == 1


def test_a_rebuilt_article_recomputes_its_references(engine, crossref_server, searched):
    from ingest.article import parse_article
    from tests.conftest import SAMPLE_ARTICLE

    def save() -> int:
        with Session(engine) as s:
            aid = save_article(s, parse_article(SAMPLE_ARTICLE.read_bytes(), "sample.txt"))
            s.commit()
        return aid

    aid = save()
    _run(engine, crossref_server.url)
    first = set(searched)
    before = {k: v[1:4] for k, v in _suggestions(engine).items()}
    with Session(engine) as s:
        assert len(s.exec(select(SuggestionState)).all()) > 0
    searched.clear()
    _run(engine, crossref_server.url)
    assert first and searched == []
    save()  # the article is saved again: new reference rows, their states went with the old
    with Session(engine) as s:
        assert s.exec(select(SuggestionState).where(SuggestionState.article_id == aid)).all() == []
    _run(engine, crossref_server.url)
    assert set(searched) == first
    assert {k: v[1:4] for k, v in _suggestions(engine).items()} == before


def test_importing_the_same_snapshot_again_writes_nothing(engine, tmp_path):
    from sqlalchemy import event

    snap, src = tmp_path / "snap", tmp_path / "works.jsonl"
    src.write_text("\n".join(json.dumps(w) for w in synthetic_works()))
    build_snapshot(src, snap)
    assert import_snapshot(engine, snap) == len(synthetic_works())
    writes: list[str] = []

    def record(statement: str) -> None:
        if statement.split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    def trace(dbapi_conn, _record):  # every statement SQLite runs, whoever sends it
        dbapi_conn.set_trace_callback(record)

    engine.dispose()  # new connections, traced from the start
    event.listen(engine, "connect", trace)
    try:
        assert import_snapshot(engine, snap) == len(synthetic_works())
    finally:
        event.remove(engine, "connect", trace)
        engine.dispose()
    assert writes == []
    changed = dict(synthetic_works()[0], title=["A corrected title"])
    src.write_text(json.dumps(changed))
    build_snapshot(src, tmp_path / "snap2")
    import_snapshot(engine, tmp_path / "snap2")
    with Session(engine) as s:
        assert s.get(Work, changed["DOI"].lower()).title == "A corrected title"


def test_many_articles_are_scoped_in_chunks_with_the_same_outcome(
    engine, crossref_server, monkeypatch
):
    """SQLite caps bound parameters, so a big KB is scoped by chunks of articles."""
    for i in range(3):
        _article(engine, [ALVAREZ, BRENNAN, NOBODY, URL_ONLY], source=f"a{i}")
    _run(engine, crossref_server.url)
    whole = {k: v[1:4] for k, v in _suggestions(engine).items()}
    monkeypatch.setattr(suggestions_mod, "ARTICLE_CHUNK", 1)
    _run(engine, crossref_server.url, refresh=True)
    chunked = {k: v[1:4] for k, v in _suggestions(engine).items()}
    assert chunked == whole and len(whole) == 2
    with Session(engine) as s:
        per_article = s.exec(select(Suggestion.article_id)).all()
    assert sorted(per_article) == [1, 1, 2, 2, 3, 3]
