"""The read-only view of one article that every audit rule receives, and the finding builder."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from ingest.doi import normalize_doi
from kb.audit.codes import severity_of
from kb.audit.vocabulary import ConditionGraph, VocabEntry, graph_for
from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Condition,
    Finding,
    Marker,
    Reference,
    ReferenceCondition,
    StudyLink,
    Suggestion,
    Work,
    WorkUpdate,
)


@dataclass
class AuditContext:
    """One article's audit inputs. ``load_context`` fills the row fields with read-only rows
    that have the models' column names as attributes (Core rows); ORM objects work too."""

    article: Article
    references: list[Reference]
    claims: dict[int, Claim]
    markers: dict[int, Marker]
    links: list[StudyLink]
    works: dict[str, Work]
    updates: dict[str, list[WorkUpdate]]
    suggestions: dict[int, Suggestion]  # best live suggestion per reference id
    # claim id -> (condition, inherited)
    claim_conditions: dict[int, list[tuple[VocabEntry, bool]]]
    reference_conditions: dict[int, list[VocabEntry]]
    conditions: dict[int, VocabEntry] = field(default_factory=dict)  # the whole vocabulary
    ref_by_id: dict[int, Reference] = field(default_factory=dict)
    links_by_ref: dict[int, list[StudyLink]] = field(default_factory=dict)
    links_by_claim: dict[int, list[StudyLink]] = field(default_factory=dict)
    graph: ConditionGraph | None = None  # the vocabulary's hierarchy; built when not given
    # the formatted reference of a work (``kb.audit.formatting.fix_text`` unless the caller
    # keeps them per work, ``kb.work_results``)
    fix_text_of: Callable[[Work], str] | None = field(default=None, repr=False)
    # per-article memos of pure functions of the context (rules ask the same things often)
    memo: dict[str, dict] = field(default_factory=lambda: defaultdict(dict), repr=False)

    def __post_init__(self) -> None:
        if self.graph is None:
            self.graph = graph_for(tuple(_entry(c) for c in self.conditions.values()))
        self.ref_by_id = {r.id: r for r in self.references}
        by_ref: dict[int, list[StudyLink]] = defaultdict(list)
        by_claim: dict[int, list[StudyLink]] = defaultdict(list)
        for link in self.links:
            if link.reference_id is not None:
                by_ref[link.reference_id].append(link)
            by_claim[link.claim_id].append(link)
        self.links_by_ref = dict(by_ref)
        self.links_by_claim = dict(by_claim)

    def work_of(self, ref: Reference) -> Work | None:
        return self.works.get(ref.work_doi) if ref.work_doi else None

    def suggested_work(self, ref: Reference) -> Work | None:
        sug = self.suggestions.get(ref.id)
        return self.works.get(normalize_doi(sug.doi, strict=False)) if sug else None

    def conditions_of_claim(self, claim_id: int) -> list[VocabEntry]:
        """The claim's own conditions; the section's inherited ones only when it names none."""
        memo = self.memo["claim_conditions"]
        if claim_id not in memo:
            rows = self.claim_conditions.get(claim_id, [])
            own = [c for c, inherited in rows if not inherited]
            memo[claim_id] = own or [c for c, _ in rows]
        return memo[claim_id]

    def cites_one(self, claim_id: int) -> bool:
        """True when the sentence cites a single key, so its study description is about it."""
        memo = self.memo["cites_one"]
        if claim_id not in memo:
            memo[claim_id] = len({lk.key for lk in self.links_by_claim.get(claim_id, [])}) == 1
        return memo[claim_id]


def _entry(cond: VocabEntry | Condition) -> VocabEntry:
    if isinstance(cond, VocabEntry):
        return cond
    return VocabEntry(cond.id, cond.name, cond.category, cond.parents)


def _best_suggestions(rows: list[Suggestion]) -> dict[int, Suggestion]:
    best: dict[int, Suggestion] = {}
    for s in rows:
        if s.status not in ("suggested", "accepted"):
            continue
        cur = best.get(s.reference_id)
        key = (s.status == "accepted", s.confidence)
        if cur is None or key > (cur.status == "accepted", cur.confidence):
            best[s.reference_id] = s
    return best


def _rows(conn: Connection, model: type, *where: Any, order_by: Any = None) -> list[Row]:
    """Every column of ``model``'s rows matching ``where``, as read-only Core rows."""
    stmt = sa_select(model.__table__).where(*where)
    return list(conn.execute(stmt if order_by is None else stmt.order_by(order_by)))


def load_context(session: Session, article_id: int) -> AuditContext:
    """The article as rules read it. The article is an ORM object (the audit sets its
    completeness); entries, sentences, markers, links, suggestions and works are read-only
    Core rows with the tables' column names: loading and reading ORM objects was most of the
    cost of a context."""
    article = session.get(Article, article_id)
    if article is None:
        raise LookupError(f"no article with id {article_id}")
    conn = session.connection()
    refs = _rows(conn, Reference, Reference.article_id == article_id, order_by=Reference.position)
    claims = {c.id: c for c in _rows(conn, Claim, Claim.article_id == article_id)}
    markers = {m.id: m for m in _rows(conn, Marker, Marker.article_id == article_id)}
    links = _rows(conn, StudyLink, StudyLink.article_id == article_id)
    sugs = _best_suggestions(_rows(conn, Suggestion, Suggestion.article_id == article_id))
    dois = {r.work_doi for r in refs if r.work_doi} | {
        normalize_doi(s.doi, strict=False) for s in sugs.values()
    }
    works = {w.doi: w for w in _rows(conn, Work, Work.doi.in_(dois))} if dois else {}
    updates: dict[str, list[WorkUpdate]] = defaultdict(list)
    if works:
        for u in _rows(conn, WorkUpdate, WorkUpdate.work_doi.in_(list(works))):
            updates[u.work_doi].append(u)
    # plain rows, not ORM objects: the vocabulary is read for every article
    vocab = tuple(
        VocabEntry(*row)
        for row in session.execute(
            select(Condition.id, Condition.name, Condition.category, Condition.parents).order_by(
                Condition.id
            )
        )
    )
    graph = graph_for(vocab)
    conditions = graph.entries
    claim_conds: dict[int, list[tuple[VocabEntry, bool]]] = defaultdict(list)
    for claim_id, cond_id, inherited in session.execute(
        select(ClaimCondition.claim_id, ClaimCondition.condition_id, ClaimCondition.inherited)
        .where(ClaimCondition.article_id == article_id)
        .order_by(ClaimCondition.id)
    ):
        if cond_id in conditions:
            claim_conds[claim_id].append((conditions[cond_id], inherited))
    ref_conds: dict[int, list[VocabEntry]] = defaultdict(list)
    for ref_id, cond_id in session.execute(
        select(ReferenceCondition.reference_id, ReferenceCondition.condition_id)
        .where(ReferenceCondition.article_id == article_id)
        .order_by(ReferenceCondition.id)
    ):
        cond = conditions.get(cond_id)
        if cond is not None and cond not in ref_conds[ref_id]:
            ref_conds[ref_id].append(cond)
    return AuditContext(
        article=article,
        references=refs,
        claims=claims,
        markers=markers,
        links=links,
        works=works,
        updates=dict(updates),
        suggestions=sugs,
        claim_conditions=dict(claim_conds),
        reference_conditions=dict(ref_conds),
        conditions=conditions,
        graph=graph,
    )


def ref_label(ref: Reference) -> str:
    """How an editor names an entry: its number, else its key."""
    return str(ref.number) if ref.number is not None else ref.key


FINDING_COLUMNS = tuple(c.name for c in Finding.__table__.columns)


class AuditFinding:
    """A finding as the rules build it: the ``finding`` table's columns as plain attributes.
    Tens of thousands are built per build; an ORM ``Finding`` costs about 40 times more to
    build and set (``run_audit`` makes ORM rows of them to save)."""

    __slots__ = FINDING_COLUMNS

    def __init__(self, **values: Any) -> None:
        for name in FINDING_COLUMNS:
            setattr(self, name, values.get(name))

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FINDING_COLUMNS}

    def __repr__(self) -> str:
        return f"AuditFinding({self.code!r}, {self.reference_key!r}, {self.message!r})"


def make_finding(
    ctx: AuditContext,
    code: str,
    message: str,
    *,
    ref: Reference | None = None,
    link: StudyLink | None = None,
    claim_id: int | None = None,
    evidence: dict[str, Any] | None = None,
    fix_reference: str | None = None,
    fix_doi: str | None = None,
    fix_text: str | None = None,
) -> AuditFinding:
    """A finding with the code's default severity; evidence is stored as JSON."""
    return AuditFinding(
        article_id=ctx.article.id,
        code=code,
        severity=severity_of(code),
        reference_id=ref.id if ref is not None else None,
        reference_key=ref_label(ref) if ref is not None else None,
        claim_id=link.claim_id if link is not None else claim_id,
        marker_id=link.marker_id if link is not None else None,
        marker_key=link.key if link is not None else None,
        message=message,
        evidence=json.dumps(evidence or {}, ensure_ascii=False, sort_keys=True),
        fix_reference=fix_reference,
        fix_doi=fix_doi,
        fix_text=fix_text,
    )
