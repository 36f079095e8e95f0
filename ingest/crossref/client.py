"""A polite, fault-tolerant Crossref client on habanero 2.9.2.

habanero builds and sends every request: one ``habanero.Crossref`` configured per client
instance (base URL, ``mailto`` for the polite pool, our User-Agent string, timeouts) makes
our three calls, ``works(ids=<encoded DOI segment>)``, ``works(filter={"doi": [...]})``
and ``works(query_bibliographic=...)``. Around it this module adds what habanero lacks:
every request through the limiter, retries with exponential backoff and jitter (honouring
``Retry-After``), DOIs percent-encoded as one path segment, and one error type
(``CrossrefError``) for every failure (``httpx2.HTTPStatusError.response`` gives the
status and ``Retry-After``).

habanero returns only the decoded body of a successful response and sends each request
with the module-level ``httpx2.get``: there is no connection reuse, and the
``x-rate-limit-*`` headers of a 200 are out of reach. Stricter limits a server
advertises are therefore adopted from its error responses (a 429 carries them), not from
every answer; the configured limits (Crossref's published ones) hold either way.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import habanero
import httpx2
from habanero.exceptions import RequestError

from ingest.crossref.errors import CrossrefError
from ingest.crossref.limiter import MARGIN, Limiter, Limits
from ingest.doi import crossref_path_segment, normalize_doi

DEFAULT_BASE_URL = "https://api.crossref.org"
USER_AGENT = "evidence-kb/0.1.0"
BATCH_SIZE = 100  # DOIs per filter=doi: request (the one place requests are batched)


@dataclass
class ClientStats:
    requests: int = 0  # HTTP attempts made, retries included
    errors: int = 0  # attempts that failed (anything but 200 and 404)
    retries: int = 0
    rate_limited: int = 0  # 429s received
    answered: int = 0  # attempts Crossref answered (200 or 404)
    by_kind: dict[str, int] = field(default_factory=lambda: {"single": 0, "list": 0})


def resolve_mailto(mailto: str | None) -> str | None:
    return mailto or os.environ.get("KB_MAILTO") or None


_warned_no_mailto = False


def _warn_no_mailto() -> None:
    global _warned_no_mailto
    if not _warned_no_mailto:
        _warned_no_mailto = True
        # A plain line on stderr: the CLI user should see it once, without a traceback.
        sys.stderr.write(
            "warning: no contact address for Crossref's polite pool (set --mailto or "
            "KB_MAILTO); using the public pool's lower limits\n"
        )


_warmed = False


def _warm_up() -> None:
    """Import what httpx2 imports on its first request (its transport, h11, anyio, the IDNA
    codec) before any request is released: a first request would otherwise carry that
    import in its send delay, which the limiter's margin does not allow for."""
    global _warmed
    if not _warmed:
        import encodings.idna  # noqa: F401 - the host name codec

        httpx2.HTTPTransport().close()
        _warmed = True


def _retry_after(response: httpx2.Response | None) -> float | None:
    value = response.headers.get("retry-after") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _from_status(status: int, response: httpx2.Response | None, detail: str) -> CrossrefError:
    if status == 404:
        return CrossrefError("not_found", "Crossref: resource not found", status=404)
    if status == 429:
        return CrossrefError(
            "rate_limited", "Crossref: 429 too many requests", status=429,
            retry_after=_retry_after(response),
        )  # fmt: skip
    if status >= 500:
        return CrossrefError(
            "server_error", f"Crossref: HTTP {status}", status=status,
            retry_after=_retry_after(response),
        )  # fmt: skip
    return CrossrefError("bad_response", f"Crossref: HTTP {status} {detail}"[:200], status=status)


def classify(exc: BaseException, response: httpx2.Response | None = None) -> CrossrefError:
    """Turn whatever was raised (httpx2, a body that is not JSON, habanero) into a
    ``CrossrefError``."""
    status_error = _in_chain(exc, httpx2.HTTPStatusError)
    if status_error is not None and not isinstance(exc, CrossrefError):
        return _from_status(status_error.response.status_code, status_error.response, "")
    seen = exc
    while seen is not None:
        if isinstance(seen, CrossrefError):
            return seen
        if isinstance(seen, httpx2.HTTPStatusError):
            return _from_status(seen.response.status_code, seen.response, "")
        if isinstance(seen, RequestError) and isinstance(seen.status_code, int):
            if seen.status_code >= 400:
                return _from_status(seen.status_code, response, str(seen.error))
            return CrossrefError("bad_response", f"Crossref: not JSON ({seen.status_code})")
        if isinstance(seen, httpx2.ConnectError):
            return CrossrefError("network", f"cannot connect to Crossref: {seen}", status=-1)
        if isinstance(seen, httpx2.TimeoutException):
            return CrossrefError("network", f"Crossref timed out: {type(seen).__name__}")
        if isinstance(seen, httpx2.HTTPError):
            return CrossrefError("network", f"Crossref network error: {seen}"[:200])
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, ValueError | KeyError | TypeError):
        return CrossrefError("bad_response", f"Crossref: malformed response ({exc!r})"[:200])
    return CrossrefError("network", f"Crossref call failed: {exc!r}"[:200])


def _in_chain(exc: BaseException | None, kind: type) -> Any:
    """The first exception of ``kind`` among ``exc`` and its causes, or None."""
    while exc is not None:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _check_envelope(data: Any, list_kind: bool) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise CrossrefError("bad_response", "Crossref: response is not a message envelope")
    msg = data["message"]
    if list_kind and not isinstance(msg.get("items"), list):
        raise CrossrefError("bad_response", "Crossref: list response without items")
    if not list_kind and not isinstance(msg.get("DOI"), str):
        raise CrossrefError("bad_response", "Crossref: work without a DOI")
    return msg


class CrossrefClient:
    """Thread-safe: one instance serves a run's worker threads."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        mailto: str | None = None,
        limits: Limits | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        max_retries: int = 4,
        connect_retries: int = 1,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        error_budget: float = 0.10,
        min_errors_to_abort: int = 5,
        send_margin: float = MARGIN,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.mailto = resolve_mailto(mailto)
        if self.mailto is None:
            _warn_no_mailto()
        self.base_url = (base_url or os.environ.get("KB_CROSSREF_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        default = Limits.polite() if self.mailto else Limits.public()
        # send_margin: the longest delay from a request's release to its arrival at Crossref
        # the limiter allows for (``ingest/crossref/limiter.py``); a 429 widens it
        self.limiter = Limiter(limits or default, margin=send_margin)
        _warm_up()
        self._cr = habanero.Crossref(
            base_url=self.base_url,
            mailto=self.mailto,
            ua_string=USER_AGENT,
            timeout=httpx2.Timeout(timeout, connect=connect_timeout),  # passed to httpx2.get
        )
        self.max_retries = max_retries
        self.connect_retries = connect_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.error_budget = error_budget
        self.min_errors_to_abort = min_errors_to_abort
        self._sleep = sleep
        self._lock = threading.Lock()
        self.stats = ClientStats()
        self.aborted_reason: str | None = None

    def close(self) -> None:
        """Nothing to release: habanero opens a connection per request."""

    def __enter__(self) -> CrossrefClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the retry loop ------------------------------------------------------

    def _attempt(self, kind: str, request: dict[str, Any]) -> tuple[Any, CrossrefError | None]:
        """One habanero ``works(**request)`` inside a limiter slot."""
        bucket = self.limiter.bucket(kind)
        with bucket.slot():
            try:
                result, err = self._cr.works(**request), None
            except Exception as exc:  # noqa: BLE001 - every httpx2/habanero failure is classified
                result, err = None, classify(exc)
                failed = _in_chain(exc, httpx2.HTTPStatusError)
                if failed is not None:  # the only response headers habanero lets us see
                    bucket.adapt(failed.response.headers)
                if err.kind == "rate_limited":  # arrived later than the margin allows for
                    bucket.widen()
        with self._lock:
            self.stats.requests += 1
            self.stats.by_kind[kind] += 1
            if err is None or err.kind == "not_found":
                self.stats.answered += 1
            else:
                self.stats.errors += 1
                self.stats.rate_limited += err.kind == "rate_limited"
                self._check_budget()
        return result, err

    def _check_budget(self) -> None:
        s = self.stats
        if (
            self.aborted_reason is None
            and s.errors >= self.min_errors_to_abort
            and s.errors > self.error_budget * s.requests
        ):
            self.aborted_reason = (
                f"stopped calling Crossref: {s.errors} of {s.requests} requests failed "
                f"(more than {self.error_budget:.0%})"
            )

    def _call(self, kind: str, request: dict[str, Any], list_kind: bool) -> dict:
        attempt = 0
        while True:
            if self.aborted_reason:
                raise CrossrefError("aborted", self.aborted_reason)
            result, err = self._attempt(kind, request)
            if err is None:
                try:
                    return _check_envelope(result, list_kind)
                except CrossrefError as bad:
                    err = bad
            limit = self.max_retries
            if err.status == -1:  # cannot connect: fail fast (offline machine)
                limit = self.connect_retries
            elif err.kind == "bad_response":
                limit = 1
            if not err.retryable or attempt >= limit:
                raise err
            delay = err.retry_after
            if delay is None:
                delay = min(self.max_backoff, self.backoff * 2**attempt)
                delay *= 0.5 + random.random()  # jitter: spread retries of parallel workers
            if err.kind == "rate_limited":
                self.limiter.bucket(kind).pause(delay)
            with self._lock:
                self.stats.retries += 1
            self._sleep(min(delay, 120.0))
            attempt += 1

    # --- public calls --------------------------------------------------------

    def fetch_work(self, doi: str) -> dict | None:
        """The work's ``message``, or None when Crossref answers 404."""
        try:
            # habanero puts ``ids`` into the URL as given: the encoded segment, never the DOI
            return self._call("single", {"ids": crossref_path_segment(doi)}, False)
        except CrossrefError as err:
            if err.kind == "not_found":
                return None
            raise

    def fetch_works(
        self, dois: Iterable[str], on_progress: Callable[[int], None] | None = None
    ) -> dict[str, dict | None | CrossrefError]:
        """Normalised DOI -> message, None (Crossref's 404) or the ``CrossrefError`` it ended with
        (``stream_works``, collected). ``on_progress(n)``: n more DOIs answered."""
        wanted = list(dict.fromkeys(normalize_doi(d, strict=False) for d in dois))
        out = {}
        for answers in self.stream_works(wanted):
            out.update(answers)
            if on_progress:
                on_progress(len(answers))
        return {d: out[d] for d in wanted}

    def stream_works(self, dois: Iterable[str]) -> Iterator[dict[str, dict | None | CrossrefError]]:
        """The answers of ``fetch_works`` as they come: one dict per batch (the DOIs it
        returned) and per single request, so the caller can save them while the rest are out.

        Batched ``filter=doi:`` requests of up to ``BATCH_SIZE``, and one by one what a batch
        did not return (only a 404 means not found); DOIs with a comma cannot go into a filter.
        Batches are striped over the DOIs (the i-th of k batches takes every k-th DOI): DOIs a
        batch misses tend to sort together (one registrant), and striped, their single
        requests (their own limits) start after the first batch instead of the last."""
        wanted = list(dict.fromkeys(normalize_doi(d, strict=False) for d in dois))
        lim = self.limiter.limits
        batchable = [d for d in wanted if "," not in d]
        k = -(-len(batchable) // BATCH_SIZE)
        stripes = [batchable[i::k] for i in range(k)]
        with (
            ThreadPoolExecutor(lim.list_concurrency) as lists,
            ThreadPoolExecutor(lim.single_concurrency) as singles,
        ):
            pending: dict[Future, tuple[str, list[str]]] = {}

            def confirm(todo: list[str]) -> None:
                pending.update({singles.submit(self.fetch_work, d): ("single", [d]) for d in todo})

            confirm([d for d in wanted if "," in d])  # cannot go into a filter
            pending.update({lists.submit(self.filter_dois, c): ("list", c) for c in stripes})
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    kind, asked = pending.pop(fut)
                    try:
                        got = fut.result()
                    except CrossrefError as err:
                        got = {} if kind == "list" else err  # a failed batch: one by one
                    if kind == "list":  # before yielding: the caller may take a while
                        confirm([d for d in asked if d not in got])
                        if got:
                            yield got
                    else:
                        yield {asked[0]: got}

    def filter_dois(self, dois: list[str]) -> dict[str, dict]:
        """One list request; only the DOIs it returned, keyed lower-case."""
        request = {"filter": {"doi": list(dois)}, "limit": max(len(dois), 1)}
        msg = self._call("list", request, True)
        wanted = {normalize_doi(d, strict=False) for d in dois}
        out: dict[str, dict] = {}
        for item in msg["items"]:
            doi = item.get("DOI") if isinstance(item, dict) else None
            key = normalize_doi(doi, strict=False) if isinstance(doi, str) else None
            if key in wanted:
                out[key] = item
        return out

    def search_bibliographic(self, text: str, rows: int = 5) -> list[dict]:
        """Candidate works for a free-text reference (Crossref's ``score`` kept as given)."""
        msg = self._call("list", {"query_bibliographic": text, "limit": rows}, True)
        return [i for i in msg["items"] if isinstance(i, dict) and isinstance(i.get("DOI"), str)]
