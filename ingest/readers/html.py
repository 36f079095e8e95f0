"""HTML reader (BeautifulSoup + lxml): content without furniture, markers from markup, entries."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.readers.document import ANCHOR_PREFIX, Builder, Document, Inline
from ingest.readers.html_markers import anchor_keys, keys_from_text, marker_style_of
from ingest.readers.html_page import (
    REFS_CONTAINER,
    classes_of,
    content_root,
    drop_furniture,
    is_gone,
    meta_values,
)
from ingest.readers.text import BYLINE, is_furniture
from ingest.types import IngestError

_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "figure", "figcaption", "pre", "hr", "body",
    "center", "details", "summary", "address", "tr", "td", "th", "tbody", "thead", "caption",
}  # fmt: skip
_REF_ANCHOR = re.compile(r"^#(?:ref|cite|bib|fn|footnote|endnote|b|r|CR)[-_:]?\w", re.I)
_SUP_GLUE = re.compile(r"\s*[,;–-]\s*")
_CITE_SHAPE = re.compile(r"^[\[(]?\s*\d{1,4}(?:\s*[-–—,;]\s*\d{1,4})*\s*[\])]?$")
_UNIT_BEFORE = re.compile(r"(?:\d|\b(?:m|cm|mm|km|ft|in|kg/m|m/s|x|×|10))$")
_SUPERSCRIPT = str.maketrans("0123456789-–,", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻˒")
_BACKLINK_TEXT = re.compile(
    r"^(?:jump up(?: to)?:?\s*)?(?:\^|↑|[a-z]{1,2}|\d{1,3}(?:\.\d{1,3})?|back|return)?$", re.I
)


def _sups_holding_citations(soup: BeautifulSoup) -> set[int]:
    """Ids of the <sup> tags with a <span class="citation"> inside, found in one pass:
    climbing from each citation stops at an ancestor already seen."""
    held: set[int] = set()
    climbed: set[int] = set()
    for span in soup.find_all("span", class_="citation"):
        parent = span.parent
        while parent is not None and id(parent) not in climbed:
            climbed.add(id(parent))
            if parent.name == "sup":
                held.add(id(parent))
            parent = parent.parent
    return held


def _tail(buf: Inline, n: int) -> str:
    """The last ``n`` characters of the buffer without joining all of it."""
    out: list[str] = []
    size = 0
    for part in reversed(buf.parts):
        out.append(part)
        size += len(part)
        if size >= n:
            break
    return "".join(reversed(out))[-n:]


def _own_cells(table: Tag) -> list[Tag]:
    """The table's own cells (not those of tables nested in them), in order."""
    cells: list[Tag] = []
    rows: list[Tag] = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(child)
        elif child.name in ("thead", "tbody", "tfoot"):
            rows += [r for r in child.children if isinstance(r, Tag) and r.name == "tr"]
    for row in rows:
        cells += [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]
    return cells


class _Reader:
    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.citing_sups = _sups_holding_citations(soup)
        self.b = Builder()
        self.title_pending = True
        self.byline: str | None = None
        self.in_entry = False  # inside a reference entry, <br> is a line break that matters

    # ---- inline content -------------------------------------------------------------
    def inline(self, el: Tag | NavigableString, buf: Inline, in_sup: bool = False) -> None:
        if isinstance(el, NavigableString):
            buf.text(str(el))
            return
        if not isinstance(el, Tag) or is_gone(el):
            return
        name = el.name
        if name == "br":
            if self.in_entry:
                buf.newline()  # Manubot entries: title / authors / journal on their own lines
            else:
                buf.text(" ")
            return
        if name in ("img", "table", "pre"):
            return
        classes = classes_of(el)
        if name == "span" and "citation" in classes.split():
            self._citation_span(el, buf)
            return
        if self.in_entry and self._entry_link(el, buf):
            return
        if name == "a" and _REF_ANCHOR.match(str(el.get("href") or "")):
            text = el.get_text(" ", strip=True)
            style = "footnote" if "footnote" in classes else marker_style_of(text, in_sup)
            buf.marker(text, style, anchor_keys(text, [ANCHOR_PREFIX + str(el["href"])[1:]]))
            return
        if name == "sup" and self._sup_marker(el, buf):
            return
        for child in list(el.children):
            self.inline(child, buf, in_sup or name == "sup")

    def _entry_link(self, el: Tag, buf: Inline) -> bool:
        """Inside an entry: a link's target may be its DOI (kept on the block); a link back
        to the text ("^", "a", "↑") is no part of the entry. True when ``el`` is done with."""
        if el.name == "span" and "mw-cite-backlink" in classes_of(el):
            return True
        if el.name != "a":
            return False
        href = str(el.get("href") or "").strip()
        if href.startswith("#"):
            return bool(_BACKLINK_TEXT.match(el.get_text("", strip=True)))
        if href:
            buf.links.append(href)
        return False

    def _citation_span(self, el: Tag, buf: Inline) -> None:
        text = " ".join(el.get_text("").split())
        anchors = [
            ANCHOR_PREFIX + str(a["href"])[1:]
            for a in el.find_all("a", href=True)
            if str(a["href"]).startswith("#")
        ]
        if not anchors:
            anchors = [ANCHOR_PREFIX + "ref-" + k for k in str(el.get("data-cites", "")).split()]
        buf.marker(text, marker_style_of(text, el.find_parent("sup") is not None), anchors)

    def _sup_marker(self, el: Tag, buf: Inline) -> bool:
        """<sup>3</sup>, <sup>[3]</sup>, <sup>1-3,5</sup> are markers; 10<sup>6</sup> is not."""
        if id(el) in self.citing_sups:
            return False
        # Below here the sup's subtree is read once and never descended into again.
        text = el.get_text("", strip=True)
        links = [str(a.get("href") or "") for a in el.find_all("a")]
        anchors = [ANCHOR_PREFIX + h[1:] for h in links if _REF_ANCHOR.match(h)]
        before = _tail(buf, 12).rstrip()
        if _SUP_GLUE.fullmatch(text) and buf.extend_marker(text, [], joined_by=None):
            return True  # <sup>1</sup><sup>, </sup><sup>2</sup>: one group, written in pieces
        if not _CITE_SHAPE.match(text) or (
            not anchors and (not before or _UNIT_BEFORE.search(before))
        ):
            buf.text("^" + text)  # an exponent: "10^6", "kg/m^2"
            return True
        keys = anchor_keys(text, anchors) if anchors else keys_from_text(text)
        # Digits as Unicode superscripts: "adults¹" reads as a citation, "adults1" does not.
        raw = text.translate(_SUPERSCRIPT)
        if not buf.extend_marker(raw, keys, joined_by=_SUP_GLUE):
            buf.marker(raw, "superscript", keys)
        return True

    # ---- blocks ---------------------------------------------------------------------
    def blocks(self, el: Tag, in_refs: bool = False) -> None:
        for child in list(el.children):
            if isinstance(child, NavigableString):
                if child.strip():  # stray text directly in a container
                    self.b.add("paragraph", child)
                continue
            if not isinstance(child, Tag) or is_gone(child):
                continue
            self.block(child, in_refs)

    def block(self, el: Tag, in_refs: bool) -> None:
        name = el.name
        refs_here = in_refs or bool(
            REFS_CONTAINER.match(str(el.get("id") or ""))
            or any(REFS_CONTAINER.match(c) for c in (el.get("class") or []))
            or el.get("role") in ("doc-bibliography", "doc-endnotes")
        )
        if re.fullmatch(r"h[1-6]", name):
            text = el.get_text(" ", strip=True)
            if self.title_pending and " ".join(text.split()) == self.b.doc.title:
                self.title_pending = False  # the title is the article's, not a section
            elif text and not is_furniture(text):
                self.b.add("heading", text, level=int(name[1]))
            return
        if name in ("ol", "ul"):
            self._list(el, refs_here)
            return
        if name == "table":
            self._table(el)
            return
        if name in ("pre", "hr", "img"):
            return
        if refs_here and name in ("div", "p", "li") and self._is_entry(el):
            self._entry(el)
            return
        if name in ("div", "section", "article", "main", "body", "blockquote", "figure",
                    "details", "center", "dl", "td", "th", "tr", "tbody", "thead"):  # fmt: skip
            if any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in el.children):
                self.blocks(el, refs_here)
                return
        self._paragraph(el, "paragraph")

    def _is_entry(self, el: Tag) -> bool:
        anchor = str(el.get("id") or "")
        cls = el.get("class") or []
        has_blocks = any(isinstance(c, Tag) and c.name in ("div", "ol", "ul") for c in el.children)
        return (anchor.startswith(("ref-", "cite", "fn", "bib")) or "csl-entry" in cls) or (
            not has_blocks and el.name in ("p", "li")
        )

    def _entry(self, el: Tag, number: int | None = None) -> None:
        buf = Inline()
        self.in_entry = True
        try:
            for child in list(el.children):
                self.inline(child, buf)
        finally:
            self.in_entry = False
        anchor = el.get("id") or (el.find(id=True) or {}).get("id")
        self.b.add("reference", buf, anchor=anchor, number=number, in_list=True)

    def _paragraph(self, el: Tag, kind: str, **attrs: object) -> None:
        buf = Inline()
        self.inline(el, buf)
        text = buf.value()
        if not self.b.doc.blocks and BYLINE.match(text) and len(text) <= 150:
            self.byline = self.byline or BYLINE.match(text).group(1).strip()
            return  # "By Jane Roe" above the first section is the byline, not body text
        if text and not is_furniture(text):
            self.b.add(kind, buf, **attrs)

    def _list(self, el: Tag, in_refs: bool) -> None:
        ordered = el.name == "ol"
        try:
            n = int(el.get("start") or 1)
        except ValueError:
            n = 1
        for li in el.find_all("li", recursive=False):
            number = n if ordered else None
            if li.get("value", "").isdigit():
                number = int(li["value"])
            if in_refs:
                self._entry(li, number)
            elif any(isinstance(c, Tag) and c.name in ("ol", "ul", "p", "div") for c in li):
                # Nested structure: text of the item first, then its sub-blocks.
                self.blocks(li)
            else:
                self._paragraph(li, "item", number=number, in_list=True)
            n = (number or n) + 1

    def _table(self, el: Tag) -> None:
        """Data tables are skipped (their numbers are not citations); layout tables are read."""
        cap = next((c for c in el.children if isinstance(c, Tag) and c.name == "caption"), None)
        if cap:
            self._paragraph(cap, "paragraph")
        cells = _own_cells(el)
        if not any(c.name == "th" for c in cells) and any(
            len(c.get_text(" ", strip=True)) > 150 for c in cells
        ):
            for cell in cells:
                self.blocks(cell)
            return
        rows: dict[int, list[Tag]] = {}
        for cell in cells:  # the table's own rows, each read once
            rows.setdefault(id(cell.parent), []).append(cell)
        for row_cells in rows.values():
            # A data row is read only when it cites: its linked markers are citations, its
            # numbers stay data (cells joined by "|" read as a table row, see looks_tabular).
            hrefs = [str(a.get("href") or "") for c in row_cells for a in c.find_all("a")]
            if not any(_REF_ANCHOR.match(h) for h in hrefs):
                continue
            buf = Inline()
            for cell in row_cells:
                self.inline(cell, buf)
                buf.text(" | ")
            self.b.add("paragraph", buf)


# Real pages nest a few dozen elements deep; the reader recurses once per level.
MAX_DEPTH = 300


def _check_depth(soup: BeautifulSoup) -> None:
    """Refuse absurd nesting before any other pass over the tree (one iterative walk)."""
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise IngestError(
                f"document nests elements more than {MAX_DEPTH} deep; not an article",
                stage="read",
            )
        stack += [(c, depth + 1) for c in node.contents if isinstance(c, Tag)]


def read_html(html: str) -> Document:
    soup = BeautifulSoup(html, "lxml")
    _check_depth(soup)
    title_tag = soup.find("title")
    meta_title = meta_values(soup, "citation_title", "dc.title", "DC.title")
    og_title = meta_values(soup, "og:title")
    authors = meta_values(soup, "citation_author", "author", "dc.creator", "DC.creator")
    drop_furniture(soup)
    root = content_root(soup)
    h1 = root.find("h1")
    title = (
        (meta_title[0] if meta_title else None)
        or (h1.get_text(" ", strip=True) if h1 else None)
        or (og_title[0].split(" | ")[0] if og_title else None)
        or (title_tag.get_text(" ", strip=True).split(" | ")[0] if title_tag else None)
    )
    reader = _Reader(soup)
    reader.b.doc.title = " ".join(title.split()) if title else None
    reader.blocks(root)
    doc = reader.b.finish()
    doc.byline = ", ".join(authors) if authors else reader.byline or _byline_from_blocks(doc)
    return doc


def _byline_from_blocks(doc: Document) -> str | None:
    for block in doc.blocks[:8]:
        m = BYLINE.match(doc.block_text(block))
        if m and block.end - block.start <= 150:
            return m.group(1).strip()
    return None
