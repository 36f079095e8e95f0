"""Markup markers written as one group: ``(<a>2</a>,<a>4</a>,<a>5</a>)`` is one marker.

Pages link each number of a parenthetical or bracketed citation separately, and often only
the two ends of a range (``(<a>6</a>-<a>11</a>)``). Read one by one, ``(2,4,5)`` would be
three bare numbers and the range would lose its middle. A run of linked numbers joined by
commas or dashes, opened by ``(`` or ``[`` and closed by ``)`` or ``]``, is one marker whose
keys are every number it covers. Author–year citations linked one work at a time and
joined by ``;`` or ``,`` inside one pair of brackets (citeproc's
``(<span>(Kassirer 2004)</span>; <span>(Angell 2005)</span>)``) are one marker too.
"""

from __future__ import annotations

import re

from ingest.types import InlineMarker

_JOIN = re.compile(r"\s*(?:[,;]|[-–—])\s*")
_OPEN = re.compile(r"[(\[]\s*$")
_CLOSE = re.compile(r"^\s*[)\]]")
_GROUPABLE = frozenset({"bare", "paren", "bracket"})
_LIST_JOIN = re.compile(r"\s*[,;]\s*")


def _joins(text: str, a: InlineMarker, b: InlineMarker) -> bool:
    """Whether b continues a's group: numbers by comma or dash, works by comma or semicolon."""
    between = text[a.end : b.start]
    if a.style in _GROUPABLE and b.style in _GROUPABLE:
        return bool(_JOIN.fullmatch(between))
    return a.style == b.style == "author_year" and bool(_LIST_JOIN.fullmatch(between))


def group_markers(text: str, markers: list[InlineMarker]) -> list[InlineMarker]:
    """Merge runs of linked numbers inside one pair of brackets (see the module docstring)."""
    ordered = sorted(markers, key=lambda m: m.start)
    out: list[InlineMarker] = []
    i = 0
    while i < len(ordered):
        run = [ordered[i]]
        j = i + 1
        while j < len(ordered) and _joins(text, run[-1], ordered[j]):
            run.append(ordered[j])
            j += 1
        merged = _merge(text, run) if len(run) > 1 or run[0].style in _GROUPABLE else None
        out.append(merged or run[0])
        if merged is None:
            out.extend(run[1:])
        i = j
    return out


def _merge(text: str, run: list[InlineMarker]) -> InlineMarker | None:
    before = _OPEN.search(text[max(0, run[0].start - 3) : run[0].start])
    after = _CLOSE.match(text[run[-1].end : run[-1].end + 3])
    if not before or not after:
        return None
    if text[run[0].start - (len(before.group(0))) : run[0].start].strip() not in "([":
        return None
    opener = before.group(0).strip()
    if opener + after.group(0).strip() not in ("()", "[]"):
        return None
    start = run[0].start - len(before.group(0))
    end = run[-1].end + len(after.group(0))
    keys: list[str] = []
    for prev, m in zip([None, *run], run, strict=False):
        if prev is not None and re.search(r"[-–—]", text[prev.end : m.start]):
            keys += _between(prev.keys[-1:], m.keys[:1])
        keys += m.keys
    style = "paren" if opener == "(" else "bracket"
    if run[0].style == "author_year":
        style = "author_year"
    linked = any(m.linked for m in run)
    anchored = any(m.anchored for m in run)
    keys = list(dict.fromkeys(keys))
    return InlineMarker(text[start:end], start, end, style, keys, linked, anchored)


def _between(before: list[str], after: list[str]) -> list[str]:
    """Keys a range leaves unwritten: "6" - "11" gives 7 to 10 (numbers only)."""
    if not (before and after and before[0].isdigit() and after[0].isdigit()):
        return []
    lo, hi = int(before[0]), int(after[0])
    return [str(n) for n in range(lo + 1, hi)] if 0 < hi - lo <= 100 else []
