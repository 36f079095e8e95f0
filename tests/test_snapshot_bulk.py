"""The bulk snapshot import (``kb.crossref.snapshot``) leaves exactly the rows the
record-by-record rules leave (``save_response`` and ``save_work`` per item, as the import
did before): fresh, again, changed, beside API answers, with a DOI given twice."""

from __future__ import annotations

import json
import sqlite3

from sqlmodel import Session

from ingest.crossref.testing import synthetic_works
from kb.crossref.cache import doi_key, lookup, save_response
from kb.crossref.snapshot import import_items
from kb.crossref.works import save_work
from kb.database import open_db
from kb.models import Work

STAMPS = {"fetched_at"}


def one_by_one(session: Session, items: list[dict]) -> int:
    """The import's rules, one record at a time through the ORM."""
    n = 0
    for item in items:
        row = lookup(session, doi_key(item["DOI"]))
        if (
            row is not None
            and row.provenance == "snapshot"
            and row.raw_json == json.dumps(item, ensure_ascii=False)
            and session.get(Work, item["DOI"].lower()) is not None
        ):
            n += 1
            continue
        saved = save_response(session, doi_key(item["DOI"]), status="found", raw=item,
                              doi=item["DOI"], provenance="snapshot")  # fmt: skip
        if saved is not None:
            save_work(session, item, provenance="snapshot")
            n += 1
    return n


def rows(db) -> dict[str, list]:
    out = {}
    with sqlite3.connect(db) as conn:
        for table in ("crossref_response", "work", "work_update"):
            cur = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")
            keep = [i for i, d in enumerate(cur.description) if d[0] not in STAMPS]
            out[table] = [tuple(r[i] for i in keep) for r in cur]
        fts = conn.execute("SELECT rowid FROM work_fts WHERE work_fts MATCH 'corrected'")
        out["fts"] = [r[0] for r in fts]
    return out


def scenario(tmp_path, name: str, write) -> tuple[dict, list[int]]:
    db = tmp_path / f"{name}.db"
    engine = open_db(db)
    works = synthetic_works()
    with Session(engine) as s:  # answers the API gave: a cache row and its work; a work only
        save_response(s, doi_key(works[0]["DOI"]), status="found", raw=works[0],
                      doi=works[0]["DOI"])  # fmt: skip
        save_work(s, dict(works[0], title=["As the API said"]), "api")
        save_work(s, dict(works[1], title=["Work from the API"]), "api")
        s.commit()
    changed = dict(works[2], title=["A corrected title"], **{"updated-by": [
        {"DOI": "10.1/notice", "type": "retraction", "label": "Retraction"}]})  # fmt: skip
    batches = [
        works[:5],
        works[:5],  # again, word for word
        [changed, works[5], works[6], dict(works[5], volume="99"), works[3]],  # twice: the last
        works[3:] + works[:2],
    ]
    counts = []
    for batch in batches:
        with Session(engine) as s:
            counts.append(write(s, batch))
            s.commit()
    engine.dispose()
    return rows(db), counts


def test_bulk_import_leaves_the_rows_of_the_record_by_record_rules(tmp_path):
    want, want_counts = scenario(tmp_path, "orm", one_by_one)
    got, got_counts = scenario(tmp_path, "bulk", lambda s, items: import_items(s, iter(items)))
    assert got_counts == want_counts
    assert len(want["work"]) == len(synthetic_works()) and want["fts"]
    for table in want:
        assert got[table] == want[table], table
