"""Issue 15, serving: any file is served as ``kb``, and one request cannot take gigabytes
or starve the others. The real server, on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest
import requests

from kb.build import BuildOptions, build
from kb.serve import datasette_argv
from tests.conftest import SAMPLE_ARTICLE
from tests.test_serve_while_building import free_port

BIG_VALUE = "select randomblob(100000000) as b"  # one value of 100 MB
MANY_VALUES = (  # 100 rows of 1 MB: each value passes, the response must not
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 100) "
    "select randomblob(1000000) as b from c"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    shutil.copy(SAMPLE_ARTICLE, tmp / "a.txt")
    db = tmp / "other.db"
    assert build([str(tmp / "a.txt")], db, BuildOptions(offline=True)).ok
    port = free_port()
    proc = subprocess.Popen(
        datasette_argv(db, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/-/versions.json", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


def test_any_file_is_served_as_kb(served):
    names = [d["name"] for d in requests.get(served + "/-/databases.json", timeout=10).json()]
    assert names == ["kb"]
    assert requests.get(served + "/-/evidence-map", timeout=30).status_code == 200
    rows = requests.get(
        served + "/kb/claims_of_article.json?article=1&_shape=array", timeout=30
    ).json()
    assert rows and all("claim_id" in r or "id" in r for r in rows)
    refs = requests.get(served + "/kb/references_of_article.json?article=1", timeout=30)
    assert refs.status_code == 200


@pytest.mark.parametrize("sql", [BIG_VALUE, MANY_VALUES], ids=["one big value", "many values"])
def test_a_huge_result_is_refused_small_and_the_others_are_answered(served, sql):
    big: dict = {}

    def ask_big():
        with requests.get(served + "/kb.json", params={"sql": sql}, stream=True, timeout=120) as r:
            body = r.raw.read(2_000_001)  # never more than this, whatever comes
            big.update(status=r.status_code, size=len(body), text=body[:5000])

    thread = threading.Thread(target=ask_big)
    thread.start()
    small = requests.get(served + "/kb.json?sql=select+count(*)+from+article", timeout=60)
    thread.join()
    assert small.status_code == 200 and small.json()["rows"] == [[1]]
    assert big["size"] < 2_000_000, big  # bounded: an error, not the bytes
    assert big["status"] == 400, big
    assert b"too big" in big["text"] or b"larger than" in big["text"], big


@pytest.mark.parametrize("sql", [BIG_VALUE, MANY_VALUES], ids=["one big value", "many values"])
def test_the_byte_caps_hold_for_a_database_named_kb(tmp_path, sql):
    """The same caps in-process, on a file already called kb.db (no renaming involved)."""
    from tests.ds_client import SyncClient

    shutil.copy(SAMPLE_ARTICLE, tmp_path / "a.txt")
    assert build([str(tmp_path / "a.txt")], tmp_path / "kb.db", BuildOptions(offline=True)).ok
    client = SyncClient(tmp_path / "kb.db")
    try:
        response = client.get("/kb.json", params={"sql": sql})
        assert response.status_code == 400 and len(response.content) < 10_000
        assert "too big" in response.text or "larger than" in response.text
        fine = client.get("/kb.json", params={"sql": "select length(text) from article"})
        assert fine.status_code == 200  # stored values are read as before
    finally:
        client.close()
