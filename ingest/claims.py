"""Claims: body sentences that cite something, or that describe a study without citing it.

``mark_claims`` sets ``is_claim``, ``uncited`` and ``description`` on an article's
sentences. What a sentence says about its study (year, journal, design, sample
size...) comes from ``ingest.descriptions.describe_study``; this module only
decides *whether* a sentence reports a study's finding.
"""

from __future__ import annotations

import re

from ingest.descriptions import describe_study
from ingest.markers import body_sentences
from ingest.types import ParsedArticle, ParsedSentence, StudyDescription

_STUDY = (
    r"(?:stud(?:y|ies)|trials?|meta-?analys[ie]s|(?:systematic\s+)?reviews?|surveys?|"
    r"experiments?|cohorts?|case[-\s]series|case\s+reports?|investigations?|research|"
    r"researchers|investigators|scientists|analys[ie]s)"
)
_FINDING = (
    r"(?:found|showed|(?:has|have|had)\s+(?:been\s+)?shown|demonstrated|demonstrates|"
    r"reported|reports|revealed|reveals|concluded|concludes|suggested|suggests|indicated|"
    r"indicates|observed|confirmed|confirms|documented|established|proved|linked)"
)
_PLURAL = r"(?:studies|trials|meta-?analyses|reviews|surveys|experiments|researchers|investigators)"
_BASE = r"(?:find|show|suggest|indicate|demonstrate|report|reveal|confirm)"
# A study noun as subject, and a finding verb soon after it in the same clause.
STUDY_FINDING_RE = re.compile(
    rf"\b{_STUDY}\b[^.;:]{{0,90}}?\b{_FINDING}\b|\b{_PLURAL}\s+(?:\w+\s+){{0,2}}?{_BASE}\b",
    re.I,
)
# The article's own work ("we found", "our results") needs no citation.
OWN_WORK_RE = re.compile(
    r"\b(?:we|our|us)\b|\b(?:this|the\s+present|the\s+current)\s+(?:study|paper|article|work)\b",
    re.I,
)
# "A 2013 study published in X", "a cohort trial conducted in 2022", "in a randomized trial"
STUDY_DETAIL_RE = re.compile(
    rf"\b(?:(?:19|20)\d\d\s+{_STUDY}|{_STUDY}\s+(?:published|conducted|carried\s+out)\s+in\b|"
    r"\b(?:a|an|one|this|that|in\s+a|in\s+an)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:randomi[sz]ed|placebo-controlled|double-blind|controlled|cohort|case-control|"
    r"cross-sectional|observational|pilot|open-label)\s+(?:clinical\s+)?(?:trial|study)\b)",
    re.I,
)
# Calls for research are not findings ("More research is needed").
NEED_RE = re.compile(
    r"\b(?:is|are|remains?)\s+(?:needed|required|necessary|warranted|lacking)\b|\black\s+of\b|"
    r"\b(?:need|needs)\s+(?:for\s+)?(?:further|more|future|larger)\b|"
    r"\b(?:future|further|more)\s+(?:research|studies|trials)\s+(?:should|must|will|is|are)\b",
    re.I,
)
# A sentence continuing the previous one's study: "The study included 52 patients."
ANAPHOR_RE = re.compile(
    r"^\s*(?:The|This|These|Those|Its|Their|In\s+(?:this|that|the))\s+(?:\w+\s+)?"
    r"(?:stud(?:y|ies)|trials?|results?|findings|authors|researchers|investigators|"
    r"participants|analysis|review|cohort)\b"
)


def describes_study(text: str) -> bool:
    """True when the sentence reports what someone else's study found, or names a study."""
    if OWN_WORK_RE.search(text) or (NEED_RE.search(text) and not STUDY_DETAIL_RE.search(text)):
        return False
    return bool(STUDY_FINDING_RE.search(text) or STUDY_DETAIL_RE.search(text))


def describe(text: str) -> StudyDescription | None:
    """What the sentence says about its study (``ingest.descriptions``)."""
    return describe_study(text)


def mark_claims(article: ParsedArticle) -> None:
    """Set ``is_claim``, ``uncited`` and ``description`` on the article's body sentences.

    A claim carries a marker, or describes a study without one (then ``uncited``),
    or continues the study of the claim just before it in the same paragraph
    ("The study included 52 patients.") and shares that claim's citation status.
    Sentences of the reference list are never claims.
    """
    prev: ParsedSentence | None = None
    for sent in body_sentences(article):
        sent.is_claim = sent.uncited = False
        sent.description = None
        sent.continues = None
        continues = (
            prev is not None
            and prev.is_claim
            and (prev.paragraph, prev.section) == (sent.paragraph, sent.section)
            and bool(ANAPHOR_RE.match(sent.text))
        )
        if sent.markers:
            sent.is_claim = True
        elif continues:
            sent.is_claim = True
            sent.uncited = prev.uncited
            sent.continues = prev.continues if prev.continues is not None else prev.position
        elif describes_study(sent.text):
            sent.is_claim = sent.uncited = True
        if sent.is_claim:
            d = describe(sent.text)
            sent.description = d if d is not None and not d.is_empty() else None
            if continues and sent.description:
                prev.description = prev.description or StudyDescription()
                _fill_gaps(prev.description, sent.description)
        prev = sent


def _fill_gaps(target: StudyDescription, extra: StudyDescription) -> None:
    """The previous claim's study gains what its follow-up sentence says (sample size...)."""
    for name in ("year", "journal", "design", "sample_size", "duration"):
        if getattr(target, name) is None and getattr(extra, name) is not None:
            setattr(target, name, getattr(extra, name))
    target.outcomes += [o for o in extra.outcomes if o not in target.outcomes]
