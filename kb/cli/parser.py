"""`kb parser train`: the learned reference parser's model."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli import cli


@cli.group()
def parser() -> None:
    """The learned reference-field parser: train its model."""


@parser.command("train")
@click.option("--seed", type=int, default=13, show_default=True, help="Shuffle seed.")
@click.option(
    "--model",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: the one the package loads).",
)
@click.option("--iterations", type=int, default=None, help="L-BFGS iterations (default 150).")
def train(seed: int, model: Path | None, iterations: int | None) -> None:
    """Train the reference parser on data/parser/training (the training split only).

    Deterministic for a seed; a few minutes on two cores. Writes the CRF model and the
    name-word list it uses (data/parser/dict/name-words.txt).
    """
    from kb.parser.train import train as run

    res = run(seed=seed, model=model, max_iterations=iterations)
    click.echo(
        f"Trained on {res.examples} strings ({res.tokens} tokens) in {res.seconds:.0f}s; "
        f"model {res.size / 1e6:.1f} MB at {res.model}."
    )
