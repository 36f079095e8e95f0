"""`kb crossref import|lookup|build-snapshot` and `kb suggestion accept|reject|list`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import select
from sqlmodel import Session

from kb.cli import cli
from kb.cli.options import DB_OPTION, open_existing


def _engine(db_path: str, must_exist: bool = False):  # noqa: ANN202
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
    from ingest.crossref.snapshot import SnapshotError, import_snapshot, snapshot_files

    engine = _engine(db_path)
    try:
        files = snapshot_files(path)
        with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:  # noqa: E501
            total = import_snapshot(engine, path, on_file=lambda _f, _n: bar.update(1))
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {total} works from {len(files)} file(s) into {db_path}.")


@crossref.command("build-snapshot")
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="JSONL of Crossref work messages (default: the test Crossref world).",
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
@click.option("--offline", is_flag=True, help="Only the cache; no request.")
@click.option("--refresh", is_flag=True, help="Ask Crossref even when cached.")
@click.option("--mailto", envvar="KB_MAILTO", help="Contact address (or KB_MAILTO).")
@click.option("--crossref-url", "base_url", envvar="KB_CROSSREF_URL", help="API base URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw Crossref message.")
def lookup(doi, db_path, offline, refresh, mailto, base_url, as_json) -> None:  # noqa: ANN001
    """Print what the cache (or else Crossref) says about DOI; API answers are cached."""
    from ingest.crossref.cache import doi_key, lookup_doi, raw, save_response
    from ingest.crossref.client import CrossrefClient
    from ingest.crossref.errors import CrossrefError
    from ingest.crossref.works import save_work

    doi = doi.strip().removeprefix("https://doi.org/").removeprefix("doi:").strip().lower()
    if not doi:
        raise click.ClickException("empty DOI")
    engine = _engine(db_path)
    with Session(engine) as session:
        row = lookup_doi(session, doi)
        source = f"cache ({row.provenance}, {row.fetched_at})" if row else None
        if not offline and (row is None or refresh or row.provenance != "api"):
            with CrossrefClient(base_url=base_url, mailto=mailto) as client:
                try:
                    msg = client.fetch_work(doi)
                except CrossrefError as err:
                    if row is None:
                        raise click.ClickException(f"{doi}: unverified ({err})") from err
                    click.echo(f"Crossref could not be asked ({err}); showing the cache.", err=True)
                else:
                    status = "found" if msg else "not_found"
                    row = save_response(session, doi_key(doi), status=status, raw=msg, doi=doi)
                    if msg:
                        save_work(session, msg, "api")
                    session.commit()
                    source = "Crossref API"
        if row is None:
            raise click.ClickException(f"{doi}: not in the cache (offline: unverified)")
        message = raw(row)
    if as_json:
        click.echo(json.dumps(message, indent=2, ensure_ascii=False))
    elif row.status == "not_found":
        click.echo(f"{doi}: not found in Crossref (404)")
    else:
        _print_work(message)
    click.echo(f"{doi}: {row.status.replace('_', ' ')} — from {source}.")


def _print_work(msg: dict) -> None:
    from ingest.crossref.works import work_from_message

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


@cli.group()
def suggestion() -> None:
    """Editors' decisions on suggested DOIs (they survive rebuilds)."""


def _decide(db_path: str, suggestion_id: int, status: str) -> str:
    from kb.models import Article, Reference, Suggestion, SuggestionDecision, Work, utcnow

    engine = _engine(db_path, must_exist=True)
    with Session(engine) as session:
        sug = session.get(Suggestion, suggestion_id)
        if sug is None:
            raise click.ClickException(f"no suggestion with id {suggestion_id}")
        ref = session.get(Reference, sug.reference_id)
        article = session.get(Article, sug.article_id)
        key = (article.source, ref.key, sug.doi.lower())
        decision = session.execute(
            select(SuggestionDecision).where(
                SuggestionDecision.article_source == key[0],
                SuggestionDecision.reference_key == key[1],
                SuggestionDecision.doi == key[2],
            )
        ).scalar_one_or_none() or SuggestionDecision(
            article_source=key[0], reference_key=key[1], doi=key[2], status=status
        )
        decision.status, decision.decided_at = status, utcnow()
        sug.status = status
        if status == "accepted" and session.get(Work, sug.doi) is not None:
            ref.work_doi = sug.doi
        elif status == "rejected" and ref.work_doi == sug.doi and ref.verification != "verified":
            ref.work_doi = None
        session.add_all([decision, sug, ref])
        session.commit()
        return f"Suggestion {suggestion_id} {status}: reference {ref.key} of {article.source} -> {sug.doi}."  # noqa: E501


@suggestion.command()
@click.argument("suggestion_id", type=int)
@DB_OPTION
def accept(suggestion_id: int, db_path: str) -> None:
    """Accept suggestion ID: the reference is linked to that work, now and after rebuilds."""
    click.echo(_decide(db_path, suggestion_id, "accepted"))


@suggestion.command()
@click.argument("suggestion_id", type=int)
@DB_OPTION
def reject(suggestion_id: int, db_path: str) -> None:
    """Reject suggestion ID: that DOI is never suggested for the reference again."""
    click.echo(_decide(db_path, suggestion_id, "rejected"))


@suggestion.command("list")
@DB_OPTION
@click.option("--article", help="Only this article (its source path or URL).")
def list_(db_path: str, article: str | None) -> None:
    """List suggested DOIs with their confidence and the fields that agreed."""
    from kb.models import Article, Reference, Suggestion

    engine = _engine(db_path, must_exist=True)
    with Session(engine) as session:
        stmt = (
            select(Suggestion, Reference.key, Article.source)
            .join(Reference, Reference.id == Suggestion.reference_id)
            .join(Article, Article.id == Suggestion.article_id)
            .order_by(Article.source, Reference.position)
        )
        if article:
            stmt = stmt.where(Article.source == article)
        rows = session.execute(stmt).all()
    for sug, key, source in rows:
        agreed = ", ".join(json.loads(sug.agreed))
        click.echo(
            f"{sug.id:>5}  {source} [{key}]  {sug.doi}  {sug.confidence:.2f}  {sug.status}  "
            f"agreed: {agreed}"
        )
    click.echo(f"{len(rows)} suggestion(s).")
