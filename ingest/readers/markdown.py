"""Markdown reader (markdown-it-py): front matter, headings, lists, footnotes, link definitions."""

from __future__ import annotations

import re

import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ingest.entry_score import entry_score
from ingest.readers.document import Builder, Document, Inline, LinkDef
from ingest.readers.text import BYLINE, is_furniture

# "[Source: Sackett 2000][sa00]" whose label has no definition stays literal text.
_UNDEFINED_REF = re.compile(r"\[([^\[\]]+)\]\[([^\[\]\s][^\[\]]*)\]")
_DEF_LINE = re.compile(r"^\s{0,3}\[([^\]]+)\]:")
UNREFERENCED_SCORE = 0.3  # an unreferenced footnote must read this much like an entry
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]{1,40})\]:[ \t]*(.*)$")
_CITE_SHAPE = re.compile(r"^\[?\d{1,4}(?:\s*[-–,]\s*\d{1,4})*\]?$")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)


def _front_matter(content: str) -> dict:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _as_names(value: object) -> str | None:
    if isinstance(value, list):
        names = [str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        return str(value.get("name") or "") or None
    return str(value) if value else None


class _Reader:
    def __init__(self, src: str, env: dict) -> None:
        self.lines = src.split("\n")
        self.b = Builder()
        self.defs: dict[str, LinkDef] = {}  # normalised label -> definition
        self.by_href: dict[str, list[str]] = {}
        self.def_lines: dict[str, int] = {}  # footnote label -> line of its definition
        for n, line in enumerate(self.lines):
            if m := _FOOTNOTE_DEF.match(line):
                self.def_lines.setdefault(m.group(1), n)
        for norm, ref in (env.get("references") or {}).items():
            label = norm
            line_no = (ref.get("map") or [None])[0]
            if line_no is not None and line_no < len(self.lines):
                m = _DEF_LINE.match(self.lines[line_no])
                if m:
                    label = m.group(1).strip()
            d = LinkDef(label, ref.get("href") or "", ref.get("title") or None)
            self.defs[norm.lower()] = d
            self.by_href.setdefault(d.url, []).append(label)

    def _label_for(self, href: str, content: str) -> str | None:
        """Reference-style link labels are not in the tokens: recover them from the href."""
        labels = self.by_href.get(href) or []
        if not labels or f"]({href}" in content:
            return None  # an inline link that happens to share a URL
        for label in labels:
            if f"][{label.lower()}]" in content.lower():
                return label
        return labels[0]

    def inline(self, tok: Token, buf: Inline) -> str | None:
        """Render an inline token into buf; return the first reference-link label seen."""
        first_label: str | None = None
        children = tok.children or []
        i = 0
        while i < len(children):
            c = children[i]
            if c.type == "text":
                self._text(c.content, buf)
            elif c.type in ("softbreak", "hardbreak"):
                buf.text(" ")
            elif c.type == "code_inline":
                buf.text(c.content)
            elif c.type == "footnote_ref":
                label = str(c.meta.get("label", ""))
                buf.marker(f"[^{label}]", "footnote", [label.lower()])
            elif c.type == "link_open":
                href = str(c.attrs.get("href", ""))
                if href and not href.startswith("#"):
                    buf.links.append(href)  # an entry's DOI may be only in its link
                j = i + 1
                while j < len(children) and children[j].type != "link_close":
                    j += 1
                text = "".join(t.content for t in children[i + 1 : j] if t.content)
                label = self._label_for(str(c.attrs.get("href", "")), tok.content)
                if label:
                    buf.marker(f"[{text}]", "mdlink", [label.lower()])
                    first_label = first_label or label
                else:
                    buf.text(text)
                i = j
            elif c.type == "html_inline" and c.content.lower().startswith("<sup"):
                j = i + 1
                while j < len(children) and not (
                    children[j].type == "html_inline" and children[j].content.lower() == "</sup>"
                ):
                    j += 1
                text = "".join(t.content for t in children[i + 1 : j] if t.type == "text")
                if _CITE_SHAPE.match(text.strip()):
                    nums = re.findall(r"\d+", text)
                    buf.marker(text.strip(), "superscript", nums)
                else:
                    buf.text(text)
                i = j
            elif c.type == "image":
                pass
            elif c.content and c.type != "html_inline":
                buf.text(c.content)
            i += 1
        return first_label

    def _text(self, s: str, buf: Inline) -> None:
        pos = 0
        for m in _UNDEFINED_REF.finditer(s):
            if m.group(2).lower() in self.defs:
                continue
            buf.text(s[pos : m.start()])
            buf.marker(m.group(0), "mdlink", [m.group(2).strip().lower()])
            pos = m.end()
        buf.text(s[pos:])

    def walk(self, tokens: list[Token]) -> None:
        kind_stack: list[tuple[str, int | None]] = []  # list context: ("item", number)
        footnote: str | None = None
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.type == "front_matter":
                fm = _front_matter(t.content)
                if fm.get("title"):
                    self.b.doc.title = str(fm["title"]).strip()
                self.b.doc.byline = _as_names(fm.get("author") or fm.get("authors"))
            elif t.type == "heading_open":
                buf = Inline()
                self.inline(tokens[i + 1], buf)
                text = buf.value()
                level = int(t.tag[1])
                if level == 1 and self.b.doc.title is None and not self.b.doc.blocks:
                    self.b.doc.title = text
                elif level == 1 and text == self.b.doc.title and not self.b.doc.blocks:
                    pass  # the title repeated as the first heading
                elif text:
                    self.b.add("heading", buf, level=level)
                i += 2
            elif t.type in ("ordered_list_open", "bullet_list_open"):
                kind_stack.append(("list", None))
            elif t.type in ("ordered_list_close", "bullet_list_close"):
                kind_stack.pop()
            elif t.type == "list_item_open":
                number = int(t.info) if t.info.isdigit() else None
                kind_stack.append(("item", number))
            elif t.type == "list_item_close":
                kind_stack.pop()
            elif t.type == "footnote_open":
                footnote = str(t.meta.get("label", ""))
            elif t.type == "footnote_close":
                footnote = None
            elif t.type == "inline":
                self._block(t, kind_stack, footnote)
            elif t.type == "html_block":
                text = BeautifulSoup(t.content, "lxml")
                for bad in text.find_all(["script", "style", "noscript", "template"]):
                    bad.decompose()
                body = text.get_text(" ", strip=True)
                if body and not is_furniture(body):
                    self.b.add("paragraph", body)
            elif t.type == "table_open":  # data tables: numbers there are not citations
                while i < len(tokens) and tokens[i].type != "table_close":
                    i += 1
            i += 1

    def _block(self, t: Token, stack: list[tuple[str, int | None]], footnote: str | None) -> None:
        buf = Inline()
        label = self.inline(t, buf)
        text = buf.value()
        if not text or is_furniture(text):
            return
        if footnote is not None:
            number = int(footnote) if footnote.isdigit() else None
            order = self.def_lines.get(footnote)  # footnotes render in citation order
            self.b.add("reference", buf, label=footnote, number=number, in_list=True, order=order)
        elif stack and stack[-1][0] == "item":
            self.b.add("item", buf, number=stack[-1][1], label=label, in_list=True)
        else:
            self.b.add("paragraph", buf, label=label)


def _unreferenced_footnotes(src: str, reader: _Reader) -> None:
    """Footnote definitions nothing references: a renderer drops them, but a list written
    that way ("[^1]: A. Hosny, ...", cited as "[1]") is still the article's list."""
    have = {b.label for b in reader.b.doc.blocks if b.kind == "reference"}
    lines = src.split("\n")
    for n, line in enumerate(lines):
        m = _FOOTNOTE_DEF.match(line)
        if not m or m.group(1) in have:
            continue
        text = [m.group(2)]
        for more in lines[n + 1 :]:  # indented continuation lines
            if not more.startswith(("    ", "\t")) or not more.strip():
                break
            text.append(more.strip())
        if entry_score(" ".join(text)) < UNREFERENCED_SCORE:
            continue  # an author note ("Conceived and designed...") nothing cites
        buf = Inline()
        buf.text(" ".join(text))
        label = m.group(1)
        number = int(label) if label.isdigit() else None
        reader.b.add("reference", buf, label=label, number=number, in_list=True, order=n)
        have.add(label)


_PANDOC_FENCE = re.compile(r"^ {0,3}:{3,}.*$", re.M)
_PANDOC_SPAN = re.compile(r"\[([^\[\]\n]{0,300})\]\{[.#][^{}\n]{0,200}\}")


def pandoc_plain(src: str) -> str:
    """Pandoc's fenced divs (``::: {#ref-x .csl-entry}``) and bracketed spans
    (``[1. ]{.csl-left-margin}``) as CommonMark reads them: fences are blank lines
    (each entry its own paragraph), spans their text."""
    if ":::" not in src and "]{" not in src:
        return src
    return _PANDOC_SPAN.sub(r"\1", _PANDOC_FENCE.sub("", src))


def read_markdown(src: str) -> Document:
    src = pandoc_plain(src)
    md = _parser()
    env: dict = {}
    tokens = md.parse(src, env)
    reader = _Reader(src, env)
    reader.walk(tokens)
    _unreferenced_footnotes(src, reader)
    doc = reader.b.finish()
    doc.link_defs = list(reader.defs.values())
    if doc.byline is None:
        for block in doc.blocks[:6]:
            m = BYLINE.match(doc.block_text(block))
            if m and block.end - block.start <= 150:
                doc.byline = m.group(1).strip()
                break
    return doc
