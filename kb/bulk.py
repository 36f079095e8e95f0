"""The one bulk write path: rows saved with plain ``sqlite3`` ``executemany``.

The build's writer (``kb.save``, ``kb.derive.write_derived``) and the Crossref snapshot
import write many rows of few shapes. SQLAlchemy's Core ``executemany`` costs about as
much per row as SQLite itself (parameter processing, compiled-statement caches), and
its ORM several times more; here each batch is one prepared statement on the DBAPI
connection of the caller's session, so the rows go in the session's own transaction
(the caller commits: one transaction per article, or per snapshot file). Defaults are
those of the models: a None (or a missing value) where the column has a scalar
default becomes the default, as the ORM's insert did; a callable default
(``utcnow``) is called once per batch for a column the rows do not give.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session


def dbapi(session: Session) -> sqlite3.Connection:
    """The ``sqlite3`` connection under ``session``, inside the session's transaction."""
    return session.connection().connection.driver_connection  # type: ignore[return-value]


def _table(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


_SCALAR: dict[str, dict[str, Any]] = {}
_CALLABLE: dict[str, dict[str, Any]] = {}


def _defaults(table: Table) -> tuple[dict[str, Any], dict[str, Any]]:
    """(scalar defaults, callable defaults) of ``table``'s columns, by column name."""
    if table.name not in _SCALAR:
        _SCALAR[table.name] = {
            c.name: c.default.arg
            for c in table.columns
            if c.default is not None and c.default.is_scalar
        }
        _CALLABLE[table.name] = {
            c.name: c.default.arg
            for c in table.columns
            if c.default is not None and c.default.is_callable
        }
    return _SCALAR[table.name], _CALLABLE[table.name]


def _values(table: Table, rows: Sequence[dict]) -> tuple[list[str], list[tuple]]:
    """The columns to write (those the first row names plus every column with a default)
    and each row's values in that order, defaults filled in."""
    scalar, call = _defaults(table)
    given = rows[0].keys()
    cols = [c.name for c in table.columns if c.name in given or c.name in scalar or c.name in call]
    fill = {name: fn(None) for name, fn in call.items()}  # SQLAlchemy's wrapper takes a context
    defaults = {**fill, **scalar}
    values = [
        tuple(
            v if (v := row.get(name)) is not None or name not in defaults else defaults[name]
            for name in cols
        )
        for row in rows
    ]
    return cols, values


def _insert_sql(verb: str, table: str, cols: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in cols)
    return f'{verb} INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'


def insert_rows(
    conn: sqlite3.Connection,
    model: Any,
    rows: Sequence[dict],
    *,
    verb: str = "INSERT",
) -> None:
    """One ``executemany`` of ``rows`` (dicts by column name) into ``model``'s table.

    The columns are those the first row names plus every column with a default; ``verb``
    may be ``INSERT OR IGNORE`` / ``INSERT OR REPLACE``."""
    if not rows:
        return
    table = _table(model)
    cols, values = _values(table, rows)
    conn.executemany(_insert_sql(verb, table.name, cols), values)


def upsert_rows(
    conn: sqlite3.Connection,
    model: Any,
    rows: Sequence[dict],
    *,
    key: str,
    keep: Sequence[str] = (),
) -> None:
    """Insert ``rows``; a row whose ``key`` (a unique column) exists updates that row's
    columns instead, all but ``key`` and ``keep`` (the row keeps its id, or rowid)."""
    if not rows:
        return
    table = _table(model)
    cols, values = _values(table, rows)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != key and c not in keep)
    conn.executemany(
        _insert_sql("INSERT", table.name, cols) + f' ON CONFLICT("{key}") DO UPDATE SET {sets}',
        values,
    )


def update_rows(
    conn: sqlite3.Connection, model: Any, rows: Sequence[dict], *, key: str = "id"
) -> None:
    """``UPDATE … SET <the rows' other columns> WHERE key = ?``, one ``executemany`` per
    set of columns the rows give."""
    if not rows:
        return
    table = _table(model)
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for row in rows:
        cols = tuple(c for c in row if c != key)
        groups.setdefault(cols, []).append((*(row[c] for c in cols), row[key]))
    for cols, values in groups.items():
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        conn.executemany(f'UPDATE "{table.name}" SET {sets} WHERE "{key}" = ?', values)
