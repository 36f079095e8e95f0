"""Issue 15: HTML is read in time linear in its size, and absurd nesting is refused
cheaply. Measured in tree nodes visited (deterministic), not seconds."""

from __future__ import annotations

import bs4.element
import pytest

from ingest.article import parse_article
from ingest.types import IngestError


def _nested(n: int) -> bytes:
    return ("<html><body><p>Hello world [1].</p>" + "<div><span><b>text " * n).encode()


@pytest.fixture
def visits(monkeypatch):
    """Counts every node bs4 hands out while walking a subtree (find, find_all, get_text,
    descendants all go through ``Tag.descendants``)."""
    seen = {"n": 0}
    original = bs4.element.Tag.descendants

    def counting(self):
        for node in original.fget(self):
            seen["n"] += 1
            yield node

    monkeypatch.setattr(bs4.element.Tag, "descendants", property(counting))
    return seen


def _cost(visits, data: bytes) -> int:
    visits["n"] = 0
    try:
        parse_article(data, "x.html")
    except IngestError:
        pass
    return visits["n"]


def test_nested_tags_cost_linear_not_quadratic(visits):
    """Twice the nesting, about twice the work (a per-node subtree search makes it 4x)."""
    small, large = _cost(visits, _nested(45)), _cost(visits, _nested(90))
    assert large < 2.6 * small, (small, large)


def test_twenty_thousand_nested_unclosed_tags_are_refused_after_one_pass(visits):
    data = _nested(20_000)  # 60,000 open elements, 280 KB
    with pytest.raises(IngestError, match="nests elements more than") as err:
        parse_article(data, "x.html")
    assert err.value.stage == "read"
    assert visits["n"] < 5 * 60_000  # a few linear passes at most, not 60,000² / 2


def test_nested_tables_read_each_cell_once():
    inner = "<table><tr><td>" + "Inner words of a layout cell. " * 8 + "</td></tr></table>"
    html = "<html><body><table><tr><td>" + inner + "</td></tr></table></body></html>"
    article = parse_article(html.encode(), "t.html")
    assert article.text.count("Inner words of a layout cell.") == 8
