"""A Crossref-compatible HTTP server for tests and benchmarks (stdlib, real sockets, 127.0.0.1).

Serves ``/works/{doi}`` (percent-decoded), ``/works?filter=doi:a,doi:b`` and
``/works?query.bibliographic=...`` (token-overlap ranking with a ``score``) in
Crossref's envelopes, 404 ``Resource not found.`` (text/plain) for unknown DOIs.

It counts requests, the most requests in flight and the most request starts in
any one-second window, per request class (``single`` / ``list``); it can enforce
limits itself (429 beyond them), add latency with jitter, send rate-limit
headers, and inject faults on demand (429 with or without ``Retry-After``, 500,
503, slower than the client's timeout, truncated JSON, an HTML error page).

    with CrossrefTestServer(load_world(), limits=ServerLimits.polite(), latency=0.15) as srv:
        ... base_url=srv.url ...
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ingest.resources import RESOURCES

WORLD = RESOURCES.data_file("snapshot", "source", "works.jsonl")
FAULT_KINDS = ("429", "500", "503", "slow", "truncated", "html")


def _work(doi: str, title: str, family: str, journal: str, year: int, volume: str, issue: str,
          page: str, **extra: object) -> dict:  # fmt: skip
    rec = {
        "DOI": doi,
        "URL": f"https://doi.org/{doi}",
        "type": "journal-article",
        "title": [title],
        "author": [{"given": "A.", "family": family, "sequence": "first", "affiliation": []}],
        "container-title": [journal],
        "issued": {"date-parts": [[year]]},
        "volume": volume,
        "issue": issue,
        "page": page,
        "publisher": "Test Publisher",
        "ISSN": ["5555-0001"],
    }
    rec.update(extra)
    return rec


def _notice(kind: str, doi: str, label: str, source: str = "publisher") -> list[dict]:
    return [{"DOI": doi, "type": kind, "label": label, "source": source,
             "updated": {"date-parts": [[2021, 6, 1]]}}]  # fmt: skip


def synthetic_works() -> list[dict]:
    """Records under the test prefix 10.5555/: update notices, a case-mixed DOI, look-alikes."""
    j = "Journal of Synthetic Testing"
    return [
        _work("10.5555/retracted.2019.001", "Naltrexone cures everything: a fabricated trial",
              "Fabricus", j, 2019, "7", "1", "1-10",
              **{"updated-by": _notice("retraction", "10.5555/retraction.2021.001",
                                       "Retraction", "retraction-watch")}),
        _work("10.5555/concern.2020.002", "Opioid antagonists in fatigue: an unverified cohort",
              "Dubious", j, 2020, "8", "2", "20-29",
              **{"updated-by": _notice("expression_of_concern", "10.5555/eoc.2021.002",
                                       "Expression of Concern")}),
        _work("10.5555/corrected.2020.003", "Low dose naltrexone dosing in practice",
              "Fixwell", j, 2020, "8", "3", "30-39",
              **{"updated-by": _notice("correction", "10.5555/corr.2021.003", "Correction")}),
        _work("10.5555/CaseMixed.ABC", "Case sensitivity of identifiers in reference lists",
              "Upper", j, 2021, "9", "1", "1-5"),
        # Look-alikes: same journal and year, different issue and pages.
        _work("10.5555/jst.2022.041", "Microglial modulation by opioid antagonists",
              "Alvarez", j, 2022, "10", "4", "401-410"),
        _work("10.5555/jst.2022.057", "Sleep quality under low dose naltrexone",
              "Brennan", j, 2022, "10", "5", "571-580"),
        {"DOI": "10.5555/odd#frag?x=1", "URL": "https://doi.org/10.5555/odd#frag?x=1",
         "type": "journal-article", "title": ["A DOI with hostile characters"],
         "container-title": [j], "issued": {"date-parts": [[2020]]}},
    ]  # fmt: skip


def load_world(path: Path = WORLD, *, synthetic: bool = True) -> list[dict]:
    works = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return works + (synthetic_works() if synthetic else [])


@dataclass
class ServerLimits:
    """Limits the server enforces with 429 (None = unlimited)."""

    single_rate: float | None = None
    single_concurrency: int | None = None
    list_rate: float | None = None
    list_concurrency: int | None = None

    @classmethod
    def polite(cls) -> ServerLimits:
        return cls(10, 3, 3, 3)


@dataclass
class Fault:
    kind: str  # one of FAULT_KINDS
    times: int = 1
    on: str = "any"  # any | single | list
    retry_after: str | None = None
    delay: float = 2.0  # for "slow"
    status: int = 200  # for "html"


@dataclass
class LogEntry:
    raw_path: str  # exactly as received, before decoding
    kind: str  # single | list | other
    status: int
    start: float
    headers: dict[str, str] = field(default_factory=dict)


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text or "") if len(t) > 1 or t.isdigit()}


def _searchable(w: dict) -> set[str]:
    parts = [*w.get("title", []), *w.get("container-title", [])]
    parts += [a.get("family", "") for a in w.get("author", [])]
    dp = (w.get("issued") or {}).get("date-parts") or [[]]
    parts += [str(x) for x in dp[0][:1]]
    parts += [str(w.get(k, "")) for k in ("volume", "issue", "page", "article-number")]
    parts += re.split(r"[-–]", str(w.get("page", "")))
    return _tokens(" ".join(parts))


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = {"single": 0, "list": 0, "other": 0}
        self.max_in_flight = {"single": 0, "list": 0, "other": 0}
        self.windows: dict[str, deque] = {"single": deque(), "list": deque(), "other": deque()}
        self.max_rate = {"single": 0, "list": 0, "other": 0}
        self.requests = 0
        self.rejected = 0  # 429s sent because of the server's own limits
        self.log: list[LogEntry] = []


class _Server(ThreadingHTTPServer):
    # A real server's accept queue, not the stdlib's 5: with a full queue the kernel drops
    # a client's SYN and the request arrives a second or more late (a retransmission).
    request_queue_size = 128


class CrossrefTestServer:
    def __init__(
        self,
        works: Iterable[dict] | None = None,
        *,
        limits: ServerLimits | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit_headers: dict[str, str] | None = None,
        port: int = 0,
    ) -> None:
        self.works = {w["DOI"].lower(): w for w in (load_world() if works is None else works)}
        self._index = {doi: _searchable(w) for doi, w in self.works.items()}
        self.limits = limits or ServerLimits()
        self.latency = latency
        self.jitter = jitter
        self.rate_limit_headers = dict(rate_limit_headers or {})
        self.faults: list[Fault] = []
        self.stats = _Stats()
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CrossrefTestServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> CrossrefTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- controls and observations -------------------------------------------

    def add_fault(self, kind: str, **kw: object) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(kind)
        with self.stats.lock:
            self.faults.append(Fault(kind, **kw))  # type: ignore[arg-type]

    def reset(self) -> None:
        with self.stats.lock:
            self.faults.clear()
        self.stats = _Stats()

    @property
    def log(self) -> list[LogEntry]:
        return self.stats.log

    @property
    def requests(self) -> int:
        return self.stats.requests

    def count(self, kind: str) -> int:
        return sum(1 for e in self.log if e.kind == kind)

    def statuses(self) -> list[int]:
        return [e.status for e in self.log]

    # --- internals -----------------------------------------------------------

    def _take_fault(self, kind: str) -> Fault | None:
        with self.stats.lock:
            for f in self.faults:
                if f.on in ("any", kind):
                    f.times -= 1
                    if f.times <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def _admit(self, kind: str) -> bool:
        """Count the arrival; False when it breaks the server's own limits."""
        st, now = self.stats, time.monotonic()
        rate = getattr(self.limits, f"{kind}_rate", None)
        conc = getattr(self.limits, f"{kind}_concurrency", None)
        with st.lock:
            st.requests += 1
            win = st.windows[kind]
            win.append(now)
            while win and win[0] <= now - 1.0:
                win.popleft()
            st.max_rate[kind] = max(st.max_rate[kind], len(win))
            st.in_flight[kind] += 1
            st.max_in_flight[kind] = max(st.max_in_flight[kind], st.in_flight[kind])
            over = (rate is not None and len(win) > rate) or (
                conc is not None and st.in_flight[kind] > conc
            )
            if over:
                st.rejected += 1
            return not over

    def _leave(self, kind: str) -> None:
        with self.stats.lock:
            self.stats.in_flight[kind] -= 1

    def search(self, query: str, rows: int) -> list[dict]:
        q = _tokens(query)
        scored = []
        for doi, toks in self._index.items():
            overlap = len(q & toks)
            if overlap:
                scored.append((overlap / (len(q) ** 0.5 or 1) * 10, doi))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [{**self.works[d], "score": round(s, 3)} for s, d in scored[:rows]]


def _envelope(message_type: str, message: dict) -> bytes:
    body = {"status": "ok", "message-type": message_type, "message-version": "1.0.0",
            "message": message}  # fmt: skip
    return json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Crossref serves
    server_ref: CrossrefTestServer

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        srv = self.server_ref
        start = time.monotonic()
        split = urlsplit(self.path)
        if split.path.startswith("/works/"):
            kind = "single"
        elif split.path.rstrip("/") == "/works":
            kind = "list"
        else:
            kind = "other"
        admitted = srv._admit(kind)
        status, ctype, body, extra = 500, "text/plain", b"", {}
        try:
            if not admitted:
                status, body = 429, b"Too Many Requests"
                extra = {"Retry-After": "1"}
            else:
                delay = srv.latency + (random.uniform(-srv.jitter, srv.jitter) if srv.jitter else 0)
                fault = srv._take_fault(kind)
                if fault is not None and fault.kind == "slow":
                    delay += fault.delay
                    fault = None
                if delay > 0:
                    time.sleep(delay)
                status, ctype, body, extra = self._answer(srv, kind, split, fault)
        finally:
            srv._leave(kind)  # before replying: the client may start its next request at once
        headers = {**srv.rate_limit_headers, **extra}
        with srv.stats.lock:
            srv.stats.log.append(LogEntry(self.path, kind, status, start, dict(self.headers)))
        self._send(status, ctype, body, headers)

    def _answer(self, srv: CrossrefTestServer, kind: str, split, fault):
        if fault is not None:
            if fault.kind in ("429", "500", "503"):
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return int(fault.kind), "text/plain", b"fault", extra
            if fault.kind == "html":
                page = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
                return fault.status, "text/html; charset=utf-8", page, {}
        if kind == "single":
            doi = unquote(split.path[len("/works/") :])
            work = srv.works.get(doi.lower())
            if work is None:
                return 404, "text/plain", b"Resource not found.", {}
            status, ctype, body = 200, "application/json", _envelope("work", work)
        elif kind == "list":
            status, ctype, body = self._list(srv, parse_qs(split.query))
        else:
            return 404, "text/plain", b"Resource not found.", {}
        if fault is not None and fault.kind == "truncated":
            body = body[: max(1, len(body) // 2)]
        return status, ctype, body, {}

    def _list(self, srv: CrossrefTestServer, qs: dict) -> tuple[int, str, bytes]:
        rows = int((qs.get("rows") or ["20"])[0])
        if "filter" in qs:
            wanted = []
            for part in qs["filter"][0].split(","):
                name, _, value = part.partition(":")
                if name != "doi":
                    msg = [{"type": "validation-failure", "message": f"Filter {name} unknown"}]
                    err = {"status": "failed", "message-type": "validation-failure",
                           "message": msg}  # fmt: skip
                    return 400, "application/json", json.dumps(err).encode()
                wanted.append(value.lower())
            items = [srv.works[d] for d in dict.fromkeys(wanted) if d in srv.works]
        elif "query.bibliographic" in qs:
            items = srv.search(qs["query.bibliographic"][0], rows)
        else:
            items = list(srv.works.values())
        message = {"total-results": len(items), "items": items[:rows], "items-per-page": rows,
                   "query": {"start-index": 0, "search-terms": None}}  # fmt: skip
        return 200, "application/json", _envelope("work-list", message)

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout)
