"""Readers, reference-list segmentation and sentence spans on small inputs written here."""

from __future__ import annotations

from ingest.readers.html import read_html
from ingest.readers.markdown import read_markdown
from ingest.readers.text import is_furniture, looks_like_heading, read_text
from ingest.reflist import build_references, find_reference_list
from ingest.sentences import split_sentences


def _texts(doc, kind):
    return [doc.block_text(b) for b in doc.blocks if b.kind == kind]


def test_text_headings_by_shape():
    assert looks_like_heading("Chronic Pain Management: Exploring Effects")
    assert looks_like_heading("Conclusion:")
    assert not looks_like_heading("This is a sentence that ends with a full stop.")
    assert not looks_like_heading("lower-case start is prose")
    assert not looks_like_heading("  1. A numbered item")


def test_furniture_phrases_short_blocks_only():
    assert is_furniture("Share it :") and is_furniture("Scroll to Top")
    assert is_furniture("Menu")
    assert not is_furniture("Menu planning helps people with diabetes")
    long = "Share this finding: " + "the trial enrolled many patients " * 5
    assert not is_furniture(long)


def test_text_reader_structure_and_trailing_furniture():
    src = (
        "Site Name\n\nA Title Here\n\nBy Ann Writer\n\nIntro\n\nBody text cites [1].\n"
        "Wrapped line continues.\n\nReferences\n\n1. Smith J. Title. 2010.\n"
        "   continued entry line\n2. Lee K. Other. 2011.\n\nShare it :\n\nScroll to Top\n"
    )
    doc = read_text(src)
    assert doc.title == "A Title Here" and doc.byline == "Ann Writer"
    assert "Site Name" not in doc.text and "Scroll to Top" not in doc.text
    assert _texts(doc, "heading") == ["Intro", "References"]
    assert "Body text cites [1]. Wrapped line continues." in _texts(doc, "paragraph")
    refs = find_reference_list(doc)
    assert [e.number for e in refs.entries] == [1, 2]
    assert refs.entries[0].raw == "Smith J. Title. 2010. continued entry line"
    assert doc.text[refs.entries[1].start : refs.entries[1].end] == refs.entries[1].raw


def test_trailing_numbered_list_without_heading():
    doc = read_text("Claim one [1]. Claim two [2].\n\n[1] Smith J. A. 2010.\n[2] Lee K. B. 2012.\n")
    refs = find_reference_list(doc)
    assert refs.heading is None and [e.number for e in refs.entries] == [1, 2]


def test_list_with_no_numbers_is_numbered_by_position_with_warning():
    doc = read_text("Body.\n\nReferences\n\n- https://example.org/a\n- https://example.org/b\n")
    refs, warnings = build_references(find_reference_list(doc).entries)
    assert [r.key for r in refs] == ["1", "2"]
    assert any("no numbers" in w for w in warnings)


def test_missing_numbers_keep_list_order():
    doc = read_text("B.\n\nReferences\n\n1. A 2001.\n- B 2002.\n3. C 2003.\n")
    refs, warnings = build_references(find_reference_list(doc).entries)
    assert [r.key for r in refs] == ["1", "2", "3"]
    assert [r.raw[0] for r in refs] == ["A", "B", "C"]
    assert any("no number" in w for w in warnings)


def test_author_year_keys_with_suffixes():
    doc = read_text(
        "Body.\n\nBibliography\n\nSmith, John. 2010. One. J 1.\n\nSmith, John. 2010. Two. J 2.\n\n"
        "Lee, Ann. 2011b. Three. J 3.\n"
    )
    refs, _ = build_references(find_reference_list(doc).entries)
    assert [r.key for r in refs] == ["smith2010a", "smith2010b", "lee2011b"]


def test_five_thousand_entries():
    entries = "\n".join(f"{i}. Author{i} A. Title {i}. J. 2001;{i}:1-2." for i in range(1, 5001))
    doc = read_text("Body [4999].\n\nReferences\n\n" + entries + "\n")
    refs, warnings = build_references(find_reference_list(doc).entries)
    assert len(refs) == 5000 and refs[-1].key == "5000" and not warnings


def test_html_furniture_scripts_and_hidden_are_dropped():
    html = (
        "<html><head><title>T | Site</title><style>p{}</style></head><body>"
        "<nav>Home</nav><script>alert('x')</script><!-- secret -->"
        "<div class='social-share'>Share</div><p hidden>gone</p><div aria-hidden='true'>gone2</div>"
        "<main><h1>T</h1><p>Real <span style='display: none'>hidden</span>text.</p></main>"
        "<footer>Copyright</footer></body></html>"
    )
    doc = read_html(html)
    assert doc.title == "T"
    assert doc.text == "Real text."


def test_html_citation_spans_and_anchors():
    html = (
        "<body><p>A claim <span class='citation' data-cites='a b'>[<a href='#ref-a'>1</a>,"
        "<a href='#ref-b'>2</a>]</span>. Narrative <span class='citation'>Lee (<a href='#ref-lee'>"
        "2010</a>)</span> said so.</p><div id='refs'><div id='ref-a'><p>1. A 2001.</p></div>"
        "<div id='ref-b'><p>2. B 2002.</p></div></div></body>"
    )
    doc = read_html(html)
    m1, m2 = doc.markers
    assert doc.text[m1.start : m1.end] == m1.raw == "[1,2]" and m1.keys == ["#ref-a", "#ref-b"]
    assert m2.raw == "Lee (2010)" and m2.style == "author_year"
    refs = find_reference_list(doc)
    assert [(e.anchor, e.number, e.raw) for e in refs.entries] == [
        ("ref-a", 1, "A 2001."),
        ("ref-b", 2, "B 2002."),
    ]


def test_markdown_link_definitions_and_undefined_labels():
    src = 'Text [Source: A 2000][a1] and [Source: B][zz].\n\n[a1]: https://doi.org/10.1/x "A."\n'
    doc = read_markdown(src)
    assert [m.keys for m in doc.markers] == [["a1"], ["zz"]]
    assert [(d.label, d.url, d.title) for d in doc.link_defs] == [
        ("a1", "https://doi.org/10.1/x", "A.")
    ]
    for m in doc.markers:
        assert doc.text[m.start : m.end] == m.raw


def test_sentences_keep_markers_and_abbreviations():
    text = (
        "LDN helps disease.[3][4] Smith et al. (2010) found this [4-6]. "
        "It differs vs. placebo (Smith et al. 2010). See Fig. 2 for details."
    )
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == [
        "LDN helps disease.[3][4]",
        "Smith et al. (2010) found this [4-6].",
        "It differs vs. placebo (Smith et al. 2010).",
        "See Fig. 2 for details.",
    ]


def test_sentence_spans_are_offsets_into_the_text():
    text = "Intro. " * 3 + "x" * 9000 + ". End."
    spans = split_sentences(text, 7)
    assert spans[0][0] >= 7 and spans[-1][1] == len(text)
    assert all(a < b for a, b in spans)
