"""Deterministic synthetic health articles with the shape of the real ones.

Every article is Markdown or plain text, numbered ``[n]`` markers (ranges, lists, runs)
or Unicode superscripts, 30-150 claims, 20-80 references in mixed styles (Vancouver,
APA, PubMed fragments, URL-only) of which about 20% are defective (truncated, empty or
missing DOIs, duplicates, URL-only, DOIs Crossref does not know). DOIs come from the
synthetic world of ``bench.world``; a popular few are cited by many articles.

Article ``i`` depends only on (seed, size, i), so a corpus is the same on every run. Each
article carries ``parsed``: the records a perfect parser would return, with offsets into
``text``; the query benchmark saves those straight through ``kb.save.save_article``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import refstyles
from bench.world import CONDITIONS, FAMILY, INTERVENTIONS, JOURNALS, PREFIX, make_world
from ingest.doi import normalize_doi
from ingest.types import (
    ParsedArticle,
    ParsedMarker,
    ParsedReference,
    ParsedSection,
    ParsedSentence,
    ReferenceFields,
    StudyDescription,
)

# Share of references with each defect; the rest are clean journal entries with a DOI.
DEFECTS = {
    "url_only": 0.05,
    "missing_doi": 0.05,
    "truncated_doi": 0.04,
    "duplicate": 0.03,
    "empty_doi": 0.02,
    "unknown_doi": 0.01,
}
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
HEADINGS = (
    "Introduction|How it works|What the research says|Dosage and administration|"
    "Side effects and safety|Who may benefit|Comparison with other treatments|"
    "Limitations of the evidence|Practical considerations|Conclusion"
).split("|")
DESIGNS = (
    "randomized controlled trial|cohort study|case series|systematic review|crossover trial"
).split("|")
OUTCOMES = "pain scores|fatigue|inflammatory markers|relapse rates|sleep quality|mood".split("|")
EFFECTS = "reduced|improved|did not change|modestly lowered|significantly reduced".split("|")


@dataclass
class SyntheticReference:
    number: int
    style: str  # vancouver | apa | pubmed | url
    defect: str | None  # a key of DEFECTS, or None
    work_doi: str | None  # the DOI of the work cited (None for web pages)
    raw: str
    fields: ReferenceFields


@dataclass
class SyntheticArticle:
    index: int
    name: str  # file name: article-00012.md
    fmt: str  # markdown | text
    marker_style: str  # bracket | superscript
    text: str  # the file's content
    parsed: ParsedArticle  # the ground truth, offsets into ``text``
    references: list[SyntheticReference]

    @property
    def n_claims(self) -> int:
        return len(self.parsed.claims)


def world_size_for(size: int) -> int:
    """Enough works that most are cited once or twice, while a hot set is cited everywhere."""
    return max(200, size * 12)


class _Writer:
    """Appends text and remembers offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def text(self) -> str:
        return "".join(self.parts)


def _pick_work(rng: random.Random, world: list[dict]) -> dict:
    hot = max(10, len(world) // 20)
    if rng.random() < 0.35:  # a popular work, cited across many articles
        return world[int(hot * rng.random() ** 2)]
    return world[rng.randrange(len(world))]


def _reference(rng: random.Random, n: int, world: list[dict], earlier: list) -> SyntheticReference:
    roll, acc, defect = rng.random(), 0.0, None
    for name, share in DEFECTS.items():
        acc += share
        if roll < acc:
            defect = name
            break
    if defect == "url_only":
        raw, fields = refstyles.web_reference(rng, n)
        return SyntheticReference(n, "url", defect, None, raw, fields)
    journal_refs = [r for r in earlier if r.work_doi]
    if defect == "duplicate" and journal_refs:
        prev = rng.choice(journal_refs)
        return SyntheticReference(n, prev.style, defect, prev.work_doi, prev.raw, prev.fields)
    defect = None if defect == "duplicate" else defect  # nothing earlier to duplicate
    work = _pick_work(rng, world)
    true_doi = work["DOI"]
    doi, doi_raw, status = normalize_doi(true_doi, strict=False), true_doi, "present"
    if defect == "missing_doi":
        doi, doi_raw, status = None, None, "absent"
    elif defect == "empty_doi":
        doi, doi_raw, status = None, "", "empty"
    elif defect == "truncated_doi":
        doi, doi_raw, status = None, true_doi[: len(PREFIX) + 1 + rng.randint(2, 5)], "truncated"
    elif defect == "unknown_doi":
        doi_raw = f"{PREFIX}/missing.{rng.randint(10**6, 10**7)}"
        doi = doi_raw
    style = rng.choice(("vancouver", "vancouver", "apa", "pubmed"))
    ids: dict[str, str | None] = {}
    if style == "pubmed":
        ids["pmid"] = str(rng.randint(10_000_000, 39_999_999))
        ids["pmcid"] = f"PMC{rng.randint(1_000_000, 9_999_999)}" if rng.random() < 0.4 else None
        raw = refstyles.pubmed(work, doi_raw, ids["pmid"], ids["pmcid"])
    elif style == "apa":
        raw = refstyles.apa(work, doi_raw)
    else:
        raw = refstyles.vancouver(work, doi_raw)
    fields = refstyles.fields_for(work, style, doi, doi_raw or None, status, **ids)
    if status == "empty":
        fields.doi_raw = ""
    return SyntheticReference(n, style, defect, true_doi, raw, fields)


def _marker(keys: list[int], style: str, rng: random.Random) -> str:
    consecutive = len(keys) >= 3 and keys == list(range(keys[0], keys[0] + len(keys)))
    if style == "superscript":
        body = f"{keys[0]}-{keys[-1]}" if consecutive else ",".join(map(str, keys))
        return body.translate(SUP).replace("-", "⁻")
    if consecutive:
        return f"[{keys[0]}{rng.choice('-–')}{keys[-1]}]"
    if len(keys) > 1 and rng.random() < 0.5:
        return "".join(f"[{k}]" for k in keys)
    return "[" + ", ".join(map(str, keys)) + "]"


def _claim_sentence(rng: random.Random) -> tuple[str, StudyDescription | None]:
    interv, cond = rng.choice(INTERVENTIONS), rng.choice(CONDITIONS)
    outcome, effect = rng.choice(OUTCOMES), rng.choice(EFFECTS)
    kind = rng.randrange(5)
    if kind == 0:
        year, design, n = rng.randint(1998, 2024), rng.choice(DESIGNS), rng.randint(12, 4000)
        text = (
            f"A {year} {design} of {n} patients with {cond} found that {interv} {effect} {outcome}."
        )
        return text, StudyDescription(year=year, design=design, sample_size=n)
    if kind == 1:
        journal = rng.choice(JOURNALS)[0]
        text = f"In a study published in {journal}, {interv} {effect} {outcome} in {cond}."
        return text, StudyDescription(journal=journal)
    templates = (
        f"{interv.capitalize()} has been shown to influence {outcome} in people with {cond}.",
        f"Research suggests that {interv} may help with {outcome} in {cond}.",
        f"Patients with {cond} who received {interv} reported changes in {outcome} "
        f"after {rng.randint(2, 52)} weeks.",
    )
    return templates[kind - 2], None


def _filler(rng: random.Random) -> str:
    interv, cond = rng.choice(INTERVENTIONS), rng.choice(CONDITIONS)
    return rng.choice(
        (
            f"{cond.capitalize()} affects many people and can be difficult to manage.",
            f"Talk to a healthcare provider before starting {interv}.",
            "More research is needed to understand these effects.",
            f"{interv.capitalize()} is available in several forms.",
        )
    )


def _citation_plan(rng: random.Random, n_claims: int, n_refs: int) -> list[list[int]]:
    """Reference numbers cited by each claim; numbered by first citation, all cited."""
    plan, next_new = [], 1
    for i in range(n_claims):
        left = n_claims - i
        need = math.ceil((n_refs - next_new + 1) / left)
        n_new = min(n_refs - next_new + 1, max(need, rng.choice((0, 1, 1, 1, 2, 3))))
        keys = list(range(next_new, next_new + n_new))
        next_new += n_new
        if (not keys or rng.random() < 0.2) and next_new > 1:
            old = rng.randint(1, next_new - 1)
            if old not in keys:
                keys.append(old)
        plan.append(keys)
    return plan


def make_article(seed: int, index: int, world: list[dict]) -> SyntheticArticle:
    """Article ``index`` of the corpus for ``seed`` (depends on nothing else but ``world``)."""
    rng = random.Random(f"article:{seed}:{index}")
    fmt = "markdown" if rng.random() < 0.6 else "text"
    style = "superscript" if rng.random() < 0.15 else "bracket"
    after_period = rng.random() < 0.5
    n_claims, n_refs = rng.randint(30, 150), rng.randint(20, 80)
    refs: list[SyntheticReference] = []
    for n in range(1, n_refs + 1):
        refs.append(_reference(rng, n, world, refs))
    plan = _citation_plan(rng, n_claims, n_refs)

    w = _Writer()
    interv, cond = rng.choice(INTERVENTIONS), rng.choice(CONDITIONS)
    title = f"{interv.capitalize()} for {cond}: what the evidence says"
    w.add(f"# {title}\n\n" if fmt == "markdown" else f"{title}\n\n")
    byline = f"By {rng.choice(('Dr', 'Prof'))} {rng.choice('AEJMRS')}. {rng.choice(FAMILY)}"
    w.add(f"*{byline}*\n\n" if fmt == "markdown" else f"{byline}\n\n")

    sections, sentences = _write_body(w, rng, fmt, style, after_period, plan, n_claims)
    parsed_refs = _write_references(w, rng, fmt, refs, sections)

    text = w.text()
    parsed = ParsedArticle(
        source=f"bench/{seed}/{index:05d}",
        format=fmt,
        text=text,
        title=title,
        byline=byline,
        sections=sections,
        sentences=sentences,
        references=parsed_refs,
        marker_style=style,
        encoding="utf-8",
    )
    ext = "md" if fmt == "markdown" else "txt"
    return SyntheticArticle(index, f"article-{index:05d}.{ext}", fmt, style, text, parsed, refs)


def _write_body(
    w: _Writer,
    rng: random.Random,
    fmt: str,
    style: str,
    after_period: bool,
    plan: list,
    n_claims: int,
) -> tuple[list[ParsedSection], list[ParsedSentence]]:
    """The article's sections: claims (cited or describing a study) among filler sentences."""
    sections: list[ParsedSection] = []
    sentences: list[ParsedSentence] = []
    headings = rng.sample(HEADINGS, rng.randint(3, 7))
    per_section = math.ceil(n_claims / len(headings))
    claim_i, paragraph = 0, 0
    for s_pos, heading in enumerate(headings):
        start, _ = w.add(f"## {heading}\n\n" if fmt == "markdown" else f"{heading}\n\n")
        section_claims = plan[claim_i : claim_i + per_section]
        claim_i += len(section_claims)
        queue = list(section_claims)
        while queue:
            for _ in range(rng.randint(2, 5)):
                if queue and rng.random() < 0.7:
                    keys = queue.pop(0)
                    text, desc = _claim_sentence(rng)
                    if not keys:  # a study described with no marker: an uncited claim
                        sent = _sentence(w, text, [], desc, len(sentences), paragraph, s_pos)
                        sent.is_claim, sent.uncited = True, True
                    else:
                        marker = _marker(keys, style, rng)
                        sent = _marked(w, text, marker, keys, after_period, style)
                        sent.position, sent.paragraph, sent.section = (
                            len(sentences),
                            paragraph,
                            s_pos,
                        )
                        sent.description = desc
                    sentences.append(sent)
                else:
                    sent = _sentence(w, _filler(rng), [], None, len(sentences), paragraph, s_pos)
                    sentences.append(sent)
                w.add(" ")
            w.add("\n\n")
            paragraph += 1
        sections.append(ParsedSection(heading, 2, start, w.pos, s_pos))
    return sections, sentences


def _write_references(
    w: _Writer, rng: random.Random, fmt: str, refs: list, sections: list[ParsedSection]
) -> list[ParsedReference]:
    """The numbered reference list, as a last section."""
    ref_heading = rng.choice(("References", "References", "Sources"))
    start, _ = w.add(f"## {ref_heading}\n\n" if fmt == "markdown" else f"{ref_heading}:\n\n")
    parsed_refs = []
    bracket_list = fmt == "text" and rng.random() < 0.5
    for pos, ref in enumerate(refs):
        w.add(f"[{ref.number}] " if bracket_list else f"{ref.number}. ")
        r_start, r_end = w.add(ref.raw)
        w.add("\n")
        parsed_refs.append(
            ParsedReference(str(ref.number), ref.raw, pos, ref.number, r_start, r_end, ref.fields)
        )
    sections.append(ParsedSection(ref_heading, 2, start, w.pos, len(sections), True))
    return parsed_refs


def _sentence(w: _Writer, text: str, markers, desc, position, paragraph, section):
    start, end = w.add(text)
    return ParsedSentence(text, start, end, position, paragraph, section, markers, desc)


def _marked(w: _Writer, text: str, marker: str, keys, after_period, style) -> ParsedSentence:
    if style == "superscript" or after_period:
        body = text + marker
        m_start = len(text)
    else:
        body = f"{text[:-1]} {marker}."
        m_start = len(text)  # after the space that replaced nothing: text[:-1] + " "
    pm = ParsedMarker(
        marker,
        m_start,
        m_start + len(marker),
        "superscript" if style == "superscript" else "bracket",
        [str(k) for k in keys],
    )
    start, end = w.add(body)
    return ParsedSentence(body, start, end, 0, 0, None, [pm], None, True, False)


def iter_corpus(
    seed: int, size: int, world: list[dict] | None = None
) -> Iterator[SyntheticArticle]:
    """The ``size`` articles of the corpus for ``seed``, one at a time (memory stays flat)."""
    world = world if world is not None else make_world(seed, world_size_for(size))
    for i in range(size):
        yield make_article(seed, i, world)


def write_corpus(articles: list[SyntheticArticle], directory: str | Path) -> list[Path]:
    """Write the articles as files (UTF-8) in ``directory``; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for art in articles:
        path = directory / art.name
        path.write_text(art.text, encoding="utf-8")
        paths.append(path)
    return paths
