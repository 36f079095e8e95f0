"""Fetch an article over http(s): timeouts, size cap, redirect limit, content-type check."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from urllib3.exceptions import ReadTimeoutError

from ingest.types import IngestError

USER_AGENT = "evidence-kb/0.1 (article ingest; +https://github.com/evidence-kb)"
MAX_REDIRECTS = 10
ACCEPTED_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}


@dataclass
class Fetched:
    data: bytes
    content_type: str | None  # media type only, e.g. "text/html"
    final_url: str
    encoding: str | None  # charset from the Content-Type header, if any


def _fail(msg: str, url: str) -> IngestError:
    return IngestError(msg, stage="fetch", source=url)


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip("\"' ") or None
    return (parts[0].lower() or None), charset


def _is_timeout(exc: BaseException) -> bool:
    """requests reports a read timeout inside ``iter_content`` as a ConnectionError."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, requests.Timeout | ReadTimeoutError | socket.timeout):
            return True
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


class _Deadline:
    """Cuts a download off at a wall-clock deadline: the per-read timeout alone lets a
    server that sends a byte every few seconds keep us forever. When the time is up the
    socket is shut down, which wakes the blocked read."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        return max(0.001, self.end - time.monotonic())

    def watch(self, resp: requests.Response) -> None:
        sock = _socket_of(resp)
        if sock is None:
            return
        self._timer = threading.Timer(self.left(), self._cut, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def _cut(self, sock: socket.socket) -> None:
        self.expired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _socket_of(resp: requests.Response) -> socket.socket | None:
    """The socket a streamed response reads from. http.client drops the connection's own
    reference once the server says it will close, so look through the response's file."""
    sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
    if sock is None:
        fp = getattr(getattr(resp.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def fetch_url(
    url: str,
    *,
    timeout: float = 20,
    deadline: float = 60,
    max_bytes: int = 5_000_000,
    session: requests.Session | None = None,
) -> Fetched:
    """Download one article. Raises IngestError(stage="fetch") with a one-line reason.

    ``timeout`` bounds each wait on the network (connect, each read); ``deadline`` the
    whole download, connect to last byte."""
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise _fail(f"only http(s) URLs can be fetched, not {scheme or 'a bare path'!r}", url)
    sess = session or requests.Session()
    sess.max_redirects = MAX_REDIRECTS
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/markdown,text/plain;q=0.9,*/*;q=0.1",
    }
    clock = _Deadline(deadline)
    waits = (min(timeout, 10, deadline), min(timeout, deadline))
    try:
        resp = sess.get(url, headers=headers, timeout=waits, stream=True)
    except requests.TooManyRedirects:
        msg = f"too many redirects (more than {MAX_REDIRECTS}; a redirect loop?)"
        raise _fail(msg, url) from None
    except requests.Timeout:
        raise _fail(f"timed out after {timeout:g} s", url) from None
    except requests.RequestException as exc:
        if _is_timeout(exc):
            raise _fail(f"timed out after {timeout:g} s", url) from None
        raise _fail(f"could not connect: {type(exc).__name__}", url) from None
    clock.watch(resp)
    try:
        return _body(resp, url, timeout, max_bytes, clock)
    finally:
        clock.stop()


def _body(
    resp: requests.Response, url: str, timeout: float, max_bytes: int, clock: _Deadline
) -> Fetched:
    with resp:
        if resp.status_code >= 400:
            raise _fail(f"HTTP {resp.status_code} {resp.reason or ''}".strip(), url)
        media, charset = _media_type(resp.headers.get("Content-Type"))
        if media is not None and media not in ACCEPTED_TYPES:
            what = "a PDF" if media == "application/pdf" else f"content of type {media}"
            raise _fail(f"the URL returned {what}, not an HTML, Markdown or text article", url)
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _fail(f"response is {int(declared):,} bytes, over the {max_bytes:,} cap", url)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    raise _fail(f"response exceeds the {max_bytes:,}-byte size cap", url)
                chunks.append(chunk)
                if clock.expired:
                    break
        except requests.RequestException as exc:
            if clock.expired:
                pass  # reported below
            elif _is_timeout(exc):
                raise _fail(f"timed out after {timeout:g} s while reading", url) from None
            else:
                msg = f"connection failed while reading: {type(exc).__name__}"
                raise _fail(msg, url) from None
        if clock.expired:
            msg = f"download did not finish within the {clock.seconds:g} s deadline"
            raise _fail(msg, url)
    return Fetched(b"".join(chunks), media, resp.url, charset)
