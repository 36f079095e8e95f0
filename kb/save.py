"""Write a parsed article into the database: ``save_*`` takes parsed records, never parses.

Rows go in through ``kb.bulk`` (plain ``sqlite3`` ``executemany`` in the session's
transaction): the ORM unit of work, and even SQLAlchemy Core's parameter handling, cost
as much per row as SQLite itself and buy nothing here, because an article's rows are
always replaced as a whole.
"""

from __future__ import annotations

import json

from sqlalchemy import insert, select, update
from sqlmodel import Session

from ingest.types import CONFIDENT_FIELDS, ParsedArticle
from kb.bulk import dbapi, insert_rows, update_rows
from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Finding,
    Marker,
    Reference,
    ReferenceCondition,
    Section,
    StudyLink,
    Suggestion,
    utcnow,
)
from kb.stable_ids import IdKeeper

# Children first: the order foreign keys require when deleting.
ARTICLE_CHILDREN = (
    Finding,
    Suggestion,
    ClaimCondition,
    ReferenceCondition,
    StudyLink,
    Marker,
    Claim,
    Reference,
    Section,
)


def delete_article_rows(session: Session, article_id: int) -> None:
    """Remove everything derived from one article (not the article row itself)."""
    conn = dbapi(session)
    for model in ARTICLE_CHILDREN:
        conn.execute(f'DELETE FROM "{model.__tablename__}" WHERE article_id = ?', (article_id,))


def _article_values(parsed: ParsedArticle, source_kind: str, content_hash: str) -> dict:
    return {
        "source": parsed.source,
        "source_kind": source_kind,
        "content_hash": content_hash,
        "format": parsed.format,
        "title": parsed.title,
        "byline": parsed.byline,
        "marker_style": parsed.marker_style,
        "marker_scores": json.dumps(parsed.marker_scores) if parsed.marker_scores else None,
        "encoding": parsed.encoding,
        "repaired": parsed.repaired,
        "text": parsed.text,
        "n_sentences": len(parsed.sentences),
        "n_claims": len(parsed.claims),
        "n_references": len(parsed.references),
        "completeness": None,
        "ingested_at": utcnow(),
    }


def save_article(
    session: Session,
    parsed: ParsedArticle,
    *,
    source_kind: str = "file",
    content_hash: str = "",
) -> int:
    """Insert or replace one article and all its rows; returns the article id.

    The caller owns the transaction, so an article is saved whole or not at all.
    The article row keeps its id across rebuilds (links to it stay valid).
    """
    values = _article_values(parsed, source_kind, content_hash)
    existing = session.execute(
        select(Article.id).where(Article.source == parsed.source)
    ).scalar_one_or_none()
    # Read the old rows' ids by content before they go: unchanged rows keep their ids.
    keep = {model: IdKeeper(session, model, existing, cols) for model, cols in KEYS.items()}
    if existing is None:
        article_id = session.execute(insert(Article).values(**values)).inserted_primary_key[0]
    else:
        article_id = existing
        delete_article_rows(session, article_id)
        session.execute(update(Article).where(Article.id == article_id).values(**values))

    section_ids = _save_sections(session, article_id, parsed, keep[Section])
    ref_ids = _save_references(session, article_id, parsed, keep[Reference])
    _save_claims(session, article_id, parsed, section_ids, ref_ids, keep)
    return article_id


# What makes a row "the same row" across saves (kb.stable_ids explains the design).
KEYS: dict[type, tuple[str, ...]] = {
    Section: ("heading",),
    Reference: ("raw",),
    Claim: ("text",),
    Marker: ("claim_id", "start", "raw"),
    StudyLink: ("claim_id", "key"),
}


def _save_sections(
    session: Session, article_id: int, parsed: ParsedArticle, keep: IdKeeper
) -> list[int]:
    rows = [
        {
            "article_id": article_id,
            "position": sec.position,
            "heading": sec.heading,
            "level": sec.level,
            "start": sec.start,
            "end": sec.end,
            "is_references": sec.is_references,
        }
        for sec in parsed.sections
    ]
    keep.assign(rows, lambda r: (r["heading"],))
    insert_rows(dbapi(session), Section, rows)
    return [r["id"] for r in rows]


def _save_references(
    session: Session, article_id: int, parsed: ParsedArticle, keep: IdKeeper
) -> dict[str, int]:
    rows = []
    for ref in parsed.references:
        f = ref.fields
        rows.append(
            {
                "article_id": article_id,
                "key": ref.key,
                "number": ref.number,
                "position": ref.position,
                "list_name": ref.list_name,
                "raw": ref.raw,
                "start": ref.start,
                "end": ref.end,
                "doi": f.doi,
                "doi_raw": f.doi_raw,
                "doi_status": f.doi_status,
                "pmid": f.pmid,
                "pmcid": f.pmcid,
                "isbn": f.isbn,
                "url": f.url,
                "year": f.year,
                "volume": f.volume,
                "issue": f.issue,
                "pages": f.pages,
                "article_number": f.article_number,
                "journal": f.journal,
                "authors": json.dumps(f.authors, ensure_ascii=False) if f.authors else None,
                "first_author": f.first_author,
                "title": f.title,
                "source_type": f.source_type,
                "author_names": (
                    json.dumps(f.author_names, ensure_ascii=False) if f.author_names else None
                ),
                "journal_abbrev": f.journal_abbrev,
                **{f"{k}_confidence": f.confidence.get(k) for k in CONFIDENT_FIELDS},
                "uncertain": (
                    json.dumps(f.uncertain, ensure_ascii=False, sort_keys=True)
                    if f.uncertain
                    else None
                ),
                "verification": "unchecked" if f.doi else "no_doi",
            }
        )
    keep.assign(rows, lambda r: (r["raw"],))
    insert_rows(dbapi(session), Reference, rows)
    ids: dict[str, int] = {}
    for row in rows:
        # Duplicate keys in a list: the first entry with that key is the one markers reach.
        ids.setdefault(row["key"], row["id"])
    return ids


def _save_claims(
    session: Session,
    article_id: int,
    parsed: ParsedArticle,
    section_ids: list[int],
    ref_ids: dict[str, int],
    keep: dict[type, IdKeeper],
) -> None:
    """Claims, then markers, then study links: three ``executemany`` batches, with their
    ids given here (kept from the article's previous rows where the content is the same)."""
    claims = parsed.claims
    if not claims:
        return
    claim_rows = [_claim_row(article_id, s, section_ids) for s in claims]
    keep[Claim].assign(claim_rows, lambda r: (r["text"],))
    insert_rows(dbapi(session), Claim, claim_rows)
    claim_ids = {r["position"]: r["id"] for r in claim_rows}
    follow_ups = [
        {"id": claim_ids[s.position], "continues_claim_id": claim_ids[s.continues]}
        for s in claims
        if s.continues is not None and s.continues in claim_ids
    ]
    if follow_ups:  # ids exist only now: link follow-up sentences to their claim
        update_rows(dbapi(session), Claim, follow_ups)
    marker_rows = [
        {
            "article_id": article_id,
            "claim_id": claim_ids[s.position],
            "raw": m.raw,
            "style": m.style,
            "start": m.start,
            "end": m.end,
            "keys": json.dumps(m.keys),
            "locator": m.locator,
        }
        for s in claims
        for m in s.markers
    ]
    if not marker_rows:
        return
    keep[Marker].assign(marker_rows, lambda r: (r["claim_id"], r["start"], r["raw"]))
    insert_rows(dbapi(session), Marker, marker_rows)
    marker_ids = {(r["claim_id"], r["start"]): r["id"] for r in marker_rows}
    links = _link_rows(article_id, claims, claim_ids, marker_ids, ref_ids)
    keep[StudyLink].assign(links, lambda r: (r["claim_id"], r["key"]))
    insert_rows(dbapi(session), StudyLink, links)


def _link_rows(
    article_id: int,
    claims: list,
    claim_ids: dict[int, int],
    marker_ids: dict[tuple[int, int], int],
    ref_ids: dict[str, int],
) -> list[dict]:
    """One study link per (claim, cited key); no entry for the key means a dangling link."""
    links = []
    for s in claims:
        cid = claim_ids[s.position]
        seen: set[str] = set()
        for m in s.markers:
            for key in m.keys:
                if key in seen:  # the same entry cited twice in one sentence: one link
                    continue
                seen.add(key)
                ref_id = ref_ids.get(key)
                links.append(
                    {
                        "article_id": article_id,
                        "claim_id": cid,
                        "marker_id": marker_ids[(cid, m.start)],
                        "key": key,
                        "reference_id": ref_id,
                        "dangling": ref_id is None,
                    }
                )
    return links


def _claim_row(article_id: int, sent, section_ids: list[int]) -> dict:
    d = sent.description
    return {
        "article_id": article_id,
        "section_id": section_ids[sent.section] if sent.section is not None else None,
        "position": sent.position,
        "paragraph": sent.paragraph,
        "start": sent.start,
        "end": sent.end,
        "text": sent.text,
        "n_markers": len(sent.markers),
        # an uncited study description counts even when it names no detail of the study
        "is_study_description": sent.uncited or (d is not None and not d.is_empty()),
        "uncited": sent.uncited,
        "desc_year": d.year if d else None,
        "desc_journal": d.journal if d else None,
        "desc_design": d.design if d else None,
        "desc_sample_size": d.sample_size if d else None,
        "desc_duration": d.duration if d else None,
        "desc_outcomes": json.dumps(d.outcomes) if d and d.outcomes else None,
    }
