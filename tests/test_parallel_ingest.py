"""Parsing in worker processes: the same rows, failures and order as a sequential build."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from ingest.types import IngestError, ParsedArticle
from kb.build import BuildOptions, build
from kb.parallel import MIN_INPUTS, ParsePool, Pending, parse_safely, worker_count
from tests.test_build import dump, write_corpus


def _corpus(folder):
    write_corpus(folder, 3)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (folder / "deep.html").write_bytes(b"<div>" * 1000 + b"Deep text [1]." + b"</div>" * 1000)
    (folder / "latin.txt").write_bytes(
        "Caf\xe9 study\n\nThe na\xefve result held [1].\n\nReferences\n\n"
        "1. Doe J. A study. J Test. 2001;1:1-2.\n".encode("latin-1")
    )


def _failures(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT source, stage, error FROM ingest_failure ORDER BY id").fetchall()
    finally:
        con.close()


def test_a_pooled_build_writes_what_a_sequential_build_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path / "in")
    results = {}
    for workers in (0, 2):
        db = tmp_path / f"kb{workers}.db"
        opts = BuildOptions(offline=True, crossref=False, workers=workers)
        results[workers] = (build(["in"], db, opts), dump(db), _failures(db))
    (seq, seq_rows, seq_failed), (pool, pool_rows, pool_failed) = results[0], results[2]
    assert (pool.ingested, pool.unchanged) == (seq.ingested, seq.unchanged) == (4, 0)
    assert [(f.source, f.stage, f.error) for f in pool.failures] == [
        (f.source, f.stage, f.error) for f in seq.failures
    ]
    assert len(seq.failures) == 3
    assert pool_failed == seq_failed
    assert pool_rows == seq_rows  # ids included: articles are saved in input order
    again = build(
        ["in"], tmp_path / "kb2.db", BuildOptions(offline=True, crossref=False, workers=2)
    )
    assert (again.ingested, again.unchanged) == (0, 4)


def test_parse_failures_keep_their_stage_and_message_across_processes():
    inputs = [(b"", "e.txt"), (b"\x00\x01\x02PNG\x00" * 50, "b.html"), (b"Fine [1].", "f.txt")]
    expected = []
    for data, source in inputs:
        try:
            expected.append(parse_safely(data, source, None))
        except IngestError as exc:
            expected.append((exc.stage, str(exc)))
    with ParsePool(2) as pool:
        jobs = [pool.submit(data, source, None) for data, source in inputs]
        got = []
        for job in jobs:
            try:
                got.append(pool.result(job))
            except IngestError as exc:
                got.append((exc.stage, str(exc)))
    assert got == expected
    assert isinstance(got[0], tuple) and isinstance(got[2], ParsedArticle)


def test_a_dead_worker_only_costs_speed():
    docs = [(f"Article {i} states a fact [1].\n\nReferences\n\n1. Doe J. T. 2001.", f"a{i}.txt")
            for i in range(6)]  # fmt: skip
    expected = [parse_safely(d.encode(), s, None) for d, s in docs]
    with ParsePool(1) as pool:
        first = pool.submit(docs[0][0].encode(), docs[0][1], None)
        assert pool.result(first) == expected[0]  # the worker is up
        for pid in list(pool._pool._processes):  # kill it
            os.kill(pid, signal.SIGKILL)
        jobs = [pool.submit(d.encode(), s, None) for d, s in docs[1:]]
        assert [pool.result(j) for j in jobs] == expected[1:]
    assert pool.fallbacks >= 1


def test_worker_count_policy():
    assert worker_count(0, 1000) == 0
    assert worker_count(3, 1) == 3
    assert worker_count(None, MIN_INPUTS - 1) == 0
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread is running: no fork, so no pool unless asked for
        assert worker_count(None, 10_000) == 0
    finally:
        stop.set()
        other.join()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPUs")
def test_worker_count_uses_the_cpus_for_big_single_threaded_builds():
    # A fresh interpreter: the test runner itself may keep other threads alive.
    code = "from kb.parallel import worker_count; print(worker_count(None, 10_000))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 2


def test_a_result_that_cannot_come_back_is_parsed_here():
    from concurrent.futures import Future

    data, source = b"One claim here [1].\n\nReferences\n\n1. Doe J. T. 2001.\n", "x.txt"
    lost = Future()
    lost.set_exception(RuntimeError("result could not be unpickled"))
    pool = ParsePool(2)  # never started: the job carries its own failed future
    assert pool.result(Pending(data, source, None, future=lost)) == parse_safely(data, source, None)
    assert pool.fallbacks == 1
