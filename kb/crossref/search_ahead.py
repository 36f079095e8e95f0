"""Crossref searches started as soon as they are known, answered when they are needed.

``Answers`` hands each search's answer to the suggestion step when that step reaches
its reference, so the references are concluded while later searches are still out and
nothing but the last one is left when the last answer arrives.

The list bucket (3 requests/s) bounds a run. A reference without a usable DOI (or whose
DOI Crossref just answered 404) needs its search whatever the verification of the others
says, so its search starts as soon as the
works the DOI look-ups returned are saved (they are local candidates and may spare it),
while the remaining references are planned; the suggestion step later takes the answer
(or starts what is left). Every search goes through the client's limiter; this only
keeps the bucket busy.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

import click
from sqlmodel import Session

from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError
from kb.crossref.cache import lookup, query_key, raw, save_response

ROWS = 5  # candidates asked for per search


def search(client: CrossrefClient, text: str) -> list[dict] | CrossrefError:
    """One ``query.bibliographic``: its items, or the error it ended with."""
    try:
        return client.search_bibliographic(text, rows=ROWS)
    except CrossrefError as err:
        return err


class SearchAhead:
    """Searches by text, each started once, on as many threads as the list bucket admits."""

    def __init__(self, client: CrossrefClient) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(client.limiter.limits.list_concurrency)
        self._futures: dict[str, Future] = {}

    def start(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text not in self._futures and not self.client.aborted_reason:
                self._futures[text] = self._pool.submit(search, self.client, text)

    def started(self, text: str) -> bool:
        return text in self._futures

    def result(self, text: str) -> list[dict] | CrossrefError:
        return self._futures[text].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> SearchAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Answers:
    """Query text -> (items, from cache), taken as each is needed: the cache's answer, or
    Crossref's (waited for, cached on arrival). The searches not cached start on entry, on
    ``ahead`` when it serves ``client``, else on a pool of their own closed on exit.
    ``fresh``: texts Crossref answered earlier in this run (not "from cache"); grows."""

    def __init__(
        self,
        session: Session,
        client: CrossrefClient | None,
        texts: list[str],
        fresh: set[str],
        *,
        ahead: SearchAhead | None = None,
        progress: bool = False,
    ) -> None:
        self.session = session
        self.fresh = fresh
        self._cached: dict[str, tuple[list[dict], bool]] = {}
        self._out: list[str] = []
        for text in dict.fromkeys(texts):
            row = lookup(session, query_key(text, ROWS))
            if row is not None:
                self._cached[text] = (raw(row) or [], text not in fresh)
            else:
                self._out.append(text)
        self._stack = ExitStack()
        self._searches: SearchAhead | None = None
        self._bar = None
        if client is not None and self._out and not client.aborted_reason:
            own = ahead is None or ahead.client is not client
            self._searches = self._stack.enter_context(SearchAhead(client)) if own else ahead
            self._searches.start(self._out)
            self._out = [t for t in self._out if self._searches.started(t)]
            if progress and self._out:
                bar = click.progressbar(
                    length=len(self._out), label="DOI suggestions", file=sys.stderr
                )
                self._bar = self._stack.enter_context(bar)

    def get(self, text: str | None) -> tuple[list[dict], bool] | None:
        """The answer for ``text``; None when there is none (no text, not asked, failed)."""
        if not text:
            return None
        if text in self._cached:
            return self._cached[text]
        if self._searches is None or not self._searches.started(text):
            return None
        items = self._searches.result(text)
        got = None
        if isinstance(items, list):
            save_response(self.session, query_key(text, ROWS), status="found", raw=items)
            self.fresh.add(text)
            got = (items, False)
        self._cached[text] = got  # type: ignore[assignment]
        if self._bar is not None:
            self._bar.update(1)
        return got

    def __enter__(self) -> Answers:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
