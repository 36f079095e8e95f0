"""The Crossref step as a pipeline: DOI answers streamed and saved as they come, batches
striped, searches of 404'd references started early, the switch interval restored."""

from __future__ import annotations

import sys
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session

from ingest.crossref import client as client_module
from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError
from ingest.crossref.limiter import Limits
from kb.crossref import run as run_module
from kb.crossref.run import verify_and_suggest
from kb.crossref.search_ahead import SearchAhead
from kb.crossref.suggestions import search_early
from kb.models import Article, Reference

FAST = Limits(single_rate=100, single_concurrency=3, list_rate=100, list_concurrency=3)


def _filters(server) -> list[list[str]]:
    out = []
    for e in server.log:
        qs = parse_qs(urlsplit(e.raw_path).query)
        if "filter" in qs:
            out.append([p.partition(":")[2] for p in qs["filter"][0].split(",")])
    return out


def test_batches_are_striped_and_answers_come_per_request(crossref_server, monkeypatch):
    monkeypatch.setattr(client_module, "BATCH_SIZE", 3)
    dois = sorted(w.lower() for w in list(crossref_server.works)[:7]) + ["10.5555/missing.1"]
    c = CrossrefClient(base_url=crossref_server.url, mailto="t@example.org", limits=FAST)
    chunks = list(c.stream_works(dois))
    # 8 DOIs in batches of at most 3: 3 batches, the i-th taking every 3rd DOI from i
    assert sorted(_filters(crossref_server)) == sorted([dois[0::3], dois[1::3], dois[2::3]])
    # one answer per batch (what it returned) and per single request (the missing DOI)
    assert {"10.5555/missing.1": None} in chunks
    got = {d: a for chunk in chunks for d, a in chunk.items()}
    assert set(got) == set(dois) and all(isinstance(got[d], dict) for d in dois[:7])
    assert c.fetch_works(dois) == {d: got[d] for d in dois}


def test_answers_are_saved_while_the_stream_runs(engine, crossref_server, monkeypatch):
    """Each batch's answers are saved before the next answer is taken."""
    dois = sorted(list(crossref_server.works)[:6])
    with Session(engine) as s:
        art = Article(source="a.md")
        s.add(art)
        s.flush()
        for i, d in enumerate(dois):
            s.add(Reference(article_id=art.id, key=str(i), position=i, raw="", doi=d,
                            doi_status="present"))  # fmt: skip
        s.commit()
    monkeypatch.setattr(client_module, "BATCH_SIZE", 2)
    events: list[str] = []
    real_stream, real_save = CrossrefClient.stream_works, run_module.save_answer

    def watched(self, wanted):
        for answers in real_stream(self, wanted):
            events.append(f"answer {len(answers)}")
            yield answers

    def saving(session, doi, message):
        events.append("save")
        return real_save(session, doi, message)

    monkeypatch.setattr(CrossrefClient, "stream_works", watched)
    monkeypatch.setattr(run_module, "save_answer", saving)
    summary = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    assert summary.found == 6
    # three batches of two, each saved before the next answer is taken
    assert events == ["answer 2", "save", "save"] * 3


def test_searches_of_references_whose_doi_is_not_found_start_early(engine, crossref_server):
    with Session(engine) as s:
        art = Article(source="b.md")
        s.add(art)
        s.flush()
        ref = Reference(
            article_id=art.id, key="1", position=0, doi="10.5555/nobody.knows",
            doi_status="present", raw="Alvarez B. Microglial modulation. J Synth Test. 2022",
            title="Microglial modulation", first_author="Alvarez", year=2022,
        )  # fmt: skip
        s.add(ref)
        s.commit()
        c = CrossrefClient(base_url=crossref_server.url, mailto="t@example.org", limits=FAST)
        with SearchAhead(c) as ahead:
            assert search_early(s, ahead) == 0  # a usable DOI: nothing to search yet
            started = search_early(s, ahead, not_found={"10.5555/nobody.knows"})
            assert started == 1 and ahead.started(ref.raw)
            assert isinstance(ahead.result(ref.raw), list)


def test_the_switch_interval_is_restored(engine, crossref_server):
    before = sys.getswitchinterval()
    inside = []
    real = run_module._fetch_and_save

    def spy(*args, **kw):
        inside.append(sys.getswitchinterval())
        return real(*args, **kw)

    run_module._fetch_and_save = spy
    try:
        with Session(engine) as s:
            art = Article(source="c.md")
            s.add(art)
            s.flush()
            doi = next(iter(crossref_server.works))
            s.add(Reference(article_id=art.id, key="1", position=0, raw="", doi=doi,
                            doi_status="present"))  # fmt: skip
            s.commit()
        verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    finally:
        run_module._fetch_and_save = real
    assert inside == [min(before, run_module.SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == before


def test_the_server_process_counts_and_logs_like_the_server():
    from ingest.crossref.testing import ServerLimits, load_world
    from ingest.crossref.testing_process import ServerProcess

    world = load_world()
    with ServerProcess(world, limits=ServerLimits(list_rate=1)) as srv:
        c = CrossrefClient(base_url=srv.url, mailto="t@example.org", max_retries=0)
        assert c.filter_dois([world[0]["DOI"]])  # answered through the child's server
        for work in world[1:3]:  # more list requests: some may be over the limit of 1/s
            try:
                c.filter_dois([work["DOI"]])
            except CrossrefError as err:
                assert err.kind == "rate_limited"
        log, stats = srv.log, srv.stats
        assert [e.kind for e in log] == ["list"] * 3 and "filter=doi" in log[0].raw_path
        assert log[0].status == 200 and stats.requests == 3
        assert stats.rejected == sum(e.status == 429 for e in log) == c.stats.rate_limited
        srv.reset()
        assert srv.log == [] and srv.requests == 0
