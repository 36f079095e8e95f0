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
from pathlib import Path

from ingest.resources import RESOURCES

DICT_DIR = RESOURCES.data_file("parser", "dict")


def _words(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


_NAME_WORDS = [DICT_DIR / "name-words.txt"]  # training swaps it (cross-validation folds)


@cache
def given_names() -> frozenset[str]:
    return _words(_NAME_WORDS[0])


def name_words_path() -> Path:
    return _NAME_WORDS[0]


def use_name_words(path: Path) -> None:
    """Read name words from ``path`` from now on (training a fold's model writes its own);
    token features cached with the old list are dropped."""
    from ingest import reference_tokens

    _NAME_WORDS[0] = path
    given_names.cache_clear()
    reference_tokens.clear_caches()


@cache
def publisher_words() -> frozenset[str]:
    return _words(DICT_DIR / "publisher-words.txt")


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
