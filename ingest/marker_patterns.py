"""Text patterns of numeric, superscript, footnote and Markdown-link citation markers.

Each ``find_*`` returns ``(start, end, keys)`` triples for one sentence; the
style-dependent ones (parenthetical numbers, bare numbers) are only called when
the article's style says so. Ranges expand into keys ("4-6" -> 4, 5, 6).
"""

from __future__ import annotations

import re
from collections.abc import Collection

MAX_RANGE_SPAN = 100  # "[1-9999]" is not a citation range
MAX_NUMBER = 9999  # a 5,000-entry list is plausible; a 5-digit marker is not

Hit = tuple[int, int, list[str]]

_DASH = r"[-‐‑–—]"
_ITEM = rf"\d{{1,5}}(?:\s*{_DASH}\s*\d{{1,5}})?"
_NUMLIST = rf"{_ITEM}(?:\s*[,;]\s*{_ITEM})*"
# A page locator stays on the marker, out of its keys: "[4, pp. 5–7]", "(3, p. 12)", "[22]:10".
_PAGES = rf"\d{{1,5}}(?:\s*{_DASH}\s*\d{{1,5}})?"
_IN_LOCATOR = rf"(?:\s*,\s*(?:pp?\.|pages?|page)\s*{_PAGES})"
_COLON_LOCATOR = rf"(?::{_PAGES}(?![\d.,]\d))"
BRACKET_RE = re.compile(rf"\[\s*({_NUMLIST}){_IN_LOCATOR}?\s*\]{_COLON_LOCATOR}?")
BRACKET_RANGE_RE = re.compile(r"\[\s*(\d{1,5})\s*\]\s*[-–—]\s*\[\s*(\d{1,5})\s*\]")
PAREN_NUM_RE = re.compile(rf"\(\s*({_NUMLIST}){_IN_LOCATOR}?\s*\)")
_LOCATOR_RE = re.compile(rf",\s*((?:pp?\.|pages?|page)\s*{_PAGES})\s*[\])]|[\])]:({_PAGES})$")
FOOTNOTE_RE = re.compile(r"\[\^([^\]\s]{1,40})\](?!:)")
MDLINK_RE = re.compile(r"\[([^\[\]]{1,200})\]\[([^\[\]\s][^\[\]]{0,39})\]")
MDLABEL_RE = re.compile(r"\[([^\[\]\s^][^\[\]]{0,39})\](?![\[(:])")

_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TABLE = str.maketrans(_SUP_DIGITS + "⁻", "0123456789-")
SUPERSCRIPT_RE = re.compile(rf"[{_SUP_DIGITS}]+(?:\s?[,⁻–\-]\s?[{_SUP_DIGITS}]+)*")
# A superscript after these is an exponent or a unit, not a citation ("m²", "10⁶", "x²").
_UNIT_BEFORE = re.compile(
    r"(?:\d|\b[a-zA-Z]|\b(?:cm|mm|km|µm|um|nm|ft|in|kg/m|m/s|mol|dm|sec|min))\s?$"
)

_BARE_RE = re.compile(
    r"(?:(?<=[^\W\d_])\s|(?<=[).’”\"']))(\d{1,4}(?:\s?[,;]\s?\d{1,4})*)(?=[.,;:]?(?:\s|$))"
)
_BARE_BLOCKERS = re.compile(
    r"(?:fig|figure|figs|table|tables|step|steps|phase|type|version|chapter|section|page|pages|"
    r"p|pp|no|vol|volume|issue|grade|stage|day|days|week|weeks|month|months|year|years|age|aged|"
    r"dose|level|class|group|arm|visit|n|covid|sars|part|appendix|box|equation|eq|item|"
    r"round|wave|cohort|trial|study|article|rule|point|score|top|of|than|to|and|or|from|"
    r"between|about|approximately|over|under|nearly|only|least|most|all|every|with|by)\W*$",
    re.IGNORECASE,
)


# ... or followed by a unit or a counted noun ("3 years", "5 patients").
_BARE_AFTER = re.compile(
    r"\s*(?:%|(?:mg|g|kg|ml|l|cm|mm|km|m|µg|mcg|h|s|min|nm|µm|mmol|mol|iu|x)\b|years?|months?|weeks?|days?|hours?|times|fold|patients|"
    r"participants|people|subjects|samples|studies|trials|cases|cells|percent|per)\b",
    re.IGNORECASE,
)


def locator_of(raw: str) -> str | None:
    """The page locator written with a marker: "pp. 5–7" in "[4, pp. 5–7]", "10" in "[22]:10"."""
    m = _LOCATOR_RE.search(raw)
    return (m.group(1) or m.group(2)) if m else None


def expand(numlist: str, warnings: list[str] | None = None) -> list[str] | None:
    """Keys of "1, 4-6" -> ["1", "4", "5", "6"]; None when any part is not plausible."""
    keys: list[str] = []
    for item in re.split(r"\s*[,;]\s*", numlist.strip()):
        ends = [int(x) for x in re.split(rf"\s*{_DASH}\s*", item) if x]
        if not ends or any(n < 1 or n > MAX_NUMBER for n in ends):
            return None
        if len(ends) == 1:
            keys.append(str(ends[0]))
            continue
        if len(ends) != 2:  # "1-2-3" is no range a citation writes
            return None
        lo, hi = ends
        if hi - lo > MAX_RANGE_SPAN:
            if warnings is not None:
                warnings.append(f"range {item!r} spans more than {MAX_RANGE_SPAN}: not a marker")
            return None
        if hi < lo:  # "[6-4]": keep both ends visible rather than invent the middle
            if warnings is not None:
                warnings.append(f"reversed range {item!r}: kept its two ends")
            keys.extend([str(lo), str(hi)])
            continue
        keys.extend(str(n) for n in range(lo, hi + 1))
    return list(dict.fromkeys(keys))


def find_brackets(text: str, warnings: list[str] | None = None) -> list[Hit]:
    """``[3]``, ``[4-6]``, ``[1, 4]``; ``[1][2]`` gives two markers; ``[4]–[7]`` (a range
    written as two linked brackets) is one marker for 4 to 7."""
    out = []
    ranges = []
    for m in BRACKET_RANGE_RE.finditer(text):
        keys = expand(f"{m.group(1)}-{m.group(2)}", warnings)
        if keys:
            ranges.append((m.start(), m.end(), keys))
    for m in BRACKET_RE.finditer(text):
        if any(s <= m.start() < e for s, e, _ in ranges):
            continue
        keys = expand(m.group(1), warnings)
        if keys:
            out.append((m.start(), m.end(), keys))
    return sorted(out + ranges)


LETTER_NOTE_RE = re.compile(r"\[([a-z]{1,2})\]")


def find_letter_notes(text: str, keys: Collection[str] = ()) -> list[Hit]:
    """``[a]``, ``[b]``: a lettered note, only when the article has a note of that letter."""
    return [(m.start(), m.end(), [m.group(1)]) for m in LETTER_NOTE_RE.finditer(text)
            if m.group(1) in keys]  # fmt: skip


def find_paren_numbers(text: str, keys: Collection[str] = (), warnings=None) -> list[Hit]:
    """``(1–3)``, ``(2,4)``; only for parenthetical-numeric articles, and years are not cites."""
    known = {k for k in keys if k.isdigit()}
    top = max((int(k) for k in known), default=0)
    out = []
    for m in PAREN_NUM_RE.finditer(text):
        if m.start() and text[m.start() - 1].isdigit():
            continue  # "72(10)": a volume's issue, not a citation
        got = expand(m.group(1), warnings)
        if not got:
            continue
        # Without a list, a lone 4-digit number is a year; with one, stay near its end.
        limit = top + 10 if top else 999
        if any(int(k) > limit for k in got):
            continue
        out.append((m.start(), m.end(), got))
    return out


def find_superscripts(text: str) -> list[Hit]:
    """``³``, ``¹²`` (one number), ``¹⁻³``, ``¹,²`` — not exponents or units."""
    out = []
    for m in SUPERSCRIPT_RE.finditer(text):
        before = text[max(0, m.start() - 8) : m.start()]
        if m.start() == 0 or _UNIT_BEFORE.search(before):
            continue
        numlist = m.group(0).translate(_SUP_TABLE).replace("⁻", "-")
        keys = expand(numlist)
        if keys:
            out.append((m.start(), m.end(), keys))
    return out


_CITEKEY = r"@[A-Za-z][\w:.#$%&+?<>~/-]{0,80}[\w]"
CITEKEY_GROUP_RE = re.compile(rf"\[(?:[^\[\]@]{{0,60}}){_CITEKEY}(?:[^\[\]]{{0,80}})\]")
CITEKEY_RE = re.compile(_CITEKEY)
# A bare "@Tayo2019" reads as a citation only when it names an author and a year.
BARE_CITEKEY_RE = re.compile(r"(?<![\w@\[;])@([A-Za-z][A-Za-z_-]{1,60}\d{4}[a-z]?)\b")


def find_citekeys(text: str) -> list[Hit]:
    """Pandoc citekeys left unrendered: ``[@Shapiro2021]``, ``[see @a; @b, p. 4]``, and a
    narrative ``@Tayo2019``; the key as written (lower-case) is the entry key."""
    out = []
    for m in CITEKEY_GROUP_RE.finditer(text):
        keys = [k[1:].lower() for k in CITEKEY_RE.findall(m.group(0))]
        if keys:
            out.append((m.start(), m.end(), keys))
    for m in BARE_CITEKEY_RE.finditer(text):
        if not any(s <= m.start() < e for s, e, _ in out):
            out.append((m.start(), m.end(), [m.group(1).lower()]))
    return sorted(out)


def find_footnotes(text: str) -> list[Hit]:
    """Markdown footnote references ``[^3]``, ``[^note]``: the label as written is the key."""
    return [(m.start(), m.end(), [m.group(1)]) for m in FOOTNOTE_RE.finditer(text)]


def find_mdlinks(
    text: str, keys: Collection[str] = (), warnings: list[str] | None = None
) -> list[Hit]:
    """``[text][label]`` left literal (label undefined) or, with known labels, ``[label]``.

    The full form ``[text][label]`` is a citation even when the label is never
    defined, so the dangling marker stays visible. Labels are case-insensitive in
    Markdown: an undefined one is kept lower-cased, as the reference list keys them.
    """
    by_fold = {k.lower(): k for k in keys}
    out = [
        (m.start(), m.end(), [by_fold.get(m.group(2).lower(), m.group(2).lower())])
        for m in MDLINK_RE.finditer(text)
    ]
    taken = [(s, e) for s, e, _ in out]
    for m in MDLABEL_RE.finditer(text):
        label = by_fold.get(m.group(1).lower())
        if label and not label.isdigit() and not any(s <= m.start() < e for s, e in taken):
            out.append((m.start(), m.end(), [label]))
            if warnings is not None and text[max(0, m.start() - 1) : m.start()] in "[]":
                warnings.append(f"broken Markdown link syntax before {m.group(0)!r}")
    return out


def find_bare(text: str, keys: Collection[str]) -> list[Hit]:
    """Bare linked numbers ("reproducibility 1.", "practices 8,9 and") that are known keys."""
    known = {k for k in keys if k.isdigit()}
    out = []
    for m in _BARE_RE.finditer(text):
        nums = re.split(r"\s?[,;]\s?", m.group(1))
        if not all(n.lstrip("0") in known for n in nums):
            continue
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 20]
        if (
            _BARE_BLOCKERS.search(before)
            or _BARE_AFTER.match(after)
            or re.match(r"\.\d", after)
            or re.search(r"\d\.$", before)
        ):
            continue
        out.append((m.start(1), m.end(1), [n.lstrip("0") for n in nums]))
    return out


# "ref. 46", "refs. 3, 5", "references 12–14": a number the word "reference" names.
_REF_WORD_RE = re.compile(rf"\b(?:[Rr]efs?\.?|[Rr]eferences?)\s+({_NUMLIST})(?![\d.,]\d)")


def find_ref_word(text: str, keys: Collection[str]) -> list[Hit]:
    """Numbers named by the word: "obtained from ref. 46". In any numeric article, with
    or without brackets around it, when every number is an entry of the list."""
    known = {k for k in keys if k.isdigit()}
    out = []
    for m in _REF_WORD_RE.finditer(text):
        got = expand(m.group(1))
        if got and all(k in known for k in got):
            out.append((m.start(1), m.end(1), got))
    return out


def looks_tabular(text: str) -> bool:
    """A table row (cells, or mostly numbers): its numbers are data, not citations."""
    if "\t" in text or text.count("|") >= 2:
        return True
    tokens = text.split()
    numeric = sum(bool(re.fullmatch(r"[\d.,%()\-–±<>=]+", t)) for t in tokens)
    return len(tokens) >= 5 and numeric / len(tokens) > 0.5
