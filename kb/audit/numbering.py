"""numbering_shift: a run of markers that fits the entries at a constant offset.

For every numeric citation we score how well the sentence (year, journal, design, sample
size, condition) agrees with the entry at its own number and with the entries ``k`` places
away. A run of citations, in marker order, where offset ``k`` fits better for at least
``MIN_RUN`` of them, by ``MIN_MEAN_GAIN`` points on average, and never fits worse, is a
shift: each better-fitting marker gets a finding proposing the entry it probably meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kb.audit.context import AuditContext, make_finding, ref_label
from kb.audit.rules_citations import Agreement, claim_agreement
from kb.models import Finding, Reference, StudyLink

OFFSETS = (-3, -2, -1, 1, 2, 3)
MIN_RUN = 3
MIN_MEAN_GAIN = 1.5


@dataclass
class _Cite:
    link: StudyLink
    number: int
    position: int
    at0: Agreement | None = None  # how the sentence fits the entry at its own number


@dataclass
class _Run:
    offset: int
    members: list[tuple[_Cite, Agreement | None, Agreement]]  # (cite, at 0, at offset)

    @property
    def better(self) -> list[tuple[_Cite, Agreement | None, Agreement]]:
        return [m for m in self.members if m[2].score > _score(m[1])]

    @property
    def gain(self) -> int:
        return sum(m[2].score - _score(m[1]) for m in self.members)


def _score(a: Agreement | None) -> int:
    return a.score if a is not None else 0


def _runs(
    ctx: AuditContext, cites: list[_Cite], by_number: dict[int, Reference], offset: int
) -> list[_Run]:
    def agreement(cite: _Cite, ref: Reference | None) -> Agreement | None:
        if ref is None:
            return None
        return claim_agreement(ctx, ctx.claims[cite.link.claim_id], ref)

    runs: list[_Run] = []
    current: list = []
    for cite in cites:
        at0 = cite.at0
        atk = agreement(cite, by_number.get(cite.number + offset))
        if atk is None or atk.score < _score(at0):
            runs.append(_Run(offset, _trim(current)))
            current = []
            continue
        current.append((cite, at0, atk))
    runs.append(_Run(offset, _trim(current)))
    return [r for r in runs if _qualifies(r)]


def _trim(members: list) -> list:
    """A run starts and ends with a marker the offset fits better: markers at its edges that
    fit both entries equally (often neither) are not evidence of the shift."""
    better = [i for i, m in enumerate(members) if m[2].score > _score(m[1])]
    return members[better[0] : better[-1] + 1] if better else []


def _qualifies(run: _Run) -> bool:
    better = run.better
    if len(better) < MIN_RUN:
        return False
    gain = sum(m[2].score - _score(m[1]) for m in better)
    return gain / len(better) >= MIN_MEAN_GAIN and sum(m[2].score for m in run.members) > 0


def find_shifts(ctx: AuditContext) -> list[_Run]:
    by_number = {r.number: r for r in ctx.references if r.number is not None}
    cites = [
        _Cite(lk, int(lk.key), ctx.claims[lk.claim_id].position)
        for lk in ctx.links
        if lk.key.isdigit() and lk.claim_id in ctx.claims
    ]
    cites.sort(key=lambda c: (c.number, c.position))
    for cite in cites:
        here = by_number.get(cite.number)
        if here is not None:
            cite.at0 = claim_agreement(ctx, ctx.claims[cite.link.claim_id], here)
    runs = [r for k in OFFSETS for r in _runs(ctx, cites, by_number, k)]
    # a citation belongs to the run that explains the most
    runs.sort(key=lambda r: -r.gain)
    taken: set[int] = set()
    kept = []
    for run in runs:
        members = [m for m in run.members if m[0].link.id not in taken]
        if len(members) == len(run.members):
            kept.append(run)
            taken |= {m[0].link.id for m in members}
    return kept


def rule_numbering_shift(ctx: AuditContext) -> Iterator[Finding]:
    by_number = {r.number: r for r in ctx.references if r.number is not None}
    for run in find_shifts(ctx):
        numbers = [m[0].number for m in run.members]
        span = {
            "first_marker": min(numbers),
            "last_marker": max(numbers),
            "markers_better": len(run.better),
        }
        for cite, at0, atk in _flagged(run):
            meant = by_number[cite.number + run.offset]
            here = by_number.get(cite.number)
            yield make_finding(
                ctx,
                "numbering_shift",
                _message(cite.number, ref_label(meant), at0, atk, span, run.offset),
                ref=here,
                link=cite.link,
                evidence={
                    "offset": run.offset,
                    "score_at_0": _score(at0),
                    "score_at_offset": atk.score,
                    "at_0": {"agreed": at0.agreed, "disagreed": at0.disagreed} if at0 else None,
                    "at_offset": {"agreed": atk.agreed, "disagreed": atk.disagreed},
                    "run": span,
                    "decided_by": "sentence" if atk.score > _score(at0) else "run",
                },
                fix_reference=ref_label(meant),
            )


def _flagged(run: _Run) -> list[tuple[_Cite, Agreement | None, Agreement]]:
    """The members that get a finding: those the offset fits better, and those inside the
    run whose sentence fits its own entry no better than nothing (the run around them decides). A
    member that fits its own entry as well as the offset's is left alone: it may be right."""
    first = min(m[0].number for m in run.better)
    last = max(m[0].number for m in run.better)
    return [
        m
        for m in run.members
        if m[2].score > _score(m[1]) or (first < m[0].number < last and _score(m[1]) <= 0)
    ]


def _message(
    number: int, meant: str, at0: Agreement | None, atk: Agreement, span: dict, offset: int
) -> str:
    """Why marker ``number`` probably means entry ``meant``: its sentence, or its run alone."""
    run = f"markers {span['first_marker']}-{span['last_marker']} are off by {offset:+d}"
    if atk.score > _score(at0):
        fields = ", ".join(atk.agreed) or "its description"
        verb = "fits" if len(atk.agreed) == 1 else "fit"
        return (
            f"Marker {number} probably means entry {meant}: "
            f"the sentence's {fields} {verb} it, and {run}."
        )
    # a member the sentence cannot decide (it fits both equally): the run around it decides
    return (
        f"Marker {number} probably means entry {meant}: it sits inside a run where {run}, "
        "and its sentence fits its own entry no better."
    )
