"""Claims: cited sentences, uncited study descriptions, follow-ups; never the reference list."""

from __future__ import annotations

import pytest

from ingest.claims import describes_study, mark_claims
from ingest.markers import attach_markers
from ingest.types import ParsedArticle, ParsedReference, ParsedSection, ParsedSentence


def build(paragraphs: list[list[str]], refs: list[str] = (), heading: str = "References"):
    """An article whose sentences are exact slices of its text, with a reference section."""
    text, sentences, sections = "", [], [ParsedSection("Body", 2, 0, 0, 0)]
    for p, para in enumerate(paragraphs):
        for sent in para:
            start = len(text)
            text += sent + " "
            sentences.append(ParsedSentence(sent, start, start + len(sent), len(sentences), p, 0))
        text += "\n\n"
    sections[0].end = len(text)
    references = []
    if refs:
        ref_start = len(text)
        text += heading + "\n"
        for i, raw in enumerate(refs):
            start = len(text)
            text += raw + "\n"
            references.append(ParsedReference(str(i + 1), raw, i, i + 1, start, start + len(raw)))
            sentences.append(
                ParsedSentence(raw, start, start + len(raw), len(sentences), len(paragraphs), 1)
            )
        sections.append(ParsedSection(heading, 2, ref_start, len(text), 1, is_references=True))
    return ParsedArticle("test.txt", "text", text, sections=sections, sentences=sentences,
                         references=references)  # fmt: skip


REFS = [f"Author{n} A. Title {n}. J Test. 2010;{n}:1-2." for n in range(1, 6)]


@pytest.mark.parametrize(
    "text",
    [
        "A 2013 study published in the Journal of Clinical Rheumatology found that X reduced pain.",
        "A cohort trial conducted in 2022 found that X improved symptoms.",
        "Research studies found that X reduced thyroid autoantibodies.",
        "Early studies suggest that X may improve symptoms.",
        "Clinical studies have demonstrated potential benefits in pain.",
        "In a randomized controlled trial, patients on X slept better.",
        "Researchers reported fewer relapses with X.",
    ],
)
def test_study_descriptions(text):
    assert describes_study(text)


@pytest.mark.parametrize(
    "text",
    [
        "More research is needed to establish the efficacy of X.",
        "Future research should focus on large randomized controlled trials.",
        "One challenge is the lack of large-scale randomized controlled trials.",
        "Multiple clinical studies have been conducted to assess X.",
        "In this study we found evidence for an association.",
        "Our results should be considered preliminary.",
        "Patients can find support groups to encourage additional research.",
        "X is a medication used for opioid addiction.",
        "Meta-analysis associations are shown for each group in the figure.",
    ],
)
def test_not_study_descriptions(text):
    assert not describes_study(text)


def _claims(article: ParsedArticle) -> list[tuple[str, bool, list[str]]]:
    attach_markers(article, [])
    mark_claims(article)
    return [(s.text, s.uncited, [k for m in s.markers for k in m.keys]) for s in article.claims]


def test_cited_uncited_and_plain_sentences():
    a = build(
        [
            ["X is a drug.", "It modulates immune cells [1][2].", "Early studies suggest X helps."],
            ["A 2010 study published in the Journal of Pain found that X works [3]."],
            ["Take it at night.", "More research is needed."],
        ],
        REFS,
    )
    assert _claims(a) == [
        ("It modulates immune cells [1][2].", False, ["1", "2"]),
        ("Early studies suggest X helps.", True, []),
        ("A 2010 study published in the Journal of Pain found that X works [3].", False, ["3"]),
    ]
    described = a.claims[2].description
    assert described is not None and described.year == 2010


def test_reference_list_sentences_are_never_claims():
    a = build([["Plain sentence."]], ["A 2013 study found X [4]. J Test. 2013;1:1."])
    assert _claims(a) == []


def test_markers_split_into_the_next_fragment_stay_with_their_sentence():
    a = build([["X helps in autoimmune disease.", "[3][4]", "Then another sentence."]], REFS)
    got = _claims(a)
    assert got == [("X helps in autoimmune disease. [3][4]", False, ["3", "4"])]
    assert [s.position for s in a.sentences] == list(range(len(a.sentences)))
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text
        assert all(s.text[m.start : m.end] == m.raw for m in s.markers)


def test_leading_markers_move_back_and_the_rest_stays_a_sentence():
    a = build([["X helps in disease.", "[2] Then a plain sentence follows."]], REFS)
    attach_markers(a, [])
    first, second = a.sentences[0], a.sentences[1]
    assert [m.raw for m in first.markers] == ["[2]"] and first.text.endswith("[2]")
    assert second.text == "Then a plain sentence follows." and second.markers == []


def test_follow_up_sentences_share_the_citation_of_the_claim_before():
    a = build(
        [
            [
                "A cohort trial conducted in 2022 found that X improved symptoms [5].",
                "The study included 52 patients treated for eight weeks.",
                "The results showed less fatigue.",
                "Nothing else here.",
            ],
            ["The study was small."],  # another paragraph: not a follow-up
        ],
        REFS,
    )
    got = _claims(a)
    assert [(t[:20], u) for t, u, _ in got] == [
        ("A cohort trial condu", False),
        ("The study included 5", False),
        ("The results showed l", False),
    ]
    # both follow-ups point at the cited claim itself, not at each other
    first = a.claims[0].position
    assert [s.continues for s in a.claims] == [None, first, first]


def test_follow_up_of_an_uncited_description_is_uncited():
    a = build([["Preliminary studies have suggested benefits.", "These studies were small."]])
    assert [u for _, u, _ in _claims(a)] == [True, True]


def test_mark_claims_is_idempotent():
    a = build([["X works [1].", "Early studies suggest X helps."]], REFS)
    first = _claims(a)
    mark_claims(a)
    assert [(s.text, s.uncited) for s in a.claims] == [(t, u) for t, u, _ in first]
