"""The benchmark corpus generator, and a smoke run of every benchmark at a tiny size.

No timing assertions: the smoke test checks that each benchmark runs end to end and
writes the documented JSON shape, never how fast anything was.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter

import pytest

from bench.corpus import DEFECTS, iter_corpus, world_size_for
from bench.world import PREFIX, make_world

SEED = 11


@pytest.fixture(scope="module")
def corpus():
    return list(iter_corpus(SEED, 80))


def test_same_seed_and_size_give_the_same_corpus():
    a = [x.text for x in iter_corpus(3, 6)]
    b = [x.text for x in iter_corpus(3, 6)]
    assert a == b
    assert [x.text for x in iter_corpus(4, 6)] != a
    assert make_world(3, 50) == make_world(3, 50)


def test_world_dois_are_unique_and_under_the_test_prefix():
    world = make_world(5, 500)
    dois = [w["DOI"] for w in world]
    assert len({d.lower() for d in dois}) == len(dois)
    assert all(d.startswith(PREFIX + "/") for d in dois)
    for w in world[:50]:
        assert w["title"] and w["author"] and w["container-title"] and w["issued"]
        assert ("page" in w) != ("article-number" in w)


def test_articles_have_the_realistic_shape(corpus):
    for art in corpus:
        assert 20 <= len(art.references) <= 80
        assert 30 <= art.n_claims <= 150
        assert art.fmt in ("markdown", "text")
    assert {a.fmt for a in corpus} == {"markdown", "text"}
    assert {a.marker_style for a in corpus} == {"bracket", "superscript"}
    styles = Counter(r.style for a in corpus for r in a.references)
    assert set(styles) == {"vancouver", "apa", "pubmed", "url"}


def test_about_a_fifth_of_references_are_defective_in_every_way(corpus):
    refs = [r for a in corpus for r in a.references]
    kinds = Counter(r.defect for r in refs)
    share = 1 - kinds[None] / len(refs)
    assert abs(share - sum(DEFECTS.values())) < 0.04
    assert set(kinds) - {None} == set(DEFECTS)


def test_defects_show_in_the_raw_text(corpus):
    for art in corpus:
        for r in art.references:
            if r.defect in (None, "duplicate", "unknown_doi") and r.fields.doi:
                assert r.fields.doi_raw in r.raw
            if r.defect == "missing_doi":
                assert "doi" not in r.raw.lower()
            if r.defect == "truncated_doi":
                assert r.fields.doi is None and r.work_doi.startswith(r.fields.doi_raw)
                assert r.work_doi not in r.raw
            if r.defect == "url_only":
                assert r.fields.url in r.raw and "doi" not in r.raw.lower()
            if r.defect == "duplicate":
                earlier = [x.raw for x in art.references if x.number < r.number]
                assert r.raw in earlier


def test_dois_are_shared_across_articles(corpus):
    cited, unknown = Counter(), set()
    for art in corpus:
        cited.update({r.fields.doi for r in art.references if r.fields.doi})
        unknown |= {r.fields.doi for r in art.references if r.defect == "unknown_doi"}
    world = {w["DOI"].lower() for w in make_world(SEED, world_size_for(80))}
    # Every DOI written comes from the world, except the deliberately unknown ones.
    assert set(cited) - world == unknown
    assert sum(1 for d in cited if cited[d] >= 3) >= 10


def test_ground_truth_offsets_and_citations_are_consistent(corpus):
    for art in corpus[:20]:
        p = art.parsed
        numbers = {r.key for r in p.references}
        cited = set()
        for s in p.sentences:
            assert art.text[s.start : s.end] == s.text
            for m in s.markers:
                assert s.text[m.start : m.end] == m.raw
                cited |= set(m.keys)
        for r in p.references:
            assert art.text[r.start : r.end] == r.raw
        assert cited == numbers  # every entry cited, no marker points past the list


def test_markers_take_every_numeric_form(corpus):
    raws = [m.raw for a in corpus for s in a.parsed.claims for m in s.markers]
    assert any(re.fullmatch(r"\[\d+\]", r) for r in raws)
    assert any(re.fullmatch(r"(\[\d+\]){2,}", r) for r in raws)
    assert any(re.fullmatch(r"\[\d+[-–]\d+\]", r) for r in raws)
    assert any(re.fullmatch(r"\[\d+(, \d+)+\]", r) for r in raws)
    assert any(re.fullmatch(r"[⁰¹²³⁴⁵⁶⁷⁸⁹,⁻]+", r) for r in raws)


def test_generated_articles_parse_like_their_ground_truth(corpus):
    from ingest.article import parse_article

    for art in corpus[:8]:
        parsed = parse_article(art.text.encode("utf-8"), art.name)
        assert len(parsed.references) == len(art.references)
        assert len(parsed.claims) >= 0.9 * art.n_claims
        truth = {r.fields.doi for r in art.references if r.fields.doi_status == "present"}
        found = {r.fields.doi for r in parsed.references if r.fields.doi}
        assert truth <= found


# --- smoke: every benchmark end to end at a tiny size ---------------------------------


def _derived_layers_available() -> bool:
    return all(importlib.util.find_spec(m) for m in ("kb.evidence", "kb.tagging", "kb.audit"))


@pytest.mark.parametrize("name", ["crossref", "ingest", "queries", "import"])
def test_benchmark_smoke_writes_its_json(name, tmp_path):
    from bench.run import Sizes, run_all, table

    if name == "ingest" and not _derived_layers_available():
        pytest.skip("the build's derived layers (kb.evidence, kb.tagging) have not landed")
    doc = run_all([name], sizes=Sizes.tiny(), workdir=tmp_path, echo=lambda _m: None)
    json.loads(json.dumps(doc, default=str))  # serialisable as written to disk
    assert {"machine", "versions", "sizes", "benchmarks"} <= set(doc)
    res = doc["benchmarks"][name]
    assert {"sizes", "ratio", "target"} <= set(res)
    assert "met" in res["target"]
    if name == "crossref":
        assert res["ours"]["second_run"]["requests"] == 0
        assert res["checks"]["second_run_zero_requests"] is True
        assert res["sizes"]["unique_dois"] >= Sizes.tiny().crossref_dois
        assert res["baseline"]["requests"] >= res["sizes"]["unique_dois"]
    elif name == "import":
        assert res["target"]["met"], res["ours"]
        assert res["ours"]["works_in_db"] == Sizes.tiny().import_works
        assert res["ours"]["records_per_s"] > 0 and res["full_file"]["implied_hours"] > 0
    elif name == "ingest":
        assert res["ours"]["failed"] == 0
        assert res["sizes"]["rows"] > 0 and res["profile"]["project_cumulative"]
    else:
        labels = [t["target"] for t in res["targets"]]
        assert any(x.startswith("query ") for x in labels)
        assert any(x.startswith("table ") for x in labels)
        for t in res["targets"]:
            assert not t["ours"]["errors"], t
    assert table(doc)
