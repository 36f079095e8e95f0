"""The editor's audit: every incomplete or wrong reference and citation of an article, with
the fix. ``run_audit`` replaces an article's findings and sets its completeness."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from sqlmodel import Session, delete

from kb.audit.codes import CODES, INCOMPLETE_CODES, SEVERITY_RANK
from kb.audit.context import AuditContext, AuditFinding, load_context, ref_label
from kb.audit.duplicates import rule_duplicates
from kb.audit.formatting import fix_text
from kb.audit.numbering import rule_numbering_shift
from kb.audit.resolve import resolve_fixes
from kb.audit.rules_citations import rule_dangling, rule_descriptions, rule_uncited
from kb.audit.rules_references import REFERENCE_RULES
from kb.models import Finding, Reference
from kb.stable_ids import FINDING_KEY, IdKeeper

__all__ = ["run_audit", "audit_findings", "completeness", "ARTICLE_RULES"]

ArticleRule = Callable[[AuditContext], Iterator[AuditFinding]]

ARTICLE_RULES: list[ArticleRule] = [
    rule_duplicates,
    rule_dangling,
    rule_uncited,
    rule_descriptions,
    rule_numbering_shift,
]


def _fix_for_work(ctx: AuditContext, ref: Reference | None) -> tuple[str | None, str | None]:
    """(formatted reference, basis) for an entry: its work, else the suggested DOI's work."""
    if ref is None:
        return None, None
    render = ctx.fix_text_of or fix_text
    work = ctx.work_of(ref)
    if work is not None:
        return render(work), "work"
    work = ctx.suggested_work(ref)
    if work is not None:
        return render(work), "suggested_work"
    return None, None


def _complete_fixes(ctx: AuditContext, findings: list[AuditFinding]) -> None:
    """Attach the fixes every entry-level finding shares: the complete reference in AMA and
    Vancouver when the work is known, and the suggested DOI with its confidence."""
    by_label = {ref_label(r): r for r in ctx.references}
    cache: dict[int, tuple[str | None, str | None]] = {}
    for f in findings:
        ref = ctx.ref_by_id.get(f.reference_id) if f.reference_id else None
        if f.code in ("numbering_shift", "duplicate_reference") and f.fix_reference:
            ref = by_label.get(f.fix_reference)  # the fix is the entry meant / kept
        elif CODES[f.code].scope != "reference":
            continue
        if ref is None:
            continue
        if ref.id not in cache:
            cache[ref.id] = _fix_for_work(ctx, ref)
        text, basis = cache[ref.id]
        evidence = json.loads(f.evidence)
        if f.fix_text is None and text:
            f.fix_text = text
            evidence["fix_basis"] = basis
        sug = ctx.suggestions.get(ref.id)
        if f.fix_doi is None and sug is not None and not ref.work_doi:
            f.fix_doi = sug.doi
            evidence["suggestion"] = {
                "doi": sug.doi,
                "confidence": round(sug.confidence, 3),
                "status": sug.status,
                "agreed": json.loads(sug.agreed or "[]"),
                "disagreed": json.loads(sug.disagreed or "[]"),
            }
        f.evidence = json.dumps(evidence, ensure_ascii=False, sort_keys=True)


def audit_findings(ctx: AuditContext) -> list[AuditFinding]:
    """Every rule on one article's context, worst first; nothing is written."""
    findings: list[AuditFinding] = []
    for ref in ctx.references:
        for rule in REFERENCE_RULES:
            findings.extend(rule(ctx, ref))
    for article_rule in ARTICLE_RULES:
        findings.extend(article_rule(ctx))
    _complete_fixes(ctx, findings)
    resolve_fixes(findings)
    positions = {r.id: r.position for r in ctx.references}
    findings.sort(
        key=lambda f: (SEVERITY_RANK[f.severity], positions.get(f.reference_id, 1 << 30), f.code)
    )
    return findings


def completeness(references: Iterable[Reference], findings: Iterable[Finding]) -> float | None:
    """Share of entries that are verified and carry none of the incompleteness codes."""
    refs = list(references)
    if not refs:
        return None
    bad = {f.reference_id for f in findings if f.code in INCOMPLETE_CODES}
    good = [r for r in refs if r.verification == "verified" and r.id not in bad]
    return round(len(good) / len(refs), 4)


def run_audit(session: Session, article_id: int) -> list[Finding]:
    """Replace the article's findings with a fresh audit and set ``article.completeness``.

    Runs in the caller's session; the caller commits (``kb.build`` does, per article)."""
    ctx = load_context(session, article_id)
    keep = IdKeeper(session, Finding, article_id, FINDING_KEY)  # before the old ones go
    session.exec(delete(Finding).where(Finding.article_id == article_id))
    findings = [Finding(**f.row()) for f in audit_findings(ctx)]
    for f in findings:  # the same finding keeps its id (and URL) from audit to audit
        f.id = keep.id_for(*(getattr(f, c) for c in FINDING_KEY))
    session.add_all(findings)
    ctx.article.completeness = completeness(ctx.references, findings)
    session.add(ctx.article)
    session.flush()
    return findings
