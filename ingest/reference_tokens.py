"""Tokens of a reference string and the features the field-labelling CRF sees.

Training (``kb.parser``) and parsing (``ingest.reference_crf``) share this module, so a
string is cut and described the same way in both. A token is a URL or DOI whole, a run of
letters (with a trailing full stop: "J.", "Res."), a run of letters and digits holding a
digit ("e0212460", "2010a"), or one other character. Features of a token's own text are
computed once per distinct text and cached; the context features are those of the
neighbours plus the token's place in the string.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest import reference_dicts as D

LABELS = (
    "author title container editor date volume issue pages publisher location edition "
    "genre note url doi identifier other"
).split()

TOKEN_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"“”]+"  # a URL, whole
    r"|(?:doi:\s?)?10\.\d{4,9}/[^\s<>\"“”]+"  # a DOI, whole
    r"|[A-Z]{1,4}(?=\d)"  # capitals before digits apart: "Phys. Rev. D59" -> "D", "59"
    r"|\w*\d\w*"  # digits, with letters glued on
    r"|[^\W\d_]+(?:['’-][^\W\d_]+)*\.?"  # a word, its full stop kept
    r"|[^\w\s]"  # any other character alone
)
_MONTHS = {
    m
    for m in (
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april "
        "june july august september october november december spring summer fall autumn "
        "winter"
    ).split()
}
_CUES = {
    "et",
    "al",
    "al.",
    "and",
    "&",
    "in",
    "in:",
    "eds",
    "ed",
    "eds.",
    "ed.",
    "editor",
    "editors",
    "vol",
    "vol.",
    "no",
    "no.",
    "pp",
    "pp.",
    "p.",
    "doi",
    "pmid",
    "pmcid",
    "available",
    "accessed",
    "retrieved",
    "published",
    "online",
    "epub",
    "press",
    "university",
    "proceedings",
    "proc.",
    "conference",
    "journal",
    "report",
    "thesis",
    "internet",
    "cited",
    "from",
    "edn",
    "edition",
    "suppl",
    "issue",
    "the",
    "of",
    "a",
    "for",
    "on",
    "with",
    "to",
}
_OPEN = set("([{“‘\"'")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for every token of the text."""
    return [(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _shape(tok: str) -> str:
    s = re.sub(r"[A-Z]", "X", tok)
    s = re.sub(r"[^\W\d_]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1{2,}", r"\1\1", s)[:8]


@lru_cache(maxsize=200_000)
def _own(tok: str) -> tuple[str, ...]:
    """Features of the token's own text."""
    low = tok.lower()
    word = low.rstrip(".")
    f = [f"w={low[:24]}", f"sh={_shape(tok)}"]
    if tok.startswith(("http", "www.")):
        return (*f, "url")
    if re.match(r"(?:doi:\s?)?10\.\d", low):
        return (*f, "doi")
    if tok.isdigit():
        n = len(tok)
        f.append(f"dig{min(n, 5)}")
        if n == 4 and 1600 <= int(tok) <= 2039:
            f.append("year")
    elif re.fullmatch(r"(?:1[6-9]|20)\d\d[a-z]", tok):
        f.append("yearsuf")
    elif any(c.isdigit() for c in tok):
        f.append("alnum")
    elif tok[0].isalpha():
        f.append(f"suf={word[-3:]}")
        if tok[0].isupper():
            f.append("cap")
        if tok.isupper() and len(word) > 1:
            f.append("caps")
        if re.fullmatch(r"[A-Z]\.?", tok):
            f.append("initial")
        elif re.fullmatch(r"[A-Z]{2,3}", tok):
            f.append("initials")
        if word in _MONTHS:
            f.append("month")
        if low in _CUES or word in _CUES:
            f.append("cue")
        if word in D.given_names():
            f.append("given")
        if word in D.journal_words():
            f.append("jword")
        if word in D.publisher_words():
            f.append("pubword")
        if tok.endswith(".") and len(tok) > 2:
            f.append("abbr")
    else:
        f.append("punct")
    if re.fullmatch(r"[ivxlcdm]+\.?", low):
        f.append("roman")
    return tuple(f)


@lru_cache(maxsize=200_000)
def _ctx(tok: str) -> tuple:
    """A token and how its neighbours see it: (own features, as -1, as +1, as -2, as +2,
    is a year, ends a sentence). Tuples, so a token's features are a few concatenations."""
    own = _own(tok)
    w, sh = own[0], own[1]
    ends = tok in {".", "?", "!"} or (tok.endswith(".") and len(tok) > 3)
    return (
        own,
        (f"-1{w}", f"-1{sh}"),
        (f"+1{w}", f"+1{sh}"),
        (f"-2{sh}",),
        (f"+2{sh}",),
        "year" in own,
        ends,
    )


_POS = [f"pos={k}" for k in range(10)]
_SEG = [(f"seg={k}",) for k in range(7)]
_STATE = {
    (p, q, y): tuple(x for x, on in (("inparen", p), ("inquote", q), ("afteryear", y)) if on)
    for p in (False, True)
    for q in (0, 1)
    for y in (False, True)
}


def features(tokens: list[tuple[str, int, int]], text: str) -> list[tuple[str, ...]]:
    """One feature tuple per token: its own features, its neighbours', its place (the
    count of sentence ends before it, brackets and quotes it is in, a year seen)."""
    n = len(tokens)
    if not n:
        return []
    ctx = [_ctx(t[0]) for t in tokens]
    out = []
    periods = paren = quote = 0
    year_seen = False
    prev_end = tokens[0][1]
    last = n - 1
    for i, (tok, start, end) in enumerate(tokens):
        c = ctx[i]
        if start > prev_end:
            f = c[0] + (_POS[10 * i // n], "sp")
            if text.find("\n", prev_end, start) >= 0:
                f += ("newline",)
        else:
            f = c[0] + (_POS[10 * i // n], "nosp")
        if i > 1:
            f += ctx[i - 1][1] + ctx[i - 2][3]
        elif i:
            f += ctx[0][1]
        else:
            f += ("first",)
        if i < last:
            f += ctx[i + 1][2] + (("+sp",) if tokens[i + 1][1] > end else ("+nosp",))
            if i + 1 < last:
                f += ctx[i + 2][4]
        else:
            f += ("last",)
        f += _SEG[periods if periods < 6 else 6] + _STATE[paren > 0, quote, year_seen]
        out.append(f)
        periods += c[6]
        year_seen = year_seen or c[5]
        if len(tok) == 1:
            if tok in "([":
                paren += 1
            elif tok in ")]" and paren:
                paren -= 1
            elif tok in '“"' and not quote:
                quote = 1
            elif tok in '”"' and quote:
                quote = 0
        prev_end = end
    return out


def is_open(tok: str) -> bool:
    return tok in _OPEN
