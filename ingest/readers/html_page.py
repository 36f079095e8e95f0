"""What of an HTML page is content: furniture, hidden and non-content tags dropped, the
content root found, the page's meta tags read. Linear in the size of the page."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

# Never content, whatever their classes say.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "input", "select", "textarea", "nav", "header", "footer", "aside",
    "link", "meta", "math", "video", "audio", "map", "dialog", "head",
}  # fmt: skip
# Class/id words that mark page furniture: sharing, booking, menus, sidebars, cookie banners.
_FURNITURE = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|navigation|menu|sidebar|toc|breadcrumbs?|share|sharing|social"
    r"|sharedaddy|booking|newsletter|subscribe|cookies?|banner|advert|ads|popup|modal|related"
    r"|scroll-?to-?top|back-?to-?top|skip-?link|comments?|book-summary|book-header|widget)"
    # "toc-section", "nav-content" hold the article itself (journal pages section by TOC)
    r"(?:$|\s|[-_](?!section|content|body|main|article))",
    re.I,
)
REFS_CONTAINER = re.compile(
    r"^(?:refs|references?|reference-list|ref-list|references-list|bibliography|csl-bib-body"
    r"|footnotes|endnotes|reflist)$",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def classes_of(tag: Tag) -> str:
    cls = tag.get("class") or []
    return " ".join(cls if isinstance(cls, list) else [cls]) + " " + str(tag.get("id") or "")


def _is_hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))
    )


# Linear time, whatever the nesting: every pass below visits each node a bounded number of
# times. No per-node subtree searches (``find``, ``find_all``, ``get_text`` on every tag),
# and no ``tag.decomposed``: on a live Tag bs4 4.15 resolves that attribute through
# ``Tag.__getattr__``, i.e. ``tag.find("_decomposed")``, a search of the whole subtree.


def is_gone(el: Tag | NavigableString) -> bool:
    """Decomposed (``decompose`` stores the flag in the element's own ``__dict__``)."""
    return bool(el.__dict__.get("_decomposed", False))


def drop_furniture(soup: BeautifulSoup) -> None:
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for tag in soup.find_all(list(_DROP_TAGS)):
        if not is_gone(tag):
            tag.decompose()
    for tag in soup.find_all(True):
        if is_gone(tag) or tag.name == "body":
            continue
        if _is_hidden(tag) or (_FURNITURE.search(classes_of(tag)) and not _is_content(tag)):
            # A references container can be called "references-nav"... keep real lists.
            if not REFS_CONTAINER.match(str(tag.get("id") or "")):
                tag.decompose()


def _is_content(tag: Tag) -> bool:
    """A document section (Pandoc/bookdown ``<div class="section level4"
    id="use-code-comments-effectively">``) or a reference entry (``id="ref-cyware_social_x"``,
    ``class="csl-entry"``): its id is a slug of what it holds, not furniture."""
    classes = tag.get("class") or []
    return (
        tag.name == "section"
        or "section" in classes
        or "csl-entry" in classes
        or str(tag.get("id") or "").startswith(("ref-", "cite_note", "bib"))
    )


def meta_values(soup: BeautifulSoup, *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        for m in soup.find_all("meta", attrs={"name": name}) + soup.find_all(
            "meta", attrs={"property": name}
        ):
            content = (m.get("content") or "").strip()
            if content and content not in out:
                out.append(content)
    return out


def _text_lengths(root: Tag) -> dict[int, int]:
    """``len(tag.get_text(" ", strip=True))`` for every tag under ``root``, in one pass.

    Each tag gets (characters, non-empty strings); children are summed into parents in
    reverse document order, so nested candidates cost nothing extra."""
    chars: dict[int, int] = {}
    count: dict[int, int] = {}
    nodes = [root, *root.descendants]
    for node in reversed(nodes):
        if isinstance(node, Tag):
            c = n = 0
            for child in node.contents:
                c += chars.get(id(child), 0)
                n += count.get(id(child), 0)
            chars[id(node)], count[id(node)] = c, n
        elif type(node) is NavigableString:  # get_text's default: no comments, no CDATA
            stripped = len(node.strip())
            if stripped:
                chars[id(node)], count[id(node)] = stripped, 1
    return {k: chars[k] + max(0, count[k] - 1) for k in chars if k in count}


def content_root(soup: BeautifulSoup) -> Tag:
    body = soup.body or soup
    lengths = _text_lengths(soup)
    total = lengths.get(id(body), 0) or 1
    for cand in soup.find_all(["main", "article"]) + soup.select("[role=main], .page-inner"):
        if lengths.get(id(cand), 0) >= total * 0.5:
            return cand
    return body
