"""Validate a DOI candidate against what a reference entry says (pure, no I/O).

Crossref's ``score`` is not calibrated, so every candidate is checked field by
field, as Crossref's own matcher does: year, volume, issue, first page or article
number, first author, title, journal, and a truncated DOI the candidate's DOI
extends. Agreements add weight, disagreements subtract; a different first page or
article number, or a DOI that does not extend the truncated one, rules a
candidate out (that is what separates two papers of the same journal and year).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from kb.models import Work

WEIGHTS = {
    "doi_prefix": 3.0,
    "title": 3.0,
    "locator": 2.5,  # first page or article number
    "first_author": 1.5,
    "volume": 1.5,
    "issue": 1.0,
    "year": 1.0,
    "journal": 1.0,
}
VETO = ("locator", "doi_prefix")
FULL_EVIDENCE = 6.0  # agreement weight that earns full confidence
THRESHOLD = 0.6
_STOP = {"of", "the", "and", "for", "in", "on", "der", "die", "das", "la", "le"}


@dataclass
class RefFacts:
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    article_number: str | None = None
    first_author: str | None = None
    title: str | None = None
    journal: str | None = None
    doi_fragment: str | None = None  # a truncated DOI, lower-case

    def evidence_fields(self) -> int:
        locator = self.pages or self.article_number
        vals = (self.year, self.volume, locator, self.first_author, self.title, self.journal,
                self.doi_fragment)  # fmt: skip
        return sum(v is not None and v != "" for v in vals)


@dataclass
class Match:
    doi: str
    confidence: float
    agreed: list[str] = field(default_factory=list)
    disagreed: list[str] = field(default_factory=list)
    vetoed: bool = False

    @property
    def accepted(self) -> bool:
        return not self.vetoed and self.confidence >= THRESHOLD


@lru_cache(maxsize=65536)  # the same titles and journals are compared again and again
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def _norm(value: str | None) -> str:
    return re.sub(r"[^0-9a-z]", "", _fold(value or ""))


def _first_page(pages: str | None) -> str:
    return _norm(re.split(r"[-–—,]", pages or "", maxsplit=1)[0])


def _locators(pages: str | None, number: str | None) -> set[str]:
    out = {_first_page(pages), _norm(number)} - {""}
    return out | {x[1:] for x in out if x[:1] == "e" and x[1:].isdigit()}


def _journal_agrees(ref: str, cand: str) -> bool:
    a = [t for t in re.findall(r"[a-z0-9]+", _fold(ref)) if t not in _STOP]
    b = [t for t in re.findall(r"[a-z0-9]+", _fold(cand)) if t not in _STOP]
    if not a or not b:
        return False
    if len(a) == len(b) and all(y.startswith(x) for x, y in zip(a, b, strict=True)):
        return True  # "Ann Neurol" ~ "Annals of Neurology"
    return fuzz.ratio(" ".join(a), " ".join(b)) >= 90


def _compare(name: str, facts: RefFacts, work: Work) -> bool | None:
    """True agree, False disagree, None nothing to compare."""
    if name == "doi_prefix":
        if not facts.doi_fragment:
            return None
        return work.doi.lower().startswith(facts.doi_fragment.lower())
    if name == "year":
        if not facts.year or not work.year:
            return None
        diff = abs(facts.year - work.year)
        return True if diff == 0 else (None if diff == 1 else False)  # online-first vs print
    if name in ("volume", "issue"):
        a, b = _norm(getattr(facts, name)), _norm(getattr(work, name))
        return None if not a or not b else a == b
    if name == "locator":
        a = _locators(facts.pages, facts.article_number)
        b = _locators(work.page, work.article_number)
        return None if not a or not b else bool(a & b)
    if name == "first_author":
        a, b = _norm(facts.first_author), _norm(work.first_author)
        return None if not a or not b else a == b
    if name == "title":
        if not facts.title or not work.title:
            return None
        ratio = fuzz.token_set_ratio(_fold(facts.title), _fold(work.title))
        return True if ratio >= 85 else (False if ratio < 50 else None)
    if name == "journal":
        if not facts.journal or not work.container_title:
            return None
        return _journal_agrees(facts.journal, work.container_title)
    raise ValueError(name)


def validate(facts: RefFacts, work: Work) -> Match:
    """How well one candidate work fits what the reference says."""
    agreed, disagreed = [], []
    for name in WEIGHTS:
        verdict = _compare(name, facts, work)
        if verdict is True:
            agreed.append(name)
        elif verdict is False:
            disagreed.append(name)
    evidence = sum(WEIGHTS[n] for n in agreed)
    conflict = sum(WEIGHTS[n] for n in disagreed)
    confidence = 0.0
    if evidence:
        confidence = evidence / (evidence + conflict) * min(1.0, evidence / FULL_EVIDENCE)
    vetoed = any(n in VETO for n in disagreed)
    return Match(work.doi, round(confidence, 3), agreed, disagreed, vetoed)


def best_match(facts: RefFacts, works: list[Work]) -> Match | None:
    """The best accepted candidate, or None when none clears the threshold."""
    seen: set[str] = set()
    matches = []
    for w in works:
        if w.doi not in seen:
            seen.add(w.doi)
            matches.append(validate(facts, w))
    ok = [m for m in matches if m.accepted]
    if not ok:
        return None
    ok.sort(key=lambda m: (-m.confidence, -len(m.agreed), m.doi))
    return ok[0]
