"""Section headings, however a page dresses them: which ones open a reference list, which
ones end one.

A heading reaches us dressed by whatever made the page: ``***** References[edit] *****``
(a text dump of a wiki page), ``== References ==`` (wiki text), ``## Sources``,
``REFERENCES:``, ``7. Literature cited``. ``heading_words`` takes the dressing off, so one
vocabulary serves every reader.
"""

from __future__ import annotations

import re

_EDIT = re.compile(r"\[\s*edit(?:\s+source)?\s*\]", re.I)
_DRESSING = re.compile(r"^[\s*=#_~\-:|>•]+|[\s*=#_~\-:|.•]+$")
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVXLC]{1,6}\.|[A-H][.)])\s+")

# Headings of a list of sources (English and the common non-English forms).
_REFERENCE_RE = re.compile(
    r"^(?:references?(?:\s+(?:and\s+notes|cited|list|and\s+further\s+reading))?"
    r"|(?:notes|sources)\s+and\s+(?:references|sources|notes|citations)"
    r"|notes|sources?|bibliograph(?:y|ie)|select\s+bibliography|citations?|works\s+cited"
    r"|literature(?:\s+cited)?|cited\s+literature|foot\s?notes|end\s?notes"
    r"|literatur(?:verzeichnis)?|quellen|références(?:\s+bibliographiques)?"
    r"|referencias(?:\s+bibliográficas)?|bibliograf[íi]a|riferimenti(?:\s+bibliografici)?"
    r"|referências(?:\s+bibliográficas)?|referenties|literatuur)$"
)
# Headings that end a reference list: what journals and pages put after it.
_STOP_RE = re.compile(
    r"^(?:appendi(?:x|ces)\b|supplementa|author(?:s|'s|s')?\b|about\s+the\s+authors?"
    r"|acknowledge?ments?|funding|conflicts?\s+of\s+interest|competing\s+interests?"
    r"|disclosures?|comments?|leave\s+a\s+(?:comment|reply)|responses?|related\b"
    r"|abbreviations|glossary|notes\s+on\s+contributors|editors?\b|reviewers?\b"
    r"|further\s+reading|external\s+links|see\s+also|share\b|tags?\b|categories\b"
    r"|copyright|licen[cs]e|cite\s+this|how\s+to\s+cite|article\s+information"
    r"|figures?\s+(?:and|&)\s+tables|tables?\b|figures?\b|footer|navigation|menu)"
)


def heading_words(text: str) -> str:
    """The heading's words, lower-case, without dressing, ``[edit]`` or section numbers."""
    t = _EDIT.sub(" ", text.replace("\u00a0", " "))
    t = _DRESSING.sub("", t.strip())
    t = _NUMBERING.sub("", t)
    return " ".join(t.lower().split())


def is_reference_heading(text: str) -> bool:
    """``References``, ``== References ==``, ``***** References[edit] *****``, ``Literatur``."""
    words = heading_words(text)
    return len(words) <= 40 and bool(_REFERENCE_RE.match(words))


def is_stop_heading(text: str) -> bool:
    """A heading that closes a reference list: appendices, author information, comments."""
    return bool(_STOP_RE.match(heading_words(text)))


def heading_dressing_level(line: str) -> int | None:
    """The level a text line dressed as a heading claims: ``== X ==`` 2, ``*** X ***`` 2,
    ``# X`` 1; None when the line is not dressed."""
    s = line.strip()
    m = re.fullmatch(r"(={1,6})\s*(.+?)\s*\1", s)
    if m:
        return len(m.group(1))
    m = re.fullmatch(r"(\*{2,7})\s*(.+?)\s*\1", s)
    if m:
        return 1 if len(m.group(1)) >= 6 else 2
    return None


# "5.7.3 Declaration of Helsinki (1964)": a numbered section title inside a list item.
_SECTION_ENTRY = re.compile(r"(?:^|\s)\d{1,3}(?:\.\d{1,3})+\s+[^\W\d_]")


def is_contents_item(text: str) -> bool:
    """A list item that is a table of contents (a sidebar's nested section titles, "5 Data
    Ethics + 5.1 What is data ethics? o 5.1.1 ..."): navigation, not body text, so a
    "(1964)" in a section title is no citation. Two numbered titles at least, and dense."""
    found = len(_SECTION_ENTRY.findall(text))
    return found >= 2 and found * 12 >= len(text.split())
