"""Fetch an article over http(s): timeouts, size cap, redirect limit, content-type check."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import requests

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


def fetch_url(
    url: str,
    *,
    timeout: float = 20,
    max_bytes: int = 5_000_000,
    session: requests.Session | None = None,
) -> Fetched:
    """Download one article. Raises IngestError(stage="fetch") with a one-line reason."""
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise _fail(f"only http(s) URLs can be fetched, not {scheme or 'a bare path'!r}", url)
    sess = session or requests.Session()
    sess.max_redirects = MAX_REDIRECTS
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/markdown,text/plain;q=0.9,*/*;q=0.1",
    }
    try:
        resp = sess.get(url, headers=headers, timeout=(min(timeout, 10), timeout), stream=True)
    except requests.TooManyRedirects:
        msg = f"too many redirects (more than {MAX_REDIRECTS}; a redirect loop?)"
        raise _fail(msg, url) from None
    except requests.Timeout:
        raise _fail(f"timed out after {timeout:g} s", url) from None
    except requests.RequestException as exc:
        raise _fail(f"could not connect: {type(exc).__name__}", url) from None
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
        except requests.Timeout:
            raise _fail(f"timed out after {timeout:g} s while reading", url) from None
        except requests.RequestException as exc:
            raise _fail(f"connection failed while reading: {type(exc).__name__}", url) from None
    return Fetched(b"".join(chunks), media, resp.url, charset)
