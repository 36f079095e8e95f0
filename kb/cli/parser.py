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


@parser.command("thresholds")
@click.option("--seed", type=int, default=13, show_default=True, help="Shuffle seed.")
@click.option("--folds", type=click.IntRange(min=2), default=3, show_default=True, help="CV folds.")
@click.option(
    "--precision",
    type=click.FloatRange(0.5, 1.0),
    default=0.95,
    show_default=True,
    help="Precision of the fields returned that the thresholds aim for.",
)
def thresholds(seed: int, folds: int, precision: float) -> None:
    """Choose the per-field confidence thresholds by cross-validation on the training split.

    Trains one model per fold (as `kb parser train` does, on the other folds), reads each
    fold with its model, and raises each field's threshold until the fields returned
    reach the precision asked for. Writes data/parser/thresholds.json beside the model;
    run it after every `kb parser train` (about FOLDS training runs of CPU).
    """
    from kb.parser.thresholds import select

    res = select(k=folds, seed=seed, target=precision)
    cv = res["cross_validation"]
    limits = ", ".join(f"{k} {v:.2f}" for k, v in sorted(res["thresholds"].items())) or "none"
    click.echo(
        f"Thresholds: {limits}. Cross-validated ({folds} folds, {cv['values']} values): "
        f"P {cv['before']['p']:.3f} -> {cv['after']['p']:.3f}, "
        f"R {cv['before']['r']:.3f} -> {cv['after']['r']:.3f}."
    )
