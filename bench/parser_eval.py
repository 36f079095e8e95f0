"""Field accuracy and speed of the reference parser, against the rule-based one, in one run.

    python -m bench.parser_eval [--out PATH]      (or ./run.sh bench --only parser)

The held-out split of the labelled public strings (``kb.parser.corpus``: SHA-1 of the
string, never used for training or tuning) is parsed by the learned parser
(``ingest.reference_fields.parse_reference``) and by the rule-based parser
(``ingest.reference_rules.parse_reference_rules``). Each is scored per field against the
gold fields (``kb.parser.corpus.gold_fields``, the rules of ``ingest.reference_normalise``),
by the matching rules written in ``kb.parser.score`` (shared with the threshold selection).
Styles: vancouver (Vancouver/AMA name lists), author-date (the date right after the
authors), quoted (quoted titles, numbered IEEE/MLA-like), other.

Speed: strings per second of each parser on the same strings, one core, model loaded
before timing, best of three passes.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.reference_fields import parse_reference
from ingest.reference_rules import parse_reference_rules
from ingest.types import ReferenceFields
from kb.parser import corpus
from kb.parser.score import FIELDS, Score, scored_pairs

GROUPS = ("vancouver", "author-date", "quoted", "other")


def score(parse: Callable[[str], ReferenceFields], examples: list[corpus.Example]) -> dict:
    by: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for ex in examples:
        group = corpus.style_group(ex)
        for field, g, p in scored_pairs(ex, parse(ex.text)):
            for key in (group, "all"):
                by[key][field].add(g, p)
                by[key]["ALL"].add(g, p)
    return {k: {f: s.prf() for f, s in v.items()} for k, v in by.items()}


def speed(parse: Callable[[str], ReferenceFields], texts: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for t in texts:
            parse(t)
        best = min(best, time.perf_counter() - t0)
    return round(len(texts) / best, 1)


def run() -> dict[str, Any]:
    _, test = corpus.split(corpus.load())
    parse_reference("Smith J. Warm up. J Test. 2020;1:1-2.")  # load the model before timing
    texts = [e.text for e in test]
    new, old = score(parse_reference, test), score(parse_reference_rules, test)
    s_new, s_old = speed(parse_reference, texts), speed(parse_reference_rules, texts)
    groups = {g: sum(corpus.style_group(e) == g for e in test) for g in GROUPS}
    return {
        "held_out_strings": len(test),
        "groups": groups,
        "learned": new,
        "rules": old,
        "speed": {"learned": s_new, "rules": s_old, "ratio": round(s_new / s_old, 3)},
    }


def table(res: dict[str, Any]) -> str:
    lines = [f"held-out strings: {res['held_out_strings']} {res['groups']}"]
    lines.append(f"{'field':<14}{'learned P/R/F1':>24}{'rules P/R/F1':>24}")
    for field in (*FIELDS, "ALL"):
        n, o = res["learned"]["all"][field], res["rules"]["all"][field]
        lines.append(
            f"{field:<14}{n['p']:>8.3f}{n['r']:>8.3f}{n['f1']:>8.3f}"
            f"{o['p']:>8.3f}{o['r']:>8.3f}{o['f1']:>8.3f}"
        )
    for g in GROUPS:
        if g in res["learned"]:
            n, o = res["learned"][g]["ALL"], res["rules"][g]["ALL"]
            lines.append(f"{'[' + g + ']':<14}{'':>16}{n['f1']:>8.3f}{'':>16}{o['f1']:>8.3f}")
    s = res["speed"]
    lines.append(f"speed: learned {s['learned']}/s, rules {s['rules']}/s (x{s['ratio']})")
    return "\n".join(lines)


def markdown(res: dict[str, Any]) -> str:
    """The README's table: P/R/F1 per field and F1 per style group, both parsers."""
    rows = ["| field | learned P | R | F1 | rules P | R | F1 |", "|---|---|---|---|---|---|---|"]
    for field in (*FIELDS, "ALL"):
        n, o = res["learned"]["all"][field], res["rules"]["all"][field]
        name = "**all fields**" if field == "ALL" else field
        rows.append(
            f"| {name} | {n['p']:.3f} | {n['r']:.3f} | {n['f1']:.3f} "
            f"| {o['p']:.3f} | {o['r']:.3f} | {o['f1']:.3f} |"
        )
    for g in GROUPS:
        n, o = res["learned"][g]["ALL"], res["rules"][g]["ALL"]
        rows.append(
            f"| style: {g} ({res['groups'][g]} strings) | {n['p']:.3f} | {n['r']:.3f} "
            f"| {n['f1']:.3f} | {o['p']:.3f} | {o['r']:.3f} | {o['f1']:.3f} |"
        )
    s = res["speed"]
    rows.append(
        f"\nSpeed (one core, model loaded once, same run): learned {s['learned']:,.0f} strings/s,"
        f" rules {s['rules']:,.0f} strings/s (x{s['ratio']})."
    )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--markdown", action="store_true", help="print the README's table")
    args = ap.parse_args()
    res = run()
    print(markdown(res) if args.markdown else table(res))
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
