"""Turn an article's reference entries into ParsedReferences (finding the lists is
``ingest.reflist_find``, re-exported here)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ingest.author_year import author_year_key
from ingest.headings import is_reference_heading
from ingest.link_ids import apply_link_ids
from ingest.readers.document import LinkDef
from ingest.reference_fields import family_name, parse_reference
from ingest.reflist_find import ListPart, RawEntry, ReferenceList, find_reference_list
from ingest.types import IngestError, ParsedReference, ReferenceFields

__all__ = [
    "ListPart",
    "RawEntry",
    "ReferenceList",
    "build_references",
    "find_reference_list",
    "is_reference_heading",
    "link_def_entries",
]

_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)([a-z])?\b")


def link_def_entries(defs: list[LinkDef], attached: set[str]) -> list[RawEntry]:
    """Markdown link definitions not already carried by a bibliography entry become entries."""
    out = []
    for d in defs:
        if d.label.lower() in attached:
            continue
        raw = f"{d.title} {d.url}" if d.title else d.url
        number = int(d.label) if d.label.isdigit() else None
        out.append(RawEntry(raw, 0, 0, number, None, d.label, [d.url] if d.url else []))
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
    year = fields.guess("year") or (int(year_m.group(1)) if year_m else None)
    suffix = ""
    if year and year_m and int(year_m.group(1)) == year and year_m.group(2):
        suffix = year_m.group(2)  # the author's own disambiguation: "2010a"
    family = fields.first_author
    if not family and (unsure := fields.uncertain.get("authors")):
        family = family_name(unsure[0])  # read below its threshold: still good for a key
    if not family:
        # Chicago/APA entries open with "Family, Given" or "Family G,": take that word.
        m = re.match(r"\s*([^\W\d_][\w'’\- ]{0,40}?)[,.]", raw)
        family = m.group(1).split()[-1] if m else None
    return (family if family and _ascii_word(family) else None), year, suffix


def build_references(
    entries: list[RawEntry], list_names: Sequence[str] = ()
) -> tuple[list[ParsedReference], list[str]]:
    """Parse each entry and give it its key (number, link label, or family+year).

    An entry without a number is numbered by its place in its own list; identifiers in its
    link targets count as its own (``ingest.link_ids``)."""
    warnings: list[str] = []
    parsed = [apply_link_ids(_parse(e.raw), e.links) for e in entries]
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
    ordinals: list[int] = []
    in_list: dict[int, int] = {}
    for e, f in zip(entries, parsed, strict=True):
        ordinal = in_list[e.list_index] = in_list.get(e.list_index, 0) + 1
        ordinals.append(ordinal)
        number = e.number
        if e.label:
            key = e.label.lower()
        elif author_year:
            family, year, suffix = _author_year(e.raw, f)
            key = author_year_key(family or "", year, suffix)  # the one definition markers use
        else:
            number = ordinal if number is None else number
            key = str(number)
        base.append(key)
        numbers.append(number)
    base = letter_note_keys(base, [e.list_index for e in entries], list_names)
    keys, dup_warnings = _disambiguate(base, author_year)
    warnings += dup_warnings
    names = list(list_names)
    refs = []
    for pos, (k, n, e, f) in enumerate(zip(keys, numbers, entries, parsed, strict=True)):
        ref = ParsedReference(k, e.raw, pos, n, e.start, e.end, f)
        ref.links = list(e.links)
        ref.ordinal = ordinals[pos]
        ref.list_name = names[e.list_index] if e.list_index < len(names) else None
        refs.append(ref)
    return refs, warnings


_NOTES_LIST = re.compile(r"^(?:explanatory\s+)?(?:foot)?notes?$", re.I)


def note_letter(ordinal: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa": how Wikipedia letters its notes."""
    out = ""
    while ordinal > 0:
        ordinal, rest = divmod(ordinal - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def letter_note_keys(base: list[str], lists: list[int], names: Sequence[str]) -> list[str]:
    """A Notes list numbered from 1 beside another list numbered from 1 (a dump that wrote
    Wikipedia's lettered notes as numbers): the notes are cited by letters [a], [b], so
    their keys are letters and the numbers stay the other list's."""
    numeric_lists: dict[str, set[int]] = {}
    for key, li in zip(base, lists, strict=True):
        if key.isdigit():
            numeric_lists.setdefault(key, set()).add(li)
    if not any(len(ls) > 1 for ls in numeric_lists.values()):
        return base
    notes = {i for i, n in enumerate(names) if _NOTES_LIST.match(" ".join(n.split()))}
    if not notes or len(notes) == len(set(lists)):
        return base
    out, ordinal = [], {}
    for key, li in zip(base, lists, strict=True):
        if li in notes and key.isdigit():
            ordinal[li] = ordinal.get(li, 0) + 1
            key = note_letter(ordinal[li])
        out.append(key)
    return out


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
