"""Parse articles in worker processes while the caller saves them in input order.

Parsing is pure (bytes in, ``ParsedArticle`` out) and is most of the ingest cost, so a
build with many inputs hands it to a small process pool. Results are taken back in the
order they were submitted, so saving, failure records and counts happen exactly as in
a sequential build. A worker that dies (the pool breaks) costs nothing but speed: the
articles it held are parsed again in the calling process.

Workers are forked, which needs a single-threaded caller (a fork taken while another
thread holds a lock can hang the child); a build running in a thread of a server gets
no pool unless it asks for one, and then the workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ingest.types import IngestError, ParsedArticle

MIN_INPUTS = 16  # below this, starting workers costs more than it saves
MAX_WORKERS = 4


def parse_safely(
    data: bytes, source: str, content_type: str | None, timeout: float | None = None
) -> ParsedArticle:
    """``parse_article`` with every failure turned into a one-line ``IngestError``, under
    a wall-clock budget of ``timeout`` seconds (``ingest.budget``)."""
    from ingest.article import parse_article
    from ingest.budget import article_budget

    try:
        with article_budget(timeout):
            return parse_article(data, source, content_type=content_type)
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError("document nests too deeply to parse", stage="parse") from exc
    except Exception as exc:  # a parser bug must not stop the other articles
        raise IngestError(f"parser failed: {type(exc).__name__}: {exc}", stage="parse") from exc


def _parse_task(
    data: bytes, source: str, content_type: str | None, timeout: float | None = None
) -> tuple:
    # An IngestError's stage would not survive pickling (it is a keyword argument).
    try:
        return ("ok", parse_safely(data, source, content_type, timeout))
    except IngestError as exc:
        return ("error", str(exc), exc.stage)


def _warm_up() -> None:
    """Import every reader (and build pysbd's segmenter): once in the parent before
    forking, so the workers inherit them, or once per spawned worker."""
    body = b"Warm up. The parser [1].\n\nReferences\n\n1. A. Title. 2020.\n"
    for name in ("w.txt", "w.md", "w.html"):
        try:
            parse_safely(body if name != "w.html" else b"<p>" + body + b"</p>", name, None)
        except IngestError:
            pass


def worker_count(requested: int | None, n_inputs: int) -> int:
    """Workers to use: ``requested`` if given (0 = parse in this process), else one per
    available CPU (up to MAX_WORKERS) when there are at least MIN_INPUTS inputs, more
    than one CPU and this process runs a single thread."""
    if requested is not None:
        return max(0, requested)
    if not _can_fork():
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if cpus < 2 or n_inputs < MIN_INPUTS:
        return 0
    return min(cpus, MAX_WORKERS)


def _can_fork() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _context() -> multiprocessing.context.BaseContext:
    # fork: no re-import of the caller's main script (spawn runs an unguarded one again)
    # and the parsers are already imported.
    return multiprocessing.get_context("fork" if _can_fork() else "spawn")


@dataclass
class Pending:
    """One submitted parse: the inputs are kept to parse again if the pool breaks."""

    data: bytes
    source: str
    content_type: str | None
    future: Future | None = None
    done: ParsedArticle | IngestError | None = None


class ParsePool:
    """``submit`` articles in input order, ``result`` them back in the same order.

    With ``workers=0`` (or once the pool has broken) parsing happens inside ``submit``,
    in this process, exactly as a sequential build does."""

    def __init__(self, workers: int, article_timeout: float | None = None):
        self.workers = workers
        self.article_timeout = article_timeout  # seconds per article, in the parsing process
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self.fallbacks = 0  # articles parsed here because the pool broke

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = _context()
            forked = context.get_start_method() == "fork"
            if forked:
                _warm_up()
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=None if forked else _warm_up
            )
        return self._pool

    def submit(self, data: bytes, source: str, content_type: str | None) -> Pending:
        job = Pending(data, source, content_type)
        if self.workers > 0 and not self._broken:
            try:
                job.future = self._executor().submit(
                    _parse_task, data, source, content_type, self.article_timeout
                )
                return job
            except BrokenProcessPool:
                self._give_up()
        job.done = self._parse_here(job)
        return job

    def result(self, job: Pending) -> ParsedArticle:
        """The parsed article, or raises the ``IngestError`` parsing it raised."""
        if job.done is None:
            try:
                outcome = job.future.result()  # type: ignore[union-attr]
            except BrokenProcessPool:
                self._give_up()
                job.done = self._parse_here(job)
            except Exception:  # the result could not come back (e.g. not picklable)
                job.done = self._parse_here(job)
            else:
                if outcome[0] == "ok":
                    job.done = outcome[1]
                else:
                    job.done = IngestError(outcome[1], stage=outcome[2])
        job.future = None
        job.data = b""  # the bytes are no longer needed: keep the window small
        if isinstance(job.done, IngestError):
            raise job.done
        return job.done

    def _parse_here(self, job: Pending) -> ParsedArticle | IngestError:
        if self.workers > 0:
            self.fallbacks += 1
        try:
            return parse_safely(job.data, job.source, job.content_type, self.article_timeout)
        except IngestError as exc:
            return exc

    def _give_up(self) -> None:
        """The pool broke (a worker died): parse the rest here."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._broken = True
