"""Property tests: the marker finder never crashes and its markers are always faithful."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.claims import mark_claims
from ingest.markers import AuthorIndex, attach_markers, find_markers
from ingest.types import InlineMarker, ParsedReference
from tests.test_claims import build

# Pieces that look like markers, near-markers and prose, glued in any order.
PIECES = st.sampled_from(
    [
        "[3]", "[1][2]", "[4-6]", "[4–6]", "[1, 4]", "[1,4-6]", "[1-9999]", "[0]", "[edit]",
        "[25(OH)D]", "[80.9%]", "[^3]", "[^", "[x][lab]", "[[zap1]", "³", "¹⁻³", "¹,²", "m²",
        "(1–3)", "(2,4)", "(n = 52)", "(95% CI 1.2–3.4)", "(Smith 2010)", "Smith et al. (2010)",
        "(Smith and Jones 2010a; Lee 2011)", "(K. A. Baggerly and Coombes 2009)", "(2019)",
        "National Academies of Sciences et al. (2017)", "(Smith, 2010, p. 4)", "(“Title” 2018)",
        "https://x.org/a[1]", "www.x.org/(2,4)", " ", ".", ",", ";", "(", ")", "[", "]", "“",
        "and", "et al.", "reproducibility 1", "Figure 2", "in 2010", "\t", "\n", "Ünïcødé",
    ]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join),
)
STYLES = st.sampled_from([None, "bracket", "paren", "bare", "author_year", "mixed", "none"])
REFS = [
    ParsedReference(str(n), f"{name} A. A title. J Test. 2010;1:{n}.", n - 1)
    for n, name in enumerate(["Smith", "Jones", "Lee", "Baggerly", "Coombes"], start=1)
]
INDEX = AuthorIndex(REFS)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, style=STYLES, with_index=st.booleans())
def test_markers_are_faithful(text, style, with_index):
    warnings: list[str] = []
    markers = find_markers(
        text,
        style=style,
        keys=[r.key for r in REFS],
        authors=INDEX if with_index else None,
        warnings=warnings,
    )
    previous_end = 0
    for m in markers:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.raw
        assert m.keys and all(isinstance(k, str) and k for k in m.keys)
        assert m.style in {"bracket", "superscript", "paren", "footnote", "author_year",
                           "mdlink", "bare"}  # fmt: skip
        assert m.start >= previous_end  # in order, never overlapping
        previous_end = m.end
    assert all(isinstance(w, str) for w in warnings)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    sentences=st.lists(TEXTS.filter(lambda t: t.strip()), min_size=1, max_size=6),
    inline_at=st.lists(st.integers(min_value=0, max_value=2000), max_size=4),
)
def test_attached_markers_point_into_their_sentences(sentences, inline_at):
    article = build([sentences], [r.raw for r in REFS])
    inline = []
    for pos in inline_at:
        pos = pos % max(1, len(article.text))
        raw = article.text[pos : pos + 1]
        if raw:
            inline.append(InlineMarker(raw, pos, pos + 1, "bracket", ["1"]))
    attach_markers(article, inline)
    mark_claims(article)
    positions = [s.position for s in article.sentences]
    assert positions == sorted(positions)
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
        for m in s.markers:
            assert s.text[m.start : m.end] == m.raw and m.keys
        assert not (s.uncited and s.markers)


def test_a_one_megabyte_line_is_handled_in_seconds():
    line = ("Alpha Beta, and Gamma et al. [1] (Smith 2010) word 3. " * 20000)[:1_000_000]
    started = time.monotonic()
    markers = find_markers(line, style="bare", keys=["1", "3"])
    assert markers and time.monotonic() - started < 20
