"""The persistent Crossref cache: successful answers only (200 found, 404 not found).

Keys: ``doi:<normalised doi>`` for a work, ``query:<sha1 of the query text>`` for a
bibliographic search. A failed or malformed response is never passed here, so it
can never be cached. ``api`` rows are never replaced by ``snapshot`` rows.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ingest.doi import normalize_doi
from kb.models import CrossrefResponse, utcnow


def doi_key(doi: str) -> str:
    return f"doi:{normalize_doi(doi, strict=False)}"


def query_key(text: str, rows: int) -> str:
    digest = hashlib.sha1(f"{rows}\n{text}".encode()).hexdigest()
    return f"query:{digest}"


def lookup(session: Session, key: str) -> CrossrefResponse | None:
    return session.execute(
        select(CrossrefResponse).where(CrossrefResponse.request_key == key)
    ).scalar_one_or_none()


def lookup_doi(session: Session, doi: str) -> CrossrefResponse | None:
    return lookup(session, doi_key(doi))


def save_response(
    session: Session,
    key: str,
    *,
    status: str,
    raw: Any = None,
    doi: str | None = None,
    http_status: int | None = None,
    provenance: str = "api",
) -> CrossrefResponse | None:
    """Insert or replace one cached answer; returns None when an ``api`` row would be
    overwritten by a ``snapshot`` one (the API is the better witness)."""
    if status not in ("found", "not_found"):
        raise ValueError(f"only successful answers are cached, not {status!r}")
    row = lookup(session, key)
    if row is not None and provenance == "snapshot" and row.provenance == "api":
        return None
    if row is None:
        row = CrossrefResponse(request_key=key, status=status)
    row.doi = normalize_doi(doi, strict=False) if doi else None
    row.status = status
    row.http_status = http_status if http_status is not None else (
        200 if status == "found" else 404
    )  # fmt: skip
    row.raw_json = None if raw is None else json.dumps(raw, ensure_ascii=False)
    row.fetched_at = utcnow()
    row.provenance = provenance
    session.add(row)
    return row


def raw(row: CrossrefResponse) -> Any:
    return json.loads(row.raw_json) if row.raw_json else None
