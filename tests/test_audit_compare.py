"""The tolerant comparisons the rules rely on."""

from __future__ import annotations

import pytest

from ingest.crossref.agreement import journals_agree, page_range, pages_agree
from kb.audit.compare import asserts_effect, design_tags, designs_agree


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ann Neurol", "Annals of Neurology"),
        ("Int J Mol Sci", "International Journal of Molecular Sciences"),
        ("Curr Pain Headache Rep", "Current Pain and Headache Reports"),
        ("Brain Behav Immun Health", "Brain, Behavior, & Immunity - Health"),
        ("JAMA", "Journal of the American Medical Association"),
        ("PLoS ONE", "PLOS One"),
        ("J Clin Rheumatol", "Journal of Clinical Rheumatology"),
        ("The Lancet", "Lancet"),
        ("Nervenarzt", "Der Nervenarzt"),
    ],
)
def test_journal_names_that_agree(a, b):
    assert journals_agree(a, b)
    assert journals_agree(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Journal of Neuroimmunology", "Annals of Neurology"),
        ("American Journal of Gastroenterology", "Cochrane Database of Systematic Reviews"),
        ("J Pain", "Journal of Pain Medicine Research"),
        ("Clinical Rheumatology", "Journal of Rheumatology"),
        # issue 12: a leading "Journal of" names another journal, never a variant spelling
        ("Journal of Clinical Rheumatology", "Clinical Rheumatology"),
        ("J Clin Rheumatol", "Clinical Rheumatology"),
        ("the Journal of Pain Medicine", "Pain Medicine"),
        ("", "Annals of Neurology"),
    ],
)
def test_journal_names_that_differ(a, b):
    assert not journals_agree(a, b)


def test_page_ranges_expand_abbreviated_last_pages():
    assert page_range("145-50") == ("145", "150")
    assert page_range("1087") == ("1087", None)
    assert pages_agree("145\u201350", "145-150")
    assert pages_agree("e0212460", "e0212460")
    assert not pages_agree("145-50", "145-160")
    assert not pages_agree("333-7", "334-337")


def test_design_families():
    assert design_tags("Protocol for a randomised placebo-controlled trial") == {"protocol"}
    assert "observational" in design_tags("non-randomised or observational study")
    assert "rct" not in design_tags("a non-randomised study")
    assert designs_agree(design_tags("randomised controlled trial"), design_tags("Pilot trial"))
    assert not designs_agree(design_tags("cohort"), design_tags("Pilot trial of LDN"))
    assert designs_agree(design_tags("review"), design_tags("A systematic review"))
    assert design_tags("LDN in Crohn's disease") == set()


def test_effect_language():
    assert asserts_effect("LDN improved pain and fatigue [18].")
    assert asserts_effect("A study found that LDN reduced relapses [16].")
    assert not asserts_effect("A protocol for an LDN trial in Crohn's disease was published [4].")
