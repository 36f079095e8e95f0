"""The limiter holds the server's limits whatever the scheduling before a release.

The model (``ingest/crossref/limiter.py``): a request reaches the server within its
send delay of being let go, and the send delay is at most the bucket's margin. A
simulation (hypothesis) lets each request arrive anywhere in ``[release, release +
margin]`` (and never after its response) and checks every one-second window and every
moment of overlap; a real run stalls requests at random before the limiter while
threads load the CPU, and the server (which enforces the limits itself) confirms it
rejected nothing.
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
from ingest.crossref.limiter import MAX_MARGIN, Bucket, Limits, window_for
from ingest.crossref.testing import CrossrefTestServer, ServerLimits, load_world

REQUEST = st.tuples(
    st.floats(0.001, 1.5),  # how long the request takes until its response is read
    st.floats(0.0, 1.0),  # where in its send delay (at most the margin) the server sees it
    st.floats(0.0, 0.5),  # how long the worker pauses before asking again
)


def simulate(bucket: Bucket, workers: int, requests, send_delay=None):
    """Discrete-event run of ``workers`` threads sharing ``bucket`` on a virtual clock.

    A request arrives ``where * send_delay`` after its release (default: the bucket's
    margin), never after its response. Returns (arrival, start, end) per request."""
    todo = list(requests)
    pause_of: dict[int, float] = {}
    events = [(0.0, i, "ask") for i in range(workers)]  # (time, worker, what)
    heapq.heapify(events)
    waiting: list[int] = []  # workers blocked until some request finishes
    done = []
    while events:
        now, worker, what = heapq.heappop(events)
        if what == "finish":
            bucket.finished()
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
            bucket.started(now)
            took, where, pause = todo.pop()
            pause_of[worker] = pause
            delay = bucket.margin if send_delay is None else send_delay
            done.append((now + min(took, where * delay), now, now + took))
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
    # 0 or at least a microsecond: a margin below the clock's float resolution is no margin
    margin=st.one_of(st.just(0.0), st.floats(1e-6, 0.5)),
    workers=st.integers(1, 8),
    requests=st.lists(REQUEST, min_size=1, max_size=60),
)
def test_no_window_ever_sees_more_than_the_limit(rate, concurrency, margin, workers, requests):
    bucket = Bucket(rate, concurrency, margin=margin)
    done = simulate(bucket, workers, requests)
    assert len(done) == len(requests)  # nobody starves
    n, _ = window_for(rate)
    assert _most_in_any_second([a for a, _, _ in done]) <= max(n, 1) <= max(rate, 1)
    assert _most_overlapping([(s, e) for _, s, e in done]) <= concurrency


def test_a_send_delay_beyond_the_margin_can_break_the_limit():
    """The margin is what the rule rests on: a request that reaches the server later after
    its release than the margin (here at its response, 0.5 s) while the next ones arrive at
    once can put four in one second at 3/s. The simulation above can fail."""
    bucket = Bucket(3, 3, margin=0.1)
    slow = ([(0.5, 0.0, 0.0)] * 3 + [(0.5, 1.0, 0.0)]) * 3  # popped from the end
    done = simulate(bucket, 3, slow, send_delay=0.5)
    assert _most_in_any_second([a for a, _, _ in done]) > 3


@given(rate=st.floats(0.2, 50.0))
def test_window_matches_the_rate(rate):
    n, window = window_for(rate)
    assert n >= 1 and window >= 1.0 and n / window <= rate + 1e-9
    assert n <= max(1, rate) + 1e-9  # never more in one second than the rate allows


def test_releases_are_spaced_at_the_published_rate_plus_the_margin():
    """With fast responses the bucket releases n requests per (window + margin), evenly:
    the published rate within the margin, not a slot held a second after each response."""
    bucket = Bucket(3, 3, margin=0.1)
    done = simulate(bucket, 3, [(0.15, 0.0, 0.0)] * 31)
    starts = sorted(s for _, s, _ in done)
    assert starts[0] == 0.0
    gaps = [starts[i + 1] - starts[i] for i in range(30)]
    assert gaps == pytest.approx([1.1 / 3] * 30)
    assert starts[-1] == pytest.approx(10 * 1.1)  # 31 requests: 3 per 1.1 s


def test_window_spacing_and_concurrency_on_an_explicit_clock():
    bucket = Bucket(3, 2, margin=0.1)
    assert bucket.span == pytest.approx(1.1)
    assert bucket.wait_time(0.0) == 0.0
    bucket.started(0.0)
    assert bucket.wait_time(0.0) == pytest.approx(1.1 / 3)  # spaced
    bucket.started(1.1 / 3)
    assert bucket.wait_time(1.0) is None  # two in flight: wait for a finish
    bucket.finished()
    bucket.finished()
    assert bucket.wait_time(0.7) == pytest.approx(2.2 / 3 - 0.7)
    bucket.started(2.2 / 3)
    assert bucket.wait_time(1.0) == pytest.approx(0.1)  # spacing: the next at 1.1 s
    # a wider margin applies to the releases made: the fourth waits until the first has
    # been out of the window of 1 s + 0.25 s, later than the spacing alone asks
    bucket.widen()
    assert bucket.wait_time(1.0) == pytest.approx(0.25)
    assert bucket.wait_time(1.25) == 0.0


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


def test_a_429_widens_the_margin_up_to_a_bound():
    bucket = Bucket(3, 3, margin=0.1)
    bucket.widen()
    assert bucket.margin == pytest.approx(0.25) and bucket.span == pytest.approx(1.25)
    for _ in range(10):
        bucket.widen()
    assert bucket.margin == MAX_MARGIN


def test_the_client_widens_the_margin_on_a_429():
    with CrossrefTestServer(load_world()) as srv:
        c = CrossrefClient(base_url=srv.url, mailto="t@example.org", sleep=lambda s: None)
        before = c.limiter.list.margin
        srv.add_fault("429", on="list", retry_after="0")
        c.filter_dois(["10.5555/retracted.2019.001"])  # retried after the 429
        assert c.stats.rate_limited == 1 and c.limiter.list.margin > before
        assert c.limiter.single.margin == before  # the other class is not touched


def _hog(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(2000):
            x += 1


def test_stalled_starts_under_cpu_load_are_never_rejected():
    """Requests stall at random between deciding to go and the limiter (as a descheduled
    thread does), and a little between the limiter and the socket, while busy threads load
    the CPU; the server counts arrivals and enforces the same limits as the client: it must
    reject none. Three threads holding the interpreter in turns stretch every request's
    send delay to a few hundred milliseconds here, so the client allows for the widest
    margin; the stalls after the release stay well inside it."""
    world = load_world()
    dois = [w["DOI"] for w in world]
    limits = Limits(single_rate=20, single_concurrency=3, list_rate=10, list_concurrency=3)
    server_limits = ServerLimits(**vars(limits))
    rng, lock = random.Random(7), threading.Lock()

    def stall(longest: float) -> None:
        with lock:
            seconds = rng.choice([0.0, rng.uniform(0.0, longest)])
        time.sleep(seconds)

    with CrossrefTestServer(world, limits=server_limits, latency=0.02, jitter=0.015) as srv:
        c = CrossrefClient(
            base_url=srv.url, mailto="t@example.org", limits=limits, max_retries=0,
            send_margin=MAX_MARGIN,
        )  # fmt: skip
        for bucket in (c.limiter.single, c.limiter.list):

            def stalled_slot(real=bucket.slot):
                stall(0.4)  # before the release: the limiter does not see it
                return real()

            bucket.slot = stalled_slot
        real_works = c._cr.works  # habanero sends every request

        def stalled_send(*args, **kw):
            stall(0.1)  # after the release: inside the margin
            return real_works(*args, **kw)

        c._cr.works = stalled_send
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
