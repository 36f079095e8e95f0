"""Local DOI candidates for a reference: works already in the database.

Local candidates come from the ``work`` table (the shipped or imported snapshot,
earlier API answers, works verified in this build): full-text search over title,
authors and container title (``work_fts`` in ``kb/schema.py``), plus exact
look-ups on year with volume, first page or article number, and on a truncated
DOI's prefix. Online, Crossref's ``query.bibliographic`` adds its candidates
(``suggestions.py``).

The cost must not grow with the work table: the full-text query ORs only the
reference's rarest words (by their document count in ``work_fts``), whose posting
lists are short, instead of every word; the look-ups go through the year index and
the primary key. A ``CandidateMemo`` answers a repeated reference (the same
normalised words and locators) without asking again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, text
from sqlmodel import Session

from ingest.crossref.match import RefFacts
from kb.models import Work
from kb.schema import ensure_work_vocabulary

RARE_TERMS = 8  # words of a reference ORed in its full-text query, rarest first
MAX_TERMS = 24  # words read from a reference (title, journal, first author)


@dataclass
class CandidateMemo:
    """Answers of one pass over references, while the work table does not change: the
    candidate DOIs per normalised reference, and each word's document count."""

    dois: dict[tuple, list[str]] = field(default_factory=dict)
    doc_counts: dict[str, int] = field(default_factory=dict)


def _words(facts: RefFacts) -> list[str]:
    words = []
    for value in (facts.title, facts.journal, facts.first_author):
        words += re.findall(r"[^\W_]{3,}", value or "")
    return list(dict.fromkeys(w.lower() for w in words))[:MAX_TERMS]


def _fold(word: str) -> str:
    """The word as the unicode61 tokenizer indexes it (diacritics removed)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _rarest(session: Session, words: list[str], memo: CandidateMemo) -> list[str]:
    """Up to RARE_TERMS of ``words`` that occur in some work, fewest documents first.
    A word in no work matches nothing and is left out."""
    counts = memo.doc_counts
    todo = sorted({_fold(w) for w in words} - counts.keys())
    if todo:
        ensure_work_vocabulary(session.connection())
        for i in range(0, len(todo), 500):
            chunk = todo[i : i + 500]
            counts.update(dict.fromkeys(chunk, 0))
            marks = ", ".join(f":t{j}" for j in range(len(chunk)))
            rows = session.execute(
                text(f"SELECT term, doc FROM temp.work_fts_vocab WHERE term IN ({marks})"),
                {f"t{j}": t for j, t in enumerate(chunk)},
            )
            counts.update({term: doc for term, doc in rows})
    present = [w for w in words if counts[_fold(w)] > 0]
    order = {w: i for i, w in enumerate(present)}
    return sorted(present, key=lambda w: (counts[_fold(w)], order[w]))[:RARE_TERMS]


def _locator_dois(session: Session, facts: RefFacts, limit: int) -> list[str]:
    """Works with the reference's year (±1) and volume, first page or article number, or
    under its truncated DOI: the first ``limit`` in table order, as one OR query gave."""
    found: list[tuple[int, str]] = []
    rowid = text("work.rowid")
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
        near = and_(Work.year.between(facts.year - 1, facts.year + 1), or_(*loc))
        found += session.execute(
            select(rowid, Work.doi).where(near).order_by(rowid).limit(limit)
        ).all()
    if facts.doi_fragment:
        prefix = facts.doi_fragment.replace("%", "")
        # a key range on the primary key (DOIs are stored lower-case), not a LIKE scan
        under = and_(Work.doi >= prefix, Work.doi < prefix + "\U0010ffff")
        found += session.execute(
            select(rowid, Work.doi).where(under).order_by(rowid).limit(limit)
        ).all()
    return [doi for _rowid, doi in sorted(set(found))[:limit]]


def _candidate_dois(session: Session, facts: RefFacts, limit: int, memo: CandidateMemo) -> list:
    ranked: list[str] = []
    rare = _rarest(session, _words(facts), memo)
    if rare:
        rows = session.execute(
            text(
                "SELECT work.doi FROM work_fts JOIN work ON work.rowid = work_fts.rowid "
                "WHERE work_fts MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": " OR ".join(f'"{w}"' for w in rare), "n": limit},
        ).all()
        ranked = [doi for (doi,) in rows]
    return list(dict.fromkeys(ranked + _locator_dois(session, facts, limit)))


def local_candidates(
    session: Session, facts: RefFacts, limit: int = 20, memo: CandidateMemo | None = None
) -> list[Work]:
    """Candidate works, full-text matches in rank order first. ``memo``: answers of
    earlier calls in the same pass (pass a fresh one whenever works were added)."""
    memo = memo if memo is not None else CandidateMemo()
    key = (tuple(_words(facts)), facts.year, facts.volume, facts.pages,
           facts.article_number, facts.doi_fragment, limit)  # fmt: skip
    dois = memo.dois.get(key)
    if dois is None:
        dois = memo.dois[key] = _candidate_dois(session, facts, limit, memo)
    works = {w.doi: w for w in session.execute(select(Work).where(Work.doi.in_(dois))).scalars()}
    return [works[d] for d in dois if d in works]
