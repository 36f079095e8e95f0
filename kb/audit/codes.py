"""The reason codes of the editor's audit: one row per code, the README documents them from here.

Severity, as an editor ranks them:

- ``error``: the reference or citation is wrong or misleading as published (a DOI that
  does not resolve, a retracted source, a marker that points nowhere or at the wrong entry,
  a trial protocol cited for an effect). Fix before anything else.
- ``warning``: the entry is incomplete or weak (missing fields, no DOI, non-scholarly or
  abstract-only sources, duplicates, entries never cited). Fix to make the list usable.
- ``info``: worth knowing, not necessarily wrong (a DOI that could not be checked, a
  source that was later corrected).
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    scope: str  # reference | citation
    meaning: str


_ROWS: list[tuple[str, str, str, str]] = [
    # references
    (
        "missing_identifier",
        "warning",
        "reference",
        "No DOI, PMID, PMCID, ISBN or URL: the source cannot be found.",
    ),
    ("doi_empty", "error", "reference", "A `doi:` label with nothing after it."),
    ("doi_truncated", "error", "reference", "The DOI is cut short and cannot resolve."),
    ("doi_invalid", "error", "reference", "The DOI text is not a syntactically valid DOI."),
    ("doi_not_found", "error", "reference", "Crossref answered 404: no such DOI."),
    (
        "doi_unverified",
        "info",
        "reference",
        "The DOI could not be checked (Crossref unreachable or not in the snapshot).",
    ),
    (
        "doi_metadata_mismatch",
        "warning",
        "reference",
        "The DOI resolves, but year, volume, issue, pages or journal in the entry "
        "disagree with the record.",
    ),
    ("missing_authors", "warning", "reference", "A scholarly entry without authors."),
    ("missing_title", "warning", "reference", "A scholarly entry without a title."),
    ("missing_journal", "warning", "reference", "A journal article entry without its journal."),
    ("missing_year", "warning", "reference", "A scholarly entry without a year."),
    ("pmc_only", "warning", "reference", "Identified by PMCID or PMID only, without a DOI."),
    ("url_only", "warning", "reference", "Only a URL: no DOI, PMID, PMCID or ISBN."),
    (
        "non_scholarly_source",
        "warning",
        "reference",
        "A press release, blog, advocacy or commercial page cited as a source.",
    ),
    (
        "conference_abstract",
        "warning",
        "reference",
        "A conference abstract, not a peer-reviewed full paper.",
    ),
    (
        "protocol_cited_as_evidence",
        "error",
        "reference",
        "A trial protocol (no results) cited for an effect.",
    ),
    ("retracted", "error", "reference", "The cited work has been retracted."),
    (
        "expression_of_concern",
        "warning",
        "reference",
        "The publisher issued an expression of concern about the cited work.",
    ),
    (
        "corrected",
        "info",
        "reference",
        "The cited work has a published correction; check the cited detail still holds.",
    ),
    (
        "duplicate_reference",
        "warning",
        "reference",
        "The same work appears twice in the list (same DOI, same year/volume/issue/pages, "
        "or same text).",
    ),
    # citations
    (
        "dangling_marker",
        "error",
        "citation",
        "A citation marker with no entry in the reference list.",
    ),
    (
        "reference_list_not_found",
        "error",
        "citation",
        "The article has citation markers but no reference list was found; reported once "
        "instead of one dangling marker per marker.",
    ),
    ("uncited_reference", "warning", "reference", "An entry in the list that no marker cites."),
    (
        "description_mismatch",
        "warning",
        "citation",
        "What the sentence says about the study (year, journal, design, sample size) "
        "disagrees with the cited work.",
    ),
    (
        "condition_mismatch",
        "warning",
        "citation",
        "The claim is about one condition and the cited work about another.",
    ),
    (
        "numbering_shift",
        "error",
        "citation",
        "A run of markers matches the entries at a constant offset far better than at "
        "their own numbers.",
    ),
]

CODES: dict[str, Code] = {r[0]: Code(*r) for r in _ROWS}

# Problems that make an entry count as not "complete and verified" for completeness.
INCOMPLETE_CODES: frozenset[str] = frozenset(
    {
        "missing_identifier",
        "doi_empty",
        "doi_truncated",
        "doi_invalid",
        "doi_not_found",
        "doi_unverified",
        "doi_metadata_mismatch",
        "missing_authors",
        "missing_title",
        "missing_journal",
        "missing_year",
        "pmc_only",
        "url_only",
    }
)


def severity_of(code: str) -> str:
    return CODES[code].severity
