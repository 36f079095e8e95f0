"""Find the medical conditions a piece of text mentions, from the vocabulary in data/.

Pure: no database, no network. The vocabulary (``data/conditions.csv``) gives each
condition a preferred name, its MeSH descriptor, synonyms and abbreviations. Matching
rules, in the order they are applied:

- names and synonyms match case-insensitively on word boundaries, with plural and
  possessive forms ("Crohn's disease", "Crohn disease", "Crohns disease") and with
  hyphens, slashes and spaces interchangeable ("long-COVID" / "long COVID"); a term
  written entirely in capitals ("AIDS", "COPD") matches only in capitals;
- abbreviations match case-sensitively and only where they are unambiguous: the text
  (or the article, via ``defined_abbreviations``) defines them, as in
  "multiple sclerosis (MS)", or the vocabulary marks them safe on their own
  ("PTSD", "ADHD"). Never inside a longer token ("SARS-CoV-2"), never after a number
  ("250 ms"), never before a product name ("MS Word");
- a condition's ``exclude`` phrases veto matches inside them ("respiratory depression"
  is not depression), and journal names are masked ("Journal of Pain Medicine");
- where matches overlap, the longest wins, so the most specific condition is kept
  ("complex regional pain syndrome", not also "pain" at the same span).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.condition_vocabulary import VOCABULARY_PATH, ConditionEntry, load_vocabulary

__all__ = [
    "VOCABULARY_PATH",
    "ConditionEntry",
    "ConditionMatch",
    "ConditionMatcher",
    "abbreviation_definitions",
    "default_matcher",
    "find_conditions",
    "load_vocabulary",
]

_SEP = r"[\s\-\u2010\u2011\u2012\u2013/]+"  # spaces, hyphens, dashes and slashes are equivalent
_APOS = "'\u2019"
_TOKEN_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013/]+")
_POSSESSIVE_IN_TERM = re.compile(rf"[{_APOS}]s$|s[{_APOS}]$|[{_APOS}]$")
# Words that turn an abbreviation into something else: "MS Word", "Microsoft MS".
_STOP_AFTER = {
    "Word", "Excel", "Office", "Windows", "Teams", "Outlook", "Access", "PowerPoint",
    "Paint", "DOS", "SQL", "Azure", "Edge", "Store", "Project", "Visio", "Dynamics",
}  # fmt: skip
_STOP_BEFORE = {"Microsoft"}
_ABBR_SHAPE = r"[A-Z][A-Za-z0-9/\-]{0,9}[A-Za-z0-9]"
# Journal titles are names, not mentions: "Journal of Pain Medicine", "Annals of Neurology".
_JOURNAL = re.compile(
    r"\b(?:[A-Z][\w\u2019'&\-]*\s+)*(?:Journal|Annals|Archives|Proceedings|Bulletin)"
    r"(?:\s+(?:of|for|on|in|the|and|&)\s+|\s+)(?:(?:[A-Z][\w\u2019'&\-]*|of|and|&|the)\s*)+"
)


_JOURNAL_WORDS = ("Journal", "Annals", "Archives", "Proceedings", "Bulletin")


@dataclass
class ConditionMatch:
    """A condition mentioned in a text, with the words that mention it."""

    name: str  # the vocabulary's preferred name
    mesh_id: str | None
    category: str | None
    start: int  # offsets into the text searched
    end: int
    text: str  # as written
    via: str = "name"  # name | synonym | abbreviation


@dataclass
class _Candidate:
    entry: ConditionEntry
    start: int
    end: int
    via: str
    order: int = field(default=0)


def term_pattern(term: str) -> str:
    """Regex source for a name or synonym: separators, plurals and possessives allowed."""
    tokens = [t for t in _TOKEN_SPLIT.split(term.strip()) if t]
    parts = []
    for i, token in enumerate(tokens):
        token = _POSSESSIVE_IN_TERM.sub("", token)
        last = i == len(tokens) - 1
        if last and len(token) > 3 and token[-1] in "yY" and token[-2].lower() not in "aeiou":
            body = re.escape(token[:-1]) + "(?:y|ies)"
        else:
            body = re.escape(token)
        # Possessive on any word ("Crohn's", "Crohns"); plural on the last one.
        suffix = rf"(?:e?s(?![\w])|[{_APOS}]s?)?" if last else rf"(?:[{_APOS}]?s|[{_APOS}])?"
        parts.append(body + suffix)
    return r"(?<![\w])" + _SEP.join(parts) + r"(?![\w])"


def _compile_term(term: str) -> re.Pattern[str]:
    # A term with no lower-case letter is an acronym-like name ("AIDS"): keep its case.
    flags = 0 if not any(c.islower() for c in term) else re.IGNORECASE
    return re.compile(term_pattern(term), flags)


def _abbreviation_pattern(abbr: str) -> re.Pattern[str]:
    # Not part of a longer token ("SARS-CoV-2", "MS-based"), not a unit after a number.
    return re.compile(r"(?<![\w\-/.])(?<!\d )" + re.escape(abbr) + r"(?![\w])(?![\-/][A-Za-z0-9])")


class _LazyTerm:
    """A term's regex, compiled on first use and skipped cheaply when the text cannot
    contain it (its first word's stem is absent)."""

    def __init__(self, term: str):
        self.term = term
        first = _POSSESSIVE_IN_TERM.sub("", _TOKEN_SPLIT.split(term.strip())[0])
        self.needle = first[:-1].casefold() if len(first) > 4 else first.casefold()
        # Every match starts with the first word minus at most its last letter ("-y" can
        # become "-ies"); a match can only start where this anchor is.
        anchor = (first[:-1] if len(first) > 1 else first).casefold()
        self.anchor = anchor if anchor.isascii() else ""
        self._rx: re.Pattern[str] | None = None

    def finditer(self, text: str, folded: str) -> Iterable[re.Match[str]]:
        if self.needle not in folded:
            return ()
        return self.regex().finditer(text)

    def regex(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = _compile_term(self.term)
        return self._rx

    def matches(self, text: str, folded: str, anchored: bool) -> Iterable[re.Match[str]]:
        """The matches of ``regex().finditer(text)``. ``anchored`` (``folded`` lines up
        with ``text`` character for character) tries the regex only where the anchor
        occurs: an IGNORECASE regex has no literal prefix to skip ahead with, so
        scanning a whole article with it costs far more than ``str.find``."""
        rx = self.regex()
        if not anchored or not self.anchor:
            return rx.finditer(text)
        out = []
        i = folded.find(self.anchor)
        while i >= 0:
            m = rx.match(text, i)  # lookbehinds still see text[:i]
            if m:
                out.append(m)
                i = folded.find(self.anchor, m.end())
            else:
                i = folded.find(self.anchor, i + 1)
        return out


# Characters the regex engine's IGNORECASE equates with an ASCII letter though their
# casefold differs or changes length (dotted/dotless i, long s, Kelvin sign).
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f", "\u212a")


def _aligned(text: str, folded: str) -> bool:
    """``folded`` matches ``text`` position for position, for ASCII anchors."""
    return len(folded) == len(text) and not any(c in text for c in _CASE_ODDITIES)


class ConditionMatcher:
    """Compiled vocabulary. Build once, reuse for every text."""

    def __init__(self, entries: Iterable[ConditionEntry]):
        self.entries = list(entries)
        self.by_name = {e.name: e for e in self.entries}
        self._terms: list[tuple[ConditionEntry, _LazyTerm, str]] = []
        self._excludes: list[tuple[ConditionEntry, _LazyTerm]] = []
        self._abbr: dict[str, list[ConditionEntry]] = {}
        self._abbr_re: dict[str, re.Pattern[str]] = {}
        for e in self.entries:
            seen = set()
            for via, term in [("name", e.name), *(("synonym", s) for s in e.synonyms)]:
                if term.lower() in seen:
                    continue
                seen.add(term.lower())
                self._terms.append((e, _LazyTerm(term), via))
            for phrase in e.exclude:
                self._excludes.append((e, _LazyTerm(phrase)))
            for a in e.abbreviations:
                self._abbr.setdefault(a, []).append(e)
                self._abbr_re.setdefault(a, _abbreviation_pattern(a))
        # Abbreviations usable without a definition: exactly one condition marks them safe.
        self._standalone: dict[str, ConditionEntry] = {}
        for abbr, abbr_entries in self._abbr.items():
            safe = [e for e in abbr_entries if abbr in e.standalone_abbreviations]
            if len(safe) == 1:
                self._standalone[abbr] = safe[0]
        self._index_needles()

    def _index_needles(self) -> None:
        """Which terms a text can contain, without testing every term's needle: each
        needle of 3+ characters is filed under its first three, so only needles whose
        first trigram occurs in the text are tested (a needle inside the text implies
        its first trigram is there). Shorter needles are always tested."""
        self._term_ids: dict[str, list[int]] = {}
        for i, (_e, term, _via) in enumerate(self._terms):
            self._term_ids.setdefault(term.needle, []).append(i)
        self._short_needles = [n for n in self._term_ids if len(n) < 3]
        self._by_trigram: dict[str, list[str]] = {}
        for n in self._term_ids:
            if len(n) >= 3:
                self._by_trigram.setdefault(n[:3], []).append(n)

    def _present_needles(self, folded: str) -> list[str]:
        present = [n for n in self._short_needles if n in folded]
        grams = {folded[i : i + 3] for i in range(len(folded) - 2)}
        for g in grams.intersection(self._by_trigram):
            present.extend(n for n in self._by_trigram[g] if n in folded)
        return present

    # -- relations ----------------------------------------------------------

    def ancestors(self, name: str) -> set[str]:
        """Every broader condition reachable through ``parents`` (not including ``name``)."""
        out: set[str] = set()
        stack = list(self.by_name[name].parents) if name in self.by_name else []
        while stack:
            p = stack.pop()
            if p in out or p not in self.by_name:
                continue
            out.add(p)
            stack.extend(self.by_name[p].parents)
        return out

    def related(self, a: str, b: str) -> bool:
        """True when one condition is the other or broader than it."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    # -- matching -----------------------------------------------------------

    def _term_candidates(self, text: str) -> list[_Candidate]:
        """Every name/synonym match, in vocabulary order (ties in _longest_first keep it)."""
        found = []
        folded = text.casefold()
        anchored = _aligned(text, folded)
        ids = sorted(i for n in self._present_needles(folded) for i in self._term_ids[n])
        for i in ids:
            entry, term, via = self._terms[i]
            for m in term.matches(text, folded, anchored):
                found.append(_Candidate(entry, m.start(), m.end(), via))
        return found

    def definitions(self, text: str) -> dict[str, str]:
        """Abbreviations the text defines for a condition: "multiple sclerosis (MS)" and
        "MS (multiple sclerosis)". Returns {abbreviation: condition name}."""
        return self._definitions(text, self._term_candidates(text))

    def _definitions(self, text: str, term_candidates: list[_Candidate]) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in _longest_first(term_candidates):
            tail = text[c.end : c.end + 24]  # windows, not slices of the whole text
            head = text[max(0, c.start - 24) : c.start]
            after = re.match(rf"\s*\(\s*({_ABBR_SHAPE})\s*[);,]", tail)
            before = re.search(rf"({_ABBR_SHAPE})\s*\(\s*$", head)
            close = re.match(r"\s*\)", tail)
            long_form = text[c.start : c.end]
            for m in (after, before if close else None):
                if m and m.group(1)[0].lower() == long_form[0].lower():
                    out.setdefault(m.group(1), c.entry.name)
        return out

    def _resolve_abbreviations(
        self,
        text: str,
        defined: set[str] | Mapping[str, str] | None,
        term_candidates: list[_Candidate],
    ) -> dict[str, ConditionEntry]:
        usable = dict(self._standalone)
        if isinstance(defined, Mapping):
            items = [(a, self.by_name.get(n)) for a, n in defined.items()]
        else:
            items = [
                (a, self._abbr[a][0]) for a in defined or () if len(self._abbr.get(a, [])) == 1
            ]
        defs = self._definitions(text, term_candidates)
        items += [(a, self.by_name.get(n)) for a, n in defs.items()]
        for abbr, entry in items:
            if entry is not None:
                usable[abbr] = entry
                self._abbr_re.setdefault(abbr, _abbreviation_pattern(abbr))
        return usable

    def _abbreviation_candidates(
        self, text: str, usable: Mapping[str, ConditionEntry]
    ) -> list[_Candidate]:
        found = []
        for abbr, entry in usable.items():
            if abbr not in text:  # the pattern holds the abbreviation literally
                continue
            for m in self._abbr_re[abbr].finditer(text):
                nxt = re.match(r"\s+([A-Za-z]+)", text[m.end() : m.end() + 20])
                prv = re.search(r"([A-Za-z]+)\s+$", text[max(0, m.start() - 20) : m.start()])
                if (nxt and nxt.group(1) in _STOP_AFTER) or (prv and prv.group(1) in _STOP_BEFORE):
                    continue
                found.append(_Candidate(entry, m.start(), m.end(), "abbreviation"))
        return found

    def _vetoed_spans(self, text: str) -> list[tuple[int, int, str | None]]:
        spans: list[tuple[int, int, str | None]] = []
        if any(word in text for word in _JOURNAL_WORDS):  # the pattern needs one of them
            spans.extend((m.start(), m.end(), None) for m in _JOURNAL.finditer(text))
        folded = text.casefold()
        for entry, term in self._excludes:
            spans.extend((m.start(), m.end(), entry.name) for m in term.finditer(text, folded))
        return spans

    def find(
        self, text: str, *, defined_abbreviations: set[str] | Mapping[str, str] | None = None
    ) -> list[ConditionMatch]:
        if not text:
            return []
        terms = self._term_candidates(text)
        usable = self._resolve_abbreviations(text, defined_abbreviations, terms)
        candidates = terms + self._abbreviation_candidates(text, usable)
        vetoes = self._vetoed_spans(text)
        candidates = [
            c
            for c in candidates
            if not any(
                s <= c.start and c.end <= e and (who is None or who == c.entry.name)
                for s, e, who in vetoes
            )
        ]
        chosen: list[_Candidate] = []
        for c in _longest_first(candidates):
            if all(c.end <= o.start or c.start >= o.end for o in chosen):
                chosen.append(c)
        chosen.sort(key=lambda c: c.start)
        return [
            ConditionMatch(
                name=c.entry.name,
                mesh_id=c.entry.mesh_id,
                category=c.entry.category,
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                via=c.via,
            )
            for c in chosen
        ]


def _longest_first(cands: list[_Candidate]) -> list[_Candidate]:
    # Longest span first; at equal length a name beats a synonym beats an abbreviation.
    rank = {"name": 0, "synonym": 1, "abbreviation": 2}
    return sorted(cands, key=lambda c: (-(c.end - c.start), c.start, rank[c.via]))


@lru_cache(maxsize=4)
def default_matcher(path: str | Path = VOCABULARY_PATH) -> ConditionMatcher:
    """The matcher for the shipped vocabulary, compiled once per process."""
    return ConditionMatcher(load_vocabulary(path))


def find_conditions(
    text: str, *, defined_abbreviations: set[str] | Mapping[str, str] | None = None
) -> list[ConditionMatch]:
    """Conditions mentioned in ``text``, in order, with offsets into ``text``.

    ``defined_abbreviations``: abbreviations defined elsewhere in the same article,
    either a set (resolved through the vocabulary when unique) or a mapping
    {abbreviation: condition name} as returned by :func:`abbreviation_definitions`.
    """
    return default_matcher().find(text, defined_abbreviations=defined_abbreviations)


def abbreviation_definitions(text: str) -> dict[str, str]:
    """Abbreviations ``text`` defines for conditions: {"MS": "Multiple sclerosis", ...}."""
    return default_matcher().definitions(text)
