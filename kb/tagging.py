"""Condition tags for claims and cited references, stored in ``claim_condition`` and
``reference_condition``.

A claim is tagged with the conditions its sentence mentions (matched text and offsets
within the claim) and inherits, marked ``inherited``, the conditions named by the
heading of its section (and of the sections above it). A reference is tagged from the
title of its Crossref work when it has one, else its own title, else its URL's slug,
else (no title, no URL) its raw text; ``field`` says which. Abbreviations count where the
article defines them anywhere ("multiple sclerosis (MS)").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from ingest.conditions import (
    VOCABULARY_PATH,
    ConditionMatch,
    abbreviation_definitions,
    find_conditions,
    load_vocabulary,
)
from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Condition,
    Reference,
    ReferenceCondition,
    Section,
    Work,
)


def ensure_vocabulary(session: Session, path: str | Path = VOCABULARY_PATH) -> int:
    """Load the vocabulary into ``condition``: insert new rows, update changed ones, drop
    rows no longer in the file that nothing points to. Safe to repeat. Returns the number
    of conditions in the file."""
    entries = load_vocabulary(path)
    existing = {c.name: c for c in session.execute(select(Condition)).scalars()}
    for e in entries:
        values = {
            "mesh_id": e.mesh_id,
            "mesh_heading": e.mesh_heading,
            "category": e.category,
            "parents": json.dumps(list(e.parents)),
            "synonyms": json.dumps(list(e.synonyms), ensure_ascii=False),
            "abbreviations": json.dumps(list(e.abbreviations)),
        }
        row = existing.pop(e.name, None)
        if row is None:
            session.add(Condition(name=e.name, **values))
        else:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
    used = set(session.execute(select(ClaimCondition.condition_id)).scalars()) | set(
        session.execute(select(ReferenceCondition.condition_id)).scalars()
    )
    for stale in existing.values():
        if stale.id not in used:
            session.delete(stale)
    session.flush()
    return len(entries)


def condition_ids(session: Session) -> dict[str, int]:
    if not session.execute(select(func.count()).select_from(Condition)).scalar_one():
        ensure_vocabulary(session)
    return {name: cid for cid, name in session.execute(select(Condition.id, Condition.name))}


def _first_per_condition(matches: list[ConditionMatch]) -> list[ConditionMatch]:
    seen: set[str] = set()
    out = []
    for m in matches:
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out


def url_slug_text(url: str | None) -> str:
    """The words of a URL's path: ".../hashimoto-thyroiditis-and-ldn" -> "hashimoto
    thyroiditis and ldn". File extensions and bare numbers are dropped."""
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else "http://" + url)
    path = unquote(parts.path)
    path = re.sub(r"\.(?:html?|php|aspx?|pdf|htm)$", "", path, flags=re.I)
    words = [w for w in re.split(r"[-_/.+\s]+", path) if w and not w.isdigit()]
    return " ".join(words)


def _heading_conditions(
    sections: list[Section], defs: dict[str, str]
) -> dict[int, list[ConditionMatch]]:
    """For each section id, the conditions of its heading and of the headings above it."""
    own = {s.id: _first_per_condition(find_conditions(s.heading, defined_abbreviations=defs))
           for s in sections}  # fmt: skip
    out: dict[int, list[ConditionMatch]] = {}
    chain: list[Section] = []  # open ancestors, by increasing level
    for s in sections:
        while chain and chain[-1].level >= s.level:
            chain.pop()
        inherited = [m for a in chain for m in own[a.id]] + own[s.id]
        out[s.id] = _first_per_condition(inherited)
        chain.append(s)
    return out


def _tag_claims(
    session: Session, article_id: int, ids: dict[str, int], defs: dict[str, str]
) -> int:
    rows = claim_tag_rows(session, article_id, ids, defs)
    if rows:
        session.execute(insert(ClaimCondition), rows)
    return len(rows)


def claim_tag_rows(
    session: Session, article_id: int, ids: dict[str, int], defs: dict[str, str]
) -> list[dict]:
    """The ``claim_condition`` rows of one article (nothing is written)."""
    sections = list(
        session.execute(
            select(Section).where(Section.article_id == article_id).order_by(Section.position)
        ).scalars()
    )
    by_heading = _heading_conditions(sections, defs)
    skip = {s.id for s in sections if s.is_references}
    rows = []
    # Columns, not ORM objects, and one executemany: tagging writes thousands of rows.
    claims = session.execute(
        select(Claim.id, Claim.section_id, Claim.text)
        .where(Claim.article_id == article_id)
        .order_by(Claim.position, Claim.id)  # the order the (article_id, position) index gave
    )
    for claim_id, section_id, text in claims:
        if section_id in skip:
            continue
        matches = _first_per_condition(find_conditions(text, defined_abbreviations=defs))
        named = {m.name for m in matches}
        for m in matches:
            if m.name in ids:
                rows.append(_claim_tag(claim_id, ids[m.name], article_id, m.text, m.start, m.end))
        for m in by_heading.get(section_id, []):
            if m.name not in named and m.name in ids:
                rows.append(_claim_tag(claim_id, ids[m.name], article_id, m.text, inherited=True))
    return rows


def _claim_tag(
    claim_id: int,
    condition_id: int,
    article_id: int,
    matched_text: str,
    start: int | None = None,
    end: int | None = None,
    inherited: bool = False,
) -> dict:
    return {
        "claim_id": claim_id,
        "condition_id": condition_id,
        "article_id": article_id,
        "matched_text": matched_text,
        "start": start,
        "end": end,
        "inherited": inherited,
    }


def reference_condition_matches(
    ref: Reference,
    work: Work | None,
    defs: dict[str, str] | None = None,
    work_title_conditions: Callable[[Any, dict[str, str] | None], list] | None = None,
) -> tuple[str, list[ConditionMatch]]:
    """(field, conditions) for one reference: work title, else entry title, else URL slug,
    else the raw entry without its URLs. ``work_title_conditions(work, defs)``: the
    conditions of a work's title when the caller keeps them per work."""
    title_field, title = ("work_title", work.title) if work and work.title else ("title", ref.title)
    if title and title_field == "work_title" and work_title_conditions is not None:
        found = work_title_conditions(work, defs)
        if found:
            return title_field, _first_per_condition(found)
    elif title:
        found = find_conditions(title, defined_abbreviations=defs)
        if found:
            return title_field, _first_per_condition(found)
    slug = url_slug_text(ref.url)
    if slug:
        found = find_conditions(slug, defined_abbreviations=defs)
        if found:
            return "url", _first_per_condition(found)
    if not title and not slug and ref.raw:
        raw = re.sub(r"<?(?:https?://|www\.)\S+", " ", ref.raw)
        return "raw", _first_per_condition(find_conditions(raw, defined_abbreviations=defs))
    return title_field, []


def _tag_references(
    session: Session, article_id: int, ids: dict[str, int], defs: dict[str, str]
) -> int:
    rows = reference_tag_rows(session, article_id, ids, defs)
    if rows:
        session.execute(insert(ReferenceCondition), rows)
    return len(rows)


def reference_tag_rows(
    session: Session,
    article_id: int,
    ids: dict[str, int],
    defs: dict[str, str],
    work_title_conditions: Callable[[Any, dict[str, str] | None], list] | None = None,
) -> list[dict]:
    """The ``reference_condition`` rows of one article (nothing is written)."""
    rows = []
    refs = session.execute(
        select(Reference.id, Reference.title, Reference.url, Reference.raw, Reference.work_doi)
        .where(Reference.article_id == article_id)
        .order_by(Reference.key, Reference.id)  # the order the (article_id, key) index gave
    ).all()
    works = _work_titles(session, {r.work_doi for r in refs if r.work_doi})
    for ref in refs:
        work = works.get(ref.work_doi) if ref.work_doi else None
        field, matches = reference_condition_matches(ref, work, defs, work_title_conditions)
        for m in matches:
            if m.name in ids:
                rows.append(
                    {"reference_id": ref.id, "condition_id": ids[m.name],
                     "article_id": article_id, "matched_text": m.text, "field": field}
                )  # fmt: skip
    return rows


def _work_titles(session: Session, dois: set[str]) -> dict:
    """{doi: work row} for the works that exist, in one query per 500 DOIs."""
    out = {}
    ordered = sorted(dois)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        for row in session.execute(select(Work.__table__).where(Work.doi.in_(chunk))):
            out[row.doi] = row
    return out


def tag_article(session: Session, article_id: int) -> int:
    """Rewrite the condition tags of one article's claims and references. Returns the
    number of tags written."""
    session.execute(delete(ClaimCondition).where(ClaimCondition.article_id == article_id))
    session.execute(delete(ReferenceCondition).where(ReferenceCondition.article_id == article_id))
    ids = condition_ids(session)
    text = session.execute(select(Article.text).where(Article.id == article_id)).scalar_one()
    defs = abbreviation_definitions(text or "")
    n = _tag_claims(session, article_id, ids, defs) + _tag_references(
        session, article_id, ids, defs
    )
    session.flush()
    return n
