"""Renderings of the audit report (``kb.audit.report``): terminal text, Markdown, CSV, JSON.

Each takes the report dict and returns a string; ``summary_line`` is the one-line summary
every format ends with on the terminal.
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
