"""Local DOI candidates for a reference: works already in the database.

Local candidates come from the ``work`` table (the shipped or imported snapshot,
earlier API answers, works verified in this build): full-text search over title,
authors and container title (``work_fts`` in ``kb/schema.py``), plus exact
look-ups on year with volume, first page or article number, and on a truncated
DOI's prefix. Online, Crossref's ``query.bibliographic`` adds its candidates
(``suggestions.py``).
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select, text
from sqlmodel import Session

from ingest.crossref.match import RefFacts
from kb.models import Work


def _fts_query(facts: RefFacts) -> str | None:
    words = []
    for value in (facts.title, facts.journal, facts.first_author):
        words += re.findall(r"[^\W_]{3,}", value or "")
    words = list(dict.fromkeys(w.lower() for w in words))[:24]
    return " OR ".join(f'"{w}"' for w in words) or None


def local_candidates(session: Session, facts: RefFacts, limit: int = 20) -> list[Work]:
    found: dict[str, Work] = {}
    fts = _fts_query(facts)
    if fts:
        rows = session.execute(
            text(
                "SELECT work.doi FROM work_fts JOIN work ON work.rowid = work_fts.rowid "
                "WHERE work_fts MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": fts, "n": limit},
        ).all()
        ranked = [doi for (doi,) in rows]
        works = {
            w.doi: w for w in session.execute(select(Work).where(Work.doi.in_(ranked))).scalars()
        }
        for doi in ranked:  # in rank order, one query for all
            found.setdefault(doi, works.get(doi))
    conds = []
    if facts.year and (facts.volume or facts.pages or facts.article_number):
        loc = []
        if facts.volume:
            loc.append(Work.volume == facts.volume)
        first = re.split(r"[-–]", facts.pages or "")[0].strip()
        if first:
            loc.append(Work.page.like(f"{first}%"))
            loc.append(Work.article_number == first)
        if facts.article_number:
            loc.append(Work.article_number == facts.article_number)
        conds.append((Work.year.between(facts.year - 1, facts.year + 1)) & or_(*loc))
    if facts.doi_fragment:
        conds.append(Work.doi.like(facts.doi_fragment.replace("%", "") + "%"))
    if conds:
        for w in session.execute(select(Work).where(or_(*conds)).limit(limit)).scalars():
            found.setdefault(w.doi, w)
    return [w for w in found.values() if w is not None]
