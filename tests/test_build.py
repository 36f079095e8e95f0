"""Building many articles: failures explained, nothing else lost, rebuilds idempotent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.build import BuildOptions, build
from kb.cli import cli

GOOD_MD = """# Low-dose naltrexone in {topic}

## Evidence

LDN reduced symptoms in {topic} patients [1]. A 2010 pilot trial found benefit [2].

## References

1. Smith J. A trial of LDN in {topic}. J Test Med. 2010;5(2):10-15. doi:10.5555/test.{n}.1
2. Lee K. Another study. Test Rev. 2011;6:1-9.
"""

OFFLINE = BuildOptions(offline=True)

# Tables whose content a rebuild must leave exactly as it was.
TABLES = [
    "article",
    "section",
    "claim",
    "marker",
    "reference",
    "study_link",
    "work",
    "suggestion",
    "claim_condition",
    "reference_condition",
    "finding",
]


def dump(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            # timestamps record when, not what
            keep = [c for c in cols if c not in ("ingested_at", "fetched_at", "created_at")]
            out[table] = sorted(
                con.execute(f"SELECT {', '.join(keep)} FROM {table}").fetchall(), key=repr
            )
        return out
    finally:
        con.close()


def write_corpus(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    topics = ["multiple sclerosis", "fibromyalgia", "Crohn's disease", "lupus", "psoriasis"]
    paths = []
    for i in range(n):
        p = folder / f"article{i}.md"
        p.write_text(GOOD_MD.format(topic=topics[i % len(topics)], n=i))
        paths.append(p)
    return paths


def test_one_bad_article_never_stops_the_others(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "in", 3)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.html").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    result = build(["in"], tmp_path / "kb.db", OFFLINE)
    assert result.ingested == 3
    failed = {f.source: f for f in result.failures}
    assert set(failed) == {"in/empty.txt", "in/binary.html"}
    assert all(f.reason and "\n" not in f.reason for f in failed.values())
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 3
    stored = {r[0] for r in con.execute("SELECT source FROM ingest_failure")}
    assert stored == set(failed)


def test_rebuild_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "in", 3)
    db = tmp_path / "kb.db"
    first = build(["in"], db, OFFLINE)
    assert first.ingested == 3 and first.ok
    before = dump(db)
    assert before["claim"] and before["reference"]
    second = build(["in"], db, OFFLINE)
    assert (second.ingested, second.unchanged, second.derived) == (0, 3, 0)
    assert dump(db) == before


def test_changed_article_is_replaced_and_a_broken_change_keeps_the_old_rows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (a,) = write_corpus(tmp_path / "in", 1)
    db = tmp_path / "kb.db"
    build(["in"], db, OFFLINE)
    a.write_text(a.read_text().replace("reduced symptoms", "reduced relapses"))
    result = build(["in"], db, OFFLINE)
    assert result.ingested == 1
    con = sqlite3.connect(db)
    texts = [r[0] for r in con.execute("SELECT text FROM claim")]
    assert any("reduced relapses" in t for t in texts)
    assert not any("reduced symptoms" in t for t in texts)
    n_claims = len(texts)
    a.write_bytes(b"\x00\xff\x00binary now")
    result = build(["in"], db, OFFLINE)
    assert [f.source for f in result.failures] == ["in/article0.md"]
    assert con.execute("SELECT count(*) FROM claim").fetchone()[0] == n_claims


def test_prune_removes_articles_whose_source_is_gone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = write_corpus(tmp_path / "in", 2)
    db = tmp_path / "kb.db"
    build(["in"], db, OFFLINE)
    paths[1].unlink()
    kept = build(["in"], db, OFFLINE)
    assert kept.pruned == 0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article").fetchone()[0] == 2
    pruned = build(["in"], db, BuildOptions(offline=True, prune=True))
    assert pruned.pruned == 1
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT source FROM article")] == ["in/article0.md"]
    assert con.execute(
        "SELECT count(*) FROM claim WHERE article_id NOT IN (SELECT id FROM article)"
    ).fetchone() == (0,)


def test_cli_build_exits_nonzero_with_a_summary_when_an_article_fails(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "in", 2)
    (tmp_path / "in" / "empty.md").write_text("")
    result = CliRunner().invoke(cli, ["build", "in", "--db", "kb.db", "--offline"])
    assert result.exit_code == 1
    assert "FAILED in/empty.md" in result.output
    assert "Built: 3 inputs, 2 ingested, 0 unchanged, 1 failed" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_hundred_varied_articles_some_broken(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "many"
    write_corpus(folder / "good", 80)
    bad = folder / "bad"
    bad.mkdir()
    makers = [
        lambda i: b"",
        lambda i: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        lambda i: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        lambda i: b"   \n\n  \t \n",
    ]
    for i in range(12):
        (bad / f"bad{i}.html").write_bytes(makers[i % len(makers)](i))
    odd = folder / "odd"
    odd.mkdir()
    for i in range(8):  # readable but unusual: must ingest
        (odd / f"latin{i}.txt").write_bytes(
            f"Caf\xe9 study {i}\n\nThe na\xefve result held [1].\n\nReferences\n\n"
            "1. Doe J. A study. J Test. 2001;1:1-2.\n".encode("latin-1")
        )
    result = build(["many"], tmp_path / "kb.db", OFFLINE)
    assert result.ingested == 88
    assert len(result.failures) == 12
    assert all(f.source.startswith("many/bad/") for f in result.failures)
    again = build(["many"], tmp_path / "kb.db", OFFLINE)
    assert again.ingested == 0 and again.unchanged == 88
