"""Datasette settings for serving the knowledge base, kept in one place.

The README shows this table; ``kb.serve`` turns it into ``--setting`` flags
(for the real server) or a ``settings=`` dict (for in-process tests).
Serving is read-only: Datasette opens the file with read-only connections,
the metadata defines no writable canned query and no plugin writes.
"""

from __future__ import annotations

SETTINGS: dict[str, int | bool] = {
    # a runaway query (e.g. a cross join typed into the SQL box) is cut off
    "sql_time_limit_ms": 3000,
    # a page-size cap: no single JSON/HTML response holds more rows than this
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    # Suggested facets try a GROUP BY on every column of every page: seconds on the
    # million-row tables. The metadata's default facets are the ones that matter.
    "suggest_facets": False,
    # the database file is not offered for download from the live instance;
    # `kb publish` produces the file for anyone who wants all of it
    "allow_download": False,
    # long claim and reference texts stay readable in table views
    "truncate_cells_html": 0,  # fix text, references and claims are the point: never cut
    # keep ?_context=1 and ?_trace=1 off in public
    "template_debug": False,
    "trace_debug": False,
}


def settings_argv(settings: dict[str, int | bool] | None = None) -> list[str]:
    """The settings as ``--setting NAME VALUE`` command-line flags."""
    argv: list[str] = []
    for name, value in (settings or SETTINGS).items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        argv += ["--setting", name, text]
    return argv
