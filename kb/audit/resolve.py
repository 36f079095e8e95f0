"""Fixes resolved to their end, so no two findings contradict each other.

The rules judge one thing each: a marker that probably means another entry, an entry that
repeats another, an entry with no DOI. Read one after another their fixes can send an
editor in circles ("use entry 19" while entry 19 "repeats entry 5"). After every rule has
run, ``resolve_fixes`` rewrites the fixes so each one is the last step:

- a chain marker -> entry -> duplicate of another entry is followed to the entry to keep;
- an entry that repeats another is deleted and its citations moved, so its other findings
  point at the entry to keep instead of proposing a DOI for the copy;
- a suggested DOI appears only on findings about the entry it was suggested for (a marker's
  finding never carries the DOI of the entry it probably means);
- a marker with no entry that a numbering shift explains gets the shift's entry as its fix.
"""

from __future__ import annotations

import json

from kb.audit.codes import CODES
from kb.models import Finding

# Findings whose fix.reference points at another entry: their fix is that pointer alone.
POINTER_CODES = ("numbering_shift", "duplicate_reference")


def canonical_entries(findings: list[Finding]) -> dict[str, str]:
    """Entry label -> label of the entry to keep, following chains (a -> b -> c gives c)."""
    step = {
        f.reference_key: f.fix_reference
        for f in findings
        if f.code == "duplicate_reference" and f.reference_key and f.fix_reference
    }
    out: dict[str, str] = {}
    for start in step:
        seen = {start}
        end = step[start]
        while end in step and end not in seen:  # a cycle stops where it closes
            seen.add(end)
            end = step[end]
        out[start] = end
    return out


def _evidence(f: Finding) -> dict:
    return json.loads(f.evidence or "{}")


def _set_evidence(f: Finding, evidence: dict) -> None:
    f.evidence = json.dumps(evidence, ensure_ascii=False, sort_keys=True)


def resolve_fixes(findings: list[Finding]) -> None:
    """Rewrite ``findings``' fixes in place so that each is final (see the module doc)."""
    keep = canonical_entries(findings)
    texts = _texts_by_entry(findings)
    for f in findings:
        if f.code in POINTER_CODES:
            f.fix_doi = None  # the DOI belongs to the entry pointed at, not to this one
        if f.code == "duplicate_reference":
            end = keep.get(f.reference_key or "", f.fix_reference)
            if end != f.fix_reference:
                _redirect(f, end, texts)
        elif f.code == "numbering_shift" and f.fix_reference in keep:
            meant = f.fix_reference
            end = keep[meant]
            f.message += f" Entry {meant} repeats entry {end}: cite entry {end}."
            ev = _evidence(f)
            ev["meant_entry"] = meant
            _set_evidence(f, ev)
            _redirect(f, end, texts)
        elif f.reference_key in keep and CODES[f.code].scope == "reference":
            # a copy of another entry is deleted, not completed: its fix is the entry to keep
            end = keep[f.reference_key]
            ev = _evidence(f)
            ev["superseded_by"] = f"entry {f.reference_key} repeats entry {end}"
            ev.pop("suggestion", None)
            _set_evidence(f, ev)
            f.fix_doi = None
            f.fix_reference = end
            f.fix_text = texts.get(end, f.fix_text)
    _dangling_meant(findings, keep, texts)


def _redirect(f: Finding, end: str, texts: dict[str, str]) -> None:
    f.fix_reference = end
    if end in texts:
        f.fix_text = texts[end]


def _texts_by_entry(findings: list[Finding]) -> dict[str, str]:
    """The complete reference known for each entry (from its own findings' fixes)."""
    out: dict[str, str] = {}
    for f in findings:
        if f.fix_text and f.code not in POINTER_CODES and f.reference_key:
            out.setdefault(f.reference_key, f.fix_text)
    for f in findings:  # an entry whose own findings carry no text: what pointers say of it
        if f.fix_text and f.code in POINTER_CODES and f.fix_reference:
            out.setdefault(f.fix_reference, f.fix_text)
    return out


def _dangling_meant(findings: list[Finding], keep: dict[str, str], texts: dict[str, str]) -> None:
    """A marker with no entry that a numbering shift explains is fixed by the shift's entry."""
    meant = {
        f.marker_id: f.fix_reference
        for f in findings
        if f.code == "numbering_shift" and f.marker_id is not None and f.fix_reference
    }
    for f in findings:
        if f.code == "dangling_marker" and f.marker_id in meant and f.fix_reference is None:
            end = keep.get(meant[f.marker_id], meant[f.marker_id])
            ev = _evidence(f)
            ev["explained_by"] = "numbering_shift"
            _set_evidence(f, ev)
            f.message += f" It is part of a numbering shift: it probably means entry {end}."
            _redirect(f, end, texts)
