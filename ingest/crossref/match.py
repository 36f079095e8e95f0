"""Validate a DOI candidate against what a reference entry says (pure, no I/O).

Crossref's ``score`` is not calibrated, so every candidate is checked field by
field, as Crossref's own matcher does: year, volume, issue, first page or article
number, first author, title, journal, and a truncated DOI the candidate's DOI
extends; the per-field verdicts are ``agreement.py``'s, shared with the audit.
Agreements add weight, disagreements subtract; a different first page or
article number, or a DOI that does not extend the truncated one, rules a
candidate out (that is what separates two papers of the same journal and year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ingest.crossref.agreement import compare_field
from ingest.doi import normalize_doi

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


class WorkLike(Protocol):
    """What matching reads of a candidate work (a ``Work`` row in practice)."""

    doi: str
    year: int | None
    volume: str | None
    issue: str | None
    page: str | None
    article_number: str | None
    first_author: str | None
    title: str | None
    container_title: str | None


def _compare(name: str, facts: RefFacts, work: WorkLike) -> bool | None:
    """True agree, False disagree, None nothing to compare (``agreement`` decides)."""
    if name == "doi_prefix":
        if not facts.doi_fragment:
            return None
        fragment = normalize_doi(facts.doi_fragment, strict=False)
        return normalize_doi(work.doi, strict=False).startswith(fragment)
    return compare_field(name, facts, work)


def validate(facts: RefFacts, work: WorkLike) -> Match:
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


def best_match(facts: RefFacts, works: list[WorkLike]) -> Match | None:
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
