"""Stable row ids: a claim, reference or finding of unchanged content keeps its id, and so
its URL (``/kb/claim/<id>``), across rebuilds.

The design: ids stay ordinary increasing integers (table pages keep document order), and
when an article is saved again its rows are matched to the rows it had by content, not by
position, before the old rows are deleted:

==============  =======================================================
table           a row is "the same" when it has the same
==============  =======================================================
section         heading
claim           sentence text
reference       entry text (``raw``)
marker          claim (stable id), offset in the claim and text
study_link      claim (stable id) and cited key
finding         code, entry, claim, marker (stable ids) and keys
==============  =======================================================

with the n-th occurrence of equal content matched to the n-th. A matched row gets its old
id back; a new row gets the next id above every id the table holds (read before the old
rows go, so an id is never handed to different content within the life of the database;
only the top ids of rows deleted in an *earlier* build can come back). ``--force`` and
rebuilds of other articles therefore keep every id; a changed article keeps the ids of
its unchanged sentences and entries. Rows of other articles are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

# What makes a finding "the same finding" (the table above).
FINDING_KEY = ("code", "reference_id", "claim_id", "marker_id", "reference_key", "marker_key")


class IdKeeper:
    """Old ids of one article's rows in one table, by content key; hands out ids."""

    def __init__(
        self,
        session: Session,
        model: type,
        article_id: int | None,
        columns: Sequence[str],
    ) -> None:
        self._old: dict[tuple, int] = {}
        self._seen: dict[tuple, int] = {}
        table = model.__table__  # type: ignore[attr-defined]
        top = session.execute(select(func.max(table.c.id))).scalar()
        self._next = (top or 0) + 1
        if article_id is None:
            return
        cols = [table.c[c] for c in columns]
        rows = session.execute(
            select(table.c.id, *cols).where(table.c.article_id == article_id).order_by(table.c.id)
        )
        counts: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row[1:])
            n = counts.get(key, 0)
            counts[key] = n + 1
            self._old[(*key, n)] = row[0]

    def id_for(self, *key: Hashable) -> int:
        """The row's old id when the same content was there, else a new one."""
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        old = self._old.pop((*key, n), None)
        if old is not None:
            return old
        new = self._next
        self._next += 1
        return new

    def assign(self, rows: list[dict], key: Callable[[dict], tuple]) -> None:
        for row in rows:
            row["id"] = self.id_for(*key(row))
