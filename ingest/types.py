"""Plain records passed between the pure parsers and the ``save_*`` functions.

Parsing never touches the database or the network; saving never parses.
All offsets are Python string indices: article-level offsets point into
``ParsedArticle.text``; marker offsets point into their sentence's text.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReferenceFields:
    """What one reference entry says, as parsed from its raw text."""

    doi: str | None = None  # normalised: lower-case, no prefix, no trailing punctuation
    doi_raw: str | None = None  # as written (after the label)
    doi_status: str = "absent"  # present | empty | truncated | malformed | absent
    pmid: str | None = None
    pmcid: str | None = None  # "PMC8967077"
    isbn: str | None = None
    url: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # "145-150" (en dash normalised to hyphen)
    article_number: str | None = None  # "e0212460", "8429", "CD010410"
    journal: str | None = None
    authors: list[str] = field(default_factory=list)  # ["Cree BA", "Kornyeyeva E"]
    first_author: str | None = None  # family name of the first author ("Cree")
    title: str | None = None
    source_type: str | None = None  # journal | web | press_release | book | conference | preprint
    author_names: list[list[str]] = field(default_factory=list)  # [["Cree", "BA"], ...]
    journal_abbrev: str | None = None  # NLM abbreviation of the journal, when the list knows it
    # how sure the labeller is of authors/title/journal/year, found or absent (0-1)
    confidence: dict[str, float | None] = field(default_factory=dict)
    # fields read below their confidence threshold: withheld from the values above, kept here
    uncertain: dict[str, object] = field(default_factory=dict)

    def guess(self, name: str) -> Any:
        """The field, or else its value read below the threshold: for keys and links
        (author-year resolution), never reported as the entry's field."""
        value = getattr(self, name)
        return value if value not in (None, "", []) else self.uncertain.get(name, value)


CONFIDENT_FIELDS = ("authors", "title", "journal", "year")  # fields stored with a confidence


@dataclass
class ParsedReference:
    key: str  # "16" for numbered lists; "smith2010a" for author-year; link label for Markdown
    raw: str
    position: int  # order in the list, from 0
    number: int | None = None
    start: int = 0  # offsets into ParsedArticle.text (0, 0 when not in the text, e.g. link defs)
    end: int = 0
    fields: ReferenceFields = field(default_factory=ReferenceFields)
    links: list[str] = field(default_factory=list)  # link targets in the entry (HTML, Markdown)
    ordinal: int = 0  # place in its own list, from 1 (numbers an unnumbered list)
    list_name: str | None = None  # the heading of its list ("Notes", "References")


@dataclass
class ParsedMarker:
    raw: str  # "[4-6]", "³", "(Smith and Jones 2010a; Lee 2011)"
    start: int  # offsets within the sentence text
    end: int
    style: str  # bracket | superscript | paren | footnote | author_year | mdlink | bare
    keys: list[str]  # entry keys it expands to: ["4", "5", "6"] or ["smith2010a", "lee2011"]
    locator: str | None = None  # a page locator written with it: "p. 12", "10" in "[22]:10"


@dataclass
class InlineMarker:
    """A citation marker found from markup by a reader (offsets into ``ParsedArticle.text``)."""

    raw: str
    start: int
    end: int
    style: str
    keys: list[str]
    linked: bool = False  # it links to an entry's anchor: certain, whatever its family
    anchored: bool = False  # it links to an in-page anchor (an entry's, or one not found)


@dataclass
class StudyDescription:
    """What a sentence itself says about the study it cites."""

    year: int | None = None
    journal: str | None = None
    design: str | None = None  # randomised controlled trial | cohort | case report | review | ...
    sample_size: int | None = None
    duration: str | None = None
    outcomes: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.year or self.journal or self.design or self.sample_size)


@dataclass
class ParsedSentence:
    text: str
    start: int  # offsets into ParsedArticle.text
    end: int
    position: int  # sentence index in the article body
    paragraph: int
    section: int | None  # index into ParsedArticle.sections
    markers: list[ParsedMarker] = field(default_factory=list)
    description: StudyDescription | None = None  # set when it describes a study
    is_claim: bool = False
    uncited: bool = False  # describes a study with no marker
    continues: int | None = None  # position of the claim this sentence goes on about


@dataclass
class ParsedSection:
    heading: str
    level: int
    start: int
    end: int
    position: int
    is_references: bool = False


@dataclass
class ParsedArticle:
    source: str
    format: str  # text | markdown | html
    text: str  # normalised body text (furniture removed); all article offsets point here
    title: str | None = None
    byline: str | None = None
    sections: list[ParsedSection] = field(default_factory=list)
    sentences: list[ParsedSentence] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    marker_style: str | None = None
    # why the style was chosen: each marker family's evidence (see ingest.marker_families)
    marker_scores: dict = field(default_factory=dict)
    encoding: str | None = None
    repaired: bool = False
    warnings: list[str] = field(default_factory=list)
    # markers the reader found from markup (article-level offsets), before attach_markers
    inline_markers: list[InlineMarker] = field(default_factory=list)

    @property
    def claims(self) -> list[ParsedSentence]:
        return [s for s in self.sentences if s.is_claim]


class IngestError(Exception):
    """A clear, one-line reason an input could not be ingested."""

    def __init__(self, message: str, *, stage: str = "parse", source: str | None = None):
        super().__init__(message)
        self.stage = stage
        self.source = source


REASON_MAX = 300  # characters of ``Failure.reason``


@dataclass(frozen=True)
class Failure:
    """Why one input could not be ingested: the one form a failure takes from the parser
    (or reader, or saver) to its ``ingest_failure`` row. Plain data, so it crosses a
    process boundary as it is."""

    source: str
    stage: str  # read | fetch | decode | parse | save
    reason: str  # one line, at most REASON_MAX characters
    detail: str = ""  # the full text: the whole message, and the traceback of a bug

    @classmethod
    def of(
        cls,
        exc: BaseException,
        source: str,
        *,
        stage: str | None = None,
        reason: str | None = None,
    ) -> Failure:
        """The record of ``exc``: an ``IngestError`` keeps its stage and message; anything
        else (a bug) also keeps its traceback in ``detail``."""
        message = str(exc) if reason is None else reason
        if isinstance(exc, IngestError) and exc.__cause__ is None:
            detail = message
        else:
            detail = message + "\n\n" + "".join(traceback.format_exception(exc))
        return cls(
            source=source,
            stage=stage or getattr(exc, "stage", None) or "parse",
            reason=one_line(message),
            detail=detail,
        )


def one_line(text: str, limit: int = REASON_MAX) -> str:
    """``text`` on one line, cut to ``limit`` characters (the cut ends in an ellipsis)."""
    line = re.sub(r"\s*\n\s*", " ", text.strip())
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"
