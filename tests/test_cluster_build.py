"""``kb build --cluster``: the per-article compute on a Dask LocalCluster (loopback only)
gives exactly the rows of the local build; an unreachable scheduler is one clean line."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from bench.corpus import iter_corpus, write_corpus
from bench.world import make_world
from kb.build import BuildOptions, build
from kb.cli import cli

distributed = pytest.importorskip("distributed")

SKIP = {"build_run"}  # when each build ran
TIMESTAMPS = {"fetched_at", "ingested_at", "at", "created_at", "started_at", "finished_at"}


def all_rows(db) -> dict[str, list]:
    out = {}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts%'"
        )]  # fmt: skip
        for t in sorted(set(tables) - SKIP):
            cur = conn.execute(f'SELECT * FROM "{t}"')
            keep = [i for i, d in enumerate(cur.description) if d[0] not in TIMESTAMPS]
            out[t] = sorted((tuple(r[i] for i in keep) for r in cur), key=repr)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    world = make_world(11, 300)
    write_corpus(list(iter_corpus(11, 6, world)), folder / "articles")
    return folder / "articles"


def test_cluster_build_equals_the_local_build(corpus, tmp_path):
    local = build([str(corpus)], tmp_path / "local.db", BuildOptions(offline=True, workers=2))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        opts = BuildOptions(offline=True, cluster=cluster.scheduler_address)
        remote = build([str(corpus)], tmp_path / "cluster.db", opts)
    assert local.ingested == remote.ingested == 6 and not remote.failures
    assert remote.derived == local.derived == 6
    want, got = all_rows(tmp_path / "local.db"), all_rows(tmp_path / "cluster.db")
    assert want["claim"] and want["finding"] and want["claim_condition"]
    assert got == want


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("kb.cluster.CONNECT_TIMEOUT", "1s")
    res = CliRunner().invoke(
        cli, ["build", "--db", str(tmp_path / "kb.db"), "--offline", "--cluster",
              "tcp://127.0.0.1:9", str(tmp_path)],
    )  # fmt: skip
    assert res.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in res.output
    assert "Traceback" not in res.output
