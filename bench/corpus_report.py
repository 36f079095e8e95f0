"""The real-article corpus: build every article offline and compare with what a reader counted.

``python -m bench.corpus_report`` (or ``./run.sh bench --only corpus``) prints, over the
corpus in ``tests/fixtures/real`` (format: its ``SCHEMA.md``): the articles whose entry
count is exact, marker-to-entry link precision and recall (articles with ``links``), and
every article that still differs, with how. ``tests/test_real_corpus.py`` asserts the same
comparisons article by article.

Linking is scored on (marker, entry) pairs: the parser's markers and the reader's are
aligned in document order (a longest-common-subsequence alignment of the entry sets each
marker points at, so a missed or an extra marker does not shift the rest; how a marker is
written differs between a page and its text dump); a pair counts when an aligned marker
points at that entry (entries numbered 1..N in document order across lists, as the schema
numbers them). Unaligned markers count against precision (ours) or recall (the reader's).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from kb.build import BuildOptions, build
from kb.database import open_db
from kb.models import Article, Claim, Marker, Reference

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real"
STYLE_NAMES = {
    "bracket": "square_brackets",
    "paren": "parenthetical_numbers",
    "footnote": "footnotes",
    "mdlink": "markdown_links",
    "author_year": "author_year",
    "bare": "bare_linked_numbers",
}


def expected_articles(corpus: Path = CORPUS) -> list[dict]:
    """Every ``<id>.expected.json`` of the corpus, sorted by id."""
    out = []
    for path in sorted(corpus.glob("*.expected.json")):
        exp = json.loads(path.read_text(encoding="utf-8"))
        exp["path"] = str(corpus / exp["file"])
        out.append(exp)
    return out


@dataclass
class Observed:
    """What the build stored for one article, in the schema's terms."""

    lists: list[int] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    uncited: list[int] = field(default_factory=list)
    markers: list[tuple[str, list[int]]] = field(default_factory=list)  # raw, entry numbers
    citations: int = 0
    dangling: list[str] = field(default_factory=list)
    style: str = "none"


def _style_name(article: Article) -> str:
    scores = json.loads(getattr(article, "marker_scores", None) or "{}")
    chosen = scores.get("chosen") or (
        [article.marker_style] if article.marker_style not in (None, "none", "mixed") else []
    )
    names = []
    for s in chosen:
        if s == "superscript":
            names.append("superscript_html" if article.format != "text" else "superscript_unicode")
        else:
            names.append(STYLE_NAMES.get(s, s))
    names = list(dict.fromkeys(names))
    if not names:
        return "none"
    return names[0] if len(names) == 1 else "mixed:" + "+".join(sorted(names))


def observe(session: Session, article: Article) -> Observed:
    refs = session.exec(
        select(Reference).where(Reference.article_id == article.id).order_by(Reference.position)
    ).all()
    obs = Observed(style=_style_name(article))
    names: list[str | None] = []
    for r in refs:
        if not names or getattr(r, "list_name", None) != names[-1]:
            names.append(getattr(r, "list_name", None))
            obs.lists.append(0)
        obs.lists[-1] += 1
    obs.dois = sorted(r.doi.lower() for r in refs if r.doi)
    number_of = {r.key: r.position + 1 for r in refs}
    rows = session.exec(
        select(Marker, Claim.start)
        .join(Claim, Marker.claim_id == Claim.id)
        .where(Marker.article_id == article.id)
        .order_by(Claim.start, Marker.start)
    ).all()
    cited: set[int] = set()
    for m, _claim_start in rows:
        keys = json.loads(m.keys)
        entries = [number_of[k] for k in keys if k in number_of]
        obs.dangling += [k for k in keys if k not in number_of]
        obs.citations += len(keys)
        cited.update(entries)
        obs.markers.append((m.raw, entries))
    obs.uncited = [n for n in range(1, len(refs) + 1) if n not in cited]
    return obs


def link_counts(
    expected: list[dict], observed: list[tuple[str, list[int]]]
) -> tuple[int, int, int]:
    """(true, parser's, reader's) (marker, entry) pairs after aligning the two marker lists."""
    exp = [(tuple(sorted(set(x["entries"]))), set(x["entries"])) for x in expected]
    got = [(tuple(sorted(set(entries))), set(entries)) for _raw, entries in observed]
    sm = difflib.SequenceMatcher(None, [e[0] for e in exp], [g[0] for g in got], autojunk=False)
    true = 0
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag in ("equal", "replace"):
            for (_, e), (_, g) in zip(exp[i1:i2], got[j1:j2], strict=False):
                true += len(e & g)
    return true, sum(len(g) for _, g in got), sum(len(e) for _, e in exp)


def _fold(key: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKD", key).lower())


@dataclass
class Result:
    id: str
    form: str
    entries_exact: bool
    problems: list[str]
    links: tuple[int, int, int] | None  # true, parser's, reader's pairs
    xfail: str | None = None


def compare(exp: dict, obs: Observed) -> Result:
    """Every way the build's article differs from the reader's counts."""
    problems = []
    lists = [x["entries"] for x in exp["lists"]]
    total = sum(obs.lists)
    if total != exp["entries"]:
        problems.append(f"entries {total}, expected {exp['entries']}")
    elif obs.lists != lists:
        problems.append(f"lists {obs.lists}, expected {lists}")
    missing = Counter(exp["dois"]) - Counter(obs.dois)
    extra = Counter(obs.dois) - Counter(exp["dois"])
    if missing:
        problems.append(f"{sum(missing.values())} DOI(s) missed, e.g. {next(iter(missing))}")
    if extra:
        problems.append(
            f"{sum(extra.values())} DOI(s) not in the entries, e.g. {next(iter(extra))}"
        )
    if total == exp["entries"] and obs.uncited != exp["uncited_entries"]:
        problems.append(f"uncited {obs.uncited[:8]}, expected {exp['uncited_entries'][:8]}")
    if obs.citations != exp["citations"]:
        problems.append(f"citations {obs.citations}, expected {exp['citations']}")
    if Counter(map(_fold, obs.dangling)) != Counter(map(_fold, exp["dangling"])):
        problems.append(f"dangling {obs.dangling[:6]}, expected {exp['dangling'][:6]}")
    if obs.style != exp["marker_style"]:
        problems.append(f"style {obs.style}, expected {exp['marker_style']}")
    links = link_counts(exp["links"], obs.markers) if exp.get("links") else None
    return Result(
        exp["id"], exp["form"], total == exp["entries"], problems, links, exp.get("xfail")
    )


def run(corpus: Path = CORPUS, workdir: Path | None = None) -> list[Result]:
    """Build the corpus offline (no Crossref) in one knowledge base and compare each article."""
    exps = expected_articles(corpus)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        db = Path(tmp) / "corpus.db"
        build([e["path"] for e in exps], db, BuildOptions(offline=True, crossref=False, workers=0))
        engine = open_db(db)
        with Session(engine) as session:
            by_name = {Path(a.source).name: a for a in session.exec(select(Article)).all()}
            results = []
            for exp in exps:
                article = by_name.get(exp["file"])
                obs = observe(session, article) if article else Observed()
                res = compare(exp, obs)
                if article is None:
                    res.problems.insert(0, "not ingested")
                results.append(res)
        engine.dispose()
    return results


def summary(results: list[Result]) -> dict:
    true = sum(r.links[0] for r in results if r.links)
    got = sum(r.links[1] for r in results if r.links)
    want = sum(r.links[2] for r in results if r.links)
    precision = round(true / got, 4) if got else None
    recall = round(true / want, 4) if want else None
    exact = sum(r.entries_exact for r in results)
    return {
        "target": {
            "entries_exact_everywhere": exact == len(results),
            "precision_0.99": bool(precision and precision >= 0.99),
            "recall_0.97": bool(recall and recall >= 0.97),
            "met": exact == len(results)
            and bool(precision and precision >= 0.99 and recall and recall >= 0.97),
        },
        "articles": len(results),
        "entries_exact": exact,
        "all_exact": sum(not r.problems for r in results),
        "link_articles": sum(r.links is not None for r in results),
        "link_precision": precision,
        "link_recall": recall,
        "xfail": sum(r.xfail is not None for r in results),
        "failing": {f"{r.id} ({r.form})": r.problems for r in results if r.problems},
    }


def summary_text(s: dict) -> str:
    """The summary's figures and every failing article with how it differs."""
    lines = [
        f"Real-article corpus: {s['articles']} articles",
        f"  entry count exact: {s['entries_exact']}/{s['articles']}",
        f"  every count, DOI, citation and style exact: {s['all_exact']}/{s['articles']}",
        f"  marker-to-entry links over {s['link_articles']} articles: "
        f"precision {s['link_precision']}, recall {s['link_recall']}",
        f"  known failures (xfail, reason in the expected file): {s['xfail']}",
    ]
    for article, problems in s["failing"].items():
        lines.append(f"  - {article}: " + "; ".join(problems))
    return "\n".join(lines)


def report(results: list[Result]) -> str:
    text = summary_text(summary(results))
    reasons = [f"    {r.id} xfail: {r.xfail}" for r in results if r.problems and r.xfail]
    return text + ("\n  reasons:\n" + "\n".join(reasons) if reasons else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.corpus_report", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    results = run(args.corpus)
    print(json.dumps(summary(results), indent=2) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
