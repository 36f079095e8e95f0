"""Engine and the one idempotent function that gives a database its shape."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, create_engine

from kb import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from kb.schema import apply_extras

DEFAULT_DB = "kb.db"


def get_engine(path: str | Path = DEFAULT_DB) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        # WAL: Datasette keeps reading while a build writes.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def ensure_db_shape(engine: Engine) -> None:
    """Create missing tables and columns, then indexes, full-text search and views.

    Safe to repeat; a database made by an older version gains the columns added since."""
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        add_missing_columns(conn)
        apply_extras(conn)


def add_missing_columns(conn: Connection) -> list[str]:
    """``ALTER TABLE … ADD COLUMN`` for model columns an existing table lacks."""
    added = []
    for table in SQLModel.metadata.sorted_tables:
        have = {row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
        for col in table.columns:
            if not have or col.name in have:
                continue
            ddl = f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" '
            ddl += col.type.compile(conn.dialect)
            default = col.default.arg if col.default is not None else None
            if isinstance(default, bool | int | float):
                ddl += f" DEFAULT {int(default) if isinstance(default, bool) else default}"
            elif isinstance(default, str):
                ddl += " DEFAULT '" + default.replace("'", "''") + "'"
            conn.exec_driver_sql(ddl)
            added.append(f"{table.name}.{col.name}")
    return added


def open_db(path: str | Path = DEFAULT_DB) -> Engine:
    engine = get_engine(path)
    ensure_db_shape(engine)
    return engine


def session(engine: Engine) -> Session:
    return Session(engine)
