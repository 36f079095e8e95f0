"""The audit report: a stable JSON contract for editors' scripts, and its renderings.

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

import csv
import html
import io
import json
import re
import shutil
import textwrap
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


# --- renderings ------------------------------------------------------------------------


def summary_line(report: dict[str, Any]) -> str:
    arts = report["articles"]
    sev = Counter(f["severity"] for a in arts for f in a["findings"])
    n_refs = sum(len(a["references"]) for a in arts)
    scored = [
        (a["completeness"], len(a["references"])) for a in arts if a["completeness"] is not None
    ]
    done = sum(c * n for c, n in scored)
    share = f"{done / sum(n for _, n in scored):.0%}" if scored else "n/a"
    total = sum(sev.values())
    return (
        f"{total} findings ({sev['error']} errors, {sev['warning']} warnings, "
        f"{sev['info']} info) in {len(arts)} article{'s' if len(arts) != 1 else ''}, "
        f"{n_refs} entries; {share} of entries complete and verified"
    )


def _fix_summary(f: dict[str, Any], printed: set[str] | None = None) -> list[str]:
    """A finding's fix as lines. The complete reference belongs to one entry (the entry the
    fix points at, else the finding's own); with ``printed`` it is written out once per entry
    and later referred to by that entry's number, never by position ("as above")."""
    fix, evidence = f["fix"], f["evidence"]
    out = []
    if fix["doi"]:
        conf = (evidence.get("suggestion") or {}).get("confidence")
        out.append(f"suggested DOI {fix['doi']}" + (f" (confidence {conf:.2f})" if conf else ""))
    if fix["reference"] is not None:
        out.append(f"use entry {fix['reference']}")
    if fix["text"]:
        owner = fix["reference"] if fix["reference"] is not None else f["reference"]
        key = str(owner) if owner is not None else None
        if key is not None and printed is not None and key in printed:
            out.append(f"complete reference of entry {owner}: printed above at entry {owner}")
        else:
            if key is not None:
                out.append(f"complete reference of entry {owner}:")
                if printed is not None:
                    printed.add(key)
            out.extend(fix["text"].splitlines())
    return out


def _article_heading(a: dict[str, Any]) -> str:
    comp = "n/a" if a["completeness"] is None else f"{a['completeness']:.0%}"
    return (
        f"{a['title'] or a['article']} ({a['article']}): {len(a['references'])} entries, "
        f"{comp} complete and verified, {len(a['findings'])} findings"
    )


def render_text(report: dict[str, Any], width: int | None = None) -> str:
    """A readable terminal table, worst first, fixes indented under their finding."""
    width = width or max(80, min(shutil.get_terminal_size((120, 24)).columns, 160))
    head = f"{'SEVERITY':<8} {'CODE':<27} {'REF':>4} {'MARK':>4}  "
    msg_width = max(30, width - len(head))
    lines: list[str] = []
    for a in report["articles"]:
        printed: set[str] = set()
        lines += [_article_heading(a), head + "MESSAGE"]
        for f in a["findings"]:
            ref = "" if f["reference"] is None else str(f["reference"])
            mark = "" if f["marker"] is None else str(f["marker"])
            wrapped = textwrap.wrap(f["message"], msg_width) or [""]
            lines.append(f"{f['severity']:<8} {f['code']:<27} {ref:>4} {mark:>4}  {wrapped[0]}")
            pad = " " * len(head)
            lines += [pad + w for w in wrapped[1:]]
            for i, fx in enumerate(_fix_summary(f, printed)):
                for j, w in enumerate(textwrap.wrap(fx, msg_width - 5) or [""]):
                    lines.append(pad + ("fix: " if i == 0 and j == 0 else "     ") + w)
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


# Markdown punctuation that could start emphasis, code, links, images, headings, tables.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def _md(text: Any) -> str:
    """Article text as inert Markdown: HTML escaped (renderers pass raw HTML through),
    Markdown punctuation backslash-escaped, line breaks kept as <br> inside table cells."""
    if text is None:
        return ""
    escaped = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("\r", "").replace("\n", "<br>")


def render_markdown(report: dict[str, Any]) -> str:
    out = ["# Audit report", "", summary_line(report), ""]
    for a in report["articles"]:
        out += [f"## {_md(a['title'] or a['article'])}", "", _md(_article_heading(a)), ""]
        if a["counts"]:
            out.append("Counts: " + ", ".join(f"`{k}` {v}" for k, v in a["counts"].items()))
            out.append("")
        out += ["| Severity | Code | Entry | Marker | Message | Fix |", "|---|---|---|---|---|---|"]
        printed: set[str] = set()
        for f in a["findings"]:
            fix = "<br>".join(_md(x) for x in _fix_summary(f, printed))
            out.append(
                f"| {f['severity']} | `{f['code']}` | {_md(f['reference'])} | "
                f"{_md(f['marker'])} | {_md(f['message'])} | {fix} |"
            )
        out.append("")
    return "\n".join(out)


CSV_COLUMNS = [
    "article",
    "title",
    "severity",
    "code",
    "reference",
    "marker",
    "message",
    "fix_doi",
    "fix_reference",
    "fix_text",
    "evidence",
]


def render_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for a in report["articles"]:
        for f in a["findings"]:
            w.writerow(
                [
                    a["article"],
                    a["title"],
                    f["severity"],
                    f["code"],
                    f["reference"],
                    f["marker"],
                    f["message"],
                    f["fix"]["doi"],
                    f["fix"]["reference"],
                    f["fix"]["text"],
                    json.dumps(f["evidence"], ensure_ascii=False),
                ]
            )
    return buf.getvalue()


RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": lambda r: json.dumps(r, indent=2, ensure_ascii=False),
}
