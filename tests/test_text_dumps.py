"""Text dumps of journal pages (lynx, w3m, html2text): what the dump adds to the page is not
the article. Patterns met first on the unseen corpus articles (tests/fixtures/real C01-C09),
written here as small cases of the pattern."""

from __future__ import annotations

from ingest.article import parse_article
from ingest.readers.text import lynx_plain, read_text, unbracket_subscripts
from ingest.reflist import find_reference_list


def _parse(text: str):
    return parse_article(text.encode("utf-8"), "dump.txt")


def _cites(article) -> list[list[str]]:
    return [m.keys for s in article.sentences for m in s.markers]


ENTRIES = (
    "   1. 1. Smith J, Lee K. Sarcopenia in lung cancer. Ann Oncol. 2013;24: 99–105.\n"
    "       pmid:23813929\n"
    "          + [65]View Article\n"
    "   2. 2. Torre LA, Bray F. Global cancer statistics. CA Cancer J Clin. 2015;65: 87–108.\n"
    "          + [66]View Article\n"
    "   3. 3. Zhou T, Hong S. Inflammation scores in lung cancer. Tumour Biol. 2015;36: 337–43.\n"
    "          + [67]View Article\n"
)


def _lynx_page(index_header: str) -> str:
    body = (
        "Introduction\n\n"
        "   Small cell lung cancer spreads quickly than [2]non-small cell lung\n"
        "   cancer and its prognosis is poor [[3]1, [4]2]. Staging has prognostic\n"
        "   value [[5]1, [6]3] ([7]Table 1).\n\n"
        "References\n\n" + ENTRIES + "\nReferences\n\n" + index_header
    )
    links = [f"   {n}. https://example.org/link{n}\n" for n in range(1, 68)]
    return body + "".join(links)


def test_lynx_link_index_without_a_visible_links_line_is_not_a_list():
    # lynx writes "Visible links:" only when a page also has hidden links
    for header in ("", "   Visible links:\n"):
        a = _parse(_lynx_page(header))
        assert [r.key for r in a.references] == ["1", "2", "3"]
        assert _cites(a) == [["1", "2"], ["1", "3"]]


def test_a_real_list_of_bare_urls_is_kept():
    # no lynx link numbers in the page: "References" + "1. URL" lines are the article's list
    text = (
        "Intro\n\nThe data come from two portals [1] and a registry [2].\n\n"
        "References\n\n   1. https://example.org/portal\n   2. https://example.org/registry\n"
    )
    assert lynx_plain(text) == text
    assert [r.key for r in _parse(text).references] == ["1", "2"]


def test_subscripts_printed_as_brackets_are_not_markers_where_citations_are_spaced():
    text = (
        "Title\n\nIntroduction\n\n"
        "Receptors are α[1]β[2]γ[2] complexes with clinical effects [1], [2].\n"
        "The required FiO[2] and the IC[50] were higher in mice [3] than in rats [1].\n\n"
        "References\n\n"
        "1. Rudolph U, Crestani F. Benzodiazepine actions. Nature. 1999;401: 796–800.\n"
        "2. McKernan RM, Rosahl TW. Sedative properties. Nat Neurosci. 2000;3: 587–92.\n"
        "3. Low K, Crestani F. Anxiolytic action. Science. 2000;290: 131–4.\n"
    )
    assert "α1β2γ2" in unbracket_subscripts(text) and "FiO2" in unbracket_subscripts(text)
    assert _cites(_parse(text)) == [["1"], ["2"], ["3"], ["1"]]


def test_a_page_that_glues_its_citations_keeps_every_bracket():
    # Wikipedia dumps: "water.[2]", "cells[3]": a glued bracket is a citation there
    text = "Blood is water.[1] It carries cells[2] and CO[2] gas.[3] See plasma.[4]"
    assert unbracket_subscripts(text) == text


def test_an_author_year_page_reads_every_bracket_glued_to_a_symbol_as_a_subscript():
    # w3m dump of an eLife page: no bracketed citation anywhere, "CO[2]" throughout
    text = "The ^14CO[2] pulse (Libby et al. 1964) reached the ocean CO[2] (Hua et al. 2013)."
    assert unbracket_subscripts(text) == text.replace("[2]", "2")
    # one glued bracket alone stays (too little to tell), as does a citation after a word
    assert unbracket_subscripts("Oxygen and CO[2] only.") == "Oxygen and CO[2] only."
    salts = "buffer 7 mM Na[2]HPO[4], 15 mM MgSO[4], 5 mM CaCl[2] (Bowman et al. 2013)"
    assert unbracket_subscripts(salts) == salts.replace("[2]", "2").replace("[4]", "4")
    mixed = "Gas CO[2] rose and H[2] fell, as cells[3] showed."
    assert unbracket_subscripts(mixed) == mixed


def test_a_prose_line_that_starts_with_a_marker_is_not_a_list_item():
    text = (
        "Discussion\n\n"
        "Polycystin-1 is found in the cilia of human airway epithelial cells\n"
        "[2] and of human airway smooth muscle cells [1] as reported.\n\n"
        "References\n\n"
        "1. Torres VE, Harris PC (2006) Mechanisms of disease. Nat Clin Pract Nephrol 2: 40–55.\n"
        "2. Barua M, Pei Y (2010) Diagnosis of ADPKD. Semin Nephrol 30: 356–365.\n"
    )
    a = _parse(text)
    assert [r.key for r in a.references] == ["1", "2"]
    assert _cites(a) == [["2"], ["1"]]


def test_a_paragraph_after_the_list_items_is_not_an_entry():
    text = (
        "Results\n\nLipids are heritable (1,2).\n\nReferences\n\n"
        "   1. Pilia G, Chen WM. Heritability of traits in Sardinians. PLoS Genet. 2006;2:e132.\n"
        "   2. Friedlander Y, Austin MA. Heritability of risk factors. Am J Hum Genet.\n"
        "   1997;60:1502–12.\n\n"
        "   Articles from Croatian Medical Journal are provided here courtesy of Medicinska\n"
        "   Naklada\n\n"
        "Formats:\n\n     * Article |\n     * PDF (4.7M) |\n"
    )
    entries = find_reference_list(read_text(text)).entries
    assert len(entries) == 2 and entries[-1].raw.startswith("Friedlander")


def test_a_number_named_by_the_word_ref_is_a_citation():
    text = (
        "Results\n\nLipids are heritable (1,2). Gene data were obtained from ref. 3.\n"
        "Table 1 lists the values for ref. 9 and references 2–3 agree.\n\n"
        "References\n\n"
        "1. Pilia G, Chen WM. Heritability of traits in Sardinians. PLoS Genet. 2006;2:e132.\n"
        "2. Friedlander Y, Austin MA. Heritability of risk factors. Am J Hum Genet. 1997;60:1502.\n"
        "3. Kathiresan S, Musunuru K. Blood lipid alleles. Curr Opin Lipidol. 2008;19:122–7.\n"
    )
    assert _cites(_parse(text)) == [["1", "2"], ["3"], ["2", "3"]]  # no entry 9: not a cite
