"""Tolerant comparisons between what a sentence says and what a cited source is.

Entry-versus-work agreement (journal, year, pages...) is ``ingest/crossref/agreement.py``,
shared with DOI suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.models import Reference, Work


def entry_pages(ref: Reference) -> str | None:
    return ref.pages or ref.article_number


def work_pages(work: Work) -> str | None:
    return work.page or work.article_number


# --- study design ---------------------------------------------------------------

# (pattern, tags): a design phrase in a sentence or title and the families it belongs to.
_DESIGN_PATTERNS: list[tuple[str, set[str]]] = [
    (r"\bprotocol\b", {"protocol"}),
    (
        r"\bsystematic(?:\s+review)?|\bmeta-?\s?analys[ie]s|\bsystemic review",
        {"review", "systematic"},
    ),
    (r"\breview\b", {"review"}),
    (r"\brandomi[sz]ed\b|\brct\b|placebo-controlled", {"trial", "rct"}),
    (r"\bpilot\b", {"trial", "pilot"}),
    (r"\btrial\b|\binterventional\b", {"trial"}),
    (
        r"\bcohort\b|\bobservational\b|\bregister-based\b|\bregistry\b|\bcross-sectional\b"
        r"|\bcase-control\b|\bbefore-after\b|\bpre-post\b|\bretrospective\b|\bnonrandomised\b",
        {"observational"},
    ),
    (r"\bcase (?:report|series|study)\b", {"case"}),
    (r"\bhypothes[ie]s\b|\bopinion\b|\beditorial\b|\bcommentary\b", {"opinion"}),
    (r"\bin vitro\b|\bmice\b|\bmouse\b|\brats?\b|\bcells?\b|\banimal\b", {"preclinical"}),
]


def design_tags(text: str | None) -> set[str]:
    """The design families a phrase or title names. A protocol is only a protocol."""
    if not text:
        return set()
    # "non-randomised" must not read as randomised
    low = re.sub(r"non-?\s?randomi[sz]ed", "nonrandomised", text.lower())
    if re.search(_DESIGN_PATTERNS[0][0], low):
        return {"protocol"}
    tags: set[str] = set()
    for pattern, found in _DESIGN_PATTERNS[1:]:
        if re.search(pattern, low):
            tags |= found
    return tags


def designs_agree(described: set[str], source: set[str]) -> bool:
    """Conservative: only families with nothing in common disagree."""
    return bool(described & source)


_SAMPLE = re.compile(
    r"\b(?:n\s*=\s*(\d[\d,]*)|(\d[\d,]*)\s+(?:patients|participants|subjects|adults|children"
    r"|women|men|individuals|people|cases|volunteers))\b",
    re.I,
)


def sample_size_in(text: str | None) -> int | None:
    m = _SAMPLE.search(text or "")
    if not m:
        return None
    return int((m.group(1) or m.group(2)).replace(",", ""))


EFFECT = re.compile(
    r"\b(?:found|finds?|show(?:s|ed|n)?|demonstrat\w*|improv\w*|reduc\w*|decreas\w*|increas\w*"
    r"|effective\w*|efficacy|benefit\w*|alleviat\w*|reliev\w*|relief|help\w*|led to|resulted in"
    r"|associated with|promis\w*|suggest\w*|work(?:s|ed)?)\b",
    re.I,
)


def asserts_effect(sentence: str) -> bool:
    return bool(EFFECT.search(sentence))


# --- what is known about a cited source -------------------------------------------


@dataclass
class SourceView:
    """The best available description of what an entry cites."""

    basis: str  # work | suggested_work | entry
    year: int | None = None
    journal: str | None = None
    title: str | None = None
    design: set[str] = field(default_factory=set)
    sample_size: int | None = None


def source_view(ref: Reference, work: Work | None, suggested: Work | None) -> SourceView:
    """The work's record when the entry resolved; else a suggested work; else the entry itself."""
    w = work or suggested
    if w is not None:
        design_text = " ".join(filter(None, [w.title, w.evidence_type]))
        return SourceView(
            basis="work" if work is not None else "suggested_work",
            year=w.year,
            journal=w.container_title,
            title=w.title,
            design=design_tags(design_text),
            sample_size=sample_size_in(w.title),
        )
    return SourceView(
        basis="entry",
        year=ref.year,
        journal=ref.journal,
        title=ref.title,
        design=design_tags(" ".join(filter(None, [ref.title, ref.evidence_type]))),
        sample_size=sample_size_in(ref.title),
    )
