"""The audit's shortcuts answer exactly what the plain definitions answer: the condition graph
against a walk of the hierarchy, the rendering cache against a fresh rendering, and rules
reading Core rows against the same rules reading ORM objects."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from kb.audit import audit_findings, run_audit
from kb.audit.context import AuditContext, load_context
from kb.audit.formatting import _render, format_work
from kb.audit.vocabulary import ConditionGraph, VocabEntry, graph_for
from kb.models import Claim, Condition, Marker, Reference, StudyLink, Suggestion, Work, WorkUpdate
from tests.audit_helpers import Builder, verified_entry
from tests.test_audit_numbering import build as build_shifted_article

# --- the definitions the graph must agree with (the audit's original per-pair walk) ---------


def spec_ancestors(vocab: list[VocabEntry], cond: VocabEntry) -> set[str]:
    by_name = {c.name.lower(): c for c in vocab}
    seen: set[str] = set()
    todo = [cond]
    while todo:
        for name in json.loads(todo.pop().parents or "[]"):
            if name.lower() not in seen:
                seen.add(name.lower())
                if name.lower() in by_name:
                    todo.append(by_name[name.lower()])
    return seen


def spec_related(vocab: list[VocabEntry], a: VocabEntry, b: VocabEntry) -> bool:
    if a.id == b.id:
        return True
    anc_a, anc_b = spec_ancestors(vocab, a), spec_ancestors(vocab, b)
    if a.name.lower() in anc_b or b.name.lower() in anc_a:
        return True
    for c in vocab:
        anc_c = spec_ancestors(vocab, c)
        if a.name.lower() in anc_c and b.name.lower() in anc_c:
            return True
    for x, y in ((a, b), (b, a)):
        if y.category and y.category.lower() in x.name.lower():
            return True
    return False


# few names, case variants and names outside the vocabulary: shared ancestors, cycles, clashes
NAMES = ["Arthritis", "arthritis pain", "Lupus", "LUPUS", "Pain", "Autoimmune", "Gut", "Skin"]
vocabularies = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.none() | st.sampled_from(["pain", "autoimmune", "lupus", "gut", "eye"]),
        st.lists(st.sampled_from([*NAMES, "Nowhere", "pain"]), max_size=3),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda t: t[0],
).map(
    lambda rows: [
        VocabEntry(i, name, cat, json.dumps(parents))
        for i, (name, cat, parents) in enumerate(rows, start=1)
    ]
)


@settings(max_examples=150, deadline=None)
@given(vocabularies)
def test_graph_answers_what_walking_the_hierarchy_answers(vocab):
    graph = ConditionGraph(vocab)
    for a in vocab:
        assert graph.ancestors_of(a.id, a.parents) == spec_ancestors(vocab, a)
        for b in vocab:
            assert graph.related(a, b) == spec_related(vocab, a, b), (a.name, b.name)
            assert graph.related(a, b) == spec_related(vocab, a, b)  # remembered answer


def test_graph_is_shared_per_vocabulary_content_and_rebuilt_when_it_changes():
    rows = (VocabEntry(1, "Arthritis", None, "[]"), VocabEntry(2, "Gout", None, "[]"))
    assert graph_for(rows) is graph_for(tuple(rows))
    edited = (rows[0], VocabEntry(2, "Gout", None, '["Arthritis"]'))
    assert not graph_for(rows).related(rows[0], rows[1])
    assert graph_for(edited).related(edited[0], edited[1])


def test_editing_the_vocabulary_changes_the_next_audit(engine):
    with Session(engine) as s:
        b = Builder(s)
        b.condition("Arthritis", "musculoskeletal")
        b.condition("Gout", "metabolic")
        e1 = verified_entry(
            b,
            1,
            "10.5555/voc.1",
            title="Gout flares",
            journal="J Rheum",
            year=2019,
            volume="46",
            issue="3",
            pages="1-9",
        )
        b.tag_ref(e1, "Gout")
        c = b.claim("LDN eased arthritis [1].", ["1"])
        b.tag_claim(c, "Arthritis")
        assert [f.code for f in run_audit(s, b.article.id)] == ["condition_mismatch"]
        gout = s.exec(select(Condition).where(Condition.name == "Gout")).one()
        gout.parents = json.dumps(["Arthritis"])  # gout becomes a kind of arthritis
        s.add(gout)
        s.flush()
        assert [f.code for f in run_audit(s, b.article.id)] == []


# --- rendering ---------------------------------------------------------------------------


def _work(**fields) -> Work:
    base = dict(
        doi="10.5555/fmt.1",
        type="journal-article",
        title="Low dose naltrexone in fibromyalgia",
        authors=json.dumps([{"family": "Younger", "given": "Jarred"}]),
        container_title="Arthritis and Rheumatism",
        year=2013,
        volume="65",
        issue="2",
        page="529-538",
    )
    return Work(**{**base, **fields})


def test_cached_rendering_is_the_fresh_rendering_and_follows_record_changes():
    work = _work()
    first = {style: format_work(work, style) for style in ("ama", "vancouver")}
    _render.cache_clear()
    assert {style: format_work(work, style) for style in ("ama", "vancouver")} == first
    assert {style: format_work(work, style) for style in ("ama", "vancouver")} == first
    assert _render.cache_info().hits == 2
    retitled = _work(title="Naltrexone for fibromyalgia pain")
    assert "Naltrexone for fibromyalgia pain" in format_work(retitled, "ama")
    assert "Low dose naltrexone" not in format_work(retitled, "ama")


# --- rules read rows exactly as they read ORM objects ----------------------------------------


def _orm_context(s: Session, article_id: int) -> AuditContext:
    """The same article with every row an ORM object (how the audit used to load it)."""
    rows = load_context(s, article_id)
    return AuditContext(
        article=rows.article,
        references=[s.get(Reference, r.id) for r in rows.references],
        claims={i: s.get(Claim, i) for i in rows.claims},
        markers={i: s.get(Marker, i) for i in rows.markers},
        links=[s.get(StudyLink, lk.id) for lk in rows.links],
        works={d: s.get(Work, d) for d in rows.works},
        updates={d: [s.get(WorkUpdate, u.id) for u in us] for d, us in rows.updates.items()},
        suggestions={r: s.get(Suggestion, sug.id) for r, sug in rows.suggestions.items()},
        claim_conditions=rows.claim_conditions,
        reference_conditions=rows.reference_conditions,
        conditions={c.id: s.get(Condition, c.id) for c in rows.conditions.values()},
    )


def _as_data(findings) -> list[tuple]:
    return [
        (
            f.code,
            f.severity,
            f.reference_id,
            f.reference_key,
            f.claim_id,
            f.marker_id,
            f.marker_key,
            f.message,
            f.evidence,
            f.fix_reference,
            f.fix_doi,
            f.fix_text,
        )
        for f in findings
    ]


def test_rules_find_the_same_on_rows_as_on_orm_objects(engine):
    with Session(engine) as s:
        b = Builder(s)
        build_shifted_article(b, shift=1)  # numbering shift, descriptions, conditions
        b.claim("A later review disagreed [9].", ["9"])  # a dangling marker
        b.ref(8, "Younger J. LDN. Pain Med. 2009;10(4):663-72.", year=2009, volume="10")
        b.ref(9, "Younger J. LDN. Pain Med. 2009;10(4):663-72.", year=2009, volume="10")
        b.update("10.5555/ns.3", "retraction", "10.5555/ns.3.retraction")
        from_rows = _as_data(audit_findings(load_context(s, b.article.id)))
        from_orm = _as_data(audit_findings(_orm_context(s, b.article.id)))
    codes = {row[0] for row in from_rows}
    assert {"numbering_shift", "duplicate_reference", "dangling_marker", "retracted"} <= codes
    assert from_rows == from_orm
