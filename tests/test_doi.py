# ruff: noqa: E501  (real DOIs and URLs in the tables are long)
"""DOI syntax, normalisation, every form and status, hostile text, Crossref path encoding."""

from __future__ import annotations

import pytest

from ingest.doi import (
    crossref_path_segment,
    find_doi,
    has_usable_doi,
    is_valid_doi,
    normalize_doi,
)

D = "10.1002/ana.22006"


@pytest.mark.parametrize(
    "text",
    [
        f"doi: {D}",
        f"DOI: {D}.",
        f"doi:{D};",
        f"https://doi.org/{D}",
        f"http://dx.doi.org/{D},",
        f"doi.org/{D}",
        "http://dx.doi.org/10.1002%2Fana.22006",
        f"(https://doi.org/{D})",
        f"<https://doi.org/{D}>",
        f"Ann Neurol.2010 Aug;68(2):145-50. doi: {D.upper()}. Epub 2010 Jun 1.",
        "doi: 10.1002/ana.\n22006",  # hard-wrapped at a full stop
        "doi: 10.1002/\n  ana.22006",  # hard-wrapped after the slash
    ],
)
def test_present_forms(text: str) -> None:
    doi, raw, status = find_doi(text)
    assert (doi, status) == (D, "present")
    assert raw and "22006" in raw


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("https://onlinelibrary.wiley.com/doi/10.1111/j.1440-1800.2005.00252.x", "10.1111/j.1440-1800.2005.00252.x"),
        ("https://onlinelibrary.wiley.com/doi/full/10.1111/j.1365-2648.2005.03432.x", "10.1111/j.1365-2648.2005.03432.x"),
        ("https://www.nejm.org/doi/10.1056/NEJM199801083380206", "10.1056/nejm199801083380206"),
        ("https://journals.plos.org/plosmedicine/article?id=10.1371/journal.pmed.0040238", "10.1371/journal.pmed.0040238"),
        ("https://example.org/doi/10.1000/xyz123/abstract", "10.1000/xyz123"),
        ("DOI: 10.1016/s0140-6736(20)30566-3 · PMID: 32171076", "10.1016/s0140-6736(20)30566-3"),
        ("doi:10.1002/(SICI)1097-0274(199909)36:1+<1::AID-AJIM2>3.0.CO;2-0.", "10.1002/(sici)1097-0274(199909)36:1+<1::aid-ajim2>3.0.co;2-0"),
        ("doi: 10.1890/0012-9615(1999)069[0569:EDILSA]2.0.CO;2]", "10.1890/0012-9615(1999)069[0569:edilsa]2.0.co;2"),
        ("doi: nm.2234 [pii]; 10.1038/nm.2234[doi]", "10.1038/nm.2234"),
        ("doi :10.1007/JHEP01(2015)073[arXiv :1408.3203[hep -th]]", "10.1007/jhep01(2015)073"),
        ("doi: 10.1000/abc123.PMID:123456", "10.1000/abc123"),
    ],
)  # fmt: skip
def test_present_inside_urls_and_with_brackets(text: str, doi: str) -> None:
    assert find_doi(text)[0::2] == (doi, "present")


def test_shortdoi_url_is_not_a_doi_but_a_following_doi_is() -> None:
    assert find_doi("https://doi.org/ggnxb3") == (None, None, "absent")
    assert find_doi("https://doi.org/ggnxb3\nDOI: 10.1038/nm860")[2] == "present"


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("2022 Dec; 113: 109438.Published online 2022 Nov 9. doi:", "doi:"),
        ("2021; 22: 804.Published online 2021 Nov 15.\xa0doi:\xa0", "doi:"),
        ("2019; 14(2): e0212460.Published online 2019 Feb 14. do", "do"),
        ("Available at https://doi.org/", "https://doi.org/"),
        ("doi: Epub 2010 Jun 1.", "doi:"),
    ],
)
def test_empty_labels(text: str, raw: str) -> None:
    assert find_doi(text) == (None, raw, "empty")


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("Nervenarzt 2015 Mar;86(3):346-51. doi: 10.1007/s00115-014-4015-", "10.1007/s00115-014-4015-"),
        ("doi: 10.1234/", "10.1234/"),
        ("doi: 10.1016", "10.1016"),
        ("doi: 10.1016/s0140-6736(20", "10.1016/s0140-6736(20"),
        ("doi: 10.1000/abcd…", "10.1000/abcd"),
        ("doi: 10.1000/abcd_", "10.1000/abcd_"),
    ],
)  # fmt: skip
def test_truncated_keeps_the_partial_doi(text: str, doi: str) -> None:
    assert find_doi(text)[0::2] == (doi, "truncated")


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("https://doi.org/doi:10.1525/9780520931473.", "10.1525/9780520931473"),
        ("https://doi.org/https://doi.org/10.1525/9780520931473", "10.1525/9780520931473"),
        ("doi: 10.1007/ s00115-014-4015-9", "10.1007/s00115-014-4015-9"),
        ("doi: 10.1007/s00115-014- 4015-9", "10.1007/s00115-014-4015-9"),
        ("doi: 1002/ana.22006", None),
    ],
)
def test_malformed_is_repaired_where_possible(text: str, doi: str | None) -> None:
    assert find_doi(text)[0::2] == (doi, "malformed")


@pytest.mark.parametrize(
    "text",
    ["", "no identifiers here", "p = 10.1234 in prose", "Epub 2008 Nov 28.", "see /doi/ page"],
)
def test_absent(text: str) -> None:
    assert find_doi(text) == (None, None, "absent")


def test_a_new_sentence_after_a_doi_is_not_joined_to_it() -> None:
    assert find_doi(f"doi: {D}.\nEpub 2010 Jun 1.")[0] == D
    assert find_doi(f"doi: {D}. PMID: 20695007")[0] == D


@pytest.mark.parametrize(
    "text",
    [
        "doi: 10.1000/../../admin",
        "doi: 10.1000/abc?x=1",
        "doi: 10.1000/abc#frag",
        "doi: 10.1000/ab\x00cd",
        "doi: 10.1000/ab\x1bcd",
        "doi: 10.1000/abc%2F..%2F..%3Fq",
    ],
)
def test_hostile_text_never_yields_an_unsafe_doi(text: str) -> None:
    doi, _, status = find_doi(text)
    if status in {"present", "malformed"} and doi:
        assert is_valid_doi(doi)
    if doi:
        seg = crossref_path_segment(doi)
        assert not any(c in seg for c in "/?# \x00\x1b") and seg not in {".", ".."}


@pytest.mark.parametrize(
    ("s", "ok"),
    [
        (D, True),
        ("10.1016/s0140-6736(20)30566-3", True),
        ("10.1002/(sici)1097-0274(199909)36:1+<1::aid-ajim2>3.0.co;2-0", True),
        ("10.1890/0012-9615(1999)069[0569:edilsa]2.0.co;2", True),
        ("10.123/abc", False),  # prefix registrant too short
        ("10.1234/", False),
        ("11.1234/abc", False),
        ("10.1234/a b", False),
        ("10.1234/a?b", False),
        ("10.1234/a,b", False),
        ("10.1234/..", False),
        ("10.1234/a/../b", False),
        ("10.1234/" + "a" * 600, False),
        ("", False),
    ],
)
def test_is_valid_doi(s: str, ok: bool) -> None:
    assert is_valid_doi(s) is ok


@pytest.mark.parametrize(
    ("s", "out"),
    [
        (f"doi:{D}", D),
        (f"DOI: {D.upper()}.", D),
        (f"https://doi.org/{D})", D),
        (f"http://dx.doi.org/{D};", D),
        (f"doi.org/{D}", D),
        ("https://doi.org/doi:10.1525/9780520931473", "10.1525/9780520931473"),
        ("10.1002%2Fana.22006", D),
        (" 10.1002/ana.\n22006 ", D),
        ("10.1016/s0140-6736(20)30566-3)", "10.1016/s0140-6736(20)30566-3"),
        ("not a doi", None),
        ("10.1000/../x", None),
    ],
)
def test_normalize_doi(s: str, out: str | None) -> None:
    assert normalize_doi(s) == out


@pytest.mark.parametrize(
    ("s", "out"),
    [
        ("10.5555/CaseMixed.ABC", "10.5555/casemixed.abc"),  # as Crossref issued it
        (" https://doi.org/10.1002/ANA.22006 ", D),
        ("10.1000/a b%2F.", "10.1000/a b%2f."),  # never repaired nor refused
    ],
)
def test_normalize_doi_of_an_issued_or_stored_doi(s: str, out: str) -> None:
    assert normalize_doi(s, strict=False) == out


@pytest.mark.parametrize(
    ("doi", "status", "usable"),
    [
        (D, "present", True),
        (D, "malformed", True),  # repaired (doubled prefix, a space inside): Crossref can check it
        (None, "malformed", False),  # a label followed by something that is no DOI
        ("10.1002/ana.", "truncated", False),  # a fragment to search by, not to look up
        (None, "empty", False),
        (None, "absent", False),
    ],
)
def test_usable_doi_is_decided_once(doi, status, usable) -> None:
    assert has_usable_doi(doi, status) is usable


@pytest.mark.parametrize(
    ("doi", "seg"),
    [
        (D, "10.1002%2Fana.22006"),
        ("10.1000/a?b#c d", "10.1000%2Fa%3Fb%23c%20d"),
        ("10.1000/../../x", "10.1000%2F..%2F..%2Fx"),
        ("10.1000/50%", "10.1000%2F50%25"),
        ("..", "%2E%2E"),
        ("10.1002/(sici)1:1+<1>;2-0", "10.1002%2F%28sici%291%3A1%2B%3C1%3E%3B2-0"),
    ],
)
def test_crossref_path_segment_is_one_opaque_segment(doi: str, seg: str) -> None:
    assert crossref_path_segment(doi) == seg
