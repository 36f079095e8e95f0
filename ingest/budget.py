"""A wall-clock budget for parsing one article, enforced inside the process that parses.

``with article_budget(60): parse_article(...)`` raises ``ArticleTimeout`` (an
``IngestError`` with stage ``timeout``) once 60 s have passed, naming the stage the parser
had reached (``at_stage`` is called as it moves on: decode, read, parse). It uses
``SIGALRM`` (``setitimer``), so it applies in a process's main thread: a parser worker, or
the CLI parsing in-process. Elsewhere (a build run in a server's thread) there is no
budget. Python handles signals between bytecodes, so a single call stuck in C is cut off
when it returns; the readers are linear-time, which keeps such calls short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.types import IngestError

DEFAULT_SECONDS = 60.0
REPEAT = 0.25
_STAGE_WORDS = {"decode": "decoding", "read": "reading", "parse": "parsing"}
_stage = "read"


class ArticleTimeout(IngestError):
    """The article took longer than its budget."""


def at_stage(name: str) -> None:
    """The parser has moved on to ``name`` (what a timeout will report)."""
    global _stage
    _stage = name


def can_enforce() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def article_budget(seconds: float | None) -> Iterator[None]:
    """Raise ``ArticleTimeout`` inside the block once ``seconds`` have passed."""
    if not seconds or seconds <= 0 or not can_enforce():
        yield
        return
    at_stage("read")

    def on_alarm(_signum: int, _frame: object) -> None:
        doing = _STAGE_WORDS.get(_stage, _stage)
        raise ArticleTimeout(
            f"timeout: over the {seconds:g} s budget while {doing} (--article-timeout)",
            stage="timeout",
        )

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # Then again every REPEAT s: a parser's "except Exception" that swallowed the first
    # one (it guards against its own bugs) cannot keep the article running.
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
