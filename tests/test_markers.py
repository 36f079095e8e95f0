"""Citation markers found from text patterns: one table per style, and the non-markers."""

from __future__ import annotations

import pytest

from ingest.markers import find_markers
from ingest.types import ParsedReference

NUMBERED = [str(n) for n in range(1, 31)]


def _found(text: str, **kw) -> list[tuple[str, str, list[str]]]:
    markers = find_markers(text, **kw)
    for m in markers:
        assert text[m.start : m.end] == m.raw
    return [(m.raw, m.style, m.keys) for m in markers]


# (sentence, article style, expected [(raw, keys)])
BRACKET = [
    ("LDN helps in autoimmune diseases.[3]", None, [("[3]", ["3"])]),
    ("natural killer cells.[1][2] By", None, [("[1]", ["1"]), ("[2]", ["2"])]),
    ("as reported [4-6].", None, [("[4-6]", ["4", "5", "6"])]),
    ("as reported [4–6].", None, [("[4–6]", ["4", "5", "6"])]),
    ("as reported [4 — 6].", None, [("[4 — 6]", ["4", "5", "6"])]),
    ("two studies [1, 4] agree", None, [("[1, 4]", ["1", "4"])]),
    ("studies [1,4-6] agree", None, [("[1,4-6]", ["1", "4", "5", "6"])]),
    ("studies [2; 7] agree", None, [("[2; 7]", ["2", "7"])]),
    ("repeated [3] and again [3]", None, [("[3]", ["3"]), ("[3]", ["3"])]),
    ("a list of 5,000 entries cites [4999]", None, [("[4999]", ["4999"])]),
    ("beyond the list [25]", None, [("[25]", ["25"])]),
]
SUPERSCRIPT = [
    ("shown in mice³ and", None, [("³", ["3"])]),
    ("shown in mice¹² and", None, [("¹²", ["12"])]),
    ("several trials¹⁻³.", None, [("¹⁻³", ["1", "2", "3"])]),
    ("several trials.¹,²", None, [("¹,²", ["1", "2"])]),
    ("inflammation,⁴ fatigue⁵", None, [("⁴", ["4"]), ("⁵", ["5"])]),
]
PAREN = [
    ("In HTML reports (1–3) are cited.", "paren", [("(1–3)", ["1", "2", "3"])]),
    ("as shown before (2,4) in mice", "paren", [("(2,4)", ["2", "4"])]),
    ("as shown before (7) in mice", "paren", [("(7)", ["7"])]),
]
FOOTNOTE = [
    ("Claim text.[^3] More", None, [("[^3]", ["3"])]),
    ("Claim text[^smith-note].", None, [("[^smith-note]", ["smith-note"])]),
]
MDLINK = [
    ("as [Source: Sackett 2000][sa00] says", None, [("[Source: Sackett 2000][sa00]", ["sa00"])]),
    ("see [the study][Co00]", None, [("[the study][Co00]", ["co00"])]),
]
AUTHOR_YEAR = [
    ("proven (Smith 2010).", None, [("(Smith 2010)", ["smith2010"])]),
    ("Smith et al. (2010) showed", None, [("Smith et al. (2010)", ["smith2010"])]),
    ("x (Smith and Jones 2010a; Lee 2011)", None,
     [("(Smith and Jones 2010a; Lee 2011)", ["smith2010a", "lee2011"])]),
    ("x (K. A. Baggerly and Coombes 2009)", None,
     [("(K. A. Baggerly and Coombes 2009)", ["baggerly2009"])]),
    ("See National Academies of Sciences et al. (2017) for", None,
     [("National Academies of Sciences et al. (2017)", ["nationalacademiesofsciences2017"])]),
    ("consent etc. (Commissioner 2020)", None, [("(Commissioner 2020)", ["commissioner2020"])]),
    ("bias (Murali 2004; Wentz 2002).", None,
     [("(Murali 2004; Wentz 2002)", ["murali2004", "wentz2002"])]),
    ("quoted (Smith, 2010, p. 4).", None, [("(Smith, 2010, p. 4)", ["smith2010"])]),
    ("both (Alderson 2003, Eysenbach 2005).", None,
     [("(Alderson 2003, Eysenbach 2005)", ["alderson2003", "eysenbach2005"])]),
    ("twice (Smith 2010a, b).", None, [("(Smith 2010a, b)", ["smith2010a", "smith2010b"])]),
    ("Recently Davis, Riske-Morris, and Diaz (2007) found", None,
     [("Davis, Riske-Morris, and Diaz (2007)", ["davis2007"])]),
    ("(see e.g., Núñez 2019)", None, [("(see e.g., Núñez 2019)", ["nunez2019"])]),
    ("De Simone (2006) argues", None, [("De Simone (2006)", ["desimone2006"])]),
    ("an editorial (“Henrietta Lacks” 2020).", None,
     [("(“Henrietta Lacks” 2020)", ["henrietta2020"])]),
]  # fmt: skip
BARE = [
    ("and reproducibility 1.", "bare", [("1", ["1"])]),
    ("workshops 8,9 were held", "bare", [("8,9", ["8", "9"])]),
    ("workshops 18, 19.", "bare", [("18, 19", ["18", "19"])]),
    ("workshops 5;6.", "bare", [("5;6", ["5", "6"])]),
    ("best practices 5, scientists can", "bare", [("5", ["5"])]),
]

CASES = [
    pytest.param(text, style, expected, id=f"{kind}-{i}")
    for kind, table in [
        ("bracket", BRACKET),
        ("superscript", SUPERSCRIPT),
        ("paren", PAREN),
        ("footnote", FOOTNOTE),
        ("mdlink", MDLINK),
        ("author_year", AUTHOR_YEAR),
        ("bare", BARE),
    ]
    for i, (text, style, expected) in enumerate(table)
]


@pytest.mark.parametrize(("text", "style", "expected"), CASES)
def test_markers_by_style(text, style, expected):
    got = _found(text, style=style, keys=NUMBERED)
    assert [(raw, keys) for raw, _, keys in got] == expected


def test_marker_style_names():
    styles = {
        kind: _found(table[0][0], style=table[0][1], keys=NUMBERED)[0][1]
        for kind, table in [("bracket", BRACKET), ("superscript", SUPERSCRIPT), ("paren", PAREN),
                            ("footnote", FOOTNOTE), ("mdlink", MDLINK),
                            ("author_year", AUTHOR_YEAR), ("bare", BARE)]
    }  # fmt: skip
    assert all(kind == style for kind, style in styles.items())


NON_MARKERS = [
    ("Wikipedia furniture [edit] here", None),
    ("admitted to the [ICU] unit", None),
    ("serum [25(OH)D] levels", None),
    ("a share of [80.9%] of", None),
    ("it was [sic] wrong", None),
    ("a chained [1-2-3] range", None),
    ("a chained:²⁻²⁻¹ superscript", None),  # found by hypothesis: crashed the range expander
    ("a claim [citation needed] here", None),
    ("a claim [[Reference needed]] here", None),
    ("in 2010 the FDA approved it", None),
    ("in 2010 the FDA approved it", "author_year"),
    ("the cohort (n = 52) improved", "paren"),
    ("odds ratio 2.1 (95% CI 1.2–3.4) overall", "paren"),
    ("it was significant (p < 0.05) overall", "paren"),
    ("as plotted (Figure 2) below", "paren"),
    ("as plotted (Figure 2) below", "author_year"),
    ("the results (2019) were", "author_year"),
    ("a report from (January 2020) says", "author_year"),
    ("In (2019) nothing happened", "author_year"),
    ("Blood type O\t12\t(2,4)\t0.03", "paren"),
    ("Type A 1 2 3 4 5 6", "bare"),
    ("see https://example.org/page[1]/x for details", None),
    ("see www.example.org/a(2,4) for details", "paren"),
    ("an absurd range [1-9999] here", None),
    ("an absurd range [0] here", None),
    ("an area of 5 m² and 10⁶ cells and x² terms", None),
    ("the pairs (2,4) in prose", None),
    ("a year in parentheses (2019) in a numbered article", "paren"),
    ("doses of 1.5 to 4.5 mg", "bare"),
    ("as in Figure 2.", "bare"),
    ("in COVID 19 patients", "bare"),
    ("the mean age was 3 years in total", "bare"),
    ("we enrolled 5 patients overall", "bare"),
]


@pytest.mark.parametrize(("text", "style"), NON_MARKERS)
def test_non_markers(text, style):
    assert _found(text, style=style, keys=[str(n) for n in range(1, 11)]) == []


def test_paren_numbers_need_the_paren_style():
    text = "as shown before (2,4) in mice"
    assert _found(text, style=None) == []
    assert _found(text, style="bracket", keys=NUMBERED) == []
    assert _found(text, style="paren", keys=NUMBERED) == [("(2,4)", "paren", ["2", "4"])]


def test_bare_numbers_must_be_known_keys():
    text = "and reproducibility 7."
    assert _found(text, style="bare", keys=["7"]) == [("7", "bare", ["7"])]
    assert _found(text, style="bare", keys=["1", "2"]) == []
    assert _found(text, style=None, keys=["7"]) == []


def test_huge_range_is_rejected_with_a_warning_and_ordinary_ranges_expand():
    warnings: list[str] = []
    assert find_markers("absurd [1-9999] span", warnings=warnings) == []
    assert any("1-9999" in w for w in warnings)
    (m,) = find_markers("fine [10-60] span")
    assert m.keys == [str(n) for n in range(10, 61)]


def test_author_year_in_a_numbered_article_counts_only_when_listed():
    from ingest.markers import AuthorIndex

    raw = "Cree BA, Kornyeyeva E. Pilot trial. Ann Neurol. 2010;68(2):145-50."
    refs = [ParsedReference("16", raw, 0)]
    index = AuthorIndex(refs)
    assert _found("as Smith et al. (2012) argued", style="bracket", authors=index) == []
    got = _found("as Cree et al. (2010) showed", style="bracket", authors=index)
    assert got == [("Cree et al. (2010)", "author_year", ["16"])]


def test_markers_are_in_order_and_do_not_overlap():
    text = "A [1] and (Smith 2010) and [^n] and [x][lab] and mice² end"
    markers = find_markers(text)
    assert [m.raw for m in markers] == ["[1]", "(Smith 2010)", "[^n]", "[x][lab]", "²"]
    for a, b in zip(markers, markers[1:], strict=False):
        assert a.end <= b.start


def test_broken_markdown_link_syntax_links_but_warns():
    warnings: list[str] = []
    text = "said [Source: Zapoto website][[zap1] here"
    markers = find_markers(text, keys=["zap1"], warnings=warnings)
    assert [(m.raw, m.keys) for m in markers] == [("[zap1]", ["zap1"])]
    assert any("zap1" in w for w in warnings)
    assert find_markers("said [zap1] here", keys=["zap1"], warnings=(clean := [])) and not clean
