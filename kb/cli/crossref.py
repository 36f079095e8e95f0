"""`kb crossref import|lookup|build-snapshot`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb.cli import cli
from kb.cli.options import DB_OPTION, crossref_options, open_existing


def _engine(db_path: str, must_exist: bool = False):
    return open_existing(db_path, must_exist=must_exist)


@cli.group()
def crossref() -> None:
    """Crossref: look up DOIs, import and build offline snapshots."""


@crossref.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@DB_OPTION
def import_(path: Path, db_path: str) -> None:
    """Load a snapshot in the format of Crossref's public data file.

    PATH is a folder of .json.gz files (searched recursively), each {"items": [...]}, or
    one such file. Works are stored with provenance "snapshot"; answers already
    received from the Crossref API are kept.
    """
    from ingest.crossref.snapshot import SnapshotError, snapshot_files
    from kb.crossref.snapshot import import_snapshot
    from kb.lock import write_lock

    try:
        # a bulk writer like a build: one at a time (kb.lock)
        with write_lock(db_path, echo=lambda m: click.echo(m, err=True)):
            engine = _engine(db_path)
            files = snapshot_files(path)
            with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:
                total = import_snapshot(engine, path, on_file=lambda _f, _n: bar.update(1))
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {total} works from {len(files)} file(s) into {db_path}.")


@crossref.command("build-snapshot")
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="JSONL of Crossref work messages (default: data/snapshot/source/works.jsonl).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: data/snapshot).",
)
def build_snapshot_cmd(source: Path | None, out: Path | None) -> None:
    """Write an offline snapshot (.json.gz files, {"items": [...]}) from a JSONL file."""
    from ingest.crossref.snapshot import DEFAULT_SNAPSHOT, DEFAULT_SOURCE, build_snapshot

    source, out = source or DEFAULT_SOURCE, out or DEFAULT_SNAPSHOT
    try:
        files = build_snapshot(source, out)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot build snapshot from {source}: {exc}") from exc
    click.echo(f"Wrote {len(files)} snapshot file(s) to {out} from {source}.")


@crossref.command()
@click.argument("doi")
@DB_OPTION
@crossref_options
@click.option("--json", "as_json", is_flag=True, help="Print the raw Crossref message.")
def lookup(doi, db_path, offline, refresh, mailto, base_url, as_json) -> None:
    """Print what the cache (or else Crossref) says about DOI; API answers are cached."""
    from kb.crossref.lookup import DoiLookupError, lookup_one

    try:
        answer = lookup_one(
            _engine(db_path), doi, offline=offline, refresh=refresh, mailto=mailto,
            base_url=base_url,
        )  # fmt: skip
    except DoiLookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if answer.warning:
        click.echo(answer.warning, err=True)
    if as_json:
        click.echo(json.dumps(answer.message, indent=2, ensure_ascii=False))
    elif answer.status == "not_found":
        click.echo(f"{answer.doi}: not found in Crossref (404)")
    else:
        _print_work(answer.message)
    click.echo(f"{answer.doi}: {answer.status.replace('_', ' ')} — from {answer.source}.")


def _print_work(msg: dict) -> None:
    from kb.crossref.works import work_from_message

    work, updates = work_from_message(msg)
    fields = [
        ("DOI", work.doi), ("Title", work.title), ("First author", work.first_author),
        ("Journal", work.container_title), ("Year", work.year), ("Volume", work.volume),
        ("Issue", work.issue), ("Pages", work.page), ("Article no.", work.article_number),
        ("Type", work.type), ("Publisher", work.publisher),
    ]  # fmt: skip
    for label, value in fields:
        if value:
            click.echo(f"{label:>13}: {value}")
    for u in updates:
        click.echo(f"{'Update':>13}: {u.update_type} {u.update_doi or ''} ({u.source}, {u.date})")
