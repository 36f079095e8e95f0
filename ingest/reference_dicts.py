"""Word lists the reference parser uses as features, and the journal-abbreviation lookup.

The lists live in ``data/parser/dict/`` with their sources (README there): NLM/Index
Medicus journal titles and abbreviations (JabRef's list, CC0), publisher words (ours),
and name words (derived from the labelled training data by ``kb parser train``).
Each list is read once per process.
"""

from __future__ import annotations

import csv
import re
from functools import cache

from ingest.resources import RESOURCES

DICT_DIR = RESOURCES.data_file("parser", "dict")


def _words(name: str) -> frozenset[str]:
    path = DICT_DIR / name
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


@cache
def given_names() -> frozenset[str]:
    return _words("name-words.txt")


@cache
def publisher_words() -> frozenset[str]:
    return _words("publisher-words.txt")


def _key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


@cache
def _journals() -> dict[str, str]:
    """Normalised full title or abbreviation -> NLM abbreviation."""
    out: dict[str, str] = {}
    with (DICT_DIR / "journals-medicus.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and row[0] and row[1]:
                out.setdefault(_key(row[0]), row[1])
                out.setdefault(_key(row[1]), row[1])
    return out


@cache
def journal_words() -> frozenset[str]:
    """Words of NLM abbreviations ("j", "clin", "invest"), lower case, no full stop."""
    return frozenset(w for abbr in set(_journals().values()) for w in _key(abbr).split())


def journal_abbreviation(journal: str | None) -> str | None:
    """The NLM abbreviation of a journal given in full or abbreviated, when the list knows it."""
    if not journal:
        return None
    return _journals().get(_key(journal.replace("&", "and")))
