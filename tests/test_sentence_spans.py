"""Sentence spans are located without pysbd's per-sentence regex, with the same result."""

from __future__ import annotations

import pysbd
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.sentences import _locate, _segmenter
from tests.conftest import SAMPLE_ARTICLE, SHARED_ARTICLES


def pysbd_spans(text: str) -> list[tuple[int, int]]:
    """What pysbd's own char_span=True mode returns."""
    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return [(s.start, s.end) for s in seg.segment(text)] if text else []


def ours(text: str) -> list[tuple[int, int]]:
    return _locate(_segmenter().processor(text).process(), text) if text else []


words = st.sampled_from(
    ["Yes.", "No.", "et al.", "Fig. 2", "Dr.", "The", "study", "[1]", "(2)", "e.g.", "i.e.",
     "U.S.", "3.5", "mg.", "?", "!", '"Quoted."', "...", "\n", "\n\n", "  ", "\t", "a", "ok"]
)  # fmt: skip
texts = st.lists(words, max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_locate_finds_what_pysbd_finds(text):
    assert ours(text) == pysbd_spans(text)


def test_locate_on_repeated_sentences_and_overlaps():
    for text in ["Yes. Yes. Yes.", "aa. aa. aa.", "Ok.  Ok.\n\nOk. Ok", "No. No.No. No"]:
        assert ours(text) == pysbd_spans(text)
    # A sentence that occurs earlier than its place: the first occurrence after the
    # previous span wins, as in pysbd.
    assert _locate(["A.", "B.", "A."], "A. B. A.") == [(0, 3), (3, 6), (6, 8)]
    assert _locate(["missing"], "A. B.") == []


def test_locate_on_real_paragraphs():
    paths = [SAMPLE_ARTICLE, *sorted(p for p in SHARED_ARTICLES.iterdir() if p.name[0].isdigit())]
    for path in paths:
        for para in path.read_text(encoding="utf-8").split("\n\n")[:60]:
            assert ours(para) == pysbd_spans(para), para[:80]
