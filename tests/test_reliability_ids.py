"""Issue 15: a saved claim URL survives --force, rebuilds of other articles and edits
elsewhere in its own article (kb.stable_ids)."""

from __future__ import annotations

import shutil
import sqlite3

from kb.build import BuildOptions, build
from tests.conftest import FIXTURES, SAMPLE_ARTICLE
from tests.ds_client import SyncClient

OPTS = BuildOptions(offline=True)
FORCE = BuildOptions(offline=True, force=True)


def _rows(db, sql):
    return sqlite3.connect(db).execute(sql).fetchall()


def _ids(db, source):
    q = f"(select id from article where source = '{source}')"
    return {
        "claim": _rows(db, f"select id, text from claim where article_id = {q} order by id"),
        "reference": _rows(db, f"select id, raw from reference where article_id = {q}"),
        "finding": _rows(
            db,
            "select id, code, reference_key, marker_key, message from finding "
            f"where article_id = {q} order by id",
        ),
    }


def _setup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE_ARTICLE, tmp_path / "in" / "00-ldn.txt")
    shutil.copy(FIXTURES / "articles" / "04-postmodern-assault-on-ebm.md", tmp_path / "in")
    assert build(["in"], tmp_path / "kb.db", OPTS).ok
    return tmp_path / "kb.db"


def test_a_saved_claim_url_survives_force(tmp_path, monkeypatch):
    db = _setup(tmp_path, monkeypatch)
    before = _ids(db, "in/00-ldn.txt")
    claim_id, text = before["claim"][5]
    client = SyncClient(db)
    assert text[:40] in client.html(f"/kb/claim/{claim_id}")
    client.close()
    assert build(["in"], db, FORCE).ok
    assert _ids(db, "in/00-ldn.txt") == before  # claims, references and findings alike
    client = SyncClient(db)
    assert text[:40] in client.html(f"/kb/claim/{claim_id}")
    client.close()


def test_rebuilding_another_article_keeps_the_ids(tmp_path, monkeypatch):
    db = _setup(tmp_path, monkeypatch)
    before = _ids(db, "in/00-ldn.txt")
    other = tmp_path / "in" / "04-postmodern-assault-on-ebm.md"
    other.write_text(other.read_text() + "\n\nA new closing sentence.\n")
    assert build(["in"], db, OPTS).ok
    assert _ids(db, "in/00-ldn.txt") == before


def test_a_changed_article_keeps_the_ids_of_unchanged_sentences(tmp_path, monkeypatch):
    db = _setup(tmp_path, monkeypatch)
    before = dict((text, cid) for cid, text in _ids(db, "in/00-ldn.txt")["claim"])
    refs_before = dict((raw, rid) for rid, raw in _ids(db, "in/00-ldn.txt")["reference"])
    article = tmp_path / "in" / "00-ldn.txt"
    body = article.read_text()
    # a new paragraph at the top shifts every position after it
    cut = body.index("\n\n") + 2
    article.write_text(body[:cut] + "An inserted opening paragraph says little.\n\n" + body[cut:])
    assert build(["in"], db, OPTS).ok
    after = dict((text, cid) for cid, text in _ids(db, "in/00-ldn.txt")["claim"])
    refs_after = dict((raw, rid) for rid, raw in _ids(db, "in/00-ldn.txt")["reference"])
    common = set(before) & set(after)
    assert len(common) >= len(before) - 1
    assert all(before[t] == after[t] for t in common)
    assert refs_after == refs_before


def test_deriving_an_article_again_keeps_its_finding_ids(tmp_path, monkeypatch):
    from kb.build import derive
    from kb.database import open_db

    db = _setup(tmp_path, monkeypatch)
    before = _ids(db, "in/00-ldn.txt")["finding"]
    assert before
    aid = _rows(db, "select id from article where source = 'in/00-ldn.txt'")[0][0]
    # only this article's derived layers again: its findings are not the newest rows
    assert derive(open_db(db), [aid], force=True) == 1
    assert _ids(db, "in/00-ldn.txt")["finding"] == before
