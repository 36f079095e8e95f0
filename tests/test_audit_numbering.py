"""numbering_shift on a whole article whose reference list sits one position later than the
markers, and the cases where it must stay silent."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from kb.audit import audit_findings, run_audit
from kb.audit.context import load_context
from tests.audit_helpers import Builder, verified_entry

# (title, journal, year, condition, design words) of the studies the article describes
STUDIES = [
    (
        "Naltrexone and relapses in multiple sclerosis: a pilot trial",
        "Journal of Neuroimmunology",
        2010,
        "multiple sclerosis",
        "pilot trial",
    ),
    (
        "LDN in Crohn's disease: a randomised trial",
        "American Journal of Gastroenterology",
        2011,
        "Crohn's disease",
        "randomised controlled trial",
    ),
    ("LDN for fibromyalgia pain: a cohort study", "Pain Medicine", 2009, "fibromyalgia", "cohort"),
    (
        "Naltrexone in rheumatoid arthritis: a randomised trial",
        "Journal of Rheumatology",
        2014,
        "rheumatoid arthritis",
        "randomised controlled trial",
    ),
    (
        "Low dose naltrexone in lupus: a case series",
        "Lupus",
        2016,
        "systemic lupus erythematosus",
        "case series",
    ),
    (
        "LDN and psoriasis: a case report",
        "Journal of Dermatological Treatment",
        2013,
        "psoriasis",
        "case report",
    ),
]


def build(b: Builder, shift: int) -> None:
    """Entries 1..N+1; the sentence about study i cites [i+1-shift], the study sits at i+1.

    shift=1: entry 1 is an unrelated opener and every marker is one lower than its entry."""
    opener = verified_entry(
        b,
        1,
        "10.5555/ns.0",
        title="Opioid receptors in immune cells",
        journal="Frontiers in Immunology",
        year=2021,
        volume="12",
        issue="1",
        pages="1-9",
    )
    b.tag_ref(opener, "inflammation", "immune")
    for i, (title, journal, year, cond, _design) in enumerate(STUDIES, start=2):
        ref = verified_entry(
            b,
            i,
            f"10.5555/ns.{i}",
            title=title,
            journal=journal,
            year=year,
            volume=str(i),
            issue="1",
            pages=f"{i}0-{i}9",
        )
        b.tag_ref(ref, cond)
    b.claim("LDN modulates immune cells [1].", ["1"])
    for i, (_title, journal, year, cond, design) in enumerate(STUDIES, start=2):
        marker = str(i - shift)
        c = b.claim(
            f"A {year} {design} published in {journal} found that LDN improved {cond} [{marker}].",
            [marker],
            desc_year=year,
            desc_journal=journal,
            desc_design=design,
            is_study_description=True,
        )
        b.tag_claim(c, cond)


@pytest.fixture
def b(engine):
    with Session(engine) as s:
        yield Builder(s)


def shifts(b):
    return [
        f for f in audit_findings(load_context(b.s, b.article.id)) if f.code == "numbering_shift"
    ]


def test_shifted_article_gets_one_finding_per_marker_with_the_entry_meant(b):
    build(b, shift=1)
    got = shifts(b)
    # markers 1..6 each mean the entry one later; marker 1 is also cited correctly once
    assert sorted((f.marker_key, f.fix_reference) for f in got) == [
        (str(i), str(i + 1)) for i in range(1, len(STUDIES) + 1)
    ]
    for f in got:
        ev = json.loads(f.evidence)
        assert ev["offset"] == 1
        assert ev["score_at_offset"] > ev["score_at_0"]
        assert set(ev["at_offset"]["agreed"]) >= {"year", "journal", "condition"}
        assert f.severity == "error"
        assert f.fix_text and "AMA: " in f.fix_text  # the meant entry's complete reference


def test_shift_into_a_dangling_marker_is_still_explained(b):
    build(b, shift=-1)  # markers one higher than their entries: the last one points past the list
    got = shifts(b)
    assert sorted(int(f.marker_key) for f in got) == list(range(3, len(STUDIES) + 3))
    assert {json.loads(f.evidence)["offset"] for f in got} == {-1}
    last = [f for f in got if f.marker_key == str(len(STUDIES) + 2)][0]
    assert last.reference_id is None and last.fix_reference == str(len(STUDIES) + 1)


def test_correctly_numbered_article_has_no_shift(b):
    build(b, shift=0)
    assert shifts(b) == []
    assert run_audit(b.s, b.article.id) == []  # and nothing else fires either


def test_two_misdescriptions_are_not_a_shift(b):
    build(b, shift=0)
    # two extra sentences that fit their neighbours better: below the run length
    for marker, (_t, journal, year, cond, design) in ((2, STUDIES[1]), (3, STUDIES[2])):
        c = b.claim(
            f"A {year} {design} in {journal} [{marker}].",
            [str(marker)],
            desc_year=year,
            desc_journal=journal,
            desc_design=design,
        )
        b.tag_claim(c, cond)
    assert shifts(b) == []
