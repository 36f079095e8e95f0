"""Normalise a Crossref work ``message`` into ``Work`` and ``WorkUpdate`` rows (pure), and save."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from kb.models import Work, WorkUpdate, utcnow

# Crossref's update types -> ours (the audit reads these three).
UPDATE_TYPES = {
    "retraction": "retraction",
    "withdrawal": "retraction",
    "removal": "retraction",
    "partial_retraction": "retraction",
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
    "expression_of_concern": "expression_of_concern",
    "expression-of-concern": "expression_of_concern",
}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _year(msg: dict) -> int | None:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (msg.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def _date(value: Any) -> str | None:
    parts = (value or {}).get("date-parts") or []
    if not parts or not parts[0] or parts[0][0] is None:
        return None
    return "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(parts[0]))


def _authors(msg: dict) -> list[dict]:
    out = []
    for a in msg.get("author") or []:
        if not isinstance(a, dict):
            continue
        if a.get("family") or a.get("given"):
            out.append({"family": a.get("family"), "given": a.get("given")})
        elif a.get("name"):
            out.append({"family": a["name"], "given": None})
    return out


def work_from_message(msg: dict, provenance: str = "api") -> tuple[Work, list[WorkUpdate]]:
    """The ``Work`` row and its update notices for one Crossref work message."""
    doi = msg["DOI"].lower()
    authors = _authors(msg)
    issn = msg.get("ISSN") or []
    work = Work(
        doi=doi,
        title=_first(msg.get("title")),
        authors=json.dumps(authors, ensure_ascii=False) if authors else None,
        first_author=authors[0]["family"] if authors else None,
        container_title=_first(msg.get("container-title")),
        year=_year(msg),
        volume=_first(msg.get("volume")),
        issue=_first(msg.get("issue")),
        page=_first(msg.get("page")),
        article_number=_first(msg.get("article-number")),
        type=msg.get("type"),
        issn=",".join(issn) if isinstance(issn, list) and issn else None,
        publisher=_first(msg.get("publisher")),
        url=msg.get("URL"),
        provenance=provenance,
        fetched_at=utcnow(),
    )
    updates = []
    for u in msg.get("updated-by") or []:
        if not isinstance(u, dict):
            continue
        kind = str(u.get("type", "")).lower()
        updates.append(
            WorkUpdate(
                work_doi=doi,
                update_doi=(u.get("DOI") or "").lower() or None,
                update_type=UPDATE_TYPES.get(kind, "other"),
                label=u.get("label") or kind or None,
                source=u.get("source"),
                date=_date(u.get("updated")),
            )
        )
    return work, updates


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
    """Which of ``dois`` (lower-case) have a work row, in a few queries."""
    out: set[str] = set()
    for i in range(0, len(dois), 500):
        chunk = dois[i : i + 500]
        out |= set(session.execute(select(Work.doi).where(Work.doi.in_(chunk))).scalars())
    return out
