"""Benchmarks: Crossref efficiency, ingest throughput and query latency, each against a baseline.

Run them with ``python -m bench.run`` (or ``./run.sh bench``); see ``bench/README.md``.
"""
