"""Small factories that fill a shaped database with SQLModel rows (no parser, no network).

Each ``add_*`` helper creates one row with sensible defaults, adds it, flushes so the id is
known, and returns it. ``cite`` wires a claim to entries (marker + study links) the way the
pipeline does. ``build_world`` makes a small two-article knowledge base that exercises
every researcher's query; tests assert on what they put in, never on fixed counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session

from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Condition,
    Finding,
    Marker,
    Reference,
    Section,
    StudyLink,
    Work,
)
from kb.summary import refresh_summaries


def _add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def add_article(session: Session, source: str = "a.txt", **kw) -> Article:
    kw.setdefault("title", f"Article {source}")
    kw.setdefault("text", "")
    return _add(session, Article(source=source, **kw))


def add_section(session: Session, article: Article, heading: str, **kw) -> Section:
    kw.setdefault("position", 0)
    return _add(session, Section(article_id=article.id, heading=heading, **kw))


def add_claim(
    session: Session, article: Article, text: str, *, section: Section | None = None, **kw
) -> Claim:
    kw.setdefault("position", 0)
    kw.setdefault("start", 0)
    kw.setdefault("end", len(text))
    return _add(
        session,
        Claim(article_id=article.id, section_id=section.id if section else None, text=text, **kw),
    )


def add_reference(session: Session, article: Article, key: str, raw: str, **kw) -> Reference:
    kw.setdefault("position", int(key) if key.isdigit() else 0)
    kw.setdefault("number", int(key) if key.isdigit() else None)
    return _add(session, Reference(article_id=article.id, key=key, raw=raw, **kw))


def add_work(session: Session, doi: str, **kw) -> Work:
    return _add(session, Work(doi=doi, **kw))


def add_condition(session: Session, name: str, **kw) -> Condition:
    for k in ("synonyms", "abbreviations"):
        if isinstance(kw.get(k), list):
            kw[k] = json.dumps(kw[k])
    return _add(session, Condition(name=name, **kw))


def tag(
    session: Session, claim: Claim, condition: Condition, matched: str | None = None, **kw
) -> ClaimCondition:
    """Tag a claim with a condition; by default the match is found in the claim text."""
    start = claim.text.lower().find(matched.lower()) if matched else -1
    return _add(
        session,
        ClaimCondition(
            claim_id=claim.id,
            condition_id=condition.id,
            article_id=claim.article_id,
            matched_text=matched,
            start=start if start >= 0 else None,
            end=start + len(matched) if matched and start >= 0 else None,
            **kw,
        ),
    )


def cite(session: Session, claim: Claim, raw: str, refs: dict[str, Reference | None]) -> Marker:
    """Add marker ``raw`` (found in the claim text) citing ``refs`` (key -> entry or None)."""
    start = claim.text.find(raw)
    assert start >= 0, f"marker {raw!r} not in claim text"
    marker = _add(
        session,
        Marker(
            article_id=claim.article_id,
            claim_id=claim.id,
            raw=raw,
            style="bracket",
            start=start,
            end=start + len(raw),
            keys=json.dumps(list(refs)),
        ),
    )
    for key, ref in refs.items():
        _add(
            session,
            StudyLink(
                article_id=claim.article_id,
                claim_id=claim.id,
                marker_id=marker.id,
                key=key,
                reference_id=ref.id if ref else None,
                dangling=ref is None,
            ),
        )
    claim.n_markers += 1
    return marker


def add_finding(session: Session, article: Article, code: str, message: str, **kw) -> Finding:
    kw.setdefault("severity", "warning")
    return _add(session, Finding(article_id=article.id, code=code, message=message, **kw))


@dataclass
class World:
    """Handles on the rows of ``build_world`` so tests can assert on what they put in."""

    rows: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.rows[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def build_world(session: Session, *, text_prefix: str = "") -> World:
    """Two articles about MS and fibromyalgia citing strong, weak and web sources.

    ``text_prefix`` is prepended to every free-text field (the XSS tests pass a payload).
    """
    p = text_prefix
    w = World()
    r = w.rows
    ms = r["ms"] = add_condition(
        session,
        "Multiple sclerosis",
        mesh_id="D009103",
        category="autoimmune",
        synonyms=["disseminated sclerosis"],
        abbreviations=["MS"],
    )
    fm = r["fm"] = add_condition(
        session, "Fibromyalgia", mesh_id="D005356", category="pain", synonyms=[]
    )
    r["unused_condition"] = add_condition(session, "Psoriasis", mesh_id="D011565")

    a1 = r["a1"] = add_article(session, "ldn.txt", title=p + "Low dose naltrexone")
    sec = r["sec_ms"] = add_section(session, a1, p + "Multiple sclerosis", position=1)
    r["w_rct"] = add_work(
        session,
        "10.1000/rct.1",
        title=p + "A randomized trial of LDN in multiple sclerosis",
        container_title="Annals of Neurology",
        year=2010,
        type="journal-article",
        evidence_type="randomised controlled trial",
    )
    r["w_case"] = add_work(
        session,
        "10.1000/case.2",
        title=p + "LDN in fibromyalgia: a case report",
        container_title="Pain Medicine",
        year=2013,
        type="journal-article",
        evidence_type="case report or series",
    )
    ref1 = r["ref1"] = add_reference(
        session,
        a1,
        "1",
        p + "Cree BA. LDN in MS. Ann Neurol. 2010;68:145-150.",
        doi="10.1000/rct.1",
        doi_status="present",
        work_doi="10.1000/rct.1",
        verification="verified",
        evidence_type="randomised controlled trial",
        source_type="journal",
        year=2010,
        journal="Ann Neurol",
    )
    ref2 = r["ref2"] = add_reference(
        session,
        a1,
        "2",
        p + "Younger J. LDN in fibromyalgia. Pain Med. 2013.",
        doi="10.1000/case.2",
        doi_status="present",
        work_doi="10.1000/case.2",
        verification="verified",
        evidence_type="case report or series",
        source_type="journal",
        year=2013,
    )
    ref3 = r["ref3"] = add_reference(
        session,
        a1,
        "3",
        p + "LDN Trust. What is LDN? https://ldn.example.org/what",
        url="https://ldn.example.org/what",
        source_type="web",
        verification="no_doi",
        evidence_type="web page or press release",
    )
    r["ref4"] = add_reference(  # never cited
        session,
        a1,
        "4",
        p + "Smith J. Unrelated. J Irreproducible Res. 2001.",
        verification="unchecked",
    )
    c1 = r["c_strong"] = add_claim(
        session,
        a1,
        p + "A 2010 randomised trial in Annals of Neurology found LDN helped MS patients [1].",
        section=sec,
        position=3,
        is_study_description=True,
        desc_year=2010,
        desc_journal="Annals of Neurology",
        desc_design="randomised controlled trial",
    )
    cite(session, c1, "[1]", {"1": ref1})
    tag(session, c1, ms, "MS")
    c2 = r["c_weak"] = add_claim(
        session,
        a1,
        p + "LDN relieved fibromyalgia pain in a 2015 trial [2][3].",
        position=5,
        is_study_description=True,
        desc_year=2015,
    )
    cite(session, c2, "[2]", {"2": ref2})
    cite(session, c2, "[3]", {"3": ref3})
    tag(session, c2, fm, "fibromyalgia")
    c3 = r["c_mixed"] = add_claim(
        session, a1, p + "Both MS and fibromyalgia respond to LDN [1,3].", section=sec, position=7
    )
    cite(session, c3, "[1,3]", {"1": ref1, "3": ref3})
    tag(session, c3, ms, "MS")
    tag(session, c3, fm, "fibromyalgia")
    c4 = r["c_dangling"] = add_claim(session, a1, p + "Fatigue in MS improves [9].", position=9)
    cite(session, c4, "[9]", {"9": None})
    tag(session, c4, ms, None, inherited=True)
    r["f_mismatch"] = add_finding(
        session,
        a1,
        "description_mismatch",
        p + "The sentence says 2015 but the cited work is from 2013.",
        claim_id=c2.id,
        reference_id=ref2.id,
        reference_key="2",
        evidence=json.dumps({"year": {"claim": 2015, "work": 2013}}),
    )
    r["f_dangling"] = add_finding(
        session,
        a1,
        "dangling_marker",
        p + "Marker [9] has no entry.",
        severity="error",
        claim_id=c4.id,
        marker_key="9",
    )
    r["f_web"] = add_finding(
        session,
        a1,
        "non_scholarly_source",
        p + "Entry 3 is a web page.",
        reference_id=ref3.id,
        reference_key="3",
    )

    a2 = r["a2"] = add_article(session, "other.md", title=p + "Second article", format="markdown")
    ref21 = r["ref21"] = add_reference(
        session,
        a2,
        "1",
        p + "Cree BA. LDN in MS. Ann Neurol. 2010.",
        doi="10.1000/rct.1",
        work_doi="10.1000/rct.1",
        verification="verified",
        evidence_type="randomised controlled trial",
        source_type="journal",
    )
    c21 = r["c_other"] = add_claim(
        session, a2, p + "Disseminated sclerosis responds to LDN [1].", position=2
    )
    cite(session, c21, "[1]", {"1": ref21})
    tag(session, c21, ms, "Disseminated sclerosis")
    refresh_summaries(session.connection())  # as a build ends: the evidence map's summaries
    session.commit()
    return w
