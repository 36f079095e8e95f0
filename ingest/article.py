"""Read one article (bytes from a file or URL) into a ParsedArticle: the ingest orchestrator."""

from __future__ import annotations

import bisect
import os
import re
import stat
from pathlib import Path

from ingest.budget import at_stage
from ingest.claims import mark_claims
from ingest.decode import DEFAULT_MAX_BYTES, decode_bytes
from ingest.headings import is_contents_item
from ingest.marker_groups import group_markers
from ingest.markers import attach_markers
from ingest.readers.document import ANCHOR_PREFIX, Document
from ingest.reflist import ReferenceList, build_references, find_reference_list, link_def_entries
from ingest.sentences import split_sentences
from ingest.textcheck import check_words
from ingest.types import (
    IngestError,
    InlineMarker,
    ParsedArticle,
    ParsedSection,
    ParsedSentence,
)

FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".rmd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)
_HTML_TAGS = re.compile(rb"<(?:p|div|h[1-6]|article|section|span|sup|a\s|br|ol|ul|li)\b", re.I)
_MD_SNIFF = re.compile(
    rb"^(?:---\s*\n|#{1,6}\s+\S)|^\s{0,3}\[[^\]]+\]:\s*\S|^\s{0,3}#{1,6}\s", re.M
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def detect_format(
    data: bytes, source: str, fmt: str | None = None, content_type: str | None = None
) -> str:
    """The format to read with: explicit, else content type, else extension, else sniffed."""
    if fmt:
        if fmt not in FORMATS:
            raise IngestError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
        return fmt
    media = (content_type or "").split(";")[0].strip().lower()
    # Servers label Markdown and everything else text/plain, so only trust specific types.
    if media in _CONTENT_TYPES and media != "text/plain":
        return _CONTENT_TYPES[media]
    suffix = Path(source.split("?")[0].split("#")[0]).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    head = data[:4096]
    if _HTML_SNIFF.match(head) or len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    if _MD_SNIFF.search(head):
        return "markdown"
    return "text"


def _declared_charset(data: bytes, fmt: str, content_type: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w-]+)", content_type or "", re.I)
    if m:
        return m.group(1)
    if fmt == "html":
        m2 = _META_CHARSET.search(data[:4096])
        if m2:
            return m2.group(1).decode("ascii", "ignore")
    return None


def read_document(text: str, fmt: str) -> Document:
    if fmt == "html":
        from ingest.readers.html import read_html

        return read_html(text)
    if fmt in ("markdown", "text"):
        from ingest.readers.wikitext import looks_like_wikitext, wikitext_to_markdown

        if looks_like_wikitext(text):  # wiki source: <ref> tags become Markdown footnotes
            from ingest.readers.markdown import read_markdown

            return read_markdown(wikitext_to_markdown(text))
    if fmt == "markdown":
        from ingest.readers.markdown import read_markdown

        return read_markdown(text)
    from ingest.readers.text import read_text

    return read_text(text)


def parse_article(
    data: bytes,
    source: str,
    *,
    fmt: str | None = None,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    markers: bool = True,
) -> ParsedArticle:
    """Parse an article's bytes; raises IngestError(stage=...) with a one-line reason.

    ``markers=False`` stops after reading (no marker or claim detection).
    """
    try:
        return _parse(data, source, fmt, content_type, max_bytes, markers)
    except IngestError as exc:
        exc.source = exc.source or source
        raise
    except RecursionError:  # absurdly deep HTML nesting
        msg = "document is nested too deeply to read"
        raise IngestError(msg, stage="read", source=source) from None


def _parse(
    data: bytes,
    source: str,
    fmt: str | None,
    content_type: str | None,
    max_bytes: int,
    markers: bool,
) -> ParsedArticle:
    at_stage("decode")
    fmt = detect_format(data, source, fmt, content_type)
    declared = _declared_charset(data, fmt, content_type)
    text, encoding, repaired = decode_bytes(data, declared=declared, max_bytes=max_bytes)
    at_stage("read")
    doc = read_document(text, fmt)
    if not doc.text.strip():
        raise IngestError("no article text found (the page has no readable body)", stage="read")
    check_words(doc.text)
    at_stage("parse")
    reflist = find_reference_list(doc)
    article = ParsedArticle(
        source=source,
        format=fmt,
        text=doc.text,
        title=doc.title,
        byline=doc.byline,
        encoding=encoding,
        repaired=repaired,
        warnings=list(doc.warnings),
    )
    if repaired:
        article.warnings.append("text had encoding damage (mojibake) and was repaired")
    entries = list(reflist.entries)
    attached = {e.label.lower() for e in entries if e.label}
    entries += link_def_entries(doc.link_defs, attached)
    article.references, ref_warnings = build_references(entries, reflist.names)
    article.warnings += reflist.warnings + ref_warnings
    if not article.references:
        article.warnings.append("no reference list found")
    _sections_and_sentences(article, doc, reflist)
    # entries and references are parallel lists: an entry's HTML id names its key.
    by_anchor = {
        e.anchor: r.key for e, r in zip(entries, article.references, strict=True) if e.anchor
    }
    numbered = {r.key for r in article.references if r.key.isdigit()}
    article.inline_markers = group_markers(doc.text, _resolve_anchors(doc, by_anchor, numbered))
    if markers:
        _attach(article, article.inline_markers)
    return article


def _ref_section_blocks(doc: Document, reflist: ReferenceList) -> set[int]:
    """Indices of blocks that belong to the reference list's section (not body text)."""
    if reflist.first_block is None:
        return set()
    out = {i for i, b in enumerate(doc.blocks) if b.kind == "reference"}
    out |= reflist.block_indices()
    for part in reflist.lists:
        start = part.heading if part.heading is not None else part.blocks[0]
        level = doc.blocks[part.heading].level if part.heading is not None else 0
        for i in range(start, part.blocks[-1] + 1):
            b = doc.blocks[i]
            if i > start and b.kind == "heading" and (level == 0 or b.level <= level):
                break
            out.add(i)
    return out


def _sections_and_sentences(article: ParsedArticle, doc: Document, reflist: ReferenceList) -> None:
    excluded = _ref_section_blocks(doc, reflist)
    marker_spans = sorted((m.start, m.end) for m in doc.markers)
    list_headings = {p.heading for p in reflist.lists if p.heading is not None}
    headings = [i for i, b in enumerate(doc.blocks) if b.kind == "heading"]
    section_of_block: dict[int, int] = {}
    for pos, i in enumerate(headings):
        b = doc.blocks[i]
        end = next(
            (doc.blocks[j].start for j in headings if j > i and doc.blocks[j].level <= b.level),
            len(doc.text),
        )
        article.sections.append(
            ParsedSection(doc.block_text(b), b.level, b.start, end, pos, i in list_headings)
        )
        section_of_block[i] = pos
    if reflist.heading is None and reflist.first_block is not None:
        # A trailing list without a heading still gets a section, so it is not body text.
        first = doc.blocks[reflist.first_block]
        pos = len(article.sections)
        article.sections.append(
            ParsedSection("References", 2, first.start, len(doc.text), pos, True)
        )
        section_of_block[reflist.first_block] = pos
    section: int | None = None
    paragraph = 0
    for i, b in enumerate(doc.blocks):
        if i in section_of_block:
            section = section_of_block[i]
        if b.kind == "heading" or i in excluded:
            continue
        if b.in_list and is_contents_item(doc.block_text(b)):
            continue  # a sidebar table of contents is navigation, not the article's text
        spans = split_sentences(doc.text, b.start, b.end)
        for s, e in _keep_markers_whole(spans, marker_spans, b.start, b.end):
            article.sentences.append(
                ParsedSentence(doc.text[s:e], s, e, len(article.sentences), paragraph, section)
            )
        paragraph += 1


_NUMBERED_ANCHOR = re.compile(
    r"^(?:ref|bib|cite_note|cite|CR|b|r|fn|footnote|endnote)[-_]?(\d{1,4})$", re.I
)


def _anchor_key(anchor: str, numbered: set[str]) -> str:
    """An anchor no entry carries: "bib12" is entry 12 of a numbered list; else "ref-x" -> "x"."""
    m = _NUMBERED_ANCHOR.match(anchor)
    if m and str(int(m.group(1))) in numbered:
        return str(int(m.group(1)))
    return re.sub(r"^ref-", "", anchor)


def _keep_markers_whole(
    spans: list[tuple[int, int]], markers: list[tuple[int, int]], lo: int, hi: int
) -> list[tuple[int, int]]:
    """Join sentences the splitter cut inside a markup marker ("(smith_2017?)" ends no
    sentence at its "?")."""
    inside = [(s, e) for s, e in markers[bisect.bisect_left(markers, (lo, lo)) :] if s < hi]
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and any(ms < out[-1][1] < me for ms, me in inside):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _resolve_anchors(
    doc: Document, by_anchor: dict[str, str], numbered: set[str] = frozenset()
) -> list[InlineMarker]:
    """Markers that link to "#ref-x" point at the entry whose HTML id is "ref-x"."""
    out = []
    for m in doc.markers:
        keys = []
        linked = False
        for k in m.keys:
            if k.startswith(ANCHOR_PREFIX):
                anchor = k[len(ANCHOR_PREFIX) :]
                linked |= anchor in by_anchor
                keys.append(by_anchor.get(anchor) or _anchor_key(anchor, numbered))
            else:
                keys.append(k)
        anchored = any(k.startswith(ANCHOR_PREFIX) for k in m.keys)
        out.append(InlineMarker(m.raw, m.start, m.end, m.style, keys, linked, anchored))
    return out


def _attach(article: ParsedArticle, inline: list[InlineMarker]) -> None:
    """Markers, then the claims they make."""
    attach_markers(article, inline)
    mark_claims(article)


def read_source(
    path_or_url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 20,
    deadline: float = 60,
) -> tuple[bytes, str | None]:
    """The bytes of a file or http(s) URL and its content type (None for files)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", path_or_url, re.I):
        from ingest.fetch import fetch_url

        fetched = fetch_url(path_or_url, max_bytes=max_bytes, timeout=timeout, deadline=deadline)
        ct = fetched.content_type
        if ct and fetched.encoding:
            ct = f"{ct}; charset={fetched.encoding}"
        return fetched.data, ct
    return read_file(Path(path_or_url), max_bytes=max_bytes), None


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file (symlinks followed), at most ``max_bytes`` of them.

    Opened non-blocking so a FIFO cannot hang us, checked with ``fstat`` on the open file
    (no race with a swap), and read only up to the cap: the size ``stat`` reports means
    nothing for /dev/zero or /proc files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise IngestError(f"no such file: {path}", stage="read") from None
    except IsADirectoryError:
        raise IngestError(f"is a directory, not an article: {path}", stage="read") from None
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror}", stage="read") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise IngestError(f"is a directory, not an article: {path}", stage="read")
        what = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        raise IngestError(f"{what}, not a regular file: {path}", stage="read")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise IngestError(f"cannot read file: {exc.strerror}", stage="read") from None
    if len(data) > max_bytes:
        raise IngestError(f"file is over the {max_bytes:,}-byte size cap", stage="decode")
    return data
