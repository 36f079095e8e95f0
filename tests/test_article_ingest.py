"""parse_article end to end: the sample, the four real articles, written articles, bad input."""

from __future__ import annotations

import re

import pytest

from ingest.article import detect_format, parse_article, read_source
from ingest.types import IngestError
from tests.conftest import FIXTURES, SAMPLE_ARTICLE, SHARED_ARTICLES

WRITTEN = FIXTURES / "written"


def _parse(path, **kw):
    return parse_article(path.read_bytes(), str(path), **kw)


def _check_offsets(a):
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text
    for r in a.references:
        if r.end:
            assert a.text[r.start : r.end] == r.raw
    for sec in a.sections:
        assert a.text.startswith(sec.heading, sec.start) or sec.heading == "References"


@pytest.fixture(scope="module")
def sample():
    return _parse(SAMPLE_ARTICLE, markers=False)


def test_sample_title_byline_and_furniture(sample):
    assert sample.title == "Unveiling the Potential of Low-Dose Naltrexone"
    assert sample.byline == "Miguel Antonatos, MD"
    for furniture in ("Booking Provided by Healthie", "Share it", "Scroll to Top"):
        assert furniture not in sample.text
    assert not sample.text.startswith("Text2MD")  # masthead above the title
    _check_offsets(sample)


def test_sample_sections(sample):
    headings = [s.heading for s in sample.sections]
    # Checked by reading the article: these stand alone between blank lines.
    for h in (
        "The Science Behind LDN: Modulating the Immune System",
        "Multiple Sclerosis",
        "Autism Spectrum Disorder",
        "Frequently Asked Questions",
        "Conclusion:",
        "References:",
    ):
        assert h in headings
    assert [s.heading for s in sample.sections if s.is_references] == ["References:"]
    assert all(s.section is not None for s in sample.sentences)
    assert not any(s.section == len(sample.sections) - 1 for s in sample.sentences)


def test_sample_references(sample):
    assert [r.key for r in sample.references] == [str(n) for n in range(1, 25)]
    assert sample.references[0].raw.endswith("doi: 10.3390/ijms22168429")
    assert sample.references[19].raw.startswith("https://ldnresearchtrust.org/hashimoto")
    assert not any(re.match(r"\d+\.", r.raw) for r in sample.references)


def test_sample_sentences_keep_their_markers(sample):
    texts = [s.text for s in sample.sentences]
    assert any(t.endswith("natural killer cells.[1][2]") for t in texts)
    assert not any(re.match(r"\[\d", t) for t in texts)
    # paragraphs never straddle: a sentence's paragraph index never decreases
    paras = [s.paragraph for s in sample.sentences]
    assert paras == sorted(paras)


# (file, reference count, key check) as stated in tests/fixtures/articles/README.md
REAL = [
    ("01-abo-blood-type-covid19.html", 14, lambda keys: keys == [str(i) for i in range(1, 15)]),
    ("02-rigor-reproducibility-biomedical.html", 26, lambda k: k == [str(i) for i in range(1, 27)]),
    (
        "03-data-ethics-cancer-research.html",
        19,
        lambda k: all(re.fullmatch(r"[a-z]+\d{4}[a-z]?", x) for x in k),
    ),
]


@pytest.mark.parametrize("name, count, keys_ok", REAL, ids=[r[0][:2] for r in REAL])
def test_real_html_articles(name, count, keys_ok):
    a = _parse(SHARED_ARTICLES / name, markers=False)
    assert len(a.references) == count
    assert keys_ok([r.key for r in a.references])
    assert a.title and "|" not in a.title
    assert "function(" not in a.text and "{" not in a.text[:2000]
    _check_offsets(a)
    # every inline marker's anchor resolved to an entry of the list
    keys = {r.key for r in a.references}
    inline = a.inline_markers
    assert inline and all(set(m.keys) <= keys for m in inline)
    for m in inline:
        assert a.text[m.start : m.end] == m.raw


@pytest.mark.parametrize(
    "name", ["01-abo-blood-type-covid19.html", "02-rigor-reproducibility-biomedical.html"]
)
def test_manubot_entries_keep_their_lines_so_fields_parse(name):
    """Manubot prints title, authors and journal on <br>-separated lines; joined into one
    line, none of them can be told apart."""
    refs = _parse(SHARED_ARTICLES / name, markers=False).references
    with_doi = [r for r in refs if r.fields.doi]
    assert all("\n" in r.raw for r in with_doi)
    titled = [r for r in with_doi if r.fields.title and r.fields.journal]
    assert len(titled) >= 0.8 * len(with_doi)
    for r in titled:
        assert r.fields.title in r.raw.splitlines()[0]  # the first line is the title


def test_real_markdown_article():
    a = _parse(SHARED_ARTICLES / "04-postmodern-assault-on-ebm.md", markers=False)
    assert a.title == "The post-modern assault on evidence-based medicine"
    assert a.byline == "Steve Simon"
    in_text = [r for r in a.references if r.end]
    defs_only = [r for r in a.references if not r.end]
    assert len(in_text) == 23  # the bibliography
    # each of the 35 definitions is either carried by a bibliography entry or its own entry
    assert len(in_text) - 2 + len(defs_only) == 35 + 0  # Alderson and Sackett carry no label
    used = {k for m in a.inline_markers for k in m.keys}
    undefined = used - {r.key for r in a.references}
    for label in ("sa00", "tr02", "de06", "ly88"):
        assert label in undefined  # used but never defined: stays visible as a key
    _check_offsets(a)


def test_written_superscript_html():
    a = _parse(WRITTEN / "superscript.html", markers=False)
    assert (a.title, a.byline) == ("Vitamin D and Falls", "Jane Roe")
    for bad in ("SCRIPT", "STYLE TEXT", "comment", "Hidden", "Share", "Scroll", "Copyright"):
        assert bad not in a.text
    assert [r.key for r in a.references] == ["1", "2", "3", "4", "5", "6"]
    raws = [(m.raw, m.keys) for m in a.inline_markers]
    assert raws == [("¹", ["1"]), ("[²]", ["2"]), ("³⁻⁵", ["3", "4", "5"]), ("⁶", ["6"])]
    assert any("10^6 IU" in s.text for s in a.sentences)  # an exponent, not a marker
    assert any("broken paragraph" in s.text for s in a.sentences)


def test_written_markdown_footnotes_and_definitions():
    a = _parse(WRITTEN / "footnotes.md", markers=False)
    assert a.byline == "Ann Author, Bob Writer"
    assert [r.key for r in a.references] == ["1", "2", "3"]
    assert "10.1038/nrn2762" in a.references[2].raw
    assert [m.keys for m in a.inline_markers][:3] == [["1"], ["2"], ["3"]]
    assert "inline link" in a.text and "example.org" not in a.text


def test_written_author_year_text():
    a = _parse(WRITTEN / "authoryear.txt", markers=False)
    assert a.byline == "Carol Example"
    assert [r.key for r in a.references] == ["poole2017", "smith2010a", "smith2010b"]


def test_markers_and_claims_are_attached_when_available():
    a = _parse(SAMPLE_ARTICLE)
    if any("unavailable" in w for w in a.warnings):
        pytest.skip("marker/claim modules not present")
    assert a.marker_style == "bracket" and a.claims


@pytest.mark.parametrize(
    "data, stage",
    [(b"", "decode"), (b"%PDF-1.4 binary", "decode"), (b"\x00\x01\x02" * 50, "decode")],
)
def test_bad_input_raises_clean_error(data, stage):
    with pytest.raises(IngestError) as err:
        parse_article(data, "bad.txt")
    assert err.value.stage == stage and err.value.source == "bad.txt"


def test_html_with_no_body_text():
    with pytest.raises(IngestError, match="no article text"):
        parse_article(b"<html><script>x()</script><nav>menu</nav></html>", "x.html")


def test_no_reference_list_is_a_warning_not_an_error():
    a = parse_article(b"Title Line\n\nA claim without any list [1].\n", "a.txt", markers=False)
    assert a.references == [] and "no reference list found" in a.warnings
    assert a.sentences


def test_latin1_and_cp1252_articles():
    text = (
        "Caf\u00e9 Study\n\nThe \u201cna\u00efve\u201d cohort improved [1].\n\n"
        "References\n\n1. Smith J. 2010.\n"
    )
    a = parse_article(text.encode("cp1252"), "a.txt", markers=False)
    assert a.encoding == "cp1252" and "\u201cna\u00efve\u201d" in a.text
    assert len(a.references) == 1


def test_mojibake_article_is_repaired_and_recorded():
    text = "Title\n\nIt\u2019s caf\u00e9 time [1].\n\nReferences\n\n1. Smith J. 2010.\n"
    a = parse_article(text.encode().decode("cp1252").encode(), "a.txt", markers=False)
    assert a.repaired and "It\u2019s caf\u00e9" in a.text


@pytest.mark.slow
def test_one_megabyte_line():
    line = ("The trial enrolled patients and found benefit [1]. " * 20_000)[:1_000_000]
    a = parse_article(
        f"Title\n\n{line}\n\nReferences\n\n1. A 2001.\n".encode(), "big.txt", markers=False
    )
    assert len(a.references) == 1 and len(a.sentences) > 10_000
    assert all(s.end - s.start < 5000 for s in a.sentences)


def test_format_detection():
    assert detect_format(b"<!DOCTYPE html><html>", "x") == "html"
    assert detect_format(b"---\ntitle: x\n---\n# H\n", "x") == "markdown"
    assert detect_format(b"plain words", "x.md") == "markdown"
    assert detect_format(b"<p>x</p>", "x", content_type="text/html; charset=utf-8") == "html"
    assert detect_format(b"Just text.\n", "https://example.org/page") == "text"


def test_read_source_errors(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_source(str(tmp_path / "missing.txt"))
    with pytest.raises(IngestError, match="directory"):
        read_source(str(tmp_path))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 200)
    with pytest.raises(IngestError, match="size cap"):
        read_source(str(big), max_bytes=100)
