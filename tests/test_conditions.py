"""Conditions vocabulary and matching: forms, abbreviations, specificity, exclusions."""

from __future__ import annotations

import csv
import re

import pytest
from bs4 import BeautifulSoup

from ingest.conditions import (
    VOCABULARY_PATH,
    ConditionEntry,
    ConditionMatcher,
    abbreviation_definitions,
    default_matcher,
    find_conditions,
    load_vocabulary,
)
from tests.conftest import DATA, SAMPLE_ARTICLE, SHARED_ARTICLES


def names(text: str, **kw) -> list[str]:
    return [m.name for m in find_conditions(text, **kw)]


# --- the vocabulary file -------------------------------------------------------


def test_vocabulary_is_large_unique_and_well_formed():
    entries = load_vocabulary()
    assert len(entries) >= 150
    assert len({e.name for e in entries}) == len(entries)
    assert len({e.mesh_id for e in entries}) == len(entries)
    known = {e.name for e in entries}
    for e in entries:
        assert re.fullmatch(r"D\d{6}(?:\d{3})?", e.mesh_id or ""), e
        assert e.category and e.mesh_heading
        assert set(e.parents) <= known, e
        assert e.standalone_abbreviations <= set(e.abbreviations), e


def test_every_row_names_a_documented_source():
    sources = (DATA / "conditions.SOURCES.md").read_text()
    with open(VOCABULARY_PATH, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        assert f"`{row['source']}`" in sources, row["name"]


SAMPLE_CONDITIONS = [
    "multiple sclerosis", "rheumatoid arthritis", "Crohn's disease", "Hashimoto's thyroiditis",
    "fibromyalgia", "neuropathic pain", "complex regional pain syndrome", "chronic pain",
    "depression", "anxiety", "post-traumatic stress disorder", "lupus", "psoriasis",
    "autism spectrum disorder", "long COVID", "opioid use disorder", "inflammatory bowel disease",
    "autoimmune diseases", "ME/CFS",
]  # fmt: skip


@pytest.mark.parametrize("phrase", SAMPLE_CONDITIONS)
def test_conditions_of_the_sample_article_are_in_the_vocabulary(phrase):
    found = find_conditions(f"Patients with {phrase} were treated.")
    assert len(found) == 1 and found[0].mesh_id


def test_sample_article_conditions_are_all_found():
    text = SAMPLE_ARTICLE.read_text()
    found = {m.name for m in find_conditions(text, defined_abbreviations=None)}
    for expected in ["Multiple sclerosis", "Crohn's disease", "Long COVID", "Fibromyalgia",
                     "Complex regional pain syndrome", "Post-traumatic stress disorder",
                     "Autism spectrum disorder", "Opioid use disorder", "Psoriasis"]:  # fmt: skip
        assert expected in found


# --- forms of names ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Crohn's disease", "Crohn’s disease", "Crohn disease", "Crohns disease", "CROHN'S DISEASE"],
)
def test_possessive_and_case_forms(text):
    assert names(f"Benefit in {text} was modest.") == ["Crohn's disease"]


@pytest.mark.parametrize("text", ["long COVID", "long-COVID", "Long Covid", "long‐covid"])
def test_hyphenation_is_free(text):
    assert names(f"Symptoms of {text} persisted.") == ["Long COVID"]


def test_plurals_and_word_boundaries():
    assert names("Several autoimmune diseases respond.") == ["Autoimmune diseases"]
    assert names("Two cancers were excluded.") == ["Cancer"]
    assert names("Diabetic neuropathies are common.") == ["Diabetic neuropathy"]
    assert names("The flute and the painter.") == []  # no "flu", no "pain" inside words


def test_offsets_point_at_the_matched_text():
    text = SAMPLE_ARTICLE.read_text()
    for m in find_conditions(text, defined_abbreviations=abbreviation_definitions(text)):
        assert text[m.start : m.end] == m.text


# --- abbreviations -------------------------------------------------------------


def test_abbreviation_needs_a_definition():
    assert names("In MS, relapses fell.") == []
    assert names("Multiple sclerosis (MS) is common. In MS, relapses fell.") == [
        "Multiple sclerosis", "Multiple sclerosis", "Multiple sclerosis",
    ]  # fmt: skip
    assert names("In MS, relapses fell.", defined_abbreviations={"MS"}) == ["Multiple sclerosis"]
    assert names("In MS, relapses fell.", defined_abbreviations={"MS": "Multiple sclerosis"}) == [
        "Multiple sclerosis"
    ]


def test_definition_in_either_order_and_article_specific_abbreviations():
    assert abbreviation_definitions("MS (multiple sclerosis) and RA (rheumatoid arthritis)") == {
        "MS": "Multiple sclerosis",
        "RA": "Rheumatoid arthritis",
    }
    # An abbreviation the vocabulary does not list, defined by the article.
    defs = abbreviation_definitions("People with long COVID (LC) reported fatigue.")
    assert defs == {"LC": "Long COVID"}
    assert names("LC was common.", defined_abbreviations=defs) == ["Long COVID"]


def test_abbreviation_contexts_that_are_not_the_condition():
    defined = {"MS": "Multiple sclerosis", "SARS": "Severe acute respiratory syndrome"}
    assert names("Open the file in MS Word.", defined_abbreviations=defined) == []
    assert names("Latency was 250 ms.", defined_abbreviations=defined) == []
    assert names("Latency was 250 MS.", defined_abbreviations=defined) == []
    assert names("SARS-CoV-2 spreads.", defined_abbreviations=defined) == []
    assert names("MS-based assays and ms timing.", defined_abbreviations=defined) == []


def test_unambiguous_abbreviations_stand_alone_ambiguous_ones_do_not():
    assert names("Veterans with PTSD slept better.") == ["Post-traumatic stress disorder"]
    assert names("Children with ADHD were included.") == [
        "Attention deficit hyperactivity disorder"
    ]
    assert names("Children with ASD were included.") == []  # autism or atrial septal defect
    assert names("aids to daily living") == []  # the verb, not AIDS


# --- specificity and exclusions -------------------------------------------------


def test_most_specific_condition_wins_an_overlap():
    assert names("complex regional pain syndrome") == ["Complex regional pain syndrome"]
    assert names("complex regional pain syndrome type 1") == ["Reflex sympathetic dystrophy"]
    assert names("non-small cell lung cancer") == ["Non-small-cell lung cancer"]
    assert names("chronic pain and pain") == ["Chronic pain", "Pain"]


def test_exclusions_and_journal_names():
    assert names("Opioids cause respiratory depression.") == []
    assert names("Tumor necrosis factor rose.") == []
    assert names("published in the Journal of Pain Medicine found benefit") == []
    assert names("flu-like symptoms") == []
    assert names("A study in the Annals of Neurology in lupus patients") == [
        "Systemic lupus erythematosus"
    ]


def test_matcher_relations_follow_parents():
    m = ConditionMatcher(
        [
            ConditionEntry("A", "D000001", "A", "x"),
            ConditionEntry("B", "D000002", "B", "x", parents=("A",)),
            ConditionEntry("C", "D000003", "C", "x", parents=("B",)),
        ]
    )
    assert m.ancestors("C") == {"A", "B"}
    assert m.related("A", "C") and m.related("C", "A") and not m.related("B", "Z")
    assert default_matcher().related("Crohn's disease", "Inflammatory bowel disease")


# --- real articles -----------------------------------------------------------------


def _article_text(path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        soup = BeautifulSoup(raw, "lxml")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return soup.get_text(" ")
    return raw


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("01-abo-blood-type-covid19.html", "COVID-19"),
        ("03-data-ethics-cancer-research.html", "Cancer"),
    ],
)
def test_real_articles(filename, expected):
    text = _article_text(SHARED_ARTICLES / filename)
    found = find_conditions(text, defined_abbreviations=abbreviation_definitions(text))
    assert expected in {m.name for m in found}
    for m in found:
        assert text[m.start : m.end] == m.text
        if m.via == "abbreviation":
            assert m.text.isupper() or "/" in m.text
