"""Issue 15: a download has a total deadline besides the per-read timeout, and a read
timeout is called a timeout. The server is ours, on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from ingest.fetch import fetch_url
from ingest.types import IngestError
from kb.build import BuildOptions, build


class _Drip:
    """Sends headers, then one byte of body every ``every`` seconds, for ``seconds``."""

    def __init__(self, every: float, seconds: float, headers_only_wait: float = 0) -> None:
        self.every, self.seconds, self.wait = every, seconds, headers_only_wait
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/article.html"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>")
                end = time.monotonic() + self.seconds
                while time.monotonic() < end and not self.stop.is_set():
                    time.sleep(self.every)
                    conn.sendall(b"x")
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def drip():
    servers = []

    def make(every: float, seconds: float) -> _Drip:
        servers.append(_Drip(every, seconds))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_a_drip_server_is_cut_off_at_the_total_deadline(drip):
    # each read succeeds well within the timeout; without a deadline this is a minute's
    # download that succeeds
    server = drip(every=0.2, seconds=60)
    with pytest.raises(IngestError, match="did not finish within the 2 s deadline") as err:
        fetch_url(server.url, timeout=5, deadline=2)
    assert err.value.stage == "fetch"


def test_the_build_records_the_deadline_and_goes_on(drip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = drip(every=0.2, seconds=60)
    opts = BuildOptions(offline=True, crossref=False, fetch_timeout=5, fetch_deadline=2)
    result = build([server.url], tmp_path / "kb.db", opts)
    (failure,) = result.failures
    assert failure.stage == "fetch" and "deadline" in failure.reason


def test_a_read_timeout_is_called_a_timeout(drip):
    server = drip(every=3, seconds=10)  # first byte of body after 3 s
    with pytest.raises(IngestError) as err:
        fetch_url(server.url, timeout=1, deadline=30)
    assert "timed out" in str(err.value) and "ConnectionError" not in str(err.value)
