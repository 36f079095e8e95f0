"""The limiter holds the server's limits whatever the scheduling.

A simulation (hypothesis) lets requests reach the server at any moment between
being let go and their response being read, and checks every one-second window and
every moment of overlap; a real run stalls requests at random between the limiter
and the socket while threads load the CPU, and the server (which enforces the
limits itself) confirms it rejected nothing.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError
from ingest.crossref.limiter import Bucket, Limits, window_for
from ingest.crossref.testing import CrossrefTestServer, ServerLimits, load_world

REQUEST = st.tuples(
    st.floats(0.001, 1.5),  # how long the request takes until its response is read
    st.floats(0.0, 1.0),  # where in that span the server sees it arrive
    st.floats(0.0, 0.5),  # how long the worker pauses before asking again
)


def simulate(bucket: Bucket, workers: int, requests: list[tuple[float, float, float]]):
    """Discrete-event run of ``workers`` threads sharing ``bucket`` on a virtual clock.

    Returns (arrival, start, end) per request."""
    todo = list(requests)
    pause_of: dict[int, float] = {}
    events = [(0.0, i, "ask") for i in range(workers)]  # (time, worker, what)
    heapq.heapify(events)
    waiting: list[int] = []  # workers blocked until some request finishes
    done = []
    while events:
        now, worker, what = heapq.heappop(events)
        if what == "finish":
            bucket.finished(now)
            for w in waiting:
                heapq.heappush(events, (now, w, "ask"))
            waiting.clear()
            if todo:
                heapq.heappush(events, (now + pause_of[worker], worker, "ask"))
            continue
        if not todo:
            continue
        wait = bucket.wait_time(now)
        if wait is None:
            waiting.append(worker)
        elif wait > 0:
            heapq.heappush(events, (now + wait, worker, "ask"))
        else:
            bucket.started()
            took, where, pause = todo.pop()
            pause_of[worker] = pause
            done.append((now + took * where, now, now + took))
            heapq.heappush(events, (now + took, worker, "finish"))
    return done


def _most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    most, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - 1.0:  # the server's window: (t - 1 s, t]
            lo += 1
        most = max(most, hi - lo + 1)
    return most


def _most_overlapping(spans: list[tuple[float, float]]) -> int:
    edges = sorted(
        [(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1])
    )
    most = cur = 0
    for _, step in edges:
        cur += step
        most = max(most, cur)
    return most


@settings(max_examples=300, deadline=None)
@given(
    rate=st.floats(0.5, 25.0),
    concurrency=st.integers(1, 5),
    workers=st.integers(1, 8),
    requests=st.lists(REQUEST, min_size=1, max_size=60),
)
def test_no_window_ever_sees_more_than_the_limit(rate, concurrency, workers, requests):
    bucket = Bucket(rate, concurrency)
    done = simulate(bucket, workers, requests)
    assert len(done) == len(requests)  # nobody starves
    n, _ = window_for(rate)
    assert _most_in_any_second([a for a, _, _ in done]) <= max(n, 1) <= max(rate, 1)
    assert _most_overlapping([(s, e) for _, s, e in done]) <= concurrency


@given(rate=st.floats(0.2, 50.0))
def test_window_matches_the_rate(rate):
    n, window = window_for(rate)
    assert n >= 1 and window >= 1.0 and n / window <= rate + 1e-9
    assert n <= max(1, rate) + 1e-9  # never more in one second than the rate allows


def test_a_burst_up_to_the_limit_goes_at_once_then_waits_for_the_window():
    bucket = Bucket(3, 3)
    for _ in range(3):
        assert bucket.wait_time(0.0) == 0.0
        bucket.started()
    assert bucket.wait_time(0.0) is None  # all three in flight: wait for a finish
    bucket.finished(0.2)
    # concurrency is free, the window is not: the first end leaves it a second later
    first_free = bucket.wait_time(0.2)
    assert first_free is not None and 1.0 <= first_free < 1.1
    bucket.finished(0.3)
    bucket.finished(0.4)
    assert bucket.wait_time(0.5) == pytest.approx(first_free - 0.3)
    assert bucket.wait_time(0.2 + first_free + 1e-9) == 0.0


def test_retry_after_pause_holds_every_start():
    bucket = Bucket(10, 3)
    bucket._clock = lambda: 5.0
    bucket.pause(2.0)
    assert bucket.wait_time(5.0) == 2.0 and bucket.wait_time(7.0) == 0.0


def test_stricter_headers_are_adopted_as_a_window():
    bucket = Bucket(10, 3)
    bucket.adapt({"x-rate-limit-limit": "50", "x-rate-limit-interval": "10s"})
    assert (bucket.n, bucket.window, bucket.rate) == (50, 10.0, 5.0)
    bucket.adapt({"x-rate-limit-limit": "100", "x-rate-limit-interval": "1s"})
    assert bucket.rate == 5.0  # never looser


def _hog(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(2000):
            x += 1


def test_stalled_starts_under_cpu_load_are_never_rejected():
    """Requests stall at random between the limiter and the socket (as a descheduled thread
    does) while busy threads load the CPU; the server counts arrivals and enforces the same
    limits as the client: it must reject none."""
    world = load_world()
    dois = [w["DOI"] for w in world]
    limits = Limits(single_rate=20, single_concurrency=3, list_rate=10, list_concurrency=3)
    server_limits = ServerLimits(**vars(limits))
    rng, lock = random.Random(7), threading.Lock()
    with CrossrefTestServer(world, limits=server_limits, latency=0.02, jitter=0.015) as srv:
        c = CrossrefClient(base_url=srv.url, mailto="t@example.org", limits=limits, max_retries=0)
        real_get = c._http.get

        def stalled(*args, **kw):
            with lock:
                stall = rng.choice([0.0, rng.uniform(0.0, 0.4)])
            time.sleep(stall)
            return real_get(*args, **kw)

        c._http.get = stalled
        stop = threading.Event()
        hogs = [threading.Thread(target=_hog, args=(stop,), daemon=True) for _ in range(3)]
        for h in hogs:
            h.start()

        def one(i: int) -> str | None:
            doi = dois[i % len(dois)]
            try:
                c.fetch_work(doi) if i % 3 == 0 else c.filter_dois([doi])
            except CrossrefError as err:
                return err.kind
            return None

        try:
            with ThreadPoolExecutor(8) as pool:
                failures = [k for k in pool.map(one, range(60)) if k]
        finally:
            stop.set()
            for h in hogs:
                h.join()
        assert srv.requests == 60 and failures == [] and c.stats.rate_limited == 0
        assert srv.stats.rejected == 0
        assert srv.stats.max_rate["list"] <= 10 and srv.stats.max_rate["single"] <= 20
        assert srv.stats.max_in_flight["list"] <= 3 and srv.stats.max_in_flight["single"] <= 3
