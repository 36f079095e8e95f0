"""The rule-based reference parser (the one before the learned parser; kept as its baseline).

The entry is read in layers: identifiers first (DOI, PMID, PMCID, ISBN, URL), then
the notes that are no part of the citation (``Published online ...``, ``Accessed
...``, Markdown links), then the bibliographic structure, tried in this order:
PMC "Journal List" fragments; Vancouver/AMA source blocks (``2010 Aug;68(2):145-50``);
MDPI run-ins; Manubot (``Title / Authors / Journal (2020-03-27)``); author-date
heads (APA, Chicago, Harvard: ``Smith, J. (2010).``); and a plain segment reading
for web pages, press releases and books. A field the entry does not give stays None.

A lone value where pages go (``22(16): 8429``, ``24(10):64``) is an article number;
a range is pages. Crossref verification compares either with both.
"""

from __future__ import annotations

import re

from ingest import reference_patterns as P
from ingest.doi import DoiMatch, best_of, find_doi_matches
from ingest.types import ReferenceFields

_LEAD_NUMBER_RE = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,3}[.)])\s+")
_LABEL_LEFTOVER_RE = re.compile(
    r"\b(?:DOI|PMID|PMCID|ISBN|URL|Available at)\s*:?(?=\s|$)|·|<\s*>|\(\s*\)", re.I
)
_EDITORS_RE = re.compile(r",?\s*\(?(?:eds?\.?|editors?)\)?\.?$", re.I)
_TITLE_TAG_RE = re.compile(r"\s*\[(?:Internet|Preprint|press release|abstract)\]", re.I)
_BOUNDARY_RE = re.compile(r"(?P<p>[.?!])(?P<q>[\"”’]?)[ \t]+(?=\S)|\n+")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b[A-Z]|\be\.g|\bi\.e|\bvs|\bno|\bvol|\bpp|\bed|\bJr|\bSt)$")
_NEXT_WORD_RE = re.compile(r"[^\s,.]{1,60}(?P<p>[,.])?")
_NAME_TOKEN_RE = re.compile(r"^(?:[A-Z][\w'’‐-]*\.?|(?:[A-Z]\.?-?){1,4}|[a-z]{1,4})$")
_QUOTED_RE = re.compile(
    r"^\s*(?:[“\"](?P<dq>[^”\"]{1,2000})[”\"]|[‘'](?P<sq>.{1,2000}?)[’'](?=[\s,.]))"
)
_QUOTED_HEAD_RE = re.compile(
    rf"^\s*[“\"](?P<title>[^”\"]{{1,2000}})[”\"]\s*(?P<year>{P.YEAR})[.,]\s*"
)


def parse_reference_rules(raw: str) -> ReferenceFields:
    """The fields one reference entry gives; see the module docstring for the styles read."""
    f = ReferenceFields()
    text = _LEAD_NUMBER_RE.sub("", raw, count=1)
    mentions = find_doi_matches(text)
    best = best_of(mentions)
    f.doi, f.doi_raw, f.doi_status = best.doi, best.raw, best.status
    body = _read_identifiers(text, f, mentions)
    for note in P.NOTE_RES:
        body = note.sub(" ", body)
    body = _LABEL_LEFTOVER_RE.sub(" ", body)
    body = "\n".join(P.collapse(line) for line in body.split("\n") if line.strip())
    _read_structure(body, f)
    f.title = _clean_title(f.title)
    f.journal = _clean_container(f.journal)
    f.first_author = family_name(f.authors[0]) if f.authors else None
    f.source_type = _source_type(f, body)
    if f.source_type not in {"journal", "preprint"}:
        f.journal = None
    return f


def read_identifiers(
    text: str, f: ReferenceFields, mentions: list[DoiMatch]
) -> list[tuple[int, int]]:
    """Set PMID, PMCID, ISBN and URL; return the spans of every identifier, DOIs included."""
    spans = [(d.start, d.end) for d in mentions]
    if m := P.PMID_RE.search(text):
        f.pmid = m.group("pmid")
    if m := P.PMCID_RE.search(text):
        f.pmcid = m.group("pmcid")
    if m := P.ISBN_RE.search(text):
        f.isbn = re.sub(r"[\s-]", "", m.group("isbn") or m.group("q")).upper()
        spans.append(m.span())
    urls = []
    for m in P.URL_RE.finditer(text):
        url = P.clean_url(m.group(0))
        spans.append((m.start(), m.start() + len(m.group(0))))
        urls.append(url)
    f.url = _pick_url(urls)
    spans += [m.span() for r in (P.PMID_RE, P.PMCID_RE) for m in r.finditer(text)]
    return sorted(spans)


def _read_identifiers(text: str, f: ReferenceFields, mentions: list[DoiMatch]) -> str:
    """Set PMID, PMCID, ISBN and URL; return the text with every identifier blanked."""
    return blank(text, read_identifiers(text, f, mentions))


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each (sorted) span replaced by one space."""
    out, last = [], 0
    for s, e in spans:
        if s >= last:
            out.append(text[last:s] + " ")
            last = e
        else:
            last = max(last, e)
    out.append(text[last:])
    return "".join(out)


def _pick_url(urls: list[str]) -> str | None:
    """The first URL that is not merely the DOI resolver link (the DOI has its own field)."""
    for url in urls:
        if not re.search(r"doi\.org/(?:doi:)?10\.", url, re.I):
            return url
    return None


def _read_structure(body: str, f: ReferenceFields) -> None:
    if m := P.PMC_LIST_RE.search(body):
        f.journal, f.volume, f.issue, f.year = (
            m.group("journal"),
            m.group("volume"),
            m.group("issue"),
            int(m.group("year")),
        )
        return
    src = next((m for m in P.VANCOUVER_SOURCE_RE.finditer(body) if m.group("volume")), None)
    src = src or P.MDPI_RUN_RE.search(body)
    if src:
        _set_locator(f, src.group("volume"), src.group("issue"), src.group("pages"))
        f.year = int(src.group("year"))
        _read_front(body[: src.start()], f, journal_last=True)
        return
    date = P.MANUBOT_DATE_RE.search(body)
    if date and body[: date.start()].strip() and not body[date.end() :].strip(" .,;\n"):
        f.year = int(date.group("year"))
        _read_manubot(body[: date.start()], f)
        return
    if (m := P.HEAD_YEAR_RE.match(body)) and _looks_like_authors(m.group("head")):
        f.authors = split_authors(m.group("head"))
        f.year = int(m.group("year"))
        _read_after_year(body[m.end() :], f)
        return
    if m := _QUOTED_HEAD_RE.match(body):
        f.title, f.year = m.group("title"), int(m.group("year"))
        _read_container(body[m.end() :], f)
        return
    if m := P.LOOSE_YEAR_RE.search(body):
        f.year = int(m.group("year"))
    _read_front(body, f, journal_last=False)


def _set_locator(f: ReferenceFields, volume: str | None, issue: str | None, pages: str | None):
    f.volume = volume
    f.issue = issue.strip() if issue else None
    if pages:
        if re.search(r"[-–—]", pages):
            f.pages = P.normalize_pages(pages)
        else:
            f.article_number = pages.strip()


def segments(text: str) -> list[tuple[int, int]]:
    """Spans of the sentence-like parts of an entry, not split after initials or "et al"."""
    spans, start = [], 0
    for m in _BOUNDARY_RE.finditer(text):
        p = m.group("p")
        if p == "." and _NO_SPLIT_BEFORE.search(text[max(start, m.start() - 6) : m.start()]):
            # "Goodin D. Pilot trial" ends a Vancouver list; "Melissa M. Brown," does not
            nxt = _NEXT_WORD_RE.match(text, m.end())
            last = text[max(start, m.start() - 80) : m.start()].split(",")[-1].strip()
            vancouver = P.VANCOUVER_NAME_RE.match(last)
            if not vancouver or (nxt and nxt.group("p")):
                continue
        if p in ("?", "!") and text[m.end() : m.end() + 1] in ("-", "–", "—"):
            continue
        end = m.start() + (1 if p in ("?", "!") else 0) + len(m.group("q") or "")
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _read_front(pre: str, f: ReferenceFields, *, journal_last: bool) -> None:
    """Authors, title and container before a source block (or in an entry without one)."""
    spans = segments(pre)
    if not spans:
        return
    first = pre[slice(*spans[0])]
    if len(spans) == 1:
        if journal_last:
            f.journal = first
        elif q := _QUOTED_RE.match(first):
            f.title = q.group("dq") or q.group("sq")
        else:
            f.title = first
        return
    i = 0
    if _looks_like_authors(first):
        f.authors, i = split_authors(first), 1
    rest = pre[spans[i][0] :]
    if q := _QUOTED_RE.match(rest):
        f.title, tail = _quoted_title(q, rest)
    else:
        f.title = pre[slice(*spans[i])]
        tail = pre[spans[i + 1][0] :] if i + 1 < len(spans) else ""
    if tail.strip():
        f.journal = tail if journal_last else _first_segment(tail)


def _quoted_title(q: re.Match[str], rest: str) -> tuple[str, str]:
    """A quoted title, continued when a subtitle follows the quote ('"Q?" - Subtitle.')."""
    title, tail = q.group("dq") or q.group("sq"), rest[q.end() :]
    if re.match(r"\s*[-–—:]", tail):
        spans = segments(tail)
        title = title + tail[: spans[0][1]]
        tail = tail[spans[1][0] :] if len(spans) > 1 else ""
    return title, tail


def _read_manubot(pre: str, f: ReferenceFields) -> None:
    lines = [ln for ln in pre.split("\n") if ln.strip()]
    if len(lines) == 1:
        spans = segments(lines[0])
        lines = [lines[0][slice(*s)] for s in spans] if len(spans) > 1 else lines
    if len(lines) == 1:
        return  # one run-together line: title, authors and journal can't be told apart
    f.title, f.journal = lines[0], lines[-1]
    if len(lines) >= 3 and _looks_like_authors(lines[1]):
        f.authors = split_authors(lines[1])


def _read_after_year(rest: str, f: ReferenceFields) -> None:
    if q := _QUOTED_RE.match(rest):
        f.title, tail = _quoted_title(q, rest)
    else:
        spans = segments(rest)
        if not spans:
            return
        f.title = rest[slice(*spans[0])]
        tail = rest[spans[1][0] :] if len(spans) > 1 else ""
    _read_container(tail, f)


def _read_container(tail: str, f: ReferenceFields) -> None:
    tail = tail.strip(" .,")
    if not tail:
        return
    m = P.VOLUME_BLOCK_RE.search(tail)
    if m and m.start() > 0:
        f.journal = tail[: m.start()]
        _set_locator(f, m.group("volume"), m.group("issue") or m.group("issue2"), m.group("pages"))
    else:
        f.journal = re.sub(rf",\s*{P.MONTH}.*$", "", _first_segment(tail))


def _first_segment(text: str) -> str:
    spans = segments(text)
    return text[slice(*spans[0])] if spans else text


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    t = _TITLE_TAG_RE.sub("", P.collapse(title)).strip(' *_“”"‘’')
    t = re.sub(r"\s+([.:;,?!])", r"\1", t).rstrip(" .,;")
    return t or None


def _clean_container(journal: str | None) -> str | None:
    if not journal:
        return None
    j = P.collapse(journal).strip(" *_,;:")
    j = re.sub(r"\s+([.:;,])", r"\1", j).rstrip(" .,;")
    return j if re.search(r"[A-Za-z]", j) else None


def _source_type(f: ReferenceFields, body: str) -> str | None:
    hay = " ".join(x for x in (body, f.journal or "", f.url or "") if x)
    if P.PREPRINT_HINTS.search(hay) or (f.doi or "").startswith("10.1101/"):
        return "preprint"
    if P.PRESS_HINTS.search(hay):
        return "press_release"
    has_locator = bool(f.volume or f.pages or f.article_number)
    if not has_locator and not re.search(r"Proceedings of the National", hay):
        if P.CONFERENCE_HINTS.search(body):
            return "conference"
        if f.isbn or P.BOOK_HINTS.search(body) or re.match(r"10\.\d+/978", f.doi or ""):
            return "book"
        if P.REPORT_HINTS.search(body) and f.doi_status == "absent":
            return "report"
    if has_locator or f.doi_status != "absent" or f.pmid or f.pmcid:
        return "journal"
    if f.url:
        return "web"
    return None


# --- authors -------------------------------------------------------------------


def split_authors(block: str) -> list[str]:
    """Author names as written ("Cree BA", "K. A. Baggerly", "Smith, J. A."), no "et al"."""
    block = _EDITORS_RE.sub("", P.collapse(block.replace("…", ","))).strip(" ,;")
    block = re.sub(r"\.$", "", block) if not re.search(r"\b[A-Z]\.$", block) else block
    if not block:
        return []
    if P.CORPORATE_WORDS.search(block) and "," not in block:
        return [block]
    parts = re.split(r"\s*[,;]\s*|\s+(?:and|And|AND|&)\s+", block)
    parts = [re.sub(r"^(?:and|&)\s+", "", p, flags=re.I).strip() for p in parts]
    parts = [p for p in parts if p and not re.fullmatch(r"et al\.?|…|\.\.\.|others", p)]
    merged: list[str] = []
    for p in parts:
        prev = merged[-1] if merged else ""
        if prev and P.INITIALS_RE.match(p) and "," not in prev:
            merged[-1] = f"{merged[-1]}, {p}"
        else:
            merged.append(p)
    if (
        len(merged) >= 2
        and re.fullmatch(
            r"(?:(?:[Dd]e|[Dd]el|[Vv]an|[Vv]on|[Dd][aiu]|[Ll][ae])\s+)*[A-Z][\w'’-]+", merged[0]
        )
        and "," not in merged[1]
        and all(_NAME_TOKEN_RE.match(t) for t in merged[1].split())
        and len(merged[1].split()) <= 3
    ):
        merged[:2] = [f"{merged[0]}, {merged[1]}"]
    return merged


def _looks_like_authors(block: str) -> bool:
    block = _EDITORS_RE.sub("", P.collapse(block)).strip(" .,;")
    if not block or re.search(r"\d|:|[“”\"?!]", block):
        return False
    parts = split_authors(block)
    if parts and P.CORPORATE_WORDS.search(parts[0]):
        return True
    multi = False
    for part in parts:
        tokens = part.replace(",", " ").split()
        if not 1 <= len(tokens) <= 6 or not all(_NAME_TOKEN_RE.match(t) for t in tokens):
            return False
        lower = [t for t in tokens if t.islower()]
        if any(t not in P.PARTICLES for t in lower):
            return False
        multi = multi or len(tokens) >= 2
    if len(parts) == 1 and len(block.split()) >= 4 and not re.search(r"\b[A-Z]\b\.?", block):
        return False  # a title-case phrase, not a name
    return multi


def family_name(author: str) -> str | None:
    """The family name: "Cree" from "Cree BA", "Baggerly" from "K. A. Baggerly" or
    "Baggerly, Keith A.", "De Simone" from "John De Simone"; a corporate author whole."""
    a = P.collapse(author).strip(" .,;")
    if not a or not re.search(r"[^\W\d_]", a):
        return None
    if "," in a:
        return a.split(",")[0].strip() or None
    if P.CORPORATE_WORDS.search(a):
        return a
    tokens = [t for t in a.split() if t.lower() not in P.SUFFIXES]
    if not tokens:
        return None
    if len(tokens) >= 2 and re.fullmatch(r"[A-Z]{1,3}", tokens[-1]):
        return " ".join(tokens[:-1])  # Vancouver "Family Initials"
    i = len(tokens) - 1
    while i > 1 and tokens[i - 1].lower() in P.PARTICLES:
        i -= 1
    return " ".join(tokens[i:]).strip(".") or None
