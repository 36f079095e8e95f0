"""One answer to "does this entry agree with this work?", for suggestions and for the audit."""

from __future__ import annotations

import pytest

from ingest.crossref.agreement import compare, journals_agree, years_agree
from ingest.crossref.match import RefFacts, validate
from kb.audit.rules_references import metadata_disagreements
from kb.models import Reference, Work


def _work(**kw) -> Work:
    base = {"doi": "10.5555/w", "title": "Low-dose naltrexone for fibromyalgia",
            "first_author": "Younger", "container_title": "Journal of Clinical Rheumatology",
            "year": 2013, "volume": "65", "issue": "2", "page": "529-538"}  # fmt: skip
    return Work(**{**base, **kw})


def _entry(**kw) -> Reference:
    base = {"article_id": 1, "key": "1", "position": 0, "raw": "",
            "title": "Low-dose naltrexone for fibromyalgia", "first_author": "Younger",
            "journal": "J Clin Rheumatol", "year": 2013, "volume": "65", "issue": "2",
            "pages": "529-38"}  # fmt: skip
    return Reference(**{**base, **kw})


def _facts(ref: Reference) -> RefFacts:
    names = ("year", "volume", "issue", "pages", "article_number", "first_author", "title",
             "journal")  # fmt: skip
    return RefFacts(**{n: getattr(ref, n) for n in names})


@pytest.mark.parametrize(
    ("entry_journal", "work_journal", "agree"),
    [
        ("J Clin Rheumatol", "Journal of Clinical Rheumatology", True),
        ("Journal of Clinical Rheumatology", "Journal of Clinical Rheumatology", True),
        ("Journal of Clinical Rheumatology", "Clinical Rheumatology", False),  # issue 12
        ("Clin Rheumatol", "Journal of Clinical Rheumatology", False),
        ("JAMA", "Journal of the American Medical Association", True),
        ("Rheumatology", "Clinical Rheumatology", False),  # a substring is not the journal
    ],
)
def test_journal_verdict_is_the_same_for_suggestions_and_the_audit(
    entry_journal, work_journal, agree
):
    assert journals_agree(entry_journal, work_journal) is agree
    ref, work = _entry(journal=entry_journal), _work(container_title=work_journal)
    match = validate(_facts(ref), work)
    assert ("journal" in match.agreed) is agree
    assert ("journal" in match.disagreed) is (not agree)
    assert ("journal" in metadata_disagreements(ref, work)) is (not agree)


@pytest.mark.parametrize(
    ("entry_year", "verdict"),
    [(2013, True), (2014, None), (2012, False), (2016, False)],  # the work: 2013 online first
)
def test_year_tolerance_is_decided_once(entry_year, verdict):
    assert years_agree(entry_year, 2013) is verdict
    ref, work = _entry(year=entry_year), _work()
    match = validate(_facts(ref), work)
    assert ("year" in match.agreed) is (verdict is True)
    assert ("year" in match.disagreed) is (verdict is False)
    assert ("year" in metadata_disagreements(ref, work)) is (verdict is False)


def test_pages_first_page_article_number_and_last_page():
    work = _work()
    assert compare(_entry(), work)["locator"] is True
    assert compare(_entry(), work)["last_page"] is True  # "529-38" ends at 538
    wrong_end = _entry(pages="529-40")
    assert compare(wrong_end, work)["last_page"] is False
    assert "pages" in metadata_disagreements(wrong_end, work)
    assert not validate(_facts(wrong_end), work).vetoed  # a typo in the last page is no veto
    other = _entry(pages="530-38")
    assert "pages" in metadata_disagreements(other, work)
    assert validate(_facts(other), work).vetoed
    numbered = _work(page=None, article_number="e0212460")
    assert compare(_entry(pages=None, article_number="0212460"), numbered)["locator"] is True


def test_an_agreeing_entry_has_no_disagreement_and_a_confident_match():
    ref, work = _entry(), _work()
    assert metadata_disagreements(ref, work) == {}
    match = validate(_facts(ref), work)
    assert match.accepted and match.disagreed == []
