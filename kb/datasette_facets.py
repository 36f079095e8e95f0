"""Column facets of the table pages, answered from the build's summaries where they can be.

Datasette 0.65 computes every facet of a table page with one ``GROUP BY`` over the rows
the page matches: on the million-row tables (claims, entries, findings, tags) that is a
scan of a million index entries per facet on every request. The build keeps
``facet_total`` (rows per table, column and value) and ``facet_article`` (the same per
article) by triggers (``kb.summary.FACETS``), so:

- an **unfiltered** page reads each facet's values from ``facet_total``;
- a page **filtered on one faceted value** (``?is_study_description=1``) reads its
  ``article_id`` facet from ``facet_article`` and its own column's facet from
  ``facet_total``; its other facets walk only that value's entries of the covering
  index that leads with the filtered column;
- a **search** page (``_search``) whose search matches more than ``SEARCH_FACET_ROWS``
  rows skips the facets the summaries cannot answer (each matching row would be looked
  up one by one); the page says so above the rows, with a link adding ``_facet_all=1``,
  which computes them anyway within ``facet_time_limit_ms``;
- everything else (other filters, ``_next`` pages, a database whose summaries are stale
  or missing) is computed by Datasette's own ``ColumnFacet``, unchanged.

Results have exactly the shape of Datasette's column facets (``type`` ``column``), so the
JSON API is the same whichever way a facet was answered. This module depends on Datasette
alone, so ``kb publish`` can ship it as is.
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

# Above this many matching rows a search page's facets cost a row lookup each: skipped.
SEARCH_FACET_ROWS = 10_000
FORCE_ARG = "_facet_all"

# kept in step with kb.summary.FACETS by a test (this module must not import kb)
SUMMARY_FACETS: list[tuple[str, str]] = [
    ("section", "article_id"), ("section", "is_references"),
    ("claim", "article_id"), ("claim", "is_study_description"),
    ("marker", "style"), ("marker", "article_id"),
    ("reference", "doi_status"), ("reference", "verification"),
    ("reference", "evidence_type"), ("reference", "source_type"),
    ("study_link", "dangling"), ("study_link", "article_id"),
    ("claim_condition", "condition_id"), ("claim_condition", "inherited"),
    ("reference_condition", "condition_id"), ("reference_condition", "field"),
    ("finding", "code"), ("finding", "severity"), ("finding", "article_id"),
]  # fmt: skip


class SummaryColumnFacet(ColumnFacet):
    """Datasette's column facet, reading precomputed counts where the page allows it."""

    async def facet_results(self):
        configs = self.get_configs()
        answered: dict[int, dict] = {}
        skipped: list[str] = []
        rest: list[int] = []
        fresh = await self._summaries_fresh()
        too_many = await self._search_too_large()
        for i, sc in enumerate(configs):
            column = sc["config"].get("column") or sc["config"]["simple"]
            rows = await self._summary_rows(column) if fresh else None
            if rows is None:
                rows = await self._indexed_rows(column)
            if rows is not None:
                answered[i] = await self._result(column, sc["source"], rows)
            elif too_many:
                skipped.append(column)
            else:
                rest.append(i)
        computed, timed_out = [], []
        if rest:
            self._only = [configs[i] for i in rest]
            computed, timed_out = await super().facet_results()
            self._only = None
        by_name = {}
        for r in computed:
            by_name.setdefault(r["name"], []).append(r)
        out = []
        for i, sc in enumerate(configs):
            column = sc["config"].get("column") or sc["config"]["simple"]
            if i in answered:
                out.append(answered[i])
            elif by_name.get(column):
                out.append(by_name[column].pop(0))
        if skipped:  # the page says why, with a link that computes them (extra_template_vars)
            self.request.scope["kb_facets_skipped"] = skipped
        return out, timed_out

    def get_configs(self):
        only = getattr(self, "_only", None)
        return only if only is not None else super().get_configs()

    # --- which summary answers this page -------------------------------------------

    def _faceted(self, column: str) -> bool:
        return (self.table, column) in self._summary_columns

    _summary_columns = frozenset(SUMMARY_FACETS)

    def _filter(self) -> tuple[str, object] | None:
        """``(column, value)`` when the page's only condition is ``column = value`` on a
        summarised column; ``("", None)`` when it has no condition at all; else None."""
        if "_next" in self.request.args:
            return self._filter_of_later_page()
        table = escape_sqlite(self.table)
        sql = " ".join(self.sql.split())
        if sql.endswith(f" from {table}") and not self.params:
            return ("", None)
        if set(self.params) != {"p0"}:
            return None
        for t, column in self._summary_columns:
            # Datasette's filters quote the column name; accept either spelling
            names = {escape_sqlite(column), '"' + column.replace('"', '""') + '"'}
            ends = [f" from {table} where {c} = :p0" for c in names]
            if t == self.table and any(sql.endswith(e) for e in ends):
                return (column, self.params["p0"])
        return None

    def _filter_of_later_page(self) -> tuple[str, object] | None:
        """The same for a later page (``_next``), whose SQL also holds the page's cursor:
        read from the request's arguments, the only source of conditions here (Datasette's
        column filters; ``_search``, ``_where``, ``_through`` are left to Datasette). Its
        facets are those of the whole selection, as on the first page and as the row count
        is; Datasette 0.65 would count only the rows from the cursor on."""
        args = parse_qsl(self.request.query_string, keep_blank_values=True)
        if any(k.startswith(("_search", "_where", "_through", "_fts")) for k, _ in args):
            return None
        conditions = [(k, v) for k, v in args if not k.startswith("_") or "__" in k]
        if not conditions:
            return ("", None)
        if len(conditions) != 1:
            return None
        key, value = conditions[0]
        column = key[: -len("__exact")] if key.endswith("__exact") else key
        if "__" in column or (self.table, column) not in self._summary_columns:
            return None
        return (column, value)

    async def _summary_rows(self, column: str) -> list[tuple] | None:
        """``(value, count)`` rows of the facet from the summaries, or None."""
        if not self._faceted(column):
            return None
        page = self._filter()
        if page is None:
            return None
        limit = self.get_facet_size() + 1
        on, value = page
        table = escape_sqlite(self.table)
        if not on or on == column:
            sql = (
                "select value, n from facet_total where table_name = :t and column_name = :c"
                + (f" and value = (select {escape_sqlite(on)} from {table} where "
                   f"{escape_sqlite(on)} = :v limit 1)" if on else "")
                + " order by n desc, value limit :limit"
            )  # fmt: skip
        elif column == "article_id":
            sql = (
                "select article_id, n from facet_article where table_name = :t and "
                f"column_name = :on and value = (select {escape_sqlite(on)} from {table} "
                f"where {escape_sqlite(on)} = :v limit 1) order by n desc, article_id limit :limit"
            )
        else:
            return None
        params = {"t": self.table, "c": column, "on": on, "v": value, "limit": limit}
        try:
            result = await self.ds.execute(self.database, sql, params)
        except sqlite3.Error:
            return None
        return [tuple(r) for r in result.rows]

    async def _indexed_rows(self, column: str) -> list[tuple] | None:
        """A page filtered on one faceted value (``?verification=not_found``): another
        column's facet walks only that value's entries of the covering index leading with
        the filtered column (``idx_<table>_facet_<column>``, kb.schema.FACET_INDEXES).
        Left to itself SQLite walks the whole index of the faceted column instead, to
        group without sorting: a million entries for a value that has none."""
        page = self._filter()
        if page is None or page[0] in ("", "article_id", column) or column == "article_id":
            return None  # unfiltered, one article's few rows, or answered by the summaries
        on, value = page
        if not await self._few_rows(on, value):
            return None
        index = escape_sqlite(f"idx_{self.table}_facet_{on}")
        col = escape_sqlite(column)
        sql = (
            f"select {col} as value, count(*) as count from {escape_sqlite(self.table)} "
            f"indexed by {index} where {escape_sqlite(on)} = :p0 and {col} is not null "
            f"group by {col} order by count desc, value limit {self.get_facet_size() + 1}"
        )
        try:
            result = await self.ds.execute(
                self.database,
                sql,
                {"p0": value},
                custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                log_sql_errors=False,
            )
        except (sqlite3.Error, QueryInterrupted):  # no such index (older database), too slow
            return None
        return [tuple(r) for r in result.rows]

    async def _few_rows(self, on: str, value: object) -> bool:
        """The value holds under a third of the table's rows (walking its entries and
        sorting them beats walking the faceted column's whole index), by the summaries."""
        table = escape_sqlite(self.table)
        sql = (
            "select coalesce(sum(case when value = (select {on} from {table} where {on} = :v "
            "limit 1) then n end), 0), sum(n) from facet_total where table_name = :t "
            "and column_name = :c"
        ).format(on=escape_sqlite(on), table=table)
        try:
            if not await self._summaries_fresh():
                return False
            found = (
                await self.ds.execute(self.database, sql, {"v": value, "t": self.table, "c": on})
            ).first()
        except sqlite3.Error:
            return False
        return bool(found and found[1] and 3 * found[0] < found[1])

    async def _summaries_fresh(self) -> bool:
        if not any(t == self.table for t, _ in self._summary_columns):
            return False
        try:
            stale = await self.ds.execute(
                self.database,
                "select exists (select 1 from summary_dirty_article) "
                "or not exists (select 1 from facet_total)",
            )
        except sqlite3.Error:
            return False
        return not stale.first()[0]

    async def _search_too_large(self) -> bool:
        """A ``_search`` page matching more than ``SEARCH_FACET_ROWS`` rows, unless
        ``_facet_all=1`` asks for the facets anyway. A search with other conditions is
        counted here up to one row more than that (``asgi_wrapper`` serves search pages
        with ``_nocount=1``): the exact count when it is no more, else "more than"."""
        state = self.request.scope.get("kb_search")
        if state is None and not any(k.startswith("_search") for k in self.request.args):
            return False
        known = self.row_count
        if known is None and state is not None:
            known = state.get("count")  # counted in the full-text index by asgi_wrapper
        if known is None:
            capped = await self.ds.execute(
                self.database,
                f"select count(*) from (select 1 from ({self.sql}) limit {SEARCH_FACET_ROWS + 1})",
                self.params,
            )
            known = capped.first()[0]
            if state is not None and known <= SEARCH_FACET_ROWS:
                state["count"] = known
            elif state is not None:
                state["more_than"] = SEARCH_FACET_ROWS
        return known > SEARCH_FACET_ROWS and not self.request.args.get(FORCE_ARG)

    # --- the same result shape as Datasette's ColumnFacet ----------------------------

    async def _result(self, column: str, source: str, rows: list[tuple]) -> dict:
        size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        shown = rows[:size]
        expanded = await self.ds.expand_foreign_keys(
            self.database, self.table, column, [v for v, _ in shown]
        )
        column_qs = f"{column}__exact" if column.startswith("_") else column
        values = []
        for value, count in shown:
            selected = (column_qs, str(value)) in qs_pairs
            toggle = (
                path_with_removed_args(self.request, {column_qs: str(value)})
                if selected
                else path_with_added_args(self.request, {column_qs: value})
            )
            values.append(
                {
                    "value": value,
                    "label": expanded.get((column, value), value),
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(
                path_with_removed_args(self.request, {"_facet": column})
            ),
            "results": values,
            "truncated": len(rows) > size,
        }


@hookimpl(hookwrapper=True)
def register_facet_classes():
    """Put ``SummaryColumnFacet`` where Datasette's ``ColumnFacet`` was: same type, same
    configuration (``facets`` in the metadata, ``?_facet=``), same result shape."""
    outcome = yield
    outcome.force_result(
        [
            [SummaryColumnFacet if k is ColumnFacet else k for k in classes]
            for classes in outcome.get_result()
        ]
    )


# --- search pages: the row count from the full-text index --------------------------------

_TABLE_PATH = re.compile(r"^/(?P<db>[A-Za-z0-9_-]+)/(?P<table>[A-Za-z_]+)(?P<json>\.json)?$")
# request arguments that add conditions besides the search itself
_CONDITION_ARGS = ("_where", "_through", "_fts_table", "_fts_pk", "_search_")


def _only_search(args: list[tuple[str, str]]) -> bool:
    """The search is the page's only condition (``_next``, ``_size``, ``_sort``... allowed)."""
    names = [k for k, _ in args]
    if names.count("_search") != 1:
        return False
    for k in names:
        if not k.startswith("_") or "__" in k or k.startswith(_CONDITION_ARGS):
            return False
    return dict(args).get("_shape") not in ("array", "object")


async def search_count(datasette, database: str, table: str, args: list[tuple[str, str]]):
    """Rows matching the page's search, counted in the full-text index alone (its rows are
    the table's rows: external-content FTS kept by triggers), or None when it does not apply."""
    fts = datasette.table_metadata(database, table).get("fts_table")
    if not fts or not _only_search(args):
        return None
    given = dict(args)
    raw = given.get("_searchmode", datasette.table_metadata(database, table).get("searchmode"))
    match = ":search" if raw == "raw" else "escape_fts(:search)"
    sql = f"select count(*) from {escape_sqlite(fts)} where {escape_sqlite(fts)} match {match}"
    try:
        result = await datasette.execute(database, sql, {"search": given["_search"]})
    except sqlite3.Error:
        return None
    return result.first()[0]


@hookimpl
def asgi_wrapper(datasette):
    """Search pages' row counts without Datasette's lookups: Datasette 0.65 counts the
    matches by looking each one up in the table (217,840 lookups for "fatigue" over 10,000
    articles). A search page is served with ``_nocount=1``; a search that is the page's
    only condition is counted in the full-text index, one with filters by the facet class
    up to ``SEARCH_FACET_ROWS`` (more is shown as "more than"). The count is put back
    where Datasette puts its own: ``filtered_table_rows_count`` in the JSON (null when
    only "more than" is known), the row count in the page's heading."""

    def wrap(app):
        async def counted(scope, receive, send):
            m = _TABLE_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
            query = scope.get("query_string", b"").decode("latin-1") if m else ""
            args = parse_qsl(query, keep_blank_values=True) if "_search" in query else []
            searched = any(k.startswith("_search") and k != "_searchmode" for k, _ in args)
            if not (m and searched and scope.get("method", "GET") in ("GET", "HEAD")):
                return await app(scope, receive, send)
            try:
                database = datasette.get_database(route=m["db"]).name
            except KeyError:
                return await app(scope, receive, send)
            fts = datasette.table_metadata(database, m["table"]).get("fts_table")
            if not fts or dict(args).get("_shape") in ("array", "object"):
                return await app(scope, receive, send)
            # shared by every copy of the scope: the facet class fills in what it counts
            state = {"count": await search_count(datasette, database, m["table"], args)}
            if "_nocount" not in dict(args):
                args.append(("_nocount", "1"))
            scope = dict(scope, query_string=urlencode(args).encode("latin-1"), kb_search=state)
            if not m["json"]:
                return await app(scope, receive, send)
            await app(scope, receive, _json_with_count(send, state))

        return counted

    return wrap


def _json_with_count(send, state: dict):
    """``send`` for a JSON table page: fills ``filtered_table_rows_count`` when it is null."""
    start: dict = {}
    chunks: list[bytes] = []

    async def patched(message):
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            return await send(message)
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        count = state.get("count")
        if (
            count is not None
            and isinstance(data, dict)
            and data.get("filtered_table_rows_count", 0) is None
        ):
            data["filtered_table_rows_count"] = count
            body = json.dumps(data, default=repr).encode("utf-8")
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send(dict(start, headers=headers))
        await send({"type": "http.response.body", "body": body})

    return patched


@hookimpl
def extra_template_vars(request, view_name):
    """The search count of ``asgi_wrapper`` in the table page's heading; the facets a large
    search left out, for the note above the rows (``templates/_kb_facets_skipped.html``)."""
    if request is None or view_name != "table":
        return {}
    out: dict = {}
    state = request.scope.get("kb_search") or {}
    if state.get("count") is not None:
        out["filtered_table_rows_count"] = state["count"]
    if state.get("more_than"):
        out["kb_more_than"] = state["more_than"]
    if request.scope.get("kb_facets_skipped"):
        out["kb_facets_skipped"] = request.scope["kb_facets_skipped"]
        out["kb_search_facet_rows"] = SEARCH_FACET_ROWS
        out["kb_facet_all_url"] = path_with_added_args(request, {FORCE_ARG: "1"})
    return out
