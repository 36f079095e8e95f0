"""Pytest fixtures for Crossref: a running test server on a free 127.0.0.1 port.

``crossref_server`` is a fresh ``CrossrefTestServer`` per test (request log in
``.log``, counters in ``.stats``, faults via ``.add_fault``); ``crossref_url`` its
base URL. ``no_crossref_network`` makes any request outside 127.0.0.1 fail the test.
"""

from __future__ import annotations

import pytest

from ingest.crossref.testing import CrossrefTestServer, ServerLimits, load_world


@pytest.fixture
def crossref_server():
    with CrossrefTestServer(load_world()) as srv:
        yield srv


@pytest.fixture
def polite_crossref_server():
    """Enforces the polite pool's limits itself (429 beyond them)."""
    with CrossrefTestServer(load_world(), limits=ServerLimits.polite()) as srv:
        yield srv


@pytest.fixture
def crossref_url(crossref_server) -> str:
    return crossref_server.url


@pytest.fixture(autouse=True)
def _crossref_env(monkeypatch):
    """Tests never reach api.crossref.org: a default base URL that refuses at once."""
    monkeypatch.setenv("KB_CROSSREF_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KB_MAILTO", "tests@example.org")
