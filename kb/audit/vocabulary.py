"""How conditions of the vocabulary relate: a pure function of the vocabulary, computed once.

The audit compares every cited sentence's conditions with its sources' conditions, thousands
of pairs per article; walking the hierarchy for each pair was most of the audit's time. A
``ConditionGraph`` holds every condition's ancestors and, per name, the conditions under it,
and remembers each answered pair. Graphs are shared between articles while the vocabulary
rows are unchanged (the key is the rows' content, so an edited vocabulary gets a new graph).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class VocabEntry:
    """What the hierarchy needs of one ``condition`` row."""

    id: int
    name: str
    category: str | None
    parents: str | None  # JSON list of broader condition names


def _parent_names(parents: str | None) -> list[str]:
    return json.loads(parents or "[]")


class ConditionGraph:
    """Ancestors and relatedness of the conditions of one vocabulary."""

    def __init__(self, entries: Iterable[VocabEntry]) -> None:
        self.entries: dict[int, VocabEntry] = {e.id: e for e in entries}
        # the last row of a lower-cased name wins, as a dict built in id order does
        self._by_name = {e.name.lower(): e for e in self.entries.values()}
        self._ancestors = {i: self._walk(e.parents) for i, e in self.entries.items()}
        under: dict[str, set[int]] = defaultdict(set)
        for i, anc in self._ancestors.items():
            for name in anc:
                under[name].add(i)
        self._under = dict(under)  # lower-cased name -> ids of conditions below it
        self._related: dict[tuple[int, int], bool] = {}

    def _walk(self, parents: str | None) -> frozenset[str]:
        seen: set[str] = set()
        todo = [parents]
        while todo:
            for name in _parent_names(todo.pop()):
                key = name.lower()
                if key not in seen:
                    seen.add(key)
                    if key in self._by_name:
                        todo.append(self._by_name[key].parents)
        return frozenset(seen)

    def ancestors_of(self, cond_id: int | None, parents: str | None) -> frozenset[str]:
        """Lower-cased names of every broader condition (parents, their parents...)."""
        if cond_id in self._ancestors and self.entries[cond_id].parents == parents:
            return self._ancestors[cond_id]
        return self._walk(parents)  # a row outside the vocabulary the graph was built from

    def related(self, a: VocabEntry, b: VocabEntry) -> bool:
        """Conditions that can be about the same patients: the same one, one broader than
        the other, two that share a narrower one, or one the umbrella named by the other's
        category."""
        key = (a.id, b.id)
        hit = self._related.get(key)
        if hit is None:
            hit = self._related[key] = self._decide(a, b)
        return hit

    def _decide(self, a: VocabEntry, b: VocabEntry) -> bool:
        if a.id == b.id:
            return True
        name_a, name_b = a.name.lower(), b.name.lower()
        if name_a in self.ancestors_of(b.id, b.parents):
            return True
        if name_b in self.ancestors_of(a.id, a.parents):
            return True
        below_a, below_b = self._under.get(name_a), self._under.get(name_b)
        if below_a and below_b and not below_a.isdisjoint(below_b):
            return True
        for x, y in ((a, b), (b, a)):
            if y.category and y.category.lower() in x.name.lower():
                return True
        return False


@lru_cache(maxsize=8)
def graph_for(entries: tuple[VocabEntry, ...]) -> ConditionGraph:
    """The graph of a vocabulary, shared by every article audited against the same rows."""
    return ConditionGraph(entries)
