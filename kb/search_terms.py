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
from collections import defaultdict

from sqlalchemy import select, update
from sqlmodel import Session

from ingest.abbreviations import defined_abbreviations
from kb.models import Article, Claim, ClaimCondition, Condition, Reference, Work


def _json_list(value: str | None) -> list[str]:
    try:
        out = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(x) for x in out] if isinstance(out, list) else []


def condition_terms(cond: Condition) -> list[str]:
    """Every name a condition goes by."""
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


def claim_terms(text: str, conditions: list[Condition], abbreviations: dict[str, str]) -> str:
    terms: list[str] = []
    for cond in conditions:
        terms += condition_terms(cond)
    for short, long in abbreviations.items():
        if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            terms.append(long)
    return "; ".join(dict.fromkeys(terms))


def index_article(session: Session, article_id: int) -> None:
    """Set ``search_terms`` of the article's claims and entries (the FTS triggers follow)."""
    body = session.execute(select(Article.text).where(Article.id == article_id)).scalar_one()
    abbreviations = defined_abbreviations(body or "")
    tagged: dict[int, list[Condition]] = defaultdict(list)
    for claim_id, cond in session.execute(
        select(ClaimCondition.claim_id, Condition)
        .join(Condition, Condition.id == ClaimCondition.condition_id)
        .where(ClaimCondition.article_id == article_id)
        .order_by(ClaimCondition.id)
    ):
        if cond not in tagged[claim_id]:
            tagged[claim_id].append(cond)
    updates = []
    for claim_id, claim_text, old in session.execute(
        select(Claim.id, Claim.text, Claim.search_terms).where(Claim.article_id == article_id)
    ):
        new = claim_terms(claim_text, tagged.get(claim_id, []), abbreviations) or None
        if new != old:
            updates.append({"id": claim_id, "search_terms": new})
    if updates:  # one executemany by primary key
        session.execute(update(Claim), updates)
    ref_updates = []
    for ref_id, old, title, authors, journal in session.execute(
        select(Reference.id, Reference.search_terms, Work.title, Work.authors, Work.container_title)
        .join(Work, Work.doi == Reference.work_doi, isouter=True)
        .where(Reference.article_id == article_id)
    ):
        parts = [title or "", "; ".join(_author_names(authors)), journal or ""]
        new = " | ".join(p for p in parts if p) or None
        if new != old:
            ref_updates.append({"id": ref_id, "search_terms": new})
    if ref_updates:
        session.execute(update(Reference), ref_updates)
