"""What several commands share: the --db option and opening a database that must exist."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import Engine

from kb.cli.errors import remember_db

DB_OPTION = click.option(
    "--db",
    "db_path",
    default="kb.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database file.",
    callback=remember_db,
    is_eager=True,
)


def open_existing(db_path: str | Path, *, must_exist: bool = True) -> Engine:
    """The shaped database, or a one-line error when there is none to read."""
    from kb.database import open_db

    if must_exist and not Path(db_path).exists():
        raise click.ClickException(f"no knowledge base at {db_path} (run `kb build` first)")
    return open_db(db_path)
