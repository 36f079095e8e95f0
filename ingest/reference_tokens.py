"""Tokens of a reference string and the features the field-labelling CRF sees.

Training (``kb.parser``) and parsing (``ingest.reference_crf``) share this module, so a
string is cut and described the same way in both. A token is a URL or DOI whole, a run of
letters (with a trailing full stop: "J.", "Res."), a run of letters and digits holding a
digit ("e0212460", "2010a"; a word of three letters or more glued to the digits after it
is cut off them: "Applications391" -> "Applications", "391"), or one other character.
Features of a token's own text are computed once per distinct text and cached; the
context features are those of the neighbours plus the token's place in the string.
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
    r"|(?=[^\W\d_a-z]*+[a-z])[^\W\d_]{3,}+(?=\d)"  # a word glued to digits: "Applications391"
    r"|(?=[^\W\d]*+\d)\w++"  # digits, with letters glued on (possessive: no backtracking)
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
    """ "Smith" -> "Xxx", "1385-94" -> "dd-dd": case kept, runs cut to two, 8 at most."""
    out: list[str] = []
    for ch in tok:
        k = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if len(out) < 2 or out[-1] != k or out[-2] != k:
            out.append(k)
    return "".join(out[:8])


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
    is a year, ends a sentence, is an abbreviation or initial, the "after" feature of a
    punctuation mark, its shape). Tuples, so a token's features are a few concatenations."""
    own = _own(tok)
    w, sh = own[0], own[1]
    ends = tok in {".", "?", "!"} or (tok.endswith(".") and len(tok) > 3)
    abbr = tok[-1] == "." and tok[0].isupper() and len(tok) <= 7  # "J.", "Neurol.", "Phys."
    return (
        own,
        (f"-1{w}", f"-1{sh}"),
        (f"+1{w}", f"+1{sh}"),
        (f"-2{w}", f"-2{sh}"),
        (f"+2{w}", f"+2{sh}"),
        "year" in own,
        ends,
        abbr,
        f"pd={tok}" if "punct" in own else ("pd=." if ends else None),
        sh[3:],
    )


_POS = [f"pos={k}" for k in range(10)]
_COMMAS = [f"cm={k}" for k in range(4)]
_AHEAD = [f"+ab={k}" for k in range(3)]
_FIRST, _LAST = ("first",), ("last",)
_SP_AFTER, _NOSP_AFTER = ("+sp",), ("+nosp",)
_SPACE, _NEWLINE, _NOSPACE = ("sp",), ("sp", "newline"), ("nosp",)
_SEG = [f"seg={k}" for k in range(7)]
_STATE = {
    (p, q, y): tuple(x for x, on in (("inparen", p), ("inquote", q), ("afteryear", y)) if on)
    for p in (False, True)
    for q in (0, 1)
    for y in (False, True)
}


def features(tokens: list[tuple[str, int, int]], text: str) -> list[tuple[str, ...]]:
    """One feature tuple per token: its own features, its neighbours', its place (the
    count of sentence ends before it, brackets and quotes it is in, a year seen), the last
    punctuation mark before it, the commas since the last sentence end, the shapes of it
    and the token before, and how many of the three tokens after it are abbreviations."""
    n = len(tokens)
    if not n:
        return []
    ctx = [_ctx(t[0]) for t in tokens]
    abbr = [0]
    for c in ctx:
        abbr.append(abbr[-1] + c[7])
    out = []
    periods = paren = quote = commas = 0
    year_seen = False
    last_punct = "pd=^"
    prev_shape = "^"
    prev_end = tokens[0][1]
    last = n - 1
    for i, (tok, start, end) in enumerate(tokens):
        c = ctx[i]
        if i > 1:
            before = ctx[i - 1][1] + ctx[i - 2][3]
        else:
            before = ctx[0][1] if i else _FIRST
        if i < last:
            after = ctx[i + 1][2] + (_SP_AFTER if tokens[i + 1][1] > end else _NOSP_AFTER)
            if i + 1 < last:
                after += ctx[i + 2][4]
        else:
            after = _LAST
        if start > prev_end:
            space = _NEWLINE if text.find("\n", prev_end, start) >= 0 else _SPACE
        else:
            space = _NOSPACE
        ahead = abbr[i + 4 if i + 4 < n else n] - abbr[i + 1]
        out.append(
            (
                *c[0],
                _POS[10 * i // n],
                *space,
                *before,
                *after,
                _SEG[periods if periods < 6 else 6],
                *_STATE[paren > 0, quote, year_seen],
                last_punct,
                _COMMAS[commas if commas < 3 else 3],
                f"bs={prev_shape}|{c[9]}",
                _AHEAD[ahead if ahead < 2 else 2],
            )
        )
        prev_shape = c[9]
        if c[8] is not None:
            last_punct = c[8]
            commas += tok == ","
        if c[6]:
            periods += 1
            commas = 0
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


def clear_caches() -> None:
    """Forget cached token features (after a word list changed)."""
    _own.cache_clear()
    _ctx.cache_clear()


def is_open(tok: str) -> bool:
    return tok in _OPEN
