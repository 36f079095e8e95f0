"""Find an article's reference list in a Document and turn its entries into ParsedReferences."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.author_year import author_year_key
from ingest.readers.document import Block, Document, LinkDef
from ingest.reference_fields import parse_reference
from ingest.types import IngestError, ParsedReference, ReferenceFields

REFERENCE_HEADING = re.compile(
    r"^(?:[\d.]+\s+)?(?:references?(?: and notes| cited| list)?|notes and references|sources?"
    r"|bibliography|notes|end ?notes|citations?|works cited|literature(?: cited)?"
    r"|cited literature|reference list)\s*:?$",
    re.I,
)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)([a-z])?\b")
_REFLIKE = re.compile(
    r"\b(?:1[6-9]\d\d|20\d\d)[a-z]?\b|https?://|www\.|\bdoi\b|\bPMID\b|\bISBN\b", re.I
)
_NUMBER_PREFIX = re.compile(r"^\s*(?:\[(\d{1,5})\]|\((\d{1,5})\)|(\d{1,5})[.)])\s+")


@dataclass
class RawEntry:
    raw: str
    start: int = 0  # offsets into Document.text; 0, 0 for Markdown link definitions
    end: int = 0
    number: int | None = None
    anchor: str | None = None
    label: str | None = None


@dataclass
class ReferenceList:
    entries: list[RawEntry] = field(default_factory=list)
    heading: int | None = None  # index into Document.blocks of the list's heading
    first_block: int | None = None  # index of the first block that belongs to the list
    warnings: list[str] = field(default_factory=list)


def is_reference_heading(text: str) -> bool:
    return bool(REFERENCE_HEADING.match(text.strip().strip("#*_ ")))


def _entry(doc: Document, block: Block) -> RawEntry:
    raw = doc.block_text(block)
    number = block.number
    start = block.start
    m = _NUMBER_PREFIX.match(raw)
    if m and number is None:  # "1. Title ..." written inside the entry (Manubot, csl)
        number = int(next(g for g in m.groups() if g))
        start += m.end()
        raw = raw[m.end() :]
    return RawEntry(raw, start, block.end, number, block.anchor, block.label)


def _entry_like(text: str, block: Block) -> bool:
    """A paragraph under a References heading is an entry if it cites like one: a year, URL or
    DOI, or a link label plus period-separated fields (authors. title. source.)."""
    if _REFLIKE.search(text):
        return True
    return block.label is not None and text.count(". ") >= 2


def find_reference_list(doc: Document) -> ReferenceList:
    """Locate the list: marked entries (HTML), a References-like heading, or a trailing list."""
    blocks = doc.blocks
    marked = [i for i, b in enumerate(blocks) if b.kind == "reference"]
    if marked:
        before = range(marked[0] - 1, -1, -1)
        heading = next((i for i in before if blocks[i].kind == "heading"), None)
        if heading is not None and not is_reference_heading(doc.block_text(blocks[heading])):
            heading = None
        entries = [_entry(doc, blocks[i]) for i in marked]
        return ReferenceList(entries, heading, heading if heading is not None else marked[0])
    headings = [
        i
        for i, b in enumerate(blocks)
        if b.kind == "heading" and is_reference_heading(doc.block_text(b))
    ]
    for h in reversed(headings):
        level = blocks[h].level
        body: list[int] = []
        for i in range(h + 1, len(blocks)):
            if blocks[i].kind == "heading" and blocks[i].level <= level:
                break
            body.append(i)
        items = [i for i in body if blocks[i].in_list]
        chosen = items or [i for i in body if _entry_like(doc.block_text(blocks[i]), blocks[i])]
        if chosen:
            return ReferenceList([_entry(doc, blocks[i]) for i in chosen], h, h)
    # No heading: a numbered list closing the article.
    tail: list[int] = []
    for i in range(len(blocks) - 1, -1, -1):
        if blocks[i].kind == "item" and blocks[i].number is not None:
            tail.append(i)
        else:
            break
    tail.reverse()
    reflike = sum(bool(_REFLIKE.search(doc.block_text(blocks[i]))) for i in tail)
    if len(tail) >= 2 and reflike * 2 >= len(tail):
        return ReferenceList([_entry(doc, blocks[i]) for i in tail], None, tail[0])
    return ReferenceList()


def link_def_entries(defs: list[LinkDef], attached: set[str]) -> list[RawEntry]:
    """Markdown link definitions not already carried by a bibliography entry become entries."""
    out = []
    for d in defs:
        if d.label.lower() in attached:
            continue
        raw = f"{d.title} {d.url}" if d.title else d.url
        number = int(d.label) if d.label.isdigit() else None
        out.append(RawEntry(raw, 0, 0, number, None, d.label))
    return out


def _parse(raw: str) -> ReferenceFields:
    """The entry's fields. A parser bug fails the article (stage "parse", the entry named in
    the reason) rather than leaving the entry silently empty."""
    try:
        return parse_reference(raw)
    except Exception as exc:
        entry = raw if len(raw) <= 80 else raw[:77] + "..."
        msg = f"reference parser failed on entry {entry!r}: {type(exc).__name__}: {exc}"
        raise IngestError(msg, stage="parse") from exc


def _ascii_word(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", s.lower())


def _author_year(raw: str, fields: ReferenceFields) -> tuple[str | None, int | None, str]:
    """Family name, year and the author's own suffix ("2010a") for an author–year key."""
    year_m = _YEAR.search(raw)
    year = fields.year or (int(year_m.group(1)) if year_m else None)
    suffix = ""
    if year and year_m and int(year_m.group(1)) == year and year_m.group(2):
        suffix = year_m.group(2)  # the author's own disambiguation: "2010a"
    family = fields.first_author
    if not family:
        # Chicago/APA entries open with "Family, Given" or "Family G,": take that word.
        m = re.match(r"\s*([^\W\d_][\w'’\- ]{0,40}?)[,.]", raw)
        family = m.group(1).split()[-1] if m else None
    return (family if family and _ascii_word(family) else None), year, suffix


def build_references(entries: list[RawEntry]) -> tuple[list[ParsedReference], list[str]]:
    """Parse each entry and give it its key (number, link label, or family+year)."""
    warnings: list[str] = []
    parsed = [_parse(e.raw) for e in entries]
    numbered = sum(e.number is not None for e in entries)
    listed = [e for e in entries if e.label is None]
    author_year = False
    if listed and numbered * 2 < len(listed):
        pairs = zip(entries, parsed, strict=True)
        ay = [_author_year(e.raw, f) for e, f in pairs if e.label is None]
        author_year = sum(bool(f and y) for f, y, _s in ay) * 2 > len(ay)
        if not author_year and numbered == 0:
            warnings.append("reference list has no numbers; entries numbered by position")
    elif numbered < len(listed):
        warnings.append(
            f"{len(listed) - numbered} reference entries have no number; numbered by position"
        )
    base: list[str] = []
    numbers: list[int | None] = []
    for pos, (e, f) in enumerate(zip(entries, parsed, strict=True)):
        number = e.number
        if e.label:
            key = e.label.lower()
        elif author_year:
            family, year, suffix = _author_year(e.raw, f)
            key = author_year_key(family or "", year, suffix)  # the one definition markers use
        else:
            number = pos + 1 if number is None else number
            key = str(number)
        base.append(key)
        numbers.append(number)
    keys, dup_warnings = _disambiguate(base, author_year)
    warnings += dup_warnings
    refs = [
        ParsedReference(k, e.raw, pos, n, e.start, e.end, f)
        for pos, (k, n, e, f) in enumerate(zip(keys, numbers, entries, parsed, strict=True))
    ]
    return refs, warnings


def _disambiguate(base: list[str], author_year: bool) -> tuple[list[str], list[str]]:
    """Equal author–year keys get a, b, c...; a repeated number or label gets "-2", "-3"."""
    counts: dict[str, int] = {}
    for k in base:
        counts[k] = counts.get(k, 0) + 1
    taken = set(base)
    seen: dict[str, int] = {}
    keys: list[str] = []
    warnings: list[str] = []
    for k in base:
        if counts[k] == 1:
            keys.append(k)
            continue
        n = seen[k] = seen.get(k, 0) + 1
        if author_year and k[-1].isdigit() and counts[k] <= 26:
            cand = f"{k}{chr(ord('a') + n - 1)}"
        else:
            cand = k if n == 1 else f"{k}-{n}"
            if n == 2:
                warnings.append(f"reference key {k!r} appears {counts[k]} times in the list")
        while cand in taken and cand != k:
            cand += "x"
        taken.add(cand)
        keys.append(cand)
    return keys, warnings
