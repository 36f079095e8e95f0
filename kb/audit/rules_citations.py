"""Rules on citations: markers without entries, entries never cited, and sentences that
describe their source (year, journal, design, sample size, condition) differently from it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.crossref.agreement import journals_agree
from kb.audit.compare import (
    SourceView,
    design_tags,
    designs_agree,
    source_view,
)
from kb.audit.context import AuditContext, make_finding, ref_label
from kb.models import Claim, Finding, Reference


def rule_dangling(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.references and ctx.links:  # no list at all: one finding, not one per marker
        keys = list(dict.fromkeys(link.key for link in ctx.links))
        yield make_finding(
            ctx,
            "reference_list_not_found",
            f"{len(ctx.links)} citation(s) but no reference list was found in the article.",
            evidence={"citations": len(ctx.links), "keys": keys[:20]},
        )
        return
    for link in ctx.links:
        if link.reference_id is None or link.dangling:
            marker = ctx.markers.get(link.marker_id) if link.marker_id else None
            claim = ctx.claims.get(link.claim_id)
            yield make_finding(
                ctx,
                "dangling_marker",
                f"Marker {link.key} points to no entry in the reference list.",
                link=link,
                evidence={
                    "key": link.key,
                    "marker": marker.raw if marker else None,
                    "claim": claim.text[:300] if claim else None,
                    "entries": len(ctx.references),
                },
            )


def rule_uncited(ctx: AuditContext) -> Iterator[Finding]:
    for ref in ctx.references:
        if ref.id not in ctx.links_by_ref:
            yield make_finding(
                ctx,
                "uncited_reference",
                f"Entry {ref_label(ref)} is in the list but no marker cites it.",
                ref=ref,
                evidence={"entry": ref.raw},
            )


@dataclass
class Agreement:
    """How a sentence's description of its study compares with one cited entry."""

    agreed: dict[str, dict] = field(default_factory=dict)
    disagreed: dict[str, dict] = field(default_factory=dict)
    basis: str = "entry"

    @property
    def score(self) -> int:
        return len(self.agreed) - len(self.disagreed)


def _compare(result: Agreement, name: str, said, source, same: bool) -> None:
    target = result.agreed if same else result.disagreed
    target[name] = {"sentence": said, "source": source}


def _view(ctx: AuditContext, ref: Reference) -> SourceView:
    views = ctx.memo["source_view"]
    if ref.id not in views:
        views[ref.id] = source_view(ref, ctx.work_of(ref), ctx.suggested_work(ref))
    return views[ref.id]


def _said_design(ctx: AuditContext, claim: Claim) -> set[str]:
    said = ctx.memo["said_design"]
    if claim.id not in said:
        said[claim.id] = design_tags(claim.desc_design)
    return said[claim.id]


def compare_claim(ctx: AuditContext, claim: Claim, ref: Reference, *, describes: bool) -> Agreement:
    """Fields the sentence states against the cited work (or, unresolved, the entry).

    ``describes``: the sentence's study description is about this one entry (it cites one)."""
    view = _view(ctx, ref)
    res = Agreement(basis=view.basis)
    if describes:
        if claim.desc_year and view.year:
            _compare(res, "year", claim.desc_year, view.year, claim.desc_year == view.year)
        if claim.desc_journal and view.journal:
            _compare(
                res,
                "journal",
                claim.desc_journal,
                view.journal,
                journals_agree(claim.desc_journal, view.journal),
            )
        said = _said_design(ctx, claim)
        if said and view.design:
            _compare(
                res,
                "design",
                claim.desc_design,
                sorted(view.design),
                designs_agree(said, view.design),
            )
        if claim.desc_sample_size and view.sample_size:
            _compare(
                res,
                "sample_size",
                claim.desc_sample_size,
                view.sample_size,
                claim.desc_sample_size == view.sample_size,
            )
    cc = ctx.conditions_of_claim(claim.id)
    rc = ctx.reference_conditions.get(ref.id) if cc else None
    if rc:
        related = ctx.graph.related
        same = any(related(a, b) for a in cc for b in rc)
        names = ctx.memo["condition_names"]  # shared lists: evidence only reads them
        key_c, key_r = ("claim", claim.id), ("ref", ref.id)
        if key_c not in names:
            names[key_c] = sorted(c.name for c in cc)
        if key_r not in names:
            names[key_r] = sorted(c.name for c in rc)
        _compare(res, "condition", names[key_c], names[key_r], same)
    return res


def claim_agreement(ctx: AuditContext, claim: Claim, ref: Reference) -> Agreement:
    """``compare_claim`` as the rules ask it (describing when the sentence cites one key),
    once per (sentence, entry): the description and numbering rules share the answers.
    Callers must not modify the result."""
    memo = ctx.memo["agreement"]
    key = (claim.id, ref.id)
    if key not in memo:
        memo[key] = compare_claim(ctx, claim, ref, describes=ctx.cites_one(claim.id))
    return memo[key]


def rule_descriptions(ctx: AuditContext) -> Iterator[Finding]:
    """description_mismatch and condition_mismatch, one finding per (claim, entry) and kind."""
    for link in ctx.links:
        ref = ctx.ref_by_id.get(link.reference_id) if link.reference_id else None
        claim = ctx.claims.get(link.claim_id)
        if ref is None or claim is None:
            continue
        res = claim_agreement(ctx, claim, ref)
        n = ref_label(ref)
        desc = {k: v for k, v in res.disagreed.items() if k != "condition"}
        if desc:
            parts = "; ".join(
                f"{k.replace('_', ' ')} {v['sentence']} vs {v['source']}" for k, v in desc.items()
            )
            yield make_finding(
                ctx,
                "description_mismatch",
                f"The sentence describes the study at marker {link.key} differently from "
                f"entry {n}: {parts}.",
                ref=ref,
                link=link,
                evidence={"fields": desc, "agreed": res.agreed, "source": res.basis},
            )
        if "condition" in res.disagreed:
            v = res.disagreed["condition"]
            yield make_finding(
                ctx,
                "condition_mismatch",
                f"The sentence is about {', '.join(v['sentence'])} but entry {n} is about "
                f"{', '.join(v['source'])}.",
                ref=ref,
                link=link,
                evidence={
                    "claim_conditions": v["sentence"],
                    "source_conditions": v["source"],
                    "source": res.basis,
                },
            )
