"""What a build writes about itself and its inputs: failure rows that describe the present,
pruning of sources the build could see, and the ``build_run`` row."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.types import Failure
from kb.inputs import PruneScope
from kb.models import Article, BuildRun, IngestFailure, utcnow
from kb.save import delete_article_rows

if TYPE_CHECKING:  # kb.build imports this module
    from kb.build import BuildOptions, BuildResult


def record_failure(engine: Engine, failure: Failure) -> None:
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


def clear_failures(engine: Engine, sources: list[str]) -> None:
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


def start_run(engine: Engine, opts: BuildOptions) -> int:
    with Session(engine) as session, session.begin():
        run = BuildRun(offline=opts.offline)
        session.add(run)
        session.flush()
        return run.id


def finish_run(engine: Engine, run_id: int, result: BuildResult) -> None:
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
