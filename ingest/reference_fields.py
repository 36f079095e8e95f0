"""Parse one reference entry into fields (``parse_reference``): rules for identifiers,
a learned labeller for the rest.

Identifiers are read by exact rules (DOI and its status, PMID, PMCID, ISBN, URL; see
``ingest.doi`` and ``ingest.reference_rules``). The bibliographic fields come from the
CRF labeller (``ingest.reference_crf``): each token is labelled author, title,
container, date, volume, issue, pages, ...; the first run of each label is the field,
normalised by ``ingest.reference_normalise``. Each field carries a confidence from the
model's marginals: for a field found, the probability of its least sure word's label;
for a field absent, the probability that no token has that label (one minus the largest
marginal), so an audit can tell "absent" from "the parser was unsure". A field found
below its threshold is withheld (``parse_reference``) and kept in ``uncertain``.
"""

from __future__ import annotations

import re

from ingest import reference_crf
from ingest import reference_normalise as N
from ingest import reference_patterns as P
from ingest.doi import best_of, find_doi_matches
from ingest.reference_dicts import journal_abbreviation
from ingest.reference_rules import (
    _LEAD_NUMBER_RE,
    _source_type,
    blank,
    family_name,
    read_identifiers,
)
from ingest.reference_thresholds import withhold_uncertain
from ingest.types import ReferenceFields

__all__ = ["parse_reference", "family_name"]

_GLUED_NUMBER_RE = re.compile(r"^\s*\d{1,3}\.(?=[A-Z][a-z])")  # "10.Blaschke C, ..."
MAX_LABELLED = 4000  # characters of an entry the labeller reads
_ABSENCE_MEASURED = {"author", "title", "container", "date"}  # missing_* findings ask
_CONFIDENT_FIELDS = {
    "authors": "author",
    "title": "title",
    "journal": "container",
    "year": "date",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
}


def parse_reference(raw: str) -> ReferenceFields:
    """The fields one reference entry gives; a field the entry does not give stays None,
    and a field the parser read without enough confidence (below its threshold, see
    ``ingest.reference_thresholds``) is not given either but kept in ``uncertain``."""
    return withhold_uncertain(read_reference(raw))


def read_reference(raw: str) -> ReferenceFields:
    """Every field the labeller found, each with its confidence, none withheld."""
    f = ReferenceFields()
    text = _LEAD_NUMBER_RE.sub("", raw, count=1)
    text = _GLUED_NUMBER_RE.sub("", text, count=1)
    mentions = find_doi_matches(text)
    best = best_of(mentions)
    f.doi, f.doi_raw, f.doi_status = best.doi, best.raw, best.status
    ids = read_identifiers(text, f, mentions)
    body = blank(text, ids)
    if len(text) > MAX_LABELLED:  # no real entry is this long; the head holds its fields
        lab = reference_crf.label(text[:MAX_LABELLED])
    else:
        lab = reference_crf.label(text, ids)
    _end_vancouver_authors(lab)
    _title_starts_with_words(lab)
    _title_sentence_out_of_container(lab)
    _container_out_of_title(lab)
    runs = _runs(lab)
    spans = {name: _field_run(runs, label) for name, label in _CONFIDENT_FIELDS.items()}
    f.authors = N.authors_of(_text(text, spans["authors"]))
    f.author_names = [list(N.name_parts(a)) for a in f.authors]
    f.first_author = N.first_author_of(f.authors)
    f.title = N.clean_text(_text(text, spans["title"]))
    f.journal = N.clean_text(_text(text, spans["journal"]), container=True)
    f.year = N.year_of(_text(text, spans["year"]))
    if f.year is None:  # the first run of dates had no year ("n.d.", "Aug 5"): a later one
        dates = (N.year_of(_text(text, r)) for r in runs if r[0] == "date")
        f.year = next((y for y in dates if y), None)
    f.volume = N.volume_of(_text(text, spans["volume"]))
    f.issue = N.issue_of(_text(text, spans["issue"]))
    f.pages, f.article_number = N.pages_of(_text(text, spans["pages"]))
    read_by_labeller = {name: _value(f, name) for name in _CONFIDENT_FIELDS}
    _reread_locator(text, runs, f)
    _exact_blocks(body, f)
    f.confidence = {
        name: _confidence(lab, label, spans[name], _value(f, name), read_by_labeller[name])
        for name, label in _CONFIDENT_FIELDS.items()
    }
    f.source_type = _kind(f, body, {r[0] for r in runs})
    if f.source_type not in {"journal", "preprint"}:
        f.journal = None
        f.confidence["journal"] = None
    f.journal_abbrev = journal_abbreviation(f.journal)
    return f


_INITIALS = re.compile(r"[A-Z]{1,3}")
_INITIALS_END = re.compile(r"[A-Z]{1,3}\.")


def _end_vancouver_authors(lab: reference_crf.Labelled) -> None:
    """A Vancouver list ("Cree BA, Kim B. Pilot trial ...") ends at the first full stop
    after a name's initials: words the labeller ran on into the names are the title."""
    toks, labels = [t[0] for t in lab.tokens], lab.labels
    comma = next((i for i, t in enumerate(toks[:6]) if t in {",", ";"}), None)
    if comma is None or comma < 2 or any(y != "author" for y in labels[: comma + 1]):
        return
    if not _INITIALS.fullmatch(toks[comma - 1]) or not toks[0][:1].isalpha():
        return  # not "Family INITIALS," first
    i = comma + 1
    while i < len(toks) and labels[i] == "author":
        prev = toks[i - 1]
        if _INITIALS_END.fullmatch(toks[i]) and prev[:1].isupper() and prev[-1:] != ".":
            j = i + 1
            while j < len(toks) and labels[j] == "author":
                labels[j] = "title"
                j += 1
            return
        i += 1


_UNTITLED = {"other", "note", "genre"}  # what a title the labeller missed was labelled


def _title_starts_with_words(lab: reference_crf.Labelled) -> None:
    """Words left unlabelled right before the title, with no punctuation between, begin
    it ("(1950). In vitro ..." whose "In" looked like "In: Editors"); with no title at
    all, unlabelled words between the authors or date and the container are the title."""
    labels, toks = lab.labels, lab.tokens
    if "title" not in labels:  # "Authors (1950). In in of. Journal, ..." : the words between
        runs = _runs(lab)
        for k in range(1, len(runs) - 1):
            before, run, after = runs[k - 1][0], runs[k], runs[k + 1][0]
            if run[0] in _UNTITLED and before in {"author", "date"} and after == "container":
                labels[run[1] : run[2]] = ["title"] * (run[2] - run[1])
                return
    for i in range(len(labels) - 1, 0, -1):
        if labels[i] != "title" or labels[i - 1] not in _UNTITLED:
            continue
        j = i - 1
        while j >= 0 and labels[j] in _UNTITLED and toks[j][0].isalpha():
            j -= 1
        # after punctuation, but not after the authors: "V. Vianu." left over is a name
        if j < i - 1 and (j < 0 or (not toks[j][0][-1].isalnum() and labels[j] != "author")):
            for k in range(j + 1, i):
                labels[k] = "title"
        return


_SENTENCE_END = re.compile(r"[a-z]{2,}[.?!]")


def _title_sentence_out_of_container(lab: reference_crf.Labelled) -> None:
    """A container that follows the title (or the authors or date) and begins with a
    sentence ending in a lower-case word ("Pilot pain. *Ann Neurol*") begins with the
    title's end: journal abbreviations end in capitals ("J. Am. Chem. Soc.")."""
    labels, toks = lab.labels, lab.tokens
    runs = _runs(lab)
    for k in range(1, len(runs)):
        label, a, b = runs[k][:3]
        if label != "container" or runs[k - 1][0] not in {"title", "author", "date"}:
            continue
        for i in range(a, b - 1):
            nxt = toks[i + 1][0]
            if _SENTENCE_END.fullmatch(toks[i][0]):
                if nxt[:1].isupper() or nxt in {"*", "_"}:
                    labels[a : i + 1] = ["title"] * (i + 1 - a)
                return
        return


def _container_out_of_title(lab: reference_crf.Labelled) -> None:
    """No container, and a title running into the date ("Pilot trial. Clin Rheumatol.
    1977;...)": the title's last sentence is the journal (Vancouver/AMA order)."""
    labels, toks = lab.labels, lab.tokens
    if "container" in labels:
        return
    runs = _runs(lab)
    for k in range(len(runs) - 1):
        label, a, b = runs[k][:3]
        if label != "title" or runs[k + 1][0] != "date":
            continue
        ends = [
            i
            for i in range(a, b - 1)
            if toks[i][0].endswith((".", "?", "!"))
            and len(toks[i][0]) > 2
            and toks[i + 1][0][:1].isupper()
        ]
        if ends:
            labels[ends[-1] + 1 : b] = ["container"] * (b - ends[-1] - 1)
        return


_LOCATOR = {"volume", "issue", "pages"}


def _reread_locator(text: str, runs: list[Run], f: ReferenceFields) -> None:
    """Where the labeller found a volume/issue/pages block, the rules' exact pattern reads
    it when it matches the whole block ("1(1), 2–3" whose "1), 2–3" was labelled issue);
    punctuation left unlabelled inside the block ("1(1):303-4") belongs to it."""
    i = next((k for k, r in enumerate(runs) if r[0] in _LOCATOR), None)
    if i is None:
        return
    j = i
    while j + 1 < len(runs):
        nxt = runs[j + 1]
        inner = nxt[0] == "other" and not text[nxt[3] : nxt[4]].strip(" .,:;()")
        if nxt[0] in _LOCATOR or (inner and j + 2 < len(runs) and runs[j + 2][0] in _LOCATOR):
            j += 1
        else:
            break
    block = text[runs[i][3] : runs[j][4]].strip(" .,;:*_")
    m = P.VOLUME_BLOCK_RE.fullmatch(block)
    if not m or not (m.group("issue") or m.group("issue2") or m.group("pages")):
        return
    f.volume = m.group("volume")
    if m.group("issue") or m.group("issue2"):
        f.issue = N.issue_of(m.group("issue") or m.group("issue2"))
    if m.group("pages"):
        f.pages, f.article_number = N.pages_of(m.group("pages"))


def _exact_blocks(body: str, f: ReferenceFields) -> None:
    """Two source blocks exact rules read better than the labeller: PMC's "Journal List
    Cureus v.14(2); 2022 Feb" and MDPI's run-together "202311(4), 1087" (year 2023,
    volume 11)."""
    if m := P.PMC_LIST_RE.search(body):
        f.journal, f.volume, f.issue = m.group("journal"), m.group("volume"), m.group("issue")
        f.year = int(m.group("year"))
    elif m := P.MDPI_RUN_RE.search(body):
        f.year, f.volume, f.issue = int(m.group("year")), m.group("volume"), m.group("issue")
        f.pages, f.article_number = N.pages_of(m.group("pages"))


def _kind(f: ReferenceFields, body: str, labels: set[str]) -> str | None:
    """The source type by the rules' reading, except that a container with a publisher or
    editors and no volume is a book or proceedings, not a journal, and a bioRxiv-prefix
    DOI (10.1101) with a volume is a journal article (Genome Res, Genes Dev)."""
    kind = _source_type(f, body)
    if kind == "preprint" and f.volume and not P.PREPRINT_HINTS.search(body):
        return "journal"  # a 10.1101 DOI with a volume: Cold Spring Harbor's journals
    if kind == "journal" and not f.volume and labels & {"publisher", "editor"}:
        return "conference" if P.CONFERENCE_HINTS.search(body) else "book"
    return kind


Run = tuple[str, int, int, int, int]  # label, first token, last token + 1, char span


def _runs(lab: reference_crf.Labelled) -> list[Run]:
    """Consecutive tokens with one label, with the characters they cover."""
    labels, toks = lab.labels, lab.tokens
    out: list[Run] = []
    start, n = 0, len(labels)
    for i in range(1, n + 1):
        if i == n or labels[i] != labels[start]:
            out.append((labels[start], start, i, toks[start][1], toks[i - 1][2]))
            start = i
    return out


def _field_run(runs: list[Run], label: str) -> Run | None:
    """The first run of a label (a field is given once; later runs are mostly noise)."""
    return next((r for r in runs if r[0] == label), None)


def _text(text: str, run: Run | None) -> str | None:
    return text[run[3] : run[4]] if run else None


def _value(f: ReferenceFields, name: str) -> object:
    return (f.pages or f.article_number) if name == "pages" else getattr(f, name)


def _confidence(
    lab: reference_crf.Labelled, label: str, run: Run | None, value: object, labelled: object
) -> float | None:
    """For a field found, the marginal of its least sure word (alphanumeric token: the
    punctuation around a field is no part of its value); for a field absent, P(no token
    has the label) (only where an audit asks whether the field is absent: None for volume,
    issue, pages); for a value an exact rule read instead of the labeller, 1."""
    if value and value != labelled:
        return 1.0
    marginal, toks = lab.tagger.marginal, lab.tokens  # this sequence's, until the next
    if run is not None and value:
        span = range(run[1], run[2])
        least = min((marginal(label, i) for i in span if toks[i][0][0].isalnum()), default=None)
        return round(least if least is not None else min(marginal(label, i) for i in span), 3)
    if label not in _ABSENCE_MEASURED:
        return None
    if not toks:
        return 1.0
    return round(1.0 - max(marginal(label, i) for i in range(len(toks))), 3)
