"""Field-level scoring of a reference parser against the gold fields of labelled strings.

The rules (shared by ``bench/parser_eval.py`` and the threshold selection of
``kb parser thresholds``, so both count a field alike):

- a returned value is a true positive when it equals the gold value, else a false
  positive (and, if gold has a value, a false negative too); a gold value not returned is
  a false negative. Precision, recall and F1 are micro-averaged.
- strings compare after lower-casing and dropping everything but letters and digits
  ("J. Am. Chem. Soc." = "J Am Chem Soc"); pages compare as "first-last" or the lone value
  (pages or article number); the first author is the family name; DOIs lower-case.
- the journal is scored where the gold container is a journal (see ``gold_fields``) and
  where there is no container at all; a book's or proceedings' container is not scored.
- the DOI is scored where the source labels one, and where the string has no DOI at all
  (GROBID's corpus leaves many DOIs unlabelled).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.types import ReferenceFields
from kb.parser import corpus

_DOI_IN = re.compile(r"10\.\d{4,9}/")
FIELDS = ("first_author", "title", "journal", "year", "volume", "issue", "pages", "doi")


def norm(field: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if field == "year":
        return str(value)
    return re.sub(r"[\W_]+", "", str(value).lower()) or None


def predicted(f: ReferenceFields) -> dict[str, object]:
    return {
        "first_author": f.first_author,
        "title": f.title,
        "journal": f.journal,
        "year": f.year,
        "volume": f.volume,
        "issue": f.issue,
        "pages": f.pages or f.article_number,
        "doi": f.doi,
    }


def scored_pairs(
    ex: corpus.Example, f: ReferenceFields
) -> Iterator[tuple[str, str | None, str | None]]:
    """(field, gold, returned) for every field of one string that is scored."""
    gold, got = corpus.gold_fields(ex), predicted(f)
    for field in FIELDS:
        g, p = norm(field, gold[field]), norm(field, got[field])
        if field == "journal" and g is None and any(corpus.segments_of(ex, "container")):
            continue  # a book's or proceedings' container: not scored as a journal
        if field == "doi" and g is None and _DOI_IN.search(ex.text):
            continue  # a DOI the source did not label: no gold either way
        yield field, g, p


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, gold: str | None, got: str | None) -> None:
        if got is not None:
            if got == gold:
                self.tp += 1
            else:
                self.fp += 1
                self.fn += gold is not None
        elif gold is not None:
            self.fn += 1

    def prf(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "n": self.tp + self.fn}
