"""Small named regex pieces and helpers for reading reference entries.

Every pattern is linear (no nested unbounded quantifiers), so a 1 MB line is
read in well under a second.
"""

from __future__ import annotations

import re

YEAR = r"(?:1[6-9]\d{2}|20\d{2})"
MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Spring|Summer|Fall|Autumn|Winter)"
    r"[a-z]*\.?"
)
DATE_TAIL = rf"(?:\s+{MONTH}(?:\s*[-/]\s*{MONTH})?(?:\s+\d{{1,2}})?)?"
PAGE = r"[A-Za-z]{0,2}\d{1,7}[A-Za-z]?"
PAGES = rf"{PAGE}(?:\s*[-–—]\s*{PAGE})?"
ISSUE = r"[^()\s;:][^();:]{0,24}"

# "2010 Aug;68(2):145-50", "2021; 12: 687806", "2006: 13(1); 7-15", "2000: 21; 82S",
# "2018 Sep; 4(8): 827–829", MDPI "2023, 11(4), 1087" (and its run-together "202311(4), 1087")
VANCOUVER_SOURCE_RE = re.compile(
    rf"(?P<year>{YEAR}){DATE_TAIL}\s*(?:[;:]|,(?=\s*\d+\s*\())\s*"
    rf"(?P<volume>\d{{1,5}})?\s*(?:\((?P<issue>{ISSUE})\))?"
    rf"(?:\s*[:;,]\s*(?P<pages>{PAGES}))?"
)
MDPI_RUN_RE = re.compile(
    rf"(?P<year>20\d{{2}})(?P<volume>\d{{1,3}})\((?P<issue>{ISSUE})\),\s*(?P<pages>{PAGES})"
)
# "Journal List Cureus v.14(2); 2022 Feb PMC8967077"
PMC_LIST_RE = re.compile(
    rf"Journal List\s+(?P<journal>.+?)\s+v\.(?P<volume>\d+)\((?P<issue>{ISSUE})\);\s*"
    rf"(?P<year>{YEAR})"
)
# after a journal name: "3 (4): 1309–34", ", 12(3), 45–67", "585 (7823): 7–7", "19 (Suppl 2)",
# "vol. 12, no. 3, pp. 45-67", "27 (1): 9"
VOLUME_BLOCK_RE = re.compile(
    rf"(?:(?:vol\.?|volume)\s*)?(?P<volume>\d{{1,5}})\s*"
    rf"(?:\((?P<issue>{ISSUE})\)|,\s*(?:no\.?|issue)\s*(?P<issue2>\w{{1,10}}))?"
    rf"(?:\s*[:,]\s*(?:pp?\.\s*)?(?P<pages>{PAGES}))?(?=\s*[.,;]|\s*$|\s+https?:)",
    re.IGNORECASE,
)
HEAD_YEAR_RE = re.compile(
    rf"^(?P<head>[^\"“”()]{{0,600}}?)[\s.,]*\(?(?P<year>{YEAR})[a-z]?"
    rf"(?:,\s*{MONTH}(?:\s+\d{{1,2}})?)?(?:\)[.,:]?|[.,:])\s+"
)
MANUBOT_DATE_RE = re.compile(rf"\((?P<year>{YEAR})(?:-\d{{2}}){{0,2}}\)")
LOOSE_YEAR_RE = re.compile(rf"(?<![\d/.-])(?P<year>{YEAR})(?![\d/-])")

PMID_RE = re.compile(
    r"(?:\bPMID\s*:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/)(?P<pmid>\d{1,9})\b", re.I
)
PMCID_RE = re.compile(r"\b(?P<pmcid>PMC\d{4,9})\b")
ISBN_RE = re.compile(
    r"\bISBN(?:-1[03])?\s*:?\s*(?P<isbn>[\dXx][\d\sXx-]{8,20}[\dXx])|isbn=(?P<q>\d{9,13}X?)"
)
URL_RE = re.compile(r"(?:https?://|(?<![\w/.@])www\.)[^\s<>\"“”]{1,4000}", re.I)

# Trailing notes that are no part of the citation proper.
NOTE_RES = [
    re.compile(r"\[[^\[\]\n]{0,200}\]\[[^\[\]\n]{0,50}\]"),  # Markdown reference link
    re.compile(r"\bPublished online\s*:?\s*" + YEAR + DATE_TAIL + r"\.?", re.I),
    re.compile(r"\bEpub\s+(?:ahead of print\s+)?" + YEAR + DATE_TAIL + r"\.?", re.I),
    re.compile(r"\[?\b(?:Accessed|Retrieved|cited|Viewed|Updated)\b[^\].]{0,60}[\].]?", re.I),
    re.compile(r"\((?:Link is broken|Link broken)\)", re.I),
    re.compile(
        r"\b(?:Available (?:at|in|from|through|online)|Article is|Artilce is"
        r"|More information at)\b[^.]{0,80}\.?",
        re.I,
    ),
]

CORPORATE_WORDS = re.compile(
    r"\b(?:Society|Organi[sz]ation|Association|Institutes?|Academ(?:y|ies)|Administration|"
    r"Office|Committee|Council|Agency|Department|Cent(?:er|re)s?|University|Foundation|"
    r"Collaboration|Consortium|Group|Ministry|Commission|Commissioner|Service|Network|"
    r"Board|College|Federation|Trust|Alliance|Program(?:me)?|WHO|NIH|CDC|FDA)\b"
)
PARTICLES = {"de", "del", "della", "der", "den", "di", "da", "du", "van", "von", "le", "la", "dos"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
INITIALS_RE = re.compile(r"^(?:[A-Z]\.?\s?-?){1,4}$")
VANCOUVER_NAME_RE = re.compile(r"^(?P<family>[^\s,]+(?:\s+[^\s,]+){0,3}?)\s+(?P<init>[A-Z]{1,3})$")
PRESS_HINTS = re.compile(
    r"press release|news release|sciencedaily|eurekalert|newsroom|/releases?/", re.I
)
BOOK_HINTS = re.compile(
    r"\b(?:Press|Publishing|Publishers?|Books|ed\.|edition|Wiley|Elsevier|Springer)\b"
)
CONFERENCE_HINTS = re.compile(
    r"\b(?:abstract|conference|congress|symposium|meeting|proceedings of)\b", re.I
)
PREPRINT_HINTS = re.compile(r"\b(?:medRxiv|bioRxiv|arXiv|SSRN|Research Square|preprints?)\b", re.I)
REPORT_HINTS = re.compile(r"\b(?:report|white paper|working paper)\b", re.I)


def normalize_pages(pages: str) -> str:
    """ "333-7" -> "333-337", "1309–34" -> "1309-1334", en/em dashes and spaces -> "-"."""
    m = re.fullmatch(r"([A-Za-z]*)(\d+)([A-Za-z]?)\s*[-–—]\s*([A-Za-z]*)(\d+)([A-Za-z]?)", pages)
    if not m:
        return pages.strip()
    p1, a, s1, p2, b, s2 = m.groups()
    if len(b) < len(a) and not p2:
        b = a[: len(a) - len(b)] + b
    return f"{p1}{a}{s1}-{p2 or p1}{b}{s2}"


def clean_url(url: str) -> str:
    """Strip stray trailing punctuation and unbalanced closers; add a scheme to "www." URLs."""
    while url and (url[-1] in ".,;:'\"" or (url[-1] in ")]>" and _unbalanced(url))):
        url = url[:-1]
    if url.lower().startswith("www."):
        url = "https://" + url
    return url


def _unbalanced(url: str) -> bool:
    close = url[-1]
    open_ = {")": "(", "]": "[", ">": "<"}[close]
    return url.count(close) > url.count(open_)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
