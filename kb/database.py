"""Engine and the one idempotent function that gives a database its shape."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from kb import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from kb.schema import apply_extras

DEFAULT_DB = "kb.db"


def get_engine(path: str | Path = DEFAULT_DB) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        # WAL: Datasette keeps reading while a build writes.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def ensure_db_shape(engine: Engine) -> None:
    """Create missing tables, then indexes, full-text search and views. Safe to repeat."""
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        apply_extras(conn)


def open_db(path: str | Path = DEFAULT_DB) -> Engine:
    engine = get_engine(path)
    ensure_db_shape(engine)
    return engine


def session(engine: Engine) -> Session:
    return Session(engine)
