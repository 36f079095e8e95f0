"""`kb audit`: the editor's report of what to fix, article by article."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli import cli
from kb.cli.options import DB_OPTION, open_existing

FORMATS = ("text", "markdown", "csv", "json", "html")


@cli.command()
@click.argument("article", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: a table for the terminal; markdown, csv or json to save or share; "
    "html: the review page as one self-contained file to send to an author.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to FILE instead of the terminal.",
)
@DB_OPTION
@click.option(
    "--rerun",
    is_flag=True,
    help="Run the audit rules again before reporting (e.g. after accepting a DOI).",
)
def audit(article: str | None, fmt: str, output: str | None, db_path: str, rerun: bool) -> None:
    """Report every reference and citation to fix, worst first, with the fix.

    ARTICLE is an article id, its source path or URL, or a fragment of its title;
    without it, every article is reported. The JSON output is the documented, stable
    contract for editors' scripts (see kb.audit.report).
    """
    from sqlmodel import Session

    from kb.audit import run_audit
    from kb.audit.render import RENDERERS, summary_line
    from kb.audit.report import ArticleNotFound, audit_report, resolve_articles

    engine = open_existing(db_path)
    try:
        if rerun:
            with Session(engine) as session:
                articles = resolve_articles(session, article)
                with click.progressbar(articles, label="Auditing", file=sys.stderr) as bar:
                    for a in bar:
                        run_audit(session, a.id)
                session.commit()
        report = audit_report(engine, article)
    except ArticleNotFound as exc:
        raise click.ClickException(str(exc)) from None

    text = _render_html(engine, report) if fmt == "html" else RENDERERS[fmt](report)
    if output:
        Path(output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"Wrote {fmt} report to {output}: {summary_line(report)}")
    else:
        click.echo(text)
        if fmt != "text":  # the text table already ends with it; keep stdout parseable
            click.echo(summary_line(report), err=True)


def _render_html(engine, report: dict) -> str:
    """The review pages of the report's articles, as one self-contained HTML document."""
    from sqlmodel import Session, select

    from kb.audit.render import summary_line
    from kb.models import Article
    from kb.pages.render import render_review_html

    sources = [a["article"] for a in report["articles"]]
    with Session(engine) as session:
        ids = {a.source: a.id for a in session.exec(select(Article))}
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        return render_review_html(raw, [ids[s] for s in sources], summary_line(report))
