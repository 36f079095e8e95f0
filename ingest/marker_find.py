"""Find the citation markers of one sentence (text patterns), offsets within the sentence.

Which families count in an article is decided from evidence (``ingest.marker_families``);
``find_markers`` takes that decision as ``style``: one style name, or a collection of them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable

from ingest import marker_patterns as mp
from ingest.author_year import AuthorIndex, author_year_key, find_author_year
from ingest.types import ParsedMarker

NUMERIC_STYLES = frozenset({"bracket", "superscript", "paren", "bare", "footnote"})
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|gov|edu|io)/\S*", re.I)


def _styles(style: str | Collection[str] | None) -> frozenset[str]:
    if style is None:
        return frozenset()
    return frozenset({style}) if isinstance(style, str) else frozenset(style)


def find_markers(
    text: str,
    *,
    style: str | Collection[str] | None = None,
    keys: Collection[str] = (),
    authors: AuthorIndex | None = None,
    warnings: list[str] | None = None,
) -> list[ParsedMarker]:
    """Text-pattern citation markers in one sentence, offsets within ``text``, in order.

    ``style`` is the article's chosen style(s): parenthetical numbers count only when it
    includes ``paren``, bare numbers only with ``bare`` (and they are known ``keys``).
    Author–year citations in a numeric article count only when they resolve.
    """
    styles = _styles(style)
    tabular = mp.looks_tabular(text)
    found: list[tuple[int, int, str, list[str]]] = []  # in priority order

    def add(hits: list[mp.Hit], kind: str) -> None:
        found.extend((s, e, kind, k) for s, e, k in hits)

    numeric = bool(styles & NUMERIC_STYLES)
    add(mp.find_footnotes(text), "footnote")
    if not tabular:
        add(mp.find_brackets(text, warnings), "bracket")
        add(mp.find_superscripts(text), "superscript")
    if not tabular:  # before Markdown links: "[a]" is a lettered note when one exists
        add(mp.find_letter_notes(text, keys), "bracket")
    add(mp.find_mdlinks(text, keys, warnings), "mdlink")
    add(author_year_hits(text, authors, require_resolved=numeric), "author_year")
    add(mp.find_citekeys(text), "author_year")
    if "paren" in styles and not tabular:
        add(mp.find_paren_numbers(text, keys, warnings), "paren")
    if "bare" in styles and not tabular:
        add(mp.find_bare(text, keys), "bare")
    numbered = sorted(styles & {"bracket", "paren", "superscript", "bare"})
    if numbered and not tabular:  # "from ref. 46": the article's own numbers, named by word
        add(mp.find_ref_word(text, keys), numbered[0])

    taken = Spans((m.start(), m.end()) for m in _URL_RE.finditer(text))
    out: list[ParsedMarker] = []
    for start, end, kind, got in found:
        if got and taken.add(start, end):
            raw = text[start:end]
            out.append(ParsedMarker(raw, start, end, kind, got, mp.locator_of(raw)))
    return sorted(out, key=lambda m: m.start)


class Spans:
    """Non-overlapping spans kept sorted, so a 1 MB line with 100k candidates stays fast."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in spans:
            self.add(s, e)

    def add(self, start: int, end: int) -> bool:
        """Add the span unless it overlaps one already there; True when added."""
        i = bisect.bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def author_year_hits(
    text: str, authors: AuthorIndex | None, *, require_resolved: bool
) -> list[mp.Hit]:
    """Author–year citations as hits; keys are the entries they resolve to when listed."""
    hits: list[mp.Hit] = []
    for match in find_author_year(text):
        keys: list[str] = []
        resolved = False
        for cite in match.cites:
            if authors is not None:
                res = authors.resolve(cite)
                resolved |= res.entry_key is not None
                keys.append(res.key)
            else:
                name = cite.names[0] if cite.names else (cite.title or "anon").split()[0]
                keys.append(author_year_key(name, cite.year, cite.suffix))
        if require_resolved and not resolved:
            continue  # "Smith et al. (2010)" in a numbered article is prose, unless it is listed
        hits.append((match.start, match.end, list(dict.fromkeys(keys))))
    return hits
