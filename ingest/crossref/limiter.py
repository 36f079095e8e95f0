"""Client-side rate and concurrency limiter, one bucket per request class.

Crossref (since December 2025) limits single-DOI requests and list requests
(queries, ``filter=doi:``) separately, so the client keeps two buckets. Each
bucket spaces request starts evenly (a little under the advertised rate, so
network jitter cannot push a burst over the server's one-second window) and
caps requests in flight. Responses may carry ``x-rate-limit-limit``,
``x-rate-limit-interval`` and ``x-concurrency-limit``: a bucket adopts them when
they are stricter than its configuration, never looser.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

# Start requests at most at this share of the allowed rate.
SAFETY = 0.9


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


class Bucket:
    """Evenly spaced request starts plus a cap on requests in flight (thread-safe)."""

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or concurrency < 1:
            raise ValueError("rate must be > 0 and concurrency >= 1")
        self.max_rate = rate
        self.max_concurrency = concurrency
        self.rate = rate
        self.concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._in_flight = 0
        self._next_start = 0.0
        self._last_start = float("-inf")

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for a free slot, hold it for the duration of one request."""
        with self._cond:
            while self._in_flight >= self.concurrency:
                self._cond.wait()
            self._in_flight += 1
            now = self._clock()
            start = max(now, self._next_start)
            self._last_start = start
            self._next_start = start + 1.0 / (self.rate * SAFETY)
        try:
            if start > now:
                self._sleep(start - now)
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify()

    def pause(self, seconds: float) -> None:
        """Push every later start back (the server said Retry-After)."""
        with self._cond:
            self._next_start = max(self._next_start, self._clock() + seconds)

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Adopt stricter limits a response advertises."""
        lower = {k.lower(): v for k, v in headers.items()}
        limit, interval = lower.get("x-rate-limit-limit"), lower.get("x-rate-limit-interval")
        with self._cond:
            if limit and limit.strip().isdigit() and int(limit) > 0:
                secs = _parse_interval(interval or "1s") or 1.0
                self.rate = min(self.max_rate, int(limit) / secs)
                # the next start keeps the new spacing from the last one
                self._next_start = max(
                    self._next_start, self._last_start + 1 / (self.rate * SAFETY)
                )
            conc = lower.get("x-concurrency-limit")
            if conc and conc.strip().isdigit() and int(conc) > 0:
                self.concurrency = min(self.max_concurrency, int(conc))
                self._cond.notify_all()


class Limiter:
    """The two buckets: ``single`` for ``/works/{doi}``, ``list`` for queries and filters."""

    def __init__(self, limits: Limits | None = None, **kw) -> None:  # noqa: ANN003
        limits = limits or Limits()
        self.limits = limits
        self.single = Bucket(limits.single_rate, limits.single_concurrency, **kw)
        self.list = Bucket(limits.list_rate, limits.list_concurrency, **kw)

    def bucket(self, kind: str) -> Bucket:
        return self.single if kind == "single" else self.list
