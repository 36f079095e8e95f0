"""From labelled text to field values: the normalisation rules after labelling.

The same rules turn a labelled training string into the fields the evaluation expects,
so the parser and its measure agree on what a field's value is:

- authors: the author text split into names (``split_authors``: Vancouver ``Smith JA``,
  APA ``Smith, J. A.``, ``J. A. Smith``, ``and``/``&``, ``et al.`` dropped, a group author
  whole), each name split into family and given names (``name_parts``);
- title and container: the text with surrounding quotes, brackets, ``[Internet]`` tags
  and trailing punctuation removed; the container also gets its NLM abbreviation when
  the list knows it;
- year: the first four-digit year (1600-2039) in the date;
- volume: the first number (or roman numeral) in the volume text, without "Vol.";
- issue: the issue text without brackets and "No."/"Issue";
- pages: a range expanded ("333-7" -> "333-337", dashes to "-"); a lone value where
  pages go is an article number ("e0212460", "8429"), as the rule-based parser stored it.
"""

from __future__ import annotations

import re

from ingest import reference_patterns as P
from ingest.reference_rules import family_name, split_authors

_YEAR_RE = re.compile(rf"(?<!\d){P.YEAR}(?!\d)")
_TITLE_TAG_RE = re.compile(r"\s*\[(?:Internet|Preprint|press release|abstract)\]", re.I)
_VOL_RE = re.compile(r"\b(?:vol(?:ume)?\.?\s*)?(?P<v>\d+[A-Z]?|[IVXLC]+\b)", re.I)
_PAGES_RE = re.compile(
    r"(?P<a>[A-Za-z]{0,2}\d{1,7}[A-Za-z]?)(?:\s*[-–—‐]+\s*(?P<b>[A-Za-z]{0,2}\d{1,7}[A-Za-z]?))?"
)
_VANCOUVER_INITIALS = re.compile(r"[A-Z]{1,3}")
_INITIAL_TOKEN = re.compile(r"(?:[A-Z]\.?-?){1,3}\.?")
_SPACE_PUNCT_RE = re.compile(r"\s+([.:;,?!])")
_IN_RE = re.compile(r"^In\s*:?\s+")
_LETTER_RE = re.compile(r"[^\W\d_]")
_ISSUE_WORD_RE = re.compile(r"\b(?:no|nos|issue|iss|n)\.?\s*", re.I)
_PAGES_WORD_RE = re.compile(r"\b(?:pp?|pages?)\.?\s*", re.I)
_LAST_INITIALS_STOP_RE = re.compile(r"(?<=[^\s,.]) ([A-Z]{1,3})\.$")
_END_INITIAL_RE = re.compile(r"\b[A-Z]\.$")


def clean_text(text: str | None, *, container: bool = False) -> str | None:
    """Surrounding quotes, brackets and punctuation off; spaces collapsed. A title in
    quotes loses its quote pair ('"Q?" - Subtitle' -> 'Q? - Subtitle'); a container its
    "In:" ("In: Proceedings of ...")."""
    if not text:
        return None
    t = _TITLE_TAG_RE.sub("", P.collapse(text)).strip(" *_,;:.")
    if t[:1] in _QUOTES:
        close = _QUOTES[t[0]]
        end = t.rfind(close) if t[0] in "'‘" else t.find(close, 1)
        if end > 0:
            t = t[1:end] + t[end + 1 :]
        else:
            t = t[1:]
    elif t[-1:] in _CLOSERS and not any(q in t[:-1] for q in _CLOSERS[t[-1]]):
        t = t[:-1]
    t = t.strip(" *_,;:.([{")
    if t.endswith((")", "]")) and t.count(t[-1]) > t.count({")": "(", "]": "["}[t[-1]]):
        t = t[:-1].rstrip(" .,;:")
    t = _SPACE_PUNCT_RE.sub(r"\1", t).rstrip(" .,;:")
    if container:
        t = _IN_RE.sub("", t, count=1)
    return t if _LETTER_RE.search(t) else None


_QUOTES = {'"': '"', "“": "”", "‘": "’", "'": "'", "«": "»"}
_CLOSERS = {'"': '"', "”": '“"', "’": "‘'", "»": "«"}


def year_of(date: str | None) -> int | None:
    m = _YEAR_RE.search(date or "")
    return int(m.group(0)) if m else None


def volume_of(text: str | None) -> str | None:
    m = _VOL_RE.search(text or "")
    return m.group("v") if m else None


def issue_of(text: str | None) -> str | None:
    if not text:
        return None
    t = _ISSUE_WORD_RE.sub("", P.collapse(text))
    t = t.strip(" ().,:;[]")
    return t or None


def pages_of(text: str | None) -> tuple[str | None, str | None]:
    """(pages, article_number): a range is pages, expanded; a lone value an article number."""
    if not text:
        return None, None
    t = _PAGES_WORD_RE.sub("", text)
    m = _PAGES_RE.search(t)
    if not m:
        return None, None
    if m.group("b"):
        return P.normalize_pages(f"{m.group('a')}-{m.group('b')}"), None
    return None, m.group("a")


def authors_of(text: str | None) -> list[str]:
    if not text:
        return []
    names = [a for a in split_authors(text) if _LETTER_RE.search(a)]
    if names:  # the full stop that ends a Vancouver list is no part of the initials
        names[-1] = _LAST_INITIALS_STOP_RE.sub(r" \1", names[-1])
    return names


def name_parts(name: str) -> tuple[str, str]:
    """(family, given) of one name as written; a group author is all family."""
    a = P.collapse(name).strip(" ,;")
    if "," in a:
        family, given = a.split(",", 1)
        return family.strip(" ."), given.strip()
    a = a.rstrip(".") if not _END_INITIAL_RE.search(a) or " " not in a else a
    if P.CORPORATE_WORDS.search(a):
        return a, ""
    tokens = a.split()
    if len(tokens) >= 2 and _VANCOUVER_INITIALS.fullmatch(tokens[-1].rstrip(".")):
        return " ".join(tokens[:-1]), tokens[-1].rstrip(".")  # Vancouver "Smith JA"
    i = 0
    while i < len(tokens) - 1 and _INITIAL_TOKEN.fullmatch(tokens[i]):
        i += 1
    if i:
        return " ".join(tokens[i:]).rstrip("."), " ".join(tokens[:i])  # "J. A. Smith"
    family = family_name(a) or a
    given = a[: len(a) - len(family)].strip() if a.endswith(family) else ""
    return family, given


def first_author_of(authors: list[str]) -> str | None:
    return family_name(authors[0]) if authors else None
