"""Every command has help; user errors are one clean line; stats JSON keeps its keys."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.stats import COUNTS


def all_commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


COMMANDS = list(all_commands(cli))


def test_the_cli_has_the_documented_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"build", "serve", "stats", "publish"} <= names


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path, cmd):
    assert cmd.help and len(cmd.help.strip()) > 20, f"kb {' '.join(path)} has no real docstring"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert cmd.help.strip().splitlines()[0][:30] in result.output


def test_stats_on_missing_db_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("Error:")
    assert len(result.output.strip().splitlines()) == 1


def test_stats_json_contract(engine, tmp_path):
    db = tmp_path / "kb.db"  # the `engine` fixture created it, shaped and empty
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    documented = {
        "articles",
        "claims",
        "references",
        "study_links",
        "dangling_markers",
        "works",
        "conditions",
        "findings",
        "findings_by_severity",
        "findings_by_code",
    }
    assert documented <= set(data)
    assert set(COUNTS) <= set(data)
    assert all(isinstance(data[k], int) for k in COUNTS)
    assert data["articles"] == 0 and data["findings_by_severity"] == {}
