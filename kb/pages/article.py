"""The article page: what an article is, what it claims, and where its review page is.

``article_data`` gives the article's title, source, completeness, its marker style and the
counts behind it, its conditions, and every claim in order with its markers cut out of the
sentence and linked to the entries they cite.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from typing import Any

from .common import anchor, entry_label, json_list, rows
from .labels import MARKER_STYLE_LABELS
from .review import article_summary

STYLE_WORDS = {
    "bracket": "in brackets",
    "superscript": "superscript",
    "paren": "in parentheses",
    "footnote": "footnotes",
    "author_year": "author and year",
    "mdlink": "Markdown links",
    "bare": "bare numbers",
}


def _segments(text: str, markers: list[dict]) -> list[dict]:
    """Cut ``text`` into plain and marker segments (sorted, clipped, never overlapping)."""
    out: list[dict] = []
    pos = 0
    for m in sorted(markers, key=lambda m: (m["start"], m["end"])):
        start, end = max(m["start"], pos), min(m["end"], len(text))
        if end <= start:
            continue
        if start > pos:
            out.append({"text": text[pos:start], "marker": None})
        out.append({"text": text[start:end], "marker": m})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "marker": None})
    return out


def _marker_style(art: dict, markers: list[dict]) -> dict[str, Any]:
    """The article's marker style in words, and the counts that decided it."""
    by_style = Counter(m["style"] for m in markers)
    why = ", ".join(
        f"{n} {STYLE_WORDS.get(s, s.replace('_', ' '))}" for s, n in by_style.most_common()
    )
    style = art.get("marker_style") or "none"
    return {
        "code": style,
        "label": MARKER_STYLE_LABELS.get(style, style.replace("_", " ")),
        "why": f"{len(markers)} markers: {why}" if markers else "no citation markers found",
    }


def article_data(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """Everything the article page shows, or None when there is no such article."""
    art = article_summary(conn, article_id)
    if art is None:
        return None
    claims = rows(
        conn,
        "select c.id, c.position, c.text, c.section_id, c.is_study_description, c.uncited, "
        "s.heading from claim c left join section s on s.id = c.section_id "
        "where c.article_id = ? order by c.position",
        (article_id,),
    )
    markers = rows(
        conn,
        "select id, claim_id, raw, style, start, end, keys from marker where article_id = ?",
        (article_id,),
    )
    refs = {
        r["id"]: r
        for r in rows(
            conn, "select id, number, key from reference where article_id = ?", (article_id,)
        )
    }
    links_by_marker: dict[int, list[dict]] = defaultdict(list)
    for lk in rows(
        conn,
        "select marker_id, key, reference_id, dangling from study_link where article_id = ? "
        "order by id",
        (article_id,),
    ):
        ref = refs.get(lk["reference_id"])
        label = entry_label(ref["number"], ref["key"]) if ref else lk["key"]
        links_by_marker[lk["marker_id"]].append(
            {
                "key": lk["key"],
                "label": label,
                "anchor": anchor(label),
                "reference_id": lk["reference_id"],
            }
        )
    conds_by_claim: dict[int, list[str]] = defaultdict(list)
    for cc in rows(
        conn,
        "select cc.claim_id, cd.name from claim_condition cc join condition cd "
        "on cd.id = cc.condition_id where cc.article_id = ? order by cc.inherited, cc.start",
        (article_id,),
    ):
        if cc["name"] not in conds_by_claim[cc["claim_id"]]:
            conds_by_claim[cc["claim_id"]].append(cc["name"])
    markers_by_claim: dict[int, list[dict]] = defaultdict(list)
    for m in markers:
        m["cites"] = links_by_marker.get(m["id"]) or [
            {"key": str(k), "label": str(k), "anchor": anchor(str(k)), "reference_id": None}
            for k in json_list(m["keys"])
        ]
        markers_by_claim[m["claim_id"]].append(m)
    sections: list[dict] = []
    for c in claims:
        c["segments"] = _segments(c["text"], markers_by_claim.get(c["id"], []))
        c["conditions"] = conds_by_claim.get(c["id"], [])
        if not sections or sections[-1]["id"] != c["section_id"]:
            sections.append({"id": c["section_id"], "heading": c["heading"], "claims": []})
        sections[-1]["claims"].append(c)
    conditions = rows(
        conn,
        "select cd.name, count(distinct cc.claim_id) as claims from claim_condition cc "
        "join condition cd on cd.id = cc.condition_id where cc.article_id = ? "
        "group by cd.id order by claims desc, cd.name",
        (article_id,),
    )
    severity = dict(
        conn.execute(
            "select severity, count(*) from finding where article_id = ? group by severity",
            (article_id,),
        ).fetchall()
    )
    dangling = conn.execute(
        "select count(*) from study_link where article_id = ? and dangling", (article_id,)
    ).fetchone()[0]
    return {
        "article": art,
        "marker_style": _marker_style(art, markers),
        "sections": sections,
        "conditions": conditions,
        "counts": {
            "claims": len(claims),
            "study_descriptions": sum(1 for c in claims if c["is_study_description"]),
            "uncited": sum(1 for c in claims if c["uncited"]),
            "markers": len(markers),
            "entries": len(refs),
            "dangling": dangling,
            "errors": severity.get("error", 0),
            "warnings": severity.get("warning", 0),
            "infos": severity.get("info", 0),
        },
    }
