"""Geometry and colours of the evidence-map heat map, computed in Python for a plain SVG.

Rows are conditions (most-claimed first), columns evidence types from strongest to weakest,
cells are claim counts shaded on one sequential scale. The template only draws what this
returns, so the page needs no JavaScript.
"""

from __future__ import annotations

from urllib.parse import quote

# Strongest first; an evidence type is placed by the first group whose word it contains.
ORDER_WORDS: list[tuple[str, ...]] = [
    ("systematic", "meta"),
    ("randomi", "rct"),
    ("observational", "cohort", "non_random", "non-random", "nonrandom"),
    ("case",),
    ("narrative", "review"),
    ("protocol",),
    ("conference", "abstract"),
    ("vitro", "animal", "preclinical"),
    ("opinion", "hypothes"),
    ("web", "press"),
    ("unknown",),
    ("no entry",),
    ("not cited",),
]
CELL_W, CELL_H, LEFT, TOP = 92, 30, 230, 150
LOW, HIGH = (239, 243, 250), (23, 64, 140)  # sequential blue scale


def rank(evidence_type: str) -> int:
    low = evidence_type.lower()
    for i, words in enumerate(ORDER_WORDS):
        if any(w in low for w in words):
            return i
    return len(ORDER_WORDS) - 3  # unfamiliar types sit with "unknown"


def label(evidence_type: str) -> str:
    return evidence_type.replace("_", " ")


def shade(count: int, top: int) -> tuple[str, str]:
    """Fill colour and text colour of a cell with ``count`` claims (``top`` = largest count)."""
    t = 0.15 + 0.85 * (count / top) if top else 0.0
    rgb = tuple(round(lo + (hi - lo) * t) for lo, hi in zip(LOW, HIGH, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if t > 0.55 else "#111111")


def build_heatmap(rows: list[dict], *, condition_url: str = "") -> dict:
    """Turn evidence-map rows (condition, category, evidence_type, claims) into SVG geometry.

    Conditions keep the order of ``rows``; evidence types go strongest first."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["condition"], r["evidence_type"] or "unknown")
        counts[key] = counts.get(key, 0) + int(r["claims"])
    # the query already orders conditions by how many claims are about them
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    types = sorted({t for _, t in counts}, key=lambda t: (rank(t), t))
    top = max(counts.values(), default=0)
    cells = []
    for i, cond in enumerate(conditions):
        for j, etype in enumerate(types):
            n = counts.get((cond, etype))
            if not n:
                continue
            fill, ink = shade(n, top)
            cells.append(
                {
                    "x": LEFT + j * CELL_W,
                    "y": TOP + i * CELL_H,
                    "cx": LEFT + j * CELL_W + CELL_W / 2,
                    "cy": TOP + i * CELL_H + CELL_H / 2 + 5,
                    "count": n,
                    "fill": fill,
                    "ink": ink,
                    "href": condition_url + quote(cond, safe=""),
                    "title": f"{cond}: {n} claim(s) citing {label(etype)}",
                }
            )
    return {
        "width": LEFT + max(len(types), 1) * CELL_W + 20,
        "height": TOP + max(len(conditions), 1) * CELL_H + 20,
        "cell_w": CELL_W,
        "cell_h": CELL_H,
        "rows": [
            {
                "name": c,
                "y": TOP + i * CELL_H + CELL_H / 2 + 5,
                "href": condition_url + quote(c, safe=""),
            }
            for i, c in enumerate(conditions)
        ],
        "columns": [
            {"name": label(t), "x": LEFT + j * CELL_W + CELL_W / 2, "y": TOP - 8}
            for j, t in enumerate(types)
        ],
        "cells": cells,
        "left": LEFT,
        "top": TOP,
        "max": top,
        "n_conditions": len(conditions),
        "n_types": len(types),
    }
