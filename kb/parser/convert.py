"""Convert labelled reference corpora into our one training format (JSON lines).

Each line is ``{"id": ..., "source": ..., "segments": [[label, text], ...]}``: the
reference string is the concatenation of the texts; a label of ``""`` marks text the
source left unlabelled (spaces, separating punctuation, "Vol."). Labels are ours (see
``ingest.reference_tokens.LABELS``), mapped from AnyStyle's and GROBID's tag sets here.

Used once, by hand, on a local copy of the source files (see data/parser/training/README.md):
    python -m kb.parser.convert anystyle core.xml > data/parser/training/anystyle-core.jsonl
    python -m kb.parser.convert grobid FILE... > data/parser/training/grobid-citation.jsonl
    python -m kb.parser.convert tagged own.tagged.txt > data/parser/training/own.jsonl
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

ANYSTYLE = {
    "author": "author",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "collection-title": "container",
    "editor": "editor",
    "translator": "editor",
    "date": "date",
    "volume": "volume",
    "pages": "pages",
    "publisher": "publisher",
    "location": "location",
    "edition": "edition",
    "genre": "genre",
    "medium": "genre",
    "note": "note",
    "url": "url",
    "doi": "doi",
    "isbn": "identifier",
    "citation-number": "other",
}
_VOL_ISSUE = re.compile(r"^(?P<v>.*?\d[\w-]*)\s*(?P<i>\((?:[^()]*\d[^()]*|[A-Za-z\s]+)\).*)$")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _grobid_label(el: etree._Element, has_article_title: bool) -> str:
    tag, a = _local(el.tag), el.attrib
    if tag == "title":
        level = a.get("level", "a")
        if level == "a":
            return "title"
        if level == "m":
            return "container" if has_article_title else "title"
        return "container"  # j, s
    if tag == "biblScope":
        kind = a.get("type") or a.get("unit") or ""
        return {"vol": "volume", "volume": "volume", "issue": "issue"}.get(kind, "pages")
    if tag == "idno":
        return "doi" if a.get("type", "").lower() == "doi" else "identifier"
    if tag == "note":
        return "genre" if a.get("type") == "report" else "note"
    simple = {
        "author": "author",
        "editor": "editor",
        "date": "date",
        "publisher": "publisher",
        "orgName": "publisher",
        "pubPlace": "location",
        "pubplace": "location",
        "ptr": "url",
        "edition": "edition",
    }
    return simple.get(tag, "other")


def _text(el: etree._Element) -> str:
    """An element's text with <lb/> read as a space."""
    parts = [el.text or ""]
    for child in el:
        parts.append(" " if _local(child.tag) == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c < "\u0250" for c in letters) >= 0.8 * len(letters)


def grobid(path: Path) -> Iterator[list[list[str]]]:
    tree = etree.parse(str(path), etree.XMLParser(recover=True, huge_tree=True))
    for bibl in tree.iter("{*}bibl", "bibl"):
        kids = [c for c in bibl if isinstance(c.tag, str)]
        has_a = any(_local(c.tag) == "title" and c.get("level", "a") == "a" for c in kids)
        segs = [["", bibl.text or ""]]
        for c in kids:
            if _local(c.tag) == "lb":
                segs.append(["", " "])
            else:
                segs.append([_grobid_label(c, has_a), _text(c)])
            segs.append(["", c.tail or ""])
        yield segs


def anystyle(path: Path) -> Iterator[list[list[str]]]:
    tree = etree.parse(str(path))
    for seq in tree.iter("sequence"):
        segs: list[list[str]] = []
        for c in seq:
            label = ANYSTYLE.get(c.tag, "other")
            text = (c.text or "").strip()
            if segs:
                segs.append(["", " "])
            m = _VOL_ISSUE.match(text) if label == "volume" else None
            if m:  # AnyStyle's volume holds "14(2):"; we label the issue apart
                segs += [["volume", m.group("v")], ["", text[m.end("v") : m.start("i")]]]
                segs.append(["issue", m.group("i")])
            else:
                segs.append([label, text])
        yield segs


_TAG = re.compile(r"<(?P<label>[a-z]+)>(?P<text>.*?)</(?P=label)>", re.S)


def tagged(path: Path) -> Iterator[list[list[str]]]:
    """Our own labels: one reference a line, ``<author>Smith JA.</author> <title>..</title>``."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        segs, last = [], 0
        for m in _TAG.finditer(line):
            segs.append(["", line[last : m.start()]])
            segs.append([m.group("label"), m.group("text")])
            last = m.end()
        segs.append(["", line[last:]])
        yield [[lab, text.replace("\\n", "\n")] for lab, text in segs]


def clean(segs: list[list[str]], collapse: bool = True) -> list[list[str]]:
    """Whitespace collapsed (unless our own labels: kept as written), empty segments
    dropped, the string stripped at both ends."""
    out: list[list[str]] = []
    for label, text in segs:
        text = re.sub(r"\s+", " ", text) if collapse else text
        if not text:
            continue
        if out and out[-1][0] == label:
            out[-1][1] += text
        else:
            out.append([label, text])
    while out and not out[0][1].strip():
        out.pop(0)
    while out and not out[-1][1].strip():
        out.pop()
    if out:
        out[0][1] = out[0][1].lstrip()
        out[-1][1] = out[-1][1].rstrip()
    for i in range(1, len(out)):  # no double spaces across segment boundaries
        if collapse and out[i - 1][1].endswith(" ") and out[i][1].startswith(" "):
            out[i][1] = out[i][1][1:]
    return [s for s in out if s[1]]


def main(argv: list[str]) -> None:
    kind, paths = argv[0], [Path(p) for p in argv[1:]]
    reader = {"anystyle": anystyle, "grobid": grobid, "tagged": tagged}[kind]
    seen: set[str] = set()
    for path in paths:
        for n, segs in enumerate(reader(path)):
            segs = clean(segs, collapse=kind != "tagged")
            raw = "".join(t for _, t in segs)
            if len(raw) < 4 or raw in seen or not _latin(raw):
                continue
            if not any(label and label != "other" for label, _ in segs):
                continue
            seen.add(raw)
            rec = {"id": f"{path.name}#{n}", "source": kind, "segments": segs}
            if kind == "tagged":
                rec["id"] = f"{path.name}#{len(seen)}"
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
