"""Per-work results of the derived layers, computed once per work (``work_result``).

A work's evidence type, the conditions its title names and its complete reference in
AMA and Vancouver depend on the work's record and the rules alone, yet every article
citing the work asked for them again. They are stored per work with the digest of
what they were computed from (the record's columns and ``rules_version()``: the rules'
data files and the source of the code applying them), and recomputed only when that
digest changes. Within a process a memo keeps them between articles until the writer
has saved them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ingest.conditions import ConditionMatch, find_conditions
from ingest.resources import RESOURCES
from kb.bulk import dbapi
from kb.models import WorkResult

ROOT = Path(__file__).resolve().parent.parent  # the folder holding the kb and ingest packages
RULE_FILES = (
    # data through RESOURCES, so an installed wheel digests the rules it really uses
    RESOURCES.data_file("conditions.csv"),
    RESOURCES.data_file("evidence_rules.json"),
    ROOT / "ingest" / "evidence.py",
    ROOT / "ingest" / "conditions.py",
    ROOT / "kb" / "evidence.py",
    ROOT / "kb" / "audit" / "formatting.py",
)
RECORD = ("doi", "title", "authors", "container_title", "year", "volume", "issue", "page",
          "article_number", "type", "issn", "publisher")  # fmt: skip
_MEMO_MAX = 50_000


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Digest of the rules and of the code that applies them to a work."""
    h = hashlib.sha256(b"work-results-1")
    for path in RULE_FILES:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"-")
    return h.hexdigest()


def work_digest(work: Any, rules: str | None = None) -> str:
    record = [getattr(work, c) for c in RECORD]
    payload = json.dumps([rules or rules_version(), record], default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Computed:
    digest: str
    evidence_type: str | None
    evidence_signal: str | None
    title_conditions: list[ConditionMatch]
    fix_text: str | None = None


_memo: dict[str, Computed] = {}  # doi -> results, in this process


def _compute(work: Any, digest: str) -> Computed:
    from kb.evidence import classify_work

    etype, signal = classify_work(work)
    return Computed(digest, etype, signal, find_conditions(work.title) if work.title else [])


class WorkResults:
    """The stored results of the works an article touches; what it computes is ``pending``
    until ``rows()`` hands it to the writer."""

    def __init__(self, session: Session | None = None) -> None:
        self.session = session
        self.rules = rules_version()
        self._stored: dict[str, WorkResult | None] = {}
        self.pending: dict[str, Computed] = {}
        self.computed = 0  # results computed here (not found stored or memoised)

    def preload(self, dois: set[str]) -> None:
        todo = sorted(d for d in dois if d not in self._stored)
        if self.session is None or not todo:
            return
        for i in range(0, len(todo), 500):
            chunk = todo[i : i + 500]
            self._stored.update(dict.fromkeys(chunk))
            stmt = select(WorkResult).where(WorkResult.doi.in_(chunk))
            self._stored.update((r.doi, r) for r in self.session.execute(stmt).scalars())

    def get(self, work: Any) -> Computed:
        digest = work_digest(work, self.rules)
        got = _memo.get(work.doi)
        if got is not None and got.digest == digest:
            return got
        self.preload({work.doi})
        row = self._stored.get(work.doi)
        if row is not None and row.digest == digest:
            got = Computed(digest, row.evidence_type, row.evidence_signal,
                           [ConditionMatch(**m) for m in json.loads(row.title_conditions)],
                           row.fix_text)  # fmt: skip
        else:
            got = _compute(work, digest)
            self.pending[work.doi] = got
            self.computed += 1
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        _memo[work.doi] = got
        return got

    def evidence(self, work: Any) -> tuple[str, str]:
        got = self.get(work)
        return got.evidence_type, got.evidence_signal  # type: ignore[return-value]

    def title_conditions(self, work: Any, defs: dict[str, str] | None) -> list[ConditionMatch]:
        """``find_conditions(work.title, defined_abbreviations=defs)``: the stored answer
        unless one of the article's abbreviations occurs in the title (only then can they
        change it)."""
        if defs and any(abbr in work.title for abbr in defs):
            return find_conditions(work.title, defined_abbreviations=defs)
        return self.get(work).title_conditions

    def fix_text(self, work: Any) -> str:
        from kb.audit.formatting import fix_text

        got = self.get(work)
        if got.fix_text is None:
            got.fix_text = fix_text(work)
            self.pending[work.doi] = got
        return got.fix_text

    def rows(self) -> list[dict]:
        """The results to save (``save_rows``), and forget them."""
        out = [
            {"doi": doi, "digest": c.digest, "evidence_type": c.evidence_type,
             "evidence_signal": c.evidence_signal, "fix_text": c.fix_text,
             "title_conditions": json.dumps([asdict(m) for m in c.title_conditions],
                                            ensure_ascii=False)}
            for doi, c in self.pending.items()
        ]  # fmt: skip
        self.pending = {}
        return out


_COLUMNS = ("doi", "digest", "evidence_type", "evidence_signal", "title_conditions", "fix_text")
_UPSERT = (
    f"INSERT INTO work_result ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(doi) DO UPDATE SET digest = excluded.digest, "
    "evidence_type = excluded.evidence_type, evidence_signal = excluded.evidence_signal, "
    "title_conditions = excluded.title_conditions, fix_text = "
    "CASE WHEN work_result.digest = excluded.digest "
    "THEN coalesce(excluded.fix_text, work_result.fix_text) ELSE excluded.fix_text END"
)


def save_rows(session: Session, rows: list[dict]) -> None:
    """Upsert results; a known fix text survives a save without one for the same digest."""
    if rows:
        dbapi(session).executemany(_UPSERT, [tuple(r[c] for c in _COLUMNS) for r in rows])
