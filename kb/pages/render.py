"""The review page as one self-contained HTML file (``kb audit --format html``).

The same template body as the served page, rendered with Jinja outside Datasette: styles and
the copy script are inline, nothing is loaded from elsewhere, so an editor can mail the file.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ingest.resources import RESOURCES

from .review import review_data


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(RESOURCES.templates)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def render_review_html(conn: sqlite3.Connection, article_ids: list[int], summary: str = "") -> str:
    """One HTML document with the review page of each article, in the given order."""
    reviews = [rv for i in article_ids if (rv := review_data(conn, i)) is not None]
    return (
        _env()
        .get_template("kb_report.html")
        .render(
            reviews=reviews,
            row_url=None,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            summary=summary,
        )
    )
