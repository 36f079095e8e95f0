"""Choose the per-field confidence thresholds by k-fold cross-validation on the training
split (``kb parser thresholds``); the held-out split is never read.

Each fold's strings are parsed by a model trained (as ``kb parser train`` trains, same
seed and parameters) on the other folds; every field returned is recorded with its
confidence and whether it matched the gold field (the rules of ``kb.parser.score``).
The thresholds then start at 0 and are raised greedily, one field a step along a fixed
grid, always the step that withholds the most wrong values per right value lost, until
the precision of the values still returned reaches the target. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest import reference_crf, reference_dicts
from ingest.reference_fields import read_reference
from ingest.reference_thresholds import THRESHOLDS_PATH
from ingest.types import ReferenceFields
from kb.parser import corpus
from kb.parser.score import scored_pairs

# The scored field -> the confidence that decides it (the DOI is read by exact rules).
CONFIDENCE_OF = {
    "first_author": "authors",
    "title": "title",
    "journal": "journal",
    "year": "year",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
}
GRID = tuple(round(0.30 + 0.01 * k, 2) for k in range(70))  # 0.30 ... 0.99


@dataclass(frozen=True)
class Observation:
    field: str  # the scored field
    confidence: float | None  # of the value returned (None: the field is never withheld)
    gold: str | None
    got: str | None


def fold_of(text: str, k: int) -> int:
    """The fold of a string, fixed by the string (second SHA-1 byte; the first decides the
    held-out split)."""
    return hashlib.sha1(text.encode("utf-8")).digest()[1] % k


def observe(
    examples: list[corpus.Example], read: Callable[[str], ReferenceFields] = read_reference
) -> list[Observation]:
    """Every scored field of every string as the current model reads it, none withheld."""
    out = []
    for ex in examples:
        f = read(ex.text)
        for field, g, p in scored_pairs(ex, f):
            name = CONFIDENCE_OF.get(field)
            out.append(Observation(field, f.confidence.get(name) if name else None, g, p))
    return out


def cross_validate(
    k: int, seed: int, workdir: Path, params: dict | None = None
) -> list[Observation]:
    """Train k fold models into ``workdir`` and observe each on its own fold."""
    from kb.parser.train import train_model

    train, _ = corpus.split(corpus.load())
    obs: list[Observation] = []
    for i in range(k):
        fit = [e for e in train if fold_of(e.text, k) != i]
        held = [e for e in train if fold_of(e.text, k) == i]
        model, names = workdir / f"fold{i}.crfsuite", workdir / f"fold{i}-names.txt"
        train_model(fit, seed, model, names, params=params)
        obs += observe_with(model, names, held)
    return obs


def observe_with(model: Path, names: Path, examples: list[corpus.Example]) -> list[Observation]:
    """``observe`` with another model and its name-word list, then back to the package's."""
    before = reference_dicts.name_words_path()
    reference_dicts.use_name_words(names)
    reference_crf.tagger(model)
    try:
        return observe(examples)
    finally:
        reference_dicts.use_name_words(before)
        reference_crf.tagger(
            reference_crf.MODEL_PATH if reference_crf.MODEL_PATH.exists() else model
        )


def counts(obs: list[Observation], limits: dict[str, float]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) with these thresholds."""
    tp = fp = fn = 0
    for o in obs:
        got = o.got
        name = CONFIDENCE_OF.get(o.field)
        if got is not None and name and o.confidence is not None:
            if o.confidence < limits.get(name, 0.0):
                got = None
        if got is not None:
            if got == o.gold:
                tp += 1
            else:
                fp += 1
                fn += o.gold is not None
        elif o.gold is not None:
            fn += 1
    return tp, fp, fn


def _withheld(obs: list[Observation]) -> dict[str, dict[float, tuple[int, int]]]:
    """Field -> grid value -> (right values, wrong values) a threshold there withholds."""
    out: dict[str, dict[float, tuple[int, int]]] = {}
    for name in sorted(set(CONFIDENCE_OF.values())):
        mine = [
            (o.confidence, o.got == o.gold)
            for o in obs
            if CONFIDENCE_OF.get(o.field) == name and o.got is not None and o.confidence is not None
        ]
        out[name] = {
            g: (sum(ok for c, ok in mine if c < g), sum(not ok for c, ok in mine if c < g))
            for g in GRID
        }
    return out


def choose(obs: list[Observation], target: float) -> dict[str, float]:
    """Raise thresholds greedily until precision reaches ``target`` (see the module)."""
    tp, fp, _ = counts(obs, {})
    table = _withheld(obs)
    limits = {name: 0.0 for name in table}
    lost = {name: (0, 0) for name in table}  # (right, wrong) withheld at the current limit
    while tp + fp and tp / (tp + fp) < target:
        best = None
        for name in sorted(table):
            for g in GRID:
                if g <= limits[name]:
                    continue
                right = table[name][g][0] - lost[name][0]
                wrong = table[name][g][1] - lost[name][1]
                gain = wrong / (right + 1)  # wrong values withheld per right value lost
                if wrong > 0 and (best is None or gain > best[0]):
                    best = (gain, name, g, right, wrong)
        if best is None:
            break
        _, name, g, right, wrong = best
        limits[name], lost[name] = g, table[name][g]
        tp, fp = tp - right, fp - wrong
    return {name: v for name, v in limits.items() if v > 0}


def prf(obs: list[Observation], limits: dict[str, float]) -> dict[str, float]:
    tp, fp, fn = counts(obs, limits)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4)}


def select(k: int = 3, seed: int = 13, target: float = 0.955, workdir: Path | None = None) -> dict:
    """Cross-validate, choose the thresholds and write them beside the model."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        obs = cross_validate(k, seed, workdir or Path(tmp))
    limits = choose(obs, target)
    model = reference_crf.MODEL_PATH
    data = {
        "thresholds": limits,
        "chosen_by": f"{k}-fold cross-validation on the training split, seed {seed}, "
        f"target precision {target}",
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest() if model.exists() else None,
        "cross_validation": {"before": prf(obs, {}), "after": prf(obs, limits), "values": len(obs)},
    }
    THRESHOLDS_PATH.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
