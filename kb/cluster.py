"""Scale-out: the per-article compute of a build on a Dask distributed cluster.

``kb build --cluster ADDRESS`` connects a ``distributed.Client`` to the scheduler at
ADDRESS and hands its ``concurrent.futures`` executor (``Client.get_executor()``) to
the build, which submits what it submits to the local process pool, in tasks of
``TASK_ARTICLES`` articles: parsing (``kb.parallel.compute_articles``, the articles'
bytes in, rows out) and the derived layers (``kb.derive.derive_tasks``, which read the
database by its path). Results stream back in input order, fetched straight from the
worker that holds them. The writer,
reading inputs and the Crossref step stay in this process: SQLite has one writer, and
Crossref's rate limit is per client, so neither gains from more machines.

Workers need the project installed (same version) and, for the derived layers, the
database file readable at the same path (a shared, read-only mount).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

CONNECT_TIMEOUT = "10s"
# Articles a task: a cluster's task costs a few milliseconds of scheduling and transfer
# (a local pool's a fraction of one), so several articles share one.
TASK_ARTICLES = 4


class ClusterError(Exception):
    """The cluster cannot be used (one line for the user)."""


@contextmanager
def cluster_executor(address: str) -> Iterator[Executor]:
    """An executor on the Dask cluster at ``address``; ``workers`` is its thread count."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise ClusterError(f"dask.distributed is not installed: {exc}") from exc
    try:
        # direct_to_workers: results come from the worker that holds them, not through
        # the scheduler (one transfer instead of two)
        client = Client(
            address, timeout=CONNECT_TIMEOUT, set_as_default=False, direct_to_workers=True
        )
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        executor = client.get_executor()
        threads = sum(client.nthreads().values())
        executor.workers = max(1, threads)  # type: ignore[attr-defined] - the read-ahead window
        executor.chunk = TASK_ARTICLES  # type: ignore[attr-defined]
        yield executor
    finally:
        client.close()
