"""Marker families chosen by how well they explain the list (issue 10). A table per concern."""

from __future__ import annotations

import re

import pytest

from ingest import marker_patterns as mp
from ingest.article import parse_article
from ingest.headings import is_contents_item
from ingest.marker_families import choose_families, score_families
from ingest.marker_groups import group_markers
from ingest.markers import find_markers
from ingest.readers.text import looks_like_heading
from ingest.types import InlineMarker, ParsedReference

NAMES = ["Abel", "Brook", "Chen", "Dahl", "Eng", "Fox", "Gray", "Hale", "Ito", "Jung"]
REFS = [
    ParsedReference(str(n), f"{name} A. Title. J. 2010;1:{n}.", n - 1, number=n)
    for n, name in enumerate(NAMES, start=1)
]


def _choice(texts, refs=REFS, inline=()):
    return choose_families(score_families(texts, refs, inline), bool(refs))


FAMILIES = [
    # parenthetical numbers explain the list; table-footnote superscripts that repeat entries
    # already cited do not count beside them
    (["A (1).", "B (2,3).", "C (4–6).", "D (7-10).", "Table value¹.", "Other²."], ["paren"]),
    # two families that both resolve and each cite entries of their own
    (["A [1].", "B [2].", "C [3].", "Delta¹⁰.", "Echo⁹.", "Foxtrot⁸."], ["bracket", "superscript"]),
    # one stray parenthetical pair beside brackets is no second family
    (["A [1].", "B [2].", "C [3].", "D [4].", "E [5].", "pairs (2,4) here."], ["bracket"]),
    # numbers that resolve nowhere do not make a style
    (["A (n = 52).", "B (2019).", "C (95% CI 1.2–3.4)."], []),
]


@pytest.mark.parametrize(("texts", "families"), FAMILIES)
def test_families_chosen_by_evidence(texts, families):
    assert _choice(texts).families == families


def test_scores_record_why():
    choice = _choice(["A [1].", "B [2][3].", "C [4-6]."])
    bracket = choice.scores["bracket"]
    assert (bracket["markers"], bracket["citations"], bracket["cited"]) == (4, 6, 6)
    assert bracket["resolve"] == 1.0 and bracket["order"] == 1.0
    assert bracket["score"] == pytest.approx(0.6)


def test_order_counts_for_numbers():
    in_order = _choice(["A [1].", "B [2].", "C [3]."]).scores["bracket"]["order"]
    shuffled = _choice(["A [3].", "B [1].", "C [2]."]).scores["bracket"]["order"]
    assert in_order == 1.0 and shuffled < 1.0


def test_linked_markup_is_certain_and_unlinked_look_alikes_are_dropped():
    html = (
        "<html><body><p>Alice Roe<sup>1</sup>, Bob Poe<sup>2</sup></p>"
        "<p>Claim one<sup><a href='#ref-a'>1</a></sup>. Claim two<sup><a href='#ref-b'>2</a>"
        "</sup>.</p><div id='refs'><div id='ref-a'><p>1. Abel A. T. J. 2010;1:1.</p></div>"
        "<div id='ref-b'><p>2. Brook B. T. J. 2011;1:2.</p></div></div></body></html>"
    )
    a = parse_article(html.encode(), "x.html")
    assert [(m.raw, m.keys) for s in a.sentences for m in s.markers] == [("¹", ["1"]), ("²", ["2"])]
    assert a.marker_scores["families"]["superscript"]["certain"] == 2


LOCATORS = [
    ("as shown [22]:10 here", "[22]:10", ["22"], "10"),
    ("as shown [23]:296 here", "[23]:296", ["23"], "296"),
    ("see (3, p. 12) here", "(3, p. 12)", ["3"], "p. 12"),
    ("see [4, pp. 5–7] here", "[4, pp. 5–7]", ["4"], "pp. 5–7"),
    ("ratio [2]: 10 patients", "[2]", ["2"], None),  # a colon then prose is no locator
]


@pytest.mark.parametrize(("text", "raw", "keys", "locator"), LOCATORS)
def test_page_locators_stay_on_the_marker(text, raw, keys, locator):
    (m,) = find_markers(text, style="paren", keys=[str(n) for n in range(1, 30)])
    assert (m.raw, m.keys, m.locator) == (raw, keys, locator)
    assert mp.locator_of(raw) == locator


GROUPS = [
    # (<a>2</a>,<a>4</a>,<a>5</a>) is one marker
    ("x (2,4,5) y", [(3, 4), (5, 6), (7, 8)], [("(2,4,5)", ["2", "4", "5"])]),
    # a range linked only at its ends
    ("x (6-11) y", [(3, 4), (5, 7)], [("(6-11)", [str(n) for n in range(6, 12)])]),
    # brackets too; numbers not enclosed stay apart
    ("x [1], [2] y", [(3, 4), (8, 9)], [("[1]", ["1"]), ("[2]", ["2"])]),
]


@pytest.mark.parametrize(("text", "spans", "expected"), GROUPS)
def test_linked_numbers_in_one_pair_of_brackets_are_one_marker(text, spans, expected):
    inline = [InlineMarker(text[s:e], s, e, "bare", [text[s:e]], True) for s, e in spans]
    got = group_markers(text, inline)
    assert [(m.raw, m.keys) for m in got] == expected


AUTHOR_YEAR_GROUPS = [
    # citeproc HTML: (<span>(Kassirer 2004)</span>; <span>(Angell 2005)</span>) is one marker
    ("books ((Kassirer 2004); (Angell 2005)).", ["kassirer2004", "angell2005"], 1),
    # not enclosed by one bracket pair: two markers
    ("by (Chng 2013) and (Pauli 2014).", ["chng2013", "pauli2014"], 2),
    # a dash does not join works (it would join numbers)
    ("x ((Hohn 2009)–(Fischer 2008)) y", ["hohn2009", "fischer2008"], 2),
]


@pytest.mark.parametrize(("text", "keys", "count"), AUTHOR_YEAR_GROUPS)
def test_works_linked_one_by_one_inside_one_bracket_pair_are_one_marker(text, keys, count):
    spans = [(m.start(), m.end()) for m in re.finditer(r"\([A-Z][a-z]+ \d{4}\)", text)]
    inline = [
        InlineMarker(text[s:e], s, e, "author_year", [k], True)
        for (s, e), k in zip(spans, keys, strict=True)
    ]
    got = group_markers(text, inline)
    assert len(got) == count
    assert [k for m in got for k in m.keys] == keys
    assert all(m.style == "author_year" for m in got)
    if count == 1:
        assert got[0].raw == "((Kassirer 2004); (Angell 2005))"


def test_two_linked_brackets_with_a_dash_are_one_range():
    assert mp.find_brackets("see [4]–[7] and [9]") == [(4, 11, ["4", "5", "6", "7"]),
                                                        (16, 19, ["9"])]  # fmt: skip


def test_markers_without_a_list_keep_their_style_and_say_so():
    a = parse_article(b"Claim one [1]. Claim two [2].\n", "x.txt")
    assert not a.references and a.marker_style == "bracket"
    assert "no reference list found" in a.warnings


def test_a_section_whose_slug_names_comments_is_no_furniture_and_nd_is_author_year():
    html = (
        "<html><body><div class='section level4' id='use-code-comments-effectively'>"
        "<h4>Use code comments effectively</h4><p>Comment your code "
        "<span class='citation'>(<a href='#ref-Spielman'>Spielman, n.d.</a>)</span>.</p></div>"
        "<div id='refs'><div id='ref-Spielman' class='csl-entry'>Spielman, S. n.d. Comments."
        "</div><div id='ref-cyware_social_x' class='csl-entry'>Daniel, B. n.d. Encryption."
        "</div></div></body></html>"
    )
    a = parse_article(html.encode(), "x.html")
    (m,) = [m for s in a.sentences for m in s.markers]
    assert m.style == "author_year" and m.keys == [a.references[0].key]
    assert len(a.references) == 2  # an entry whose id holds "social" is no share button


CITEKEYS = [
    ("organised [@Shapiro2021].", [("[@Shapiro2021]", ["shapiro2021"])]),
    (
        "as [see @a2001; @Lee2002, p. 4] said",
        [("[see @a2001; @Lee2002, p. 4]", ["a2001", "lee2002"])],
    ),
    ("@Tayo2019 discusses it", [("@Tayo2019", ["tayo2019"])]),
    ("mail me at jane@example.org or @jhudatascience", []),
]


@pytest.mark.parametrize(("text", "expected"), CITEKEYS)
def test_pandoc_citekeys_are_author_year_markers(text, expected):
    assert [(text[s:e], k) for s, e, k in mp.find_citekeys(text)] == expected


def test_a_sentence_is_not_cut_inside_a_markup_marker():
    html = (
        "<html><body><p>He resigned. See <span class='citation'>(<a href='#ref-nas_2017'>"
        "<strong>nas_2017?</strong></a>)</span> for more.</p><div id='refs'>"
        "<div id='ref-lee' class='csl-entry'>Lee, K. 2011. A study.</div></div></body></html>"
    )
    a = parse_article(html.encode(), "x.html")
    assert [(m.raw, m.keys) for s in a.sentences for m in s.markers] == [
        ("(nas_2017?)", ["nas_2017"])  # dangles (no such entry), but stays a marker
    ]


CONTENTS = [
    ("5 Data Ethics □ 5.1 What is data ethics? ☆ 5.7.3 Declaration of Helsinki (1964)", True),
    ("5.4 Principles + 5.4.1 The four pillars (this discussion is from Melvin (2020)):", True),
    ("About this course + 0.1 Available course formats", False),  # one numbered title
    ("Patients in phase 2.1 and 2.2 Trials were followed for years and years and years and "
     "years in several sites, with outcomes reported as in Smith (2010) and others.", False),
    ("Smith and Jones (2010) found the effect.", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CONTENTS)
def test_a_table_of_contents_item_is_navigation(text, expected):
    assert is_contents_item(text) is expected


def test_sidebar_section_titles_are_no_author_year_markers():
    text = (
        "* 5 Data Ethics\n     + 5.1 What is data ethics?\n     + 5.7.3 Declaration of Helsinki"
        " (1964)\n     + 5.7.6 The Belmont Report (1979)\n\n"
        "Chapter 2\n\nPrivacy matters (Bambauer 2013). Fines are high (eLearning 2018).\n\n"
        "References\n\n   Bambauer, Derek E. 2013. “Privacy Versus Security.” Journal 103 (3).\n"
        "   eLearning, Inspired. 2018. “HIPAA Violations.” https://example.org/h.\n"
    )
    article = parse_article(text.encode(), source="dump.txt", fmt="text")
    keys = [m.keys for s in article.sentences for m in s.markers]
    assert keys == [["bambauer2013"], ["elearning2018"]]  # camel-case "eLearning" is a name


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Common violations of HIPAA taken from eLearning (2018) are:", False),
        ("Things to check before you start are the following:", False),
        ("Historical incidences:", True),
        ("Key points:", True),
        ("Data Security Strategies", True),
    ],
)
def test_a_lead_in_sentence_ending_in_a_colon_is_no_heading(line, heading):
    assert looks_like_heading(line) is heading


@pytest.mark.parametrize(
    ("text", "keys", "expected"),
    [
        ("Panjnad,^[a] Ladakh and Gujarat^[b].", {"a", "b", "1"}, [["a"], ["b"]]),
        ("Panjnad,[a] Ladakh", {"1", "2"}, []),  # no note "a": not a marker
        ("see [x] and [ab]", {"ab"}, [["ab"]]),
        ("an array [i] index", {"a"}, []),
    ],
)
def test_lettered_notes_are_markers_only_when_the_note_exists(text, keys, expected):
    assert [k for _s, _e, k in mp.find_letter_notes(text, keys)] == expected
