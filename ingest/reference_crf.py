"""The learned field labeller: a linear-chain CRF (python-crfsuite) over reference tokens.

``prepare`` cuts a string into the tokens the model sees: identifiers (DOI, URL, PMID,
PMCID, ISBN) and citation notes ("Published online ...", "Accessed ...") are read by
exact rules elsewhere and are left out, in training and in parsing alike. ``label``
gives each token a label and the model's marginal probabilities. The model file is
written by ``kb parser train`` and loaded once per process (once per thread).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from ingest import reference_patterns as P
from ingest.doi import find_doi_matches
from ingest.reference_tokens import features, tokenize
from ingest.resources import RESOURCES

MODEL_PATH = RESOURCES.data_file("parser", "model.crfsuite")
_LOCAL = threading.local()


def skipped_spans(
    text: str, identifiers: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Spans the labeller leaves out: identifiers (``identifiers`` when the caller has them
    already) and notes, read by rules."""
    if identifiers is None:
        identifiers = [(d.start, d.end) for d in find_doi_matches(text)]
        for rx in (P.URL_RE, P.PMID_RE, P.PMCID_RE, P.ISBN_RE):
            identifiers += [m.span() for m in rx.finditer(text)]
    spans = list(identifiers)
    for rx in P.NOTE_RES:
        spans += [m.span() for m in rx.finditer(text)]
    return sorted(spans)


def prepare(
    text: str, identifiers: list[tuple[int, int]] | None = None
) -> list[tuple[str, int, int]]:
    """The tokens the model labels: the text's tokens with the skipped spans blanked
    ("NYC Healthhttps://..." keeps "Health")."""
    spans = skipped_spans(text, identifiers)
    if not spans:
        return tokenize(text)
    parts, last = [], 0
    for s, e in spans:
        if e > last:
            s = max(s, last)
            parts += [text[last:s], " " * (e - s)]
            last = e
    parts.append(text[last:])
    return tokenize("".join(parts))


@dataclass
class Labelled:
    tokens: list[tuple[str, int, int]]
    labels: list[str]
    tagger: pycrfsuite.Tagger  # holds this sequence's marginals until the next call

    def marginal(self, label: str, i: int) -> float:
        return self.tagger.marginal(label, i)


class ModelMissing(RuntimeError):
    """The trained model file is not there (run ``kb parser train``)."""


def tagger(path: Path | None = None) -> pycrfsuite.Tagger:
    """This thread's tagger, the model opened on first use."""
    t = getattr(_LOCAL, "tagger", None)
    if t is None or path is not None:
        p = path or MODEL_PATH
        if not p.exists():
            raise ModelMissing(f"no reference-parser model at {p}; run `kb parser train`")
        t = pycrfsuite.Tagger()
        t.open(str(p))
        _LOCAL.tagger = t
    return t


def label(text: str, identifiers: list[tuple[int, int]] | None = None) -> Labelled:
    """Labels and marginals for the tokens of one reference string (``identifiers``: the
    spans of its identifiers, when the caller has found them already)."""
    toks = prepare(text, identifiers)
    t = tagger()
    if not toks:
        return Labelled([], [], t)
    t.set(features(toks, text))
    return Labelled(toks, t.tag(), t)
