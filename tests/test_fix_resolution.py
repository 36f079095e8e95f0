"""Fixes resolved to their end (kb.audit.resolve) and the terminal report that prints them.

Findings are built as the rules build them; ``resolve_fixes`` must leave no fix that sends an
editor to an entry that itself says "cite another entry", no DOI on a finding about another
entry, and a marker without an entry explained by its shift."""

from __future__ import annotations

import json
import re

from kb.audit.render import render_markdown, render_text
from kb.audit.resolve import canonical_entries, resolve_fixes
from kb.models import Finding

AMA5 = "AMA: Younger J. The use of LDN. Clin Rheumatol. 2014;33:451.\nVancouver: Younger J."
AMA3 = "AMA: Raknes G. Low dose naltrexone. PLoS ONE. 2019;14:e0212460.\nVancouver: Raknes G."


def finding(code: str, ref: str | None = None, **kw) -> Finding:
    severity = kw.pop("severity", "warning")
    return Finding(
        article_id=1,
        code=code,
        severity=severity,
        reference_id=int(ref) if ref else None,
        reference_key=ref,
        message=kw.pop("message", f"{code} on {ref}"),
        evidence=json.dumps(kw.pop("evidence", {})),
        **kw,
    )


def test_chains_are_followed_to_the_entry_to_keep():
    dup_19 = finding("duplicate_reference", "19", fix_reference="5", fix_text=AMA5)
    dup_5 = finding("duplicate_reference", "5", fix_reference="2")  # 5 itself repeats 2
    assert canonical_entries([dup_19, dup_5]) == {"19": "2", "5": "2"}
    shift = finding(
        "numbering_shift", "20", marker_key="20", marker_id=7, fix_reference="19",
        fix_doi="10.1/for-19", fix_text=AMA5,
    )  # fmt: skip
    resolve_fixes([shift, dup_19, dup_5])
    assert shift.fix_reference == "2" and dup_19.fix_reference == "2"
    assert json.loads(shift.evidence)["meant_entry"] == "19"
    assert "Entry 19 repeats entry 2: cite entry 2." in shift.message


def test_a_cycle_of_duplicates_stops_where_it_closes():
    a = finding("duplicate_reference", "1", fix_reference="2")
    b = finding("duplicate_reference", "2", fix_reference="1")
    keep = canonical_entries([a, b])
    assert set(keep) == {"1", "2"} and set(keep.values()) <= {"1", "2"}


def test_a_doi_fix_stays_on_the_entry_it_belongs_to():
    shift = finding(
        "numbering_shift", "20", marker_key="20", fix_reference="19", fix_doi="10.1/for-19"
    )
    dup = finding("duplicate_reference", "16", fix_reference="8", fix_doi="10.1/for-8")
    own = finding("doi_empty", "18", fix_doi="10.1/for-18")
    resolve_fixes([shift, dup, own])
    assert shift.fix_doi is None and dup.fix_doi is None
    assert own.fix_doi == "10.1/for-18"


def test_a_copy_of_another_entry_is_not_completed_but_pointed_at_the_one_to_keep():
    ev = {"suggestion": {"doi": "10.1371/journal.pone.0212460", "confidence": 1.0}}
    doi = finding("doi_empty", "9", fix_doi="10.1371/journal.pone.0212460", evidence=ev)
    title = finding("missing_title", "9", fix_text=AMA3)
    own3 = finding("missing_authors", "3", fix_text=AMA3)
    dup = finding("duplicate_reference", "9", fix_reference="3", fix_text=AMA3)
    mismatch = finding("description_mismatch", "9", marker_key="9")  # about the sentence
    resolve_fixes([doi, title, own3, dup, mismatch])
    for f in (doi, title):
        assert f.fix_doi is None and f.fix_reference == "3"
        assert json.loads(f.evidence)["superseded_by"] == "entry 9 repeats entry 3"
        assert "suggestion" not in json.loads(f.evidence)
    assert title.fix_text == AMA3
    assert mismatch.fix_reference is None  # a citation finding keeps its own fix
    assert own3.fix_reference is None


def test_a_dangling_marker_that_a_shift_explains_gets_the_shifts_entry():
    dangling = finding("dangling_marker", None, marker_key="25", marker_id=9, severity="error")
    shift = finding(
        "numbering_shift", None, marker_key="25", marker_id=9, fix_reference="24", fix_text=AMA5
    )
    other = finding("dangling_marker", None, marker_key="30", marker_id=10, severity="error")
    resolve_fixes([dangling, shift, other])
    assert dangling.fix_reference == "24" and dangling.fix_text == AMA5
    assert "probably means entry 24" in dangling.message
    assert other.fix_reference is None


def _report(findings: list[dict]) -> dict:
    refs = sorted({f["reference"] for f in findings if f["reference"] is not None})
    return {
        "articles": [
            {
                "article": "a.txt",
                "title": "A",
                "completeness": 0.5,
                "counts": {},
                "references": [
                    {
                        "number": n,
                        "raw": f"entry {n}",
                        "doi": None,
                        "doi_status": "absent",
                        "work_doi": None,
                        "duplicate_of": None,
                    }
                    for n in refs
                ],  # fmt: skip
                "findings": findings,
            }
        ]
    }


def _f(code, ref, text=None, use=None, doi=None, severity="warning", marker=None):
    return {
        "code": code,
        "severity": severity,
        "reference": ref,
        "marker": marker,
        "message": f"{code} on entry {ref}",
        "evidence": {},
        "fix": {"doi": doi, "reference": use, "text": text},
    }


def test_text_report_prints_each_complete_reference_once_per_entry_by_number():
    findings = [
        _f("numbering_shift", 20, AMA5, use=5, severity="error", marker=20),
        _f("missing_authors", 2, AMA3),
        _f("missing_authors", 3, AMA5),  # same text as entry 5's, but entry 3's own fix
        _f("missing_title", 3, AMA5),
        _f("missing_title", 5, AMA5),
    ]
    text = render_text(_report(findings), width=200)
    assert "as above" not in text
    # every complete reference is printed once per entry it belongs to
    assert text.count("AMA: Younger") == 2  # entry 5 (via the shift) and entry 3
    assert text.count("AMA: Raknes") == 1
    assert "complete reference of entry 5:" in text
    assert "complete reference of entry 3: printed above at entry 3" in text
    assert "complete reference of entry 5: printed above at entry 5" in text
    # a reference to an earlier print always names an entry whose text was printed
    printed = set(re.findall(r"complete reference of entry (\d+):\n", text))
    for n in re.findall(r"printed above at entry (\d+)", text):
        assert n in printed


def test_markdown_report_prints_each_complete_reference_once_per_entry():
    findings = [_f(c, 4, AMA3) for c in ("missing_authors", "missing_title", "missing_journal")]
    md = render_markdown(_report(findings))
    assert md.count("AMA: Raknes") == 1
    assert md.count("printed above at entry 4") == 2
