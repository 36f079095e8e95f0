"""Is it text? Decoding never fails (cp1252 with replacement is the last resort), so bytes
that are not text at all (random high bytes, a binary without NULs) would become an
"article" of garbage claims. Two checks refuse them as "not a text article":

- **characters**: more than 2% of the non-space characters are controls, unassigned or
  private-use code points, surrogates or U+FFFD (what undecodable bytes become);
- **words**: less than a third of the body is words of any script, that is, space-separated
  tokens of at most 40 characters, mostly letters, or characters of scripts written without
  spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ingest.types import IngestError

SAMPLE = 200_000  # characters looked at: enough to judge, bounded work
MAX_BAD_SHARE = 0.02
MIN_WORD_SHARE = 1 / 3
MIN_CHARS = 200  # below this there is too little to judge the words by
_NO_SPACE_SCRIPTS = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_BAD = {"Cc", "Cn", "Co", "Cs"}
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def check_characters(text: str) -> None:
    """Refuse text whose characters are not text (raises IngestError, stage decode)."""
    n = bad = 0
    # each distinct character judged once (an article uses a few hundred of them)
    for ch, count in Counter(text[:SAMPLE]).items():
        if ch.isspace():
            continue
        n += count
        if ch == "\ufffd" or (ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in _BAD):
            bad += count
    if n and bad > max(8, n * MAX_BAD_SHARE):
        raise IngestError(
            f"not a text article: {bad * 100 // n}% of its characters are control, "
            "unassigned or undecodable",
            stage="decode",
        )


def check_words(text: str) -> None:
    """Refuse a body with no words of any script (raises IngestError, stage read)."""
    sample = text[:SAMPLE]
    tokens = Counter(sample.split())  # split() splits where isspace() holds
    n = sum(len(token) * count for token, count in tokens.items())
    if n < MIN_CHARS:
        return
    covered = len(_NO_SPACE_SCRIPTS.findall(sample))
    for token, count in tokens.items():  # each distinct token judged once
        if len(token) <= 40:
            letters = sum(1 for ch in token if ch.isalpha())
            if letters * 2 >= len(token):
                covered += len(token) * count
    if covered < n * MIN_WORD_SHARE:
        raise IngestError("not a text article: it has no words of any script", stage="read")
