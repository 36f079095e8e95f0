"""kb publish writes a self-contained, immutable copy Datasette can serve with its inspect file."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from click.testing import CliRunner
from datasette.app import Datasette

from kb.build import BuildOptions, build
from kb.cli import cli


def test_publish_writes_a_checkpointed_copy_with_inspect_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(
        "# T\n\nLDN helped in lupus [1].\n\n## References\n\n"
        "1. Doe J. A study. J Test. 2001;1:1-2.\n"
    )
    build(["a.md"], tmp_path / "kb.db", BuildOptions(offline=True))
    result = CliRunner().invoke(cli, ["publish", "out", "--db", "kb.db"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "kb.db").exists() and not (out / "kb.db-wal").exists()
    con = sqlite3.connect(out / "kb.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("SELECT count(*) FROM claim").fetchone()[0] == 1
    inspect = json.loads((out / "inspect.json").read_text())
    assert inspect["kb"]["tables"]["claim"]["count"] == 1
    assert (out / "datasette_metadata.json").exists()
    assert (out / "plugins" / "datasette_plugin.py").exists()
    # the pages plugin and the package it renders from travel with it
    assert (out / "plugins" / "datasette_pages.py").exists()
    assert (out / "plugins" / "pages" / "review.py").exists()
    assert "datasette==" in (out / "README.md").read_text()
    # Datasette serves the copy immutably with the inspect data.
    ds = Datasette(
        immutables=[str(out / "kb.db")],
        inspect_data=inspect,
        metadata=json.loads((out / "datasette_metadata.json").read_text()),
    )
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(ds.client.get("/kb/claim.json?_shape=array"))
    finally:
        loop.close()
    assert [r["text"] for r in response.json()] == ["LDN helped in lupus [1]."]
