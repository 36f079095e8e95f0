"""What serving promises whatever file is served: the name ``kb`` and bounded responses.

- **The name.** Datasette names a database after its file stem, but the metadata, canned
  queries, templates and the plugin all speak of ``kb``: ``kb serve --db other.db`` must
  serve ``other.db`` as ``kb``. At startup the one database served is renamed ``kb``.
- **Bytes, not only rows and time.** ``sql_time_limit_ms`` counts SQLite's steps and
  ``max_returned_rows`` counts rows, but ``select randomblob(1000000000)`` is one step and
  one row of a gigabyte. Every read connection gets two limits: SQLite's own
  ``SQLITE_LIMIT_LENGTH`` (no string or blob, computed or stored, larger than
  ``MAX_VALUE_BYTES``: SQLite refuses it before allocating), and a row factory that stops
  a query once the rows it has returned pass ``MAX_RESPONSE_BYTES``. Either ends the query
  with an ordinary SQL error, which Datasette shows as one, and frees the thread at once.
"""

from __future__ import annotations

import sqlite3
import weakref

from datasette import hookimpl

NAME = "kb"
# Articles are capped at 5 MB of input; their text is stored as UTF-8 (at most 3 bytes a
# character from a single-byte code page), so no stored value comes near this.
MAX_VALUE_BYTES = 16 * 1024 * 1024
# One request's rows: 1,000 rows (max_returned_rows) of ordinary width are a few MB.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class ResponseTooLarge(sqlite3.OperationalError):
    pass


def _size(value: object) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    return 8


def bounded_row_factory(limit: int = MAX_RESPONSE_BYTES):
    """A ``sqlite3.Row`` factory that refuses the rows past ``limit`` bytes per cursor
    (Datasette opens a cursor per query, so this is a per-query budget)."""
    used: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def factory(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
        total = used.get(cursor, 0) + sum(_size(v) for v in row)
        if total > limit:
            raise ResponseTooLarge(
                f"the result is larger than {limit // (1024 * 1024)} MB: "
                "ask for fewer rows (_size=) or columns"
            )
        used[cursor] = total
        return sqlite3.Row(cursor, row)

    return factory


def bound_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = bounded_row_factory()


@hookimpl
def prepare_connection(conn, database, datasette):
    bound_connection(conn)


@hookimpl
def startup(datasette):
    """Serve the one database, whatever its file is called, as ``kb``."""
    served = [name for name in datasette.databases if name != "_internal"]
    if len(served) != 1 or served[0] == NAME:
        return
    db = datasette.databases[served[0]]
    if db.is_memory:
        return
    datasette.remove_database(served[0])
    datasette.add_database(db, name=NAME)
    # Connections opened under the old name are reused as they are; names matter only
    # for routing and metadata, both looked up per request.
