"""Citation markers: find them in a sentence, decide an article's style, attach them.

Marker styles (``ParsedMarker.style``): bracket | superscript | paren | footnote |
author_year | mdlink | bare. An article's style (``ParsedArticle.marker_style``) is
one of those, ``mixed`` when two are used in earnest, or ``none``.

Keys are exactly the reference list's keys: numbers as "16", Markdown labels as
written, author–year keys from ``author_year_key`` (re-exported here; it is the
single definition) or the key of the entry an author–year citation resolves to.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from ingest import marker_patterns as mp
from ingest.author_year import AuthorIndex, author_year_key, find_author_year
from ingest.types import InlineMarker, ParsedArticle, ParsedMarker, ParsedReference

__all__ = [
    "AuthorIndex",
    "author_year_key",
    "find_markers",
    "detect_marker_style",
    "attach_markers",
    "body_sentences",
]

NUMERIC_STYLES = frozenset({"bracket", "superscript", "paren", "bare", "footnote"})
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|gov|edu|io)/\S*", re.I)


def find_markers(
    text: str,
    *,
    style: str | None = None,
    keys: Collection[str] = (),
    authors: AuthorIndex | None = None,
    warnings: list[str] | None = None,
) -> list[ParsedMarker]:
    """Text-pattern citation markers in one sentence, offsets within ``text``, in order.

    ``style`` is the article's style: parenthetical numbers count only when it is
    ``paren``, bare numbers only when it is ``bare`` (and they are known ``keys``).
    Author–year citations in a numeric article count only when they resolve.
    """
    tabular = mp.looks_tabular(text)
    found: list[tuple[int, int, str, list[str]]] = []  # in priority order

    def add(hits: list[mp.Hit], kind: str) -> None:
        found.extend((s, e, kind, k) for s, e, k in hits)

    add(mp.find_footnotes(text), "footnote")
    if not tabular:
        add(mp.find_brackets(text, warnings), "bracket")
        add(mp.find_superscripts(text), "superscript")
    add(mp.find_mdlinks(text, keys, warnings), "mdlink")
    add(_author_year_hits(text, authors, require_resolved=style in NUMERIC_STYLES), "author_year")
    if style == "paren" and not tabular:
        add(mp.find_paren_numbers(text, keys, warnings), "paren")
    if style == "bare" and not tabular:
        add(mp.find_bare(text, keys), "bare")

    taken = _Spans((m.start(), m.end()) for m in _URL_RE.finditer(text))
    out: list[ParsedMarker] = []
    for start, end, kind, got in found:
        if got and taken.add(start, end):
            out.append(ParsedMarker(text[start:end], start, end, kind, got))
    return sorted(out, key=lambda m: m.start)


class _Spans:
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


def _author_year_hits(
    text: str, authors: AuthorIndex | None, *, require_resolved: bool
) -> list[mp.Hit]:
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


# --- the article's style -----------------------------------------------------------


def detect_marker_style(
    texts: Sequence[str],
    references: Sequence[ParsedReference] = (),
    inline: Sequence[InlineMarker] = (),
) -> str:
    """The article's marker style from candidate counts in its body sentences.

    Markup markers (``inline``) are certain and count fully; a text candidate
    counts fully when its numbers are in the reference list and a quarter when
    there is no numbered list to check against. Ambiguous forms (parenthetical and
    bare numbers) count only when they fall inside the list. Mask inline marker
    spans out of ``texts`` first so nothing is counted twice.
    """
    keys = [r.key for r in references]
    numbered = {k for k in keys if k.isdigit()}
    authors = AuthorIndex(references) if references else None
    counts: Counter[str] = Counter(m.style for m in inline)
    bare = 0.0

    def weight(got: list[str]) -> float:
        if not numbered:
            return 0.25
        return 1.0 if sum(k in numbered for k in got) * 2 >= len(got) else 0.1

    for text in texts:
        if mp.looks_tabular(text):
            continue
        for _, _, got in mp.find_brackets(text):
            counts["bracket"] += weight(got)
        for _, _, got in mp.find_superscripts(text):
            counts["superscript"] += weight(got)
        for _, _, got in mp.find_paren_numbers(text, keys):
            if numbered and all(k in numbered for k in got):
                counts["paren"] += 1
        counts["footnote"] += len(mp.find_footnotes(text))
        counts["mdlink"] += len(mp.find_mdlinks(text, keys))
        counts["author_year"] += len(
            _author_year_hits(text, authors, require_resolved=authors is not None)
        )
        bare += len(mp.find_bare(text, keys)) if numbered else 0
    if not any(counts[s] for s in ("bracket", "superscript", "paren")) and bare >= 3:
        counts["bare"] += bare  # the weakest evidence: only when nothing else is numeric
    return _decide(counts)


def _decide(counts: Counter[str]) -> str:
    ranked = [(n, s) for s, n in counts.most_common() if n >= 1]
    if not ranked:
        return "none"
    top_n, top = ranked[0]
    if len(ranked) > 1 and ranked[1][0] >= max(3, 0.25 * top_n):
        return "mixed"
    return top


# --- attaching markers to an article's sentences -------------------------------------


def body_sentences(article: ParsedArticle):
    """Sentences outside the reference list section(s)."""
    ref_sections = {i for i, s in enumerate(article.sections) if s.is_references}
    starts = [s.start for s in article.sections if s.is_references]
    first_ref = min(starts) if starts else None
    return [
        s
        for s in article.sentences
        if s.section not in ref_sections and (first_ref is None or s.start < first_ref)
    ]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        chars[max(0, s) : max(0, e)] = " " * (max(0, e) - max(0, s))
    return "".join(chars)[: len(text)]


def attach_markers(article: ParsedArticle, inline: list[InlineMarker]) -> None:
    """Fill each body sentence's ``markers`` and set ``article.marker_style``.

    Markup markers (converted to sentence offsets) win over an overlapping text
    match; a fragment made only of markers ("[3][4]" split off after "disease.")
    is merged back into the sentence before it.
    """
    from ingest.marker_attach import attach

    attach(article, inline)
