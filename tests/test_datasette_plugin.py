"""Pure helpers of the Datasette plugin: marker segments, safe links, heat-map geometry."""

from __future__ import annotations

import pytest

from kb.datasette_plugin import build_heatmap, rank, safe_url, segments, shade


def test_segments_rebuild_the_text_and_mark_each_marker():
    text = "LDN helps [1] and [2-4]."
    markers = [
        {"start": text.index("[2-4]"), "end": text.index("[2-4]") + 5, "keys": "2, 3, 4"},
        {"start": text.index("[1]"), "end": text.index("[1]") + 3, "keys": "1"},
    ]
    segs = segments(text, markers)
    assert "".join(s["text"] for s in segs) == text
    assert [s["text"] for s in segs if s["marker"]] == ["[1]", "[2-4]"]


@pytest.mark.parametrize(
    "markers",
    [
        [{"start": 4, "end": 9}, {"start": 6, "end": 12}],  # overlapping
        [{"start": 8, "end": 400}],  # beyond the end
        [{"start": 5, "end": 5}],  # empty
        [{"start": 10, "end": 2}],  # reversed
    ],
)
def test_segments_survive_bad_offsets(markers):
    text = "Some claim text [1]."
    segs = segments(text, markers)
    assert "".join(s["text"] for s in segs) == text
    assert all(s["text"] for s in segs)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://doi.org/10.1/x", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("", False),
        (None, False),
        ("http://[::1", False),
    ],
)
def test_safe_url_only_lets_http_links_through(url, ok):
    assert (safe_url(url) is not None) is ok


def test_heatmap_orders_evidence_strongest_first_and_shades_by_count():
    rows = [
        {
            "condition": "Pain",
            "category": "pain",
            "evidence_type": "web page or press release",
            "claims": 5,
        },
        {
            "condition": "Pain",
            "category": "pain",
            "evidence_type": "case report or series",
            "claims": 1,
        },
        {
            "condition": "MS",
            "category": "x",
            "evidence_type": "systematic review or meta-analysis",
            "claims": 2,
        },
        {"condition": "MS", "category": "x", "evidence_type": "not cited", "claims": 3},
    ]
    chart = build_heatmap(rows, condition_url="/kb/q?condition=")
    assert [c["name"] for c in chart["columns"]] == [
        "systematic review or meta-analysis",
        "case report or series",
        "web page or press release",
        "not cited",
    ]
    assert [r["name"] for r in chart["rows"]] == ["Pain", "MS"]  # order of the query kept
    assert sorted(c["count"] for c in chart["cells"]) == [1, 2, 3, 5]
    darkest = max(chart["cells"], key=lambda c: c["count"])
    lightest = min(chart["cells"], key=lambda c: c["count"])
    assert sum(int(darkest["fill"][i : i + 2], 16) for i in (1, 3, 5)) < sum(
        int(lightest["fill"][i : i + 2], 16) for i in (1, 3, 5)
    )
    assert chart["rows"][0]["href"] == "/kb/q?condition=Pain"
    assert rank("randomised controlled trial") < rank("narrative review") < rank("unknown")
    assert shade(0, 0)[0].startswith("#")
    assert build_heatmap([])["cells"] == []
