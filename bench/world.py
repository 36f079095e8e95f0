"""A synthetic Crossref world under the test prefix ``10.5555/``, deterministic for a seed.

Each work is shaped like the ``message`` of a Crossref ``/works/{doi}`` response, so the
project's Crossref test server can serve it and the project's work normaliser can read it.
The vocabulary is medical but invented: no record claims to describe a real paper.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PREFIX = "10.5555"

FAMILY = (
    "Smith Jones Garcia Müller Rossi Kim Nguyen Patel Cohen Novak Silva Tanaka Dubois Larsen "
    "Kowalski Haddad Okafor Andersson Ivanova Moreau Becker Ferreira Hughes Schmidt Yamamoto "
    "Costa O'Brien Van-der-Berg Lindqvist Popescu Horvath Nakamura Osei Fischer Romano Chen "
    "Wang Li Zhang Liu Singh Kumar Ahmed Hassan Kaplan Weiss Brennan Murphy Walsh Quinn"
).split()
INITIALS = "A B C D E F G H J K L M N P R S T V W".split()
JOURNALS = [
    ("Journal of Clinical Immunology", "J Clin Immunol", "Springer"),
    ("International Journal of Molecular Sciences", "Int J Mol Sci", "MDPI"),
    ("Frontiers in Neurology", "Front Neurol", "Frontiers"),
    ("PLoS ONE", "PLoS One", "Public Library of Science"),
    ("BMJ Open", "BMJ Open", "BMJ"),
    ("Clinical Rheumatology", "Clin Rheumatol", "Springer"),
    ("Medical Hypotheses", "Med Hypotheses", "Elsevier"),
    ("Pain Medicine", "Pain Med", "Oxford University Press"),
    ("Journal of Neuroinflammation", "J Neuroinflammation", "BioMed Central"),
    ("The American Journal of Gastroenterology", "Am J Gastroenterol", "Wolters Kluwer"),
    ("Multiple Sclerosis Journal", "Mult Scler", "SAGE"),
    ("Cochrane Database of Systematic Reviews", "Cochrane Database Syst Rev", "Wiley"),
    ("Arthritis Research & Therapy", "Arthritis Res Ther", "BioMed Central"),
    ("European Journal of Pain", "Eur J Pain", "Wiley"),
    ("Journal of Psychiatric Research", "J Psychiatr Res", "Elsevier"),
    ("Nutrients", "Nutrients", "MDPI"),
]
TITLE_START = (
    "Effect of|Safety and efficacy of|Long-term outcomes of|A randomized trial of|"
    "Mechanisms of|Association between|Systematic review of|Pilot study of|"
    "Immunomodulatory role of|Dose-response of"
).split("|")
INTERVENTIONS = (
    "low-dose naltrexone|vitamin D supplementation|exercise therapy|cognitive behavioural "
    "therapy|omega-3 fatty acids|metformin|probiotics|acupuncture|melatonin|intermittent fasting|"
    "magnesium|curcumin"
).split("|")
CONDITIONS = (
    "fibromyalgia|multiple sclerosis|Crohn's disease|chronic fatigue syndrome|rheumatoid "
    "arthritis|major depressive disorder|type 2 diabetes|migraine|psoriasis|long COVID|"
    "irritable bowel syndrome|chronic low back pain"
).split("|")
TITLE_END = (
    "in adults|in a multicentre cohort|: a pilot study|: results of a crossover trial|"
    "in primary care|in microglia cells|: a meta-analysis|in older patients|"
    "and quality of life|: a case series"
).split("|")
UPDATE_TYPES = ("retraction", "correction", "expression_of_concern")


def _doi(rng: random.Random, i: int, year: int, abbrev: str) -> str:
    """Varied but unique DOI suffixes, as publishers write them (some upper-case)."""
    short = "".join(w[0] for w in abbrev.split()).lower()
    shape = i % 5
    if shape == 0:
        return f"{PREFIX}/{short}.{year}.{i:05d}"
    if shape == 1:
        return f"{PREFIX}/s{10000 + i}-{year % 100:02d}{rng.randint(0, 999):03d}-{i % 10}"
    if shape == 2:
        return f"{PREFIX}/journal.{short}.{i:07d}"
    if shape == 3:
        return f"{PREFIX}/{short.upper()}-{year}-{i:06d}"
    return f"{PREFIX}/{i:04d}-{rng.randint(1000, 9999)}({year % 100:02d})0{i % 9 + 1}"


def make_work(rng: random.Random, i: int) -> dict:
    """One synthetic work message."""
    journal, abbrev, publisher = JOURNALS[rng.randrange(len(JOURNALS))]
    year = rng.randint(1995, 2024)
    n_auth = rng.choice((1, 2, 3, 3, 4, 5, 6, 8))
    authors = []
    for k in range(n_auth):
        given = " ".join(f"{c}." for c in rng.sample(INITIALS, rng.choice((1, 1, 2))))
        authors.append(
            {
                "given": given,
                "family": rng.choice(FAMILY),
                "sequence": "first" if k == 0 else "additional",
                "affiliation": [],
            }
        )
    title = (
        f"{rng.choice(TITLE_START)} {rng.choice(INTERVENTIONS)} in "
        f"{rng.choice(CONDITIONS)} {rng.choice(TITLE_END)}"
    ).replace(" :", ":")
    doi = _doi(rng, i, year, abbrev)
    work = {
        "DOI": doi,
        "URL": f"https://doi.org/{doi}",
        "type": "journal-article",
        "title": [title[0].upper() + title[1:]],
        "author": authors,
        "container-title": [journal],
        "short-container-title": [abbrev],
        "publisher": publisher,
        "ISSN": [f"{rng.randint(1000, 9999)}-{rng.randint(100, 999)}{rng.choice('0123456789X')}"],
        "issued": {"date-parts": [[year, rng.randint(1, 12), rng.randint(1, 28)]]},
        "volume": str(rng.randint(1, 120)),
        "issue": str(rng.randint(1, 12)),
    }
    if rng.random() < 0.3:
        work["article-number"] = f"e{rng.randint(100000, 999999)}"
    else:
        first = rng.randint(1, 2400)
        work["page"] = f"{first}-{first + rng.randint(3, 18)}"
    if rng.random() < 0.02:
        kind = rng.choice(UPDATE_TYPES)
        work["updated-by"] = [
            {
                "DOI": f"{doi}.{kind[:4]}",
                "type": kind.replace("_", "-"),
                "label": kind.replace("_", " ").title(),
                "source": "publisher",
                "updated": {"date-parts": [[min(year + 2, 2025), 1, 1]]},
            }
        ]
    return work


def make_world(seed: int, n_works: int) -> list[dict]:
    """``n_works`` synthetic works with unique DOIs; the same list for the same arguments."""
    rng = random.Random(f"world:{seed}")
    return [make_work(rng, i) for i in range(n_works)]


def write_world(works: list[dict], path: str | Path) -> Path:
    """Write works as JSON lines (the format of ``data/snapshot/source/works.jsonl``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for w in works:
            fh.write(json.dumps(w, ensure_ascii=False) + "\n")
    return path
