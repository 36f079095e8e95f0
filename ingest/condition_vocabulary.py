"""The conditions vocabulary (``data/conditions.csv``): one row per condition, read as data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingest.resources import RESOURCES

VOCABULARY_PATH = RESOURCES.data_file("conditions.csv")


@dataclass(frozen=True)
class ConditionEntry:
    """One row of the vocabulary."""

    name: str
    mesh_id: str | None
    mesh_heading: str | None
    category: str | None
    parents: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    standalone_abbreviations: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def load_vocabulary(path: str | Path = VOCABULARY_PATH) -> list[ConditionEntry]:
    """Read the vocabulary CSV (columns as in data/conditions.csv)."""
    entries = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entries.append(
                ConditionEntry(
                    name=row["name"].strip(),
                    mesh_id=(row.get("mesh_id") or "").strip() or None,
                    mesh_heading=(row.get("mesh_heading") or "").strip() or None,
                    category=(row.get("category") or "").strip() or None,
                    parents=_split(row.get("parents")),
                    synonyms=_split(row.get("synonyms")),
                    abbreviations=_split(row.get("abbreviations")),
                    standalone_abbreviations=frozenset(_split(row.get("standalone_abbreviations"))),
                    exclude=_split(row.get("exclude")),
                )
            )
    return entries
