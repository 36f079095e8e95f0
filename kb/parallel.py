"""Parse articles in worker processes while the caller saves them in input order.

Parsing is pure (bytes in, ``ParsedArticle`` out) and is most of the ingest cost, so a
build with many inputs hands it to a pool. The work one article needs is one pure
function, ``compute_article(job) -> ParsedArticle | Failure``, run by any
``concurrent.futures.Executor``: the local process pool here, or another executor with
the same interface (a ``distributed.Client.get_executor()``). A time budget per article
belongs inside ``compute_article``, so every executor enforces it.

``ArticlePool`` takes the results back in the order they were submitted, so saving,
failure records and counts happen exactly as in a sequential build. A worker that dies
(the pool breaks) costs nothing but speed: the articles it held are parsed again here.

Local workers are forked, which needs a single-threaded caller (a fork taken while
another thread holds a lock can hang the child); a build running in a thread of a server
gets no pool unless it asks for one, and then the workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ingest.types import Failure, IngestError, ParsedArticle

MIN_INPUTS = 16  # below this, starting workers costs more than it saves
MAX_WORKERS = 4

ArticleResult = ParsedArticle | Failure


@dataclass(frozen=True)
class ArticleJob:
    """One article to parse: everything ``compute_article`` needs, and nothing else."""

    source: str
    data: bytes
    content_type: str | None = None
    timeout: float | None = None  # seconds the parse may take (ingest.budget); None: no limit


def compute_article(job: ArticleJob) -> ArticleResult:
    """Parse one article; every failure, parser bugs included, comes back as a
    ``Failure`` (never raised, so the other articles go on). The article's wall-clock
    budget is enforced here, in the process that parses: a parse past ``job.timeout``
    seconds becomes a ``timeout`` failure naming the stage it had reached."""
    from ingest.article import parse_article
    from ingest.budget import article_budget

    try:
        with article_budget(job.timeout):
            return parse_article(job.data, job.source, content_type=job.content_type)
    except IngestError as exc:
        return Failure.of(exc, job.source)
    except RecursionError as exc:
        return Failure.of(
            exc, job.source, stage="parse", reason="document nests too deeply to parse"
        )
    except Exception as exc:  # noqa: BLE001 - a parser bug fails its article, not the build
        reason = f"parser failed: {type(exc).__name__}: {exc}"
        return Failure.of(exc, job.source, stage="parse", reason=reason)


def compute_articles(jobs: list[ArticleJob]) -> list[ArticleResult]:
    """``compute_article`` of several articles: one task of an executor whose every task
    costs more than a local process pool's (a Dask cluster's)."""
    return [compute_article(job) for job in jobs]


def _warm_up() -> None:
    """Import every reader (and build pysbd's segmenter): once in the parent before
    forking, so the workers inherit them, or once per spawned worker."""
    body = b"Warm up. The parser [1].\n\nReferences\n\n1. A. Title. 2020.\n"
    for name in ("w.txt", "w.md", "w.html"):
        compute_article(ArticleJob(name, body if name != "w.html" else b"<p>" + body + b"</p>"))


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


class LocalPool(ProcessPoolExecutor):
    """The standard process pool, with the parsers warmed up where the workers get them:
    in this process just before the first fork (the children inherit them), or in each
    spawned worker. Nothing starts until the first article is submitted."""

    def __init__(self, workers: int):
        # fork: no re-import of the caller's main script (spawn runs an unguarded one
        # again) and the parsers are already imported.
        context = multiprocessing.get_context("fork" if _can_fork() else "spawn")
        self._warm_parent = context.get_start_method() == "fork"
        super().__init__(
            workers, mp_context=context, initializer=None if self._warm_parent else _warm_up
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._warm_parent:
            self._warm_parent = False  # once, before the first fork
            _warm_up()
        return super().submit(fn, *args, **kwargs)

    def __exit__(self, *exc: object) -> bool:
        self.shutdown(wait=True, cancel_futures=True)  # an interrupted build waits for no one
        return False


def local_executor(workers: int) -> LocalPool | None:
    """The local pool for ``workers`` processes; None for 0 (parse in this process)."""
    return LocalPool(workers) if workers > 0 else None


@dataclass
class Pending:
    """One submitted article: the job is kept to parse again if the pool breaks."""

    job: ArticleJob
    future: Future | None = None
    done: ArticleResult | None = None
    index: int | None = None  # its place in the result of a task of several articles


class _Task:
    """A task of several articles: its result is fetched once (from a cluster, a transfer)
    for all of them."""

    def __init__(self, future: Future) -> None:
        self._future: Future | None = future
        self._results: list[ArticleResult] | None = None

    def result(self) -> list[ArticleResult]:
        if self._results is None:
            self._results = self._future.result()  # type: ignore[union-attr]
            self._future = None  # a cluster may forget it now
        return self._results


class ArticlePool:
    """``submit`` articles in input order, ``result`` them back in the same order.

    ``executor`` runs ``compute_article``; with None (or once the executor has broken)
    parsing happens inside ``submit``, in this process, exactly as a sequential build
    does. An executor with a ``chunk`` attribute over 1 gets tasks of that many articles
    (``compute_articles``): submitted once full, or when a result of one is asked for.
    The caller owns the executor and shuts it down."""

    def __init__(self, executor: Executor | None):
        self.executor = executor
        self.chunk = max(1, int(getattr(executor, "chunk", 1)))
        self.broken = False  # the executor broke: every article is parsed here
        self.fallbacks = 0  # articles parsed here because the executor failed them
        self._batch: list[Pending] = []  # submitted here, not yet to the executor

    def submit(self, job: ArticleJob) -> Pending:
        pending = Pending(job)
        if self.executor is not None:
            self._batch.append(pending)
            if len(self._batch) >= self.chunk:
                self._flush()
            return pending
        pending.done = self._compute_here(job, fallback=self.broken)
        return pending

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        if self.executor is not None:
            try:
                if self.chunk == 1:
                    batch[0].future = self.executor.submit(compute_article, batch[0].job)
                    return
                task = _Task(self.executor.submit(compute_articles, [p.job for p in batch]))
                for i, p in enumerate(batch):
                    p.future, p.index = task, i  # type: ignore[assignment]
                return
            except BrokenProcessPool:
                self._give_up()
        for p in batch:
            p.done = self._compute_here(p.job, fallback=self.broken)

    def result(self, pending: Pending) -> ArticleResult:
        """The parsed article or its ``Failure``."""
        if pending.done is None and pending.future is None:
            self._flush()  # its task was waiting to fill up
        if pending.done is None:
            try:
                got = pending.future.result()  # type: ignore[union-attr]
                pending.done = got if pending.index is None else got[pending.index]
            except BrokenProcessPool:
                self._give_up()
                pending.done = self._compute_here(pending.job)
            except Exception:  # noqa: BLE001 - the result could not come back (not picklable)
                pending.done = self._compute_here(pending.job)
        pending.future = None
        pending.job = ArticleJob(pending.job.source, b"")  # keep the read-ahead window small
        return pending.done

    def _compute_here(self, job: ArticleJob, *, fallback: bool = True) -> ArticleResult:
        self.fallbacks += fallback
        return compute_article(job)

    def _give_up(self) -> None:
        """The executor broke (a worker died): parse the rest here."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
        self.broken = True
