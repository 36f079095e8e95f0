"""Shared fixtures. Each area keeps its fixtures in its own module, listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.crossref.snapshot import DEFAULT_SOURCE
from kb.database import open_db

pytest_plugins: list[str] = [
    "tests.fixtures_crossref",
]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_ARTICLE = DATA / "articles" / "ldn-article.txt"
SHARED_ARTICLES = FIXTURES / "articles"  # copies of ../shared/articles (CC BY / CC0)
CROSSREF_WORLD = DEFAULT_SOURCE  # data/snapshot/source/works.jsonl, see its README


@pytest.fixture
def engine(tmp_path):
    """A fresh, fully shaped database per test."""
    return open_db(tmp_path / "kb.db")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kb.db"
