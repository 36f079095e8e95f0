"""Study descriptions: what a sentence says about the study it cites."""

from __future__ import annotations

import re

import pytest

from ingest.descriptions import describe_study, find_design, find_outcomes
from tests.conftest import SAMPLE_ARTICLE


@pytest.mark.parametrize(
    "sentence, field, expected",
    [
        ("A 2010 study published in the Journal of Neuroimmunology found a benefit.", "year", 2010),
        ("A cohort trial conducted in 2022 found that X improved symptoms.", "year", 2022),
        ("In 2019, a small trial of 20 adults tested X.", "year", 2019),
        ("A study published in the Journal of Neuroimmunology found a benefit.", "journal",
         "Journal of Neuroimmunology"),
        ("A trial published in The Lancet Neurology showed no effect.", "journal",
         "The Lancet Neurology"),
        ("A 2011 study published in the American Journal of Gastroenterology found X.", "journal",
         "American Journal of Gastroenterology"),
        ("The study included 52 patients with long-haul syndrome.", "sample_size", 52),
        ("A pilot study (n = 40) found less pain.", "sample_size", 40),
        ("The trial enrolled twelve women with fibromyalgia.", "sample_size", 12),
        ("The study included 52 patients treated for four to eight weeks.", "duration",
         "four to eight weeks"),
        ("In a 12-week trial of 30 adults, pain fell.", "duration", "12 weeks"),
        ("A trial of 30 adults ran for 6 months.", "duration", "6 months"),
        ("A randomised, double-blind, placebo-controlled trial of X found no effect.", "design",
         "randomised controlled trial"),
        ("A randomized controlled trial found X helped.", "design", "randomised controlled trial"),
        ("A systematic review and meta-analysis found X helped.", "design", "meta-analysis"),
        ("A systematic review found X helped.", "design", "systematic review"),
        ("A retrospective cohort study of 400 patients found X.", "design", "cohort"),
        ("A case report described a woman whose pain resolved.", "design", "case report"),
        ("A case series of five patients described benefit.", "design", "case series"),
        ("A cross-sectional study of 200 adults found X.", "design", "cross-sectional"),
        ("A case-control study found an association.", "design", "case-control"),
        ("An open-label trial of 12 patients found X.", "design", "open-label trial"),
        ("A pilot study found less pain.", "design", "pilot"),
        ("The study protocol for a trial of X was published.", "design", "protocol"),
        ("A recent review concluded that X may help.", "design", "review"),
    ],
)  # fmt: skip
def test_fields(sentence, field, expected):
    desc = describe_study(sentence)
    assert desc is not None
    assert getattr(desc, field) == expected


@pytest.mark.parametrize(
    "sentence, outcomes",
    [
        ("A 2015 study found that X reduced pain and improved quality of life.",
         ["pain", "quality of life"]),
        ("A 2009 study found that X improved pain, fatigue, and overall quality of life in "
         "fibromyalgia patients [18].", ["pain", "fatigue", "quality of life"]),
        ("A 2010 study found X reduced the number of relapses and improved disability scores.",
         ["number of relapses", "disability scores"]),
        ("A 2012 study found no difference.", []),
    ],
)  # fmt: skip
def test_outcomes(sentence, outcomes):
    desc = describe_study(sentence)
    assert desc is not None and desc.outcomes == outcomes


@pytest.mark.parametrize(
    "sentence",
    [
        "Larger RCTs are necessary to provide stronger evidence.",
        "One challenge is the lack of large-scale, randomized controlled trials (RCTs).",
        "Anecdotal reports and small studies suggest potential benefits [11][12].",
        "LDN is taken once daily in low doses of 1.5 to 4.5 mg.",
        "Your doctor will review your medical history.",
        "In 2020, the agency changed its guidance.",
        "",
    ],
)
def test_sentences_that_describe_no_study(sentence):
    assert describe_study(sentence) is None


def test_design_specificity_order():
    assert find_design("a systematic review and meta-analysis of randomised trials") == (
        "meta-analysis"
    )
    assert find_design("protocol for a randomised controlled trial") == "protocol"
    assert find_outcomes("X lowered blood pressure, but not weight.") == ["blood pressure"]


def test_a_study_mentioned_without_any_detail_is_not_a_description():
    assert describe_study("A study found that X reduced pain.") is None


def test_sample_article_study_sentences():
    """Every "A YEAR study published in ..." sentence of the sample gives year and journal
    as written there."""
    text = SAMPLE_ARTICLE.read_text()
    pattern = re.compile(r"A (\d{4}) study published in (?:the )?([A-Z][\w ]+?) found[^.]*\.")
    seen = 0
    for m in pattern.finditer(text):
        desc = describe_study(m.group(0))
        assert desc is not None
        assert desc.year == int(m.group(1))
        assert desc.journal == m.group(2)
        assert desc.outcomes
        seen += 1
    assert seen >= 5
