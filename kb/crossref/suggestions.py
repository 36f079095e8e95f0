"""The suggestion step of a run: candidates, validation, the best one stored, editors' decisions.

A reference's suggestion is recomputed when what it was computed from changed
(``suggestion_state.py``), on ``refresh``, or when a Crossref search it wanted was
not answered; otherwise the stored one stands. Editors' decisions live in
``suggestion_decision`` (article source + reference key + DOI) and are re-applied,
so an accepted suggestion stays accepted (and keeps the reference linked to its
work) and a rejected DOI is never suggested again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from ingest.crossref.client import CrossrefClient
from ingest.crossref.match import Match, RefFacts, best_match, validate
from ingest.crossref.suggest import (
    facts_from_reference,
    needs_suggestion,
    query_text,
    worth_searching,
)
from ingest.doi import has_usable_doi, normalize_doi
from kb.crossref.cache import lookup, query_key
from kb.crossref.candidates import CandidateMemo, local_candidates
from kb.crossref.decisions import link_accepted
from kb.crossref.search_ahead import ROWS, Answers, SearchAhead
from kb.crossref.suggestion_state import (
    REF_COLUMNS,
    inputs_digest,
    rules_digest,
    save_states,
    stored_states,
    works_digest,
)
from kb.crossref.works import save_work, work_from_message
from kb.models import Article, Reference, Suggestion, SuggestionDecision, Work

GOOD_ENOUGH = 0.9  # a local candidate this good spares a Crossref query
MAX_PASSES = 3


def _decisions(session: Session, sources: dict[int, str]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    rows = session.execute(
        select(SuggestionDecision).where(SuggestionDecision.article_source.in_(sources.values()))
    ).scalars()
    for d in rows:
        doi = normalize_doi(d.doi, strict=False)
        out.setdefault((d.article_source, d.reference_key), {})[doi] = d.status
    return out


def _best(facts: RefFacts, works: list[Work], rejected: set[str]) -> Match | None:
    return best_match(facts, [w for w in works if w.doi not in rejected])


def _provenance(doi: str, session: Session, fetched_now: set[str]) -> str:
    work = session.get(Work, doi)
    if work is None or work.provenance == "snapshot":
        return "snapshot"
    return "api" if doi in fetched_now else "cache"


ARTICLE_CHUNK = 5000  # articles per scope: well under SQLite's 32,766 bound parameters


def search_early(
    session: Session,
    ahead: SearchAhead,
    article_ids: Sequence[int] | None = None,
    *,
    refresh: bool = False,
    not_found: set[str] = frozenset(),  # type: ignore[assignment]
) -> int:
    """Start the searches of references without a usable DOI or whose DOI Crossref does not
    know (``not_found``: normalised DOIs of this run's 404s, before the references are
    updated), the same selection ``_compute`` makes: not cached, local best not good
    enough. Call it once the DOI answers are saved (they are local candidates). A reference
    with a settled outcome (a stored state, not pending) is left to ``make_suggestions``,
    which keeps it or recomputes it. Returns how many started."""
    stmt = select(*REF_COLUMNS)
    if article_ids is not None:
        stmt = stmt.where(Reference.article_id.in_(article_ids))
    refs = session.execute(stmt).all()
    settled = set()
    if not refresh:
        ids = sorted(set(article_ids) if article_ids is not None else {r.article_id for r in refs})
        for i in range(0, len(ids), ARTICLE_CHUNK):
            states = stored_states(session, ids[i : i + ARTICLE_CHUNK])
            settled |= {rid for rid, (_digest, pending) in states.items() if not pending}
    texts: list[str] = []
    memo = CandidateMemo()
    for ref in refs:
        if ref.id in settled or ref.verification == "verified":
            continue
        usable = has_usable_doi(ref.doi, ref.doi_status)
        if usable and normalize_doi(ref.doi, strict=False) not in not_found:
            continue
        facts = facts_from_reference(ref)
        text = query_text(ref) if worth_searching(facts) else None
        if not text or text in texts or lookup(session, query_key(text, ROWS)) is not None:
            continue
        local = best_match(facts, local_candidates(session, facts, memo=memo))
        if local is None or local.confidence < GOOD_ENOUGH:
            texts.append(text)
            ahead.start([text])
    return len(texts)


def make_suggestions(
    session: Session,
    article_ids: Sequence[int] | None,
    *,
    client: CrossrefClient | None = None,
    fetched_now: set[str] = frozenset(),  # type: ignore[assignment]
    progress: bool = False,
    refresh: bool = False,
    ahead: SearchAhead | None = None,
) -> int:
    """Suggestions for the articles in scope, recomputed where their inputs changed (all of
    them with ``refresh``); returns how many are standing (suggested or accepted).
    ``ahead``: searches already started (``search_early``); the others start on it too."""
    ids = (
        list(article_ids)
        if article_ids is not None
        else list(session.execute(select(Article.id).order_by(Article.id)).scalars())
    )
    if len(ids) > ARTICLE_CHUNK:  # SQLite caps bound parameters: scope by chunks
        kw = {"client": client, "fetched_now": fetched_now, "progress": progress, "ahead": ahead}
        return sum(
            make_suggestions(session, ids[i : i + ARTICLE_CHUNK], refresh=refresh, **kw)
            for i in range(0, len(ids), ARTICLE_CHUNK)
        )
    stmt = select(Article.id, Article.source).where(Article.id.in_(ids))
    sources = dict(session.execute(stmt).all())
    if not sources:
        return 0
    decisions = _decisions(session, sources)
    # read once: a pass links accepted suggestions, later passes still see the references
    # as verification left them
    refs = [
        r
        for r in session.execute(
            select(*REF_COLUMNS).where(Reference.article_id.in_(sources)).order_by(Reference.id)
        )
        if needs_suggestion(r)
    ]
    online = client is not None and not client.aborted_reason
    # Works saved from Crossref's answers are candidates too: when a pass saved any, every
    # outcome computed without them is computed again (from the cache), so what is stored
    # holds for the works as they are at the end of the run.
    works = works_digest(session)
    fetched, fresh = set(fetched_now), set()  # DOIs and search texts Crossref answered now
    for attempt in range(MAX_PASSES):
        stored = {} if refresh and attempt == 0 else stored_states(session, sources)
        context = rules_digest(GOOD_ENOUGH, ROWS) + works
        keep_ids, todo = _partition(session, refs, sources, decisions, stored, context, online)
        _drop_suggestions(session, sources, keep_ids)
        searcher = client if attempt == 0 else None
        standing, states = _compute(session, todo, searcher, fetched, fresh, progress, ahead)
        standing += _refresh_kept(session, sources, keep_ids, fetched)
        save_states(session, sources, keep_ids, states)
        session.flush()
        if not todo:
            break
        before, works = works, works_digest(session)
        if works == before:
            break
        online = False  # a later pass never searches: it only checks the new works
    return standing


def _partition(
    session: Session,
    refs: list,
    sources: dict[int, str],
    decisions: dict,
    stored: dict[int, tuple[str, bool]],
    context: str,
    online: bool,
) -> tuple[set[int], list[tuple]]:
    """References whose stored outcome still holds (kept) and those to compute again."""
    keep_ids: set[int] = set()
    todo = []
    for ref in refs:
        decided = decisions.get((sources[ref.article_id], ref.key), {})
        digest = inputs_digest(ref, decided, context)
        state = stored.get(ref.id)
        unchanged = state is not None and state[0] == digest
        if unchanged and not (state[1] and (online or _answer_cached(session, ref))):
            keep_ids.add(ref.id)
        else:
            todo.append((ref, decided, digest))
    return keep_ids, todo


def _answer_cached(session: Session, ref: Any) -> bool:
    text = query_text(ref)
    return bool(text) and lookup(session, query_key(text, ROWS)) is not None


def _drop_suggestions(session: Session, sources: dict[int, str], keep: set[int]) -> None:
    """Remove the suggestions of every reference in scope that is recomputed or gone."""
    rows = session.execute(
        select(Suggestion.id, Suggestion.reference_id).where(Suggestion.article_id.in_(sources))
    ).all()
    gone = [sid for sid, rid in rows if rid not in keep]
    for i in range(0, len(gone), 500):
        session.execute(delete(Suggestion).where(Suggestion.id.in_(gone[i : i + 500])))


def _refresh_kept(
    session: Session, sources: dict[int, str], keep: set[int], fetched_now: set[str]
) -> int:
    """Kept suggestions as a recomputation would leave them: an accepted one links its
    reference again, one from Crossref's answers now comes from the cache. Returns how
    many kept references have a standing suggestion."""
    if not keep:
        return 0
    rows = session.execute(
        select(Suggestion.id, Suggestion.reference_id, Suggestion.doi, Suggestion.status,
               Suggestion.provenance)
        .where(Suggestion.article_id.in_(sources))
    ).all()  # fmt: skip
    rows = [r for r in rows if r.reference_id in keep]
    to_cache = [
        {"id": r.id, "provenance": "cache"}
        for r in rows
        if r.status == "suggested" and r.provenance == "api" and r.doi not in fetched_now
    ]
    if to_cache:
        session.execute(update(Suggestion), to_cache)
    link_accepted(session, {r.reference_id: r.doi for r in rows if r.status == "accepted"})
    return len({r.reference_id for r in rows if r.status in ("suggested", "accepted")})


def _compute(
    session: Session,
    todo: list[tuple[Any, dict[str, str], str]],
    client: CrossrefClient | None,
    fetched: set[str],
    fresh: set[str],
    progress: bool,
    ahead: SearchAhead | None = None,
) -> tuple[int, list[dict]]:
    """Suggestions of the references in ``todo``; returns (standing, their state rows).
    Adds the works it saves to ``fetched`` and the texts Crossref answered to ``fresh``."""
    plans = []  # (ref, facts, decided, rejected, local best, query text or None, digest)
    memo = CandidateMemo()  # no work is saved until every plan is made
    for ref, decided, digest in todo:
        facts = facts_from_reference(ref)
        rejected = {d for d, s in decided.items() if s == "rejected"}
        local = None
        text = None
        if worth_searching(facts):
            local = _best(facts, local_candidates(session, facts, memo=memo), rejected)
            if local is None or local.confidence < GOOD_ENOUGH:
                text = query_text(ref) or None
        plans.append((ref, facts, decided, rejected, local, text, digest))

    texts = [p[5] for p in plans if p[5]]
    with Answers(session, client, texts, fresh, ahead=ahead, progress=progress) as answers:
        standing, states = 0, []
        for plan in plans:
            standing += _conclude(session, plan, answers.get(plan[5]), fetched, states)
    return standing, states


def _conclude(
    session: Session,
    plan: tuple,
    answer: tuple[list[dict], bool] | None,
    fetched: set[str],
    states: list[dict],
) -> int:
    """One reference's suggestion from its plan and its search's answer (None: none
    wanted, or not answered); appends its state row. Returns 1 when one is standing."""
    ref, facts, decided, rejected, local, text, digest = plan
    remote_best, messages, from_cache = None, {}, False
    if text and answer is not None:
        items, from_cache = answer
        messages = {normalize_doi(i["DOI"], strict=False): i for i in items}
        works = [work_from_message(i, "api")[0] for i in items]
        remote_best = _best(facts, works, rejected)
    best, prov = local, None
    if remote_best and (best is None or remote_best.confidence > best.confidence):
        best = remote_best
        if session.get(Work, best.doi) is None:
            save_work(session, messages[best.doi], "api")
            fetched.add(best.doi)
        prov = "cache" if from_cache else "api"
    if best is not None and prov is None:
        prov = _provenance(best.doi, session, fetched)
    pending = bool(text) and answer is None
    states.append(
        {"reference_id": ref.id, "article_id": ref.article_id, "inputs": digest,
         "pending": pending}
    )  # fmt: skip
    return _store(session, ref, facts, best, prov, decided)


def _store(
    session: Session,
    ref: Any,
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
    for row in rows.values():
        session.add(row)
    # the editor's word links the reference to the work
    accepted = [doi for doi, row in rows.items() if row.status == "accepted"]
    if accepted:
        session.flush()
        link_accepted(session, {ref.id: accepted[-1]})
    return int(any(r.status in ("suggested", "accepted") for r in rows.values()))


def _row(ref: Any, m: Match, status: str, provenance: str) -> Suggestion:
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
