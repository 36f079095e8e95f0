"""Per-field confidence thresholds of the learned reference parser.

A field the labeller read with a confidence below its field's threshold is not returned
as a value: it moves to ``ReferenceFields.uncertain`` (field -> value as read), where
editors still see it. Such a field is neither present nor confidently absent, so no
``missing_*`` finding fires for it. The thresholds are chosen by cross-validation on the
training split (``kb parser thresholds``) and stored beside the model in
``data/parser/thresholds.json``; without that file nothing is withheld.
"""

from __future__ import annotations

import json
from functools import cache

from ingest.resources import RESOURCES
from ingest.types import ReferenceFields

THRESHOLDS_PATH = RESOURCES.data_file("parser", "thresholds.json")


@cache
def thresholds() -> dict[str, float]:
    """Field -> the confidence below which its value is withheld (read once per process)."""
    if not THRESHOLDS_PATH.exists():
        return {}
    data = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data["thresholds"].items()}


def withhold_uncertain(
    f: ReferenceFields, limits: dict[str, float] | None = None
) -> ReferenceFields:
    """Move every field read below its threshold from ``f`` to ``f.uncertain``."""
    limits = thresholds() if limits is None else limits
    for name, limit in limits.items():
        conf = f.confidence.get(name)
        if conf is None or conf >= limit:
            continue
        if name == "authors" and f.authors:
            f.uncertain["authors"] = f.authors
            f.authors, f.author_names, f.first_author = [], [], None
        elif name == "pages" and (f.pages or f.article_number):
            key = "pages" if f.pages else "article_number"
            f.uncertain[key] = getattr(f, key)
            f.pages = f.article_number = None
        elif name not in {"authors", "pages"} and getattr(f, name) is not None:
            f.uncertain[name] = getattr(f, name)
            setattr(f, name, None)
            if name == "journal":
                f.journal_abbrev = None
    return f
