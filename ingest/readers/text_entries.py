"""Author–date entries hard-wrapped in a text dump with no blank line between them: where
each one opens, and where prose starts again after the last one."""

from __future__ import annotations

import re

# An author–year entry opens with "Surname, Given" / "Surname, I." / "Surname, IT," (the
# initials without stops that citeproc's Chicago style writes for eLife/PubMed names) or,
# without an author, with a quoted title and its year ("“REDCap.” 2022."); the one before
# it ended with a year, an identifier, a URL or a full stop.
_AUTHOR_OPEN = re.compile(
    r"^\s*(?:(?=[a-z]*[A-Z])[^\W\d_][\w'’\-]+(?: [A-Z][\w'’\-]+)?, "
    r"(?:[A-Z]\.|[A-Z][a-z]+\b|[A-Z]{1,3}(?=[,.]|\s+and\b))"
    r"|[“\"][^”\"]{2,200}[”\"]\s+(?:1[6-9]|20)\d\d[a-z]?\.)"
)
# A title-first entry (a corporate or anonymous work) in Chicago author–date: two words or
# more, a full stop, the year and a full stop ("Radiocarbon Calibration. 2014."); read over
# the line and the next, as the year may have wrapped.
_TITLE_YEAR_OPEN = re.compile(
    r"^\s*[A-Z][^\s.“”\"]*(?:\s+[^\s.“”\"]+){1,30}\.\s+(?:1[6-9]|20)\d\d[a-z]?\.(?:\s|$)"
)
_ENTRY_END = re.compile(r"(?:\b(?:1[6-9]|20)\d\d[a-z]?\)?|\b10\.\d{4,9}/\S+|https?://\S+|\.)\s*$")
_HAS_YEAR = re.compile(r"\b(?:1[6-9]|20)\d\d[a-z]?\b")


def author_starts(lines: list[str]) -> list[bool]:
    """Unindented author–year entries hard-wrapped with no blank line between them: a line
    that opens with an author after a line that ended an entry opens an entry. Only when
    the paragraph's first line opens one and every piece holds a year (prose never does)."""
    if len(lines) < 2 or not _AUTHOR_OPEN.match(lines[0]):
        return [False] * len(lines)
    nexts = [*lines[2:], ""]
    opens = [True] + [
        bool(
            (_AUTHOR_OPEN.match(ln) or _TITLE_YEAR_OPEN.match(f"{ln.strip()} {nxt.strip()}"))
            and _ENTRY_END.search(prev)
        )
        for prev, ln, nxt in zip(lines, lines[1:], nexts, strict=False)
    ]
    pieces: list[str] = []
    for ln, o in zip(lines, opens, strict=True):
        if o:
            pieces.append(ln)
        else:
            pieces[-1] += f" {ln}"
    if len(pieces) < 2 or not all(_HAS_YEAR.search(p) for p in pieces):
        return [False] * len(lines)
    return opens


_FULL_STOP_END = re.compile(r"\.\s*$")


def prose_after_entries(lines: list[str], opens: list[bool]) -> int:
    """Where prose begins after the last of a run of author–year entries with no blank
    line after it (html2text writes none): the last piece, when it runs far longer than any
    other entry, ends at its first line ending in a full stop once a year has been read.
    Returns len(lines) when the last piece is an entry like the others."""
    if sum(opens) < 3:
        return len(lines)
    first = max(i for i, o in enumerate(opens) if o)
    spans = [i for i, o in enumerate(opens) if o] + [len(lines)]
    sizes = [sum(len(ln) for ln in lines[a:b]) for a, b in zip(spans, spans[1:], strict=False)]
    if sizes[-1] <= max(800, 3 * max(sizes[:-1])):
        return len(lines)
    text = ""
    for i in range(first, len(lines)):
        text += f" {lines[i]}"
        if _HAS_YEAR.search(text) and _FULL_STOP_END.search(lines[i]):
            return i + 1
    return len(lines)
