"""Which marker families an article uses, chosen by how well each explains its reference list.

Every candidate family is found first: square brackets, parenthetical numbers,
superscripts (Unicode, or ``<sup>`` numbers from markup), footnotes ``[^n]``, Markdown
reference links, author–year citations, bare linked numbers. Each is scored against the
list: the share of its citations that resolve to an entry, the share of entries it cites,
and for numbers the citation order (lists are usually numbered by first citation, so first
appearances rise). The best family counts; a second one counts too when it resolves as
well, cites enough, and cites entries of its own (``<sup>[2],[3]</sup>`` beside a bare
``[12]``); a look-alike that only repeats entries already cited (affiliation numbers
1, 2, 3 above the abstract) does not. Footnotes, Markdown
reference links and markup markers linked to an entry's anchor are certain and always
count. The scores are kept on the article, so an editor can see why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from ingest import marker_patterns as mp
from ingest.author_year import AuthorIndex
from ingest.marker_find import Spans, author_year_hits
from ingest.types import InlineMarker, ParsedReference

NUMERIC_FAMILIES = ("bracket", "superscript", "paren", "bare")
CERTAIN_FAMILIES = frozenset({"footnote", "mdlink"})
SECOND_SHARE = 0.25  # a second family's score against the best one's
SECOND_RESOLVE = 0.8  # ... and the share of its citations that must resolve
SECOND_MARKERS = 3  # ... and how many markers it must have


@dataclass
class Family:
    """One candidate family's evidence."""

    name: str
    markers: int = 0
    citations: int = 0
    resolved: int = 0
    cited: set[str] = field(default_factory=set)
    firsts: list[int] = field(default_factory=list)  # numbers at their first citation
    certain: int = 0  # markers linked to an entry (markup) or of a certain syntax
    score: float = 0.0

    @property
    def resolve(self) -> float:
        return self.resolved / self.citations if self.citations else 0.0

    @property
    def order(self) -> float:
        """Share of first citations that come after every smaller number (1.0 = in order)."""
        if not self.firsts:
            return 0.0
        top, rising = 0, 0
        for n in self.firsts:
            rising += n > top
            top = max(top, n)
        return rising / len(self.firsts)

    def add(self, keys: list[str], listed: set[str], certain: bool = False) -> None:
        self.markers += 1
        self.certain += certain
        for k in keys:
            self.citations += 1
            if k in listed:
                self.resolved += 1
                if k not in self.cited and k.isdigit():
                    self.firsts.append(int(k))
                self.cited.add(k)

    def summary(self) -> dict:
        d = asdict(self)
        d["cited"] = len(self.cited)
        d.pop("firsts")
        d["resolve"] = round(self.resolve, 3)
        d["order"] = round(self.order, 3)
        d["score"] = round(self.score, 4)
        return d


@dataclass
class Choice:
    families: list[str]  # chosen, best first
    style: str  # one family's name, "mixed", or "none"
    scores: dict  # family -> its evidence (Family.summary())


def numeric_keys(references: Sequence[ParsedReference]) -> set[str]:
    """The keys numbers resolve to: the entries' numbers, or their places in an unnumbered
    list keyed otherwise (author–year keys are only one reading of such a list)."""
    keys = {r.key for r in references if r.key.isdigit()}
    if keys:  # a numbered note keyed by its letter ("a") is cited as a number is: "[a]"
        return keys | {r.key for r in references if r.number is not None and r.key.isalpha()}
    return {str(r.ordinal or r.position + 1) for r in references if r.number is None}


def score_families(
    texts: Sequence[str],
    references: Sequence[ParsedReference] = (),
    inline: Sequence[InlineMarker] = (),
    *,
    markdown_links: bool = True,
) -> dict[str, Family]:
    """Every family's evidence in the body ``texts`` (inline spans masked out) and markup."""
    keys = [r.key for r in references]
    listed = set(keys)
    numbers = numeric_keys(references)
    fams: dict[str, Family] = {}

    def fam(name: str) -> Family:
        return fams.setdefault(name, Family(name))

    for m in inline:
        targets = numbers if m.style in NUMERIC_FAMILIES and not m.linked else listed
        fam(m.style).add(m.keys, targets | listed, certain=m.linked or m.style in CERTAIN_FAMILIES)
    authors = AuthorIndex(references) if references else None
    for text in texts:
        taken = Spans()
        for name, hits in _candidates(text, keys, numbers, authors):
            if name == "mdlink" and not markdown_links:
                continue
            for start, end, got in hits:
                if not got or not taken.add(start, end):
                    continue  # the same text read by a family found before (as find_markers)
                target = numbers if name in NUMERIC_FAMILIES else listed
                # "[1][2]" reads as two brackets first; a footnote "[^1]" is certain as written
                certain = name == "footnote" or (
                    name == "mdlink" and not all(k.isdigit() for k in got)
                )
                fam(name).add(got, target, certain=certain)
    n_entries = len(references)
    for f in fams.values():
        if n_entries and f.citations:
            coverage = len(f.cited) / n_entries
            weight = 0.75 + 0.25 * f.order if f.name in NUMERIC_FAMILIES else 1.0
            f.score = coverage * f.resolve * weight
    return fams


def _candidates(
    text: str, keys: list[str], numbers: set[str], authors: AuthorIndex | None
) -> list[tuple[str, list[mp.Hit]]]:
    """Each family's hits in one sentence, in find_markers' priority order."""
    tabular = mp.looks_tabular(text)
    found = [("footnote", mp.find_footnotes(text))]
    if not tabular:
        found += [("bracket", mp.find_brackets(text)), ("superscript", mp.find_superscripts(text))]
        found.append(("bracket", mp.find_letter_notes(text, numbers)))
    found.append(("mdlink", mp.find_mdlinks(text, keys)))
    found.append(("author_year", author_year_hits(text, authors, require_resolved=False)))
    found.append(("author_year", mp.find_citekeys(text)))
    if numbers and not tabular:
        found.append(("paren", mp.find_paren_numbers(text, numbers)))
        found.append(("bare", mp.find_bare(text, numbers)))
    return found


def choose_families(fams: dict[str, Family], has_list: bool) -> Choice:
    """The families that count (see the module docstring) and the article's style name."""
    chosen = [f for f in fams.values() if f.certain]
    ranked = sorted(
        (f for f in fams.values() if f.score > 0 and not f.certain),
        key=lambda f: (f.score, f.markers),
        reverse=True,
    )
    # Bare numbers are the weakest evidence: only when nothing else explains the list.
    if chosen or (ranked and ranked[0].name != "bare"):
        ranked = [f for f in ranked if f.name != "bare"]
    if ranked:
        best = ranked[0]
        if not chosen or _second(best, chosen):
            chosen.append(best)
        for f in ranked[1:]:
            if _second(f, chosen):
                chosen.append(f)
    elif not has_list or not any(f.certain for f in fams.values()):
        chosen += _without_evidence(fams, has_list)
    names = list(dict.fromkeys(f.name for f in chosen))
    style = names[0] if len(names) == 1 else ("mixed" if names else "none")
    scores = {name: f.summary() for name, f in sorted(fams.items())}
    return Choice(names, style, scores)


def _second(f: Family, chosen: list[Family]) -> bool:
    """Does ``f`` count beside the families already chosen? It must resolve, cite entries of
    its own, and (unless it is square brackets, citation syntax by convention) weigh enough."""
    covered = set().union(*(c.cited for c in chosen))
    own = len(f.cited - covered) * 2 >= len(f.cited) > 0
    if not own or f.resolve < SECOND_RESOLVE:
        return False
    if f.name == "bracket":
        return True
    top = max(c.score for c in chosen)
    return f.score >= SECOND_SHARE * top and f.markers >= SECOND_MARKERS


def _without_evidence(fams: dict[str, Family], has_list: bool) -> list[Family]:
    """Nothing resolves: brackets and superscripts are citations by convention (an
    article citing beyond its list, or with no list at all); author–year only unlisted."""
    out = []
    for name, least in (("bracket", 2), ("superscript", 3)):
        if name in fams and fams[name].markers >= least:
            out.append(fams[name])
    if not has_list and "author_year" in fams and fams["author_year"].markers >= 1:
        out.append(fams["author_year"])
    return out[:1] if len(out) > 1 and out[0].markers >= 3 * out[-1].markers else out


def detect_marker_style(
    texts: Sequence[str],
    references: Sequence[ParsedReference] = (),
    inline: Sequence[InlineMarker] = (),
) -> str:
    """The article's marker style: one family's name, ``mixed`` or ``none``."""
    return choose_families(score_families(texts, references, inline), bool(references)).style
