"""Find an article's reference list(s) in a Document by what the blocks contain.

A block is an entry when it reads like one (``ingest.entry_score``); a heading that names a
list of sources (``ingest.headings``) makes its section's list items entries even when they
are terse. Without such a heading, a run of blocks that all read like entries is a list.
A list ends at a heading that closes it (appendices, author information, comments) or
where prose starts again. Notes and References are two lists, both kept, each entry
knowing its list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.entry_score import entry_score, strip_backlinks, strip_junk
from ingest.headings import is_reference_heading, is_stop_heading
from ingest.link_ids import doi_of_link, pmcid_of_link, pmid_of_link
from ingest.readers.document import Block, Document

ENTRY_SCORE = 0.45  # a paragraph scoring this much reads as an entry on its own
ITEM_SCORE = 0.2  # a list item under a references heading needs only this much
HEADED_SCORE = 0.3  # and a paragraph there this much
# "10.Blaschke C, ..." (PMC pages glue the number to the first author) counts as numbering too
_NUMBER_PREFIX = re.compile(
    r"^\s*(?:(?:\[(\d{1,5})\]|\((\d{1,5})\)|(\d{1,5})[.)])\s+|(\d{1,3})[.)](?=[A-Z][^\s\d.,;:]*[\s,]))"
)


@dataclass
class RawEntry:
    raw: str
    start: int = 0  # offsets into Document.text; 0, 0 for Markdown link definitions
    end: int = 0
    number: int | None = None
    anchor: str | None = None
    label: str | None = None
    links: list[str] = field(default_factory=list)  # link targets inside the entry
    list_index: int = 0  # which of the article's lists (0 = the first)


@dataclass
class ListPart:
    """One reference list: its heading (block index, or None) and its entries' blocks."""

    name: str
    heading: int | None
    blocks: list[int]


@dataclass
class ReferenceList:
    entries: list[RawEntry] = field(default_factory=list)
    heading: int | None = None  # index into Document.blocks of the first list's heading
    first_block: int | None = None  # index of the first block that belongs to a list
    warnings: list[str] = field(default_factory=list)
    lists: list[ListPart] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.lists]

    def block_indices(self) -> set[int]:
        """Every block of every list, headings included."""
        out: set[int] = set()
        for part in self.lists:
            out.update(part.blocks)
            if part.heading is not None:
                out.add(part.heading)
        return out


def block_score(doc: Document, block: Block) -> float:
    """How much the block reads like an entry; only identifier links count (prose links too)."""
    ids = sum(bool(doi_of_link(u) or pmid_of_link(u) or pmcid_of_link(u)) for u in block.links)
    return entry_score(doc.block_text(block), numbered=block.number is not None, links=ids)


def find_reference_list(doc: Document) -> ReferenceList:
    """The article's lists: marked entries (HTML), reference-headed sections, or a run of
    entry-like blocks; see the module docstring."""
    parts = _choose(_marked_lists(doc), _headed_lists(doc)) or _unheaded_list(doc)
    out = ReferenceList(lists=parts)
    for index, part in enumerate(parts):
        groups = _backlink_groups(doc, part.blocks)
        split = any(len(g) > 1 for g in groups)
        for group in groups:
            entry = _entry(doc, doc.blocks[group[0]], index, out.warnings)
            if split:  # the dump numbered its pieces, not the entries: number by place
                entry.number = None
            for i in group[1:]:  # the entry's text, split off its back-link by a dump
                more = _entry(doc, doc.blocks[i], index, out.warnings)
                entry.raw = f"{entry.raw} {more.raw}".strip()
                entry.end = more.end
                entry.links += more.links
            out.entries.append(entry)
    if parts:
        out.heading = parts[0].heading
        out.first_block = parts[0].heading if parts[0].heading is not None else parts[0].blocks[0]
    return out


def _choose(marked: list[ListPart], headed: list[ListPart]) -> list[ListPart]:
    """Marked entries (HTML lists, footnotes) are the list, unless a references section holds
    a larger list of its own: then a marked list without a references heading (footnotes
    that are author notes) gives way to it."""
    in_marked = {i for p in marked for i in p.blocks}
    own = [p for p in headed if not in_marked.intersection(p.blocks)]
    if not marked or sum(len(p.blocks) for p in own) <= sum(len(p.blocks) for p in marked):
        return marked or headed
    kept = [p for p in marked if p.heading is not None]
    return sorted(kept + own, key=lambda p: p.blocks[0])


def _heading_text(doc: Document, i: int | None) -> str:
    return " ".join(doc.block_text(doc.blocks[i]).split()) if i is not None else "References"


def _marked_lists(doc: Document) -> list[ListPart]:
    """Blocks a reader marked as entries (HTML lists of references, Markdown footnotes);
    a heading between two runs of them makes two lists."""
    parts: list[ListPart] = []
    heading: int | None = None
    last_heading_used: int | None = -1
    for i, b in enumerate(doc.blocks):
        if b.kind == "heading":
            heading = i
        elif b.kind == "reference":
            if not parts or heading != last_heading_used:
                named = (
                    heading
                    if heading is not None
                    and not is_stop_heading(doc.block_text(doc.blocks[heading]))
                    else None
                )
                parts.append(ListPart(_heading_text(doc, named), named, []))
                last_heading_used = heading
            parts[-1].blocks.append(i)
    # A heading that is not a references heading names nothing: keep the list, drop the name.
    for part in parts:
        if part.heading is not None and not is_reference_heading(
            doc.block_text(doc.blocks[part.heading])
        ):
            part.heading, part.name = None, "References"
    for part in parts:  # Markdown footnotes come out in citation order: list them as written
        part.blocks.sort(key=lambda i: _written_at(doc.blocks[i], i))
    return _merge_unnamed(parts)


def _merge_unnamed(parts: list[ListPart]) -> list[ListPart]:
    """Runs split only by a non-reference heading inside one list are one list."""
    out: list[ListPart] = []
    for part in parts:
        if out and part.heading is None:
            out[-1].blocks += part.blocks
        else:
            out.append(part)
    return out


def _section(doc: Document, h: int) -> list[int]:
    level = doc.blocks[h].level
    body = []
    for i in range(h + 1, len(doc.blocks)):
        b = doc.blocks[i]
        if b.kind == "heading" and (b.level <= level or is_reference_heading(doc.block_text(b))):
            break
        body.append(i)
    return body


def _headed_lists(doc: Document) -> list[ListPart]:
    parts = []
    for h, b in enumerate(doc.blocks):
        if b.kind == "heading" and is_reference_heading(doc.block_text(b)):
            chosen = section_entries(doc, _section(doc, h), headed=True)
            if chosen:
                parts.append(ListPart(_heading_text(doc, h), h, chosen))
    return parts


def section_entries(doc: Document, body: list[int], *, headed: bool) -> list[int]:
    """The entries of one section: skip an introduction, stop where the list ends.

    Under a references heading a terse block between two entries is one too; a block with
    no mark of a citation that runs long, or two non-entries in a row, end the list."""
    blocks = [i for i in body]
    for n, i in enumerate(body):
        b = doc.blocks[i]
        if b.kind == "heading" and is_stop_heading(doc.block_text(b)):
            blocks = body[:n]
            break
    scores = {i: block_score(doc, doc.blocks[i]) for i in blocks if doc.blocks[i].kind != "heading"}
    accepted = {i for i, s in scores.items() if _accept(doc.blocks[i], s, headed)}
    items = [i for i in blocks if i in scores]
    for prev, i, nxt in zip(items, items[1:], [*items[2:], None], strict=False):
        # a terse entry between two entries, or the last one of the section; a last block
        # of another kind (a paragraph after list items: "Articles from X are provided
        # here courtesy of Y") must read a little like an entry itself
        last_other = nxt is None and _kind(doc.blocks[i]) != _kind(doc.blocks[prev])
        if headed and prev in accepted and (nxt is None or nxt in accepted) and scores[i] > 0:
            if not last_other or scores[i] >= ITEM_SCORE:
                accepted.add(i)
    entries: list[int] = []
    misses = 0
    for i in items:
        if i in accepted:
            entries.append(i)
            misses = 0
            continue
        if not entries:
            continue  # an introduction to the list
        misses += 1
        if misses >= 2 or (scores[i] < 0.15 and len(doc.block_text(doc.blocks[i]).split()) >= 25):
            break  # prose again, or author information: the list has ended
    return entries


def _kind(block: Block) -> bool:
    """True for a list item (or a reference block), False for a paragraph."""
    return block.in_list or block.kind == "reference"


def _accept(block: Block, score: float, headed: bool) -> bool:
    if score >= ENTRY_SCORE:
        return True
    item = block.in_list or block.kind == "reference"
    return headed and score >= (ITEM_SCORE if item else HEADED_SCORE)


def _unheaded_list(doc: Document) -> list[ListPart]:
    """No reference heading: the best run of blocks that all read like entries, preferring
    the article's end (where lists are); a closing run of numbered items needs only two."""
    runs: list[list[int]] = []
    run: list[int] = []
    for i, b in enumerate(doc.blocks):
        if b.kind != "heading" and block_score(doc, b) >= ENTRY_SCORE:
            run.append(i)
            continue
        if run:
            runs.append(run)
        run = []
    if run:
        runs.append(run)
    best: list[int] = []
    for r in runs:
        closing = r[-1] == len(doc.blocks) - 1
        numbered = sum(doc.blocks[i].number is not None for i in r) * 2 >= len(r)
        if len(r) >= 3 or (len(r) >= 2 and closing and numbered):
            if len(r) >= len(best):
                best = r
    return [ListPart("References", None, best)] if best else []


_BACKLINK_ONLY = re.compile(r"^\s*(?:\d{1,4}[.)]\s*)?[\^↑](?:\s*[a-z]{1,2}\b)*\s*$")


_BACKLINK_START = re.compile(r"^\s*(?:\d{1,4}[.)]\s*)?[\^↑]")


def _backlink_groups(doc: Document, blocks: list[int]) -> list[list[int]]:
    """A dump that splits each entry into a back-link-only item ("2. ^", "78. ^ a b c") and
    the entry's text (one item or more): each back-link item opens an entry, the items after
    it continue it. Lists without such items keep one block per entry."""
    only = [bool(_BACKLINK_ONLY.match(doc.block_text(doc.blocks[i]))) for i in blocks]
    if sum(only) < 2:
        return [[i] for i in blocks]
    groups: list[list[int]] = []
    for i in blocks:
        opens = _BACKLINK_START.match(doc.block_text(doc.blocks[i]))  # with or without text
        if opens or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def _entry(doc: Document, block: Block, index: int, warnings: list[str]) -> RawEntry:
    raw = doc.block_text(block)
    number = block.number
    start = block.start
    m = _NUMBER_PREFIX.match(raw)
    if m and number is None:  # "1. Title ..." written inside the entry (Manubot, csl)
        number = int(next(g for g in m.groups() if g))
        start += m.end()
        raw = raw[m.end() :]
    stripped, _ = strip_backlinks(raw)
    start += len(raw) - len(stripped)
    raw, junk = strip_junk(stripped)
    if junk:
        warnings.append(f"style-sheet or script text dropped from reference entry at {start}")
    links = list(block.links)
    return RawEntry(raw, start, block.end, number, block.anchor, block.label, links, index)


def _written_at(block: Block, index: int) -> tuple[int, int]:
    return (0, block.order) if block.order is not None else (1, index)
