"""Importing an offline snapshot into the database.

Every item goes into the cache and the works table with provenance ``snapshot``; it
never overwrites what the API said (``ingest/crossref/snapshot.py`` reads the files).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.crossref.snapshot import read_items, snapshot_files
from ingest.doi import normalize_doi
from kb.crossref.cache import doi_key, lookup, save_response
from kb.crossref.works import save_work
from kb.models import Work


def import_snapshot(
    engine: Engine, path: Path, *, on_file: Callable[[Path, int], None] | None = None
) -> int:
    """Load every work of a snapshot; one transaction per file. Returns works imported."""
    total = 0
    for file in snapshot_files(path):
        n = 0
        with Session(engine) as session:
            for item in read_items(file):
                if _unchanged(session, item):
                    n += 1  # imported before, word for word: rewriting it would change nothing
                    continue
                saved = save_response(
                    session, doi_key(item["DOI"]), status="found", raw=item,
                    doi=item["DOI"], provenance="snapshot",
                )  # fmt: skip
                if saved is not None:
                    save_work(session, item, provenance="snapshot")
                    n += 1
            session.commit()
        total += n
        if on_file:
            on_file(file, n)
    return total


def _unchanged(session: Session, item: dict) -> bool:
    row = lookup(session, doi_key(item["DOI"]))
    return (
        row is not None
        and row.provenance == "snapshot"
        and row.raw_json == json.dumps(item, ensure_ascii=False)
        and session.get(Work, normalize_doi(item["DOI"], strict=False)) is not None
    )
