"""A smoke run of the load check at a tiny size: it serves, loads and reports."""

from __future__ import annotations

import json

from bench.load_bench import run, table


def test_load_check_smoke(tmp_path):
    res = run(tmp_path, n_articles=6, clients=2, seconds=1, reps=2)
    json.loads(json.dumps(res))
    for part in ("one_at_a_time", "concurrent"):
        assert set(res[part]) == {"claim page", "canned query", "JSON search"}
        for figures in res[part].values():
            assert figures["requests"] > 0 and figures["errors"] == 0, figures
            assert figures["p50_ms"] <= figures["p95_ms"]
    assert table(res).count("\n") == 5  # heading, header, rule, three requests
