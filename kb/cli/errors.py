"""Every failure of a command is one clean line and a non-zero exit, never a traceback.

User errors are raised as ``click.ClickException`` where they are found; everything else
that escapes a command (a full disk, a locked or foreign database file, an OS error) is
turned into one line here, by what it is, with the database path when one was given."""

from __future__ import annotations

import errno
import sqlite3

import click

MAX_LINE = 300


def db_path_of(ctx: click.Context) -> str | None:
    return ctx.meta.get("kb.db_path")


def remember_db(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """``--db`` callback: keep the path where the error handler can name it."""
    ctx.meta["kb.db_path"] = value
    return value


def one_line(exc: BaseException, db_path: str | None = None) -> str:
    """A one-line description of an unexpected error."""
    from kb.lock import DatabaseBusy

    db = db_path or "the database"
    if isinstance(exc, DatabaseBusy):
        return str(exc)
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    low = text.lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in low:
        return f"the disk is full: could not write {db} (free some space and build again)"
    if "database is locked" in low or "database is busy" in low:
        return f"{db} is locked by another process writing it; try again when it has finished"
    if "file is not a database" in low or "file is encrypted" in low:
        return f"{db} is not an SQLite database (wrong --db?)"
    if "unable to open database file" in low:
        return f"cannot open {db} (does its folder exist, and may we write there?)"
    if "readonly database" in low:
        return f"{db} is read-only: cannot write it"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlalchemy"):
        text = text.split(" [SQL:")[0]  # SQLAlchemy appends the statement
    line = f"{type(exc).__name__}: {text}"
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


class OneLineErrors(click.Group):
    """A group whose commands fail with one line (``Error: …``) and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # noqa: BLE001 - the point: nothing escapes as a traceback
            raise click.ClickException(one_line(exc, db_path_of(ctx))) from None
