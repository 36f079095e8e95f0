"""The labelled reference strings: loading, the held-out split, token labels, gold fields.

Files: ``data/parser/training/*.jsonl`` (format in ``kb.parser.convert``). The split is
fixed by the string itself: a string of the public corpora (AnyStyle, GROBID) is
held out for evaluation when the first byte of the SHA-1 of its UTF-8 text is below 52
(about 20%); our own labelled strings always train (they include the golden table's).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest import reference_normalise as N
from ingest.reference_crf import prepare
from ingest.reference_rules import _LEAD_NUMBER_RE
from ingest.reference_tokens import is_open
from ingest.resources import RESOURCES

TRAINING_DIR = RESOURCES.data_file("parser", "training")
HELD_OUT_BELOW = 52  # of 256: the first SHA-1 byte under this holds a string out
OWN = "tagged"


@dataclass
class Example:
    id: str
    source: str
    segments: list[list[str]]

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.segments)

    @property
    def held_out(self) -> bool:
        return self.source != OWN and is_held_out(self.text)


def is_held_out(text: str) -> bool:
    return hashlib.sha1(text.encode("utf-8")).digest()[0] < HELD_OUT_BELOW


def load(directory: Path = TRAINING_DIR) -> list[Example]:
    out = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out.append(Example(d["id"], d["source"], d["segments"]))
    return out


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not e.held_out]
    test = [e for e in examples if e.held_out]
    return train, test


def _char_labels(ex: Example) -> list[str]:
    out: list[str] = []
    for label, text in ex.segments:
        out += [label] * len(text)
    return out


def token_labels(ex: Example) -> tuple[list[tuple[str, int, int]], list[str]]:
    """The model's tokens of the string and their gold labels.

    Text the source left unlabelled: a word is ``other``; punctuation joins the field
    before it (an opening bracket or quote the field after it)."""
    text, chars = ex.text, _char_labels(ex)
    lead = _LEAD_NUMBER_RE.match(text)  # parse_reference strips it; so does training
    off = lead.end() if lead else 0
    toks = [(t, s + off, e + off) for t, s, e in prepare(text[off:])]
    raw = [chars[s] for _, s, _ in toks]
    labels = list(raw)
    for i, (tok, _, _) in enumerate(toks):
        if raw[i]:
            continue
        if tok[0].isalnum():
            labels[i] = "other"
        elif is_open(tok):
            labels[i] = next((x for x in raw[i + 1 :] if x), "other")
        else:
            labels[i] = next((x for x in reversed(labels[:i]) if x), "other")
    return toks, labels


def segments_of(ex: Example, label: str) -> Iterator[str]:
    for lab, text in ex.segments:
        if lab == label:
            yield text


def gold_fields(ex: Example) -> dict[str, object]:
    """The evaluated fields of a labelled string, by the rules of ``ingest.reference_normalise``.

    The journal is gold only where the source marks the container a journal (GROBID's
    ``level="j"`` and AnyStyle's ``journal`` map to ``container``; a book's container is
    ``container`` too, so the journal field counts only for entries with a volume or pages
    and no publisher)."""
    first = {lab: next(segments_of(ex, lab), None) for lab in ("author", "title", "date")}
    first |= {lab: next(segments_of(ex, lab), None) for lab in ("container", "volume", "issue")}
    pages_text = next(segments_of(ex, "pages"), None)
    pages, number = N.pages_of(pages_text)
    authors = N.authors_of(first["author"])
    journal = None
    is_article = (first["volume"] or pages_text) and not any(segments_of(ex, "publisher"))
    if first["container"] and is_article:
        journal = N.clean_text(first["container"])
    dois = list(segments_of(ex, "doi"))
    return {
        "first_author": N.first_author_of(authors),
        "title": N.clean_text(first["title"]),
        "journal": journal,
        "year": N.year_of(" ".join(segments_of(ex, "date"))),
        "volume": N.volume_of(first["volume"]),
        "issue": N.issue_of(first["issue"]),
        "pages": pages or number,
        "doi": _doi(dois[0]) if dois else None,
    }


def _doi(text: str) -> str | None:
    m = re.search(r"10\.\d{4,9}/\S+", text)
    return m.group(0).rstrip(".,;").lower() if m else None


def style_group(ex: Example) -> str:
    """vancouver (Vancouver/AMA), author-date, quoted (numbered, quoted titles), other."""
    labels = [lab for lab, t in ex.segments if lab and lab != "other" and t.strip()]
    author = next(segments_of(ex, "author"), "")
    title = next(segments_of(ex, "title"), "")
    if labels[:2] == ["author", "date"]:
        return "author-date"
    if re.match(r"\s*[“\"‘]", title):
        return "quoted"
    if re.match(r"\s*[^\W\d_][\w'’-]+(?:\s[\w'’-]+)?\s[A-Z]{1,3}[,.]", author):
        return "vancouver"
    return "other"
