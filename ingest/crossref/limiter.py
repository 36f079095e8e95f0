"""Client-side rate and concurrency limiter, one bucket per request class.

Crossref (since December 2025) limits single-DOI requests and list requests
(queries, ``filter=doi:``) separately, so the client keeps two buckets. A bucket
allows at most ``n`` requests per ``window`` seconds (``n / window`` is the rate)
and at most ``concurrency`` in flight. Error responses may carry
``x-rate-limit-limit``, ``x-rate-limit-interval`` and ``x-concurrency-limit``: a
bucket adopts them when they are stricter than its configuration, never looser.

The model. The server counts a request when it *arrives*: after the client has let
it go (its *release*), built it, connected and sent its headers. That send delay is
bounded and short beside the server's processing time (the response comes after the
processing), so a request arrives within ``[release, release + margin]``, where the
*margin* is the longest send delay the bucket allows for. A bucket lets at most
``n`` requests go in any window of ``window + margin`` seconds of release times:
then ``n + 1`` arrivals always span more than ``window`` (the first was released at
least ``window + margin`` before the last, and arrived at most ``margin`` after its
release), so the server never sees more than ``n`` in one window. Releases are
also spaced ``(window + margin) / n`` apart: requests let go together compete for
the interpreter while they are built, which stretches their send delays; spaced,
each is on its way before the next is let go. Concurrency is counted from release
until the response has been read (stricter than the server, which counts until it
answers).

What this does not cover is a send delay longer than the margin (a thread
descheduled between release and sending for longer than that). Work that may
stall belongs before the release; and a 429 widens the margin (``widen``), besides
the pause its ``Retry-After`` asks for. ``tests/test_crossref_limiter.py`` checks
the rule on a simulated clock (arrivals anywhere in ``[release, release +
margin]``) and on real sockets against a server that enforces the limits itself.

An earlier model let a request arrive anywhere up to its response and so counted
it from release until a window after its response: sound, but with 150–200 ms
responses it held each slot ~1.25 s, ~2.4 list requests/s instead of 3.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

# The longest send delay (release -> arrival at the server) allowed for, in seconds: our
# request set-up (habanero opens a connection per request) and the time to send headers.
MARGIN = 0.15
MAX_MARGIN = 1.0  # how far 429s may widen it


@dataclass(frozen=True)
class Limits:
    """Requests per second and maximum concurrent requests, per request class."""

    single_rate: float = 10.0
    single_concurrency: int = 3
    list_rate: float = 3.0
    list_concurrency: int = 3

    @classmethod
    def polite(cls) -> Limits:
        """Crossref's polite pool (requests that carry a contact address)."""
        return cls()

    @classmethod
    def public(cls) -> Limits:
        """Crossref's public pool (no contact address): lower limits."""
        return cls(single_rate=5.0, single_concurrency=1, list_rate=1.0, list_concurrency=1)


def _parse_interval(value: str) -> float | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", value or "")
    if not m:
        return None
    n = float(m.group(1))
    unit = m.group(2) or "s"
    return n / 1000 if unit == "ms" else n * 60 if unit == "m" else n


def window_for(rate: float, interval: float = 1.0) -> tuple[int, float]:
    """``rate`` requests/s as (at most n requests, per window seconds), n >= 1.

    A server counting over ``interval`` rejects more than ``rate * interval`` requests in
    any such window: a fraction of a request cannot be sent, so n is rounded down, and a
    window is never shorter than the server's."""
    n = max(1, math.floor(rate * interval))
    return n, max(interval, n / rate)


class Bucket:
    """At most ``n`` releases per ``window + margin`` seconds, spaced, and ``concurrency`` in
    flight (thread-safe).

    ``wait_time``, ``started`` and ``finished`` are the whole policy on an explicit clock
    (so it can be simulated); ``slot`` applies it on the real one.
    """

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        margin: float = MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0 or concurrency < 1 or margin < 0:
            raise ValueError("rate must be > 0, concurrency >= 1 and margin >= 0")
        self.max_rate = rate
        self.max_concurrency = concurrency
        self.rate = rate
        self.concurrency = concurrency
        self.margin = margin
        self.n, self.window = window_for(rate)
        self._clock = clock
        self._sleep = sleep  # None: wait on the condition (woken early by a finish)
        self._cond = threading.Condition()
        self._in_flight = 0
        self._released: deque[float] = deque()  # release times within the last span, ascending
        self._not_before = float("-inf")  # Retry-After

    @property
    def span(self) -> float:
        """The window over release times: the server's window plus the margin."""
        return self.window + self.margin

    # --- the policy, on an explicit clock (call with the lock held or single-threaded) ---

    def wait_time(self, now: float) -> float | None:
        """0.0: a request may be released now; seconds to wait; None: wait for a finish."""
        span = self.span
        while self._released and self._released[0] <= now - span:
            self._released.popleft()
        if self._in_flight >= self.concurrency:
            return None
        wait = self._not_before - now
        if len(self._released) >= self.n:  # the n-th latest release must leave the span
            wait = max(wait, self._released[-self.n] + span - now)
        if self._released:  # spaced: at most one release per span / n
            wait = max(wait, self._released[-1] + span / self.n - now)
        return 0.0 if wait <= 0 else wait

    def started(self, now: float) -> None:
        self._in_flight += 1
        self._released.append(now)

    def finished(self) -> None:
        self._in_flight -= 1

    # --- on the real clock ------------------------------------------------------------

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait until a request may be released; hold its concurrency slot until its
        response has been read. Nothing that may stall belongs between entering this and
        sending the request (see the module doc)."""
        with self._cond:
            while True:
                wait = self.wait_time(self._clock())
                if wait == 0.0:
                    break
                if wait is None:
                    self._cond.wait()
                elif self._sleep is None:
                    self._cond.wait(wait)
                else:
                    self._cond.release()
                    try:
                        self._sleep(wait)
                    finally:
                        self._cond.acquire()
            self.started(self._clock())
        try:
            yield
        finally:
            with self._cond:
                self.finished()
                self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every later release back (the server said Retry-After)."""
        with self._cond:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def widen(self) -> None:
        """The server answered 429: some request arrived later after its release than the
        margin allows for, so allow for more (doubled plus 50 ms, up to ``MAX_MARGIN``)."""
        with self._cond:
            self.margin = min(MAX_MARGIN, self.margin * 2 + 0.05)

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Adopt stricter limits a response advertises."""
        lower = {k.lower(): v for k, v in headers.items()}
        limit, interval = lower.get("x-rate-limit-limit"), lower.get("x-rate-limit-interval")
        with self._cond:
            if limit and limit.strip().isdigit() and int(limit) > 0:
                secs = _parse_interval(interval or "1s") or 1.0
                rate = int(limit) / secs
                if rate < self.rate:
                    self.rate = rate
                    self.n, self.window = max(1, int(limit)), secs
            conc = lower.get("x-concurrency-limit")
            if conc and conc.strip().isdigit() and int(conc) > 0:
                self.concurrency = min(self.max_concurrency, int(conc))
            self._cond.notify_all()


class Limiter:
    """The two buckets: ``single`` for ``/works/{doi}``, ``list`` for queries and filters."""

    def __init__(self, limits: Limits | None = None, *, margin: float = MARGIN, **kw) -> None:
        limits = limits or Limits()
        self.limits = limits
        self.single = Bucket(limits.single_rate, limits.single_concurrency, margin=margin, **kw)
        self.list = Bucket(limits.list_rate, limits.list_concurrency, margin=margin, **kw)

    def bucket(self, kind: str) -> Bucket:
        return self.single if kind == "single" else self.list
