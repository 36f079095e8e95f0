"""Reference lists found by what they contain (issue 10): headings in any dressing, entry
scores, entries as real pages write them, identifiers in link targets. A table per concern."""

from __future__ import annotations

import pytest

from ingest.article import parse_article
from ingest.entry_score import entry_score, strip_backlinks, strip_junk
from ingest.headings import is_reference_heading, is_stop_heading
from ingest.link_ids import apply_link_ids, doi_of_link, pmcid_of_link, pmid_of_link
from ingest.readers.markdown import read_markdown
from ingest.readers.text import author_starts, join_lines, read_text
from ingest.reflist import (
    build_references,
    find_reference_list,
    letter_note_keys,
    note_letter,
)
from ingest.types import ReferenceFields

HEADINGS = [
    ("References", True),
    ("REFERENCES:", True),
    ("***** References[edit] *****", True),
    ("== References ==", True),
    ("## Sources", True),
    ("7. Literature cited", True),
    ("Works cited", True),
    ("Citations", True),
    ("Notes and references", True),
    ("Footnotes", True),
    ("Bibliography", True),
    ("Endnotes", True),
    ("Literatur", True),
    ("Références", True),
    ("Referencias", True),
    ("Bibliografía", True),
    ("Riferimenti", True),
    ("Introduction", False),
    ("Sources of vitamin D in the diet", False),
    ("Referral pathways", False),
]


@pytest.mark.parametrize(("text", "expected"), HEADINGS)
def test_reference_headings_in_any_dressing(text, expected):
    assert is_reference_heading(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Appendix A", True), ("Author information", True), ("Comments", True),
     ("Acknowledgements", True), ("External links", True), ("Methods", False),
     ("References", False)],
)  # fmt: skip
def test_headings_that_end_a_list(text, expected):
    assert is_stop_heading(text) is expected


ENTRY_SCORES = [
    ("Smith J, Jones K. A trial. N Engl J Med. 2010;362(3):145-50. doi:10.1056/x", 0.9, 1.0),
    ("Lee, Ann. 2011b. Three essays. J Hist 3.", 0.45, 1.0),
    ("World Health Organization (2020). Guidelines. https://who.int/x", 0.45, 1.0),
    ('^ a b Smith, John (2001). "Title". Nature. 4 (2): 3–4.', 0.45, 1.0),
    ("In 2019 the FDA approved the drug for adults with migraine.", 0.0, 0.3),
    ("We found that it worked in 2010. This is one sentence about it. The cohort was "
     "large. Another sentence follows here. We think it matters.", 0.0, 0.3),
    ("Acknowledgements: We thank the staff.", 0.0, 0.0),
]  # fmt: skip


@pytest.mark.parametrize(("text", "low", "high"), ENTRY_SCORES)
def test_entry_scores(text, low, high):
    assert low <= entry_score(text) <= high


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("^ a b c Smith J. 2010", ("Smith J. 2010", True)),
        ("^ a bHorn, Roger A. (2013)", ("Horn, Roger A. (2013)", True)),
        ("↑ Lee K. 2011", ("Lee K. 2011", True)),
        ("^ Jump up to: a b Lee K. 2011", ("Lee K. 2011", True)),
        ("^ de Vries P. 2001", ("de Vries P. 2001", True)),  # "de" is no back-link letter
        ("Smith J. 2010", ("Smith J. 2010", False)),
    ],
)
def test_back_links_are_dropped(raw, expected):
    assert strip_backlinks(raw) == expected


def test_style_sheet_junk_is_dropped_and_reported():
    raw = "Smith J. .mw-parser-output cite.citation{font-style:inherit} Title. 2010"
    assert strip_junk(raw) == ("Smith J. Title. 2010", True)
    assert strip_junk("Smith J. Title. 2010") == ("Smith J. Title. 2010", False)
    doc = read_text(f"Body [1].\n\nReferences\n\n1. {raw}\n")
    refs = find_reference_list(doc)
    assert refs.entries[0].raw == "Smith J. Title. 2010"
    assert any("style-sheet" in w for w in refs.warnings)


def _entries(src: str, reader=read_text) -> list[str]:
    return [e.raw for e in find_reference_list(reader(src)).entries]


LISTS = [
    # a dressed wiki heading, back-links, no blank line between heading and list
    ("Text [1].\n***** References[edit] *****\n   1. ^Frankel, T (2004). Geometry. CUP.\n"
     "   2. ^ a bHorn, R (2013). Matrix Analysis. CUP.\n***** External links[edit] *****\n"
     "    * Hazewinkel, M, ed. (2001). Encyclopedia.\n",
     ["Frankel, T (2004). Geometry. CUP.", "Horn, R (2013). Matrix Analysis. CUP."]),
    # wiki text heading
    ("Text [1].\n\n== References ==\n\n* Smith J (2001). Title. J Med 1:2.\n",
     ["Smith J (2001). Title. J Med 1:2."]),
    # hard-wrapped entries with a hanging indent, no numbers (a text dump)
    ("Text (Smith 2001).\n\nReferences\n\nSmith J, Lee K (2001). A long title that\n"
     "    wraps onto a second line. J Med 1:2.\nZhu A (2003). Another. Lancet 2:3.\n"
     "    More of it.\n",
     ["Smith J, Lee K (2001). A long title that wraps onto a second line. J Med 1:2.",
      "Zhu A (2003). Another. Lancet 2:3. More of it."]),
    # a one-entry list
    ("Text [1].\n\nReferences\n\n1. Smith J. Title. BMJ. 2001;1:2.\n",
     ["Smith J. Title. BMJ. 2001;1:2."]),
    # the list stops at author information
    ("Text [1].\n\nReferences\n\n1. Smith J. Title. BMJ. 2001;1:2.\n\n2. Lee K. T. 2002.\n\n"
     "Author information\n\nJane Roe is a physician at a hospital in the north of the city "
     "where she has worked for many years on the care of patients with chronic illness.\n",
     ["Smith J. Title. BMJ. 2001;1:2.", "Lee K. T. 2002."]),
    # no heading: a closing run of entries that read like entries
    ("Claims are made here [1] and there [2] and again [3].\n\n"
     "Smith J. One. BMJ. 2001;1:2.\n\nLee K. Two. Lancet. 2002;3:4.\n\n"
     "Zhu A. Three. JAMA. 2003;5:6.\n",
     ["Smith J. One. BMJ. 2001;1:2.", "Lee K. Two. Lancet. 2002;3:4.",
      "Zhu A. Three. JAMA. 2003;5:6."]),
]  # fmt: skip


@pytest.mark.parametrize(("src", "expected"), LISTS)
def test_lists_as_real_pages_write_them(src, expected):
    assert _entries(src) == expected


def test_entries_split_from_their_back_links_are_one_entry_each():
    src = (
        "Text [1] [2].\n\n***** References *****\n[edit]\n   1. ^\n   2. Smith J (2001). One.\n"
        "      BMJ 1:2.\n   3. ^ a b\n   4. Lee K (2002). Two. Lancet 3:4.\n"
    )
    a = parse_article(src.encode(), "dump.txt")
    # Unnumbered entries cited by numbers are numbered in order (not keyed by author-year).
    assert [(r.key, r.raw) for r in a.references] == [
        ("1", "Smith J (2001). One. BMJ 1:2."),
        ("2", "Lee K (2002). Two. Lancet 3:4."),
    ]
    assert [m.keys for s in a.sentences for m in s.markers] == [["1"], ["2"]]


def test_an_unnumbered_author_year_list_cited_by_author_and_year_keeps_its_keys():
    src = "Text (Smith 2001) and (Lee 2002).\n\nReferences\n\n- Smith J (2001). One. BMJ 1:2.\n"
    src += "- Lee K (2002). Two. Lancet 3:4.\n"
    a = parse_article(src.encode(), "ay.txt")
    assert [r.key for r in a.references] == ["smith2001", "lee2002"]
    assert a.marker_style == "author_year"


def test_notes_and_references_are_two_lists_each_entry_knowing_its_list():
    src = (
        "Text [1] and [a].\n\n== Notes ==\n\n1. ^ The drug was approved in 2001 in Europe.\n\n"
        "== References ==\n\n1. ^ Smith J (2001). One. BMJ 1:2.\n2. ^ Lee K (2002). Two. "
        "Lancet 3:4.\n"
    )
    reflist = find_reference_list(read_text(src))
    refs, _ = build_references(reflist.entries, reflist.names)
    assert [(r.list_name, r.ordinal) for r in refs] == [
        ("Notes", 1), ("References", 1), ("References", 2)
    ]  # fmt: skip


def test_unreferenced_footnote_definitions_are_entries_in_written_order():
    src = (
        "Cited [2] and [^1].\n\n## References\n\n[^1]: Smith J. One. BMJ. 2001;1:2.\n"
        "[^2]: Lee K. Two. Lancet. 2002;3:4. https://doi.org/10.1/x\n\n"
        "[^9]: Conceived and designed the experiments: JS.\n"
    )
    assert _entries(src, read_markdown) == [
        "Smith J. One. BMJ. 2001;1:2.",
        "Lee K. Two. Lancet. 2002;3:4. https://doi.org/10.1/x",
    ]


LINKS = [
    ("https://doi.org/10.1016%2Fj.jaci.2020.04.006", "10.1016/j.jaci.2020.04.006", None, None),
    ("//dx.doi.org/10.1001/jama.2020.1585", "10.1001/jama.2020.1585", None, None),
    ("https://doi.org/10.1016/S0140-6736%2820%2930183-5", "10.1016/s0140-6736(20)30183-5",
     None, None),
    ("https://www.nejm.org/doi/full/10.1056/NEJMoa2034577", "10.1056/nejmoa2034577", None, None),
    ("https://pubmed.ncbi.nlm.nih.gov/32109013/", None, "32109013", None),
    ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7092803/", None, None, "PMC7092803"),
    ("#cite_ref-3", None, None, None),
    ("https://example.org/paper/10.1234/abc", None, None, None),  # not a DOI link
]  # fmt: skip


@pytest.mark.parametrize(("url", "doi", "pmid", "pmcid"), LINKS)
def test_identifiers_in_link_targets(url, doi, pmid, pmcid):
    assert (doi_of_link(url), pmid_of_link(url), pmcid_of_link(url)) == (doi, pmid, pmcid)


def test_link_identifiers_fill_what_the_text_lacks_and_repair_a_glued_doi():
    f = apply_link_ids(ReferenceFields(), ["https://doi.org/10.1000%2Fabc"])
    assert (f.doi, f.doi_status) == ("10.1000/abc", "present")
    glued = ReferenceFields(doi="10.1007/s1-0-023869631", doi_status="present")
    assert apply_link_ids(glued, ["https://doi.org/10.1007/s1-0"]).doi == "10.1007/s1-0"


def test_html_entry_dois_from_links_and_back_links_dropped():
    html = (
        "<html><body><p>Claim<sup><a href='#cite_note-1'>[1]</a></sup>.</p><h2>References</h2>"
        "<ol class='references'><li id='cite_note-1'><span class='mw-cite-backlink'>"
        "<a href='#cite_ref-1'>^</a></span> Smith J. <a href='https://doi.org/10.1000%2Fxyz'>"
        "Title</a>. BMJ. 2001.</li></ol></body></html>"
    )
    a = parse_article(html.encode(), "x.html")
    (ref,) = a.references
    assert ref.fields.doi == "10.1000/xyz" and not ref.raw.startswith("^")
    assert [m.keys for s in a.sentences for m in s.markers] == [[ref.key]]


def test_wiki_source_refs_become_entries_numbered_by_first_use():
    src = (
        "Lead<ref name=B/>. More<ref name=A>{{cite journal | vauthors = Lee K | title = T |"
        ' journal = BMJ | year = 2001 | doi = 10.1000/abc }}</ref> and<ref name="B">Smith J.'
        " Book. 2002.</ref><ref name=A />.\n\n== References ==\n{{reflist}}\n"
    )
    a = parse_article(src.encode(), "page.wiki")
    assert [(r.key, r.fields.doi) for r in a.references] == [("1", None), ("2", "10.1000/abc")]
    assert [k for s in a.sentences for m in s.markers for k in m.keys] == ["1", "2", "1", "2"]
    assert a.marker_style == "footnote"


def test_a_terse_last_entry_before_back_matter_is_kept():
    src = (
        "Text (Hall 1996).\n\n# References\n\nHall, PA. 1996. Politics and Markets. Polity.\n\n"
        "Kingdon, JW. 2003. Agendas, Alternatives, and Public Policies. Longman.\n\n"
        "WHA Resolution 64.8: Strengthening National Policy Dialogue. 2011. Geneva.\n\n"
        "## Abbreviations\n\nEVIPNet\n\n: Evidence-Informed Policy Network\n"
    )
    assert len(_entries(src, read_markdown)) == 3


# Unindented author–year entries hard-wrapped with no blank line (lynx/w3m dumps of bookdown):
# an entry opens where a line starts with an author after a line that ended an entry.
AUTHOR_STARTS = [
    (
        [
            "Smith, John, and Ann Lee. 2020. “A Title That Wraps",
            "Onto a Second Line.” Journal 1 (2).",
            "Brown, K. 2019. Another Work. Publisher.",
        ],
        [True, False, True],
    ),
    (  # an entry with no author opens with its quoted title and year
        ["eLearning, Inspired. 2018. “Violations.” https://example.org/x.", "“Act.” 2022. Wiki."],
        [True, True],
    ),
    (  # citeproc's Chicago names with bare initials (eLife, PubMed): "Bassnett, S, and DC"
        [
            "Bassnett, S, and DC Beebe. 1992. “Coincident Loss of Mitochondria and Nuclei",
            "During Lens Fiber Cell Differentiation.” Developmental Dynamics 194: 85–93.",
            "Bergmann, O, RD Bhardwaj, S Bernard, et al. 2009. “Evidence for Cardiomyocyte",
            "Renewal in Humans.” Science 324: 98–102. https://doi.org/10.1126/",
            "science.1164680.",
            "Smith, R. 2010. “Classical Peer Review: An Empty Gun.” Breast Cancer Res 12.",
        ],
        [True, False, True, False, False, True],
    ),
    (  # a title-first entry: "Radiocarbon Calibration. 2014.", its year maybe wrapped
        [
            "Phillips, R, and P Sens. 2009. “Lipids.” Nature 459: 379–85.",
            "Radiocarbon Calibration. 2014.",
            "Reaping the Benefits: Science and the Sustainable Intensification of",
            "Global Agriculture. 2009. Royal Society.",
            "Rapoport, SI, and D Purdon. 1997. “In Vivo Imaging.” Cell 2: 1–9.",
        ],
        [True, True, True, False, True],
    ),
    (  # one surname wrapped after a stopped initial is not a title: "R. K." / "Heethaar. 2007."
        [
            "Hermans, Eva, and R. K.",
            "Heethaar. 2007. “The Shape.” Vision 7: 1–2.",
            "Brown, K. 2019. Another Work. Publisher.",
        ],
        [True, False, True],
    ),
    (  # bare capitals after a comma in prose are not initials: "Figure, AB test"
        ["Results, AB testing showed 2019 data.", "Methods, CD in 2020 were used."],
        [False, False],
    ),
    (  # a name after a line that did not end an entry continues it
        ["Smith, John, Ann Lee, and", "Brown, Kate. 2020. Title. Journal."],
        [False, False],
    ),
    (  # prose: no line opens with "Surname, Given"
        ["The study ran in 2019 and ended.", "Results, Methods and more in 2020."],
        [False, False],
    ),
    (  # every piece must hold a year
        ["Smith, John. A title without a date.", "Brown, Kate. 2020. Title."],
        [False, False],
    ),
]


@pytest.mark.parametrize(("lines", "expected"), AUTHOR_STARTS)
def test_author_year_entries_open_where_an_author_follows_an_entry_end(lines, expected):
    assert author_starts(lines) == expected


JOINED = [
    (["PLOS ONE. https://doi.org/10.1371/", "journal.pone.0230416."],
     "PLOS ONE. https://doi.org/10.1371/journal.pone.0230416."),
    (["index.php?title=REDCap&", "oldid=1086529440."], "index.php?title=REDCap& oldid=1086529440."),
    (["Wiki. https://x.org/index.php?title=REDCap&", "oldid=1."],
     "Wiki. https://x.org/index.php?title=REDCap&oldid=1."),
    (["see https://example.org/", "for more"], "see https://example.org/ for more"),
    (["a line", "and the next"], "a line and the next"),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "expected"), JOINED)
def test_a_url_cut_at_a_line_end_is_rejoined(lines, expected):
    assert join_lines(lines) == expected


def test_an_unindented_wrapped_author_year_list_reads_entry_by_entry():
    text = (
        "Intro\n\nAs shown before (Colavizza et al. 2020), data helps.\n\n"
        "Common uses of data taken from Colavizza (2020) are:\n\n"
        "References\n\n"
        "Colavizza, Giovanni, Iain Hrynaszkiewicz, and Barbara McGillivray. 2020. “The\n"
        "Citation Advantage.” PLOS ONE 15 (4): e0230416. https://doi.org/10.1371/\n"
        "journal.pone.0230416.\n"
        "“REDCap.” 2022. Wikipedia. https://en.wikipedia.org/w/index.php?title=REDCap&\n"
        "oldid=1086529440.\n"
        "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n"
        "All illustrations CC-BY.\n"
    )
    article = parse_article(text.encode(), source="dump.txt", fmt="text")
    raws = [r.raw for r in article.references]
    assert len(raws) == 2
    assert raws[0].endswith("https://doi.org/10.1371/journal.pone.0230416.")
    assert raws[1].startswith("“REDCap.” 2022.")
    # the lead-in line ending "are:" is a sentence, not a heading: its citation counts
    first = article.references[0].key
    assert [m.keys for s in article.sentences for m in s.markers] == [[first], [first]]


LETTERED = [
    # Notes and References both numbered from 1: the notes take letters
    (["1", "2", "1", "2", "3"], [0, 0, 1, 1, 1], ["Notes", "References"],
     ["a", "b", "1", "2", "3"]),
    (["1", "2", "1"], [0, 0, 1], ["Footnotes", "References"], ["a", "b", "1"]),
    # numbers that do not repeat: a notes list keeps them
    (["1", "2", "3"], [0, 0, 1], ["Notes", "References"], ["1", "2", "3"]),
    # repeated numbers but no notes list: left to the usual "-2" disambiguation
    (["1", "1"], [0, 1], ["References", "Further reading"], ["1", "1"]),
    # "Notes and references" is one list of sources, not notes
    (["1", "1"], [0, 1], ["Notes and references", "Bibliography"], ["1", "1"]),
]  # fmt: skip


@pytest.mark.parametrize(("base", "lists", "names", "expected"), LETTERED)
def test_notes_numbered_beside_references_are_keyed_by_letter(base, lists, names, expected):
    assert letter_note_keys(base, lists, names) == expected


@pytest.mark.parametrize(("n", "letter"), [(1, "a"), (3, "c"), (26, "z"), (27, "aa"), (28, "ab")])
def test_note_letters_run_as_wikipedia_writes_them(n, letter):
    assert note_letter(n) == letter


@pytest.mark.parametrize(
    ("raw", "number", "rest"),
    [
        (
            "10.Blaschke C, Andrade MA. Automatic extraction",
            10,
            "Blaschke C, Andrade MA. Automatic extraction",
        ),
        ("3)Smith, J. A title", 3, "Smith, J. A title"),
        ("12. WHO. Report", 12, "WHO. Report"),
        ("[4] Lee K. Title", 4, "Lee K. Title"),
        ("10.1038/nature12373 is a DOI", None, None),  # a DOI, not a number
        ("2019.Annual report of", None, None),  # a glued year is no list number
        ("1.5 mg daily", None, None),
    ],
)
def test_list_numbers_written_inside_entries_glued_or_spaced(raw, number, rest):
    from ingest.reflist_find import _NUMBER_PREFIX

    m = _NUMBER_PREFIX.match(raw)
    assert (int(next(g for g in m.groups() if g)) if m else None) == number
    assert (raw[m.end() :] if m else None) == rest
