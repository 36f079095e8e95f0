"""verify_and_suggest end to end: cache, offline, snapshot, not found vs unverified, decisions."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import event
from sqlmodel import Session, select

import kb.cli.crossref  # noqa: F401  (registers the commands)
from ingest.article import parse_article
from ingest.crossref.limiter import Limits
from kb.cli import cli
from kb.crossref.decisions import decide
from kb.crossref.run import verify_and_suggest
from kb.models import Article, CrossrefResponse, Reference, Suggestion, Work, WorkUpdate
from kb.save import save_article
from tests.conftest import DATA, SAMPLE_ARTICLE

FAST = Limits(single_rate=100, single_concurrency=3, list_rate=100, list_concurrency=3)
SNAPSHOT = DATA / "snapshot"


def _ingest(engine, path=SAMPLE_ARTICLE) -> int:
    with Session(engine) as s:
        aid = save_article(s, parse_article(path.read_bytes(), path.name))
        s.commit()
    return aid


def _add_refs(engine, source: str, refs: list[dict]) -> int:
    """An article whose reference list is given field by field."""
    with Session(engine) as s:
        art = Article(source=source)
        s.add(art)
        s.flush()
        for i, fields in enumerate(refs):
            s.add(Reference(article_id=art.id, key=str(i + 1), position=i, raw="", **fields))
        s.commit()
        return art.id


def _refs(engine) -> dict[str, Reference]:
    with Session(engine) as s:
        return {r.key: r for r in s.exec(select(Reference))}


def _suggestions(engine) -> dict[str, Suggestion]:
    with Session(engine) as s:
        rows = s.exec(select(Suggestion, Reference.key).join(Reference)).all()
        return {key: sug for sug, key in rows}


def test_online_verifies_links_and_records_updates(engine, crossref_server):
    _ingest(engine)
    summary = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    refs = _refs(engine)
    with_doi = [r for r in refs.values() if r.doi and r.doi_status == "present"]
    assert with_doi and summary.looked_up == len({r.doi for r in with_doi})
    for r in with_doi:
        known = crossref_server.works.get(r.doi)
        assert r.verification == ("verified" if known else "not_found")
        assert r.verification_source == "api"
        assert r.work_doi == (r.doi if known else None)
    assert summary.found + summary.not_found == summary.looked_up and summary.unverified == 0
    with Session(engine) as s:
        # every update notice of a found work is stored with its source
        for w in s.exec(select(Work)):
            expected = crossref_server.works[w.doi].get("updated-by", [])
            got = s.exec(select(WorkUpdate).where(WorkUpdate.work_doi == w.doi)).all()
            assert len(got) == len(expected)
            assert all(u.source for u in got)
        statuses = {r.status for r in s.exec(select(CrossrefResponse))}
        assert statuses <= {"found", "not_found"}
    assert summary.reachable is True and "DOIs" in summary.line()


def test_duplicate_dois_across_articles_are_requested_once(engine, crossref_server):
    _add_refs(engine, "a", [{"doi": "10.1002/ana.22006", "doi_status": "present"}])
    _add_refs(engine, "b", [{"doi": "10.1002/ana.22006", "doi_status": "present"},
                            {"doi": "10.9999/nope", "doi_status": "present"}])  # fmt: skip
    summary = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    assert summary.looked_up == 2
    paths = " ".join(e.raw_path for e in crossref_server.log)
    assert paths.count("ana.22006") == 1


def test_second_run_and_offline_make_no_request(engine, crossref_server):
    _ingest(engine)
    first = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    assert first.requests > 0
    before = _refs(engine), _suggestions(engine)
    crossref_server.reset()
    second = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    offline = verify_and_suggest(engine, base_url=crossref_server.url, offline=True)
    assert crossref_server.requests == 0 and second.requests == 0 and offline.requests == 0
    assert second.from_cache == second.looked_up
    after = _refs(engine), _suggestions(engine)
    for key, ref in before[0].items():
        assert (ref.verification, ref.work_doi) == (after[0][key].verification,
                                                    after[0][key].work_doi)  # fmt: skip
        assert after[0][key].verification_source in (None, "cache")
    assert {k: s.doi for k, s in before[1].items()} == {k: s.doi for k, s in after[1].items()}


def test_offline_makes_no_request_at_all(engine, crossref_server):
    _ingest(engine)
    summary = verify_and_suggest(engine, base_url=crossref_server.url, offline=True)
    assert crossref_server.requests == 0 and summary.reachable is None
    assert summary.unverified == summary.looked_up > 0  # no cache, no snapshot


def test_offline_snapshot_gives_the_same_works_marked_snapshot(engine, db_path, tmp_path,
                                                               crossref_server):  # fmt: skip
    _ingest(engine)
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    online = {k: (r.verification, r.work_doi) for k, r in _refs(engine).items()}
    from kb.database import open_db

    other = open_db(tmp_path / "offline.db")
    _ingest(other)
    summary = verify_and_suggest(other, offline=True, snapshot_dirs=[SNAPSHOT])
    assert summary.requests == 0 and summary.from_snapshot > 0
    for key, ref in _refs(other).items():
        if online[key][0] == "verified":
            assert (ref.verification, ref.work_doi) == online[key]
            assert ref.verification_source == "snapshot"
        elif online[key][0] == "not_found":
            assert ref.verification == "unverified"  # missing from a snapshot is never not found
    with Session(other) as s:
        assert {w.provenance for w in s.exec(select(Work))} == {"snapshot"}
    assert {k: s.doi for k, s in _suggestions(other).items()} == {
        k: s.doi for k, s in _suggestions(engine).items()
    }


def test_unreachable_crossref_finishes_fast_with_unverified(engine):
    _add_refs(engine, "a", [{"doi": f"10.5555/x{i}", "doi_status": "present"} for i in range(30)])
    summary = verify_and_suggest(engine, base_url="http://127.0.0.1:9", limits=FAST)
    assert summary.unverified == 30 and summary.reachable is False
    assert summary.aborted_reason and summary.requests < 30
    assert all(r.verification == "unverified" for r in _refs(engine).values())
    with Session(engine) as s:
        assert s.exec(select(CrossrefResponse)).all() == []  # nothing cached from errors
    assert "unverified" in summary.line() and "stopped calling Crossref" in summary.line()


def test_server_errors_cache_nothing_and_leave_unverified(engine, crossref_server):
    _add_refs(engine, "a", [{"doi": "10.1002/ana.22006", "doi_status": "present"}])
    for _ in range(2):
        crossref_server.add_fault("html", times=2)  # batch, then the single confirmation
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    assert _refs(engine)["1"].verification == "unverified"
    with Session(engine) as s:
        assert s.exec(select(CrossrefResponse)).all() == []
    crossref_server.reset()
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    assert _refs(engine)["1"].verification == "verified"


def test_suggestion_accept_and_reject_survive_rebuilds(engine, db_path, crossref_server):
    aid = _ingest(engine)
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    sugs = sorted(_suggestions(engine).items())
    assert len(sugs) >= 2
    (key_a, acc), (key_r, rej) = sugs[0], sugs[1]
    runner = CliRunner()
    res = runner.invoke(cli, ["suggestion", "accept", str(acc.id), "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["suggestion", "reject", str(rej.id), "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    # a rebuild replaces the article's rows: the decisions come back from suggestion_decision
    _ingest(engine)
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST, article_ids=[aid])
    now = {}
    with Session(engine) as s:
        for sug, key in s.exec(select(Suggestion, Reference.key).join(Reference)).all():
            now.setdefault(key, {})[sug.doi] = sug.status
    assert now[key_a][acc.doi] == "accepted" and _refs(engine)[key_a].work_doi == acc.doi
    assert now[key_r][rej.doi] == "rejected"
    res = runner.invoke(cli, ["suggestion", "accept", "999999", "--db", str(db_path)])
    assert res.exit_code != 0 and "no suggestion" in res.output


def test_import_and_lookup_commands(db_path, crossref_server):
    runner = CliRunner()
    res = runner.invoke(cli, ["crossref", "import", str(SNAPSHOT), "--db", str(db_path)])
    assert res.exit_code == 0 and "Imported 14 works" in res.output
    res = runner.invoke(cli, ["crossref", "lookup", "10.1002/ANA.22006", "--db", str(db_path),
                              "--offline"])  # fmt: skip
    assert res.exit_code == 0 and "snapshot" in res.output and "Annals of Neurology" in res.output
    url = crossref_server.url
    res = runner.invoke(cli, ["crossref", "lookup", "10.9999/none", "--db", str(db_path),
                              "--crossref-url", url])  # fmt: skip
    assert res.exit_code == 0 and "not found" in res.output
    res = runner.invoke(cli, ["crossref", "lookup", "10.5555/retracted.2019.001", "--db",
                              str(db_path), "--crossref-url", url, "--json"])  # fmt: skip
    assert json.loads(res.output.split("\n10.5555")[0])["updated-by"][0]["type"] == "retraction"
    res = runner.invoke(cli, ["crossref", "import", str(db_path), "--db", str(db_path)])
    assert res.exit_code != 0 and "Traceback" not in res.output


def _updates_of_reference(engine, rid: int) -> list[str]:
    """Every UPDATE statement that touches reference ``rid`` (recorded from now on)."""
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        if not statement.lstrip().upper().startswith("UPDATE REFERENCE"):
            return
        rows = params if executemany else [params]
        if any(tuple(p)[-1] == rid for p in rows):  # "WHERE reference.id = ?" comes last
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_an_accepted_link_survives_two_rebuilds_without_being_rewritten(
    engine, db_path, crossref_server
):
    _ingest(engine)
    verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    key, sug = sorted(_suggestions(engine).items())[0]
    res = CliRunner().invoke(cli, ["suggestion", "accept", str(sug.id), "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    before = _refs(engine)[key]
    assert before.work_doi == sug.doi and before.verification != "verified"
    updates = _updates_of_reference(engine, before.id)
    for offline in (False, True):  # two rebuilds: online (all cached), then offline
        verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST, offline=offline)
        assert _refs(engine)[key].model_dump() == before.model_dump()
        assert _suggestions(engine)[key].status == "accepted"
    assert updates == [], "a rebuild wrote the accepted suggestion's reference again"
    # the recorder does see an update of that row: rejecting the suggestion unlinks it
    with Session(engine) as s:
        decide(s, _suggestions(engine)[key].id, "rejected")
    assert updates and _refs(engine)[key].work_doi is None
