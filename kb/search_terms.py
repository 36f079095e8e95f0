"""What the search boxes match besides the words as written (``search_terms`` columns).

A researcher searching "multiple sclerosis" wants the claims that write "MS", and one
searching "naltrexone" the claims that write "LDN". For each claim we store the names,
synonyms, abbreviations, MeSH heading and MeSH id of the conditions it is tagged with, and
the long forms of the abbreviations the article defines that the sentence uses. For each
entry we store its linked work's title, authors and journal. The full-text tables index
these columns next to the text (``kb.schema.FTS_TABLES``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ingest.abbreviations import defined_abbreviations
from kb.models import Claim, Condition, Reference, Work


def _json_list(value: str | None) -> list[str]:
    try:
        out = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(x) for x in out] if isinstance(out, list) else []


def condition_terms(cond: Any) -> list[str]:
    """Every name a condition goes by (``cond``: a ``Condition`` or a row of its table)."""
    names = [cond.name, *_json_list(cond.synonyms), *_json_list(cond.abbreviations)]
    names += [x for x in (cond.mesh_heading, cond.mesh_id) if x]
    return list(dict.fromkeys(names))


def _author_names(value: str | None) -> list[str]:
    try:
        items = json.loads(value or "[]")
    except ValueError:
        return []
    out = []
    for a in items if isinstance(items, list) else []:
        if isinstance(a, dict):
            out.append(" ".join(str(a[k]) for k in ("given", "family") if a.get(k)))
        elif isinstance(a, str):
            out.append(a)
    return [x for x in out if x]


def claim_terms(text: str, conditions: list, abbreviations: dict[str, str]) -> str:
    terms: list[str] = []
    for cond in conditions:
        terms += condition_terms(cond)
    for short, long in abbreviations.items():
        if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            terms.append(long)
    return "; ".join(dict.fromkeys(terms))


def search_term_updates(
    session: Session, article_id: int, tagged: dict[int, list[int]], body: str
) -> tuple[list[dict], list[dict]]:
    """The ``search_terms`` of the article's claims and entries that differ from the stored
    ones, as ``{"id", "search_terms"}`` rows; ``tagged``: condition ids per claim id, in
    tag order. Reads only, so it runs where the rest of the derived layers are computed."""
    abbreviations = defined_abbreviations(body or "")
    wanted = {cid for ids in tagged.values() for cid in ids}
    conditions = {}
    if wanted:
        stmt = select(Condition.__table__).where(Condition.id.in_(sorted(wanted)))
        conditions = {row.id: row for row in session.execute(stmt)}
    claims = []
    for claim_id, claim_text, old in session.execute(
        select(Claim.id, Claim.text, Claim.search_terms).where(Claim.article_id == article_id)
    ):
        conds = [conditions[c] for c in dict.fromkeys(tagged.get(claim_id, ())) if c in conditions]
        new = claim_terms(claim_text, conds, abbreviations) or None
        if new != old:
            claims.append({"id": claim_id, "search_terms": new})
    refs = []
    for ref_id, old, title, authors, journal in session.execute(
        select(Reference.id, Reference.search_terms, Work.title, Work.authors, Work.container_title)
        .join(Work, Work.doi == Reference.work_doi, isouter=True)
        .where(Reference.article_id == article_id)
    ):
        parts = [title or "", "; ".join(_author_names(authors)), journal or ""]
        new = " | ".join(p for p in parts if p) or None
        if new != old:
            refs.append({"id": ref_id, "search_terms": new})
    return claims, refs
