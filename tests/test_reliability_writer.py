"""Issue 15: one writer at a time, and every CLI error is one clean line."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from kb.cli import cli
from kb.lock import write_lock
from tests.conftest import FIXTURES, SAMPLE_ARTICLE

TABLES = [
    "article", "section", "claim", "marker", "reference", "study_link", "suggestion",
    "condition", "claim_condition", "reference_condition", "finding", "ingest_failure",
    "work", "crossref_response",
]  # fmt: skip


def _articles(folder):
    folder.mkdir()
    for src in sorted((FIXTURES / "articles").glob("0*")):
        shutil.copy(src, folder / src.name)
    shutil.copy(SAMPLE_ARTICLE, folder / SAMPLE_ARTICLE.name)


def _counts(db) -> dict[str, int]:
    con = sqlite3.connect(db)
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}


def _kb(*args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "kb", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_two_concurrent_builds_equal_one_build(tmp_path):
    _articles(tmp_path / "in")
    single = _kb("build", "in", "--offline", "--db", "single.db", cwd=tmp_path)
    assert single.wait(timeout=600) == 0, single.stderr.read()
    expected = _counts(tmp_path / "single.db")
    assert expected["article"] == 5 and expected["claim"] > 0

    both = [_kb("build", "in", "--offline", "--db", "kb.db", cwd=tmp_path) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    assert any("Waiting for another build" in out for out, _ in outputs), outputs
    assert _counts(tmp_path / "kb.db") == expected
    con = sqlite3.connect(tmp_path / "kb.db")
    dup = con.execute(
        "SELECT count(*) FROM (SELECT reference_id, doi FROM suggestion "
        "GROUP BY reference_id, doi HAVING count(*) > 1)"
    ).fetchone()[0]
    assert dup == 0
    assert con.execute("SELECT count(*) FROM ingest_failure").fetchone()[0] == 0


def test_a_build_that_may_not_wait_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLE_ARTICLE, tmp_path / "a.txt")
    with write_lock(tmp_path / "kb.db"):
        result = CliRunner().invoke(cli, ["build", "a.txt", "--offline", "--lock-wait", "0"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0, result.output
    assert "another build is writing kb.db" in result.output
    assert not (tmp_path / "kb.db").exists() or _counts(tmp_path / "kb.db")["article"] == 0


@pytest.mark.parametrize("command", [["stats"], ["audit"], ["build", "a.txt", "--offline"]])
def test_a_db_that_is_not_sqlite_is_one_line(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLE_ARTICLE, tmp_path / "a.txt")
    (tmp_path / "other.db").write_bytes(b"this is not a database, just text\n" * 200)
    result = CliRunner().invoke(cli, [*command, "--db", "other.db"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert lines == ["Error: other.db is not an SQLite database (wrong --db?)"], result.output


def test_disk_full_is_one_line(tmp_path, monkeypatch):
    """SQLite's own SQLITE_FULL: the database may not grow past its present size."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLE_ARTICLE, tmp_path / "a.txt")
    assert CliRunner().invoke(cli, ["stats", "--db", "kb.db"]).exit_code == 1  # none yet
    from kb import database

    sqlite3.connect(tmp_path / "kb.db").close()
    pages = None
    real = database.get_engine

    def full_engine(path=database.DEFAULT_DB):
        engine = real(path)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA max_page_count={pages}")
            cur.close()

        return engine

    database.open_db(tmp_path / "kb.db")  # shape only: tables, no articles
    con = sqlite3.connect(tmp_path / "kb.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    monkeypatch.setattr(database, "get_engine", full_engine)
    result = CliRunner().invoke(cli, ["build", "a.txt", "--offline"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith(("Error:", "FAILED"))]
    assert errors and all("disk is full" in ln for ln in errors), result.output
    assert all(len(ln) <= 320 for ln in errors)


def test_markdown_audit_escapes_what_articles_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.html").write_text(
        "<html><body><h1>&lt;script&gt;alert(1)&lt;/script&gt; *bold* [link](javascript:x)"
        "</h1><p>A trial showed benefit [1] [7].</p><h2>References</h2><ol>"
        "<li>&lt;img src=x onerror=alert(2)&gt; | pipe. J X. 2001;1:1.</li></ol></body></html>"
    )
    assert CliRunner().invoke(cli, ["build", "x.html", "--offline"]).exit_code in (0, 1)
    result = CliRunner().invoke(cli, ["audit", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert "](javascript" not in out and "*bold*" not in out
