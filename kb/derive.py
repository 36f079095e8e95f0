"""The derived layers of one article as a pure function from the database to rows.

``compute_derived`` reads an article, its references, works, suggestions and the
vocabulary and returns every row the derived layers hold for it (evidence types of its
entries and works, condition tags of its claims and entries, audit findings and
completeness) without writing anything, so it runs in worker processes, each on its own
connection. ``write_derived`` is the one writer: it saves them in one transaction per
article, in input order. Per-work results (evidence type, title conditions, formatted
reference) come from ``kb.work_results`` and go back to the writer with the rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.conditions import abbreviation_definitions
from kb.bulk import dbapi, insert_rows, update_rows
from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Finding,
    Reference,
    ReferenceCondition,
    Suggestion,
    Work,
)
from kb.search_terms import search_term_updates
from kb.stable_ids import FINDING_KEY, IdKeeper
from kb.work_results import WorkResults, save_rows

_FINDING_COLUMNS = [c.name for c in Finding.__table__.columns if c.name != "id"]


@dataclass
class Derived:
    """Everything ``write_derived`` saves for one article."""

    article_id: int
    derived_hash: str
    references: list[dict]  # {"id", "evidence_type", "evidence_signal"}, changed only
    works: list[dict]  # {"doi", "evidence_type", "evidence_signal"}, changed only
    claim_conditions: list[dict]
    reference_conditions: list[dict]
    findings: list[dict]
    completeness: float | None
    work_results: list[dict]
    claim_terms: list[dict] = field(default_factory=list)  # {"id", "search_terms"}, changed only
    reference_terms: list[dict] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # stage -> CPU seconds


def derived_hash(session: Session, article_id: int, content_hash: str, base: str) -> str:
    """Everything the derived layers read that can change without the text changing."""
    refs = session.execute(
        select(Reference.key, Reference.work_doi, Reference.verification)
        .where(Reference.article_id == article_id)
        .order_by(Reference.position)
    ).all()
    payload = json.dumps([content_hash, base, [list(r) for r in refs]])
    return hashlib.sha256(payload.encode()).hexdigest()


class _Patched:
    """A read-only row with some attributes replaced (what the writer is about to save):
    a plain object holding the row's values, since the audit reads its attributes
    thousands of times per article."""

    def __init__(self, row: Any, values: dict[str, Any]) -> None:
        self.__dict__.update(row._mapping)
        self.__dict__.update(values)


def _evidence(
    session: Session, article_id: int, results: WorkResults
) -> tuple[tuple[dict, dict], tuple[list, list]]:
    """({ref id: (type, signal)} for every entry, {doi: (type, signal)} for the works the
    writer types), and the reference and work rows whose stored type that changes. The
    same as ``kb.evidence.classify_references``: an entry's work, else the work of its
    accepted or confident suggestion."""
    from kb.evidence import UNKNOWN, _suggested_dois, classify_reference

    refs = list(
        session.execute(select(Reference.__table__).where(Reference.article_id == article_id))
    )
    suggested = _suggested_dois(session, article_id)
    dois = sorted({r.work_doi for r in refs if r.work_doi} | set(suggested.values()))
    works = {}
    for i in range(0, len(dois), 500):
        stmt = select(Work.__table__).where(Work.doi.in_(dois[i : i + 500]))
        works.update((w.doi, w) for w in session.execute(stmt))
    results.preload(set(works))
    work_types: dict[str, tuple[str, str]] = {}
    ref_types = {}
    for ref in refs:
        work = works.get(ref.work_doi) if ref.work_doi else None
        if work is not None:
            work_types[work.doi] = results.evidence(work)
        found = works.get(suggested.get(ref.id, "")) if work is None else None
        if found is not None:
            work_types[found.doi] = results.evidence(found)
            etype, signal = classify_reference(ref, found, work_types[found.doi])
            if etype != UNKNOWN:
                signal += ", of the suggested DOI's work"
            ref_types[ref.id] = (etype, signal)
        else:
            ref_types[ref.id] = classify_reference(ref, work, work_types.get(ref.work_doi))
    changed_refs = [
        {"id": r.id, "evidence_type": ref_types[r.id][0], "evidence_signal": ref_types[r.id][1]}
        for r in refs
        if (r.evidence_type, r.evidence_signal) != ref_types[r.id]
    ]
    changed_works = [
        {"doi": d, "evidence_type": t[0], "evidence_signal": t[1]}
        for d, t in work_types.items()
        if (works[d].evidence_type, works[d].evidence_signal) != t
    ]
    return (ref_types, work_types), (changed_refs, changed_works)


def _typed_elsewhere(session: Session, dois: list[str]) -> set[str]:
    """Of ``dois``, the works some article's writer types: linked by an entry, or the
    accepted or most confident suggestion of an entry without a work."""
    from kb.evidence import CONFIDENT

    linked = set(
        session.execute(
            select(Reference.work_doi).where(Reference.work_doi.in_(dois)).distinct()
        ).scalars()
    )
    wanted = set(dois)
    refs = select(Suggestion.reference_id).where(func.lower(Suggestion.doi).in_(dois))
    rows = session.execute(
        select(Suggestion.reference_id, Suggestion.doi, Suggestion.confidence, Suggestion.status)
        .join(Reference, Reference.id == Suggestion.reference_id)
        .where(Suggestion.reference_id.in_(refs), Reference.work_doi.is_(None))
    )
    best: dict[int, tuple[tuple, str]] = {}
    for ref_id, doi, confidence, status in rows:
        if status == "rejected" or (status != "accepted" and confidence < CONFIDENT):
            continue
        rank = (status == "accepted", confidence)
        if ref_id not in best or rank > best[ref_id][0]:
            best[ref_id] = (rank, doi.lower())
    return linked | ({doi for _rank, doi in best.values()} & wanted)


def _tags(
    session: Session, article_id: int, results: WorkResults
) -> tuple[tuple[list, list], tuple[list, list]]:
    """(claim tags, entry tags), and the search terms they and the works give
    (``kb.search_terms``: changed claims, changed entries)."""
    from kb.tagging import claim_tag_rows, condition_ids, reference_tag_rows

    ids = condition_ids(session)
    text = session.execute(select(Article.text).where(Article.id == article_id)).scalar_one()
    defs = abbreviation_definitions(text or "")
    claims = claim_tag_rows(session, article_id, ids, defs)
    refs = reference_tag_rows(session, article_id, ids, defs, results.title_conditions)
    tagged: dict[int, list[int]] = defaultdict(list)
    for row in claims:
        tagged[row["claim_id"]].append(row["condition_id"])
    return (claims, refs), search_term_updates(session, article_id, tagged, text)


def _audit(
    session: Session,
    article_id: int,
    types: tuple[dict, dict],
    tags: tuple[list, list],
    results: WorkResults,
) -> tuple[list[dict], float | None]:
    """The audit on the article as the writer will leave it: entries and works with their
    evidence types, the condition tags just computed."""
    from kb.audit import audit_findings, completeness
    from kb.audit.context import load_context

    ref_types, work_types = types
    ctx = load_context(session, article_id)
    refs = [
        _Patched(r, dict(zip(("evidence_type", "evidence_signal"), ref_types[r.id], strict=True)))
        for r in ctx.references
    ]
    # A work another article links (a suggested one, say) has the type its writer gives it;
    # one nobody links keeps what is stored. Settled before any article is derived, so the
    # rows do not depend on which article's writer ran first.
    others = [d for d in ctx.works if d not in work_types]
    linked = _typed_elsewhere(session, others) if others else set()
    works = {}
    for doi, w in ctx.works.items():
        if doi in work_types or doi in linked:
            etype, signal = work_types.get(doi) or results.evidence(w)
            works[doi] = _Patched(w, {"evidence_type": etype, "evidence_signal": signal})
        else:
            works[doi] = w
    claim_conds: dict[int, list] = defaultdict(list)
    for row in tags[0]:
        cond = ctx.conditions.get(row["condition_id"])
        if cond is not None:
            claim_conds[row["claim_id"]].append((cond, row["inherited"]))
    ref_conds: dict[int, list] = defaultdict(list)
    for row in tags[1]:
        cond = ctx.conditions.get(row["condition_id"])
        if cond is not None and cond not in ref_conds[row["reference_id"]]:
            ref_conds[row["reference_id"]].append(cond)
    ctx = dataclasses.replace(
        ctx,
        references=refs,
        works=works,
        claim_conditions=dict(claim_conds),
        reference_conditions=dict(ref_conds),
        fix_text_of=results.fix_text,
        memo=defaultdict(dict),
    )
    findings = audit_findings(ctx)
    rows = [{c: getattr(f, c) for c in _FINDING_COLUMNS} for f in findings]
    return rows, completeness(refs, findings)


def compute_derived(
    session: Session, article_id: int, base: str, *, force: bool = False
) -> Derived | None:
    """The article's derived rows, or None when what they were derived from is unchanged
    (``base``: digest of the rules' data files). Reads only."""
    content_hash, stored = session.execute(
        select(Article.content_hash, Article.derived_hash).where(Article.id == article_id)
    ).one()
    current = derived_hash(session, article_id, content_hash, base)
    if stored == current and not force:
        return None
    results = WorkResults(session)
    cpu: dict[str, float] = {}
    t = time.process_time()
    types, (changed_refs, changed_works) = _evidence(session, article_id, results)
    cpu["evidence"], t = time.process_time() - t, time.process_time()
    tags, terms = _tags(session, article_id, results)
    cpu["tagging"], t = time.process_time() - t, time.process_time()
    findings, complete = _audit(session, article_id, types, tags, results)
    cpu["audit"] = time.process_time() - t
    return Derived(article_id, current, changed_refs, changed_works, tags[0], tags[1], findings,
                   complete, results.rows(), terms[0], terms[1], cpu)  # fmt: skip


def write_derived(session: Session, d: Derived) -> None:
    """Replace the article's derived rows with ``d`` (the caller commits), through the bulk
    path (``kb.bulk``); the summary and full-text triggers follow."""
    aid = d.article_id
    conn = dbapi(session)
    update_rows(conn, Reference, d.references)
    update_rows(conn, Work, d.works, key="doi")
    conn.execute("DELETE FROM claim_condition WHERE article_id = ?", (aid,))
    conn.execute("DELETE FROM reference_condition WHERE article_id = ?", (aid,))
    insert_rows(conn, ClaimCondition, d.claim_conditions)
    insert_rows(conn, ReferenceCondition, d.reference_conditions)
    # what the search boxes match besides the words
    update_rows(conn, Claim, d.claim_terms)
    update_rows(conn, Reference, d.reference_terms)
    # the same finding keeps its id (and URL) from audit to audit (kb.stable_ids)
    keep = IdKeeper(session, Finding, aid, FINDING_KEY)
    for row in d.findings:
        row["id"] = keep.id_for(*(row[c] for c in FINDING_KEY))
    conn.execute("DELETE FROM finding WHERE article_id = ?", (aid,))
    insert_rows(conn, Finding, d.findings)
    conn.execute(
        "UPDATE article SET completeness = ?, derived_hash = ? WHERE id = ?",
        (d.completeness, d.derived_hash, aid),
    )
    save_rows(session, d.work_results)


# --- in a worker process -----------------------------------------------------------

_engines: dict[str, Engine] = {}


def derive_task(db_path: str, article_id: int, base: str, force: bool = False) -> Derived | None:
    """``compute_derived`` on this process's own connection to ``db_path`` (read only)."""
    from kb.database import get_engine

    engine = _engines.get(db_path)
    if engine is None:
        engine = _engines[db_path] = get_engine(Path(db_path))
    with Session(engine) as session:
        try:
            return compute_derived(session, article_id, base, force=force)
        finally:
            session.rollback()


def derive_tasks(
    db_path: str, article_ids: list[int], base: str, force: bool = False
) -> list[Derived | None]:
    """``derive_task`` of several articles: one task of a cluster (``kb.cluster``)."""
    return [derive_task(db_path, aid, base, force) for aid in article_ids]
