"""duplicate_reference: one work listed as two entries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ingest.crossref.agreement import norm, page_range
from ingest.doi import has_usable_doi, normalize_doi
from kb.audit.compare import entry_pages
from kb.audit.context import AuditContext, make_finding, ref_label
from kb.models import Finding, Reference


def normalised_text(raw: str) -> str:
    """Entry text without its leading number, case, punctuation and spacing."""
    text = unicodedata.normalize("NFKC", raw).lower()
    text = re.sub(r"^\s*\[?\d+[\].)]?\s+", "", text)
    return re.sub(r"[\W_]+", "", text)


def _locator(ref: Reference) -> tuple | None:
    """(year, volume, issue, first page) when the entry writes year, volume and pages."""
    pages = entry_pages(ref)
    if not (ref.year and ref.volume and pages):
        return None
    return (ref.year, norm(ref.volume), norm(ref.issue or ""), page_range(pages)[0])


def _doi(ref: Reference) -> str | None:
    d = ref.work_doi or (ref.doi if has_usable_doi(ref.doi, ref.doi_status) else None)
    return normalize_doi(d, strict=False) if d else None


def _canonical(group: list[Reference]) -> Reference:
    """The entry to keep: a resolved one first, then one with a DOI, then the earliest."""
    return min(group, key=lambda r: (r.work_doi is None, _doi(r) is None, r.position))


def duplicate_groups(refs: list[Reference]) -> list[tuple[list[Reference], dict[int, str]]]:
    """Groups of entries naming one work, with the criterion that joined each member."""
    parent = {r.id: r.id for r in refs}
    why: dict[int, str] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: Reference, b: Reference, criterion: str) -> None:
        da, db = _doi(a), _doi(b)
        if da and db and da != db:
            return  # two different DOIs are two works, whatever else they share
        ra, rb = find(a.id), find(b.id)
        if ra != rb:
            parent[rb] = ra
            why.setdefault(b.id, criterion)
            why.setdefault(a.id, criterion)

    for keyfn, criterion in (
        (_doi, "same DOI"),
        (_locator, "same year, volume, issue and pages"),
        (lambda r: normalised_text(r.raw) or None, "same text"),
    ):
        seen: dict = {}
        for r in refs:
            k = keyfn(r)
            if k is None:
                continue
            if k in seen:
                join(seen[k], r, criterion)
            else:
                seen[k] = r
    groups: dict[int, list[Reference]] = {}
    for r in refs:
        groups.setdefault(find(r.id), []).append(r)
    return [(g, why) for g in groups.values() if len(g) > 1]


def rule_duplicates(ctx: AuditContext) -> Iterator[Finding]:
    for group, why in duplicate_groups(ctx.references):
        keep = _canonical(group)
        for ref in group:
            if ref.id == keep.id:
                continue
            criterion = why.get(ref.id, "same work")
            yield make_finding(
                ctx,
                "duplicate_reference",
                f"Entry {ref_label(ref)} repeats entry {ref_label(keep)} ({criterion}); "
                f"cite entry {ref_label(keep)} instead.",
                ref=ref,
                evidence={
                    "criterion": criterion,
                    "entry": ref.raw,
                    "canonical": keep.raw,
                    "doi": _doi(keep) or _doi(ref),
                },
                fix_reference=ref_label(keep),
            )
