"""No rule fires on a clean, complete, verified reference list cited correctly."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kb.audit import run_audit
from kb.models import Article, Finding
from tests.audit_helpers import Builder, verified_entry


def build_clean_article(b: Builder) -> None:
    e1 = verified_entry(
        b,
        1,
        "10.5555/clean.1",
        title="Low-dose naltrexone in multiple sclerosis: a randomised controlled trial",
        journal="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        pages="145-150",
    )
    e2 = verified_entry(
        b,
        2,
        "10.5555/clean.2",
        title="Naltrexone for fibromyalgia: a cohort study of 80 patients",
        journal="Pain Medicine",
        year=2013,
        volume="14",
        issue="3",
        pages="12-19",
    )
    e3 = verified_entry(
        b,
        3,
        "10.5555/clean.3",
        title="Opioid antagonists in chronic pain: a systematic review",
        journal="Journal of Pain Research",
        year=2020,
        volume="13",
        issue="1",
        pages="1001-1010",
    )
    c1 = b.claim(
        "A 2010 randomised trial published in Ann Neurol found that LDN improved "
        "quality of life in MS [1].",
        ["1"],
        desc_year=2010,
        desc_journal="Ann Neurol",
        desc_design="randomised controlled trial",
        is_study_description=True,
    )
    c2 = b.claim(
        "A 2013 cohort study of 80 patients in Pain Medicine found less pain in fibromyalgia [2].",
        ["2"],
        desc_year=2013,
        desc_journal="Pain Medicine",
        desc_design="cohort",
        desc_sample_size=80,
        is_study_description=True,
    )
    c3 = b.claim(
        "A systematic review summarised the evidence on chronic pain [3].",
        ["3"],
        desc_design="systematic review",
        desc_journal="J Pain Res",
    )
    b.claim("LDN has been studied in several conditions [1][2][3].", ["1", "2", "3"])
    b.tag_claim(c1, "multiple sclerosis", "autoimmune")
    b.tag_ref(e1, "multiple sclerosis", "autoimmune")
    b.tag_claim(c2, "fibromyalgia", "pain")
    b.tag_ref(e2, "fibromyalgia", "pain")
    b.tag_claim(c3, "chronic pain", "pain")
    b.tag_ref(e3, "chronic pain", "pain")


def test_no_rule_fires_on_a_clean_reference_list(engine):
    with Session(engine) as s:
        b = Builder(s)
        build_clean_article(b)
        findings = run_audit(s, b.article.id)
        s.commit()
        assert [(f.code, f.message) for f in findings] == []
        assert s.exec(select(Finding)).all() == []
        assert s.get(Article, b.article.id).completeness == pytest.approx(1.0)
