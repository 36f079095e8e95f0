"""An installed wheel carries its runtime files and builds the sample article offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kb.database import open_db
from kb.stats import stats
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.slow

RUNTIME_FILES = [
    "data/articles/ldn-article.txt",
    "data/conditions.csv",
    "data/evidence_rules.json",
    "data/furniture.txt",
    "data/audit/non_scholarly_sources.csv",
    "data/snapshot/part-00000.json.gz",
    "templates/row-kb-claim.html",
    "datasette_metadata.json",
]

# Run by the installed copy, from a folder outside the repository.
INSTALLED_BUILD = """
import json, sys
from pathlib import Path
import ingest, kb
from ingest.resources import RESOURCES
from kb.cli import cli
target = Path(sys.argv[1]).resolve()
for module in (kb, ingest):
    assert Path(module.__file__).resolve().is_relative_to(target), module.__file__
assert RESOURCES.root == target / "ingest" / "_resources", RESOURCES.root
cli(["build", "--offline", "--db", "kb.db"], standalone_mode=False)
print(json.dumps(str(RESOURCES.root)))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # hatchling's PEP 517 hook, in-process and offline (``uv build`` would fetch hatchling)
    code = "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return out / done.stdout.strip().splitlines()[-1]


def test_the_wheel_carries_the_runtime_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in RUNTIME_FILES:
        assert f"ingest/_resources/{name}" in names, name
        packaged = zipfile.ZipFile(wheel).read(f"ingest/_resources/{name}")
        assert packaged == (ROOT / name).read_bytes(), name
    assert "kb/datasette_plugin.py" in names


def test_an_installed_wheel_builds_the_sample_offline_outside_the_repository(wheel, tmp_path):
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    zipfile.ZipFile(wheel).extractall(target)  # a pure wheel installed without its deps
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", INSTALLED_BUILD, str(target)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # data/articles/ ships the sample and four openly licensed real articles (issue 12)
    assert "Built: 5 inputs, 5 ingested" in done.stdout
    root = Path(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not root.is_relative_to(ROOT)

    # the same counts as a build of the repository's own sample
    from kb.build import BuildOptions, build

    here = tmp_path / "here.db"
    build([str(DATA / "articles")], here, BuildOptions(offline=True))
    installed = stats(open_db(elsewhere / "kb.db"))
    assert installed == stats(open_db(here))
    assert installed["articles"] == 5 and installed["claims"] > 0
    assert installed["works"] > 0  # the packaged snapshot was read
