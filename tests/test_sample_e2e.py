"""The sample article end to end: build, then browse it as a researcher and an editor would.

Counts verified by reading data/articles/ldn-article.txt: 24 numbered entries; 25 markers
in 18 sentences ([1][2], [3][4], [5]…[7] in one sentence, [8], [9], [10], [11][12],
[13][14][15], then [16]…[25] one per sentence); [25] has no entry. Eight DOIs are in the
shipped snapshot; entry 11's DOI is not, so offline it is unverified, never "not found".
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kb.build import BuildOptions, build
from kb.cli import cli
from tests.conftest import SAMPLE_ARTICLE
from tests.ds_client import SyncClient


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "kb.db"
    result = build([str(SAMPLE_ARTICLE)], db, BuildOptions(offline=True))
    assert result.ok and result.ingested == 1
    assert result.crossref["requests"] == 0  # offline means no request at all
    return db


@pytest.fixture(scope="module")
def client(sample_db):
    c = SyncClient(sample_db)
    yield c
    c.close()


def rows(client, path):
    return client.json(path + ("&" if "?" in path else "?") + "_shape=array&_size=max")


def test_stats_counts_match_the_article(sample_db):
    out = CliRunner().invoke(cli, ["stats", "--db", str(sample_db), "--format", "json"])
    data = json.loads(out.output)
    assert data["articles"] == 1
    assert data["references"] == 24
    assert data["markers"] == 25
    assert data["study_links"] == 25
    assert data["dangling_markers"] == 1
    assert data["works"] >= 8
    assert data["findings"] > 0 and data["conditions_tagged"] > 0


def test_every_marker_in_the_text_is_a_marker(client):
    claims = rows(client, "/kb/claim.json?_sort=position")
    cited = [c for c in claims if c["n_markers"]]
    assert len(cited) == 18
    written = sorted(int(n) for c in cited for n in re.findall(r"\[(\d+)\]", c["text"]))
    assert written == list(range(1, 26))
    markers = rows(client, "/kb/marker.json")
    # JSON columns come as JSON in the API (issue 12), not as JSON inside a string
    assert sorted(int(m["keys"][0]) for m in markers) == list(range(1, 26))
    # a sentence that describes studies without citing one is a claim, flagged uncited
    uncited = [c["text"] for c in claims if c["uncited"]]
    assert any(t.startswith("Early studies suggest that LDN") for t in uncited)


def test_claims_of_article_shows_the_entries_each_claim_cites(client):
    found = rows(client, "/kb/claims_of_article.json?article=data/articles/ldn-article.txt")
    by_key = {r["cited_key"]: r for r in found if r["cited_key"] is not None}
    assert set(by_key) == {str(i) for i in range(1, 26)}
    # uncited study descriptions are listed too, with no entry
    assert any(r["cited_key"] is None and r["claim"].startswith("Early studies") for r in found)
    assert by_key["16"]["reference"].startswith("Ann Neurol.2010 Aug;68(2):145-50.")
    assert by_key["16"]["doi"] == "10.1002/ana.22006"
    assert by_key["25"]["dangling"] == 1 and by_key["25"]["reference_id"] is None


def test_references_of_article_lists_parsed_fields(client):
    refs = rows(client, "/kb/references_of_article.json?article=1")
    assert len(refs) == 24
    by_key = {r["key"]: r for r in refs}
    assert by_key["8"]["doi"] == "10.1002/ana.22006"
    assert by_key["8"]["year"] == 2010 and by_key["8"]["volume"] == "68"
    assert by_key["15"]["doi_status"] == "truncated"
    assert by_key["14"]["doi_status"] == "empty"
    assert by_key["13"]["pmcid"] == "PMC8967077"
    assert by_key["20"]["url"].startswith("https://ldnresearchtrust.org/")


def test_offline_works_come_from_the_snapshot_and_say_so(client):
    refs = {r["key"]: r for r in rows(client, "/kb/reference.json")}
    assert refs["8"]["verification"] == "verified"
    assert refs["8"]["verification_source"] == "snapshot"
    assert refs["11"]["verification"] == "unverified"  # not in the snapshot: not "not found"
    works = rows(client, "/kb/work.json")
    assert works and {w["provenance"] for w in works} == {"snapshot"}


def test_the_claim_page_shows_sentence_markers_and_cited_work(client):
    (claim,) = [
        c for c in rows(client, "/kb/claim.json?_search=Neuroimmunology") if "[16]" in c["text"]
    ]
    html = client.html(f"/kb/claim/{claim['id']}")
    assert "Journal of Neuroimmunology" in html
    assert "Pilot trial of low-dose naltrexone and quality of life in multiple sclerosis" in html
    assert "Multiple Sclerosis" in html or "multiple sclerosis" in html


def test_a_follow_up_sentence_shows_the_entries_of_the_claim_it_continues(client):
    claims = rows(client, "/kb/claim.json?_sort=position")
    by_text = {c["text"][:30]: c for c in claims}
    follow = by_text["The study included 52 patients"]
    cohort = [c for c in claims if c["text"].startswith("A cohort trial conducted in 2022")][0]
    assert follow["continues_claim_id"] == cohort["id"] and follow["n_markers"] == 0
    html = client.html(f"/kb/claim/{follow['id']}")
    assert f"claim {cohort['id']}</a>, which cites" in html
    assert "No entry [25] in the reference list" in html  # the cohort claim's marker dangles
