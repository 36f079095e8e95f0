"""Run the benchmarks, print a table, write JSON.

    python -m bench.run [--quick] [--only crossref|ingest|queries|corpus|parser] [--out PATH]

Each figure comes with its baseline measured in the same run and the ratio between
them. ``--quick`` runs tiny sizes (under a minute) to check that everything works;
the full run uses the sizes of issue 7 (about 20 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import machine, versions

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
DEFAULT_WORK = ROOT / "bench" / ".work"
BENCHES = ("crossref", "ingest", "queries", "import", "corpus", "parser")


@dataclass
class Sizes:
    crossref_dois: int = 1000
    crossref_latency: float = 0.15
    crossref_jitter: float = 0.05
    ingest_articles: int = 1000
    profile_articles: int = 150
    query_articles: int = 10_000
    query_reps: int = 40  # p95 of 20 samples would be the single slowest request
    query_budget_s: float = 8.0
    # the query KB above this many articles is copies of a fully derived KB of this size
    query_base_articles: int = 1000
    import_works: int = 200_000  # synthetic Crossref public-data-file snapshot

    @classmethod
    def quick(cls) -> Sizes:
        return cls(40, 0.15, 0.05, 30, 10, 200, 5, 3.0, 200, 5000)

    @classmethod
    def tiny(cls) -> Sizes:
        """For the smoke test: seconds, not minutes."""
        return cls(12, 0.01, 0.005, 4, 2, 12, 2, 1.0, 12, 200)


def run_all(
    only: list[str] | None = None,
    *,
    sizes: Sizes | None = None,
    seed: int = 7,
    workdir: Path = DEFAULT_WORK,
    reuse_query_kb: bool = False,
    echo=print,  # noqa: ANN001
) -> dict[str, Any]:
    """Run the chosen benchmarks; returns the results document (what the JSON holds)."""
    sizes = sizes or Sizes()
    doc: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "versions": versions(),
        "seed": seed,
        "sizes": asdict(sizes),
        "benchmarks": {},
    }
    for name in only or BENCHES:
        echo(f"-- {name} ...")
        started = time.perf_counter()
        if name == "crossref":
            from bench import crossref_bench

            res = crossref_bench.run(
                workdir / "crossref",
                seed=seed,
                n_dois=sizes.crossref_dois,
                latency=sizes.crossref_latency,
                jitter=sizes.crossref_jitter,
            )
        elif name == "ingest":
            from bench import ingest_bench

            res = ingest_bench.run(
                workdir / "ingest",
                seed=seed,
                n_articles=sizes.ingest_articles,
                profile_articles=sizes.profile_articles,
            )
        elif name == "parser":
            from bench import parser_eval

            res = parser_eval.run()
        elif name == "corpus":
            from bench import corpus_report

            res = corpus_report.summary(corpus_report.run(workdir=_made(workdir)))
        elif name == "import":
            from bench import import_bench

            res = import_bench.run(workdir / "import", seed=seed, n_works=sizes.import_works)
        else:
            from bench import query_bench

            res = query_bench.run(
                workdir / "queries",
                seed=seed,
                n_articles=sizes.query_articles,
                reps=sizes.query_reps,
                budget_s=sizes.query_budget_s,
                reuse=reuse_query_kb,
                base_articles=sizes.query_base_articles,
            )
        res["wall_seconds"] = round(time.perf_counter() - started, 1)
        doc["benchmarks"][name] = res
    return doc


def _made(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def table(doc: dict[str, Any]) -> str:
    """The human summary: one block per benchmark."""
    lines = []
    b = doc["benchmarks"]
    if "crossref" in b:
        c = b["crossref"]
        o, base = c["ours"], c["baseline"]
        lines += [
            f"Crossref: {c['sizes']['unique_dois']} unique DOIs, latency "
            f"{c['sizes']['latency_s'] * 1000:.0f} ms",
            f"  DOI lookups  ours {o['doi_seconds']:>8.2f} s  "
            f"baseline {base['doi_seconds']:>8.2f} s"
            f"  x{c['ratio']}  ({o['doi_requests']} requests, {o['requests_per_doi']} per DOI)",
            f"  suggestions  ours {o['suggest_seconds']:>8.2f} s  baseline "
            f"{base['suggest_seconds']:>8.2f} s  x{c['ratio_suggestions']}  "
            f"({o['suggest_requests']} vs {base['suggestion_queries']} requests)",
            f"  total        ours {o['seconds']:>8.2f} s  baseline {base['seconds']:>8.2f} s"
            f"  x{c['ratio_total']}",
            f"  429s ours {o['status_429']}, baseline {base['status_429']}; second run "
            f"{o['second_run']['requests']} requests in {o['second_run']['seconds']} s; "
            f"target met: {c['target']['met']}  checks: {c['checks']}",
        ]
    if "ingest" in b:
        g = b["ingest"]
        o, base = g["ours"], g["baseline"]
        lines += [
            f"Ingest: {g['sizes']['articles']} articles, {g['sizes']['rows']:,} rows",
            f"  build        {o['seconds']:>8.2f} s  {o['articles_per_s']:>8.1f} articles/s  "
            f"{o['rows_per_s']:>9,} rows/s  ({o['failed']} failed)",
            f"  raw insert   {base['seconds']:>8.2f} s  {'':>19}  {base['rows_per_s']:>9,} rows/s",
            f"  share of ceiling {g['ratio']:.1%} (target >= 25%: {g['target']['met']})",
            "  where the time goes (cumulative, project functions):",
        ]
        for p in g["profile"]["project_cumulative"][:8]:
            lines.append(f"    {p['cumulative_s']:>8.2f} s {p['share']:>6.1%}  {p['function']}")
    if "corpus" in b:
        from bench import corpus_report

        lines.append(corpus_report.summary_text(b["corpus"]))
    if "queries" in b:
        q = b["queries"]
        lines.append(
            f"Queries: {q['sizes']['articles']} articles, p50/p95 ms, ours vs baseline "
            f"(no indexes, no FTS)"
        )
        for r in q["targets"]:
            o, base = r["ours"], r["baseline"]
            flag = "" if o["p95_ms"] < 100 and not o["errors"] else "  <-- over 100 ms / error"
            lines.append(
                f"  {r['target'][:44]:<44} {o['p50_ms']:>7.1f} {o['p95_ms']:>7.1f}   "
                f"{base['p50_ms']:>8.1f} {base['p95_ms']:>8.1f}   x{r['ratio_p95']}{flag}"
            )
        lines.append(f"  target p95 < 100 ms everywhere: {q['target']['met']}")
    if "parser" in b:
        from bench import parser_eval

        lines += ["Reference parser (held-out split):", parser_eval.table(b["parser"])]
    if "import" in b:
        m = b["import"]
        full = m["full_file"]
        lines += [
            f"Crossref data-file import: {m['sizes']['works']:,} works in "
            f"{m['sizes']['files']} files",
            f"  kb crossref import {m['ours']['seconds']:>8.1f} s  "
            f"{m['ours']['records_per_s']:>8,} records/s  (exit {m['ours']['exit_code']})",
            f"  parse only         {m['baseline']['seconds']:>8.1f} s  "
            f"{m['baseline']['records_per_s']:>8,} records/s",
            f"  full file ({full['records']:,} records): about {full['implied_hours']} h",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, under a minute")
    ap.add_argument("--only", choices=BENCHES, action="append", help="run only this benchmark")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORK, help="scratch files")
    ap.add_argument(
        "--reuse-query-kb", action="store_true", help="reuse the query KB of an earlier run"
    )
    args = ap.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    started = time.perf_counter()
    doc = run_all(
        args.only,
        sizes=sizes,
        seed=args.seed,
        workdir=args.workdir,
        reuse_query_kb=args.reuse_query_kb,
        echo=lambda m: print(m, file=sys.stderr, flush=True),
    )
    doc["quick"] = args.quick
    doc["wall_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    print(table(doc))
    print(f"Benchmarks done in {doc['wall_seconds']} s; results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
