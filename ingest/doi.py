"""Finding, validating and normalising DOIs in reference text.

Syntax accepted (``is_valid_doi``): Crossref's recommended pattern
``^10.\\d{4,9}/[-._;()/:A-Z0-9]+$`` (case-insensitive), widened by the characters
that real registered DOIs contain: ``<>`` and ``[]`` (SICI DOIs such as
``10.1002/(sici)1097-0274(199909)36:1+<1::aid-ajim2>3.0.co;2-0``), ``+`` and
``#``. Whitespace, control characters, quotes, ``?``, ``&``, ``%`` and commas are
never part of a DOI, nor is a ``.``/``..`` path segment; longer than 512
characters is not a DOI.

Statuses returned by ``find_doi`` (the decision record for editors):

- ``present``: a DOI is written and usable as is, in any ordinary form: ``doi:``
  / ``DOI:`` label, ``https://doi.org/``, ``http://dx.doi.org/``, ``doi.org/``,
  percent-encoded, inside a publisher URL (``/doi/10.1111/...``, ``?id=10.1371/...``),
  with trailing punctuation, or hard-wrapped across a line break (a layout
  artefact of the text, not an error in the citation).
- ``malformed``: a DOI that is recoverable only by repairing what the author
  wrote: a doubled prefix (``https://doi.org/doi:10.1525/...``), spaces inside the
  DOI on one line (``10.1007/ s00115-...``), or a ``doi:`` label followed by text
  that is not a DOI at all (then ``doi`` is None).
- ``truncated``: a DOI that stops where no DOI can end: a trailing hyphen or
  underscore, an unclosed bracket, a prefix with an empty suffix (``10.1234/``)
  or no suffix, or a DOI followed by an ellipsis. The partial DOI is kept in
  ``doi`` and ``doi_raw`` so later code can look for candidates extending it.
- ``empty``: a ``doi:`` label (or resolver URL) with nothing after it, or a label
  cut off at the end of the entry (``... 2019 Feb 14. do``).
- ``absent``: nothing DOI-like.

Crossref requests: ``crossref_path_segment`` percent-encodes every reserved
character including ``/`` (Crossref's API documentation asks clients to URL-encode
DOIs; ``/works/10.1175%2F...`` and ``/works/10.1175/...`` return the same work).
habanero 2.9.2 concatenates ``ids`` into the URL unescaped and splits them on
whitespace, so callers pass it the encoded segment, never the raw DOI.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import islice
from typing import Literal, overload
from urllib.parse import quote, unquote

MAX_DOI_LENGTH = 512
MAX_MENTIONS = 50  # DOI mentions read per entry

_PREFIX = r"10\.\d{4,9}"
_SUFFIX_CHARS = r"-._;()/:A-Za-z0-9<>\[\]+#"
DOI_RE = re.compile(rf"{_PREFIX}/[{_SUFFIX_CHARS}]+")
_VALID_RE = re.compile(rf"^{DOI_RE.pattern}$")

# Text extraction stops at "#" (a URL fragment in practice) and reads "%" so that
# percent-encoded DOIs inside URLs can be decoded.
_EXTRACT_CHARS = r"-._;()/:A-Za-z0-9<>\[\]+%"
_RESOLVER = r"(?:https?://)?(?:dx\.|www\.)?doi\.org/"
_LABEL = r"(?<![/\w.-])doi\b(?!\.org)\s*[:.]?"
_CANDIDATE_RE = re.compile(
    rf"(?P<resolver>{_RESOLVER}(?:doi:\s*|{_RESOLVER})?)?"
    rf"(?P<doi>{_PREFIX}(?:/|%2[Ff])?[{_EXTRACT_CHARS}]{{0,{MAX_DOI_LENGTH}}})",
    re.IGNORECASE,
)
# A resolver is tried before the bare label so "doi.org/x" is not read as "doi." + "org/x".
_LABEL_RE = re.compile(rf"(?P<resolver_label>{_RESOLVER})|{_LABEL}", re.IGNORECASE)
_LABEL_BEFORE_RE = re.compile(rf"(?:{_LABEL}|{_RESOLVER}(?:doi:)?)\s*$", re.IGNORECASE)
_NEXT_TOKEN_RE = re.compile(r"[ \t]*(?P<tok>[^\s·|]*)")
_CUT_LABEL_RE = re.compile(r"(?:^|[.;,]\s*)(?P<label>do)\s*$", re.IGNORECASE)
_NOT_DOI_WORDS = ("pmid", "pmc", "epub", "http", "www", "isbn")
_URL_TAIL_RE = re.compile(r"/(?:full|abstract|pdf|epdf|fulltext|full\.pdf|html|epub)$")
_SENTENCE_WORD_RE = re.compile(r"[A-Z][a-z]+\b(?![./\d-])")
_PREFIX_STRIP_RE = re.compile(rf"^(?:{_RESOLVER}|doi\s*:\s*|info:doi/|urn:doi:)", re.IGNORECASE)
_CLOSERS = {")": "(", "]": "[", ">": "<"}


@dataclass
class DoiMatch:
    doi: str | None
    raw: str | None
    status: str
    start: int = 0  # span of the DOI mention (label included) in the text
    end: int = 0


def is_valid_doi(s: str) -> bool:
    """True when ``s`` is a syntactically valid DOI (see the module docstring)."""
    if not s or len(s) > MAX_DOI_LENGTH or not _VALID_RE.match(s):
        return False
    return not any(seg in {".", ".."} for seg in s.split("/")[1:])


_GLUED_TAIL_RE = re.compile(
    r"(?:\[(?:doi|pii|pmid|pmcid|arxiv)\b[^\]]*\]?|\.?(?:PMID|PMCID)\b:?\d*)$", re.I
)


def _trim(doi: str) -> str:
    """Drop trailing punctuation, closing brackets not opened inside the DOI, and tags glued
    on after it ("10.1038/nm.2234[doi]", "...[arXiv", "10.1000/x.PMID:123")."""
    doi = _GLUED_TAIL_RE.sub("", doi)
    while doi:
        last = doi[-1]
        if last in ".,;:":
            doi = doi[:-1]
        elif last in _CLOSERS and doi.count(last) > doi.count(_CLOSERS[last]):
            doi = doi[:-1]
        else:
            break
    return doi


@overload
def normalize_doi(s: str) -> str | None: ...
@overload
def normalize_doi(s: str, *, strict: Literal[False]) -> str: ...


def normalize_doi(s: str, *, strict: bool = True) -> str | None:
    """The canonical form of a DOI: no resolver or ``doi:`` prefix, lower-case (DOIs are
    case-insensitive). Every DOI key in the database is in this form.

    ``strict`` (a DOI as written in text): also decoded, stripped of trailing punctuation and
    inner spaces, and None when what remains is not a valid DOI. ``strict=False`` (a DOI
    Crossref issued, or one already stored): only the canonical form, never repaired or
    refused, because a registered DOI may hold characters our syntax check does not accept.
    """
    s = s.strip()
    for _ in range(3):  # doubled prefixes such as "https://doi.org/doi:10..."
        s = _PREFIX_STRIP_RE.sub("", s).strip()
    if not strict:
        return s.lower()
    s = re.sub(r"\s+", "", unquote(s))
    s = _trim(s).lower()
    return s if is_valid_doi(s) else None


# A DOI the entry gives that Crossref can verify: written as is ("present"), or written with
# a doubled prefix or a space inside that find_doi repaired ("malformed" with a DOI; the
# audit still reports the writing as doi_invalid). A truncated DOI is only a fragment to
# search by, and a malformed label with no DOI after it gives nothing to look up.
USABLE_DOI_STATUSES = ("present", "malformed")


def has_usable_doi(doi: str | None, status: str | None) -> bool:
    """True when an entry's DOI can be looked up as it stands (see ``USABLE_DOI_STATUSES``)."""
    return bool(doi) and status in USABLE_DOI_STATUSES


def crossref_path_segment(doi: str) -> str:
    """``doi`` encoded as one URL path segment: "/", "?", "#", "%", spaces can't escape it."""
    seg = quote(doi, safe="")
    if seg and set(seg) <= {"."}:  # "." and ".." would be resolved as dot segments
        seg = seg.replace(".", "%2E")
    return seg


def _is_truncated(doi: str, after: str) -> bool:
    _, _, suffix = doi.partition("/")
    if not suffix or doi[-1] in "-_/" or after.lstrip().startswith(("…", "...")):
        return True
    return doi.count("(") > doi.count(")") or doi.count("[") > doi.count("]")


def _continuation(text: str, end: int, body: str) -> re.Match[str] | None:
    """The piece continuing a DOI split by a line break (or by spaces after "/" or "-")."""
    if not body or body[-1] not in "-./_":
        return None
    gap = r"[ \t]*\n[ \t]*" if body[-1] in "._" else r"[ \t]*\n?[ \t]*"
    m = re.compile(rf"(?:{gap})(?P<more>[A-Za-z0-9][{_EXTRACT_CHARS}]*)").match(text, end)
    if not m or m.start("more") == end:
        return None
    more = m.group("more")
    if _SENTENCE_WORD_RE.match(more) or more.lower().startswith(_NOT_DOI_WORDS):
        return None
    return m


def _from_candidate(text: str, m: re.Match[str]) -> DoiMatch | None:
    resolver = m.group("resolver") or ""
    start, body = m.start(), m.group("doi")
    pre = text[max(0, start - 300) : start]
    token = pre.split()[-1].lower() if pre and not pre[-1].isspace() else ""
    in_url = not resolver and ("://" in token or token.startswith("www."))
    labelled = bool(resolver) or bool(_LABEL_BEFORE_RE.search(pre[-40:]))
    if not labelled and "/" not in unquote(body):
        return None  # a bare number such as "10.1234" in prose is not a DOI
    status = "present"
    if re.search(r"doi:", resolver, re.I) or resolver.lower().count("doi.org") > 1:
        status = "malformed"  # doubled prefix
    end = m.end("doi")
    cont = None if in_url else _continuation(text, end, body)
    if cont:
        if "\n" not in text[end : cont.start("more")]:
            status = "malformed"  # spaces inside the DOI
        body, end = body + cont.group("more"), cont.end("more")
    trimmed = _trim(body)
    if in_url:
        trimmed = _trim(_URL_TAIL_RE.sub("", trimmed))
    end -= len(body) - len(trimmed)
    raw = re.sub(r"\s+", " ", text[start:end])
    doi = unquote(trimmed).lower()
    if _is_truncated(doi, text[end : end + 10]):
        return DoiMatch(doi, raw, "truncated", start, end)
    if not is_valid_doi(doi):
        return DoiMatch(None, raw, "malformed", start, end)
    return DoiMatch(doi, raw, status, start, end)


def find_doi_matches(text: str) -> list[DoiMatch]:
    """Every DOI mention in ``text``, in order, including empty and broken labels."""
    # One entry never holds more than a few DOIs; the cap bounds the work on hostile input.
    cands = islice(_CANDIDATE_RE.finditer(text), MAX_MENTIONS)
    found = [d for m in cands if (d := _from_candidate(text, m))]
    starts = {d.start for d in found}
    spans = [(d.start, d.end) for d in found]  # sorted: finditer yields in order
    labels: list[DoiMatch] = []
    for m in islice(_LABEL_RE.finditer(text), MAX_MENTIONS):
        i = bisect_right(spans, (m.start(), len(text) + 1)) - 1
        if i >= 0 and spans[i][0] <= m.start() < spans[i][1]:
            continue
        nxt = _NEXT_TOKEN_RE.match(text, m.end())
        tok = nxt.group("tok") if nxt else ""
        if nxt and nxt.start("tok") in starts:
            continue  # "doi: 10..." — the candidate is the DOI itself
        if re.search(r"\d", tok) and "/" in tok:
            labels.append(DoiMatch(None, tok, "malformed", m.start(), nxt.end("tok")))
        elif not tok or not m.group("resolver_label"):
            labels.append(DoiMatch(None, m.group(0).strip(), "empty", m.start(), m.end()))
    found += labels
    cut = _CUT_LABEL_RE.search(text, max(0, len(text) - 40))
    if cut and not any(d.start <= cut.start("label") < d.end for d in found):
        found.append(DoiMatch(None, cut.group("label"), "empty", cut.start("label"), len(text)))
    found.sort(key=lambda d: d.start)
    return found


_RANK = {"present": 0, "malformed": 1, "truncated": 2, "empty": 3}


def best_doi_match(text: str) -> DoiMatch:
    """The mention that best stands for the entry's DOI (present before broken ones)."""
    return best_of(find_doi_matches(text))


def best_of(found: list[DoiMatch]) -> DoiMatch:
    """The best of several mentions: present, then malformed, truncated, empty; then first."""
    if not found:
        return DoiMatch(None, None, "absent")
    return min(found, key=lambda d: (_RANK[d.status], d.doi is None, d.start))


def find_doi(raw: str) -> tuple[str | None, str | None, str]:
    """(normalised DOI, as written, status) for one reference entry; see module docstring."""
    m = best_doi_match(raw)
    return m.doi, m.raw, m.status
