"""Client-side rate and concurrency limiter, one bucket per request class.

Crossref (since December 2025) limits single-DOI requests and list requests
(queries, ``filter=doi:``) separately, so the client keeps two buckets. A bucket
allows at most ``n`` requests in any window of ``window`` seconds (``n / window``
is the rate) and at most ``concurrency`` in flight. Responses may carry
``x-rate-limit-limit``, ``x-rate-limit-interval`` and ``x-concurrency-limit``: a
bucket adopts them when they are stricter than its configuration, never looser.

Why the limit holds whatever the scheduling: the server counts a request when it
*arrives*, which is somewhere between the moment we let it go and the moment its
response has been read, and a thread can be descheduled anywhere in between. So a
request counts against the window from the moment it is let go until ``window``
(plus a margin) after its response was read: a new request starts only while fewer
than ``n`` requests are in flight or finished within the last window. Then for any
arrival, the requests the server sees in the second before it were, at the moment
the latest of them was let go, all still in flight or finished less than a window
earlier; there were fewer than ``n`` of them, so the server never sees more than
``n``. Concurrency is counted the same way, until the response is fully read.
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

# Windows are this much longer than the server's (clock granularity, a server that
# counts a little after the request reached it).
MARGIN = 0.05


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
    """At most ``n`` requests per sliding window and ``concurrency`` in flight (thread-safe).

    ``wait_time``, ``started`` and ``finished`` are the whole policy on an explicit
    clock (so it can be simulated); ``slot`` applies it on the real one.
    """

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0 or concurrency < 1:
            raise ValueError("rate must be > 0 and concurrency >= 1")
        self.max_rate = rate
        self.max_concurrency = concurrency
        self.rate = rate
        self.concurrency = concurrency
        self.n, self.window = window_for(rate)
        self._clock = clock
        self._sleep = sleep  # None: wait on the condition (woken early by a finish)
        self._cond = threading.Condition()
        self._in_flight = 0
        self._finished: deque[float] = deque()  # end times within the last window, ascending
        self._not_before = float("-inf")  # Retry-After

    # --- the policy, on an explicit clock (call with the lock held or single-threaded) ---

    def wait_time(self, now: float) -> float | None:
        """0.0: a request may start now; seconds to wait; None: wait for one to finish."""
        span = self.window + MARGIN
        while self._finished and self._finished[0] <= now - span:
            self._finished.popleft()
        if self._in_flight >= min(self.concurrency, self.n):
            return None
        if now < self._not_before:
            return self._not_before - now
        if self._in_flight + len(self._finished) < self.n:
            return 0.0
        # the oldest finished request leaves the window first
        return max(self._finished[0] + span - now, 1e-6)

    def started(self) -> None:
        self._in_flight += 1

    def finished(self, now: float) -> None:
        self._in_flight -= 1
        self._finished.append(now)

    # --- on the real clock ------------------------------------------------------------

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for a free slot, hold it until the request's response has been read."""
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
            self.started()
        try:
            yield
        finally:
            with self._cond:
                self.finished(self._clock())
                self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every later start back (the server said Retry-After)."""
        with self._cond:
            self._not_before = max(self._not_before, self._clock() + seconds)

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

    def __init__(self, limits: Limits | None = None, **kw) -> None:
        limits = limits or Limits()
        self.limits = limits
        self.single = Bucket(limits.single_rate, limits.single_concurrency, **kw)
        self.list = Bucket(limits.list_rate, limits.list_concurrency, **kw)

    def bucket(self, kind: str) -> Bucket:
        return self.single if kind == "single" else self.list
