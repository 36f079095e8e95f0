"""Abbreviations an article defines: "low-dose naltrexone (LDN)" -> {"LDN": "low-dose naltrexone"}.

The long form is found as Schwartz and Hearst (2003) do: the abbreviation's characters are
matched right to left in the words before the parenthesis, its first character at the start
of a word, within at most min(n + 5, 2n) words for an abbreviation of n characters.
"""

from __future__ import annotations

import re

_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{0,8}[A-Za-z0-9])\s*\)")
_WORD = re.compile(r"\S+")


def _is_abbreviation(short: str) -> bool:
    """Two to ten characters, at least two capitals, not a plain word ("(Smith)", "(2010)")."""
    return 2 <= len(short) <= 10 and sum(c.isupper() for c in short) >= 2


def long_form(short: str, before: str) -> str | None:
    """The shortest ending of ``before`` whose letters spell ``short`` (or None)."""
    s, i = len(short) - 1, len(before) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (before[i].lower() != c or (s == 0 and i > 0 and before[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = max(before.rfind(" ", 0, i + 1), before.rfind("\n", 0, i + 1)) + 1
    found = before[start:].strip(" ,;:-")
    return found if len(found) > len(short) else None


def defined_abbreviations(text: str) -> dict[str, str]:
    """Every abbreviation ``text`` defines as "long form (ABBR)", first definition kept."""
    out: dict[str, str] = {}
    for m in _DEFINITION.finditer(text):
        short = m.group(1)
        if short in out or not _is_abbreviation(short):
            continue
        # the words before the parenthesis, in the same sentence
        head = re.split(r"[.!?;:\n]\s", text[max(0, m.start() - 200) : m.start()])[-1]
        words = _WORD.findall(head)
        n = len(short)
        window = " ".join(words[-min(n + 5, 2 * n) :])
        found = long_form(short, window)
        if found:
            out[short] = found
    return out
