"""Evidence types from real titles, journals, Crossref types and URLs."""

from __future__ import annotations

import json

import pytest

from ingest.evidence import UNKNOWN, classify_evidence, evidence_types, load_rules
from tests.conftest import CROSSREF_WORLD

EXPECTED_TYPES = {
    "systematic review or meta-analysis", "randomised controlled trial",
    "non-randomised or observational study", "case report or series", "narrative review",
    "trial protocol", "hypothesis or opinion", "in vitro or animal study", "conference abstract",
    "web page or press release", "unknown",
}  # fmt: skip


def test_rules_file_is_valid():
    rules, types = load_rules()
    assert set(types) == EXPECTED_TYPES == set(evidence_types())
    assert rules and all(r.type in types for r in rules)


# Every record of the Crossref test world, with the type its title/journal/type shows.
# "unknown" where the title states no design (the rules must not guess).
WORLD_EXPECTED = {
    "10.3390/ijms22168429": "in vitro or animal study",  # "... in BV-2 Microglia Cells"
    "10.3389/fimmu.2021.687806": UNKNOWN,  # "Potential Therapeutic Benefit ... Role of ..."
    "10.1371/journal.pone.0212460": "non-randomised or observational study",  # register-based
    "10.1136/bmjopen-2021-058358": "trial protocol",  # "protocol for the randomised ..."
    "10.1007/s10067-014-2517-2": UNKNOWN,  # "The use of LDN as a novel ... treatment"
    "10.1016/j.mehy.2008.06.048": "hypothesis or opinion",  # Medical Hypotheses
    "10.1002/ana.22006": "randomised controlled trial",  # "Pilot trial": trial words, not "pilot"
    "10.1007/s11916-020-00898-0": "systematic review or meta-analysis",  # "Systemic Review"
    "10.7759/cureus.22677": "case report or series",  # ": A Case Report"
    "10.1007/s00115-014-4015-9": UNKNOWN,
    "10.1002/14651858.CD010410.pub3": "systematic review or meta-analysis",  # Cochrane
    "10.1186/s13063-021-05776-7": "trial protocol",  # "protocol for a double-blind ..."
    "10.1016/j.bbih.2022.100485": "non-randomised or observational study",  # cohort, pre-post
    "10.3390/biomedicines11061620": "narrative review",  # ": A Review on ..."
}


def _world():
    return [json.loads(line) for line in CROSSREF_WORLD.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("record", _world(), ids=lambda r: r["DOI"])
def test_crossref_world_titles(record):
    etype, signal = classify_evidence(
        crossref_type=record["type"],
        title=record["title"][0],
        journal=(record.get("container-title") or [None])[0],
    )
    assert etype == WORLD_EXPECTED[record["DOI"]]
    if etype != UNKNOWN:
        # The signal names the field and quotes words that are really there.
        field, quoted = signal.split(": ", 1)
        haystack = record["title"][0] + " " + " ".join(record.get("container-title") or [])
        assert quoted.strip("'").lower() in haystack.lower()


@pytest.mark.parametrize(
    "title, expected",
    [
        # Real titles of cited works on low-dose naltrexone and beyond.
        ("Low-dose naltrexone for the treatment of fibromyalgia: findings of a small, "
         "randomized, double-blind, placebo-controlled, counterbalanced, crossover trial "
         "assessing daily pain levels", "randomised controlled trial"),
        ("Fibromyalgia symptoms are reduced by low-dose naltrexone: a pilot study",
         "non-randomised or observational study"),
        ("Why most published research findings are false", UNKNOWN),
        ("Efficacy of low-dose naltrexone in the treatment of chronic pain: a systematic review "
         "and meta-analysis", "systematic review or meta-analysis"),
        ("Low dose naltrexone in Hailey-Hailey disease: a case series",
         "case report or series"),
        ("Naltrexone reduces neuroinflammation in a mouse model of multiple sclerosis",
         "in vitro or animal study"),
        ("The rise and fall of low-dose naltrexone: a commentary", "hypothesis or opinion"),
        ("Non-randomized comparison of two dosing schedules",
         "non-randomised or observational study"),
    ],
)  # fmt: skip
def test_titles(title, expected):
    assert classify_evidence(title=title)[0] == expected


def test_protocol_beats_randomised_and_journal_rules_have_their_place():
    title = "Drug X for pain: protocol for a randomised, double-blind, placebo-controlled trial"
    assert classify_evidence(title=title, journal="BMJ Open")[0] == "trial protocol"
    # Trials publishes mostly protocols: a weak journal signal used only when the title is silent.
    assert classify_evidence(title="Drug X for pain", journal="Trials")[0] == "trial protocol"
    assert classify_evidence(title="A randomised trial of X", journal="Trials")[0] == (
        "randomised controlled trial"
    )
    t, signal = classify_evidence(title="Anything", journal="Medical Hypotheses")
    assert t == "hypothesis or opinion" and signal.startswith("journal:")


def test_crossref_type_and_sources_outside_journals():
    assert classify_evidence(crossref_type="proceedings-article", title="Trial of X")[0] == (
        "conference abstract"
    )
    sciencedaily = (
        "Society for Experimental Biology and Medicine. Low-dose naltrexone. "
        "ScienceDaily, 2 September 2011. <www.sciencedaily.com/releases/2011/09/1.htm>"
    )
    assert classify_evidence(raw=sciencedaily)[0] == "web page or press release"
    asra = "Abstract: 3634 Scientific Abstracts > Chronic Pain. https://www.asra.com/a.pdf"
    assert classify_evidence(raw=asra, url="https://www.asra.com/a.pdf")[0] == (
        "conference abstract"
    )
    blog = "https://ldnresearchtrust.org/hashimoto-thyroiditis-and-low-dose-naltrexone"
    assert classify_evidence(url=blog)[0] == "web page or press release"
    # A journal's or PubMed's URL is not a web page; nor is any URL of a known journal work.
    assert classify_evidence(url="https://pubmed.ncbi.nlm.nih.gov/10403976/")[0] == UNKNOWN
    assert classify_evidence(url=blog, journal="Pain")[0] == UNKNOWN
    assert classify_evidence() == (UNKNOWN, "no rule matched")
