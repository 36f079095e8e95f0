"""Citation markers: find them in a sentence, choose an article's families, attach them.

Marker styles (``ParsedMarker.style``): bracket | superscript | paren | footnote |
author_year | mdlink | bare. An article's style (``ParsedArticle.marker_style``) is
one of those, ``mixed`` when two families count, or ``none``; why is kept in
``ParsedArticle.marker_scores`` (``ingest.marker_families``).

Keys are exactly the reference list's keys: numbers as "16", Markdown labels as
written, author–year keys from ``author_year_key`` (re-exported here; it is the
single definition) or the key of the entry an author–year citation resolves to.

This module only gathers the public names: finding is ``ingest.marker_find``, choosing
``ingest.marker_families``, attaching ``ingest.marker_attach`` (none imports this one).
"""

from __future__ import annotations

from ingest.author_year import AuthorIndex, author_year_key
from ingest.marker_attach import attach_markers, body_sentences
from ingest.marker_families import choose_families, detect_marker_style, score_families
from ingest.marker_find import NUMERIC_STYLES, find_markers

__all__ = [
    "NUMERIC_STYLES",
    "AuthorIndex",
    "attach_markers",
    "author_year_key",
    "body_sentences",
    "choose_families",
    "detect_marker_style",
    "find_markers",
    "score_families",
]
