"""Offline snapshots in the format of Crossref's public data file: reading and writing files.

A snapshot is a folder of ``.json.gz`` files, each ``{"items": [work message, ...]}``
(the real public data file has the same shape, so it imports too). Importing them
into the database is ``kb/crossref/snapshot.py``. A DOI missing from a snapshot
stays unknown.

Regenerate the shipped snapshot: ``python -m ingest.crossref.snapshot`` (or
``kb crossref build-snapshot``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from ingest.resources import RESOURCES

DEFAULT_SNAPSHOT = RESOURCES.data_file("snapshot")
DEFAULT_SOURCE = DEFAULT_SNAPSHOT / "source" / "works.jsonl"


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
