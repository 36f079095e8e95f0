"""Datasette plugin for the pages people read (loaded through ``kb/datasette_plugins/``).

- ``/kb/article/<id>``: the article page (``templates/row-kb-article.html``): title, source,
  completeness, marker style and why, counts, its claims in order with markers linked to
  entries, and links to its review page and rows.
- ``/-/review`` and ``/-/review/<article id>``: the editor's review page of each article
  (the same page ``kb audit --format html`` writes as one file).
- The home page (``templates/index.html``) leads with the articles, claim search, the
  evidence map and the review pages; canned-query forms (``templates/query-kb.html``) offer
  the articles and the conditions that occur, and close matches for a condition not found.
- Table and query pages show reason codes and statuses in words (the code stays, small,
  and the JSON API keeps the code) and JSON list columns as lists; the JSON API returns
  JSON columns as JSON (``_json=`` is added to every ``.json`` request of the database).

Like ``kb/datasette_plugin.py`` it depends on Datasette and on ``kb/pages`` (stdlib only),
which ``kb publish`` copies next to it.
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape


def _pages():  # noqa: ANN202
    """The ``kb.pages`` package, or its copy next to this file in a published instance."""
    try:
        return importlib.import_module("kb.pages")
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        return importlib.import_module("pages")


PAGES = _pages()
article_mod = importlib.import_module(PAGES.__name__ + ".article")
review_mod = importlib.import_module(PAGES.__name__ + ".review")
labels_mod = importlib.import_module(PAGES.__name__ + ".labels")

DB = "kb"

# columns holding a JSON list or object: parsed in the JSON API, shown as lists in pages
JSON_COLUMNS = (
    "evidence",
    "agreed",
    "disagreed",
    "authors",
    "author_names",
    "keys",
    "synonyms",
    "abbreviations",
    "parents",
    "summary",
    "desc_outcomes",
)
LABELLED = {
    "code": labels_mod.CODE_LABELS,
    "reasons": labels_mod.CODE_LABELS,
    "entry_findings": labels_mod.CODE_LABELS,
    "claim_findings": labels_mod.CODE_LABELS,
    "severity": labels_mod.SEVERITY_LABELS,
    "worst_severity": labels_mod.SEVERITY_LABELS,
    "doi_status": labels_mod.STATUS_LABELS,
    "verification": labels_mod.STATUS_LABELS,
    "marker_style": labels_mod.MARKER_STYLE_LABELS,
}
# machine-only columns hidden from the default HTML table views (``_col``/``_nocol`` win)
HIDDEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "article": ("text", "content_hash", "derived_hash", "encoding"),
    "claim": ("start", "end", "paragraph", "search_terms"),
    "marker": ("start", "end"),
    "reference": ("start", "end", "doi_raw", "first_author", "search_terms"),
    "claim_condition": ("start", "end"),
    "finding": ("evidence", "marker_id"),
    "crossref_response": ("raw_json",),
}


# --- pages -------------------------------------------------------------------------------


async def _run(datasette, fn, *args):  # noqa: ANN001, ANN002, ANN202
    db = datasette.get_database(DB)
    return await db.execute_fn(lambda conn: fn(conn, *args))


async def review_page(datasette, request):  # noqa: ANN001, ANN201
    if DB not in datasette.databases:
        raise NotFound("No kb database is being served")
    article_id = int(request.url_vars["article_id"])
    rv = await _run(datasette, review_mod.review_data, article_id)
    if rv is None:
        raise NotFound(f"No article {article_id}")

    def row_url(table: str, pk: object) -> str:
        return datasette.urls.row(DB, table, str(pk))

    html = await datasette.render_template(
        "kb_review.html",
        {
            "rv": rv,
            "row_url": row_url,
            "database": DB,
            "review_index_url": datasette.urls.path("/-/review"),
            "report_hint_url": datasette.urls.database(DB)
            + f"/references_needing_attention?article={article_id}",
        },
        request=request,
    )
    return Response.html(html)


ARTICLE_CHOICES = 50  # an instance with thousands of articles lists the first ones


def _article_list(conn, limit: int | None = None) -> list[dict]:  # noqa: ANN001
    sql = (
        "select a.id, a.source, a.title, a.n_claims, a.n_references, a.completeness, "
        "(select count(*) from finding f where f.article_id = a.id and f.severity = 'error') "
        "as errors, (select count(*) from finding f where f.article_id = a.id and "
        "f.severity = 'warning') as warnings, (select count(*) from finding f where "
        "f.article_id = a.id and f.severity = 'info') as infos from article a order by a.id"
    )
    return PAGES.common.rows(conn, sql + (f" limit {int(limit)}" if limit else ""))


async def review_index(datasette, request):  # noqa: ANN001, ANN201
    if DB not in datasette.databases:
        raise NotFound("No kb database is being served")
    html = await datasette.render_template(
        "kb_review_index.html",
        {
            "articles": await _run(datasette, _article_list),
            "review_base": datasette.urls.path("/-/review"),
            "database": DB,
        },
        request=request,
    )
    return Response.html(html)


KB_CSS = """
/* evidence-kb: long text columns wrap at a readable width instead of a word per line */
td.col-text, td.col-claim, td.col-raw, td.col-reference, td.col-fix_text,
td.col-complete_reference, td.col-message, td.col-explanation, td.col-cited_reference,
td.col-kept_reference, td.col-probably_meant_reference, td.col-title, td.col-evidence {
  min-width: 22em; max-width: 48em; white-space: pre-wrap; overflow-wrap: anywhere; }
td.col-fix_text, td.col-complete_reference { min-width: 30em; }
td.col-article, td.col-section, td.col-reasons, td.col-entry_findings { min-width: 11em; }
table.kb-vertical td { max-width: none; }
.kb-label small { color: #666; }
ul.kb-list { margin: 0; padding-left: 1.1em; }
.kb-choices { background: #f3f5f9; border-radius: 6px; padding: 8px 14px; margin: 8px 0; }
.kb-choices a { display: inline-block; margin: 2px 0 2px 10px; }
/* column descriptions: a compact reference, so the rows stay near the top of the page */
dl.column-descriptions { columns: 3 22em; column-gap: 2em; font-size: 0.85em;
  max-height: 8.5em; overflow: auto; border: 1px solid #dde1e8; border-radius: 4px;
  padding: 4px 8px; background: #fff; }
dl.column-descriptions dt { break-after: avoid; }
dl.column-descriptions dd { break-before: avoid; margin: 0 0 4px 1em; }
"""


async def kb_css(datasette, request):  # noqa: ANN001, ANN201, ARG001
    return Response(KB_CSS, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes():  # noqa: ANN201
    return [
        (r"^/-/review$", review_index),
        (r"^/-/review/(?P<article_id>\d+)$", review_page),
        (r"^/-/kb\.css$", kb_css),
    ]


@hookimpl
def extra_css_urls(datasette):  # noqa: ANN001, ANN201
    return [datasette.urls.path("/-/kb.css")]


# --- template variables --------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case, no accents, curly apostrophes straightened and dropped, spaces squeezed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub("[\u2018\u2019\u02bc'`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _conditions(conn, counted: bool = True) -> list[dict]:  # noqa: ANN001
    """Conditions that occur in claims with their other names: most claims first, or (not
    ``counted``, one index probe per condition) by name."""
    if counted:
        sql = (
            "select cd.name, cd.mesh_id, cd.synonyms, cd.abbreviations, "
            "count(distinct cc.claim_id) as claims from condition cd "
            "join claim_condition cc on cc.condition_id = cd.id "
            "group by cd.id order by claims desc, cd.name"
        )
    else:
        sql = (
            "select cd.name, cd.mesh_id, cd.synonyms, cd.abbreviations, null as claims "
            "from condition cd where exists (select 1 from claim_condition cc "
            "where cc.condition_id = cd.id) order by cd.name"
        )
    return PAGES.common.rows(conn, sql)


def close_matches(asked: str, conditions: list[dict], n: int = 6) -> list[str]:
    """Condition names close to ``asked``: by a name, synonym or abbreviation of each."""
    want = fold(asked)
    if not want:
        return []
    scored: dict[str, float] = {}
    for c in conditions:
        names = [c["name"], *PAGES.common.json_list(c["synonyms"])]
        names += PAGES.common.json_list(c["abbreviations"])
        for name in names:
            f = fold(str(name))
            score = difflib.SequenceMatcher(None, want, f).ratio()
            if want in f or f in want:
                score = max(score, 0.8)
            if score >= 0.5:
                scored[c["name"]] = max(scored.get(c["name"], 0), score)
    return [name for name, _ in sorted(scored.items(), key=lambda kv: -kv[1])[:n]]


@hookimpl
def extra_template_vars(template, database, request, datasette, view_name):  # noqa: ANN001, ANN201
    if request is None or DB not in datasette.databases:
        return {}
    if template == f"row-{DB}-article.html":

        async def article_vars() -> dict:
            try:
                article_id = int(request.url_vars.get("pks", ""))
            except ValueError:
                return {"kb_article": None}
            data = await _run(datasette, article_mod.article_data, article_id)
            return {
                "kb_article": data,
                "review_url": datasette.urls.path(f"/-/review/{article_id}"),
            }

        return article_vars
    if template == f"row-{DB}-claim.html":
        return {
            "kb_labels": {
                "codes": labels_mod.CODE_LABELS,
                "statuses": labels_mod.STATUS_LABELS,
            }
        }
    if template == "index.html":

        async def home_vars() -> dict:
            return {
                "kb_articles": await _run(datasette, _article_list, ARTICLE_CHOICES),
                "kb_conditions": await _run(datasette, _conditions),
                "kb_db_url": datasette.urls.database(DB),
                "kb_review_url": datasette.urls.path("/-/review"),
                "kb_map_url": datasette.urls.path("/-/evidence-map"),
            }

        return home_vars
    if template == f"query-{DB}.html":

        async def query_vars() -> dict:
            # only what the query's parameters need: these pages are served often
            name = request.url_vars.get("table")
            query = await datasette.get_canned_query(DB, name, request.actor) if name else None
            sql = (query or {}).get("sql", "")
            out: dict = {"kb_articles": [], "kb_conditions": [], "kb_close": []}
            if ":article" in sql:
                out["kb_articles"] = await _run(datasette, _article_list, ARTICLE_CHOICES)
            if ":condition" in sql:
                conditions = await _run(datasette, _conditions, False)
                asked = request.args.get("condition", "")
                out["kb_conditions"] = conditions
                out["kb_close"] = close_matches(asked, conditions) if asked.strip() else []
                out["kb_asked"] = asked
            return out

        return query_vars
    return {}


# --- cells ---------------------------------------------------------------------------------


def _json_cell(value: str) -> Markup | None:
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    if isinstance(parsed, list):
        if not parsed:
            return Markup('<span class="kb-small">none</span>')
        items = []
        for item in parsed:
            if isinstance(item, dict):  # Crossref authors: {"given", "family"}
                item = " ".join(str(item[k]) for k in ("given", "family") if item.get(k)) or item
            items.append(f"<li>{escape(str(item))}</li>")
        return Markup(f'<ul class="kb-list">{"".join(items)}</ul>')
    if isinstance(parsed, dict):
        items = []
        for k, v in parsed.items():
            shown = json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
            items.append(f"<li><b>{escape(str(k))}</b>: {escape(shown)}</li>")
        return Markup(f'<ul class="kb-list">{"".join(items)}</ul>') if items else None
    return None


@hookimpl
def render_cell(value, column, table, database, datasette):  # noqa: ANN001, ANN201, ARG001
    """Words for codes and statuses (the code kept, small), lists for JSON list columns."""
    if database != DB or not isinstance(value, str) or value == "":
        return None
    words = LABELLED.get(column)
    if words is not None:
        codes = [c.strip() for c in value.split(",")]
        if all(c in words for c in codes):
            parts = [
                f'<span class="kb-label">{escape(words[c])} <small>({escape(c)})</small></span>'
                for c in codes
            ]
            return Markup("<br>".join(parts))
    if column in JSON_COLUMNS and value[:1] in "[{":
        return _json_cell(value)
    return None


# --- requests ------------------------------------------------------------------------------

_TABLE_PAGE = re.compile(rf"^/{DB}/(?P<table>[A-Za-z_]+)$")


def rewrite_query(path: str, query: str) -> str:
    """The query string a request is served with: JSON columns parsed in ``.json`` answers;
    machine-only columns left out of a table's default HTML view."""
    args = parse_qsl(query, keep_blank_values=True)
    names = {k for k, _ in args}
    if path.startswith(f"/{DB}") and path.endswith(".json"):
        have = {v for k, v in args if k == "_json"}
        args += [("_json", c) for c in JSON_COLUMNS if c not in have]
    elif (m := _TABLE_PAGE.match(path)) and not names & {"_col", "_nocol"}:
        args += [("_nocol", c) for c in HIDDEN_COLUMNS.get(m["table"], ())]
    else:
        return query
    return urlencode(args)


@hookimpl
def asgi_wrapper():  # noqa: ANN201
    def wrap(app):  # noqa: ANN001, ANN202
        async def rewrite(scope, receive, send):  # noqa: ANN001, ANN202
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                new = rewrite_query(scope.get("path", ""), query)
                if new != query:
                    scope = dict(scope, query_string=new.encode("latin-1"))
            await app(scope, receive, send)

        return rewrite

    return wrap
