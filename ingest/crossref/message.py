"""Normalise a Crossref work ``message`` into plain fields (pure: no database, no network).

``kb/crossref/works.py`` turns these into ``Work`` and ``WorkUpdate`` rows.
"""

from __future__ import annotations

import json
from typing import Any

from ingest.doi import normalize_doi

# Crossref's update types -> ours (the audit reads these three).
UPDATE_TYPES = {
    "retraction": "retraction",
    "withdrawal": "retraction",
    "removal": "retraction",
    "partial_retraction": "retraction",
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
    "expression_of_concern": "expression_of_concern",
    "expression-of-concern": "expression_of_concern",
}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _year(msg: dict) -> int | None:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (msg.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def _date(value: Any) -> str | None:
    parts = (value or {}).get("date-parts") or []
    if not parts or not parts[0] or parts[0][0] is None:
        return None
    return "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(parts[0]))


def _authors(msg: dict) -> list[dict]:
    out = []
    for a in msg.get("author") or []:
        if not isinstance(a, dict):
            continue
        if a.get("family") or a.get("given"):
            out.append({"family": a.get("family"), "given": a.get("given")})
        elif a.get("name"):
            out.append({"family": a["name"], "given": None})
    return out


def work_fields(msg: dict) -> dict[str, Any]:
    """The columns of one work, as Crossref's message gives them."""
    authors = _authors(msg)
    issn = msg.get("ISSN") or []
    return {
        "doi": normalize_doi(msg["DOI"], strict=False),
        "title": _first(msg.get("title")),
        "authors": json.dumps(authors, ensure_ascii=False) if authors else None,
        "first_author": authors[0]["family"] if authors else None,
        "container_title": _first(msg.get("container-title")),
        "year": _year(msg),
        "volume": _first(msg.get("volume")),
        "issue": _first(msg.get("issue")),
        "page": _first(msg.get("page")),
        "article_number": _first(msg.get("article-number")),
        "type": msg.get("type"),
        "issn": ",".join(issn) if isinstance(issn, list) and issn else None,
        "publisher": _first(msg.get("publisher")),
        "url": msg.get("URL"),
    }


def update_notices(msg: dict) -> list[dict[str, Any]]:
    """The work's update notices (retractions, corrections, expressions of concern)."""
    doi = normalize_doi(msg["DOI"], strict=False)
    out = []
    for u in msg.get("updated-by") or []:
        if not isinstance(u, dict):
            continue
        kind = str(u.get("type", "")).lower()
        out.append(
            {
                "work_doi": doi,
                "update_doi": normalize_doi(u.get("DOI") or "", strict=False) or None,
                "update_type": UPDATE_TYPES.get(kind, "other"),
                "label": u.get("label") or kind or None,
                "source": u.get("source"),
                "date": _date(u.get("updated")),
            }
        )
    return out
