"""Plain words for the codes people see; the codes themselves stay in the API and JSON."""

from __future__ import annotations

# reason code -> what an editor reads (a test checks every code of kb.audit.codes has one)
CODE_LABELS: dict[str, str] = {
    "missing_identifier": "No way to find the source",
    "doi_empty": "DOI label with no DOI",
    "doi_truncated": "DOI cut short",
    "doi_invalid": "DOI is not a valid DOI",
    "doi_not_found": "DOI does not exist",
    "doi_unverified": "DOI could not be checked",
    "doi_metadata_mismatch": "Entry disagrees with its DOI's record",
    "missing_authors": "Authors missing",
    "missing_title": "Title missing",
    "missing_journal": "Journal missing",
    "missing_year": "Year missing",
    "pmc_only": "Only a PubMed/PMC id, no DOI",
    "url_only": "Only a web address",
    "non_scholarly_source": "Not a scholarly source",
    "conference_abstract": "Conference abstract, not a full paper",
    "protocol_cited_as_evidence": "Trial protocol cited for a result",
    "retracted": "Retracted work",
    "expression_of_concern": "Expression of concern",
    "corrected": "Corrected since publication",
    "duplicate_reference": "Listed twice",
    "dangling_marker": "Marker with no entry",
    "reference_list_not_found": "Markers but no reference list",
    "uncited_reference": "Entry never cited",
    "description_mismatch": "Sentence misdescribes the study",
    "condition_mismatch": "Cited work is about another condition",
    "numbering_shift": "Marker points at the wrong entry",
}

# doi_status and verification values -> words
STATUS_LABELS: dict[str, str] = {
    "verified": "DOI verified in Crossref",
    "not_found": "DOI not found in Crossref",
    "unverified": "DOI not checked (Crossref unreachable)",
    "unchecked": "DOI not checked yet",
    "no_doi": "no DOI",
    "present": "DOI given",
    "empty": "DOI label, no DOI",
    "truncated": "DOI cut short",
    "malformed": "DOI malformed",
    "absent": "no DOI",
    "suggested": "suggested, awaiting a decision",
    "accepted": "accepted by an editor",
    "rejected": "rejected by an editor",
}

SEVERITY_LABELS: dict[str, str] = {
    "error": "Error",
    "warning": "Warning",
    "info": "Note",
}

# fields a suggestion's candidate agreed on -> words
FIELD_LABELS: dict[str, str] = {
    "doi_prefix": "the DOI's beginning",
    "locator": "pages or article number",
    "first_author": "first author",
    "article_number": "article number",
}

MARKER_STYLE_LABELS: dict[str, str] = {
    "numeric": "numbers in brackets, e.g. [3]",
    "bracket": "numbers in brackets, e.g. [3]",
    "superscript": "superscript numbers",
    "paren": "numbers in parentheses, e.g. (3)",
    "bare": "bare linked numbers",
    "footnote": "footnotes, e.g. [^3]",
    "author_year": "author and year, e.g. (Smith 2010)",
    "mdlink": "Markdown reference links",
    "mixed": "several styles",
    "none": "no markers",
}


def code_label(code: str | None) -> str:
    return CODE_LABELS.get(code or "", (code or "").replace("_", " "))


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", (status or "").replace("_", " "))


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))
