"""Importing an offline snapshot into the database.

Every item goes into the cache and the works table with provenance ``snapshot``; it
never overwrites what the API said (``ingest/crossref/snapshot.py`` reads the files).

Crossref's public data file holds about 170 million records, so a file is imported in
bulk: its items are read and normalised, the cache rows and works they would replace
are looked up in a few queries, and what changes is written with one ``executemany``
per table (``kb.bulk``), one transaction per file. The result is the one the record-by-
record rules give: an item imported before word for word is left as it is, an ``api``
answer is never replaced (nor its work), and a DOI given twice keeps its last record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.crossref.message import update_notices, work_fields
from ingest.crossref.snapshot import read_items, snapshot_files
from ingest.doi import normalize_doi
from kb.bulk import dbapi, insert_rows, upsert_rows
from kb.models import CrossrefResponse, Work, WorkUpdate, utcnow

_CHUNK = 500  # keys per IN (...) query


def import_snapshot(
    engine: Engine, path: Path, *, on_file: Callable[[Path, int], None] | None = None
) -> int:
    """Load every work of a snapshot; one transaction per file. Returns works imported
    (records stored now or found stored word for word)."""
    total = 0
    for file in snapshot_files(path):
        with Session(engine) as session:
            n = import_items(session, read_items(file))
            session.commit()
        total += n
        if on_file:
            on_file(file, n)
    return total


def import_items(session: Session, items: Iterator[dict]) -> int:
    """Write one batch of work messages in the session's transaction (the caller commits)."""
    records: dict[str, tuple[str, str, dict]] = {}  # request key -> (doi, raw json, item)
    given: dict[str, int] = {}  # items per request key
    for item in items:
        doi = normalize_doi(item["DOI"], strict=False)
        key = f"doi:{doi}"
        # a DOI given twice: its last record, where its first was (as updating it would)
        records[key] = (doi, json.dumps(item, ensure_ascii=False), item)
        given[key] = given.get(key, 0) + 1
    conn = dbapi(session)
    cached = _existing(conn, "SELECT request_key, provenance, raw_json FROM crossref_response "
                       "WHERE request_key IN ({})", list(records))  # fmt: skip
    works = _existing(conn, "SELECT doi, provenance FROM work WHERE doi IN ({})",
                      [doi for doi, _raw, _item in records.values()])  # fmt: skip
    now = utcnow()
    responses, work_rows, updates, imported = [], [], [], 0
    for key, (doi, raw, item) in records.items():
        row = cached.get(key)
        if row is not None and row[0] == "api":
            continue  # the API is the better witness
        imported += given[key]
        if row is not None and row[0] == "snapshot" and row[1] == raw and doi in works:
            continue  # imported before, word for word: rewriting it would change nothing
        responses.append({"request_key": key, "doi": doi, "status": "found",
                          "http_status": 200, "raw_json": raw, "fetched_at": now,
                          "provenance": "snapshot"})  # fmt: skip
        if works.get(doi, ("snapshot",))[0] == "api":
            continue  # the cache row is the snapshot's, the work stays the API's
        work_rows.append({**work_fields(item), "provenance": "snapshot", "fetched_at": now})
        updates.extend(update_notices(item))
    upsert_rows(conn, CrossrefResponse, responses, key="request_key")
    upsert_rows(conn, Work, work_rows, key="doi", keep=("evidence_type", "evidence_signal"))
    replaced = [(w["doi"],) for w in work_rows if w["doi"] in works]
    conn.executemany("DELETE FROM work_update WHERE work_doi = ?", replaced)
    insert_rows(conn, WorkUpdate, updates)
    return imported


def _existing(conn, sql: str, keys: list[str]) -> dict[str, tuple]:
    """Rows of ``sql`` (first column the key) for ``keys``, a few hundred keys a query."""
    out: dict[str, tuple] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        for row in conn.execute(sql.format(", ".join("?" * len(chunk))), chunk):
            out[row[0]] = tuple(row[1:])
    return out
