"""What several commands share: the --db option, the Crossref options, opening a database."""

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


def crossref_options(func):
    """Options shared by every command that may talk to Crossref."""
    for opt in reversed(
        [
            click.option("--offline", is_flag=True, help="Use only the cache and local snapshots."),
            click.option("--refresh", is_flag=True, help="Look up DOIs again even when cached."),
            click.option(
                "--mailto",
                envvar="KB_MAILTO",
                help="Contact address for Crossref's polite pool (or KB_MAILTO).",
            ),
            click.option(
                "--crossref-url",
                "base_url",
                envvar="KB_CROSSREF_URL",
                help="Crossref API base URL (default https://api.crossref.org).",
            ),
        ]
    ):
        func = opt(func)
    return func
