"""One writer at a time: a build holds an exclusive lock on ``<db>.lock``.

SQLite serialises single transactions, but a build is thousands of them; two builds
interleaved would each see the other's half-written articles (duplicate suggestions,
a UNIQUE failure on the vocabulary, failure rows for articles that are there). The lock
is ``flock`` on a file beside the database: released by the kernel when the process
ends, however it ends (``kill -9`` included), so it never goes stale. Readers (Datasette)
never take it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL = 0.2  # seconds between attempts while waiting


class DatabaseBusy(Exception):
    """Another process holds the write lock and we may not wait (longer)."""


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


@contextmanager
def write_lock(
    db_path: str | Path,
    *,
    wait: float | None = None,
    echo: Callable[[str], None] = lambda _msg: None,
) -> Iterator[None]:
    """Hold the database's write lock for the block. ``wait``: seconds to wait for another
    writer (None: as long as it takes, 0: not at all); says once that it is waiting."""
    path = lock_path(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        _acquire(fd, db_path, wait, echo)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, db_path: str | Path, wait: float | None, echo: Callable) -> None:
    deadline = None if wait is None else time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(fd)
        if deadline is not None and time.monotonic() >= deadline:
            waited = f" after waiting {wait:g} s" if wait else ""
            raise DatabaseBusy(f"another build is writing {db_path}{holder}{waited}; try later")
        if not told:
            echo(f"Waiting for another build writing {db_path}{holder} to finish…")
            told = True
        time.sleep(POLL)


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
