"""Build the knowledge base: ingest inputs, verify with Crossref, derive, audit.

Each article is read, parsed and saved in its own transaction: a failing
article is recorded in ``ingest_failure`` and the others go on. Unchanged
content (same sha256) is skipped. Derived layers (evidence types, condition
tags, audit findings) are recomputed only for articles whose inputs changed,
so a rebuild with nothing new changes nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.resources import RESOURCES
from ingest.types import Failure, IngestError, one_line
from kb.build_records import clear_failures, finish_run, prune, record_failure, start_run
from kb.database import open_db
from kb.inputs import InputSpec, discover, prune_scope
from kb.lock import write_lock
from kb.models import Article, IngestFailure
from kb.parallel import ArticleJob, ArticlePool, Pending, local_executor, worker_count
from kb.save import save_article
from kb.summary import refresh_summaries

DATA = RESOURCES.data
DEFAULT_INPUTS = [str(DATA / "articles")]
DEFAULT_SNAPSHOTS = [DATA / "snapshot"]
DERIVED_INPUTS = [
    DATA / "conditions.csv",
    DATA / "evidence_rules.json",
    DATA / "audit" / "non_scholarly_sources.csv",
]


@dataclass
class BuildResult:
    inputs: int = 0
    ingested: int = 0
    unchanged: int = 0
    pruned: int = 0
    prune_skipped: bool = False  # --prune asked for, but an input failed
    derived: int = 0
    summaries: int = 0  # conditions whose summary rows were recomputed
    failures: list[Failure] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list, repr=False)
    crossref: dict | None = None
    crossref_line: str | None = None
    seconds: float = 0.0
    derive_stats: DeriveStats = field(default_factory=lambda: DeriveStats())
    cpu: dict[str, float] = field(default_factory=dict)  # phase -> CPU s of this process

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        parts = [
            f"{self.inputs} inputs",
            f"{self.ingested} ingested",
            f"{self.unchanged} unchanged",
            f"{len(self.failures)} failed",
        ]
        if self.pruned:
            parts.append(f"{self.pruned} pruned")
        if self.prune_skipped:
            parts.append("nothing pruned (an input failed, so the build could not see everything)")
        return "Built: " + ", ".join(parts) + f" in {self.seconds:.1f}s"


@dataclass
class BuildOptions:
    offline: bool = False
    refresh: bool = False
    prune: bool = False
    force: bool = False
    mailto: str | None = None
    base_url: str | None = None
    snapshot_dirs: Sequence[Path] = tuple(DEFAULT_SNAPSHOTS)
    progress: bool = False
    crossref: bool = True
    crossref_limits: object | None = None
    fetch_timeout: float = 20  # seconds, each wait on the network for articles given as URLs
    fetch_deadline: float = 60  # seconds, a whole download: connect to last byte
    workers: int | None = None  # parser processes; None = one per CPU for big builds, 0 = none
    cluster: str | None = None  # a Dask scheduler address: the per-article compute runs there
    article_timeout: float | None = 60  # seconds to parse one article (None: no budget)
    lock_wait: float | None = None  # seconds to wait for another build; None = as long as it takes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _start(
    engine: Engine,
    spec: InputSpec,
    pool: ArticlePool,
    *,
    force: bool,
    fetch: tuple[float, float],
    timeout: float | None = None,
) -> tuple:
    """Read one input and hand it to the parser: ("unchanged", id) or ("parse", digest,
    pending). Raises IngestError when the input cannot be read."""
    from ingest.article import read_source

    data, content_type = read_source(spec.location, timeout=fetch[0], deadline=fetch[1])
    digest = sha256(data)
    with Session(engine) as session:
        row = session.execute(
            select(Article.id, Article.content_hash).where(Article.source == spec.source)
        ).first()
        if row is not None and row.content_hash == digest and not force:
            return "unchanged", row.id
    return "parse", digest, pool.submit(ArticleJob(spec.source, data, content_type, timeout))


def _finish(
    engine: Engine, spec: InputSpec, pool: ArticlePool, digest: str, job: Pending
) -> int | Failure:
    """Take the parsed article back and save it in its own transaction."""
    parsed = pool.result(job)
    if isinstance(parsed, Failure):
        return parsed
    try:
        with Session(engine) as session, session.begin():
            article_id = save_article(session, parsed, source_kind=spec.kind, content_hash=digest)
            session.execute(delete(IngestFailure).where(IngestFailure.source == spec.source))
    except Exception as exc:  # noqa: BLE001 - one article's save failure is recorded, others go on
        reason = f"could not save: {type(exc).__name__}: {exc}"
        return Failure.of(exc, spec.source, stage="save", reason=reason)
    return article_id


def _derived_inputs_hash() -> str:
    h = hashlib.sha256()
    for path in DERIVED_INPUTS:
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class DeriveStats:
    derived: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # stage -> CPU s, summed over processes


def derive(
    engine: Engine,
    article_ids: Sequence[int] | None = None,
    *,
    force: bool = False,
    executor: Executor | None = None,
    stats: DeriveStats | None = None,
) -> int:
    """Evidence types, condition tags and the audit for articles whose inputs changed.

    Each article's rows are computed by ``kb.derive.compute_derived`` (in ``executor``'s
    workers when given, each on its own connection, a few articles ahead) and saved here,
    one transaction per article, in input order."""
    from kb.derive import compute_derived, write_derived
    from kb.tagging import ensure_vocabulary

    base = _derived_inputs_hash()
    stats = stats if stats is not None else DeriveStats()
    with Session(engine) as session, session.begin():
        ensure_vocabulary(session)
    with Session(engine) as session:
        ids = article_ids or list(session.execute(select(Article.id)).scalars())
    if executor is None:

        def computed():
            for article_id in ids:
                with Session(engine) as session:
                    yield compute_derived(session, article_id, base, force=force)

        results = computed()
    else:
        results = _derived_in(executor, str(engine.url.database), ids, base, force)
    for rows in results:
        if rows is None:
            continue
        with Session(engine) as session, session.begin():
            write_derived(session, rows)
        stats.derived += 1
        for stage, seconds in rows.cpu.items():
            stats.cpu[stage] = stats.cpu.get(stage, 0.0) + seconds
    return stats.derived


def _derived_in(executor: Executor, db: str, ids: list[int], base: str, force: bool):
    """``derive_task`` of every article in ``executor``, in order: one article a task, or
    ``executor.chunk`` articles a task (``derive_tasks``) where tasks cost more."""
    from kb.derive import derive_task, derive_tasks

    chunk = max(1, int(getattr(executor, "chunk", 1)))
    if chunk == 1:
        yield from _ordered(executor, [(derive_task, db, aid, base, force) for aid in ids])
        return
    calls = [(derive_tasks, db, ids[i : i + chunk], base, force) for i in range(0, len(ids), chunk)]
    for results in _ordered(executor, calls, window=max(4, 16 // chunk)):
        yield from results


def _ordered(executor: Executor, calls: list[tuple], window: int = 16):
    """Results of ``calls`` in order, at most ``window`` submitted ahead."""
    pending: deque = deque()
    for call in calls:
        pending.append(executor.submit(*call))
        while len(pending) > window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def build(
    paths: Sequence[str] | None,
    db_path: str | Path,
    options: BuildOptions | None = None,
    *,
    echo: Callable[[str], None] = lambda _msg: None,
) -> BuildResult:
    """Build or update the knowledge base at ``db_path`` from ``paths``.

    One build writes at a time (``kb.lock``): a second one waits, saying so, or raises
    ``DatabaseBusy`` once ``lock_wait`` seconds have passed."""
    opts = options or BuildOptions()
    with write_lock(db_path, wait=opts.lock_wait, echo=echo):
        return _build(paths, db_path, opts, echo)


def _build(
    paths: Sequence[str] | None, db_path: str | Path, opts: BuildOptions, echo: Callable
) -> BuildResult:
    started = time.monotonic()
    engine = open_db(db_path)
    result = BuildResult()
    specs, problems = discover(list(paths or DEFAULT_INPUTS))
    result.inputs = len(specs) + len(problems)
    for arg, reason in problems:
        failure = Failure(arg, "read", one_line(reason), reason)
        result.failures.append(failure)
        record_failure(engine, failure)

    run_id = start_run(engine, opts)
    # One executor runs every per-article computation (parsing, then the derived layers);
    # saving stays here, in input order.
    cpu = result.cpu  # CPU seconds of this process per phase (workers report their own)
    with compute_executor(opts, len(specs)) as executor:
        with _cpu(cpu, "ingest"):
            _ingest_all(engine, specs, opts, result, executor)
            clear_failures(engine, result.unchanged_sources)
            if opts.prune and result.failures:
                # A source missing from this build may only be unreadable (a typo, a folder
                # we could not list, a network error): prune only what the build saw whole.
                result.prune_skipped = True
            elif opts.prune:
                scope = prune_scope(list(paths or DEFAULT_INPUTS))
                result.pruned = prune(engine, {s.source for s in specs}, scope)
        if opts.crossref:
            with _cpu(cpu, "crossref"):
                result.crossref, result.crossref_line = _crossref(engine, opts, echo)
        with _cpu(cpu, "derive"):
            result.derived = derive(
                engine, force=opts.force, executor=executor, stats=result.derive_stats
            )
    result.summaries = refresh_summaries(engine)  # the conditions whose figures changed
    result.seconds = time.monotonic() - started
    finish_run(engine, run_id, result)
    return result


@contextmanager
def _cpu(into: dict[str, float], phase: str) -> Iterator[None]:
    started = time.process_time()
    try:
        yield
    finally:
        into[phase] = into.get(phase, 0.0) + time.process_time() - started


def compute_executor(opts: BuildOptions, n_inputs: int) -> AbstractContextManager:
    """The executor of the per-article compute: a Dask cluster's (``opts.cluster``), the
    local process pool, or None (everything in this process)."""
    if opts.cluster:
        from kb.cluster import cluster_executor

        return cluster_executor(opts.cluster)
    return local_executor(worker_count(opts.workers, n_inputs)) or nullcontext()


def _ingest_all(
    engine: Engine,
    specs: list[InputSpec],
    opts: BuildOptions,
    result: BuildResult,
    executor: Executor | None = None,
):
    """Read, parse and save every input. Parsing may run in ``executor``'s workers a few
    articles ahead; everything else (saving, counting, recording failures) happens
    here, one article at a time, in input order."""
    import click

    width = getattr(executor, "_max_workers", None) or getattr(executor, "workers", 1)
    chunk = getattr(executor, "chunk", 1)  # articles a task (kb.parallel.ArticlePool)
    window = 3 * width * chunk if executor is not None else 0  # read ahead; 0 = sequential
    pending: deque[tuple[InputSpec, tuple | Failure]] = deque()
    with click.progressbar(
        length=len(specs),
        label="Ingesting",
        show_pos=True,
        file=None if opts.progress else _Null(),
    ) as bar:
        pool = ArticlePool(executor)
        for spec in specs:
            try:
                fetch = (opts.fetch_timeout, opts.fetch_deadline)
                started = _start(
                    engine, spec, pool, force=opts.force, fetch=fetch, timeout=opts.article_timeout
                )
            except IngestError as exc:
                started = Failure.of(exc, spec.source)
            except Exception as exc:  # noqa: BLE001 - one input must not stop the build
                started = Failure.of(exc, spec.source, stage="read")
            pending.append((spec, started))
            while len(pending) > window:
                _complete(engine, pool, *pending.popleft(), result)
                bar.update(1)
        while pending:
            _complete(engine, pool, *pending.popleft(), result)
            bar.update(1)


def _complete(
    engine: Engine,
    pool: ArticlePool,
    spec: InputSpec,
    started: tuple | Failure,
    result: BuildResult,
) -> None:
    if not isinstance(started, Failure) and started[0] == "unchanged":
        result.unchanged += 1
        result.unchanged_sources.append(spec.source)
        return
    outcome = started if isinstance(started, Failure) else _finish(engine, spec, pool, *started[1:])
    if isinstance(outcome, Failure):
        result.failures.append(outcome)
        record_failure(engine, outcome)
        return
    result.ingested += 1


def _crossref(engine: Engine, opts: BuildOptions, echo: Callable[[str], None]):
    from kb.crossref.run import verify_and_suggest

    summary = verify_and_suggest(
        engine,
        offline=opts.offline,
        refresh=opts.refresh,
        mailto=opts.mailto,
        base_url=opts.base_url,
        snapshot_dirs=[p for p in opts.snapshot_dirs if Path(p).exists()],
        progress=opts.progress,
        limits=opts.crossref_limits,
    )
    line = summary.line()
    echo(line)
    return summary.as_dict(), line


class _Null:
    """A file that swallows the progress bar when progress is off."""

    def write(self, _s: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
