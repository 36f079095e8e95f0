"""Load check (issue 15): 16 concurrent clients for 30 s against the real server, beside
the same requests made one at a time.

Three requests, cycled: the claim page (``/kb/claim/<id>``, the plugin's page), a canned
query (``claims_of_article.json``) and the JSON full-text search (``claim.json?_search=``).
The server is ``kb serve``'s own command line (``kb.serve.datasette_argv``) on 127.0.0.1,
over a KB generated like the query benchmark's. Only loopback; every loop is bounded by a
deadline and a request cap.

    python -m bench.load_bench [--articles 1000] [--clients 16] [--seconds 30] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import requests

from bench.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
SEARCH_WORDS = ("naltrexone", "fibromyalgia", "cohort", "fatigue", "melatonin", "migraine")
MAX_REQUESTS = 200_000  # a cap on every loop, whatever the clock says


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _paths(db: Path, seed: int, n: int) -> dict[str, list[str]]:
    import sqlite3

    rng = random.Random(seed)
    con = sqlite3.connect(db)
    claims = [r[0] for r in con.execute("select id from claim order by random() limit 200")]
    articles = [r[0] for r in con.execute("select id from article order by random() limit 50")]
    con.close()
    return {
        "claim page": [f"/kb/claim/{rng.choice(claims)}" for _ in range(n)],
        "canned query": [
            f"/kb/claims_of_article.json?article={rng.choice(articles)}&_shape=array"
            for _ in range(n)
        ],
        "JSON search": [
            f"/kb/claim.json?_search={rng.choice(SEARCH_WORDS)}&_shape=array" for _ in range(n)
        ],
    }


def _serve(db: Path) -> tuple[subprocess.Popen, str]:
    from kb.serve import datasette_argv

    port = _free_port()
    proc = subprocess.Popen(
        datasette_argv(db, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/-/versions.json", timeout=2).ok:
                return proc, base
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


def _one(session: requests.Session, url: str) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        r = session.get(url, timeout=60)
        error = None if r.status_code == 200 else f"HTTP {r.status_code}"
    except requests.RequestException as exc:
        error = type(exc).__name__
    return (time.perf_counter() - started) * 1000, error


def _summary(samples: dict[str, list[float]], errors: dict[str, list[str]]) -> dict:
    return {
        kind: {
            "requests": len(ms) + len(errors[kind]),
            "errors": len(errors[kind]),
            "error_kinds": sorted(set(errors[kind]))[:5],
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        }
        for kind, ms in samples.items()
    }


def one_at_a_time(base: str, paths: dict[str, list[str]], reps: int) -> dict:
    samples = {k: [] for k in paths}
    errors = {k: [] for k in paths}
    with requests.Session() as s:
        for kind, urls in paths.items():
            _one(s, base + urls[0])  # warm
            for url in urls[:reps]:
                ms, err = _one(s, base + url)
                (errors[kind].append(err) if err else samples[kind].append(ms))
    return _summary(samples, errors)


def concurrent(base: str, paths: dict[str, list[str]], clients: int, seconds: float) -> dict:
    samples = {k: [] for k in paths}
    errors = {k: [] for k in paths}
    lock = threading.Lock()
    end = time.monotonic() + seconds
    kinds = list(paths)

    def client(i: int) -> None:
        with requests.Session() as s:
            for n in range(MAX_REQUESTS // clients):
                if time.monotonic() >= end:
                    return
                kind = kinds[(i + n) % len(kinds)]
                url = paths[kind][(i * 7 + n) % len(paths[kind])]
                ms, err = _one(s, base + url)
                with lock:
                    (errors[kind].append(err) if err else samples[kind].append(ms))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return _summary(samples, errors)


def run(
    workdir: Path,
    *,
    seed: int = 7,
    n_articles: int = 1000,
    clients: int = 16,
    seconds: float = 30,
    reps: int = 40,
    reuse: bool = False,
) -> dict[str, Any]:
    from bench.query_bench import build_kb

    db = workdir / f"kb-{seed}-{n_articles}" / "kb.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    kb_info: dict[str, Any] = {"reused": True}
    if not (reuse and db.exists()):
        kb_info = build_kb(db, seed=seed, n_articles=n_articles)
    paths = _paths(db, seed, max(reps, 200))
    proc, base = _serve(db)
    try:
        alone = one_at_a_time(base, paths, reps)
        loaded = concurrent(base, paths, clients, seconds)
    finally:
        proc.terminate()
        proc.wait(10)
    return {
        "sizes": {"articles": n_articles, "clients": clients, "seconds": seconds, "reps": reps},
        "kb": kb_info,
        "one_at_a_time": alone,
        "concurrent": loaded,
    }


def table(res: dict[str, Any]) -> str:
    s = res["sizes"]
    lines = [
        f"{s['clients']} clients for {s['seconds']:g} s vs one at a time "
        f"({s['articles']} articles)",
        "| request | alone p50 / p95 | loaded p50 / p95 | requests under load | errors |",
        "|---|---|---|---|---|",
    ]
    for kind, a in res["one_at_a_time"].items():
        c = res["concurrent"][kind]
        lines.append(
            f"| {kind} | {a['p50_ms']} / {a['p95_ms']} ms | {c['p50_ms']} / {c['p95_ms']} ms "
            f"| {c['requests']:,} | {c['errors'] + a['errors']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".work" / "load")
    ap.add_argument("--reuse-kb", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    res = run(
        args.workdir,
        seed=args.seed,
        n_articles=args.articles,
        clients=args.clients,
        seconds=args.seconds,
        reps=args.reps,
        reuse=args.reuse_kb,
    )
    print(table(res))
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
