"""The editor's review page of one article: every entry in list order with what to do.

``review_data`` gathers, for each entry of the reference list: its raw text, the fields
parsed from it, its DOI status (with a doi.org link), the work it resolved to, its DOI
suggestions (with the commands that accept or reject them), the sentences and markers
citing it, and its findings in plain words with the fix in full. Findings about markers
that have no entry come after the list. The fixes are already resolved to their end by
the audit (``kb.audit.resolve``), so the page shows them as they are.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from .common import (
    anchor,
    author_names,
    doi_url,
    entry_label,
    json_list,
    json_object,
    rows,
    safe_url,
)
from .labels import code_label, field_label, status_label

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# (column, what an editor calls it) in the order a reference is read
PARSED_FIELDS: list[tuple[str, str]] = [
    ("authors", "Authors"),
    ("title", "Title"),
    ("journal", "Journal"),
    ("year", "Year"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("article_number", "Article number"),
    ("pmid", "PMID"),
    ("pmcid", "PMCID"),
    ("isbn", "ISBN"),
    ("url", "URL"),
    ("source_type", "Kind of source"),
]


def article_summary(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    found = rows(conn, "select * from article where id = ?", (article_id,))
    if not found:
        return None
    art = found[0]
    art.pop("text", None)  # the page never needs the whole text
    art["display_title"] = art.get("title") or art["source"]
    art["source_url"] = safe_url(art["source"])
    return art


def _fix_styles(text: str | None) -> list[dict[str, str]]:
    """'AMA: ...\\nVancouver: ...' -> [{'style': 'AMA', 'text': '...'}, ...]."""
    out = []
    for line in (text or "").splitlines():
        style, sep, rest = line.partition(": ")
        if sep and style in ("AMA", "Vancouver"):
            out.append({"style": style, "text": rest.strip()})
        elif line.strip():
            out.append({"style": "", "text": line.strip()})
    return out


def _entry(ref: dict[str, Any]) -> dict[str, Any]:
    label = entry_label(ref["number"], ref["key"])
    doi_state = (
        ref["verification"] if ref["doi_status"] == "present" and ref["doi"] else ref["doi_status"]
    )
    fields = []
    for col, name in PARSED_FIELDS:
        value = ref.get(col)
        if col == "authors":
            value = ", ".join(author_names(value)) or None
        if value not in (None, ""):
            fields.append({"name": name, "value": str(value), "url": safe_url(str(value))})
    return {
        "id": ref["id"],
        "label": label,
        "anchor": anchor(label),
        "raw": ref["raw"],
        "fields": fields,
        "doi": ref["doi"],
        "doi_raw": ref["doi_raw"],
        "doi_url": doi_url(ref["doi"]) if ref["doi_status"] == "present" else None,
        "doi_state": doi_state,
        "doi_state_label": status_label(doi_state),
        "doi_ok": doi_state == "verified",
        "work": {
            "doi": ref["work_doi"],
            "url": doi_url(ref["work_doi"]),
            "title": ref["work_title"],
            "container": ref["container_title"],
            "year": ref["work_year"],
        }
        if ref["work_doi"]
        else None,
        "evidence_type": (ref["evidence_type"] or "unknown").replace("_", " "),
        "evidence_signal": ref["evidence_signal"],
        "pmid_url": f"https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/" if ref["pmid"] else None,
        "pmcid_url": (
            f"https://www.ncbi.nlm.nih.gov/pmc/articles/{ref['pmcid']}/" if ref["pmcid"] else None
        ),
        "suggestions": [],
        "findings": [],
        "cited_by": [],
    }


def _finding(f: dict[str, Any], claims: dict, markers: dict, labels: dict) -> dict[str, Any]:
    evidence = json_object(f["evidence"])
    sug = evidence.get("suggestion") or {}
    claim = claims.get(f["claim_id"])
    marker = markers.get(f["marker_id"])
    fix_ref = f["fix_reference"]
    return {
        "id": f["id"],
        "code": f["code"],
        "label": code_label(f["code"]),
        "severity": f["severity"],
        "message": f["message"],
        "claim": claim,
        "marker": marker,
        "marker_key": f["marker_key"],
        "fix_doi": f["fix_doi"],
        "fix_doi_url": doi_url(f["fix_doi"]),
        "confidence": sug.get("confidence"),
        "agreed": [field_label(x) for x in sug.get("agreed", [])],
        "disagreed": [field_label(x) for x in sug.get("disagreed", [])],
        "fix_reference": fix_ref,
        "fix_anchor": anchor(fix_ref) if fix_ref else None,
        "fix_reference_raw": labels.get(fix_ref),
        "fix_styles": _fix_styles(f["fix_text"]),
        "superseded_by": evidence.get("superseded_by"),
        "has_fix": bool(f["fix_doi"] or fix_ref or f["fix_text"]),
    }


def review_data(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """Everything the review page of one article shows, or None when there is no article."""
    art = article_summary(conn, article_id)
    if art is None:
        return None
    refs = rows(
        conn,
        "select r.*, w.title as work_title, w.container_title, w.year as work_year, "
        "coalesce(r.evidence_type, w.evidence_type) as evidence_type, "
        "coalesce(r.evidence_signal, w.evidence_signal) as evidence_signal "
        "from reference r left join work w on w.doi = r.work_doi "
        "where r.article_id = ? order by r.position",
        (article_id,),
    )
    claims = {
        c["id"]: c
        for c in rows(
            conn, "select id, position, text from claim where article_id = ?", (article_id,)
        )
    }
    markers = {
        m["id"]: m
        for m in rows(
            conn, "select id, claim_id, raw from marker where article_id = ?", (article_id,)
        )
    }
    entries = [_entry(r) for r in refs]
    by_id = {e["id"]: e for e in entries}
    labels = {e["label"]: e["raw"] for e in entries}
    for s in rows(
        conn,
        "select * from suggestion where article_id = ? order by confidence desc, id",
        (article_id,),
    ):
        if s["reference_id"] in by_id:
            by_id[s["reference_id"]]["suggestions"].append(
                {
                    "id": s["id"],
                    "doi": s["doi"],
                    "url": doi_url(s["doi"]),
                    "confidence": s["confidence"],
                    "status": s["status"],
                    "status_label": status_label(s["status"]),
                    "agreed": [field_label(x) for x in json_list(s["agreed"])],
                    "disagreed": [field_label(x) for x in json_list(s["disagreed"])],
                }
            )
    seen_cites: set[tuple] = set()
    for lk in rows(
        conn,
        "select claim_id, marker_id, key, reference_id from study_link "
        "where article_id = ? order by id",
        (article_id,),
    ):
        entry = by_id.get(lk["reference_id"])
        claim = claims.get(lk["claim_id"])
        if entry is None or claim is None or (entry["id"], claim["id"]) in seen_cites:
            continue
        seen_cites.add((entry["id"], claim["id"]))
        marker = markers.get(lk["marker_id"])
        entry["cited_by"].append({"claim": claim, "marker": marker["raw"] if marker else None})
    loose: list[dict] = []
    findings = rows(conn, "select * from finding where article_id = ?", (article_id,))
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3), f["code"], f["id"]))
    for f in findings:
        item = _finding(f, claims, markers, labels)
        target = by_id.get(f["reference_id"])
        (target["findings"] if target else loose).append(item)
    for e in entries:
        e["fixes"] = group_fixes(e["findings"])
        e["worst"] = min(
            (SEVERITY_ORDER.get(f["severity"], 3) for f in e["findings"]), default=None
        )
    loose.sort(key=lambda f: (_num(f["marker_key"]), SEVERITY_ORDER.get(f["severity"], 3)))
    markers_without_entry = []
    for f in loose:
        key = f["marker_key"] or ""
        if not markers_without_entry or markers_without_entry[-1]["key"] != key:
            markers_without_entry.append(
                {"key": key, "anchor": "marker-" + anchor(key)[6:], "findings": []}
            )
        markers_without_entry[-1]["findings"].append(f)
    for group in markers_without_entry:
        group["fixes"] = group_fixes(group["findings"])
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f["severity"]] += 1
    return {
        "article": art,
        "entries": entries,
        "loose": markers_without_entry,
        "counts": {s: counts.get(s, 0) for s in SEVERITY_ORDER},
        "n_findings": len(findings),
        "entries_with_findings": sum(1 for e in entries if e["findings"]),
        "entries_clean": sum(1 for e in entries if not e["findings"]),
    }


def _num(key: str | None) -> tuple[int, str]:
    return (int(key), "") if key and key.isdigit() else (1 << 30, key or "")


def group_fixes(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct fixes of one entry's findings, numbered, each with the findings it settles.

    Several findings often share one fix (authors, title and journal missing: the complete
    reference); the page shows it once and each finding names its number."""
    fixes: dict[tuple, dict[str, Any]] = {}
    for f in findings:
        if not f["has_fix"]:
            continue
        key = (f["fix_doi"], f["fix_reference"], tuple(s["text"] for s in f["fix_styles"]))
        if key not in fixes:
            fixes[key] = {
                "no": len(fixes) + 1,
                "doi": f["fix_doi"],
                "doi_url": f["fix_doi_url"],
                "confidence": f["confidence"],
                "agreed": f["agreed"],
                "reference": f["fix_reference"],
                "anchor": f["fix_anchor"],
                "reference_raw": f["fix_reference_raw"],
                "styles": f["fix_styles"],
                "settles": [],
                "marker_fix": False,
            }
        fixes[key]["settles"].append(f["label"])
        if f["code"] in ("numbering_shift", "dangling_marker"):
            fixes[key]["marker_fix"] = True  # the sentence's marker changes, not the list
        f["fix_no"] = fixes[key]["no"]
    return list(fixes.values())
