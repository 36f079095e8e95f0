"""`kb suggestion accept|reject|list`: editors' decisions on suggested DOIs."""

from __future__ import annotations

import json

import click
from sqlalchemy import select
from sqlmodel import Session

from kb.cli import cli
from kb.cli.options import DB_OPTION, open_existing


@cli.group()
def suggestion() -> None:
    """Editors' decisions on suggested DOIs (they survive rebuilds)."""


def _decide(db_path: str, suggestion_id: int, status: str) -> str:
    from kb.crossref.decisions import UnknownSuggestion, decide

    engine = open_existing(db_path, must_exist=True)
    with Session(engine) as session:
        try:
            return decide(session, suggestion_id, status).line()
        except UnknownSuggestion as exc:
            raise click.ClickException(str(exc)) from exc


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

    engine = open_existing(db_path, must_exist=True)
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
