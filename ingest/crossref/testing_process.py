"""The test server (``testing.py``) in a child process, for benchmarks.

In the client's own process the server stamps a request's arrival only when its handler
thread gets the interpreter, which the client's threads hold in turns: on a loaded
machine the stamps lag the real arrivals by a hundred milliseconds or more, unevenly
(a sequential client paced at 2.7 requests/s drew 429s). A remote server shares nothing
with the client, so the benchmark runs the server in its own process; the log and the
counters come back over a pipe (``time.monotonic`` is one clock for every process on
the machine, so log times compare with the client's).

    with ServerProcess(load_world(), limits=ServerLimits.polite(), latency=0.15) as srv:
        ... base_url=srv.url ... srv.log ... srv.stats.rejected ...
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from typing import Any

from ingest.crossref.testing import CrossrefTestServer, LogEntry


@dataclass
class Counters:
    """``CrossrefTestServer.stats`` as the child reported it."""

    requests: int
    rejected: int
    max_in_flight: dict[str, int]
    max_rate: dict[str, int]


def _serve(conn: Any, works: list[dict], options: dict[str, Any]) -> None:
    srv = CrossrefTestServer(works, **options).start()
    conn.send(srv.url)
    try:
        while True:
            command = conn.recv()
            if command == "reset":
                srv.reset()
                conn.send(None)
            elif command == "log":
                conn.send([(e.raw_path, e.kind, e.status, e.start) for e in srv.log])
            elif command == "stats":
                st = srv.stats
                with st.lock:
                    conn.send(Counters(st.requests, st.rejected, dict(st.max_in_flight),
                                       dict(st.max_rate)))  # fmt: skip
            else:  # "stop"
                break
    finally:
        srv.stop()
        conn.close()


class ServerProcess:
    """``CrossrefTestServer(works, **options)`` in a child process: ``url``, ``reset()``,
    ``log``, ``stats`` and ``requests`` as the in-process server has them."""

    def __init__(self, works: list[dict], **options: Any) -> None:
        ctx = multiprocessing.get_context("spawn")  # no threads of ours copied into it
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, works, options), daemon=True)
        self.url = ""

    def __enter__(self) -> ServerProcess:
        self._proc.start()
        self.url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
        finally:
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.terminate()

    def _ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def reset(self) -> None:
        self._ask("reset")

    @property
    def log(self) -> list[LogEntry]:
        return [LogEntry(*fields) for fields in self._ask("log")]

    @property
    def stats(self) -> Counters:
        return self._ask("stats")

    @property
    def requests(self) -> int:
        return self.stats.requests
