"""The pages people read, on the sample article built for real (offline, through the shipped
snapshot): the review page's data, the article page, search that knows the article's words,
condition parameters as people type them, forms that open with choices, labels and JSON."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb.cli.audit  # noqa: F401  (registers `kb audit`)
from ingest.abbreviations import defined_abbreviations, long_form
from kb.audit.codes import CODES
from kb.build import BuildOptions, build
from kb.cli import cli
from kb.datasette_pages import close_matches, fold, rewrite_query
from kb.pages.article import article_data
from kb.pages.labels import CODE_LABELS
from kb.pages.review import review_data
from tests.conftest import SAMPLE_ARTICLE
from tests.ds_client import SyncClient


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("pages") / "kb.db"
    result = build([str(SAMPLE_ARTICLE)], db, BuildOptions(offline=True))
    assert result.ok, result.failures
    return db


@pytest.fixture(scope="module")
def client(sample):
    c = SyncClient(sample)
    yield c
    c.close()


def _conn(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db)


# --- pure parts ----------------------------------------------------------------------------


def test_every_reason_code_has_plain_words():
    assert set(CODES) <= set(CODE_LABELS)


def test_abbreviations_the_article_defines():
    text = (
        "Low-dose naltrexone (LDN) helps. Multiple sclerosis (MS) is common. "
        "In (Smith 2010) and (2019) nothing is defined; randomized controlled trials (RCTs) were."
    )
    assert defined_abbreviations(text) == {
        "LDN": "Low-dose naltrexone",
        "MS": "Multiple sclerosis",
        "RCTs": "randomized controlled trials",
    }
    assert long_form("XYZ", "nothing that spells it") is None


def test_fold_and_close_matches():
    assert fold("Hashimoto\u2019s  Thyroiditis") == fold("hashimotos thyroiditis")
    conditions = [
        {"name": "Multiple sclerosis", "synonyms": '["disseminated sclerosis"]',
         "abbreviations": '["MS"]'},
        {"name": "Fibromyalgia", "synonyms": "[]", "abbreviations": "[]"},
    ]  # fmt: skip
    assert close_matches("sclerosys", conditions)[0] == "Multiple sclerosis"
    assert close_matches("zzzz", conditions) == []


def test_json_columns_are_parsed_in_the_api_and_machine_columns_hidden_in_pages():
    q = rewrite_query("/kb/finding.json", "_shape=array")
    assert "_json=evidence" in q and "_json=agreed" in q
    assert "_nocol=text" in rewrite_query("/kb/article", "")
    assert rewrite_query("/kb/article", "_col=title") == "_col=title"  # the person's choice
    assert rewrite_query("/-/evidence-map", "") == ""


# --- review page data ----------------------------------------------------------------------


def test_review_data_lists_every_entry_in_order_with_resolved_fixes(sample):
    rv = review_data(_conn(sample), 1)
    labels = [e["label"] for e in rv["entries"]]
    assert labels == [str(n) for n in range(1, 25)]
    by = {e["label"]: e for e in rv["entries"]}
    # entry 15: DOI cut short, the suggested DOI and the complete reference in both styles
    fix = by["15"]["fixes"][0]
    assert fix["doi"] == "10.1007/s00115-014-4015-9" and fix["confidence"] == 1.0
    assert [s["style"] for s in fix["styles"]] == ["AMA", "Vancouver"]
    stored = (
        _conn(sample)
        .execute(
            "select fix_text from finding f join reference r on r.id = f.reference_id "
            "where r.number = 15 and f.code = 'doi_truncated'"
        )
        .fetchone()[0]
    )
    assert "\n".join(f"{s['style']}: {s['text']}" for s in fix["styles"]) == stored
    assert by["15"]["suggestions"][0]["doi"] == fix["doi"]
    # entry 9 repeats entry 3: every fix on it points at entry 3, none proposes a DOI
    assert {f["fix_reference"] for f in by["9"]["findings"]} == {"3"}
    assert all(f["fix_doi"] is None for f in by["9"]["findings"])
    # marker 20 means entry 19, which repeats entry 5: the fix says entry 5
    shift20 = [f for f in by["20"]["findings"] if f["code"] == "numbering_shift"][0]
    assert shift20["fix_reference"] == "5" and shift20["fix_doi"] is None
    # every marker of the run 20-25 has its finding; 25 (no entry) after the list
    shifted = {
        f["marker_key"]
        for e in rv["entries"]
        for f in e["findings"]
        if f["code"] == "numbering_shift"
    }
    assert shifted == {"20", "21", "22", "23", "24"}
    assert [m["key"] for m in rv["loose"]] == ["25"]
    assert {f["fix_reference"] for f in rv["loose"][0]["findings"]} == {"24"}
    # each entry shows the sentences citing it
    assert any("[8]" == c["marker"] for c in by["8"]["cited_by"])


def test_article_data_claims_in_order_with_markers_linked_to_entries(sample):
    data = article_data(_conn(sample), 1)
    claims = [c for s in data["sections"] for c in s["claims"]]
    assert [c["position"] for c in claims] == sorted(c["position"] for c in claims)
    assert data["counts"]["claims"] == len(claims) == 25
    assert data["counts"]["entries"] == 24 and data["counts"]["dangling"] == 1
    assert data["marker_style"]["why"].startswith("25 markers")
    marks = [seg["marker"] for c in claims for seg in c["segments"] if seg["marker"]]
    assert len(marks) == 25
    dangling = [e for m in marks for e in m["cites"] if e["reference_id"] is None]
    assert [e["key"] for e in dangling] == ["25"]
    assert "".join(seg["text"] for seg in claims[0]["segments"]) == claims[0]["text"]


# --- served pages ------------------------------------------------------------------------


def test_article_and_review_pages_are_served(client):
    html = client.html("/kb/article/1")
    assert "Unveiling the Potential of Low-Dose Naltrexone" in html
    assert 'href="/-/review/1"' in html and "/kb/claims_of_article?article=1" in html
    review = client.html("/-/review/1")
    assert 'id="entry-24"' in review and "kb suggestion accept" in review
    assert "https://doi.org/10.1007/s00115-014-4015-9" in review
    assert client.get("/-/review/999").status_code == 404
    assert "/-/review/1" in client.html("/-/review")


def test_home_page_leads_with_articles_claims_reviews_and_map(client):
    html = client.html("/")
    order = [html.index(s) for s in ('id="kb-search-claims"', "Evidence map", "Review pages",
                                     'id="kb-articles"', "All tables")]  # fmt: skip
    assert order == sorted(order)
    assert "/kb/article/1" in html and "/-/review/1" in html


def _claim_ids(client, query: str) -> set[int]:
    rows = client.json(f"/kb/claim.json?_search={query}&_shape=array&_size=max")
    return {r["id"] for r in rows}


def test_claim_search_knows_conditions_and_the_articles_abbreviations(client, sample):
    conn = _conn(sample)
    ms = {
        r[0]
        for r in conn.execute(
            "select cc.claim_id from claim_condition cc join condition cd "
            "on cd.id = cc.condition_id where cd.name = 'Multiple sclerosis'"
        )
    }
    assert len(ms) == 3
    assert _claim_ids(client, "multiple%20sclerosis") == ms
    ldn = {
        r[0]
        for r in conn.execute(
            "select id from claim where text like '%LDN%' or text like '%naltrexone%'"
        )
    }
    assert len(ldn) == 22 and _claim_ids(client, "naltrexone") == ldn


def test_reference_search_knows_the_linked_work(client):
    rows = client.json("/kb/reference.json?_search=Cree&_shape=array")
    assert {r["number"] for r in rows} == {8, 16}  # neither entry writes the author


@pytest.mark.parametrize(
    "asked",
    [
        "Hashimoto\u2019s thyroiditis",
        "hashimoto's thyroiditis",
        "HASHIMOTOS THYROIDITIS",
        "D050031",
        "d050031",
        "Hashimoto thyroiditis",
    ],
)
def test_condition_parameter_as_people_type_it(client, asked):
    rows = client.json(f"/kb/claims_about_condition.json?condition={asked}&_shape=array")
    assert len({r["claim_id"] for r in rows}) == 1


@pytest.mark.parametrize(
    ("asked", "names"),
    [
        ("ms", {"Multiple sclerosis"}),
        ("COVID", {"Long COVID"}),  # a word of the name, and a narrower condition
        ("autism", {"Autism spectrum disorder"}),
        ("lupus", {"Systemic lupus erythematosus"}),
        ("", None),  # empty: claims about every condition
    ],
)
def test_condition_parameter_finds_partial_names_and_narrower_conditions(
    client, sample, asked, names
):
    rows = client.json(f"/kb/claims_about_condition.json?condition={asked}&_shape=array")
    sql = (
        "select distinct cc.claim_id from claim_condition cc join condition cd "
        "on cd.id = cc.condition_id"
    )
    if names is not None:
        sql += f" where cd.name in ({', '.join('?' * len(names))})"
    want = {r[0] for r in _conn(sample).execute(sql, tuple(names or ()))}
    assert want and {r["claim_id"] for r in rows} == want


def test_forms_open_with_choices_and_close_matches(client):
    html = client.html("/kb/claims_about_condition")
    assert 'id="kb-condition-choices"' in html and "Long COVID" in html
    assert "0 results" not in html
    miss = client.html("/kb/claims_about_condition?condition=sclerosys")
    assert 'id="kb-no-match"' in miss and "condition=Multiple+sclerosis" in miss
    html = client.html("/kb/claims_of_article")
    assert 'id="kb-article-choices"' in html and "Unveiling the Potential" in html
    rows = client.json("/kb/claims_of_article.json?article=&_shape=array")
    assert rows  # empty: every article


def test_codes_and_statuses_in_words_json_as_lists(client):
    html = client.html("/kb/finding?code=doi_truncated")
    assert "DOI cut short <small>(doi_truncated)</small>" in html
    rows = client.json("/kb/finding.json?code=doi_truncated&_shape=array")
    assert rows[0]["code"] == "doi_truncated"  # the API keeps the code
    assert isinstance(rows[0]["evidence"], dict)  # JSON, not a string
    sug = client.json("/kb/suggestion.json?_shape=array")
    assert all(isinstance(s["agreed"], list) for s in sug)
    html = client.html("/kb/condition?name=Multiple+sclerosis")
    assert '<ul class="kb-list"><li>disseminated sclerosis</li></ul>' in html


def test_claims_description_mismatch_names_the_source_journal(client):
    rows = client.json("/kb/claims_description_mismatch.json?_shape=array")
    for r in rows:
        if "journal" in r["message"]:
            assert r["source_journal"] and r["source_journal"] in r["message"]


def test_html_report_is_one_self_contained_file(sample, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["audit", "--format", "html", "-o", str(out), "--db", str(sample)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote html report" in result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="entry-1"' in html
    assert "<script src" not in html and "<link" not in html  # nothing loaded from elsewhere
    assert "10.1007/s00115-014-4015-9" in html and "kb suggestion accept" in html


def test_works_found_by_confident_suggestions_give_their_evidence_type(sample):
    rows = dict(
        _conn(sample).execute(
            "select number, evidence_type from reference where number in (8, 13, 17, 18)"
        )
    )
    assert rows[8] == "randomised controlled trial"  # "Pilot trial": the trial words decide
    assert rows[17] == "systematic review or meta-analysis"  # a Cochrane review, suggested
    assert rows[18] == "trial protocol"  # a trial protocol, suggested with confidence 0.83
    assert rows[13] == "unknown"  # suggested with confidence 0.75: not confident enough


def test_pages_package_needs_nothing_but_the_standard_library():
    """kb publish ships kb/pages beside the plugin, where kb is not installed."""
    import ast
    import sys

    pages = Path(__file__).resolve().parents[1] / "kb" / "pages"
    for path in pages.glob("*.py"):
        if path.name == "render.py":  # the CLI's HTML file (jinja2), never served
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", (path, name)
