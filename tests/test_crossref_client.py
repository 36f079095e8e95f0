"""The Crossref client against the test server: encoding, errors, retries, limits, batches."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ingest.crossref.client import CrossrefClient, classify
from ingest.crossref.errors import CrossrefError
from ingest.crossref.limiter import Bucket, Limits
from ingest.crossref.testing import CrossrefTestServer, ServerLimits, load_world

FAST = Limits(single_rate=200, single_concurrency=4, list_rate=200, list_concurrency=4)


def client(srv: CrossrefTestServer, **kw) -> CrossrefClient:
    kw.setdefault("limits", FAST)
    kw.setdefault("backoff", 0.01)
    return CrossrefClient(base_url=srv.url, mailto="t@example.org", **kw)


def test_fetch_work_found_and_404(crossref_server):
    c = client(crossref_server)
    assert c.fetch_work("10.1002/ANA.22006")["DOI"] == "10.1002/ana.22006"
    assert c.fetch_work("10.9999/does-not-exist") is None
    assert crossref_server.statuses() == [200, 404]


def test_polite_pool_contact_in_user_agent(crossref_server):
    client(crossref_server).fetch_work("10.1002/ana.22006")
    ua = crossref_server.log[0].headers.get("User-Agent", "")
    assert "mailto:t@example.org" in ua and "evidence-kb" in ua


@pytest.mark.parametrize(
    "hostile",
    ["10.5555/odd#frag?x=1", "../../members", "10.1/../../../licenses?rows=1000", "10.1/a b\tc",
     "10.1/%2e%2e/x", "10.1/x\r\nHost: evil"],
)  # fmt: skip
def test_hostile_doi_cannot_change_the_endpoint(crossref_server, hostile):
    c = client(crossref_server)
    msg = c.fetch_work(hostile)
    entry = crossref_server.log[-1]
    assert entry.kind == "single"  # always /works/{one segment}, never a list or another route
    segment = entry.raw_path[len("/works/") :]
    assert "/" not in segment and "?" not in segment and "#" not in segment
    if hostile == "10.5555/odd#frag?x=1":
        assert msg["DOI"] == hostile  # the server decoded exactly the DOI we asked for
    else:
        assert msg is None


def test_errors_are_classified_never_leaked(crossref_server):
    c = client(crossref_server, max_retries=0)
    for fault, kind in [("429", "rate_limited"), ("500", "server_error"), ("503", "server_error")]:
        crossref_server.add_fault(fault)
        with pytest.raises(CrossrefError) as info:
            c.fetch_work("10.1002/ana.22006")
        assert info.value.kind == kind
    crossref_server.add_fault("html", times=2)
    with pytest.raises(CrossrefError) as info:
        c.fetch_work("10.1002/ana.22006")
    assert info.value.kind == "bad_response"
    assert classify(TypeError("ua_string must be a str")).kind == "bad_response"
    assert classify(RuntimeError("HTTP Exception for x")).kind == "network"


def test_backoff_and_retry_honours_retry_after(crossref_server):
    slept: list[float] = []
    c = client(crossref_server, sleep=slept.append)
    crossref_server.add_fault("429", retry_after="1")
    crossref_server.add_fault("429")  # no Retry-After: exponential backoff with jitter
    crossref_server.add_fault("503")
    assert c.fetch_work("10.1002/ana.22006")["DOI"] == "10.1002/ana.22006"
    assert crossref_server.statuses() == [429, 429, 503, 200]
    assert slept[0] == 1.0
    assert 0 < slept[1] < 1.0 and 0 < slept[2] < 1.0
    assert c.stats.retries == 3 and c.stats.rate_limited == 2


def test_truncated_json_is_retried_then_fails(crossref_server):
    c = client(crossref_server)
    crossref_server.add_fault("truncated", times=2)
    with pytest.raises(CrossrefError) as info:
        c.fetch_work("10.1002/ana.22006")
    assert info.value.kind == "bad_response"
    assert len(crossref_server.log) == 2


def test_timeout_is_a_network_error(crossref_server):
    c = client(crossref_server, timeout=0.2, max_retries=1)
    crossref_server.add_fault("slow", delay=1.0, times=2)
    with pytest.raises(CrossrefError) as info:
        c.fetch_work("10.1002/ana.22006")
    assert info.value.kind == "network"
    assert c.stats.requests == 2


def test_unreachable_fails_fast_and_aborts_after_error_budget():
    c = CrossrefClient(base_url="http://127.0.0.1:9", mailto="t@example.org", backoff=0.01)
    kinds = []
    for i in range(8):
        try:
            c.fetch_work(f"10.5555/{i}")
        except CrossrefError as err:
            kinds.append(err.kind)
    assert kinds[0] == "network" and kinds[-1] == "aborted"
    assert c.aborted_reason and "failed" in c.aborted_reason
    assert c.stats.requests <= 6  # stopped talking to the network


def test_batch_maps_back_case_insensitively_and_confirms_missing(crossref_server):
    c = client(crossref_server)
    wanted = ["10.5555/casemixed.abc", "10.1002/ANA.22006", "10.9999/missing"]
    got = c.fetch_works(wanted)
    assert got["10.5555/casemixed.abc"]["DOI"] == "10.5555/CaseMixed.ABC"
    assert got["10.1002/ana.22006"]["DOI"] == "10.1002/ana.22006"
    assert got["10.9999/missing"] is None
    kinds = [e.kind for e in crossref_server.log]
    assert kinds == ["list", "single"]  # one batch, then the missing DOI alone
    assert "rows=3" in crossref_server.log[0].raw_path


def test_search_bibliographic_returns_scored_candidates(crossref_server):
    items = client(crossref_server).search_bibliographic("Cree Ann Neurol 2010 naltrexone", rows=5)
    assert 0 < len(items) <= 5 and items[0]["DOI"] == "10.1002/ana.22006"
    assert "query.bibliographic=" in crossref_server.log[0].raw_path


def test_limiter_never_exceeds_server_limits():
    limits = ServerLimits(single_rate=20, single_concurrency=2, list_rate=5, list_concurrency=1)
    with CrossrefTestServer(load_world(), limits=limits, latency=0.03, jitter=0.01) as srv:
        c = client(srv, limits=Limits(20, 2, 5, 1))
        dois = [w["DOI"] for w in load_world()][:14] * 2
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(c.fetch_work, dois))
            list(pool.map(lambda d: c.filter_dois([d]), dois[:6]))
        assert srv.stats.rejected == 0
        assert srv.stats.max_in_flight["single"] <= 2 and srv.stats.max_in_flight["list"] <= 1
        assert srv.stats.max_rate["single"] <= 20 and srv.stats.max_rate["list"] <= 5


def test_limiter_adopts_stricter_headers():
    with CrossrefTestServer(
        load_world(),
        rate_limit_headers={"x-rate-limit-limit": "4", "x-rate-limit-interval": "1s",
                            "x-concurrency-limit": "1"},
    ) as srv:  # fmt: skip
        c = client(srv)
        c.fetch_work("10.1002/ana.22006")
        assert c.limiter.single.rate == 4 and c.limiter.single.concurrency == 1
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(c.fetch_work, ["10.1002/ana.22006"] * 8))
        assert srv.stats.max_in_flight["single"] == 1 and srv.stats.max_rate["single"] <= 4


def test_bucket_spaces_starts_and_caps_concurrency():
    b = Bucket(rate=50, concurrency=2)
    inside, peak, lock = [0], [0], threading.Lock()

    def work(_):
        with b.slot():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            threading.Event().wait(0.01)
            with lock:
                inside[0] -= 1

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(work, range(12)))
    assert peak[0] <= 2
    b.adapt({"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Interval": "1s"})
    assert b.rate == 50  # never looser than configured
