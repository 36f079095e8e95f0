"""Which references need a DOI suggestion and what they say (pure: no database, no network).

A reference is anything with the ``Reference`` columns these read (a row or a model).
Candidates come from ``kb/crossref/candidates.py`` (the ``work`` table) and Crossref's
``query.bibliographic``; every candidate is validated by ``match.validate``.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.crossref.match import RefFacts
from ingest.doi import has_usable_doi, normalize_doi

Reference = Any  # a Reference row or model: these functions read its columns only
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_DOI_FRAGMENT = re.compile(r"^10\.\d{4,9}/\S+$")


def needs_suggestion(ref: Reference) -> bool:
    """No usable DOI (absent, empty, truncated, malformed without a DOI, PMCID/PMID only) or a
    404. A verified DOI needs none; a link to an accepted suggestion's work keeps its
    suggestion (that is where the link comes from)."""
    if ref.verification == "verified":
        return False
    return not has_usable_doi(ref.doi, ref.doi_status) or ref.verification == "not_found"


def facts_from_reference(ref: Reference) -> RefFacts:
    fragment = None
    if ref.doi_status in ("truncated", "malformed") or ref.verification == "not_found":
        cand = normalize_doi(ref.doi or ref.doi_raw or "", strict=False)
        if _DOI_FRAGMENT.match(cand) and ref.doi_status == "truncated":
            fragment = cand
    return RefFacts(
        year=ref.year,
        volume=ref.volume,
        issue=ref.issue,
        pages=ref.pages,
        article_number=ref.article_number,
        first_author=ref.first_author,
        title=ref.title,
        journal=ref.journal,
        doi_fragment=fragment,
    )


def worth_searching(facts: RefFacts) -> bool:
    """At least two things to check a candidate against; a bare URL has none."""
    return facts.evidence_fields() >= 2


def query_text(ref: Reference) -> str:
    """The reference as Crossref's bibliographic search wants it: words, no URLs."""
    body = _URL.sub(" ", ref.raw or "")
    body = re.sub(r"\bdoi:?\s*$", " ", body, flags=re.I)
    return " ".join(body.split())[:400]
