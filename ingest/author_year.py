"""Author–year citations: the key normalisation, the patterns, and resolution to entries.

``author_year_key`` is the single definition of an author–year entry key
(``family + year + suffix``, lower-case ASCII); readers and reference parsers
call it (re-exported from ``ingest.markers``) so marker keys and entry keys
agree character for character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.author_year_groups import merge_bracketed_groups
from ingest.reference_fields import family_name
from ingest.types import ParsedReference

# Letters that NFKD does not decompose into ASCII.
_SPECIAL = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
     "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: case- and diacritics-insensitive form."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def author_year_key(family: str, year: int | None, suffix: str = "") -> str:
    """The entry key of an author–year citation: ``smith2010a``; ``nd`` when undated.

    >>> author_year_key("Núñez-O'Brien", 2010, "A")
    'nunezobrien2010a'
    """
    name = fold(family) or "anon"
    return f"{name}{year if year else 'nd'}{fold(suffix)[:2]}"


# --- patterns -------------------------------------------------------------------

_UP = r"[A-ZÀ-ÖØ-Þ\u0100-\u017F]"
_LET = r"[^\W\d_]"
# "eLearning", "mHealth": a camel-case name opens with one lowercase letter.
_WORD = rf"(?:{_UP}|[a-z](?={_UP}))(?:{_LET}|['’\-](?={_LET}))*"
_INITIALS = rf"(?:{_UP}\.\s?(?:-?{_UP}\.\s?){{0,4}}\s?)"
_PARTICLE = r"(?:(?:van|von|de|der|den|del|della|di|da|du|dos|das|le|la|ten|ter|al|el)\s+)"
# Bounded repetitions keep the work per position bounded (a 1 MB line of capitalised words).
_NAME = (
    rf"{_INITIALS}?{_PARTICLE}{{0,3}}{_WORD}"
    rf"(?:\s+(?:(?:of|for|on|the|de|van|von|der)\s+)?{_WORD}){{0,6}}"
)
_ETAL = r"(?:,?\s+et\s+al\.?|\s+and\s+(?:colleagues|co-?workers))"
_GROUP = rf"{_NAME}(?:(?:,\s+|,?\s+(?:and|&)\s+){_NAME}){{0,8}}{_ETAL}?"
_QUOTED = r"[“\"‘][^“”\"’]{2,150}[”\"’]"
# "n.d.-a": citeproc's letter for one of two undated works by the same authors
_YEAR = r"(?:1[5-9]\d\d|20\d\d)[a-z]?(?!\w)|n\.\s?d\.(?:-[a-z](?!\w))?|in\s+press"
_YEARS = rf"(?:{_YEAR})(?:,\s*(?:{_YEAR}|[a-z](?![\w.])))*"
_LOCATOR = (
    r"(?:,\s*(?:p|pp|page|pages|chap|ch|para|fig|table|vol)\.?\s*\d+(?:\s*[-–]\s*\d+)?"
    r"|:\s*\d+(?:\s*[-–]\s*\d+)?)"
)
_CITE = rf"(?:{_QUOTED}|{_GROUP}),?\s+{_YEARS}{_LOCATOR}?"
_PREFIX = r"(?:[a-z][a-z.]*,?\s+){0,4}"

CITE_RE = re.compile(rf"(?P<who>{_QUOTED}|{_GROUP}),?\s+(?P<years>{_YEARS})")
PAREN_RE = re.compile(r"\(([^()]{3,400})\)")
PAREN_CONTENT_RE = re.compile(rf"\s*{_PREFIX}{_CITE}(?:\s*[;,]\s*{_PREFIX}{_CITE})*\s*")
NARRATIVE_RE = re.compile(
    rf"(?P<who>{_QUOTED}|{_GROUP})\s+\(\s*(?P<years>{_YEARS}){_LOCATOR}?\s*\)"
)
_YEAR_ITEM_RE = re.compile(
    r"(1[5-9]\d\d|20\d\d)([a-z]?)(?!\w)|n\.\s?d\.(?:-([a-z]))?|in\s+press|\b([a-z])(?![\w.])"
)
_SPLIT_NAMES = re.compile(r",\s+(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
_ETAL_RE = re.compile(_ETAL + r"\s*$")

# Capitalised words that start a sentence or name a date, never an author.
STOPWORDS = frozenset(
    """a an the in on at of to by for from with as and but or nor so yet this that these those
    there here it its our their his her we they he she i recently however although though while
    whereas when since after before during until then thus hence moreover furthermore also
    similarly likewise notably indeed previously later earlier first second third finally
    according see following unlike like per both each one two three several many some most
    all research study studies trial trials data figure fig table appendix supplementary version
    accessed updated published retrieved january february march april may june july august
    september october november december spring summer autumn fall winter circa early late mid
    monday tuesday wednesday thursday friday saturday sunday phase stage type vol volume issue
    page chapter section part step approved""".split()
)


@dataclass
class AuthorYearCite:
    """One cited work inside an author–year marker."""

    names: list[str]  # family names as written, first author first ("Baggerly", "Coombes")
    initials: str  # initials written before the first name ("KA"), for disambiguation
    year: int | None
    suffix: str
    title: str | None = None  # a quoted title standing in for the author
    corporate: str | None = None  # the first name as written when it has several words
    et_al: bool = False  # "Smith et al.": three authors or more


def _split_who(who: str) -> tuple[list[str], str, str | None]:
    """Split an author group into family names, leading initials, and a quoted title."""
    who = who.strip()
    if who[:1] in '“"‘':
        return [], "", who.strip('“”"‘’ ')
    who = _ETAL_RE.sub("", who)
    parts = [p.strip() for p in _SPLIT_NAMES.split(who) if p.strip()]
    initials = ""
    names = []
    for i, part in enumerate(parts):
        m = re.match(rf"({_INITIALS})", part)
        if m and m.group(1).strip():
            if i == 0:
                initials = fold(m.group(1)).upper()
            part = part[m.end() :].strip()
        names.append(part)
    return names, initials, None


def strip_stopwords(who: str) -> str:
    """Drop sentence-initial words ("Recently", "The") caught at the front of a name group."""
    while True:
        m = re.match(r"(\S+)\s+", who)
        if not m or fold(m.group(1)) not in STOPWORDS or re.fullmatch(r"[A-Z]\.", m.group(1)):
            return who  # an initial ("A. Smith") is part of the name
        if _ETAL_RE.fullmatch(who[m.end() - 1 :]) or re.match(r"(?:and|&)\s", who[m.end() :]):
            return who  # "He et al.", "He and Smith": the word is a family name
        who = who[m.end() :]


def parse_cites(who: str, years: str) -> list[AuthorYearCite]:
    """Turn one matched ``who`` + ``years`` pair into cites (one per year: "Smith 2010, 2012")."""
    names, initials, title = _split_who(who)
    named = len(names) > 1 or bool(_ETAL_RE.search(who))  # "He et al.", "He and Lee"
    if title is None and (not names or (fold(names[0].split()[0]) in STOPWORDS and not named)):
        return []
    out: list[AuthorYearCite] = []
    last_year: int | None = None
    for m in _YEAR_ITEM_RE.finditer(years):
        if m.group(1):
            last_year, suffix = int(m.group(1)), m.group(2)
        elif m.group(4):  # "2010a, b": a bare suffix repeats the previous year
            if last_year is None:
                continue
            suffix = m.group(4)
        else:  # "n.d.", "n.d.-a", "in press"
            last_year, suffix = None, m.group(3) or ""
        corporate = names[0] if names and " " in names[0] else None
        et_al = bool(_ETAL_RE.search(who))
        out.append(AuthorYearCite(names, initials, last_year, suffix, title, corporate, et_al))
    return out


# --- the reference side ------------------------------------------------------------

_REF_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)([a-z]?)(?!\d)")


@dataclass
class _Entry:
    key: str
    position: int
    family: str  # folded
    words: set[str]  # folded words of the first-author segment
    initials: str
    year: int | None
    suffix: str
    head: str  # folded start of the raw text (corporate names, titles)
    author_text: str  # folded author part, for second-author disambiguation
    title: str  # folded
    authors: int = 0  # how many authors the parser read (0: unknown)


def _first_author_segment(raw: str) -> str:
    raw = raw.strip().lstrip("0123456789.[]() \t")
    m = re.match(r"[^,.;:(“\"]+(?:\.\s?[A-Z]\.)*", raw)
    return (m.group(0) if m else raw[:60]).strip()


def _guess_family(segment: str, next_segment: str) -> tuple[str, str]:
    """(family, initials) from "Baggerly" + "Keith A.", "Sackett DL", "Phil Alderson"."""
    words = segment.split()
    if not words:
        return "", ""
    if len(words) == 1:  # "Baggerly, Keith A."
        given = next_segment.split()
        return words[0], "".join(w[0] for w in given if w[:1].isupper())
    if re.fullmatch(r"[A-Z]{1,3}", words[-1]):  # Vancouver "Sackett DL"
        return " ".join(words[:-1]), words[-1]
    # Given names first: "Phil Alderson", "H T Stelfox", "G. Rolfe"
    return words[-1], "".join(w[0] for w in words[:-1] if w[:1].isupper())


def _ref_year(ref: ParsedReference) -> tuple[int | None, str]:
    if year := ref.fields.guess("year"):
        m = re.search(rf"{year}([a-z]?)(?![\da-z])", ref.raw)
        return year, (m.group(1) if m else "")
    undated = re.search(r"\bn\.\s?d\.-([a-z])(?!\w)", ref.raw[:200])
    if undated:  # "Cao, R, and Y Zhang. n.d.-a.": undated, with citeproc's letter
        return None, undated.group(1)
    # Fallback: a year followed by ";" ":" "(" or standing as ". 2018." beats one inside a title.
    m = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)([a-z]?)(?=\s*[;:(])", ref.raw)
    m = m or re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)([a-z]?)(?=\.\s)", ref.raw)
    m = m or _REF_YEAR_RE.search(ref.raw)
    return (int(m.group(1)), m.group(2)) if m else (None, "")


def _entry(ref: ParsedReference) -> _Entry:
    raw = ref.raw.strip()
    segment = _first_author_segment(raw)
    rest = raw[raw.find(segment) + len(segment) :].lstrip(", ")
    family, initials = _guess_family(segment, rest.split(",")[0].split(".")[0] + ".")
    authors = ref.fields.guess("authors")
    first = ref.fields.first_author or (family_name(authors[0]) if authors else None)
    year, suffix = _ref_year(ref)
    ypos = raw.find(str(year)) if year else -1
    return _Entry(
        key=ref.key,
        position=ref.position,
        family=fold(first or family),
        words={fold(w) for w in re.split(r"[\s\-]+", segment) if fold(w)},
        initials=initials.upper(),
        year=year,
        suffix=suffix,
        head=fold(raw[:120]),
        author_text=fold(raw[: ypos if ypos > 0 else 150]),
        title=fold(ref.fields.guess("title") or ""),
        authors=len(ref.fields.authors or []),
    )


@dataclass
class Resolution:
    key: str  # the entry's key, or an author_year_key when nothing matched
    entry_key: str | None  # None when unresolved (the marker dangles)
    quality: str  # exact | initials | second_author | suffix | corporate | title | fuzzy
    #               | no_year | unresolved
    notes: list[str] = field(default_factory=list)


class AuthorIndex:
    """Resolve (family names, year, suffix) to reference-list entries."""

    def __init__(self, references: Iterable[ParsedReference]):
        self.entries = [_entry(r) for r in references]

    def __len__(self) -> int:
        return len(self.entries)

    def resolve(self, cite: AuthorYearCite) -> Resolution:
        dangling = author_year_key(self._key_name(cite), cite.year, cite.suffix)
        for quality, found in self._candidates(cite):
            if found:
                pick = self._disambiguate(cite, found)
                if pick is not None:
                    return Resolution(pick.key, pick.key, quality)
        return Resolution(dangling, None, "unresolved")

    @staticmethod
    def _key_name(cite: AuthorYearCite) -> str:
        if cite.names:
            return cite.names[0]
        return (cite.title or "anon").split()[0]

    def _candidates(self, cite: AuthorYearCite):
        """Candidate lists from the strictest rule to the loosest; the first non-empty wins."""
        same_year = [e for e in self.entries if e.year == cite.year]
        if cite.title:
            t = fold(cite.title)
            yield "title", [e for e in same_year if t and (e.title == t or e.head.startswith(t))]
            return
        fam = fold(cite.names[0])
        last = fold(cite.names[0].split()[-1])
        yield "exact", [e for e in same_year if e.family in (fam, last)]
        yield "exact", [e for e in same_year if fam in e.words or last in e.words]
        if cite.corporate:  # "National Academies of Sciences et al." against the raw entry
            yield "corporate", [e for e in same_year if e.head.startswith(fam)]
        yield "fuzzy", [e for e in same_year if _close(fam, e.family)]
        # The entry prints no year: a unique family name is still that work.
        undated = [e for e in self.entries if e.year is None and e.family in (fam, last)]
        yield "no_year", undated if len(undated) == 1 else []

    @staticmethod
    def _disambiguate(cite: AuthorYearCite, found: list[_Entry]) -> _Entry | None:
        if len(found) == 1:
            return found[0]
        if cite.suffix:
            by_suffix = [e for e in found if e.suffix == cite.suffix]
            if len(by_suffix) == 1:
                return by_suffix[0]
            ordered = sorted(found, key=lambda e: e.position)
            idx = ord(cite.suffix) - ord("a")
            if 0 <= idx < len(ordered):
                return ordered[idx]
        if cite.initials:
            by_init = [e for e in found if e.initials.startswith(cite.initials)]
            if len(by_init) == 1:
                return by_init[0]
        others = [fold(n) for n in cite.names[1:]]
        if others:
            scored = [(sum(o in e.author_text for o in others), e) for e in found]
            best = max(s for s, _ in scored)
            top = [e for s, e in scored if s == best]
            if best and len(top) == 1:
                return top[0]
            found = top if best else found
        by_count = [e for e in found if _author_count_fits(cite, e.authors)]
        if len(by_count) == 1:
            return by_count[0]
        return None  # ambiguous: better dangling than linked to the wrong study


def _author_count_fits(cite: AuthorYearCite, authors: int) -> bool:
    """ "Lawson et al. 2002" is the three-author work, "Lawson and Weinstein 2002" the
    two-author one (the author–date convention), when the entries' authors are known."""
    if not authors or cite.title:
        return False
    if cite.et_al:
        return authors >= 3
    return authors == len(cite.names)


def _close(a: str, b: str) -> bool:
    """Spelling variants of one name ("Olson"/"Olsen", "Bonnell"/"Bonell")."""
    if not a or not b or a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b) <= 1


# --- finding them in a sentence ----------------------------------------------------

MAX_PAREN = 300  # longer parentheticals are prose, and bound the regex work


@dataclass
class AuthorYearMatch:
    start: int
    end: int
    cites: list[AuthorYearCite]
    narrative: bool


def find_author_year(text: str) -> list[AuthorYearMatch]:
    """Parenthetical "(Smith and Jones 2010a; Lee 2011)" and narrative "Smith et al. (2010)"."""
    out: list[AuthorYearMatch] = []
    for m in PAREN_RE.finditer(text):
        content = m.group(1)
        if len(content) > MAX_PAREN or not re.search(r"\d{4}|n\.\s?d\.|in\s+press", content):
            continue
        if not PAREN_CONTENT_RE.fullmatch(content):
            continue
        cites = [
            c for cm in CITE_RE.finditer(content)
            for c in parse_cites(strip_stopwords(cm.group("who")), cm.group("years"))
        ]  # fmt: skip
        if cites:
            out.append(AuthorYearMatch(m.start(), m.end(), cites, narrative=False))
    out = merge_bracketed_groups(text, out)
    for m in NARRATIVE_RE.finditer(text):
        who = m.group("who")
        trimmed = strip_stopwords(who)
        cites = parse_cites(trimmed, m.group("years"))
        if cites:
            start = m.start("who") + len(who) - len(trimmed)
            out.append(AuthorYearMatch(start, m.end(), cites, narrative=True))
    return out
