"""How much a block of text looks like a reference entry, and the cleaning real entries need.

The score adds up the marks of a citation: numbering (``1.``, ``[1]``, ``1)``, ``^``), a
year, an identifier (DOI, PMID, PMCID, URL, ISBN), author names written the way
bibliographies write them (``Smith J,`` ``Smith, J.`` ``J. Smith``, ``et al.``), journal
abbreviations and a volume/issue/pages block. Prose scores low even when it names a year:
it is long, made of sentences, and carries none of the other marks.
"""

from __future__ import annotations

import re

_NUMBERING = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]|\^|↑)\s*")
_NUMBERING_DIGITS = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)])\s*")
_YEAR = re.compile(r"(?<![\d/])(?:1[6-9]\d\d|20\d\d)[a-z]?(?![\d/])")
_IDENT = re.compile(
    r"\b10\.\d{4,9}/|\bdoi\b|\bPMID\b|\bPMC\d{4,}|\bISBN\b|https?://|www\.|\barXiv\b", re.I
)
_AUTHOR = re.compile(
    r"^\s*(?:[\"“]?[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?,?\s(?:[A-Z]{1,3}\b|(?:[A-Z]\.\s?){1,3})"
    r"|[A-Z][\w'’\-]+,\s[A-Z][a-z]+"
    r"|(?:[A-Z]\.\s?){1,3}[A-Z][\w'’\-]+[,.]"
    r"|[A-Z][\w&.'’\- ]{2,80}\(\d{4}\)"
    r"|(?:[A-Z][a-z]+\s(?:[A-Z]\.?\s)?){1,2}[A-Z][\w'’\-]+(?:,\s|\.\s))"
)
_ETAL = re.compile(r"\bet\s+al\b|\bet\s+al\.", re.I)
_VOLUME = re.compile(
    r"\b\d{1,5}\s*\(\s*[\w\-–/ ]{1,12}\)\s*[:,]\s*[A-Za-z]?\d|;\s*\d{1,5}\s*[:(]\s*\w"
    r"|\bpp?\.\s*\d|\bvol\.\s*\d|\b\d{1,5}:\s?[A-Za-z]?\d{1,6}(?:\s?[-–]\s?\d{1,6})?\b"
)
_JOURNAL = re.compile(
    r"\b(?:J|Med|Am|Engl|Clin|Res|Int|Rev|Proc|Natl|Acad|Sci|Ann|Arch|Biol|Nutr|Epidemiol"
    r"|Pediatr|Psychiatry|Lancet|BMJ|JAMA|PLoS|PLOS|Nature|Science|Cell|Journal|Nat)\b\.?"
)
_SENTENCE = re.compile(r"[a-z]{3,}[.!?]\s+[A-Z][a-z]")
_PROSE_WORDS = re.compile(r"\b(?:we|our|is|are|was|were|has|have|this|that|which|can|may)\b")


def entry_score(text: str, *, numbered: bool = False, links: int = 0) -> float:
    """0..1: how much ``text`` reads like one reference entry (see the module docstring)."""
    t = text.strip()
    if not t:
        return 0.0
    score = 0.0
    if _BACKLINK.match(_NUMBERING_DIGITS.sub("", t, count=1)):
        score += 0.3  # a wiki back-link: only reference entries carry one
    if numbered or _NUMBERING.match(t):
        score += 0.15
        t = _NUMBERING.sub("", t, count=1)
    if _YEAR.search(t):
        score += 0.25
    if _IDENT.search(t) or links:
        score += 0.3
    if _AUTHOR.match(t):
        score += 0.25
    if _ETAL.search(t):
        score += 0.1
    if _VOLUME.search(t):
        score += 0.25
    if len(_JOURNAL.findall(t)) >= 1:
        score += 0.1
    words = len(t.split())
    prose = len(_PROSE_WORDS.findall(t)) / max(1, words)
    if words > 120 or (len(_SENTENCE.findall(t)) >= 3 and prose > 0.04):
        score *= 0.3  # a paragraph, not an entry
    elif prose > 0.08 and words > 25:
        score *= 0.6
    return min(score, 1.0)


# --- cleaning an entry as a page wrote it -------------------------------------------

# Wiki back-links before the entry: "^", "^ a b c", "↑", "^ Jump up to: a b".
_BACKLINK = re.compile(r"^\s*(?:\^|↑)\s*(?:Jump up(?:\s+to)?\s*:?\s*)?")
# Style-sheet rules and script that a text dump left inside an entry.
_CSS = re.compile(r"[.#@][\w\-][^{}\n]{0,300}?\{[^{}]{0,3000}\}")
_SCRIPT = re.compile(r"(?:function\s*\([^)]*\)\s*\{[^{}]{0,3000}\}|\bwindow\.\w+[^\n]{0,300};)")


def strip_backlinks(raw: str) -> tuple[str, bool]:
    """``^ a b Smith J...`` -> ``Smith J...``; True when a back-link was there."""
    m = _BACKLINK.match(raw)
    if not m:
        return raw, False
    rest = raw[m.end() :]
    for label in _backlink_labels():
        tok = re.match(rf"\^?{label}(?:\s+|$|(?=[A-Z]))", rest)  # "^ a bHorn", "^ ^a ^b"
        if not tok:
            break
        rest = rest[tok.end() :]
    return rest.lstrip(), True


def _backlink_labels():
    """a, b, ..., z, aa, ab, ...: the letters a wiki prints for each back-link."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


def strip_junk(raw: str) -> tuple[str, bool]:
    """Drop style-sheet rules and script a dump left in the entry; True when any was there."""
    if "{" not in raw:
        return raw, False
    cleaned = _SCRIPT.sub(" ", _CSS.sub(" ", raw))
    if cleaned == raw:
        return raw, False
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), True
