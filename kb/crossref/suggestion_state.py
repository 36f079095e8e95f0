"""What a reference's suggestion was computed from, so that unchanged ones are not recomputed.

A suggestion (or the finding that there is none) depends on the reference's fields
and text, the editors' decisions on it, the candidate works (the ``work`` table:
local candidates and what Crossref's answers are validated against) and the
matching rules. Their digest is stored per reference in ``suggestion_state``; a run
recomputes a reference only when its digest differs, when ``refresh`` asks for it,
or when its last outcome was *pending* (a Crossref search was wanted and not
answered) and an answer may now be had. Cached search answers change only with
the text they answer, which is in the digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from ingest.crossref import match
from kb.models import Reference, SuggestionState, Work

# Bump when the way suggestions are computed changes in a way the constants below miss.
ALGORITHM = 3  # 3: journal, year and page verdicts from ingest/crossref/agreement.py

# The reference columns suggestions read (needs_suggestion, facts_from_reference, query_text).
REF_COLUMNS = (
    Reference.id,
    Reference.article_id,
    Reference.key,
    Reference.raw,
    Reference.doi,
    Reference.doi_raw,
    Reference.doi_status,
    Reference.verification,
    Reference.work_doi,
    Reference.year,
    Reference.volume,
    Reference.issue,
    Reference.pages,
    Reference.article_number,
    Reference.first_author,
    Reference.title,
    Reference.journal,
)
_NOT_INPUTS = ("id", "article_id", "work_doi")
# The work columns candidates are found and validated by, and a suggestion's provenance.
_WORK_COLUMNS = (
    Work.doi,
    Work.title,
    Work.authors,
    Work.first_author,
    Work.container_title,
    Work.year,
    Work.volume,
    Work.issue,
    Work.page,
    Work.article_number,
    Work.provenance,
)


def rules_digest(*extra: Any) -> str:
    """The matching rules and the step's own settings (``extra``)."""
    rules = [ALGORITHM, match.WEIGHTS, match.VETO, match.FULL_EVIDENCE, match.THRESHOLD, extra]
    return hashlib.sha1(json.dumps(rules, sort_keys=True).encode()).hexdigest()


def works_digest(session: Session) -> str:
    """The candidate set's state: every work as matching sees it (one ordered scan)."""
    h = hashlib.sha1()
    rows = session.execute(select(*_WORK_COLUMNS).order_by(Work.doi))
    for row in rows:
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def inputs_digest(ref: Any, decided: dict[str, str], context: str) -> str:
    """One reference's inputs: its columns, its decisions, the rules and the works."""
    # work_doi is not an input: it follows from verification and decisions, both in here
    values = [getattr(ref, c.key) for c in REF_COLUMNS if c.key not in _NOT_INPUTS]
    payload = json.dumps([values, sorted(decided.items()), context], default=str)
    return hashlib.sha1(payload.encode()).hexdigest()


def stored_states(session: Session, article_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """reference id -> (inputs digest, pending) for the articles given."""
    rows = session.execute(
        select(SuggestionState.reference_id, SuggestionState.inputs, SuggestionState.pending)
        .where(SuggestionState.article_id.in_(list(article_ids)))
    ).all()  # fmt: skip
    return {r: (inputs, bool(pending)) for r, inputs, pending in rows}


def save_states(
    session: Session,
    article_ids: Iterable[int],
    keep: Iterable[int],
    new: list[dict],
) -> None:
    """Replace the states of the articles given: ``keep`` stay, ``new`` rows are written."""
    keep = set(keep)
    ids = list(article_ids)
    current = session.execute(
        select(SuggestionState.reference_id).where(SuggestionState.article_id.in_(ids))
    ).scalars()
    gone = [r for r in current if r not in keep]
    for i in range(0, len(gone), 500):
        chunk = gone[i : i + 500]
        session.execute(delete(SuggestionState).where(SuggestionState.reference_id.in_(chunk)))
    if new:
        session.execute(insert(SuggestionState), new)
