"""Attach markers to an article's sentences, from the families that explain its list."""

from __future__ import annotations

import re

from ingest.author_year import AuthorIndex
from ingest.marker_families import CERTAIN_FAMILIES, choose_families, score_families
from ingest.marker_find import find_markers
from ingest.types import InlineMarker, ParsedArticle, ParsedMarker, ParsedReference, ParsedSentence

# What may sit between markers of one run: spaces, commas, semicolons, closing punctuation.
_GLUE = re.compile(r"[\s,;.:)\]]*")


def body_sentences(article: ParsedArticle) -> list[ParsedSentence]:
    """Sentences outside the reference list section(s)."""
    ref_sections = {i for i, s in enumerate(article.sections) if s.is_references}
    starts = [s.start for s in article.sections if s.is_references]
    first_ref = min(starts) if starts else None
    return [
        s
        for s in article.sentences
        if s.section not in ref_sections and (first_ref is None or s.start < first_ref)
    ]


def attach_markers(article: ParsedArticle, inline: list[InlineMarker]) -> None:
    """Fill each body sentence's ``markers``; set ``marker_style`` and ``marker_scores``.

    Markup markers (converted to sentence offsets) win over an overlapping text
    match; a fragment made only of markers ("[3][4]" split off after "disease.")
    is merged back into the sentence before it.
    """
    body = body_sentences(article)
    texts = [_masked(s, inline) for s in body]
    md_links = article.format != "html"  # "[x][y]" in a web page is text, not a link
    fams = score_families(texts, article.references, inline, markdown_links=md_links)
    choice = choose_families(fams, bool(article.references))

    families = set(choice.families)
    if families & {"bracket", "superscript", "paren", "bare"}:
        inline = _number_unnumbered(article, inline)
    article.marker_style = choice.style
    article.marker_scores = {"chosen": choice.families, "families": choice.scores}
    keys = [r.key for r in article.references]
    authors = AuthorIndex(article.references) if article.references else None
    placed: set[int] = set()
    kept = inline
    if article.references and families:  # markup the chosen families do not explain is not
        kept = [m for m in inline if m.linked or m.style in families or m.style in CERTAIN_FAMILIES]
    # A page that links its citations to their entries: an unlinked look-alike of the same
    # style is something else (an affiliation, a table footnote).
    linked_styles = {m.style for m in kept if m.linked}
    kept = [m for m in kept if m.linked or m.anchored or m.style not in linked_styles]
    kept_ids = {id(m) for m in kept}
    dropped = [m for m in inline if id(m) not in kept_ids]

    # When markup already marks author–year citations, an unlisted "Name (1957)" is prose.
    markup_ay = any(m.style == "author_year" for m in inline)
    listed = set(keys)
    for sent in body:
        markers = _inline_for(sent, kept, placed, article.warnings)
        for m in find_markers(
            sent.text, style=families, keys=keys, authors=authors, warnings=article.warnings
        ):
            if m.style not in families and m.style not in CERTAIN_FAMILIES:
                continue
            if m.style == "mdlink" and not md_links:
                continue
            if any(m.start < e and s < m.end for s, e in _spans(sent, dropped)):
                continue  # markup read as something else (an affiliation, a footnote)
            if markup_ay and m.style == "author_year" and not listed.intersection(m.keys):
                continue
            if not any(m.start < o.end and o.start < m.end for o in markers):
                markers.append(m)
        sent.markers = sorted(markers, key=lambda m: m.start)

    lost = sum(1 for i, m in enumerate(kept) if i not in placed and not _in_references(article, m))
    if lost:
        article.warnings.append(f"{lost} markup citation marker(s) outside any body sentence")
    _merge_marker_fragments(article, body)


def _spans(sent: ParsedSentence, markers: list[InlineMarker]) -> list[tuple[int, int]]:
    """Sentence-relative spans of the markup markers that start in ``sent``."""
    return [
        (m.start - sent.start, m.end - sent.start)
        for m in markers
        if sent.start <= m.start < sent.end
    ]


def _number_unnumbered(article: ParsedArticle, inline: list[InlineMarker]) -> list[InlineMarker]:
    """Numbers cite an unnumbered list keyed by author and year: key it by place instead."""
    refs: list[ParsedReference] = article.references
    if not refs or any(r.key.isdigit() for r in refs) or any(r.number is not None for r in refs):
        return inline
    if any(r.end == 0 for r in refs):  # Markdown link definitions keep their labels
        return inline
    renamed = {r.key: str(r.ordinal or r.position + 1) for r in refs}
    for r in refs:
        r.number = r.ordinal or r.position + 1
        r.key = str(r.number)
    article.warnings.append("unnumbered reference list cited by numbers: entries numbered in order")
    return [
        InlineMarker(
            m.raw,
            m.start,
            m.end,
            m.style,
            [renamed.get(k, k) for k in m.keys],
            m.linked,
            m.anchored,
        )
        for m in inline
    ]


def _in_references(article: ParsedArticle, m: InlineMarker) -> bool:
    return any(s.is_references and s.start <= m.start < s.end for s in article.sections) or any(
        s.is_references and m.start >= s.start for s in article.sections
    )


def _masked(sent: ParsedSentence, inline: list[InlineMarker]) -> str:
    spans = [
        (m.start - sent.start, m.end - sent.start)
        for m in inline
        if sent.start <= m.start < sent.end
    ]
    chars = list(sent.text)
    for s, e in spans:
        e = min(e, len(chars))
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def _inline_for(
    sent: ParsedSentence, inline: list[InlineMarker], placed: set[int], warnings: list[str]
) -> list[ParsedMarker]:
    """Markup markers whose start lies in this sentence, in sentence offsets."""
    out = []
    for i, m in enumerate(inline):
        if i in placed or not (sent.start <= m.start < sent.end):
            continue
        start = m.start - sent.start
        end = start + len(m.raw)
        if sent.text[start:end] != m.raw:
            # The sentence text is not a plain slice of the article text: find the raw nearby.
            near = sent.text.find(m.raw, max(0, start - 40))
            if near < 0:
                warnings.append(f"markup marker {m.raw!r} not found in its sentence")
                continue
            start, end = near, near + len(m.raw)
        placed.add(i)
        out.append(ParsedMarker(m.raw, start, end, m.style, list(m.keys)))
    return out


def _marker_run_end(sent: ParsedSentence) -> int:
    """End of the run of markers at the very start of the sentence (0 when none)."""
    pos = len(sent.text) - len(sent.text.lstrip())
    end = 0
    for m in sent.markers:  # sorted by start
        gap = sent.text[pos : m.start]
        if m.start < pos or not _GLUE.fullmatch(gap):
            break
        pos = end = m.end
    return end


def _merge_marker_fragments(article: ParsedArticle, body: list[ParsedSentence]) -> None:
    """Give markers that the splitter put at the start of the next sentence back to theirs.

    "... disease." + "[3][4]" becomes one sentence; "... disease." + "[3] Next one."
    moves "[3]" back and leaves "Next one." on its own.
    """
    removed: list[ParsedSentence] = []
    for prev, sent in zip(body, body[1:], strict=False):
        if prev in removed or (prev.paragraph, prev.section) != (sent.paragraph, sent.section):
            continue
        run_end = _marker_run_end(sent)
        if not run_end or not (_is_slice(article, prev) and _is_slice(article, sent)):
            continue
        rest = sent.text[run_end:]
        whole = not rest.strip(" \t\n,;.:)]")
        stop = re.match(r"\s?[.!?]+(?=\s)", rest)  # "datasets" + "2. Many of those..."
        if not whole and not stop and not prev.text.rstrip().endswith((".", "!", "?")):
            continue
        cut = len(sent.text) if whole else run_end + (stop.end() if stop else 0)
        shift = sent.start - prev.start
        prev.markers += [
            ParsedMarker(m.raw, m.start + shift, m.end + shift, m.style, m.keys)
            for m in sent.markers
            if m.end <= cut
        ]
        prev.end = sent.start + len(sent.text[:cut].rstrip())
        prev.text = article.text[prev.start : prev.end]
        if whole:
            removed.append(sent)
            continue
        offset = cut + len(sent.text[cut:]) - len(sent.text[cut:].lstrip())
        sent.start += offset
        sent.text = sent.text[offset:]
        sent.markers = [
            ParsedMarker(m.raw, m.start - offset, m.end - offset, m.style, m.keys)
            for m in sent.markers
            if m.start >= offset
        ]
    if removed:
        gone = {id(s) for s in removed}
        article.sentences = [s for s in article.sentences if id(s) not in gone]
        for s in article.sentences:  # keep positions contiguous
            s.position -= sum(r.position < s.position for r in removed)


def _is_slice(article: ParsedArticle, sent: ParsedSentence) -> bool:
    return article.text[sent.start : sent.end] == sent.text
