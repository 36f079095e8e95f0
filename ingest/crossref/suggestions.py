"""The suggestion step of a run: candidates, validation, the best one stored, editors' decisions.

Suggestions are recomputed on every run for the articles in scope; editors'
decisions live in ``suggestion_decision`` (article source + reference key + DOI)
and are re-applied, so an accepted suggestion stays accepted (and keeps the
reference linked to its work) and a rejected DOI is never suggested again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import click
from sqlalchemy import delete, select
from sqlmodel import Session

from ingest.crossref.cache import lookup, query_key, raw, save_response
from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError
from ingest.crossref.match import Match, RefFacts, best_match, validate
from ingest.crossref.suggest import (
    facts_from_reference,
    local_candidates,
    needs_suggestion,
    query_text,
    worth_searching,
)
from ingest.crossref.works import save_work, work_from_message
from kb.models import Article, Reference, Suggestion, SuggestionDecision, Work

ROWS = 5
GOOD_ENOUGH = 0.9  # a local candidate this good spares a Crossref query


def _decisions(session: Session, sources: dict[int, str]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    rows = session.execute(
        select(SuggestionDecision).where(SuggestionDecision.article_source.in_(sources.values()))
    ).scalars()
    for d in rows:
        out.setdefault((d.article_source, d.reference_key), {})[d.doi.lower()] = d.status
    return out


def _best(facts: RefFacts, works: list[Work], rejected: set[str]) -> Match | None:
    return best_match(facts, [w for w in works if w.doi not in rejected])


def _provenance(doi: str, session: Session, fetched_now: set[str]) -> str:
    work = session.get(Work, doi)
    if work is None or work.provenance == "snapshot":
        return "snapshot"
    return "api" if doi in fetched_now else "cache"


def _search(client: CrossrefClient, text: str) -> list[dict] | CrossrefError:
    try:
        return client.search_bibliographic(text, rows=ROWS)
    except CrossrefError as err:
        return err


def make_suggestions(
    session: Session,
    article_ids: Sequence[int] | None,
    *,
    client: CrossrefClient | None = None,
    fetched_now: set[str] = frozenset(),  # type: ignore[assignment]
    progress: bool = False,
) -> int:
    """Recompute suggestions for the articles in scope; returns how many are standing
    (suggested or accepted)."""
    stmt = select(Article.id, Article.source)
    if article_ids is not None:
        stmt = stmt.where(Article.id.in_(article_ids))
    sources = dict(session.execute(stmt).all())
    if not sources:
        return 0
    session.execute(delete(Suggestion).where(Suggestion.article_id.in_(sources)))
    decisions = _decisions(session, sources)
    refs = [
        r
        for r in session.execute(
            select(Reference).where(Reference.article_id.in_(sources)).order_by(Reference.id)
        ).scalars()
        if needs_suggestion(r)
    ]
    plans = []  # (ref, facts, decided, local best, query text or None)
    for ref in refs:
        facts = facts_from_reference(ref)
        decided = decisions.get((sources[ref.article_id], ref.key), {})
        rejected = {d for d, s in decided.items() if s == "rejected"}
        local = None
        text = None
        if worth_searching(facts):
            local = _best(facts, local_candidates(session, facts), rejected)
            if local is None or local.confidence < GOOD_ENOUGH:
                text = query_text(ref) or None
        plans.append((ref, facts, decided, rejected, local, text))

    answers = _query_all(session, client, [p[5] for p in plans if p[5]], progress)
    standing = 0
    for ref, facts, decided, rejected, local, text in plans:
        remote_best, messages, from_cache = None, {}, False
        if text and text in answers:
            items, from_cache = answers[text]
            messages = {i["DOI"].lower(): i for i in items}
            works = [work_from_message(i, "api")[0] for i in items]
            remote_best = _best(facts, works, rejected)
        best, prov = local, None
        if remote_best and (best is None or remote_best.confidence > best.confidence):
            best = remote_best
            if session.get(Work, best.doi) is None:
                save_work(session, messages[best.doi], "api")
            prov = "cache" if from_cache else "api"
        if best is not None and prov is None:
            prov = _provenance(best.doi, session, fetched_now)
        standing += _store(session, ref, facts, best, prov, decided)
    session.flush()
    return standing


def _query_all(
    session: Session, client: CrossrefClient | None, texts: list[str], progress: bool
) -> dict[str, tuple[list[dict], bool]]:
    """Query text -> (items, from cache). Cached answers first; the rest from Crossref."""
    out: dict[str, tuple[list[dict], bool]] = {}
    todo = []
    for text in dict.fromkeys(texts):
        row = lookup(session, query_key(text, ROWS))
        if row is not None:
            out[text] = (raw(row) or [], True)
        else:
            todo.append(text)
    if client is None or not todo or client.aborted_reason:
        return out
    workers = client.limiter.limits.list_concurrency
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda t: (t, _search(client, t)), todo)
        if progress:
            results = click.progressbar(
                results, length=len(todo), label="DOI suggestions",
                file=sys.stderr,
            )  # fmt: skip
            with results as bar:
                results = list(bar)
        for text, items in results:
            if isinstance(items, list):
                save_response(session, query_key(text, ROWS), status="found", raw=items)
                out[text] = (items, False)
    return out


def _store(
    session: Session,
    ref: Reference,
    facts: RefFacts,
    best: Match | None,
    provenance: str | None,
    decided: dict[str, str],
) -> int:
    """Write the suggestion row(s) of one reference; returns 1 when one is standing."""
    rows: dict[str, Suggestion] = {}
    if best is not None:
        rows[best.doi] = _row(ref, best, "suggested", provenance or "api")
    for doi, status in decided.items():
        if doi in rows:
            rows[doi].status = status
            continue
        work = session.get(Work, doi)
        match = validate(facts, work) if work is not None else Match(doi, 0.0)
        rows[doi] = _row(ref, match, status, work.provenance if work else "cache")
    for doi, row in rows.items():
        session.add(row)
        if row.status == "accepted" and session.get(Work, doi) is not None:
            ref.work_doi = doi  # the editor's word links the reference to the work
            session.add(ref)
    return int(any(r.status in ("suggested", "accepted") for r in rows.values()))


def _row(ref: Reference, m: Match, status: str, provenance: str) -> Suggestion:
    return Suggestion(
        article_id=ref.article_id,
        reference_id=ref.id,
        doi=m.doi,
        confidence=m.confidence,
        agreed=json.dumps(m.agreed),
        disagreed=json.dumps(m.disagreed),
        status=status,
        provenance=provenance,
    )
