"""The JSON report validates against its documented shape; renderings and `kb audit`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlmodel import Session

import kb.cli.audit  # noqa: F401  (registers `kb audit` on the group)
from kb.audit import run_audit
from kb.audit.render import render_csv, render_markdown, render_text
from kb.audit.report import (
    ArticleNotFound,
    audit_report,
    validate_report,
)
from kb.cli import cli
from tests.audit_helpers import Builder, verified_entry


@pytest.fixture
def built(engine):
    with Session(engine) as s:
        b = Builder(s, source="articles/ldn.txt", title="Low-dose naltrexone")
        verified_entry(
            b,
            1,
            "10.5555/r.1",
            title="A trial",
            journal="Annals of Neurology",
            year=2010,
            volume="68",
            issue="2",
            pages="145-150",
        )
        b.update("10.5555/r.1", "retraction", "10.5555/r.1.x")
        b.ref(
            2,
            "2019; 14(2): e0212460. do",
            doi_status="truncated",
            doi_raw="do",
            year=2019,
            volume="14",
            issue="2",
            article_number="e0212460",
        )
        b.ref(
            3,
            "2019; 14(2): e0212460. doi:10.5555/r.1",
            doi="10.5555/r.1",
            work_doi="10.5555/r.1",
            verification="verified",
            year=2010,
            volume="68",
            issue="2",
            pages="145-150",
            title="A trial",
            journal="Ann Neurol",
            authors=["Smith J"],
        )
        b.claim("It worked [1][2].", ["1", "2"])
        b.claim("Again [3] and [8].", ["3", "8"])
        run_audit(s, b.article.id)
        other = Builder(s, source="articles/other.md", title="Another article")
        other.ref(1, "https://example.org/blog/post", url="https://example.org/blog/post")
        run_audit(s, other.article.id)
        s.commit()
    return engine


def test_json_report_validates_and_carries_the_contract(built):
    report = audit_report(built)
    assert validate_report(report) == []
    assert [a["article"] for a in report["articles"]] == ["articles/ldn.txt", "articles/other.md"]
    art = report["articles"][0]
    assert [r["number"] for r in art["references"]] == [1, 2, 3]
    assert [r["doi_status"] for r in art["references"]] == ["verified", "truncated", "verified"]
    assert art["references"][2]["duplicate_of"] == 1
    assert art["references"][0]["duplicate_of"] is None
    sev = [f["severity"] for f in art["findings"]]
    assert sev == sorted(sev, key=["error", "warning", "info"].index)  # worst first
    dangling = [f for f in art["findings"] if f["code"] == "dangling_marker"]
    assert dangling[0]["marker"] == 8 and dangling[0]["reference"] is None
    dup = [f for f in art["findings"] if f["code"] == "duplicate_reference"][0]
    assert dup["reference"] == 3 and dup["fix"]["reference"] == 1
    assert dup["fix"]["text"].startswith("AMA: ")
    assert art["counts"]["retracted"] == 2  # entries 1 and 3 cite the retracted work
    assert sum(art["counts"].values()) == len(art["findings"])
    # entries 1 and 3 are complete and verified (retracted or repeated, but complete); 2 is not
    assert art["completeness"] == pytest.approx(2 / 3, abs=1e-3)
    json.dumps(report)  # serialisable as is


def test_validator_catches_shape_errors(built):
    report = audit_report(built, "ldn")
    broken = json.loads(json.dumps(report))
    broken["articles"][0]["findings"][0]["severity"] = "fatal"
    del broken["articles"][0]["references"][0]["work_doi"]
    broken["articles"][0]["findings"][1]["fix"]["reference"] = 1.5
    errors = validate_report(broken)
    assert len(errors) == 3
    assert any("severity" in e for e in errors) and any("work_doi" in e for e in errors)


def test_article_selection(built):
    assert [a["title"] for a in audit_report(built, 1)["articles"]] == ["Low-dose naltrexone"]
    assert [a["title"] for a in audit_report(built, "other.md")["articles"]] == ["Another article"]
    assert [a["title"] for a in audit_report(built, "NALTREX")["articles"]] == [
        "Low-dose naltrexone"
    ]
    with pytest.raises(ArticleNotFound, match="no article matches"):
        audit_report(built, "nothing like this")
    with pytest.raises(ArticleNotFound, match="matches 2 articles"):
        audit_report(built, "article")


def test_renderings(built):
    report = audit_report(built, 1)
    text = render_text(report, width=100)
    lines = text.splitlines()
    assert lines[-1].startswith(f"{len(report['articles'][0]['findings'])} findings (")
    first = next(i for i, ln in enumerate(lines) if ln.startswith(("error", "warning", "info")))
    assert lines[first].startswith("error")
    assert "fix: use entry 1" in text
    md = render_markdown(report)
    assert "| Severity | Code | Entry | Marker | Message | Fix |" in md and "`retracted`" in md
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert len(rows) == len(report["articles"][0]["findings"])
    assert json.loads(rows[0]["evidence"]) == report["articles"][0]["findings"][0]["evidence"]


def test_cli_formats_and_errors(built, db_path, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["audit", "1", "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    assert "retracted" in res.output and "findings (" in res.output.splitlines()[-1]
    out = tmp_path / "audit.json"
    res = runner.invoke(cli, ["audit", "--format", "json", "-o", str(out), "--db", str(db_path)])
    assert res.exit_code == 0 and res.output.startswith("Wrote json report")
    assert validate_report(json.loads(out.read_text())) == []
    res = runner.invoke(
        cli, ["audit", "articles/other.md", "--format", "csv", "--rerun", "--db", str(db_path)]
    )
    assert res.exit_code == 0 and "url_only" in res.output
    res = runner.invoke(cli, ["audit", "no such thing", "--db", str(db_path)])
    assert res.exit_code == 1 and res.output.startswith("Error: no article matches")
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["audit", "--db", str(tmp_path / "missing.db")])
    assert res.exit_code == 1 and "run `kb build` first" in res.output
    assert "ARTICLE is an article id" in runner.invoke(cli, ["audit", "--help"]).output
