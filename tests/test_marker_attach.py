"""An article's marker style, and markers attached to its sentences (markup and text)."""

from __future__ import annotations

import pytest

from ingest.markers import attach_markers, detect_marker_style
from ingest.types import InlineMarker, ParsedReference
from tests.conftest import SAMPLE_ARTICLE, SHARED_ARTICLES
from tests.test_claims import build

NAMES = ["Abel", "Brook", "Chen", "Dahl", "Eng", "Fox", "Gray", "Hale", "Ito", "Jung"]
NUM_REFS = [
    ParsedReference(str(n), f"{name} A. Title. J. 2010;1:{n}.", n - 1)
    for n, name in enumerate(NAMES, start=1)
]


@pytest.mark.parametrize(
    ("texts", "refs", "inline", "style"),
    [
        (["A [1].", "B [2][3].", "C [4-6]."], NUM_REFS, [], "bracket"),
        (["Alpha¹.", "Beta²,³.", "Gamma⁴⁻⁶."], NUM_REFS, [], "superscript"),
        (["A (1).", "B (2,3).", "C (4–6)."], NUM_REFS, [], "paren"),
        (["A (n = 52).", "B (2019).", "C (95% CI 1.2–3.4)."], NUM_REFS, [], "none"),
        (["A reproducibility 1.", "B practices 2, 3 and", "C code 4."], NUM_REFS, [], "bare"),
        (["A[^1].", "B[^2].", "C[^3]."], [], [], "footnote"),
        (["A (Abel 2010).", "Brook (2010) said.", "C (Chen 2010)."], NUM_REFS, [], "author_year"),
        (["A [x][l1].", "B [y][l2].", "C [z][l3].", "(Abel 2010) D.", "(Brook 2010)",
          "(Chen 2010)"], NUM_REFS, [], "mixed"),
        (["(Nobody 2010) D.", "(Noone 2011)", "Other (2012) said."], NUM_REFS, [], "none"),
        (["No citations at all.", "In 2010 the FDA approved it."], NUM_REFS, [], "none"),
        (["A .", "B ."], NUM_REFS, [InlineMarker("3", 2, 3, "bare", ["3"])] * 3, "bare"),
    ],
)  # fmt: skip
def test_detect_marker_style(texts, refs, inline, style):
    assert detect_marker_style(texts, refs, inline) == style


def test_one_stray_parenthetical_does_not_make_a_bracket_article_mixed():
    texts = ["A [1].", "B [2].", "C [3].", "D [4].", "E [5].", "pairs (2,4) here."]
    assert detect_marker_style(texts, NUM_REFS) == "bracket"


def test_markup_marker_wins_over_an_overlapping_text_match():
    a = build([["Benefit was shown [3] in trials."]])
    start = a.text.index("[3]")
    attach_markers(a, [InlineMarker("[3]", start, start + 3, "bracket", ["ref-x"])])
    (m,) = a.sentences[0].markers
    assert (m.raw, m.keys, a.sentences[0].text[m.start : m.end]) == ("[3]", ["ref-x"], "[3]")


def test_markup_and_text_markers_merge_in_order():
    a = build([["As Smith (2010) showed, benefit [3] is real (Lee 2011)."]])
    start = a.text.index("[3]")
    attach_markers(a, [InlineMarker("[3]", start, start + 3, "bracket", ["3"])])
    assert [m.raw for m in a.sentences[0].markers] == ["Smith (2010)", "[3]", "(Lee 2011)"]


def test_sample_article_markers():
    from ingest.article import parse_article

    a = parse_article(SAMPLE_ARTICLE.read_bytes(), SAMPLE_ARTICLE.name)
    assert a.marker_style == "bracket"
    keys = [k for s in a.sentences for m in s.markers for k in m.keys]
    # Every bracket number written in the body is a marker, and nothing else is.
    body = a.text[: a.text.index("References:")]
    import re

    assert sorted(keys, key=int) == sorted(re.findall(r"\[(\d+)\]", body), key=int)
    listed = {r.key for r in a.references}
    assert set(keys) - listed  # the article cites beyond its list: kept, so it dangles
    for s in a.sentences:
        for m in s.markers:
            assert s.text[m.start : m.end] == m.raw
            assert s.is_claim


@pytest.mark.parametrize(
    ("name", "style"),
    [
        ("01-abo-blood-type-covid19.html", "bracket"),
        ("02-rigor-reproducibility-biomedical.html", "bare"),
        ("03-data-ethics-cancer-research.html", "author_year"),
    ],
)
def test_real_articles_style_and_resolution(name, style):
    from ingest.article import parse_article

    path = SHARED_ARTICLES / name
    a = parse_article(path.read_bytes(), name)
    assert a.marker_style == style
    listed = {r.key for r in a.references}
    keys = [k for s in a.sentences for m in s.markers for k in m.keys]
    # The README: every marker of these three articles resolves to an entry.
    assert keys and set(keys) <= listed
