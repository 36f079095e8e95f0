"""The audit report: a stable JSON contract for editors' scripts (renderings: kb.audit.render).

Shape (``REPORT_SCHEMA`` is the machine-readable form; ``validate_report`` checks it)::

    {"articles": [{
        "article": "data/articles/x.txt",   # the article's source (path or URL): stable
        "title": "..." | null,
        "completeness": 0.0-1.0 | null,     # share of entries complete and verified
        "counts": {"doi_truncated": 2, ...},  # findings by reason code
        "references": [{"number", "raw", "doi", "doi_status", "work_doi", "duplicate_of"}],
        "findings": [{"code", "severity", "reference", "marker", "message", "evidence",
                      "fix": {"doi", "reference", "text"}}]}]}

``number``, ``reference``, ``marker``, ``duplicate_of`` and ``fix.reference`` are entry and
marker numbers (integers) where the list is numbered, else the entry key (string); null
where not applicable. ``doi_status`` is the DOI's state: ``verified``, ``not_found``,
``unverified`` or ``unchecked`` for a well-formed DOI, else how it is written: ``empty``,
``truncated``, ``malformed`` or ``absent``. ``fix.doi`` is a suggested DOI, ``fix.reference``
the entry a marker probably meant or the entry to keep instead of a duplicate, ``fix.text``
the complete reference in AMA and Vancouver style (one per line) when the work is known.
Findings come worst first.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kb.audit.codes import SEVERITIES, SEVERITY_RANK
from kb.models import Article, Finding, Reference

_NUM = {"type": ["integer", "string", "null"]}
_STR = {"type": ["string", "null"]}
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["articles"],
    "properties": {
        "articles": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "article",
                    "title",
                    "completeness",
                    "counts",
                    "references",
                    "findings",
                ],
                "properties": {
                    "article": {"type": "string"},
                    "title": _STR,
                    "completeness": {"type": ["number", "null"]},
                    "counts": {"type": "object"},
                    "references": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "number",
                                "raw",
                                "doi",
                                "doi_status",
                                "work_doi",
                                "duplicate_of",
                            ],
                            "properties": {
                                "number": _NUM,
                                "raw": {"type": "string"},
                                "doi": _STR,
                                "doi_status": {"type": "string"},
                                "work_doi": _STR,
                                "duplicate_of": _NUM,
                            },
                        },
                    },
                    "findings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "code",
                                "severity",
                                "reference",
                                "marker",
                                "message",
                                "evidence",
                                "fix",
                            ],
                            "properties": {
                                "code": {"type": "string"},
                                "severity": {"type": "string", "enum": list(SEVERITIES)},
                                "reference": _NUM,
                                "marker": _NUM,
                                "message": {"type": "string"},
                                "evidence": {"type": "object"},
                                "fix": {
                                    "type": "object",
                                    "required": ["doi", "reference", "text"],
                                    "properties": {"doi": _STR, "reference": _NUM, "text": _STR},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


class ArticleNotFound(LookupError):
    """No article (or more than one) matches what the editor typed."""


def _label(value: str | int | None) -> int | str | None:
    if value is None:
        return None
    s = str(value)
    return int(s) if s.isdigit() else s


def resolve_articles(session: Session, article: str | int | None) -> list[Article]:
    """All articles, or the one named by id, source path (or part of it), or title fragment."""
    if article is None or str(article).strip() == "":
        return list(session.exec(select(Article).order_by(Article.id)))
    text = str(article).strip()
    if text.isdigit() and (a := session.get(Article, int(text))) is not None:
        return [a]
    exact = session.exec(select(Article).where(Article.source == text)).first()
    if exact is not None:
        return [exact]
    for clause in (
        col(Article.source).contains(text.lstrip("./")),
        col(Article.title).ilike(f"%{text}%"),
    ):
        found = list(session.exec(select(Article).where(clause).order_by(Article.id)))
        if len(found) == 1:
            return found
        if len(found) > 1:
            names = "; ".join(f"{a.id}: {a.title or a.source}" for a in found[:5])
            raise ArticleNotFound(
                f"'{text}' matches {len(found)} articles ({names}); give an id or a source path"
            )
    raise ArticleNotFound(
        f"no article matches '{text}' (give an id, a source path or a title fragment)"
    )


def _doi_status(ref: Reference) -> str:
    return ref.verification if ref.doi_status == "present" and ref.doi else ref.doi_status


def _article_report(session: Session, article: Article) -> dict[str, Any]:
    refs = list(
        session.exec(
            select(Reference).where(Reference.article_id == article.id).order_by(Reference.position)
        )
    )
    findings = list(session.exec(select(Finding).where(Finding.article_id == article.id)))
    position = {r.id: r.position for r in refs}
    findings.sort(
        key=lambda f: (
            SEVERITY_RANK.get(f.severity, 9),
            position.get(f.reference_id, 1 << 30),
            int(f.marker_key) if (f.marker_key or "").isdigit() else 0,
            f.code,
            f.id or 0,
        )
    )
    dup_of = {
        f.reference_id: _label(f.fix_reference) for f in findings if f.code == "duplicate_reference"
    }
    return {
        "article": article.source,
        "title": article.title,
        "completeness": article.completeness,
        "counts": dict(sorted(Counter(f.code for f in findings).items())),
        "references": [
            {
                "number": _label(r.number if r.number is not None else r.key),
                "raw": r.raw,
                "doi": r.doi,
                "doi_status": _doi_status(r),
                "work_doi": r.work_doi,
                "duplicate_of": dup_of.get(r.id),
            }
            for r in refs
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "reference": _label(f.reference_key),
                "marker": _label(f.marker_key),
                "message": f.message,
                "evidence": json.loads(f.evidence or "{}"),
                "fix": {"doi": f.fix_doi, "reference": _label(f.fix_reference), "text": f.fix_text},
            }
            for f in findings
        ],
    }


def audit_report(engine: Engine, article: str | int | None = None) -> dict[str, Any]:
    """The report of one article (id, source path or title fragment) or of all of them."""
    with Session(engine) as session:
        return {
            "articles": [_article_report(session, a) for a in resolve_articles(session, article)]
        }


# --- validation ----------------------------------------------------------------------

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
    "integer": int,
    "null": type(None),
}


def validate_report(data: Any, schema: dict | None = None, path: str = "$") -> list[str]:
    """Errors of ``data`` against ``REPORT_SCHEMA`` (the subset of JSON Schema it uses)."""
    schema = schema or REPORT_SCHEMA
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    if types and not any(
        isinstance(data, _TYPES[t]) and not (t in ("integer", "number") and isinstance(data, bool))
        for t in types
    ):
        return [f"{path}: expected {'/'.join(types)}, got {type(data).__name__}"]
    errors: list[str] = []
    if "enum" in schema and data not in schema["enum"]:
        errors.append(f"{path}: {data!r} not one of {schema['enum']}")
    if isinstance(data, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in data]
        for k, sub in schema.get("properties", {}).items():
            if k in data:
                errors += validate_report(data[k], sub, f"{path}.{k}")
    if isinstance(data, list) and "items" in schema:
        for i, item in enumerate(data):
            errors += validate_report(item, schema["items"], f"{path}[{i}]")
    return errors
