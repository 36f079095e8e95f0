"""The real server keeps answering while a build writes, and shows the new data after it."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest
import requests

from kb.build import BuildOptions, build
from kb.serve import datasette_argv
from tests.test_build import write_corpus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_throughout_a_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "first", 1)
    db = tmp_path / "kb.db"
    build(["first"], db, BuildOptions(offline=True))
    port = free_port()
    proc = subprocess.Popen(
        datasette_argv(db, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/-/versions.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)

        write_corpus(tmp_path / "more", 25)
        done = threading.Event()
        result = {}

        def run_build():
            result["r"] = build(["first", "more"], db, BuildOptions(offline=True))
            done.set()

        thread = threading.Thread(target=run_build)
        thread.start()
        statuses, counts = [], []
        while not done.is_set():
            r = requests.get(base + "/kb.json?sql=select+count(*)+as+n+from+article", timeout=10)
            statuses.append(r.status_code)
            counts.append(r.json()["rows"][0][0])
            time.sleep(0.05)
        thread.join()
        assert result["r"].ok
        assert len(statuses) >= 3, "the build finished before the server was asked anything"
        assert set(statuses) == {200}
        assert counts == sorted(counts)  # never sees rows go missing mid-build
        after = requests.get(base + "/kb/article.json?_shape=array&_size=100", timeout=10).json()
        assert len(after) == 26
    finally:
        proc.terminate()
        proc.wait(10)
