"""Synthetic labelled strings: real field values recombined in the common journal styles.

The public corpora are mostly physics and computer science; the articles we read cite
biomedical journals in Vancouver, AMA, APA and Chicago. Training adds strings built from
field values of the training split (titles, family names) and the journal list
(``data/parser/dict``), written in those styles, with short and repetitive titles too,
so that a title is told by its place and punctuation rather than by its words. Made at
training time from the seed; never used for evaluation.
"""

from __future__ import annotations

import csv
import random
import re

from ingest.reference_dicts import DICT_DIR
from ingest.reference_normalise import clean_text
from kb.parser.corpus import Example, segments_of

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _values(train: list[Example]) -> tuple[list[str], list[str], list[str]]:
    titles, families = [], set()
    for ex in train:
        for t in segments_of(ex, "title"):
            c = clean_text(t)
            if c and 3 <= len(c.split()) <= 30 and not re.search(r"[“”\"]", c):
                titles.append(c)
        for a in segments_of(ex, "author"):
            for w in re.findall(r"\b[A-Z][a-z]{2,14}\b", a):
                families.add(w)
    with (DICT_DIR / "journals-medicus.csv").open(encoding="utf-8") as fh:
        journals = [r[1] if i % 2 else r[0] for i, r in enumerate(csv.reader(fh)) if len(r) > 1]
    return titles, sorted(families), journals


def _names(rng: random.Random, families: list[str], style: str) -> str:
    n = rng.choice([1, 1, 2, 2, 3, 4, 6])
    people = [(rng.choice(families), "".join(rng.sample("ABCDEFGHJKLMNPRSTW", rng.randint(1, 2))))
              for _ in range(n)]  # fmt: skip
    if style == "vancouver":
        s = ", ".join(f"{f} {g}" for f, g in people)
        return s + (", et al." if n >= 3 and rng.random() < 0.3 else ".")
    if style == "apa":
        parts = [f"{f}, {'. '.join(g)}." for f, g in people]
        return parts[0] if n == 1 else ", ".join(parts[:-1]) + ", & " + parts[-1]
    if style == "ieee":
        parts = [f"{'. '.join(g)}. {f}" for f, g in people]
        return parts[0] if n == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    first = f"{people[0][0]}, {people[0][1][0]}."  # chicago
    rest = [f"{g[0]}. {f}" for f, g in people[1:]]
    return first if n == 1 else first + ", " + ", ".join(rest[:-1] + [f"and {rest[-1]}."])


def _title(rng: random.Random, titles: list[str], vocab: list[str]) -> str:
    """A real title, or (one in three) a few words of any title in any order, the first
    capitalised ("In trial of pain"): a title is told by its place, not its words."""
    if rng.random() < 0.33:
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 6))]
        return words[0][:1].upper() + " ".join(words)[1:]
    return rng.choice(titles)


def synthesize(train: list[Example], n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    titles, families, journals = _values(train)
    vocab = sorted({w.strip(",.:;").lower() for t in titles for w in t.split()} - {""})
    out = []
    for k in range(n):
        style = rng.choice(["vancouver", "vancouver", "ama", "apa", "chicago", "ieee"])
        t, j = _title(rng, titles, vocab).rstrip(".?!") or "Study", rng.choice(journals)
        y, v, i = str(rng.randint(1950, 2030)), str(rng.randint(1, 400)), str(rng.randint(1, 24))
        p1 = rng.randint(1, 2000) if rng.random() < 0.8 else rng.randint(1, 9)
        pages = f"{p1}-{p1 + rng.randint(1, 40)}" if rng.random() < 0.8 else f"e{p1}"
        doi = f"10.{rng.randint(1000, 99999)}/x{rng.randint(1, 10**6)}"
        seg: list[list[str]] = []
        if style in ("vancouver", "ama"):
            date = f"{y} {rng.choice(MONTHS)}" if style == "vancouver" and rng.random() < 0.6 else y
            seg = [["author", _names(rng, families, "vancouver")], ["", " "], ["title", t + "."],
                   ["", " "], ["container", j + "."], ["", " "], ["date", date + ";"],
                   ["volume", v], ["issue", f"({i}):"], ["pages", pages + "."]]  # fmt: skip
            if rng.random() < 0.5:
                seg.append(["", f" doi:{' ' if style == 'vancouver' else ''}{doi}"])
        elif style == "apa":
            seg = [["author", _names(rng, families, "apa")], ["", " "], ["date", f"({y})."],
                   ["", " "], ["title", t + "."], ["", " "], ["container", j + ","], ["", " "],
                   ["volume", v], ["issue", f"({i}),"], ["", " "], ["pages", pages + "."],
                   ["", f" https://doi.org/{doi}"]]  # fmt: skip
        elif style == "chicago":
            seg = [["author", _names(rng, families, "chicago")], ["", " "], ["date", y + "."],
                   ["", " "], ["title", f"“{t}.”"], ["", " "], ["container", j], ["", " "],
                   ["volume", v], ["", " "], ["issue", f"({i}):"], ["", " "],
                   ["pages", pages + "."], ["", f" https://doi.org/{doi}."]]  # fmt: skip
        else:
            seg = [["author", _names(rng, families, "ieee") + ","], ["", " "],
                   ["title", f"“{t},”"], ["", " "], ["container", j + ","], ["", " "],
                   ["volume", f"vol. {v},"], ["", " "], ["issue", f"no. {i},"], ["", " "],
                   ["pages", f"pp. {pages},"], ["", " "], ["date", y + "."]]  # fmt: skip
        out.append(Example(f"synth#{k}", "synth", seg))
    return out
