"""`kb build`, `kb serve`, `kb stats`, `kb publish`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from kb.cli import cli
from kb.cli.options import DB_OPTION, crossref_options, open_existing


def _build_options(offline, refresh, mailto, base_url, **more):
    """The build's options from the shared Crossref flags plus a command's own."""
    from kb.build import BuildOptions

    return BuildOptions(
        offline=offline,
        refresh=refresh,
        mailto=mailto,
        base_url=base_url,
        progress=sys.stderr.isatty(),
        **more,
    )


def _run_build(paths, db_path, opts) -> bool:
    from kb.build import build

    result = build(list(paths) or None, db_path, opts, echo=click.echo)
    for failure in result.failures:
        click.echo(f"FAILED {failure.source} [{failure.stage}]: {failure.reason}", err=True)
    click.echo(result.line())
    return result.ok


@cli.command()
@click.argument("paths", nargs=-1)
@DB_OPTION
@crossref_options
@click.option("--prune", is_flag=True, help="Remove articles whose source is gone.")
@click.option("--force", is_flag=True, help="Re-ingest articles even when unchanged.")
@click.option(
    "--fetch-timeout",
    default=20.0,
    show_default=True,
    type=float,
    help="Seconds to wait on the network (connect, each read) for an article given as a URL.",
)
@click.option(
    "--fetch-deadline",
    default=60.0,
    show_default=True,
    type=float,
    help="Seconds a whole download may take, connect to last byte.",
)
@click.option(
    "--article-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds one article may take to parse (0: no limit); past it, a `timeout` failure.",
)
@click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait while another build writes the database (default: until it ends).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Processes that parse articles (default: one per CPU for big builds; 0: none).",
)
def build(
    paths,
    db_path,
    offline,
    refresh,
    mailto,
    base_url,
    prune,
    force,
    fetch_timeout,
    fetch_deadline,
    article_timeout,
    lock_wait,
    workers,
):
    """Build or update the knowledge base from articles.

    PATHS are files (.txt, .md, .html), folders (read recursively), files
    listing URLs (.urls, or a .txt of URLs one per line) or http(s) URLs.
    Default: data/articles/. Each article is ingested on its own: a failing
    one is reported and the others go on; the command then exits 1.
    Unchanged articles (same content hash) are skipped.
    """
    opts = _build_options(
        offline,
        refresh,
        mailto,
        base_url,
        prune=prune,
        force=force,
        fetch_timeout=fetch_timeout,
        fetch_deadline=fetch_deadline,
        article_timeout=article_timeout or None,
        lock_wait=lock_wait,
        workers=workers,
    )
    if not _run_build(paths, db_path, opts):
        sys.exit(1)


@cli.command()
@DB_OPTION
@crossref_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--no-build", is_flag=True, help="Serve the database as it is.")
def serve(db_path, offline, refresh, mailto, base_url, host, port, no_build):
    """Build the knowledge base if needed, then serve it read-only with Datasette.

    The build reads data/articles/ (unchanged articles are skipped). Failing
    articles are reported but do not stop the server.
    """
    from kb.serve import datasette_argv

    if not no_build:
        _run_build((), db_path, _build_options(offline, refresh, mailto, base_url))
    elif not Path(db_path).exists():
        raise click.ClickException(f"no knowledge base at {db_path} (run `kb build` first)")
    argv = datasette_argv(db_path, host=host, port=port)
    click.echo(f"Serving {db_path} at http://{host}:{port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the Datasette process: signals and exit codes are Datasette's own.
    os.execv(argv[0], argv)


@cli.command()
@DB_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def stats(db_path, fmt):
    """Counts of articles, claims, references, study links, dangling markers,
    works, conditions and findings. `--format json` is a stable contract."""
    from kb.stats import stats as compute

    data = compute(open_existing(db_path))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        click.echo(f"{key:28} {value}")
    click.echo(
        f"{data['articles']} articles, {data['claims']} claims, "
        f"{data['references']} references, {data['findings']} findings"
    )


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@DB_OPTION
def publish(directory, db_path):
    """Write an immutable, checkpointed copy of the database to DIRECTORY,
    with Datasette's inspect file, the metadata, templates and plugins, ready
    for `datasette -i` or `datasette publish`."""
    from kb.publish import publish as do_publish

    open_existing(db_path)
    out = do_publish(Path(db_path), Path(directory))
    click.echo(f"Published {out.db} ({out.size:,} bytes) with {out.inspect.name}; see {out.readme}")
