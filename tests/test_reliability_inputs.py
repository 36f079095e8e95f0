"""Issue 15, the build's inputs: prune only what the build saw, failure rows describe the
present, only regular files are read, URL lines we cannot fetch are reported."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from kb.build import BuildOptions, build
from kb.inputs import discover
from tests.test_bad_input import GOOD

OFFLINE = BuildOptions(offline=True, crossref=False)


def _counts(db) -> tuple[int, int]:
    con = sqlite3.connect(db)
    return (
        con.execute("SELECT count(*) FROM article").fetchone()[0],
        con.execute("SELECT count(*) FROM claim").fetchone()[0],
    )


def _built(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "good.md").write_text(GOOD)
    assert build(["articles"], tmp_path / "kb.db", OFFLINE).ok
    before = _counts(tmp_path / "kb.db")
    assert before[0] == 1 and before[1] >= 1
    return before


def test_prune_with_a_mistyped_path_deletes_nothing(tmp_path, monkeypatch):
    before = _built(tmp_path, monkeypatch)
    opts = BuildOptions(offline=True, crossref=False, prune=True)
    result = build(["artcles"], tmp_path / "kb.db", opts)
    assert not result.ok and result.pruned == 0 and result.prune_skipped
    assert "nothing pruned" in result.line()
    assert _counts(tmp_path / "kb.db") == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder whatever its mode")
def test_prune_with_an_unreadable_folder_deletes_nothing(tmp_path, monkeypatch):
    before = _built(tmp_path, monkeypatch)
    (tmp_path / "articles").chmod(0)
    try:
        opts = BuildOptions(offline=True, crossref=False, prune=True)
        result = build(["articles"], tmp_path / "kb.db", opts)
    finally:
        (tmp_path / "articles").chmod(stat.S_IRWXU)
    assert not result.ok and result.pruned == 0
    assert any("cannot read folder" in f.reason for f in result.failures)
    assert _counts(tmp_path / "kb.db") == before


def test_an_unreadable_subfolder_is_a_failure_not_silence(tmp_path, monkeypatch):
    """As root every folder is readable, so the walk's error is provoked directly."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "ok.md").write_text(GOOD)
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    specs, problems = discover(["a"])
    assert [s.source for s in specs] == ["a/ok.md"]
    assert problems == [("a/sub", "cannot read folder: Permission denied")]


def test_prune_takes_only_what_the_listed_folders_held(tmp_path, monkeypatch):
    _built(tmp_path, monkeypatch)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "new.md").write_text(GOOD)
    (tmp_path / "other" / "gone.md").write_text(GOOD.replace("Good", "Gone"))
    opts = BuildOptions(offline=True, crossref=False, prune=True)
    assert build(["other"], tmp_path / "kb.db", opts).ok
    (tmp_path / "other" / "gone.md").unlink()
    result = build(["other"], tmp_path / "kb.db", opts)
    assert result.ok and result.pruned == 1 and not result.prune_skipped
    con = sqlite3.connect(tmp_path / "kb.db")
    # articles/good.md was not listed this time: the build could not see it, so it stays
    assert sorted(r[0] for r in con.execute("SELECT source FROM article")) == [
        "articles/good.md",
        "other/new.md",
    ]


def test_a_failure_row_goes_once_the_source_is_back_to_good(tmp_path, monkeypatch):
    _built(tmp_path, monkeypatch)
    good = (tmp_path / "articles" / "good.md").read_bytes()
    (tmp_path / "articles" / "good.md").write_bytes(b"\x00\x01binary" * 100)
    assert not build(["articles"], tmp_path / "kb.db", OFFLINE).ok
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT count(*) FROM ingest_failure").fetchone()[0] == 1
    (tmp_path / "articles" / "good.md").write_bytes(good)  # the original, so "unchanged"
    result = build(["articles"], tmp_path / "kb.db", OFFLINE)
    assert result.ok and result.unchanged == 1
    assert con.execute("SELECT count(*) FROM ingest_failure").fetchone()[0] == 0


def test_dev_zero_and_a_fifo_beside_a_good_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.md").write_text(GOOD)
    (tmp_path / "in" / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "in" / "x.txt")
    result = build(["in"], tmp_path / "kb.db", OFFLINE)
    reasons = {f.source: f.reason for f in result.failures}
    assert set(reasons) == {"in/zero.txt", "in/x.txt"}
    assert "device" in reasons["in/zero.txt"] and "FIFO" in reasons["in/x.txt"]
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT source FROM article").fetchall() == [("in/good.md",)]


def test_special_files_named_directly_are_refused_without_opening_them(tmp_path, monkeypatch):
    from ingest.article import read_file
    from ingest.types import IngestError

    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.md")
    _, problems = discover(["pipe.md", "/dev/zero"])
    assert [p[1] for p in problems] == [
        "a FIFO (named pipe), not a regular file",
        "a device, not a regular file",
    ]
    # the reader itself refuses them too (a file swapped after discovery)
    for path in (tmp_path / "pipe.md", "/dev/zero"):
        with pytest.raises(IngestError, match="not a regular file"):
            read_file(path)


def test_reads_stop_at_the_size_cap_whatever_stat_said(tmp_path):
    """/proc files report size 0 and may be long: the read itself is bounded."""
    from ingest.article import read_file
    from ingest.types import IngestError

    with pytest.raises(IngestError, match="size cap"):
        read_file("/proc/self/maps", max_bytes=10)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(IngestError, match="size cap"):
        read_file(big, max_bytes=100)


def test_url_lines_of_other_schemes_are_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list.urls").write_text(
        "https://example.org/a\nfile:///etc/passwd\nftp://example.org/b.txt\n"
    )
    specs, problems = discover(["list.urls"])
    assert [s.source for s in specs] == ["https://example.org/a"]
    assert problems == [
        ("file:///etc/passwd", "only http(s) URLs can be fetched, not 'file'"),
        ("ftp://example.org/b.txt", "only http(s) URLs can be fetched, not 'ftp'"),
    ]
