"""Editors' decisions on suggested DOIs, and the one place an accepted suggestion links its
reference to its work (``Reference.work_doi``).

A reference's ``work_doi`` is its verified DOI's work, or else the work of its accepted
suggestion. The build (``run._apply``) computes it with ``accepted_links`` and the
suggestion step and ``decide`` write it with ``link_accepted``, which touches a row only
when its link changes: a rebuild rewrites nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

from ingest.doi import normalize_doi
from kb.models import Article, Reference, Suggestion, SuggestionDecision, Work, utcnow

STATUSES = ("accepted", "rejected")


class UnknownSuggestion(LookupError):
    """No suggestion with that id (a one-line message for the CLI)."""


@dataclass
class Decision:
    suggestion_id: int
    status: str
    reference_key: str
    article_source: str
    doi: str

    def line(self) -> str:
        return (
            f"Suggestion {self.suggestion_id} {self.status}: reference {self.reference_key} "
            f"of {self.article_source} -> {self.doi}."
        )


def accepted_links(session: Session, reference_ids: Iterable[int]) -> dict[int, str]:
    """reference id -> DOI of its accepted suggestion, where that work is in the database."""
    ids = list(reference_ids)
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(Suggestion.reference_id, Suggestion.doi)
            .join(Work, Work.doi == Suggestion.doi)
            .where(Suggestion.status == "accepted", Suggestion.reference_id.in_(ids[i : i + 500]))
        ).all()
        out.update({rid: doi for rid, doi in rows})
    return out


def link_accepted(session: Session, links: dict[int, str]) -> int:
    """Link each reference to its accepted suggestion's work, where the work is known and the
    link differs (an unchanged link is not rewritten); returns how many rows changed."""
    if not links:
        return 0
    known = _in_chunks(session, select(Work.doi), Work.doi, sorted(set(links.values())))
    current = dict(
        _in_chunks(session, select(Reference.id, Reference.work_doi), Reference.id, list(links))
    )
    changes = [
        {"id": rid, "work_doi": doi}
        for rid, doi in links.items()
        if doi in known and rid in current and current[rid] != doi
    ]
    if changes:
        session.execute(update(Reference), changes)
    return len(changes)


def _in_chunks(session: Session, stmt, column, values: list) -> list:
    out: list = []
    for i in range(0, len(values), 500):
        rows = session.execute(stmt.where(column.in_(values[i : i + 500])))
        out += list(rows.scalars() if len(stmt.selected_columns) == 1 else rows.all())
    return out


def decide(session: Session, suggestion_id: int, status: str) -> Decision:
    """Record an editor's decision on a suggestion (it survives rebuilds: it is keyed by the
    article's source, the reference's key and the DOI). Accepting links the reference to
    the work; rejecting unlinks it unless its own DOI is verified. Commits."""
    if status not in STATUSES:
        raise ValueError(f"unknown decision {status!r}")
    sug = session.get(Suggestion, suggestion_id)
    if sug is None:
        raise UnknownSuggestion(f"no suggestion with id {suggestion_id}")
    ref = session.get(Reference, sug.reference_id)
    article = session.get(Article, sug.article_id)
    doi = normalize_doi(sug.doi, strict=False)
    decision = session.execute(
        select(SuggestionDecision).where(
            SuggestionDecision.article_source == article.source,
            SuggestionDecision.reference_key == ref.key,
            SuggestionDecision.doi == doi,
        )
    ).scalar_one_or_none() or SuggestionDecision(
        article_source=article.source, reference_key=ref.key, doi=doi, status=status
    )
    decision.status, decision.decided_at = status, utcnow()
    sug.status = status
    session.add_all([decision, sug])
    session.flush()
    if status == "accepted":
        link_accepted(session, {ref.id: sug.doi})
    elif ref.work_doi == sug.doi and ref.verification != "verified":
        ref.work_doi = None
        session.add(ref)
    session.commit()
    return Decision(suggestion_id, status, ref.key, article.source, sug.doi)
