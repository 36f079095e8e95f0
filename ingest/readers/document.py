"""The one intermediate every reader produces: normalised text plus blocks, markers and entries.

Readers (text, Markdown, HTML) differ in how they find structure; everything after them
(reference list, sentences, markers) works on a ``Document`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.types import InlineMarker

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
ANCHOR_PREFIX = "#"  # marker keys that are still HTML anchors, resolved after the list is read


@dataclass
class Block:
    kind: str  # heading | paragraph | item | reference
    start: int  # offsets into Document.text
    end: int
    level: int = 0  # heading level (1 = title level)
    number: int | None = None  # list number as written ("3." -> 3)
    anchor: str | None = None  # HTML id of a reference entry ("ref-abc")
    label: str | None = None  # Markdown link label a reference entry carries
    in_list: bool = False  # part of a list (ol/ul, Markdown list, numbered lines)
    links: list[str] = field(default_factory=list)  # link targets in the block (entries' DOIs)
    order: int | None = None  # where the source wrote it, when blocks come out of order


@dataclass
class LinkDef:
    """A Markdown link reference definition: ``[label]: url "title"``."""

    label: str
    url: str
    title: str | None = None
    used: bool = False


@dataclass
class Document:
    text: str = ""
    title: str | None = None
    byline: str | None = None
    blocks: list[Block] = field(default_factory=list)
    markers: list[InlineMarker] = field(default_factory=list)
    link_defs: list[LinkDef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


class Inline:
    """Accumulates one block's inline text with whitespace collapsed, tracking marker offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.markers: list[tuple[str, int, int, str, list[str]]] = []
        self.links: list[str] = []  # link targets (href) met in the block
        self._space = True  # at start: swallow leading whitespace

    def text(self, s: str) -> None:
        if not s:
            return
        s = _WS.sub(" ", s)
        if self._space and s.startswith(" "):
            s = s[1:]
        if not s:
            return
        self.parts.append(s)
        self.length += len(s)
        self._space = s.endswith(" ")

    def newline(self) -> None:
        """A hard line break (kept in reference entries, whose lines carry structure)."""
        if self.parts and self.parts[-1].endswith(" "):
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
        if not self.parts or self.parts[-1].endswith("\n"):
            return
        self.parts.append("\n")
        self.length += 1
        self._space = True

    def marker(self, raw: str, style: str, keys: list[str]) -> None:
        raw = _WS.sub(" ", raw).strip()
        if not raw:
            return
        start = self.length
        self.text(raw)
        self.markers.append((raw, start, start + len(raw), style, keys))

    def extend_marker(self, raw: str, keys: list[str], joined_by: re.Pattern[str] | None) -> bool:
        """Grow the marker that ends the text so far (a group written in pieces); with
        ``joined_by``, only when that marker already ends in such a separator. A dash
        between two numbered anchors ("#bib1", "#bib3") stands for the anchors between."""
        if not self.markers or self.parts == [] or self.markers[-1][2] != self.length:
            return False
        old_raw, start, _end, style, old_keys = self.markers[-1]
        sep = re.search(r"[,;–-]\s*$", old_raw)
        if joined_by is not None and not sep:
            return False
        if sep and "–" in sep.group(0) or (sep and "-" in sep.group(0)):
            keys = _between(old_keys[-1:], keys) + keys if old_keys else keys
        self.parts.append(raw)
        self.length += len(raw)
        self._space = False
        self.markers[-1] = (old_raw + raw, start, self.length, style, old_keys + keys)
        return True

    def value(self) -> str:
        return "".join(self.parts).rstrip()


def _between(before: list[str], after: list[str]) -> list[str]:
    """Keys a range leaves unwritten: "#bib1" – "#bib4" gives "#bib2", "#bib3"."""
    a = re.fullmatch(r"(.*?)(\d+)", before[0]) if before else None
    b = re.fullmatch(r"(.*?)(\d+)", after[0]) if after else None
    if not a or not b or a.group(1) != b.group(1):
        return []
    lo, hi = int(a.group(2)), int(b.group(2))
    if not 0 < hi - lo <= 100:
        return []
    return [f"{a.group(1)}{n}" for n in range(lo + 1, hi)]


class Builder:
    """Appends blocks to a Document, separated by blank lines, keeping offsets exact."""

    def __init__(self) -> None:
        self.doc = Document()
        self._parts: list[str] = []
        self._len = 0

    def add(self, kind: str, inline: Inline | str, **attrs: object) -> Block | None:
        if isinstance(inline, str):
            buf = Inline()
            buf.text(inline)
            inline = buf
        text = inline.value()
        if not text:
            return None
        if self._parts:
            self._parts.append("\n\n")
            self._len += 2
        start = self._len
        self._parts.append(text)
        self._len += len(text)
        block = Block(kind, start, self._len, **attrs)  # type: ignore[arg-type]
        block.links = list(inline.links)
        self.doc.blocks.append(block)
        for raw, s, e, style, keys in inline.markers:
            if e <= len(text):
                self.doc.markers.append(InlineMarker(raw, start + s, start + e, style, keys))
        return block

    def finish(self) -> Document:
        self.doc.text = "".join(self._parts)
        return self.doc
