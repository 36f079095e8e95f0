"""docs/architecture.md stays true: every module and file it names exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "architecture.md"
# `ingest/...`, `kb/...`, `tests/...`, `data/...` inside backticks; `<...>` is a placeholder
PATH = re.compile(r"`((?:ingest|kb|tests|data|docs|templates)/[^`\s]*)`")


def named_paths() -> list[str]:
    return sorted(set(PATH.findall(PAGE.read_text(encoding="utf-8"))))


def test_the_page_names_modules():
    paths = named_paths()
    assert len(paths) > 30
    assert "kb/parallel.py" in paths and "ingest/resources.py" in paths


def test_every_path_the_page_names_exists():
    missing = []
    for path in named_paths():
        if "<" in path:
            continue
        if "*" in path:
            if not list(ROOT.glob(path)):
                missing.append(path)
        elif not (ROOT / path).exists():
            missing.append(path)
    assert missing == []


def test_a_missing_path_would_be_caught():
    # the pattern finds paths the way the page writes them
    assert PATH.findall("see `kb/nowhere.py` and `ingest/crossref/`") == [
        "kb/nowhere.py",
        "ingest/crossref/",
    ]
    assert not (ROOT / "kb/nowhere.py").exists()
