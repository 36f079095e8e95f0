"""Sentence spans with pysbd, repaired so citation markers stay whole and with their sentence."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

# pysbd is slow on very long runs; cut long paragraphs at safe places first.
CHUNK = 4000
_ROUGH_END = re.compile(r"(?<=[.!?])[\]\)\d,;–\-\s]*\s+(?=[\"“(\[]?[A-Z0-9])")
# A run of markers that belongs to the sentence before it: "[3][4]", "[4-6]", "³⁴", "[^2]".
_LEADING_MARKERS = re.compile(r"^(?:\s*(?:\[\s*\d[\d\s,;–\-]*\]|\[\^[^\]\s]+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻˒,]+))+")
_ABBREV_END = re.compile(
    r"(?:\bet al|\bFigs?|\bvs|\be\.g|\bi\.e|\bcf|\bapprox|\bNo|\bDr|\bca|\bref|\bRefs?|\bEq|\bvol"
    r"|\bp|\bpp|\bSt|\bMr|\bMrs|\bMs|\bProf|\bJr|\bSr|\bInc|\bLtd|\bCo)\.$",
    re.I,
)


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


_TRAILING_SPACE = re.compile(r"\s*")


def _locate(sents: list[str], text: str) -> list[tuple[int, int]]:
    r"""Spans of pysbd's sentences in ``text``, exactly as its ``char_span=True`` finds them.

    pysbd compiles ``re.escape(sent) + r"\s*"`` per sentence and scans the text from the
    start (a fresh regex per sentence thrashes the ``re`` cache). Its matches are the
    non-overlapping left-to-right occurrences of ``sent``, each extended over trailing
    whitespace; the first one ending past the previous span wins. ``str.find`` walks the
    same occurrences without compiling anything."""
    spans: list[tuple[int, int]] = []
    prior_end = 0
    n = len(text)
    for sent in sents:
        if not sent:  # an empty pattern matches everywhere: keep pysbd's own semantics
            found = [m.span() for m in re.finditer(r"\s*", text) if m.end() > prior_end][:1]
            if found:
                spans.append(found[0])
                prior_end = found[0][1]
            continue
        pos = 0
        while pos <= n:
            s = text.find(sent, pos)
            if s < 0:
                break
            e = _TRAILING_SPACE.match(text, s + len(sent)).end()
            if e > prior_end:
                spans.append((s, e))
                prior_end = e
                break
            pos = e
    return spans


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most ~CHUNK chars at likely sentence ends."""
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > CHUNK:
        window = text[pos : pos + CHUNK]
        cut = None
        for m in _ROUGH_END.finditer(window):
            if m.start() > CHUNK // 4:
                cut = pos + m.start()
        if cut is None:  # no sentence end: cut at a space, or hard
            sp = window.rfind(" ", CHUNK // 4)
            cut = pos + sp if sp > 0 else pos + CHUNK
        out.append((pos, cut))
        pos = cut
    out.append((pos, end))
    return out


def _pysbd_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    piece = text[start:end]
    if not piece:
        return [(start, end)]
    try:
        # Segmenter.segment() minus its per-sentence regex search (see _locate).
        sents = _segmenter().processor(piece).process()
    except Exception:  # noqa: BLE001 - pysbd has rare regex failures on odd input: keep the piece whole
        return [(start, end)]
    spans = [(start + s, start + e) for s, e in _locate(sents, piece)]
    return spans or [(start, end)]


def _depth_open(s: str) -> bool:
    """An opening bracket near the end that is not closed: the split fell inside a citation."""
    tail = s[-100:]
    for open_, close in ("[]", "()"):
        i = tail.rfind(open_)
        if i >= 0 and close not in tail[i:]:
            return True
    return False


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text[start:end]`` (offsets into ``text``).

    Never splits inside a bracketed/parenthesised citation or after "et al." / "Fig." /
    "vs."; markers after a full stop ("disease.[3][4]") stay with the sentence before.
    """
    end = len(text) if end is None else end
    raw: list[tuple[int, int]] = []
    for cs, ce in _chunks(text, start, end):
        raw.extend(_pysbd_spans(text, cs, ce))
    spans: list[list[int]] = []
    for s, e in raw:
        s, e = _strip(text, s, e)
        if s >= e:
            continue
        if spans:
            prev = spans[-1]
            prev_text = text[prev[0] : prev[1]]
            lead = _LEADING_MARKERS.match(text[s:e])
            if _depth_open(prev_text) or _ABBREV_END.search(prev_text):
                prev[1] = e
                continue
            if lead and lead.end() > 0:
                prev[1] = s + lead.end()
                s, e = _strip(text, s + lead.end(), e)
                if s >= e:
                    continue
        spans.append([s, e])
    return [(s, e) for s, e in spans]
