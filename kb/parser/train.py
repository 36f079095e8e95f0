"""Train the reference-field CRF from the labelled strings (``kb parser train``).

Deterministic for a seed: the examples are read in a fixed order, shuffled by the seed,
and L-BFGS (python-crfsuite) has no randomness of its own. Only the training split is
used (``kb.parser.corpus``); the held-out split is for ``bench/parser_eval.py``.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from ingest import reference_crf, reference_dicts, reference_tokens
from kb.parser import corpus, synth

NAME_WORDS = reference_dicts.DICT_DIR / "name-words.txt"
SYNTHETIC = 2500  # strings made from training values in the journal styles (kb.parser.synth)
OWN_WEIGHT = 3  # each of our own labelled strings counts three times
# c1/c2 chosen by 3-fold cross-validation on the training split (kb.parser.thresholds):
# 0.15/0.05 beat 0.05/0.01 by 0.004-0.006 all-field F1.
PARAMS = {
    "c1": 0.15,  # L1: keeps the model small
    "c2": 0.05,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}


@dataclass
class TrainResult:
    examples: int
    tokens: int
    seconds: float
    model: Path
    size: int


def write_name_words(train: list[corpus.Example], path: Path) -> int:
    """Words seen in author fields at least twice and never in titles: the name feature."""
    in_authors: Counter[str] = Counter()
    in_titles: set[str] = set()
    for ex in train:
        for lab, text in ex.segments:
            words = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)}
            if lab == "author":
                in_authors.update(words)
            elif lab in {"title", "container"}:
                in_titles |= words
    names = sorted(w for w, n in in_authors.items() if n >= 2 and w not in in_titles)
    head = "# Name words: seen twice or more in author fields of the training split and never\n"
    head += "# in a title or container (written by `kb parser train`; BSD-2-Clause/Apache-2.0\n"
    head += "# sources, see data/parser/training/README.md).\n"
    path.write_text(head + "\n".join(names) + "\n", encoding="utf-8")
    return len(names)


def train(seed: int = 13, model: Path | None = None, max_iterations: int | None = None):
    """Train on the training split and write the model; returns what was done."""
    t0 = time.perf_counter()
    examples, _ = corpus.split(corpus.load())
    out = model or reference_crf.MODEL_PATH
    n_examples, n_tokens = train_model(examples, seed, out, NAME_WORDS, max_iterations)
    return TrainResult(n_examples, n_tokens, time.perf_counter() - t0, out, out.stat().st_size)


def train_model(
    examples: list[corpus.Example],
    seed: int,
    out: Path,
    name_words: Path,
    max_iterations: int | None = None,
    params: dict | None = None,
) -> tuple[int, int]:
    """Train a CRF on these labelled strings (own labels weighted, synthetic strings added)
    and write it to ``out``, with the name-word list to ``name_words`` (which the features
    of training use). Returns (strings, tokens) trained on."""
    examples = list(examples)
    own = [e for e in examples if e.source == corpus.OWN]
    examples += own * (OWN_WEIGHT - 1)  # few, and the styles our articles use
    examples += synth.synthesize(examples, SYNTHETIC, seed)
    random.Random(seed).shuffle(examples)
    write_name_words(examples, name_words)
    before = reference_dicts.name_words_path()
    reference_dicts.use_name_words(name_words)
    try:
        n_tokens = _fit(examples, out, {**PARAMS, **(params or {})}, max_iterations)
    finally:
        reference_dicts.use_name_words(before)
    return len(examples), n_tokens


def _fit(
    examples: list[corpus.Example], out: Path, params: dict, max_iterations: int | None
) -> int:
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    params = dict(params)
    if max_iterations:
        params["max_iterations"] = max_iterations
    trainer.set_params(params)
    n_tokens = 0
    for ex in examples:
        toks, labels = corpus.token_labels(ex)
        if not toks:
            continue
        trainer.append(reference_tokens.features(toks, ex.text), labels)
        n_tokens += len(toks)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    return n_tokens
