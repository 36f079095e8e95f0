"""Identifiers an entry carries only in its links: a DOI, PMID or PMCID in a link target.

HTML and Markdown entries often print a title whose link is the DOI (``doi.org``,
``dx.doi.org``, a publisher's ``/doi/10.…`` URL), a PubMed record or a PMC article.
Targets are percent-decoded (``%28``/``%29``, ``%2F``). Links to the article's own anchors
(``#cite_ref-3``, back-links) and relative links carry nothing.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from ingest.doi import find_doi_matches
from ingest.types import ReferenceFields

_DOI_HOST = re.compile(r"(?:^|\.)doi\.org$", re.I)
_DOI_PATH = re.compile(r"/doi/(?:(?:abs|full|pdf|epdf|book|chapter)/)?10\.", re.I)
_DOI_QUERY = re.compile(r"(?:^|[?&])(?:doi|id)=10\.", re.I)
_PMID = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/"
    r"(?:abstract|article)/MED/|[?&]list_uids=)(\d{1,9})\b",
    re.I,
)
_PMCID = re.compile(
    r"(?:/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/|europepmc\.org/"
    r"(?:article/PMC/|abstract/PMC/|articles/))(PMC\d{4,9})\b",
    re.I,
)


def external(url: str) -> bool:
    """A link that leaves the page (not ``#anchor``, not relative, not a back-link)."""
    return bool(re.match(r"^(?:https?:)?//", url.strip(), re.I))


def doi_of_link(url: str) -> str | None:
    """The DOI a link target names: ``https://doi.org/10.1000%2Fx`` -> ``10.1000/x``."""
    if not external(url):
        return None
    target = unquote(url.strip())
    parts = urlsplit(target if "://" in target else "https:" + target)
    if not (
        _DOI_HOST.search(parts.hostname or "")
        or _DOI_PATH.search(parts.path)
        or _DOI_QUERY.search("?" + parts.query)
    ):
        return None
    found = [m for m in find_doi_matches(target) if m.doi and m.status == "present"]
    return found[0].doi if found else None


def pmid_of_link(url: str) -> str | None:
    m = _PMID.search(unquote(url)) if external(url) else None
    return m.group(1) if m else None


def pmcid_of_link(url: str) -> str | None:
    m = _PMCID.search(unquote(url)) if external(url) else None
    return m.group(1).upper() if m else None


def apply_link_ids(fields: ReferenceFields, links: list[str]) -> ReferenceFields:
    """Fill the DOI, PMID and PMCID the entry's text lacks from its link targets."""
    for url in links:
        doi = doi_of_link(url)
        if doi and fields.doi and fields.doi != doi and fields.doi.startswith(doi):
            fields.doi = doi  # the text ran something into its DOI ("…-023869631": a PMID)
        if fields.doi_status != "present" and doi:
            fields.doi, fields.doi_raw, fields.doi_status = doi, unquote(url.strip()), "present"
        if fields.pmid is None and (pmid := pmid_of_link(url)):
            fields.pmid = pmid
        if fields.pmcid is None and (pmcid := pmcid_of_link(url)):
            fields.pmcid = pmcid
        if fields.url is None and external(url):
            fields.url = url.strip()
    return fields
