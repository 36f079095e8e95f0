"""Small helpers the pages share: rows as dicts, JSON lists, safe links."""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import quote, urlsplit


def rows(conn: sqlite3.Connection, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    """Every row of ``sql`` as a dict (whatever row factory the connection has)."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def json_list(value: str | None) -> list:
    """A stored JSON list as a list ([] for null, invalid JSON or a non-list)."""
    try:
        out = json.loads(value or "[]")
    except ValueError:
        return []
    return out if isinstance(out, list) else []


def json_object(value: str | None) -> dict:
    try:
        out = json.loads(value or "{}")
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: ``javascript:`` and friends never become links."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi else None


def entry_label(number: int | None, key: str) -> str:
    """How an editor names an entry: its number, else its key."""
    return str(number) if number is not None else key


def anchor(label: str) -> str:
    """A fragment id for an entry label (keys can hold any character)."""
    return "entry-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def author_names(value: str | None) -> list[str]:
    """Authors stored as a JSON list of strings or of Crossref {family, given} objects."""
    names = []
    for a in json_list(value):
        if isinstance(a, str) and a.strip():
            names.append(a.strip())
        elif isinstance(a, dict):
            name = " ".join(str(a[k]) for k in ("given", "family") if a.get(k)) or a.get("name")
            if name:
                names.append(str(name))
    return names
