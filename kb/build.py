"""Build the knowledge base: ingest inputs, verify with Crossref, derive, audit.

Each article is read, parsed and saved in its own transaction: a failing
article is recorded in ``ingest_failure`` and the others go on. Unchanged
content (same sha256) is skipped. Derived layers (evidence types, condition
tags, audit findings) are recomputed only for articles whose inputs changed,
so a rebuild with nothing new changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.resources import RESOURCES
from ingest.types import Failure, IngestError, one_line
from kb.database import open_db
from kb.inputs import InputSpec, PruneScope, discover, prune_scope
from kb.lock import write_lock
from kb.models import Article, BuildRun, IngestFailure, Reference, utcnow
from kb.parallel import ArticleJob, ArticlePool, Pending, local_executor, worker_count
from kb.save import delete_article_rows, save_article
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
    except Exception as exc:
        reason = f"could not save: {type(exc).__name__}: {exc}"
        return Failure.of(exc, spec.source, stage="save", reason=reason)
    return article_id


def _record_failure(engine: Engine, failure: Failure) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(IngestFailure).where(IngestFailure.source == failure.source))
        session.add(
            IngestFailure(
                source=failure.source,
                error=failure.reason,
                stage=failure.stage,
                detail=failure.detail,
            )
        )


def _clear_failures(engine: Engine, sources: list[str]) -> None:
    """Failure rows describe the present: a source read fine this time has none."""
    with Session(engine) as session, session.begin():
        for i in range(0, len(sources), 500):
            chunk = sources[i : i + 500]
            session.execute(delete(IngestFailure).where(IngestFailure.source.in_(chunk)))


def prune(engine: Engine, keep_sources: set[str], scope: PruneScope | None = None) -> int:
    """Remove articles whose source is no longer among the inputs: only those the build
    could see (``scope``: under a folder it walked, or URLs when it read URL lists)."""
    with Session(engine) as session, session.begin():
        gone = [
            (aid, src)
            for aid, src in session.execute(select(Article.id, Article.source))
            if src not in keep_sources and (scope is None or scope.covers(src))
        ]
        for aid, _src in gone:
            delete_article_rows(session, aid)
            session.execute(delete(Article).where(Article.id == aid))
    return len(gone)


def _derived_inputs_hash() -> str:
    h = hashlib.sha256()
    for path in DERIVED_INPUTS:
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


def _derived_hash(session: Session, article_id: int, content_hash: str, base: str) -> str:
    """Everything the derived layers read that can change without the text changing."""
    refs = session.execute(
        select(Reference.key, Reference.work_doi, Reference.verification)
        .where(Reference.article_id == article_id)
        .order_by(Reference.position)
    ).all()
    payload = json.dumps([content_hash, base, [list(r) for r in refs]])
    return hashlib.sha256(payload.encode()).hexdigest()


def derive(engine: Engine, article_ids: Sequence[int] | None = None, *, force: bool = False) -> int:
    """Evidence types, condition tags and the audit for articles whose inputs changed."""
    from kb.audit import run_audit
    from kb.evidence import classify_references
    from kb.search_terms import index_article
    from kb.tagging import ensure_vocabulary, tag_article

    base = _derived_inputs_hash()
    done = 0
    with Session(engine) as session, session.begin():
        ensure_vocabulary(session)
    with Session(engine) as session:
        ids = article_ids or list(session.execute(select(Article.id)).scalars())
    for article_id in ids:
        with Session(engine) as session, session.begin():
            content_hash, stored = session.execute(
                select(Article.content_hash, Article.derived_hash).where(Article.id == article_id)
            ).one()
            current = _derived_hash(session, article_id, content_hash, base)
            if stored == current and not force:
                continue
            classify_references(session, article_id)
            tag_article(session, article_id)
            index_article(session, article_id)
            run_audit(session, article_id)
            session.execute(
                update(Article).where(Article.id == article_id).values(derived_hash=current)
            )
            done += 1
    return done


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
        _record_failure(engine, failure)

    run_id = _start_run(engine, opts)
    _ingest_all(engine, specs, opts, result)
    _clear_failures(engine, result.unchanged_sources)
    if opts.prune and result.failures:
        # A source missing from this build may only be unreadable (a typo, a folder we
        # could not list, a network error): prune only what the build saw whole.
        result.prune_skipped = True
    elif opts.prune:
        scope = prune_scope(list(paths or DEFAULT_INPUTS))
        result.pruned = prune(engine, {s.source for s in specs}, scope)

    if opts.crossref:
        result.crossref, result.crossref_line = _crossref(engine, opts, echo)
    result.derived = derive(engine, force=opts.force)
    result.summaries = refresh_summaries(engine)  # the conditions whose figures changed
    result.seconds = time.monotonic() - started
    _finish_run(engine, run_id, result)
    return result


def _ingest_all(engine: Engine, specs: list[InputSpec], opts: BuildOptions, result: BuildResult):
    """Read, parse and save every input. Parsing may run in worker processes a few
    articles ahead; everything else (saving, counting, recording failures) happens
    here, one article at a time, in input order."""
    import click

    workers = worker_count(opts.workers, len(specs))
    window = 3 * workers  # articles read ahead of the one being saved; 0 = sequential
    pending: deque[tuple[InputSpec, tuple | Failure]] = deque()
    with (
        click.progressbar(
            length=len(specs),
            label="Ingesting",
            show_pos=True,
            file=None if opts.progress else _Null(),
        ) as bar,
        local_executor(workers) or nullcontext() as executor,
    ):
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
        _record_failure(engine, outcome)
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


def _start_run(engine: Engine, opts: BuildOptions) -> int:
    with Session(engine) as session, session.begin():
        run = BuildRun(offline=opts.offline)
        session.add(run)
        session.flush()
        return run.id


def _finish_run(engine: Engine, run_id: int, result: BuildResult) -> None:
    summary = {
        "inputs": result.inputs,
        "ingested": result.ingested,
        "unchanged": result.unchanged,
        "pruned": result.pruned,
        "prune_skipped": result.prune_skipped,
        "derived": result.derived,
        "summaries": result.summaries,
        "failed": [
            {"source": f.source, "stage": f.stage, "error": f.reason} for f in result.failures
        ],
        "crossref": result.crossref,
    }
    reachable = (result.crossref or {}).get("reachable")
    with Session(engine) as session, session.begin():
        session.execute(
            update(BuildRun)
            .where(BuildRun.id == run_id)
            .values(
                finished_at=utcnow(),
                crossref_reachable=reachable,
                summary=json.dumps(summary, default=str),
            )
        )


class _Null:
    """A file that swallows the progress bar when progress is off."""

    def write(self, _s: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
