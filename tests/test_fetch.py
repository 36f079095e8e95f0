"""fetch_url against a real HTTP server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingest.fetch import USER_AGENT, fetch_url
from ingest.types import IngestError

PAGE = "<html><body><h1>Title</h1><p>Body café.</p></body></html>".encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, ctype, body, extra=None):
        try:
            self._write(status, ctype, body, extra)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): expected

    def _write(self, status, ctype, body, extra):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ok":
            self.server.user_agents.append(self.headers.get("User-Agent"))
            self._send(200, "text/html; charset=utf-8", PAGE)
        elif self.path == "/md":
            self._send(200, "text/markdown", b"# T\n\ntext\n")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, "text/html", PAGE)
        elif self.path == "/loop":
            self._send(302, "text/html", b"", {"Location": "/loop2"})
        elif self.path == "/loop2":
            self._send(302, "text/html", b"", {"Location": "/loop"})
        elif self.path == "/moved":
            self._send(301, "text/html", b"", {"Location": "/ok"})
        elif self.path == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.7 ...")
        elif self.path == "/big":
            self._send(200, "text/html", b"a" * 20_000)
        elif self.path == "/big-chunked":  # no Content-Length: the cap applies while streaming
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"b" * 1000)
        else:
            self._send(404, "text/html", b"not here")


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.user_agents = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_ok_page(server):
    srv, base = server
    got = fetch_url(base + "/ok")
    assert got.data == PAGE
    assert got.content_type == "text/html" and got.encoding == "utf-8"
    assert srv.user_agents[-1] == USER_AGENT


def test_redirect_is_followed_and_final_url_kept(server):
    _, base = server
    assert fetch_url(base + "/moved").final_url == base + "/ok"


def test_markdown_content_type_is_accepted(server):
    assert fetch_url(server[1] + "/md").content_type == "text/markdown"


@pytest.mark.parametrize(
    "path, message",
    [
        ("/slow", "timed out"),
        ("/loop", "redirect"),
        ("/pdf", "PDF"),
        ("/big", "cap"),
        ("/big-chunked", "cap"),
        ("/missing", "404"),
    ],
)
def test_failures_are_clear_one_line_errors(server, path, message):
    with pytest.raises(IngestError) as err:
        fetch_url(server[1] + path, timeout=0.5, max_bytes=10_000)
    assert err.value.stage == "fetch"
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("url", ["ftp://example.org/x.html", "file:///etc/passwd", "/tmp/x"])
def test_only_http_urls(url):
    with pytest.raises(IngestError, match="http"):
        fetch_url(url)


def test_connection_refused_is_clean():
    with pytest.raises(IngestError, match="could not connect"):
        fetch_url("http://127.0.0.1:9/nothing", timeout=1)
