"""MediaWiki source (wikitext) as Markdown footnotes, so the Markdown reader reads it.

A wiki page's source has no written-out list: ``== References ==`` holds ``{{reflist}}``
or ``<references />``, and every entry is defined inline where it is cited,
``<ref name=X>{{cite journal | ... | doi = 10.… }}</ref>``, then reused as
``<ref name=X/>``. MediaWiki numbers entries by first use and merges same-name refs (the
first body wins). Here every ``<ref>`` tag becomes a footnote reference ``[^n]`` and each
entry one definition under the references heading, its citation template written out.
"""

from __future__ import annotations

import re

_REF = re.compile(r"<ref(?P<attrs>\s[^>]*?)?(?:/>|>(?P<body>.*?)</ref\s*>)", re.I | re.S)
_NAME = re.compile(r"""name\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s/>]+))""", re.I)
_LIST_TAG = re.compile(r"\{\{\s*reflist[^{}]*\}\}|<references\s*/>|<references>.*?</references>",
                       re.I | re.S)  # fmt: skip
_HEADING = re.compile(r"^(={2,6})\s*(.+?)\s*\1\s*$", re.M)
_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")
_EXTERNAL = re.compile(r"\[(https?://\S+)(?:\s+([^\]]*))?\]")
_TAG = re.compile(r"<[^<>]{1,300}>")
_TEMPLATE = re.compile(r"\{\{([^{}]*)\}\}")
# Citation-template parameters worth writing out, in the order a citation gives them.
_FIELDS = (
    "vauthors", "authors", "author", "last", "first", "last1", "first1", "autor", "apellido",
    "nombre", "title", "título", "titulo", "chapter", "journal", "work", "website", "publisher",
    "editorial", "year", "date", "fecha", "año", "volume", "volumen", "issue", "número",
    "pages", "páginas", "doi", "pmid", "pmc", "isbn", "url",
)  # fmt: skip


def looks_like_wikitext(text: str) -> bool:
    """Wiki source: ``<ref>`` tags and a ``{{reflist}}``/``<references />`` placeholder."""
    return len(re.findall(r"<ref[\s>]", text[:500_000], re.I)) >= 2 and bool(
        _LIST_TAG.search(text) or re.search(r"^==[^=].*==\s*$", text, re.M)
    )


def _name(attrs: str | None) -> str | None:
    m = _NAME.search(attrs or "")
    return next(g for g in m.groups() if g is not None).strip() if m else None


def _citation(template: str) -> str:
    """``cite journal | vauthors = Lepor H | title = X | doi = 10.1/y`` written out."""
    name, *params = [p.strip() for p in template.split("|")]
    values: dict[str, str] = {}
    loose: list[str] = []
    for p in params:
        key, eq, value = p.partition("=")
        if eq:
            values.setdefault(key.strip().lower(), value.strip())
        elif p:
            loose.append(p)
    if name.lower().startswith("isbn"):
        return "ISBN " + " ".join(loose)
    if not values:
        return " ".join(loose)
    parts = []
    for key in _FIELDS:
        value = values.get(key)
        if not value:
            continue
        if key == "doi":
            value = f"doi:{value}"
        elif key in ("pmid", "pmc"):
            value = f"{key.upper()}: {value}"
        elif key == "isbn":
            value = f"ISBN {value}"
        parts.append(value)
    return ". ".join(parts) + "."


def _plain(text: str) -> str:
    for _ in range(5):  # nested templates, innermost first
        text, n = _TEMPLATE.subn(lambda m: _citation(m.group(1)), text)
        if not n:
            break
    text = _LINK.sub(r"\1", text)
    text = _EXTERNAL.sub(lambda m: f"{m.group(2) or ''} {m.group(1)}".strip(), text)
    text = _TAG.sub(" ", text).replace("'''", "").replace("''", "")
    return " ".join(text.split())


def wikitext_to_markdown(src: str) -> str:
    """The page as Markdown: refs as footnotes ``[^n]`` numbered by first use, entries as
    footnote definitions where ``{{reflist}}`` or ``<references />`` stands."""
    numbers: dict[str, int] = {}
    bodies: dict[int, str] = {}

    def ref(m: re.Match[str]) -> str:
        name = _name(m.group("attrs"))
        key = name if name is not None else f"\0{m.start()}"
        n = numbers.setdefault(key, len(numbers) + 1)
        body = m.group("body")
        if body and body.strip() and n not in bodies:
            bodies[n] = _plain(body)
        return f"[^{n}]"

    text = _REF.sub(ref, src)
    defs = "\n".join(f"[^{n}]: {bodies.get(n, '')}" for n in sorted(numbers.values()))
    text, placed = _LIST_TAG.subn(lambda _m: "\n\n" + defs + "\n\n", text, count=1)
    if not placed:
        text += "\n\n" + defs + "\n"
    text = _HEADING.sub(lambda m: "#" * len(m.group(1)) + " " + m.group(2), text)
    text = _LINK.sub(r"\1", text)
    return text.replace("'''", "").replace("''", "")
