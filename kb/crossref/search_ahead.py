"""Crossref searches started as soon as they are known, answered when they are needed.

The list bucket (3 requests/s) bounds a run. A reference without a usable DOI needs its
search whatever the verification of the others says, so its search starts as soon as the
works the DOI look-ups returned are saved (they are local candidates and may spare it),
while the remaining references are planned; the suggestion step later takes the answer
(or starts what is left). Every search goes through the client's limiter; this only
keeps the bucket busy.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from ingest.crossref.client import CrossrefClient
from ingest.crossref.errors import CrossrefError

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
