"""Parsing in worker processes: the same rows, failures and order as a sequential build."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from ingest.types import REASON_MAX, Failure, ParsedArticle
from kb.build import BuildOptions, build
from kb.parallel import (
    MIN_INPUTS,
    ArticleJob,
    ArticlePool,
    LocalPool,
    Pending,
    compute_article,
    worker_count,
)
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
    assert [(f.source, f.stage, f.reason) for f in pool.failures] == [
        (f.source, f.stage, f.reason) for f in seq.failures
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
    jobs = [ArticleJob(source, data) for data, source in inputs]
    expected = [compute_article(job) for job in jobs]
    with LocalPool(2) as executor:
        pool = ArticlePool(executor)
        got = [pool.result(p) for p in [pool.submit(job) for job in jobs]]
    assert got == expected
    assert got[0] == Failure("e.txt", "decode", "input is empty", "input is empty")
    assert isinstance(got[1], Failure) and got[1].stage == "decode"
    assert isinstance(got[2], ParsedArticle)
    assert pool.fallbacks == 0


def _explode(*_args, **_kwargs):
    raise ValueError("a parser bug\nspread over two lines " + "x" * 400)


def test_a_parser_bug_is_one_failure_with_a_short_reason_and_the_whole_traceback(monkeypatch):
    import ingest.article

    monkeypatch.setattr(ingest.article, "parse_article", _explode)
    failure = compute_article(ArticleJob("bug.txt", b"Text [1]."))
    assert isinstance(failure, Failure)
    assert (failure.source, failure.stage) == ("bug.txt", "parse")
    assert failure.reason.startswith("parser failed: ValueError: a parser bug spread over")
    assert "\n" not in failure.reason and len(failure.reason) == REASON_MAX
    assert "Traceback" in failure.detail and "_explode" in failure.detail
    assert "x" * 400 in failure.detail


def test_a_dead_worker_only_costs_speed():
    docs = [(f"Article {i} states a fact [1].\n\nReferences\n\n1. Doe J. T. 2001.", f"a{i}.txt")
            for i in range(6)]  # fmt: skip
    jobs = [ArticleJob(s, d.encode()) for d, s in docs]
    expected = [compute_article(job) for job in jobs]
    with LocalPool(1) as executor:
        pool = ArticlePool(executor)
        first = pool.submit(jobs[0])
        assert pool.result(first) == expected[0]  # the worker is up
        for pid in list(executor._processes):  # kill it
            os.kill(pid, signal.SIGKILL)
        pending = [pool.submit(job) for job in jobs[1:]]
        assert [pool.result(p) for p in pending] == expected[1:]
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

    job = ArticleJob("x.txt", b"One claim here [1].\n\nReferences\n\n1. Doe J. T. 2001.\n")
    lost = Future()
    lost.set_exception(RuntimeError("result could not be unpickled"))
    pool = ArticlePool(None)  # no executor: the job carries its own failed future
    assert pool.result(Pending(job, future=lost)) == compute_article(job)
    assert pool.fallbacks == 1


def test_any_executor_runs_the_articles():
    # the pool is the executor interface only: a thread pool stands in for another kind
    from concurrent.futures import ThreadPoolExecutor

    jobs = [ArticleJob(f"t{i}.txt", f"Claim {i} holds [1].".encode()) for i in range(4)]
    with ThreadPoolExecutor(2) as executor:
        pool = ArticlePool(executor)
        got = [pool.result(p) for p in [pool.submit(job) for job in jobs]]
    assert got == [compute_article(job) for job in jobs]
    assert pool.fallbacks == 0


def test_articles_go_in_tasks_of_several_where_the_executor_asks_for_it():
    from concurrent.futures import ThreadPoolExecutor

    jobs = [ArticleJob(f"t{i}.txt", f"Claim {i} holds [1].".encode()) for i in range(7)]
    tasks: list[int] = []

    class Chunked(ThreadPoolExecutor):
        chunk = 3

        def submit(self, fn, /, *args, **kwargs):
            tasks.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    with Chunked(2) as executor:
        pool = ArticlePool(executor)
        pending = [pool.submit(job) for job in jobs[:4]]
        first = pool.result(pending[0])  # its task was full: already submitted
        fourth = pool.result(pending[3])  # alone in a task not yet full: submitted now
        pending += [pool.submit(job) for job in jobs[4:]]
        got = [first, *(pool.result(p) for p in pending[1:3]), fourth]
        got += [pool.result(p) for p in pending[4:]]
    assert got == [compute_article(job) for job in jobs]
    assert tasks == [3, 1, 3] and pool.fallbacks == 0
