"""Datasette in-process, configured like ``kb serve``: pages, JSON API, canned queries, chart."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from kb.database import open_db
from kb.datasette_settings import SETTINGS
from kb.models import Claim, ClaimCondition, Reference, StudyLink
from kb.serve import METADATA, PLUGINS_DIR, TEMPLATES_DIR, datasette_argv
from tests.ds_client import SyncClient
from tests.factories import build_world


@pytest.fixture
def kb(db_path):
    engine = open_db(db_path)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
    client = SyncClient(db_path)
    yield client, world, engine
    client.close()


def _ids(rows: list[dict], key: str = "claim_id") -> set:
    return {r[key] for r in rows}


def test_settings_are_applied_and_on_the_command_line(db_path):
    open_db(db_path)
    client = SyncClient(db_path)
    for name, value in SETTINGS.items():
        assert client.ds.setting(name) == value, name
    argv = datasette_argv(db_path, port=8123)
    assert argv[argv.index("--metadata") + 1] == str(METADATA)
    assert argv[argv.index("--template-dir") + 1] == str(TEMPLATES_DIR)
    assert argv[argv.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    flags = {argv[i + 1] for i, a in enumerate(argv) if a == "--setting"}
    assert flags == set(SETTINGS)
    immutable = datasette_argv(db_path, immutable=True, inspect_file="x.json")
    assert immutable[immutable.index("-i") + 1] == str(db_path)
    assert "--inspect-file" in immutable
    client.close()


def test_home_page_shows_title_and_links(kb):
    client, _, _ = kb
    html = client.html("/")
    assert "evidence-kb" in html
    assert 'href="/-/evidence-map"' in html
    assert 'href="/kb"' in html


def test_database_page_lists_researcher_queries(kb):
    client, _, _ = kb
    html = client.html("/kb")
    for name in ("claims_of_article", "claims_about_condition", "evidence_map"):
        assert f'href="/kb/{name}"' in html


def test_table_pages_show_described_columns_and_facets(kb):
    client, world, _ = kb
    data = client.json("/kb/reference.json")
    facets = data["facet_results"]
    assert {"doi_status", "verification", "evidence_type", "source_type"} <= set(facets)
    verification = {f["value"]: f["count"] for f in facets["verification"]["results"]}
    refs = [v for k, v in world.rows.items() if isinstance(v, Reference)]
    for value in {r.verification for r in refs}:
        assert verification[value] == sum(r.verification == value for r in refs)
    html = client.html("/kb/claim")
    assert 'data-column-description="The sentence as written' in html
    assert "is_study_description" in client.json("/kb/claim.json")["facet_results"]


def test_foreign_keys_read_by_label(kb):
    client, world, _ = kb
    html = client.html(f"/kb/study_link?claim_id={world.c_strong.id}")
    # the reference_id cell shows the entry's text, not just a number
    assert world.ref1.raw in html


def test_full_text_search_on_claims_works_and_references(kb):
    client, world, _ = kb
    claims = [v for v in world.rows.values() if isinstance(v, Claim)]
    rows = client.json("/kb/claim.json?_search=fibromyalgia&_shape=array")
    assert _ids(rows, "id") == {c.id for c in claims if "fibromyalgia" in c.text.lower()}
    # porter stemming: "responds" finds "respond"
    rows = client.json("/kb/claim.json?_search=responds&_shape=array")
    assert _ids(rows, "id") == {c.id for c in claims if "respond" in c.text.lower()}
    works = client.json("/kb/work.json?_search=randomized&_shape=array")
    assert [w["doi"] for w in works] == [world.w_rct.doi]
    refs = client.json("/kb/reference.json?_search=Younger&_shape=array")
    assert _ids(refs, "id") == {world.ref2.id}
    html = client.html("/kb/claim?_search=fibromyalgia")
    assert 'name="_search"' in html and world.c_weak.text in html


def test_claim_page_shows_markers_conditions_cited_works_and_findings(kb):
    client, world, _ = kb
    html = client.html(f"/kb/claim/{world.c_weak.id}")
    quote = re.search(r'<blockquote id="kb-claim-text">(.*?)</blockquote>', html, re.S).group(1)
    assert re.findall(r'<mark class="kb-marker"[^>]*>(.*?)</mark>', quote) == ["[2]", "[3]"]
    assert re.sub(r"<[^>]+>", "", quote) == world.c_weak.text
    assert "claims_about_condition?condition=Fibromyalgia" in html
    assert 'href="/kb/work/10~2E1000~2Fcase~2E2"' in html  # the cited work, tilde-encoded
    assert world.w_case.title in html
    assert "case report" in html and "web page" in html
    assert "description_mismatch" in html and world.f_mismatch.message in html
    assert 'href="https://ldn.example.org/what"' in html
    dangling = client.html(f"/kb/claim/{world.c_dangling.id}")
    assert "dangling marker" in dangling and "dangling_marker" in dangling
    assert "from the section heading" in dangling
    assert client.get("/kb/claim/999999").status_code == 404


def test_cited_work_page(kb):
    client, world, _ = kb
    html = client.html("/kb/work/10~2E1000~2Frct~2E1")
    assert world.w_rct.title in html
    # the entries citing this work are one click away
    assert "/kb/reference?work_doi=10.1000/rct.1" in html


def test_claims_of_article_by_id_and_by_source(kb):
    client, world, engine = kb
    a1 = world.a1
    with Session(engine) as s:
        links = s.exec(select(StudyLink).where(StudyLink.article_id == a1.id)).all()
        expected = {(sl.claim_id, sl.key, sl.reference_id) for sl in links}
    for arg in (str(a1.id), a1.source):
        rows = client.json(f"/kb/claims_of_article.json?article={arg}&_shape=array")
        assert {(r["claim_id"], r["cited_key"], r["reference_id"]) for r in rows} == expected
    dangling = [r for r in rows if r["dangling"]]
    assert dangling and all(r["reference"] is None for r in dangling)
    assert client.json("/kb/claims_of_article.json?article=nope&_shape=array") == []


def test_references_of_article_in_order_with_fields(kb):
    client, world, _ = kb
    rows = client.json(f"/kb/references_of_article.json?article={world.a1.id}&_shape=array")
    refs = sorted(
        (
            v
            for v in world.rows.values()
            if isinstance(v, Reference) and v.article_id == world.a1.id
        ),
        key=lambda r: r.position,
    )
    assert [r["reference_id"] for r in rows] == [r.id for r in refs]
    first = rows[0]
    assert (first["doi"], first["year"], first["journal"]) == (
        world.ref1.doi,
        world.ref1.year,
        world.ref1.journal,
    )
    uncited = next(r for r in rows if r["reference_id"] == world.ref4.id)
    assert uncited["cited_by_claims"] == 0


@pytest.mark.parametrize("how", ["name", "lower", "synonym", "abbreviation", "mesh"])
def test_claims_about_condition_by_any_name(kb, how):
    client, world, engine = kb
    ms = world.ms
    arg = {
        "name": ms.name,
        "lower": ms.name.lower(),
        "synonym": json.loads(ms.synonyms)[0],
        "abbreviation": json.loads(ms.abbreviations)[0],
        "mesh": ms.mesh_id,
    }[how]
    with Session(engine) as s:
        tagged = {
            cc.claim_id
            for cc in s.exec(select(ClaimCondition).where(ClaimCondition.condition_id == ms.id))
        }
    rows = client.json(f"/kb/claims_about_condition.json?condition={arg}&_shape=array")
    assert _ids(rows) == tagged
    strong = [r for r in rows if r["claim_id"] == world.c_strong.id]
    assert strong[0]["evidence_type"] == world.ref1.evidence_type
    assert strong[0]["verification"] == "verified"
    dangling = [r for r in rows if r["claim_id"] == world.c_dangling.id]
    assert dangling[0]["claim_findings"] == "dangling_marker"


def test_evidence_map_counts_claims(kb):
    client, world, engine = kb
    rows = client.json("/kb/evidence_map.json?_shape=array")
    got = {(r["condition"], r["evidence_type"]): r["claims"] for r in rows}
    expected: dict[tuple[str, str], set[int]] = {}
    with Session(engine) as s:
        for cc in s.exec(select(ClaimCondition)).all():
            name = world.ms.name if cc.condition_id == world.ms.id else world.fm.name
            links = s.exec(select(StudyLink).where(StudyLink.claim_id == cc.claim_id)).all()
            for sl in links:
                ref = s.get(Reference, sl.reference_id) if sl.reference_id else None
                etype = ref.evidence_type if ref else "no entry"
                expected.setdefault((name, etype), set()).add(cc.claim_id)
    assert got == {k: len(v) for k, v in expected.items()}


def test_weak_only_and_description_mismatch_queries(kb):
    client, world, _ = kb
    rows = client.json("/kb/claims_weak_sources_only.json?_shape=array")
    assert _ids(rows) == {world.c_weak.id, world.c_dangling.id}
    why = next(r["why_weak"] for r in rows if r["claim_id"] == world.c_weak.id)
    assert "non-scholarly" in why and "weak evidence" in why
    rows = client.json("/kb/claims_description_mismatch.json?_shape=array")
    assert [(r["claim_id"], r["reference_id"]) for r in rows] == [(world.c_weak.id, world.ref2.id)]
    assert rows[0]["claim_year"] != rows[0]["source_year"]


def test_canned_query_ids_link_to_row_pages(kb):
    client, world, _ = kb
    html = client.html("/kb/claims_about_condition?condition=Fibromyalgia")
    assert f'<a href="/kb/claim/{world.c_weak.id}">{world.c_weak.id}</a>' in html
    assert '<a href="/kb/work/10~2E1000~2Fcase~2E2">10.1000/case.2</a>' in html


def test_evidence_map_chart_page(kb):
    client, world, _ = kb
    html = client.html("/-/evidence-map")
    svg = re.search(r"<svg id=\"evidence-map-chart\".*?</svg>", html, re.S).group(0)
    counts = [int(n) for n in re.findall(r'class="cell-count"[^>]*>(\d+)<', svg)]
    rows = client.json("/kb/evidence_map.json?_shape=array")
    assert sorted(counts) == sorted(r["claims"] for r in rows)
    assert "claims_about_condition?condition=Multiple%20sclerosis" in svg
    # strongest evidence is the leftmost column
    labels = re.findall(r'class="col-label"[^>]*>([^<]+)<', svg)
    assert labels[0] == "randomised controlled trial"
    assert "<script" not in svg


def test_evidence_map_page_without_tags(db_path):
    open_db(db_path)
    client = SyncClient(db_path)
    html = client.html("/-/evidence-map")
    assert "No claim is tagged with a condition yet" in html
    client.close()
