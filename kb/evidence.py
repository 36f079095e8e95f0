"""Evidence types of an article's cited works, stored on ``reference`` and ``work``.

A work's type depends on the work alone (Crossref type, title, journal), so every
article citing it sees the same. An entry with a work takes the work's type unless
that is unknown, in which case the entry's own fields (title, journal, URL, entry type,
raw text) get a say; an entry without a work is classified from its own fields, or from
the work its DOI suggestion found when an editor accepted it or it is confident (the same
work the audit already completes the entry with).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from ingest.evidence import UNKNOWN, classify_evidence
from kb.models import Reference, Suggestion, Work

# a suggestion this sure (or accepted by an editor) stands for the entry's work
CONFIDENT = 0.8


def classify_work(work: Work) -> tuple[str, str]:
    """(evidence type, signal) of a Crossref work."""
    return classify_evidence(
        crossref_type=work.type, title=work.title, journal=work.container_title
    )


def classify_reference(ref: Reference, work: Work | None) -> tuple[str, str]:
    """(evidence type, signal) of a reference entry, using its work when there is one."""
    if work is not None:
        found = classify_work(work)
        if found[0] != UNKNOWN:
            return found
    return classify_evidence(
        crossref_type=work.type if work else None,
        title=(work.title if work and work.title else None) or ref.title,
        journal=(work.container_title if work and work.container_title else None) or ref.journal,
        url=ref.url,
        source_type=ref.source_type,
        raw=ref.raw,
    )


def classify_references(session: Session, article_id: int) -> int:
    """Set ``evidence_type``/``evidence_signal`` on the article's references and their
    works. Returns the number of references given a type other than unknown."""
    typed = 0
    refs = list(
        session.execute(select(Reference).where(Reference.article_id == article_id)).scalars()
    )
    suggested = _suggested_dois(session, article_id)
    # One query for the works (``session.get`` per work autoflushed one UPDATE at a time).
    works = _works(
        session, {ref.work_doi for ref in refs if ref.work_doi} | set(suggested.values())
    )
    for ref in refs:
        work = works.get(ref.work_doi) if ref.work_doi else None
        if work is not None:
            work.evidence_type, work.evidence_signal = classify_work(work)
        found = works.get(suggested.get(ref.id, "")) if work is None else None
        if found is not None:
            found.evidence_type, found.evidence_signal = classify_work(found)
            etype, signal = classify_reference(ref, found)
            if etype != UNKNOWN:
                signal += ", of the suggested DOI's work"
            ref.evidence_type, ref.evidence_signal = etype, signal
        else:
            ref.evidence_type, ref.evidence_signal = classify_reference(ref, work)
        typed += ref.evidence_type != UNKNOWN
    session.flush()
    return typed


def _suggested_dois(session: Session, article_id: int) -> dict[int, str]:
    """Entry id -> DOI of its accepted suggestion, else of its most confident one above
    ``CONFIDENT``; rejected suggestions never count."""
    best: dict[int, tuple[tuple, str]] = {}
    for ref_id, doi, confidence, status in session.execute(
        select(
            Suggestion.reference_id, Suggestion.doi, Suggestion.confidence, Suggestion.status
        ).where(Suggestion.article_id == article_id)
    ):
        if status == "rejected" or (status != "accepted" and confidence < CONFIDENT):
            continue
        rank = (status == "accepted", confidence)
        if ref_id not in best or rank > best[ref_id][0]:
            best[ref_id] = (rank, doi.lower())
    return {ref_id: doi for ref_id, (_, doi) in best.items()}


def _works(session: Session, dois: set[str]) -> dict[str, Work]:
    out: dict[str, Work] = {}
    ordered = sorted(dois)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        out.update(
            (w.doi, w) for w in session.execute(select(Work).where(Work.doi.in_(chunk))).scalars()
        )
    return out
