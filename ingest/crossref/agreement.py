"""Does a reference entry agree with a work's record? One verdict per field (pure, no I/O).

Both users ask this module: DOI suggestions (``match.validate`` weighs the verdicts of
every field) and the audit (``kb/audit/rules_references.metadata_disagreements`` reports
the fields whose verdict is False). Each field's verdict is True (agree), False
(disagree) or None (nothing to compare, or compatible without confirming).

An *entry* has the ``Reference`` column names (``year``, ``volume``, ``issue``,
``pages``, ``article_number``, ``first_author``, ``title``, ``journal``); a *work* the
``Work`` ones (``year``, ``volume``, ``issue``, ``page``, ``article_number``,
``first_author``, ``title``, ``container_title``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

FIELDS = ("year", "volume", "issue", "locator", "last_page", "first_author", "title", "journal")
_STOP = {"of", "the", "and", "in", "for", "on", "a", "an", "der", "die", "das", "und", "de", "la",
         "le"}  # fmt: skip


@lru_cache(maxsize=65536)  # the same titles and journals are compared again and again
def fold(text: str) -> str:
    """Lower-case without accents."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def norm(value: str | None) -> str:
    """Letters and digits only: "12(3)" and "12 (3)" compare equal."""
    return re.sub(r"[^0-9a-z]", "", fold(value or ""))


# --- journals ----------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _journal_tokens(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    return tuple(t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _STOP)


def _abbrev_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Word by word, each word of ``short`` starts the word of ``full`` at its place
    (ISO 4 abbreviations drop the small words: "J Clin Rheumatol")."""
    return len(short) == len(full) and all(
        f.startswith(s) for s, f in zip(short, full, strict=True)
    )


def _acronym_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    return len(short) == 1 and len(full) > 1 and short[0] == "".join(t[0] for t in full)


def journals_agree(a: str, b: str) -> bool:
    """True when two journal names name the same journal: equal once case, accents,
    punctuation and small words are set aside, or one is the other's abbreviation
    ("Ann Neurol" / "Annals of Neurology") or acronym ("JAMA").

    Never a substring or a fuzzy likeness: every word counts, so "Journal of Clinical
    Rheumatology" and "Clinical Rheumatology" are two journals (they are), while
    "J Clin Rheumatol" is the first one's abbreviation."""
    ta, tb = _journal_tokens(a), _journal_tokens(b)
    if not ta or not tb:
        return False
    return (
        ta == tb
        or _abbrev_of(ta, tb)
        or _abbrev_of(tb, ta)
        or _acronym_of(ta, tb)
        or _acronym_of(tb, ta)
    )


# --- pages -------------------------------------------------------------------------


def _norm_page(p: str) -> str:
    return re.sub(r"\s+", "", p).replace("\u2013", "-").replace("\u2014", "-").lower()


def page_range(p: str) -> tuple[str, str | None]:
    """("145", "150") from "145-50" (abbreviated last pages are expanded)."""
    p = _norm_page(p)
    first, _, last = p.partition("-")
    if not last:
        return first, None
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def _first_page(pages: str | None) -> str:
    return norm(re.split(r"[-–—,]", pages or "", maxsplit=1)[0])


def _locators(pages: str | None, number: str | None) -> set[str]:
    out = {_first_page(pages), norm(number)} - {""}
    return out | {x[1:] for x in out if x[:1] == "e" and x[1:].isdigit()}


def locators_agree(
    pages: str | None, number: str | None, work_page: str | None, work_number: str | None
) -> bool | None:
    """First page or article number ("e123" and "123" are the same number)."""
    a, b = _locators(pages, number), _locators(work_page, work_number)
    return None if not a or not b else bool(a & b)


def last_pages_agree(pages: str | None, work_page: str | None) -> bool | None:
    """The last pages, when both give a range ("145-50" ends where "145-150" does)."""
    if not pages or not work_page:
        return None
    last_a, last_b = page_range(pages)[1], page_range(work_page)[1]
    return None if last_a is None or last_b is None else last_a == last_b


def pages_agree(entry_pages: str, work_pages: str) -> bool:
    """First pages and, when both give one, last pages."""
    return locators_agree(entry_pages, None, work_pages, None) is not False and (
        last_pages_agree(entry_pages, work_pages) is not False
    )


# --- the other fields --------------------------------------------------------------


def years_agree(entry_year: int | None, work_year: int | None) -> bool | None:
    """The year tolerance, decided once: Crossref's year is the work's earliest date
    (online first), and an entry citing the print issue may give the year after it,
    so one year later is compatible (None: it neither confirms nor refutes); any other
    difference, one year earlier included, is a disagreement."""
    if not entry_year or not work_year:
        return None
    if entry_year == work_year:
        return True
    return None if entry_year == work_year + 1 else False


def same_value(a: str | None, b: str | None) -> bool | None:
    """Volume, issue, first author: equal letters and digits."""
    a, b = norm(a), norm(b)
    return None if not a or not b else a == b


def titles_agree(a: str | None, b: str | None) -> bool | None:
    """Word-set likeness: a subtitle left out still agrees; unrelated titles disagree."""
    if not a or not b:
        return None
    ratio = fuzz.token_set_ratio(fold(a), fold(b))
    return True if ratio >= 85 else (False if ratio < 50 else None)


def journal_verdict(a: str | None, b: str | None) -> bool | None:
    return None if not a or not b else journals_agree(a, b)


def compare_field(name: str, entry: Any, work: Any) -> bool | None:
    """One field's verdict (see ``FIELDS``) for an entry and a work."""
    if name == "year":
        return years_agree(entry.year, work.year)
    if name in ("volume", "issue", "first_author"):
        return same_value(getattr(entry, name), getattr(work, name))
    if name == "locator":
        return locators_agree(entry.pages, entry.article_number, work.page, work.article_number)
    if name == "last_page":
        return last_pages_agree(entry.pages, work.page)
    if name == "title":
        return titles_agree(entry.title, work.title)
    if name == "journal":
        return journal_verdict(entry.journal, work.container_title)
    raise ValueError(name)


def compare(entry: Any, work: Any, fields: tuple[str, ...] = FIELDS) -> dict[str, bool | None]:
    """Every field's verdict, in ``fields`` order."""
    return {name: compare_field(name, entry, work) for name in fields}
