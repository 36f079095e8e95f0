"""Reference entries in the styles health articles use, written from a synthetic work.

Each formatter returns the raw entry text; ``fields_for`` returns what a perfect parser
would read from it (the ground truth saved straight into the query-benchmark KB).
"""

from __future__ import annotations

import random

from ingest.types import ReferenceFields

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SITES = [
    ("National Institutes of Health", "https://www.nih.gov/news-events/news-releases/"),
    ("ScienceDaily", "https://www.sciencedaily.com/releases/"),
    ("Mayo Clinic", "https://www.mayoclinic.org/diseases-conditions/"),
    ("World Health Organization", "https://www.who.int/news-room/fact-sheets/detail/"),
]


def _initials(given: str) -> str:
    return "".join(p[0] for p in given.replace(".", " ").split())


def _year(work: dict) -> int:
    return work["issued"]["date-parts"][0][0]


def _locator(work: dict) -> str:
    return work.get("page") or work.get("article-number") or ""


def vancouver(work: dict, doi_text: str | None) -> str:
    auth = work["author"]
    names = [f"{a['family']} {_initials(a['given'])}" for a in auth[:6]]
    if len(auth) > 6:
        names.append("et al")
    vol = f"{work['volume']}({work['issue']})"
    out = (
        f"{', '.join(names)}. {work['title'][0]}. {work['short-container-title'][0]}. "
        f"{_year(work)};{vol}:{_locator(work)}."
    )
    return out + (f" doi:{doi_text}" if doi_text is not None else "")


def apa(work: dict, doi_text: str | None) -> str:
    auth = work["author"]
    names = [f"{a['family']}, {a['given']}" for a in auth[:20]]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    out = (
        f"{joined} ({_year(work)}). {work['title'][0]}. {work['container-title'][0]}, "
        f"{work['volume']}({work['issue']}), {_locator(work).replace('-', '–')}."
    )
    return out + (f" https://doi.org/{doi_text}" if doi_text is not None else "")


def pubmed(work: dict, doi_text: str | None, pmid: str, pmcid: str | None) -> str:
    auth = work["author"]
    names = [f"{a['family']} {_initials(a['given'])}" for a in auth[:3]]
    month = MONTHS[work["issued"]["date-parts"][0][1] - 1]
    out = (
        f"{', '.join(names)}{', et al' if len(auth) > 3 else ''}. {work['title'][0]}. "
        f"{work['short-container-title'][0]}. {_year(work)} {month};"
        f"{work['volume']}({work['issue']}):{_locator(work)}."
    )
    if doi_text is not None:
        out += f" doi: {doi_text}."
    out += f" PMID: {pmid}"
    return out + (f"; PMCID: {pmcid}." if pmcid else ".")


def web_reference(rng: random.Random, n: int) -> tuple[str, ReferenceFields]:
    """A URL-only entry: either a bare link or a page title with a link."""
    org, base = SITES[rng.randrange(len(SITES))]
    url = f"{base}{rng.randint(2010, 2024)}/{rng.randint(10000, 99999)}-item-{n}"
    if rng.random() < 0.5:
        return url, ReferenceFields(url=url, source_type="web")
    year = rng.randint(2010, 2024)
    raw = f"{org}. Patient information, part {n}. Published {year}. Available at: {url}"
    return raw, ReferenceFields(url=url, year=year, source_type="web")


def fields_for(
    work: dict, style: str, doi: str | None, doi_raw: str | None, status: str, **ids: str | None
) -> ReferenceFields:
    """The fields a correct parser reads from an entry written in ``style``."""
    auth = work["author"]
    shown = auth[:6] if style == "vancouver" else auth[:3] if style == "pubmed" else auth
    journal_key = "container-title" if style == "apa" else "short-container-title"
    page = work.get("page")
    return ReferenceFields(
        doi=doi,
        doi_raw=doi_raw,
        doi_status=status,
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmcid"),
        year=_year(work),
        volume=work["volume"],
        issue=work["issue"],
        pages=page,
        article_number=work.get("article-number"),
        journal=work[journal_key][0],
        authors=[f"{a['family']} {_initials(a['given'])}" for a in shown],
        first_author=auth[0]["family"],
        title=work["title"][0],
        source_type="journal",
    )
