"""How the knowledge base is served with Datasette: one definition for the CLI and the tests.

``datasette_argv`` builds the command line of the real server (``kb serve``, the browser
test, a deployment); ``make_datasette`` builds the same instance in-process for tests.
Both use ``datasette_metadata.json``, ``templates/``, the plugin in
``kb/datasette_plugins/`` and the settings of ``kb.datasette_settings``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ingest.resources import RESOURCES
from kb.datasette_settings import SETTINGS, settings_argv

METADATA = RESOURCES.metadata
TEMPLATES_DIR = RESOURCES.templates
# A directory holding only the plugin shim: Datasette imports every *.py in it.
PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"


def datasette_argv(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    immutable: bool = False,
    inspect_file: str | Path | None = None,
) -> list[str]:
    """The argv that serves ``db_path`` (database name = file stem, ``kb``) read-only.

    ``immutable=True`` opens the file with ``-i`` (no locking, counts cached; for a
    published copy that never changes); ``inspect_file`` is the JSON written by
    ``datasette inspect`` for that copy.
    """
    argv = [sys.executable, "-m", "datasette", "serve"]
    argv += ["-i", str(db_path)] if immutable else [str(db_path)]
    if inspect_file is not None:
        argv += ["--inspect-file", str(inspect_file)]
    argv += [
        "--metadata",
        str(METADATA),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--host",
        host,
        "--port",
        str(port),
    ]
    return argv + settings_argv()


def load_metadata() -> dict:
    return json.loads(METADATA.read_text(encoding="utf-8"))


def make_datasette(db_path: str | Path, *, immutable: bool = False):
    """An in-process ``datasette.app.Datasette`` configured exactly like the real server."""
    from datasette.app import Datasette  # imported late: the CLI does not need it at import

    files = {"immutables": [str(db_path)]} if immutable else {"files": [str(db_path)]}
    return Datasette(
        **files,
        metadata=load_metadata(),
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
        settings=dict(SETTINGS),
    )
