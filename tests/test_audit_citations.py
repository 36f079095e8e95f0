"""Citation rules: dangling markers, uncited entries, misdescribed studies and conditions."""

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


def findings(b: Builder, code: str):
    return [f for f in audit_findings(load_context(b.s, b.article.id)) if f.code == code]


def entry(b, n, doi, **kw):
    fields = dict(
        title="Pilot trial of naltrexone in multiple sclerosis",
        journal="Annals of Neurology",
        year=2010,
        volume="68",
        issue="2",
        pages="145-150",
    )
    fields.update(kw)
    return verified_entry(b, n, doi, **fields)


def test_dangling_marker_and_uncited_reference(b):
    entry(b, 1, "10.5555/c.1")
    entry(b, 2, "10.5555/c.2")
    b.claim("Cited properly [1].", ["1"])
    b.claim("Beyond the list [7].", ["7"])
    dangling = findings(b, "dangling_marker")
    assert [(f.marker_key, f.reference_id, f.severity) for f in dangling] == [("7", None, "error")]
    assert [f.reference_key for f in findings(b, "uncited_reference")] == ["2"]


def test_markers_without_any_list_give_one_reference_list_not_found(b):
    b.claim("Cited [1].", ["1"])
    b.claim("Cited again [2][3].", ["2", "3"])
    (only,) = findings(b, "reference_list_not_found")
    assert only.severity == "error" and json.loads(only.evidence)["citations"] == 3
    assert findings(b, "dangling_marker") == []


def test_a_list_present_keeps_dangling_markers_one_by_one(b):
    entry(b, 1, "10.5555/c.1")
    b.claim("Cited [1] and [2] and [3].", ["1", "2", "3"])
    assert findings(b, "reference_list_not_found") == []
    assert sorted(f.marker_key for f in findings(b, "dangling_marker")) == ["2", "3"]


def test_description_mismatch_names_fields_and_values(b):
    entry(b, 1, "10.5555/d.1")
    b.claim(
        "A 2012 cohort study published in the Journal of Neuroimmunology found fewer relapses [1].",
        ["1"],
        desc_year=2012,
        desc_journal="Journal of Neuroimmunology",
        desc_design="cohort",
    )
    got = findings(b, "description_mismatch")
    assert len(got) == 1
    ev = json.loads(got[0].evidence)
    assert ev["fields"]["year"] == {"sentence": 2012, "source": 2010}
    assert ev["fields"]["journal"] == {
        "sentence": "Journal of Neuroimmunology",
        "source": "Annals of Neurology",
    }
    assert ev["fields"]["design"]["sentence"] == "cohort"
    assert ev["source"] == "work"
    assert got[0].marker_key == "1" and got[0].claim_id is not None


def test_description_agreeing_with_abbreviation_and_prefix_is_fine(b):
    entry(
        b,
        1,
        "10.5555/d.2",
        journal="Journal of Clinical Rheumatology",
        year=2014,
        title="LDN for chronic pain: a randomised trial",
    )
    b.claim(
        "A 2014 randomised trial in J Clin Rheumatol found less pain [1].",
        ["1"],
        desc_year=2014,
        desc_journal="J Clin Rheumatol",
        desc_design="randomised controlled trial",
    )
    assert findings(b, "description_mismatch") == []


def test_a_journal_of_prefix_names_another_journal(b):
    # issue 12: "Journal of Clinical Rheumatology" is not "Clinical Rheumatology"
    entry(b, 1, "10.5555/d.2", journal="Clinical Rheumatology", year=2014)
    b.claim(
        "A 2014 study in the Journal of Clinical Rheumatology found less pain [1].",
        ["1"],
        desc_year=2014,
        desc_journal="Journal of Clinical Rheumatology",
    )
    got = findings(b, "description_mismatch")
    assert json.loads(got[0].evidence)["fields"] == {
        "journal": {
            "sentence": "Journal of Clinical Rheumatology",
            "source": "Clinical Rheumatology",
        }
    }


def test_description_sample_size(b):
    entry(b, 1, "10.5555/d.3", title="Naltrexone in 52 patients with long covid")
    b.claim("The study included 60 patients [1].", ["1"], desc_sample_size=60)
    got = findings(b, "description_mismatch")
    assert json.loads(got[0].evidence)["fields"] == {"sample_size": {"sentence": 60, "source": 52}}


def test_description_compared_with_the_entry_when_no_work(b):
    b.ref(1, "Smith J. Title. J Clin Rheumatol. 2014;3:1.", year=2014, journal="J Clin Rheumatol")
    b.claim(
        "A 2009 study in the Journal of Clinical Rheumatology [1].",
        ["1"],
        desc_year=2009,
        desc_journal="Journal of Clinical Rheumatology",
    )
    got = findings(b, "description_mismatch")
    ev = json.loads(got[0].evidence)
    assert ev["source"] == "entry" and list(ev["fields"]) == ["year"]


def test_description_of_a_sentence_citing_several_entries_is_not_compared(b):
    entry(b, 1, "10.5555/d.4")
    entry(b, 2, "10.5555/d.5", year=2011)
    b.claim("A 2011 study found benefits [1][2].", ["1", "2"], desc_year=2011)
    assert findings(b, "description_mismatch") == []


def test_condition_mismatch(b):
    e1 = b.ref(1, "https://lupuscorner.com/ldn-lupus/", url="https://lupuscorner.com/ldn-lupus/")
    b.tag_ref(e1, "systemic lupus erythematosus", "autoimmune")
    c = b.claim("LDN reduced thyroid antibodies in Hashimoto's thyroiditis [1].", ["1"])
    b.tag_claim(c, "Hashimoto's thyroiditis", "autoimmune")
    got = findings(b, "condition_mismatch")
    assert len(got) == 1
    ev = json.loads(got[0].evidence)
    assert ev["claim_conditions"] == ["Hashimoto's thyroiditis"]
    assert ev["source_conditions"] == ["systemic lupus erythematosus"]


def test_condition_agreement_same_or_umbrella(b):
    e1 = entry(b, 1, "10.5555/cm.1")
    b.tag_ref(e1, "rheumatoid arthritis", "autoimmune")
    c1 = b.claim("LDN may help autoimmune diseases [1].", ["1"])
    b.tag_claim(c1, "autoimmune disease", "autoimmune")
    e2 = entry(b, 2, "10.5555/cm.2")
    b.tag_ref(e2, "multiple sclerosis", "autoimmune")
    c2 = b.claim("In MS, LDN improved quality of life [2].", ["2"])
    b.tag_claim(c2, "multiple sclerosis", "autoimmune")
    # inherited from the heading only counts when the sentence names none itself
    b.tag_claim(c2, "fibromyalgia", "pain", inherited=True)
    assert findings(b, "condition_mismatch") == []


def test_inherited_condition_is_used_when_the_sentence_names_none(b):
    e1 = entry(b, 1, "10.5555/cm.3")
    b.tag_ref(e1, "psoriasis", "autoimmune")
    c = b.claim("Research found that LDN improved symptoms [1].", ["1"])
    b.tag_claim(c, "Hashimoto's thyroiditis", "autoimmune", inherited=True)
    assert len(findings(b, "condition_mismatch")) == 1


def test_conditions_related_through_the_vocabulary_hierarchy(b):
    b.condition("Autoimmune diseases", "autoimmune")
    b.condition("Arthritis", "musculoskeletal")
    b.condition("Inflammatory bowel disease", "gastrointestinal", ["Autoimmune diseases"])
    b.condition("Crohn's disease", "gastrointestinal", ["Inflammatory bowel disease"])
    b.condition("Rheumatoid arthritis", "autoimmune", ["Autoimmune diseases", "Arthritis"])
    b.condition("Psoriasis", "dermatological")
    e1 = entry(b, 1, "10.5555/h.1")
    b.tag_ref(e1, "Crohn's disease")  # grandchild of the claim's umbrella
    e2 = entry(b, 2, "10.5555/h.2")
    b.tag_ref(e2, "Arthritis")  # shares rheumatoid arthritis with autoimmune diseases
    e3 = entry(b, 3, "10.5555/h.3")
    b.tag_ref(e3, "Psoriasis")
    for n in ("1", "2", "3"):
        c = b.claim(f"LDN may help in autoimmune diseases [{n}].", [n])
        b.tag_claim(c, "Autoimmune diseases")
    got = findings(b, "condition_mismatch")
    assert [f.reference_key for f in got] == ["3"]
