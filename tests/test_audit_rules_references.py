"""Each reference rule on cases built row by row: it fires where it should and nowhere else."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from kb.audit import audit_findings
from kb.audit.context import load_context
from tests.audit_helpers import Builder, verified_entry


@pytest.fixture
def b(engine):
    with Session(engine) as s:
        yield Builder(s)


def findings(b: Builder, code: str | None = None):
    found = audit_findings(load_context(b.s, b.article.id))
    return [f for f in found if code is None or f.code == code]


def good(b: Builder, number: int = 1, doi: str = "10.5555/good.1", **kw):
    fields = dict(
        title="A trial",
        journal="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        pages="145-150",
    )
    fields.update(kw)
    ref = verified_entry(b, number, doi, **fields)
    b.claim(f"Something was shown [{number}].", [str(number)])
    return ref


def cited(b: Builder, number: int, raw: str, **fields):
    ref = b.ref(number, raw, **fields)
    b.claim(f"A claim [{number}].", [str(number)])
    return ref


# --- DOIs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [("empty", "doi_empty"), ("truncated", "doi_truncated"), ("malformed", "doi_invalid")],
)
def test_broken_doi_codes(b, status, code):
    cited(
        b,
        1,
        "2022; 113: 109438. doi:",
        doi_status=status,
        doi_raw="10.1007/s00115-014-",
        year=2022,
        volume="113",
        pages="109438",
    )
    good(b, 2)
    got = findings(b, code)
    assert [f.reference_key for f in got] == ["1"]
    assert got[0].severity == "error"
    assert json.loads(got[0].evidence)["doi_status"] == status
    assert findings(b, "missing_identifier") == []  # the broken DOI is the finding, not both


def test_doi_not_found_and_unverified(b):
    cited(
        b,
        1,
        "x doi:10.5555/nope",
        doi="10.5555/nope",
        verification="not_found",
        year=2020,
        title="T",
        journal="J",
        authors=["A B"],
        volume="1",
        issue="1",
        pages="1-2",
    )
    cited(
        b,
        2,
        "y doi:10.5555/later",
        doi="10.5555/later",
        verification="unverified",
        year=2020,
        title="T",
        journal="J",
        authors=["A B"],
        volume="1",
        issue="1",
        pages="1-2",
    )
    good(b, 3)
    assert [f.reference_key for f in findings(b, "doi_not_found")] == ["1"]
    unverified = findings(b, "doi_unverified")
    assert [f.reference_key for f in unverified] == ["2"]
    assert unverified[0].severity == "info"


def test_metadata_mismatch_names_fields_and_both_values(b):
    b.work(
        "10.5555/mm",
        title="T",
        container_title="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        page="145-150",
    )
    cited(
        b,
        1,
        "Ann Neurol. 2012;69(2):145-50. doi:10.5555/mm",
        doi="10.5555/mm",
        work_doi="10.5555/mm",
        verification="verified",
        journal="Ann Neurol",
        year=2012,
        volume="69",
        issue="2",
        pages="145-50",
        title="T",
        authors=["A B"],
    )
    got = findings(b, "doi_metadata_mismatch")
    assert len(got) == 1
    fields = json.loads(got[0].evidence)["fields"]
    assert fields == {
        "year": {"entry": 2012, "work": 2010},
        "volume": {"entry": "69", "work": "68"},
    }


def test_metadata_agreeing_with_abbreviations_and_short_pages_is_no_mismatch(b):
    b.work(
        "10.5555/ok",
        title="T",
        container_title="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        page="145-150",
    )
    cited(
        b,
        1,
        "Ann Neurol. 2011;68(2):145-50.",
        doi="10.5555/ok",
        work_doi="10.5555/ok",
        verification="verified",
        journal="Ann Neurol",
        year=2011,
        volume="68",
        issue="2",
        pages="145\u201350",
        title="T",
        authors=["A B"],
    )
    assert findings(b, "doi_metadata_mismatch") == []


def test_article_number_compares_with_pages(b):
    b.work(
        "10.5555/an",
        title="T",
        container_title="Int J Mol Sci",
        year=2021,
        volume="22",
        issue="16",
        article_number="8429",
    )
    cited(
        b,
        1,
        "2021;22(16):8429",
        doi="10.5555/an",
        work_doi="10.5555/an",
        verification="verified",
        year=2021,
        volume="22",
        issue="16",
        article_number="8430",
    )
    assert json.loads(findings(b, "doi_metadata_mismatch")[0].evidence)["fields"] == {
        "pages": {"entry": "8430", "work": "8429"}
    }


# --- identifiers ---------------------------------------------------------------------


def test_missing_identifier_only_without_any_identifier(b):
    cited(
        b,
        1,
        "2018; 2018(4): CD010410.",
        year=2018,
        volume="2018",
        issue="4",
        article_number="CD010410",
    )
    cited(
        b,
        2,
        "A book. ISBN 978-0-00-000000-2",
        isbn="9780000000002",
        source_type="book",
        title="A book",
        year=2000,
        authors=["A B"],
    )
    good(b, 3)
    assert [f.reference_key for f in findings(b, "missing_identifier")] == ["1"]


def test_pmc_only(b):
    cited(b, 1, "Cureus v.14(2); 2022 Feb PMC8967077", pmcid="PMC8967077", year=2022)
    cited(b, 2, "PMID 123", pmid="123", doi="10.5555/x", doi_status="present", year=2022)
    good(b, 3)
    got = findings(b, "pmc_only")
    assert [f.reference_key for f in got] == ["1"]
    assert "PMC8967077" in got[0].message


def test_url_only_and_non_scholarly(b):
    cited(b, 1, "https://ldnresearchtrust.org/hashimoto", url="https://ldnresearchtrust.org/x")
    cited(
        b,
        2,
        "ScienceDaily, 2 September 2011. <www.sciencedaily.com/releases/2011/1.htm>.",
        url="www.sciencedaily.com/releases/2011/1.htm",
        year=2011,
    )
    cited(b, 3, "Some report. https://www.who.int/report.pdf", url="https://www.who.int/report.pdf")
    good(b, 4)
    assert [f.reference_key for f in findings(b, "url_only")] == ["1", "2", "3"]
    ns = findings(b, "non_scholarly_source")
    assert [f.reference_key for f in ns] == ["1", "2"]
    assert [json.loads(f.evidence)["kind"] for f in ns] == ["advocacy", "press_release"]


def test_press_release_by_source_type(b):
    cited(
        b, 1, "University news office. New drug helps. Press release.", source_type="press_release"
    )
    good(b, 2)
    assert [f.reference_key for f in findings(b, "non_scholarly_source")] == ["1"]


# --- completeness of fields ---------------------------------------------------------


def test_missing_fields_on_scholarly_entries_only(b):
    b.work(
        "10.5555/mf",
        title="Full title",
        container_title="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        page="145-150",
        authors=[{"family": "Cree", "given": "B"}],
    )
    cited(
        b,
        1,
        "2010 Aug;68(2):145-50. doi: 10.5555/mf",
        doi="10.5555/mf",
        work_doi="10.5555/mf",
        verification="verified",
        year=2010,
        volume="68",
        issue="2",
        pages="145-50",
    )
    cited(b, 2, "https://example.org/page", url="https://example.org/page", source_type="web")
    good(b, 3)
    codes = {(f.code, f.reference_key) for f in findings(b) if f.code.startswith("missing_")}
    assert codes == {("missing_authors", "1"), ("missing_title", "1"), ("missing_journal", "1")}
    fixed = [f for f in findings(b) if f.code == "missing_title"][0]
    assert "Full title" in fixed.fix_text and fixed.fix_text.startswith("AMA: Cree B.")
    assert "\nVancouver: " in fixed.fix_text


def test_missing_year(b):
    cited(
        b,
        1,
        "Smith J. A title. J Foo. 12(3):4-5.",
        authors=["Smith J"],
        title="A title",
        journal="J Foo",
        volume="12",
        issue="3",
        pages="4-5",
        source_type="journal",
    )
    good(b, 2)
    assert [f.reference_key for f in findings(b, "missing_year")] == ["1"]


def test_missing_journal_not_for_books(b):
    cited(
        b,
        1,
        "Smith J. A book. 2000. ISBN 1",
        authors=["Smith J"],
        title="A book",
        year=2000,
        isbn="1",
        source_type="book",
    )
    good(b, 2)
    assert findings(b, "missing_journal") == []


# --- kinds of source ----------------------------------------------------------------


def test_conference_abstract(b):
    cited(
        b,
        1,
        "Abstract: 3634 Scientific Abstracts > Chronic Pain. https://www.asra.com/a.pdf",
        url="https://www.asra.com/a.pdf",
    )
    cited(
        b,
        2,
        "Smith J. Pain in 2020. Pain Conf Proc. 2020.",
        source_type="conference",
        title="Pain in 2020",
        year=2020,
        authors=["Smith J"],
    )
    good(b, 3, title="Abstracts of brain signals are hard to read")
    assert [f.reference_key for f in findings(b, "conference_abstract")] == ["1", "2"]


def test_protocol_cited_for_an_effect(b):
    b.work(
        "10.5555/proto",
        title="Low-dose naltrexone for fibromyalgia: protocol for a randomized trial",
        container_title="Trials",
        year=2021,
        volume="22",
        issue="1",
        article_number="804",
    )
    ref = b.ref(
        1,
        "Trials 2021;22:804",
        doi="10.5555/proto",
        work_doi="10.5555/proto",
        verification="verified",
    )
    b.claim("A 2009 study found that LDN improved pain in fibromyalgia [1].", ["1"])
    b.claim("The design of an ongoing trial has been published [1].", ["1"])
    got = findings(b, "protocol_cited_as_evidence")
    assert len(got) == 1 and got[0].reference_id == ref.id and got[0].claim_id is not None
    assert got[0].severity == "error"


def test_protocol_only_described_is_fine(b):
    b.work("10.5555/proto2", title="Protocol for the LDN Crohn study", container_title="BMJ Open")
    b.ref(1, "BMJ Open", doi="10.5555/proto2", work_doi="10.5555/proto2", verification="verified")
    b.claim("A protocol for a trial in Crohn's disease has been published [1].", ["1"])
    assert findings(b, "protocol_cited_as_evidence") == []


# --- notices (synthetic, under the test prefix 10.5555/) ----------------------------


@pytest.mark.parametrize(
    ("update_type", "code", "severity"),
    [
        ("retraction", "retracted", "error"),
        ("expression_of_concern", "expression_of_concern", "warning"),
        ("correction", "corrected", "info"),
    ],
)
def test_update_notices(b, update_type, code, severity):
    ref = good(b, 1, doi="10.5555/notice.1")
    good(b, 2, doi="10.5555/notice.2")
    b.update("10.5555/notice.1", update_type, "10.5555/notice.1.update")
    got = findings(b, code)
    assert [(f.reference_id, f.severity) for f in got] == [(ref.id, severity)]
    assert "10.5555/notice.1.update" in got[0].message
    others = {"retracted", "expression_of_concern", "corrected"} - {code}
    assert not [f for f in findings(b) if f.code in others]


def test_suggested_doi_is_the_fix_with_confidence(b):
    ref = cited(
        b,
        1,
        "2018; 2018(4): CD010410.",
        year=2018,
        volume="2018",
        issue="4",
        article_number="CD010410",
    )
    b.suggest(ref, "10.5555/cochrane", confidence=0.82)
    rejected = cited(b, 2, "2019; 3: 1.", year=2019, volume="3", pages="1")
    b.suggest(rejected, "10.5555/wrong", confidence=0.9, status="rejected")
    got = {f.reference_key: f for f in findings(b, "missing_identifier")}
    assert got["1"].fix_doi == "10.5555/cochrane"
    assert json.loads(got["1"].evidence)["suggestion"]["confidence"] == pytest.approx(0.82)
    assert got["2"].fix_doi is None


def test_protocol_known_only_through_a_suggested_doi(b):
    ref = b.ref(
        1, "2021; 22: 804. doi:", doi_status="empty", year=2021, volume="22", article_number="804"
    )
    b.work(
        "10.5555/proto3",
        title="LDN for fibromyalgia: protocol for a randomised trial",
        container_title="Trials",
        year=2021,
    )
    b.suggest(ref, "10.5555/proto3", confidence=0.83)
    b.claim("A 2009 study found that LDN improved pain [1].", ["1"])
    got = findings(b, "protocol_cited_as_evidence")
    assert len(got) == 1 and "10.5555/proto3" in json.loads(got[0].evidence)["protocol_signal"]
    assert got[0].fix_doi == "10.5555/proto3"


def test_missing_fires_only_when_the_parser_is_sure_the_field_is_absent(b):
    sure = dict(authors_confidence=0.97, title_confidence=0.95, journal_confidence=0.9)
    unsure = dict(authors_confidence=0.4, title_confidence=0.55, journal_confidence=0.3)
    for number, conf in ((1, sure), (2, unsure)):
        cited(
            b,
            number,
            f"2010 Aug;68(2):145-5{number}. doi: 10.5555/m{number}",
            doi=f"10.5555/m{number}",
            year=2010,
            volume="68",
            pages=f"145-15{number}",
            source_type="journal",
            year_confidence=0.99,
            **conf,
        )
    codes = {(f.code, f.reference_key) for f in findings(b) if f.code.startswith("missing_")}
    assert codes == {("missing_authors", "1"), ("missing_title", "1"), ("missing_journal", "1")}


def test_a_field_withheld_as_uncertain_is_never_reported_missing(b):
    # Confident that nothing else is there, but the title and journal were read below
    # their thresholds: kept in `uncertain` for the editor, so neither is "missing".
    for number, uncertain in ((1, None), (2, {"title": "Pilot trial", "journal": "Ann N"})):
        cited(
            b,
            number,
            f"Cree BA. Pilot trial. Ann N. 2010;68(2):145-5{number}. doi: 10.5555/u{number}",
            doi=f"10.5555/u{number}",
            authors=json.dumps(["Cree BA"]),
            first_author="Cree",
            year=2010,
            volume="68",
            pages=f"145-15{number}",
            source_type="journal",
            authors_confidence=0.99,
            title_confidence=0.9,
            journal_confidence=0.9,
            year_confidence=0.99,
            uncertain=json.dumps(uncertain) if uncertain else None,
        )
    codes = {(f.code, f.reference_key) for f in findings(b) if f.code.startswith("missing_")}
    assert codes == {("missing_title", "1"), ("missing_journal", "1")}
