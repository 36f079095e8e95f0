"""What a citation link's text says: its numbers (ranges expanded), the anchors of a link that
carries a list or range, and its marker family. Pure string work for the HTML reader."""

from __future__ import annotations

import re

_YEAR = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)[a-z]?(?![\da-z])")  # "smith_2017?" too
_UNDATED = re.compile(r"\bn\.\s?d\.|\bin press\b", re.I)


def keys_from_text(text: str) -> list[str]:
    """Numbers in a marker, ranges expanded: "1–3, 5" -> ["1", "2", "3", "5"]."""
    keys: list[str] = []
    for part in re.split(r"[,;]", text.strip("[]() ")):
        m = re.match(r"^\s*(\d{1,4})\s*[-–—]\s*(\d{1,4})\s*$", part)
        if m and 0 < int(m.group(2)) - int(m.group(1)) < 200:
            keys += [str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1)]
        elif part.strip().isdigit():
            keys.append(str(int(part.strip())))
    return keys


def anchor_keys(text: str, anchors: list[str]) -> list[str]:
    """One link that carries a list or range: ``<a href="#bib51">51–53</a>`` cites 51 to 53,
    each as the anchor its entry would have ("#bib52", "#bib53")."""
    numbers = keys_from_text(text)
    if len(numbers) <= len(anchors):
        return anchors
    parts = [re.fullmatch(r"(.*?)0*(\d+)", a) for a in anchors]
    if not all(parts) or len({p.group(1) for p in parts}) != 1:
        return anchors
    if not {p.group(2) for p in parts} <= set(numbers):
        return anchors
    prefix = parts[0].group(1)
    return [prefix + n for n in numbers]


def marker_style_of(text: str, in_sup: bool) -> str:
    """The marker family a linked citation's text belongs to."""
    t = text.strip()
    if (_YEAR.search(t) or _UNDATED.search(t)) and re.search(r"[^\W\d_]", t):
        return "author_year"  # "Lee (2010)", "Spielman, n.d."
    if in_sup:
        return "superscript"
    if t.startswith("["):
        return "bracket"
    if t.startswith("("):
        return "paren"
    return "bare"
