"""Crossref work messages saved as ``Work`` and ``WorkUpdate`` rows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import Session

from ingest.crossref.message import update_notices, work_fields
from kb.models import Work, WorkUpdate, utcnow


def work_from_message(msg: dict, provenance: str = "api") -> tuple[Work, list[WorkUpdate]]:
    """The ``Work`` row and its update notices for one Crossref work message."""
    work = Work(**work_fields(msg), provenance=provenance, fetched_at=utcnow())
    return work, [WorkUpdate(**u) for u in update_notices(msg)]


def save_work(session: Session, msg: dict, provenance: str = "api") -> Work | None:
    """Upsert one work and replace its update notices. A snapshot never overwrites an
    ``api`` work. Returns the saved row, or None when it was left alone."""
    work, updates = work_from_message(msg, provenance)
    existing = session.get(Work, work.doi)
    if existing is not None:
        if provenance == "snapshot" and existing.provenance == "api":
            return None
        for name, value in work.model_dump(exclude={"evidence_type", "evidence_signal"}).items():
            setattr(existing, name, value)
        work = existing
    session.add(work)
    session.flush()
    session.execute(delete(WorkUpdate).where(WorkUpdate.work_doi == work.doi))
    session.add_all(updates)
    return work


def existing_works(session: Session, dois: list[str]) -> set[str]:
    """Which of ``dois`` (normalised) have a work row, in a few queries."""
    out: set[str] = set()
    for i in range(0, len(dois), 500):
        chunk = dois[i : i + 500]
        out |= set(session.execute(select(Work.doi).where(Work.doi.in_(chunk))).scalars())
    return out
