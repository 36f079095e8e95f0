"""Datasette plugin of the knowledge base (loaded through ``kb/datasette_plugins/``).

- ``/-/evidence-map``: the evidence map (conditions x evidence type) as a server-rendered SVG
  heat map; no JavaScript, no CDN. Its numbers come from the ``evidence_map`` canned query,
  so the chart and the query never disagree; the query reads the summary tables the build
  precomputes (``condition_evidence``, ``condition_summary``), not every claim.
- The claim row page (``templates/row-kb-claim.html``) gets the claim's sentence cut into
  text and marker segments, its conditions, and each cited entry with its work, evidence
  type, verification and findings.
- In canned-query results, ``claim_id``/``reference_id``/``article_id``/``finding_id``/
  ``work_doi`` cells link to their row pages, so a researcher gets from a query to a claim
  in one click.
- Every request other than GET/HEAD/OPTIONS is refused with 405: the instance is read-only.

All text reaches the page through Jinja's autoescaping; only ``http(s)`` URLs become links.
The module depends on Datasette alone (not on ``kb``), so ``kb publish`` can ship it as is.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

# --- evidence map geometry: computed here so the SVG needs no JavaScript ---
# Strongest first; an evidence type is placed by the first group whose word it contains.
ORDER_WORDS: list[tuple[str, ...]] = [
    ("systematic", "meta"),
    ("randomi", "rct"),
    ("observational", "cohort", "non_random", "non-random", "nonrandom"),
    ("case",),
    ("narrative", "review"),
    ("protocol",),
    ("conference", "abstract"),
    ("vitro", "animal", "preclinical"),
    ("opinion", "hypothes"),
    ("web", "press"),
    ("unknown",),
    ("no entry",),
    ("not cited",),
]
CELL_W, CELL_H, LEFT, TOP = 92, 30, 230, 150
LOW, HIGH = (239, 243, 250), (23, 64, 140)  # sequential blue scale


def rank(evidence_type: str) -> int:
    low = evidence_type.lower()
    for i, words in enumerate(ORDER_WORDS):
        if any(w in low for w in words):
            return i
    return len(ORDER_WORDS) - 3  # unfamiliar types sit with "unknown"


def label(evidence_type: str) -> str:
    return evidence_type.replace("_", " ")


def shade(count: int, top: int) -> tuple[str, str]:
    """Fill colour and text colour of a cell with ``count`` claims (``top`` = largest count)."""
    t = 0.15 + 0.85 * (count / top) if top else 0.0
    rgb = tuple(round(lo + (hi - lo) * t) for lo, hi in zip(LOW, HIGH, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if t > 0.55 else "#111111")


def build_heatmap(rows: list[dict], *, condition_url: str = "") -> dict:
    """Turn evidence-map rows (condition, category, evidence_type, claims) into SVG geometry.

    Conditions keep the order of ``rows``; evidence types go strongest first."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["condition"], r["evidence_type"] or "unknown")
        counts[key] = counts.get(key, 0) + int(r["claims"])
    # the query already orders conditions by how many claims are about them
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    types = sorted({t for _, t in counts}, key=lambda t: (rank(t), t))
    top = max(counts.values(), default=0)
    cells = []
    for i, cond in enumerate(conditions):
        for j, etype in enumerate(types):
            n = counts.get((cond, etype))
            if not n:
                continue
            fill, ink = shade(n, top)
            cells.append(
                {
                    "x": LEFT + j * CELL_W,
                    "y": TOP + i * CELL_H,
                    "cx": LEFT + j * CELL_W + CELL_W / 2,
                    "cy": TOP + i * CELL_H + CELL_H / 2 + 5,
                    "count": n,
                    "fill": fill,
                    "ink": ink,
                    "href": condition_url + quote(cond, safe=""),
                    "title": f"{cond}: {n} claim(s) citing {label(etype)}",
                }
            )
    return {
        "width": LEFT + max(len(types), 1) * CELL_W + 20,
        "height": TOP + max(len(conditions), 1) * CELL_H + 20,
        "cell_w": CELL_W,
        "cell_h": CELL_H,
        "rows": [
            {
                "name": c,
                "y": TOP + i * CELL_H + CELL_H / 2 + 5,
                "href": condition_url + quote(c, safe=""),
            }
            for i, c in enumerate(conditions)
        ],
        "columns": [
            {"name": label(t), "x": LEFT + j * CELL_W + CELL_W / 2, "y": TOP - 8}
            for j, t in enumerate(types)
        ],
        "cells": cells,
        "left": LEFT,
        "top": TOP,
        "max": top,
        "n_conditions": len(conditions),
        "n_types": len(types),
    }


DB = "kb"
ID_LINKS = {
    "claim_id": "claim",
    "reference_id": "reference",
    "article_id": "article",
    "finding_id": "finding",
}


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: ``javascript:`` and friends never become links."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def segments(text: str, markers: list[dict]) -> list[dict]:
    """Cut ``text`` into plain and marker segments (markers sorted, clipped, never overlapping)."""
    out: list[dict] = []
    pos = 0
    for m in sorted(markers, key=lambda m: (m["start"], m["end"])):
        start, end = max(m["start"], pos), min(m["end"], len(text))
        if end <= start:
            continue
        if start > pos:
            out.append({"text": text[pos:start], "marker": False})
        out.append({"text": text[start:end], "marker": True, "keys": m.get("keys") or ""})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "marker": False})
    return out


def _keys_text(keys: str | None) -> str:
    """'["4", "5"]' -> '4, 5' (the stored JSON list, readable in a tooltip)."""
    try:
        value = json.loads(keys or "[]")
    except ValueError:
        return keys or ""
    return ", ".join(str(k) for k in value) if isinstance(value, list) else str(value)


async def _rows(db, sql: str, params: dict | None = None) -> list[dict]:
    result = await db.execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def claim_page(datasette, db, claim_id: int) -> dict | None:
    """Everything the claim page shows beyond the claim's own columns."""
    claims = await _rows(
        db,
        "select c.*, a.title as article_title, a.source as article_source, "
        "s.heading as section_heading from claim c join article a on a.id = c.article_id "
        "left join section s on s.id = c.section_id where c.id = :id",
        {"id": claim_id},
    )
    if not claims:
        return None
    claim = claims[0]
    markers = await _rows(
        db, "select raw, start, end, keys from marker where claim_id = :id", {"id": claim_id}
    )
    for m in markers:
        m["keys"] = _keys_text(m["keys"])
    conditions = await _rows(
        db,
        "select cd.id, cd.name, cd.mesh_id, cd.category, cc.matched_text, cc.inherited "
        "from claim_condition cc join condition cd on cd.id = cc.condition_id "
        "where cc.claim_id = :id order by cc.inherited, cc.start",
        {"id": claim_id},
    )
    # A follow-up sentence shows the entries of the claim whose study it goes on about.
    cites_of = claim_id
    if claim.get("continues_claim_id") and not markers:
        cites_of = claim["continues_claim_id"]
    cited = await _rows(
        db,
        "select sl.key, sl.dangling, r.id as reference_id, r.raw, r.doi, r.doi_status, r.url, "
        "r.verification, r.source_type, coalesce(r.evidence_type, w.evidence_type) as "
        "evidence_type, coalesce(r.evidence_signal, w.evidence_signal) as evidence_signal, "
        "w.doi as work_doi, w.title as work_title, w.container_title, w.year as work_year, "
        "w.type as work_type from study_link sl left join reference r on r.id = sl.reference_id "
        "left join work w on w.doi = r.work_doi where sl.claim_id = :id order by sl.id",
        {"id": cites_of},
    )
    findings = await _rows(
        db,
        "select id, code, severity, message, reference_id, fix_doi, fix_text from finding "
        "where claim_id = :id or (claim_id is null and reference_id in "
        "(select reference_id from study_link where claim_id = :cites)) "
        "order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, id",
        {"id": claim_id, "cites": cites_of},
    )
    table_url = datasette.urls.table(DB, "work")
    for entry in cited:
        entry["url"] = safe_url(entry["url"])
        entry["work_url"] = (
            f"{table_url}/{tilde_encode(entry['work_doi'])}" if entry["work_doi"] else None
        )
        entry["findings"] = [
            f
            for f in findings
            if entry["reference_id"] and f["reference_id"] == entry["reference_id"]
        ]
    return {
        "claim": claim,
        "segments": segments(claim["text"], markers),
        "conditions": conditions,
        "cited": cited,
        "cites_via": cites_of if cites_of != claim_id else None,
        "claim_findings": [f for f in findings if f["reference_id"] is None],
    }


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if template != f"row-{DB}-claim.html" or request is None:
        return {}

    async def inner() -> dict:
        try:
            claim_id = int(request.url_vars.get("pks", ""))
        except ValueError:
            return {"kb_claim": None}
        db = datasette.get_database(database)
        return {"kb_claim": await claim_page(datasette, db, claim_id)}

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Link ids in canned-query results to their row pages (table pages link by themselves)."""
    if table is not None or database != DB or value in (None, ""):
        return None
    if column in ID_LINKS and isinstance(value, int):
        href = f"{datasette.urls.table(DB, ID_LINKS[column])}/{value}"
        return Markup(f'<a href="{escape(href)}">{value}</a>')
    if column == "work_doi" and isinstance(value, str):
        href = f"{datasette.urls.table(DB, 'work')}/{tilde_encode(value)}"
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


async def evidence_map_view(datasette, request):
    if DB not in datasette.databases:
        raise NotFound("No kb database is being served")
    actor = request.actor
    query = await datasette.get_canned_query(DB, "evidence_map", actor)
    if not query:
        raise NotFound("The evidence_map canned query is missing from the metadata")
    db = datasette.get_database(DB)
    rows = await _rows(db, query["sql"])
    condition_url = datasette.urls.database(DB) + "/claims_about_condition?condition="
    chart = build_heatmap(rows, condition_url=condition_url)
    html = await datasette.render_template(
        "evidence_map.html",
        {
            "chart": chart,
            "rows": rows,
            "database": DB,
            "query_url": datasette.urls.database(DB) + "/evidence_map",
        },
        request=request,
    )
    return Response.html(html)


READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper():
    """Refuse every request that could change something: the published instance is read-only.

    Datasette has no write endpoint without plugins, but a POST to a read-only canned query
    crashes Datasette 0.65.5 with a 500; a plain 405 is the honest answer.
    """

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope.get("method", "GET") not in READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"allow", b"GET, HEAD, OPTIONS"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"Read-only: 405\n"})
                return
            await app(scope, receive, send)

        return read_only

    return wrap


@hookimpl
def register_routes():
    return [(r"^/-/evidence-map$", evidence_map_view)]
