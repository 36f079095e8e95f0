"""Author–year matches that one pair of brackets groups into one marker (citeproc)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

M = TypeVar("M", bound=Any)  # ingest.author_year.AuthorYearMatch (a dataclass)

_BETWEEN = re.compile(r"\s*[;,]\s*")


def merge_bracketed_groups(text: str, found: list[M]) -> list[M]:
    """ "((Katan et al. 1997); (Owen et al. 2004))", "[(A 2005); (B 2008)]": citeproc wraps
    each work of one citation group in its own parentheses inside the author's brackets;
    works joined by ";" or "," that one bracket pair encloses are one marker."""
    groups: list[list[M]] = []
    for m in found:
        last = groups[-1][-1] if groups else None
        if last and _BETWEEN.fullmatch(text, last.end, m.start):
            groups[-1].append(m)
        else:
            groups.append([m])
    out: list[M] = []
    for g in groups:
        enclosed = _opens_before(text, g[0].start) and _closes_after(text, g[-1].end)
        if len(g) > 1 and enclosed:
            cites = [c for m in g for c in m.cites]
            out.append(replace(g[0], end=g[-1].end, cites=cites, narrative=False))
        else:
            out += g
    return out


def _opens_before(text: str, start: int) -> bool:
    return text[max(0, start - 40) : start].rstrip()[-1:] in ("(", "[")


def _closes_after(text: str, end: int) -> bool:
    return text[end : end + 40].lstrip()[:1] in (")", "]")
