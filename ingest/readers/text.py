"""Plain-text reader: paragraphs by blank lines, headings by shape, numbered lines as list items."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.headings import heading_dressing_level, is_reference_heading
from ingest.readers.document import Builder, Document
from ingest.readers.text_entries import author_starts, prose_after_entries
from ingest.resources import RESOURCES

FURNITURE_FILE = RESOURCES.data_file("furniture.txt")

# "1. x", "1) x", "[1] x", "(1) x" at the start of a line, optionally indented.
ITEM_NUMBER = re.compile(r"^\s*(?:\[(\d{1,5})\]|\((\d{1,5})\)|(\d{1,5})[.)])\s+(?=\S)")
BULLET = re.compile(r"^\s*[-*•·▪◦‣]\s+(?=\S)")
# A wiki back-link opens an entry: "^ a b Smith J...", "↑ Smith J..." (kept: the list reads it).
BACKLINK_START = re.compile(r"^\s*(?:\^|↑)\s*(?=\S)")
BYLINE = re.compile(
    r"^(?:(?:written|reviewed|posted|medically reviewed)\s+by|authors?\s*:|by)\s*:?\s+(.+)$", re.I
)
_BLANKISH = re.compile(r"^[\s\u00a0\u200b\ufeff]*$")
# A drawn horizontal rule (w3m "━━━", lynx "____") separates like a blank line.
_RULE = re.compile(r"^\s*[━─_=\-]{10,}\s*$")
_LEAD_IN = re.compile(r"\s[a-z]+:$")  # a sentence's own last word before its colon
_MARKERISH = re.compile(r"\[\d|\[\^|[¹²³⁴⁵⁶⁷⁸⁹⁰]")


@lru_cache(maxsize=1)
def furniture_phrases() -> tuple[str, ...]:
    lines = FURNITURE_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def is_furniture(text: str) -> bool:
    """A short block that is site furniture (share buttons, booking widgets, "Scroll to Top")."""
    t = " ".join(text.lower().split()).strip(" :.!|>-")
    if not t or len(t.split()) > 20:
        return False
    for phrase in furniture_phrases():
        if " " in phrase or not phrase.isalpha():
            if t.startswith(phrase.rstrip(":")):
                return True
        elif t == phrase:
            return True
    return False


def looks_like_heading(line: str) -> bool:
    """A short standalone line without sentence punctuation at its end (or ending in ':'/'?')."""
    s = line.strip()
    if not s or "\n" in s or len(s) > 120 or len(s.split()) > 16:
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    if s[-1] in ".!,;" or _MARKERISH.search(s) or ITEM_NUMBER.match(s) or BULLET.match(s):
        return False
    if s.endswith("?") and len(s.split()) > 14:
        return False
    if _LEAD_IN.search(s) and len(s.split()) >= 6:
        return False  # "Common violations taken from Smith (2018) are:" introduces a list

    return any(c.isalpha() for c in s)


def _paragraphs(text: str) -> list[list[str]]:
    paras: list[list[str]] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if _BLANKISH.match(line) or _RULE.match(line):
            if cur:
                paras.append(cur)
                cur = []
        elif heading_dressing_level(line) is not None:  # a dressed heading stands alone
            if cur:
                paras.append(cur)
            paras.append([line.rstrip()])
            cur = []
        else:
            cur.append(line.rstrip())
    if cur:
        paras.append(cur)
    return paras


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _hanging(lines: list[str]) -> list[bool]:
    """Entries hard-wrapped with a hanging indent (lynx, w3m, html2text dumps): each line
    at the paragraph's least indent opens an entry, the more indented ones continue it."""
    if len(lines) < 3:
        return [False] * len(lines)
    low = min(_indent(ln) for ln in lines)
    opens = [_indent(ln) == low for ln in lines]
    if not opens[0] or sum(opens) < 2 or all(opens) or opens[-1] and sum(opens) == len(lines):
        return [False] * len(lines)
    return opens


# A DOI URL cut after its prefix ("https://doi.org/10.1371/" + "journal.pone.0230416."),
# or a URL cut after a query separator: the next line carries on the URL, no space.
_CUT_URL = re.compile(r"(?:https?://(?:dx\.)?doi\.org/10\.\d{4,9}/|https?://\S+[?&=])$")


def join_lines(lines: list[str]) -> str:
    """Lines of one item as one string, a URL cut at a line end rejoined."""
    out = ""
    for ln in lines:
        ln = ln.strip()
        if not out:
            out = ln
        elif _CUT_URL.search(out) and ln and not ln[0].isspace():
            out += ln
        else:
            out = f"{out} {ln}"
    return out


# A line that stops mid-sentence (a word or a comma at its end): the next line goes on with it.
_MID_SENTENCE = re.compile(r"[^\W_],?\s*$")


# "[8] and primary cilia ...": a marker that wrapped to a line start, prose going on after it.
_MARKER_THEN_PROSE = re.compile(
    r"^\s*\[\d{1,5}\]\s+(?:and|or|but|in|of|for|with|to|as|at|by|on|from|that|which|who|"
    r"is|are|was|were|has|have|had|also|while|where|when|although|than|showed|found|reported)\b"
)


def _is_start(line: str) -> bool:
    if _MARKER_THEN_PROSE.match(line):
        return False
    return bool(ITEM_NUMBER.match(line) or BULLET.match(line) or BACKLINK_START.match(line))


_YEAR_ITEM = re.compile(r"^\s*(1[6-9]\d\d|20\d\d)\.\s")


def _year_not_number(lines: list[str], starts: list[bool]) -> list[bool]:
    """ "1980. “Interactions ...": an author–date entry wrapped just before its year. A year
    at a line start numbers an item only where the item before it was numbered one less."""
    out = list(starts)
    numbers: list[int] = []
    for i, ln in enumerate(lines):
        m = ITEM_NUMBER.match(ln) if starts[i] else None
        if not m:
            continue
        n = int(next(g for g in m.groups() if g))
        if _YEAR_ITEM.match(ln) and (not numbers or numbers[-1] != n - 1):
            out[i] = False
            continue
        numbers.append(n)
    return out


def _split_items(lines: list[str]) -> list[tuple[str, int | None, bool]]:
    """Split one blank-line paragraph into (text, number, is_item) pieces."""
    starts = _year_not_number(lines, [_is_start(ln) for ln in lines])
    for i in range(1, len(lines)):
        if starts[i] and not any(starts[:i]) and _MID_SENTENCE.search(lines[i - 1]):
            starts[i] = bool(BULLET.match(lines[i]))  # "cells" / "[8] and primary": prose wrapped
    first = starts.index(True) if any(starts) else 0
    if first > 1 and any(author_starts(lines[:first])):
        # author–year entries with no blank line before a numbered list (html2text): each
        # part on its own
        return [*_split_items(lines[:first]), *_split_items(lines[first:])]
    if not any(starts):
        starts = _hanging(lines)
    if not any(starts):
        starts = author_starts(lines)
        cut = prose_after_entries(lines, starts)
        if cut < len(lines):  # the list's last entry runs on into prose: split it off
            rest = " ".join(ln.strip() for ln in lines[cut:])
            return [*_split_items(lines[:cut]), (rest, None, False)]
    if not any(starts):
        return [(" ".join(ln.strip() for ln in lines), None, False)]
    out: list[tuple[str, int | None, bool]] = []
    opened_at = 0  # indent of the line that opened the current item
    for ln, is_start in zip(lines, starts, strict=True):
        if is_start and out and _indent(ln) > opened_at and out[-1][2]:
            is_start = False  # "    - TechRepublic", "      2007. Archived": a wrapped line
        if is_start or not out:
            opened_at = _indent(ln)
            m = ITEM_NUMBER.match(ln)
            if m:
                number = int(next(g for g in m.groups() if g))
                out.append((ln[m.end() :].strip(), number, True))
            else:
                b = BULLET.match(ln)
                body = ln[b.end() :] if b else ln
                out.append((body.strip(), None, bool(b) or is_start))
        else:  # a continuation line of the previous item
            text, number, item = out[-1]
            out[-1] = (join_lines([text, ln]), number, item)
    return out


_EDIT_MARK = re.compile(r"\s*\[\s*edit(?:\s+source)?\s*\]", re.I)


def _dressed_heading(line: str) -> tuple[str, int] | None:
    """``== References ==``, ``***** References[edit] *****``: (text, level)."""
    level = heading_dressing_level(line)
    if level is None:
        return None
    text = _EDIT_MARK.sub("", line.strip().strip("=*").strip())
    return (text, level) if text else None


_LYNX_INDEX = re.compile(r"\n\s*References\s*\n\s*(?:Visible|Hidden) links:", re.I)
# Without hidden links lynx writes no "Visible links:" line: "References" then "1. URL" lines.
_LYNX_BARE_INDEX = re.compile(r"\n[ \t]*References[ \t]*\n\s*\n(?=[ \t]*1\. [a-z][\w+.-]*:\S*\n)")
_INDEX_LINE = re.compile(r"[ \t]*(\d{1,5})\. [a-z][\w+.-]*:\S*")
_LYNX_NUMBER = re.compile(r"(?<!\^)\[\d{1,5}\]")
_LYNX_BEFORE_MARKER = re.compile(r"\^\[\d{1,5}\](?=\[\d)")


def _lynx_index_start(text: str) -> int | None:
    """Where lynx's own link index begins: "References / Visible links:", or a last
    "References" whose every line is "n. URL" numbered 1..N, N being the highest link
    number the page carries ("[N]" glued to the link's text), as only lynx writes it."""
    index = _LYNX_INDEX.search(text)
    if index:
        return index.start()
    found = list(_LYNX_BARE_INDEX.finditer(text))
    if not found:
        return None
    bare = found[-1]
    lines = [ln for ln in text[bare.end() :].split("\n") if ln.strip()]
    numbers = [m and int(m.group(1)) for m in map(_INDEX_LINE.fullmatch, lines)]
    if not numbers or None in numbers or numbers != list(range(1, len(numbers) + 1)):
        return None
    glued = re.findall(r"\[(\d{1,5})\](?=[^\s\d\],.;:)])", text[: bare.start()])
    if not glued or max(int(n) for n in glued) != len(numbers):
        return None
    return bare.start()


def lynx_plain(text: str) -> str:
    """A ``lynx -dump`` numbers every link (``[333]hemoglobin``, ``^[332][4]``,
    ``doi:[866]10.1093/...``) and closes with its own index of URLs under "References /
    Visible links:". Neither is the article: drop the numbers and the index. Citations
    survive: lynx writes a superscript as a caret, so ``^[332][4]`` is link 332, cite 4,
    and a bracketed citation keeps its number, ``[[3]1, [4]2]`` is ``[1, 2]``."""
    start = _lynx_index_start(text)
    if start is None:
        return text
    text = text[:start]
    text = _LYNX_BEFORE_MARKER.sub("^", text)
    return _LYNX_NUMBER.sub("", text)


_BRACKET_NUMBER = re.compile(r"\[(\d{1,3})\]")
# a symbol: three letters at most, a Greek letter, or a chemical formula ("CaCl", "MgSO")
_SYMBOL_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])[^\W\d_]{1,3}|[\u0370-\u03ff]|(?<![^\W\d_])(?:[A-Z][a-z]?){2,4})$"
)


def unbracket_subscripts(text: str) -> str:
    """Dumps print ``<sub>2</sub>`` as ``[2]`` glued to its symbol: ``FiO[2]``,
    ``α[1]β[2]γ[2]``, ``IC[50]``. Where the page writes its citations after a space
    (``effects [2], [3]``) far more than glued to punctuation (``cells.[4]``), a number
    glued to a short symbol (three letters at most, or Greek) is that subscript: unbracket
    it. A page citing glued (Wikipedia's ``cells[4]``) keeps every bracket. A page whose
    every bracketed number is glued to a short symbol (an author–year page: ``CO[2]``
    throughout) cites none by bracket: each is a subscript."""
    spaced = glued = symbols = total = 0
    for m in _BRACKET_NUMBER.finditer(text):
        total += 1
        symbols += bool(_SYMBOL_BEFORE.search(text, max(0, m.start() - 12), m.start()))
        before = text[m.start() - 1 : m.start()]
        if not before or before.isspace():
            spaced += 1
        elif not before.isalpha():
            glued += 1
    only_symbols = total >= 2 and symbols == total
    if not only_symbols and (spaced < 3 or spaced < 2 * glued):
        return text

    def plain(m: re.Match[str]) -> str:
        return (
            m.group(1)
            if _SYMBOL_BEFORE.search(text, max(0, m.start() - 12), m.start())
            else m.group(0)
        )

    return _BRACKET_NUMBER.sub(plain, text)


def read_text(text: str) -> Document:
    text = unbracket_subscripts(lynx_plain(text))
    raw_blocks: list[tuple[str, str, int | None, int]] = []  # (kind, text, number, level)
    for para in _paragraphs(text):
        dressed = _dressed_heading(para[0])
        lead = para[0].strip()
        if dressed or (len(para) > 1 and _is_start(para[1]) and looks_like_heading(lead)):
            # A heading line written directly above its list, no blank line between.
            heading, level = dressed or (_EDIT_MARK.sub("", lead), 2)
            raw_blocks.append(("heading", heading, None, level))
            para = para[1:]
            if not para:
                continue
        for body, number, is_item in _split_items(para):
            if is_item:
                raw_blocks.append(("item", body, number, 0))
            elif len(para) == 1 and looks_like_heading(body):
                raw_blocks.append(("heading", _EDIT_MARK.sub("", body), None, 2))
            else:
                raw_blocks.append(("paragraph", body, None, 0))
    raw_blocks = [b for b in raw_blocks if not is_furniture(b[1])]
    raw_blocks = _drop_trailing_furniture(raw_blocks)
    title, byline, raw_blocks = _title_and_byline(raw_blocks)
    builder = Builder()
    builder.doc.title, builder.doc.byline = title, byline
    for kind, body, number, level in raw_blocks:
        builder.add(kind, body, level=level, number=number, in_list=kind == "item")
    return builder.finish()


def _drop_trailing_furniture(blocks: list[tuple[str, str, int | None]]) -> list:
    """Short lines after a closing list (the reference list) are page furniture."""
    last_item = max((i for i, b in enumerate(blocks) if b[0] == "item"), default=None)
    if last_item is None:
        return blocks
    tail = blocks[last_item + 1 :]
    if tail and all(len(b[1].split()) <= 8 and b[1][-1:] not in ".?" for b in tail):
        return blocks[: last_item + 1]
    return blocks


def _title_and_byline(blocks: list) -> tuple[str | None, str | None, list]:
    """Find the byline near the top; the title is the heading-like line just above it."""
    for i, (_kind, body, _n, _level) in enumerate(blocks[:8]):
        m = BYLINE.match(body)
        if m and len(body) <= 150:
            byline = m.group(1).strip()
            for j in range(i - 1, -1, -1):
                if blocks[j][0] == "heading":
                    # Anything above the title is masthead (site name, breadcrumbs).
                    return blocks[j][1], byline, blocks[i + 1 :]
            return None, byline, blocks[:i] + blocks[i + 1 :]
    if blocks and blocks[0][0] == "heading" and len(blocks) > 1:
        if not is_reference_heading(blocks[0][1]):
            return blocks[0][1], None, blocks[1:]
    return None, None, blocks
