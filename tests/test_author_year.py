"""Author–year citations resolved to reference-list entries, on real and written cases."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from ingest.author_year import AuthorIndex, author_year_key, find_author_year, fold
from ingest.markers import find_markers
from ingest.types import ParsedReference, ReferenceFields
from tests.conftest import SHARED_ARTICLES


def _refs(raws: list[str], keys: list[str] | None = None) -> list[ParsedReference]:
    return [ParsedReference(keys[i] if keys else str(i + 1), raw, i) for i, raw in enumerate(raws)]


def _keys(text: str, index: AuthorIndex, style: str | None = "author_year") -> list[list[str]]:
    return [m.keys for m in find_markers(text, style=style, authors=index)]


# --- the key --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "year", "suffix", "key"),
    [
        ("Smith", 2010, "", "smith2010"),
        ("Smith", 2010, "a", "smith2010a"),
        ("SMITH", 2010, "B", "smith2010b"),
        ("Núñez", 2019, "", "nunez2019"),
        ("Zellweger-Zähner", 1997, "", "zellwegerzahner1997"),
        ("O'Rourke", 1998, "", "orourke1998"),
        ("De Simone", 2006, "", "desimone2006"),
        ("Łukasz Ørsted", 2001, "", "lukaszorsted2001"),
        ("Egger", None, "", "eggernd"),
        ("", 2020, "", "anon2020"),
    ],
)
def test_author_year_key(family, year, suffix, key):
    assert author_year_key(family, year, suffix) == key
    assert re.fullmatch(r"[a-z0-9]+", author_year_key(family, year, suffix))


# --- rules on written cases ------------------------------------------------------------

WRITTEN = [
    "Smith, John. 2010. First paper. J Test 1: 1-2.",
    "Smith, Anna. 2010. Second paper by another Smith. J Test 2: 3-4.",
    "Lee, K. 2011. A paper. J Test 3: 5.",
    "Müller HJ, Weber A. Umlaut study. Z Med. 2015;4:1-9.",
    "World Health Organization. 2020. Situation report. Geneva: WHO.",
    "Jones, Peter, and Mary Brown. 2012a. Early work. J Test 4: 6.",
    "Jones, Peter, and Mary Brown. 2012b. Later work. J Test 5: 7.",
    "Jones, Peter, and Carl White. 2012. Other work. J Test 6: 8.",
    "Egger M, Smith GD. Language bias in randomised trials.",
]
KEYS = ["smitha", "smithb", "lee", "muller", "who", "jonesa", "jonesb", "jonesw", "egger"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(J. Smith 2010)", [["smitha"]]),  # initials pick among equal family and year
        ("(A. Smith 2010)", [["smithb"]]),
        ("(Smith 2010)", [["smith2010"]]),  # two Smiths 2010, no initials: dangling, not a guess
        ("(Lee 2011)", [["lee"]]),
        ("(LEE 2011)", [["lee"]]),  # case-insensitive
        ("(Muller 2015)", [["muller"]]),  # diacritics-insensitive
        ("(Müller and Weber 2015)", [["muller"]]),
        ("World Health Organization (2020) reports", [["who"]]),  # corporate author
        ("(Jones and Brown 2012a)", [["jonesa"]]),  # suffix
        ("(Jones and Brown 2012b)", [["jonesb"]]),
        ("(Jones and White 2012)", [["jonesw"]]),  # the second author decides
        ("(Jones & White 2012)", [["jonesw"]]),
        ("(Egger 1997)", [["egger"]]),  # the entry prints no year: the unique name decides
        ("(Lee 2012)", [["lee2012"]]),  # wrong year: dangling, keeps its own key
        ("(Lee 2011; Nobody 2001)", [["lee", "nobody2001"]]),
    ],
)
def test_resolution_rules(text, expected):
    index = AuthorIndex(_refs(WRITTEN, KEYS))
    assert _keys(text, index) == expected


def test_spelling_variant_resolves_only_with_the_same_year():
    index = AuthorIndex(_refs(["Ole Olsen, P Middleton. Quality of reviews. BMJ. 2001;323:829."]))
    assert _keys("(Olson 2001)", index) == [["1"]]
    assert _keys("(Oleson 1998)", index) == [["oleson1998"]]


def test_fields_from_the_reference_parser_take_precedence():
    ref = ParsedReference("k", "garbled entry text 1999", 0, fields=ReferenceFields())
    ref.fields.first_author, ref.fields.year = "Garcia", 2004
    assert _keys("(Garcia 2004)", AuthorIndex([ref])) == [["k"]]


# --- article 03: Chicago author-date; the HTML links each citation to its entry ---------


def _article03() -> tuple[list[ParsedReference], list[tuple[str, list[str]]]]:
    html = (SHARED_ARTICLES / "03-data-ethics-cancer-research.html").read_text()
    soup = BeautifulSoup(html, "lxml")
    entries = soup.select("div[id^=ref-]")
    refs = [
        ParsedReference(d["id"], " ".join(d.get_text().split()), i) for i, d in enumerate(entries)
    ]
    cites = [
        (" ".join(sp.get_text().split()), [a["href"][1:] for a in sp.find_all("a")])
        for sp in soup.select("span.citation")
    ]
    return refs, cites


def test_article03_every_citation_resolves_to_the_entry_it_links():
    refs, cites = _article03()
    assert len(refs) == 19 and len(cites) == 25
    index = AuthorIndex(refs)
    for text, targets in cites:
        got = [k for m in find_markers(text, style="author_year", authors=index) for k in m.keys]
        assert got == targets, text


def test_article03_initials_and_corporate_authors():
    refs, _ = _article03()
    index = AuthorIndex(refs)
    baggerly09 = _keys("(K. A. Baggerly and Coombes 2009)", index)
    baggerly18 = _keys("(K. Baggerly 2018)", index)
    assert baggerly09 == [["ref-baggerly_deriving_2009"]]
    assert baggerly18 == [["ref-baggerly_what_2018"]]
    assert _keys("(Commissioner 2020)", index) == [["ref-commissioner_guide_2020"]]


# --- article 04: Markdown, Vancouver-like bibliography with given names first -----------


def _article04_index() -> AuthorIndex:
    text = (SHARED_ARTICLES / "04-postmodern-assault-on-ebm.md").read_text()
    block = text.split("#### Bibliography", 1)[1].split("You can find", 1)[0]
    raws = [p.strip() for p in block.split("\n\n") if p.strip()]
    assert len(raws) == 23
    keys = [fold(r.split(".")[0].split(",")[0].split()[-1]) for r in raws]  # family of 1st author
    keys[raws.index(next(r for r in raws if r.startswith("Sackett DL")))] = "sackett"
    return AuthorIndex(_refs(raws, keys))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(Concato 2000)", [["concato"]]),
        ("(Smith 2003)", [["smith"]]),  # "Gordon C S Smith": given names first
        ("(Sackett 2000)", [["sackett"]]),  # "Sackett DL": family first
        ("(Stelfox 1998)", [["stelfox"]]),  # "H T Stelfox": initials first
        ("(Alderson 2003, Eysenbach 2005)", [["alderson", "eysenbach"]]),
        ("(Murali 2004; Wentz 2002)", [["murali", "wentz2002"]]),  # Wentz is not listed
        ("(Olson 2001)", [["olsen"]]),  # spelled "Ole Olsen" in the list
        ("(Bonnell 1999)", [["bonell"]]),  # spelled "C Bonell"
        ("(Egger 1997)", [["egger"]]),  # the entry has no year
        ("(Oleson 1998)", [["oleson1998"]]),  # no entry; not Olsen (2001)
        ("(Sackett 1996)", [["sackett1996"]]),
        ("(Schroter 2004)", [["schroter2004"]]),
        ("(Holmes 2006)", [["holmes2006"]]),  # Holmes 2005 and 2007 are listed, not 2006
        ("(Best 2001)", [["best"]]),
    ],
)
def test_article04_plain_author_year(text, expected):
    assert _keys(text, _article04_index()) == expected


CITEPROC_GROUPS = [
    ("diet ((Katan et al. 1997); (Owen et al. 2004)) and", [["katan1997", "owen2004"]]),
    ("DNA [(Bhardwaj et al. 2006); (Spalding 2008)])", [["bhardwaj2006", "spalding2008"]]),
    ("lens ((Lynnerup et al. 2008)) and", [["lynnerup2008"]]),
    # no enclosing bracket: two markers side by side stay two
    ("by (Chng et al. 2013); (Pauli et al. 2014) and", [["chng2013"], ["pauli2014"]]),
    ("seen (Chng et al. 2013) and (Pauli et al. 2014).", [["chng2013"], ["pauli2014"]]),
]


@pytest.mark.parametrize(("text", "expected"), CITEPROC_GROUPS)
def test_works_in_their_own_parentheses_inside_one_bracket_are_one_marker(text, expected):
    got = [
        [author_year_key(c.names[0], c.year, c.suffix) for c in m.cites]
        for m in find_author_year(text)
        if not m.narrative
    ]
    assert got == expected


def test_et_al_or_two_names_tell_apart_one_first_author_same_year():
    # eLife 06726: two 2002 works by Lawson, three authors and two, both with Weinstein
    three = ParsedReference("three", "Lawson ND, Vogel AM, Weinstein BM. 2002. Sonic.", 0)
    three.fields = ReferenceFields(authors=["Lawson ND", "Vogel AM", "Weinstein BM"], year=2002)
    three.fields.first_author = "Lawson"
    two = ParsedReference("two", "Lawson ND, Weinstein BM. 2002. In vivo imaging.", 1)
    two.fields = ReferenceFields(authors=["Lawson ND", "Weinstein BM"], year=2002)
    two.fields.first_author = "Lawson"
    index = AuthorIndex([three, two])
    assert _keys("((Lawson et al. 2002))", index) == [["three"]]
    assert _keys("((Lawson and Weinstein 2002))", index) == [["two"]]
    assert _keys("(Lawson 2002)", index) == [["lawson2002"]]  # neither: still dangling


def test_undated_works_lettered_by_citeproc_and_a_stopword_surname():
    # eLife 00005 through pandoc: "(Cao and Zhang, n.d.-a)" / "n.d.-b"; "(He et al. 1999)"
    refs = _refs(
        [
            "Cao, R, and Y Zhang. n.d.-a. “SUZ12 Is Required.” Mol Cell 15: 57–67.",
            "Cao, R, and Y Zhang. n.d.-b. “The Functions of E(Z)/EZH2.” Curr Opin 14: 155–64.",
            "He, S, D Xu, and K Lee. 1999. “A Title.” J Struct Biol 126: 1–9.",
        ]
    )
    index = AuthorIndex(refs)
    assert _keys("((Cao and Zhang, n.d.-a))", index) == [["1"]]
    assert _keys("((Cao and Zhang, n.d.-b); (He et al. 1999))", index) == [["2", "3"]]
    assert _keys("(He found it in 1999)", index) == []  # "He" opening prose stays a pronoun
