"""Publish a checkpointed, immutable copy of the knowledge base for Datasette."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest.resources import RESOURCES

METADATA = RESOURCES.metadata
TEMPLATES = RESOURCES.templates
PLUGIN = Path(__file__).resolve().parent / "datasette_plugin.py"
# the pages plugin and the stdlib-only package it renders from (kb/pages), copied beside it
PAGES_PLUGIN = Path(__file__).resolve().parent / "datasette_pages.py"
# table facets from the summaries, search counts from the index (Datasette only)
FACETS_PLUGIN = Path(__file__).resolve().parent / "datasette_facets.py"
PAGES = Path(__file__).resolve().parent / "pages"

README = """# evidence-kb, published copy

This folder is an immutable snapshot of the knowledge base, ready to serve:

    datasette -i kb.db --inspect-file inspect.json -m datasette_metadata.json \\
        --template-dir templates --plugins-dir plugins {settings}

or to deploy with Datasette's own publish commands, pinned to the tested
Datasette {version}, for example:

    datasette publish cloudrun kb.db -m datasette_metadata.json \\
        --template-dir templates --plugins-dir plugins \\
        --install datasette=={version} --extra-options "{settings}"
"""


@dataclass
class Published:
    db: Path
    inspect: Path
    readme: Path
    size: int


def publish(db_path: Path, out_dir: Path) -> Published:
    """Copy ``db_path`` with SQLite's backup API (consistent even while a build
    writes), checkpoint it into a single file, and write the inspect file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "kb.db"
    tmp = out_dir / "kb.db.tmp"
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    with dst:
        src.backup(dst)
    src.close()
    # One self-contained file: no -wal beside it, nothing left to checkpoint.
    dst.execute("PRAGMA journal_mode=DELETE")
    dst.execute("VACUUM")
    dst.close()
    tmp.replace(target)

    inspect = out_dir / "inspect.json"
    data = subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(target)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    inspect.write_text(json.dumps(json.loads(data), indent=2))

    if METADATA.exists():
        shutil.copy2(METADATA, out_dir / METADATA.name)
    if TEMPLATES.is_dir():
        shutil.copytree(TEMPLATES, out_dir / "templates", dirs_exist_ok=True)
    if PLUGIN.exists():
        (out_dir / "plugins").mkdir(exist_ok=True)
        shutil.copy2(PLUGIN, out_dir / "plugins" / PLUGIN.name)
        shutil.copy2(PAGES_PLUGIN, out_dir / "plugins" / PAGES_PLUGIN.name)
        shutil.copy2(FACETS_PLUGIN, out_dir / "plugins" / FACETS_PLUGIN.name)
        shutil.copytree(
            PAGES,
            out_dir / "plugins" / "pages",
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )

    import datasette

    from kb.datasette_settings import settings_argv

    readme = out_dir / "README.md"
    readme.write_text(
        README.format(version=datasette.__version__, settings=" ".join(settings_argv()))
    )
    return Published(db=target, inspect=inspect, readme=readme, size=target.stat().st_size)
