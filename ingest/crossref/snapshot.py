"""Offline snapshots in the format of Crossref's public data file.

A snapshot is a folder of ``.json.gz`` files, each ``{"items": [work message, ...]}``
(the real public data file has the same shape, so it imports too). Importing puts
every item into the cache and the works table with provenance ``snapshot``; it
never overwrites what the API said. A DOI missing from a snapshot stays unknown.

Regenerate the shipped snapshot: ``python -m ingest.crossref.snapshot`` (or
``kb crossref build-snapshot``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.crossref.cache import doi_key, lookup, save_response
from ingest.crossref.works import save_work
from ingest.resources import RESOURCES
from kb.models import Work

DEFAULT_SNAPSHOT = RESOURCES.data_file("snapshot")
# only in a source tree: the test world's works, written out as the shipped snapshot
DEFAULT_SOURCE = RESOURCES.root / "tests" / "fixtures" / "crossref-world" / "works.jsonl"


class SnapshotError(Exception):
    """A snapshot path that cannot be read (one-line reason)."""


def snapshot_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise SnapshotError(f"no snapshot at {path}")
    files = sorted(path.rglob("*.json.gz"))
    if not files:
        raise SnapshotError(f"no .json.gz files in {path}")
    return files


def read_items(file: Path) -> Iterator[dict]:
    try:
        with gzip.open(file, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{file}: not a gzipped JSON file ({exc})") from exc
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SnapshotError(f'{file}: expected {{"items": [...]}}')
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("DOI"), str):
            yield item


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
        and session.get(Work, item["DOI"].lower()) is not None
    )


def build_snapshot(source: Path, out_dir: Path, *, per_file: int = 5000) -> list[Path]:
    """Write ``out_dir/part-NNNNN.json.gz`` from a JSONL of work messages (reproducible bytes)."""
    items = [json.loads(line) for line in Path(source).read_text("utf-8").splitlines() if line]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(0, max(len(items), 1), per_file):
        file = out_dir / f"part-{i // per_file:05d}.json.gz"
        payload = json.dumps({"items": items[i : i + per_file]}, ensure_ascii=False, indent=1)
        with open(file, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0
        ) as gz:  # fmt: skip
            gz.write(payload.encode("utf-8"))
        written.append(file)
    return written


if __name__ == "__main__":
    for f in build_snapshot(DEFAULT_SOURCE, DEFAULT_SNAPSHOT):
        print(f)
