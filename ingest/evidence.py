"""Give a cited work its evidence type from what is known about it, with the signal
that decided it. Pure; the rules are data (``data/evidence_rules.json``).

Inputs are whatever is known: the Crossref record's type and container title, the
title (Crossref's, else the one parsed from the entry), the URL, the parsed
``source_type`` and the raw entry text. Rules are tried in file order; the first
match wins, so strong signals (a protocol's title, the Cochrane Library, Medical
Hypotheses) come before weaker ones (any "trial", a URL that is not a journal's).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.resources import RESOURCES

RULES_PATH = RESOURCES.data_file("evidence_rules.json")
UNKNOWN = "unknown"
FIELDS = ("crossref_type", "title", "journal", "url", "source_type", "raw")
_FIELD_LABEL = {"crossref_type": "Crossref type", "source_type": "entry type"}


@dataclass(frozen=True)
class EvidenceRule:
    field: str
    pattern: re.Pattern[str]
    type: str
    when_missing: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_PATH) -> tuple[tuple[EvidenceRule, ...], tuple[str, ...]]:
    """(rules in order, the evidence types) from the JSON rules file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    types = tuple(data["types"])
    rules = []
    for i, r in enumerate(data["rules"]):
        if r["field"] not in FIELDS or r["type"] not in types:
            raise ValueError(f"{path}: rule {i} has an unknown field or type: {r}")
        rules.append(
            EvidenceRule(
                field=r["field"],
                pattern=re.compile(r["pattern"], re.IGNORECASE),
                type=r["type"],
                when_missing=tuple(r.get("when_missing", ())),
            )
        )
    return tuple(rules), types


def _clean(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


def classify_evidence(
    *,
    crossref_type: str | None = None,
    title: str | None = None,
    journal: str | None = None,
    url: str | None = None,
    source_type: str | None = None,
    raw: str | None = None,
    rules_path: str | Path = RULES_PATH,
) -> tuple[str, str]:
    """(evidence type, deciding signal), e.g. ("trial protocol", "title: 'protocol for a'").

    Returns ("unknown", "no rule matched") when nothing decides.
    """
    values = {
        "crossref_type": _clean(crossref_type),
        "title": _clean(title),
        "journal": _clean(journal),
        "url": _clean(url),
        "source_type": _clean(source_type),
        "raw": _clean(raw),
    }
    rules, _types = load_rules(rules_path)
    for rule in rules:
        value = values[rule.field]
        if not value or any(values[f] for f in rule.when_missing):
            continue
        m = rule.pattern.search(value)
        if m:
            label = _FIELD_LABEL.get(rule.field, rule.field)
            shown = (
                value if rule.field in ("journal", "crossref_type", "source_type") else m.group(0)
            )
            return rule.type, f"{label}: '{shown.strip()}'"
    return UNKNOWN, "no rule matched"


def evidence_types(rules_path: str | Path = RULES_PATH) -> tuple[str, ...]:
    """Every evidence type, in the order the rules file lists them."""
    return load_rules(rules_path)[1]
