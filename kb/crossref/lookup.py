"""One DOI's answer: the cache, else Crossref (saved), as ``kb crossref lookup`` shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError
from ingest.doi import normalize_doi
from kb.crossref.cache import doi_key, lookup_doi, raw, save_response
from kb.crossref.works import save_work
from kb.models import CrossrefResponse


class DoiLookupError(Exception):
    """The DOI has no answer to show (a one-line message)."""


@dataclass
class Answer:
    doi: str
    status: str  # found | not_found
    message: dict | None
    source: str  # "Crossref API" or "cache (<provenance>, <fetched at>)"
    warning: str | None = None  # Crossref could not be asked; the cache is shown


def save_answer(session: Session, doi: str, message: dict | None) -> CrossrefResponse:
    """Cache what Crossref answered for a DOI (a message, or None for its 404) and save the work."""
    status = "found" if message else "not_found"
    row = save_response(session, doi_key(doi), status=status, raw=message, doi=doi)
    if message:
        save_work(session, message, "api")
    return row


def lookup_one(
    engine: Engine,
    doi: str,
    *,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    base_url: str | None = None,
) -> Answer:
    """The cache's answer when it has the API's, else Crossref's (cached); ``offline``: the
    cache only. Raises ``DoiLookupError`` when there is nothing to show."""
    doi = normalize_doi(doi, strict=False)
    if not doi:
        raise DoiLookupError("empty DOI")
    warning = None
    with Session(engine) as session:
        row = lookup_doi(session, doi)
        source = f"cache ({row.provenance}, {row.fetched_at})" if row else None
        if not offline and (row is None or refresh or row.provenance != "api"):
            with CrossrefClient(base_url=base_url, mailto=mailto) as client:
                try:
                    msg = client.fetch_work(doi)
                except CrossrefError as err:
                    if row is None:
                        raise DoiLookupError(f"{doi}: unverified ({err})") from err
                    warning = f"Crossref could not be asked ({err}); showing the cache."
                else:
                    row = save_answer(session, doi, msg)
                    session.commit()
                    source = "Crossref API"
        if row is None:
            raise DoiLookupError(f"{doi}: not in the cache (offline: unverified)")
        return Answer(doi, row.status, raw(row), source, warning)
