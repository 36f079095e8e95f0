"""The condition matcher's shortcuts (needle index, anchored matching) find exactly what
testing every term's regex over the whole text finds."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.conditions import _CASE_ODDITIES, default_matcher
from tests.conftest import SAMPLE_ARTICLE, SHARED_ARTICLES

MATCHER = default_matcher()
TERMS = sorted({t.term for _e, t, _v in MATCHER._terms})


def oracle(text: str) -> list[tuple[str, int, int, str]]:
    """Every term tested in vocabulary order, each regex run over the whole text."""
    folded = text.casefold()
    return [
        (entry.name, m.start(), m.end(), via)
        for entry, term, via in MATCHER._terms
        if term.needle in folded
        for m in term.regex().finditer(text)
    ]


def fast(text: str) -> list[tuple[str, int, int, str]]:
    return [(c.entry.name, c.start, c.end, c.via) for c in MATCHER._term_candidates(text)]


def _variant(term: str, how: int) -> str:
    # Case changes, plural/possessive endings and separators the term patterns accept.
    forms = [term, term.upper(), term.lower(), term.title(), term + "s", term + "'s",
             term.replace(" ", "-"), term[:-1] + "ies" if term.endswith("y") else term,
             term.replace("s", "\u017f").replace("i", "\u0131")]  # fmt: skip
    return forms[how % len(forms)]


FILLER = ["the", "patients", "with", "(", ")", "MS", "ADHD", "and", "in", "1990", ".", ",",
          "İstanbul", "ß", "’s", "K", "non", "low", "-", "/", "Journal of", "pain"]  # fmt: skip
piece = st.one_of(
    st.builds(_variant, st.sampled_from(TERMS), st.integers(0, 20)),
    st.sampled_from(FILLER),
    st.text(alphabet="abcdeisyASIY \u0131\u0130\u017f\u212a'-", max_size=6),
)
texts = st.lists(piece, max_size=30).map(lambda ps: " ".join(ps))
long_texts = st.lists(piece, min_size=200, max_size=400).map(lambda ps: " ".join(ps))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_short_texts_match_the_exhaustive_scan(text):
    assert fast(text) == oracle(text)


@settings(max_examples=20, deadline=None)
@given(long_texts)
def test_long_texts_match_the_exhaustive_scan(text):
    assert fast(text) == oracle(text)


def test_real_articles_match_the_exhaustive_scan():
    paths = [SAMPLE_ARTICLE, *sorted(p for p in SHARED_ARTICLES.iterdir() if p.name[0].isdigit())]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert fast(text) == oracle(text), path.name
        for para in text.split("\n\n")[:200]:  # the short-text path
            assert fast(para) == oracle(para)


def test_case_oddities_are_every_char_the_regex_engine_equates_with_ascii():
    """Anchored matching relies on casefold lining up with IGNORECASE for ASCII anchors;
    these are the only non-ASCII characters IGNORECASE equates with an ASCII letter."""
    every = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    equated = set(re.findall("[a-z]", every, re.IGNORECASE))
    assert equated <= set(_CASE_ODDITIES)
