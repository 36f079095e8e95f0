"""Command-line interface: a thin layer over the kb library."""

import click

from kb.cli.errors import OneLineErrors


@click.group(cls=OneLineErrors)
@click.version_option(package_name="evidence-kb")
def cli() -> None:
    """evidence-kb: claims, references and their evidence, in SQLite and Datasette."""


# Sub-commands register themselves on `cli` when imported.
from kb.cli import audit as _audit  # noqa: E402,F401
from kb.cli import build as _build  # noqa: E402,F401
from kb.cli import crossref as _crossref  # noqa: E402,F401
from kb.cli import parser as _parser  # noqa: E402,F401
from kb.cli import suggestion as _suggestion  # noqa: E402,F401
