"""Candidate validation and suggestions on constructed references, online and offline."""

from __future__ import annotations

from sqlmodel import Session, select

from ingest.crossref.limiter import Limits
from ingest.crossref.match import RefFacts, best_match, validate
from ingest.crossref.snapshot import build_snapshot, read_items
from ingest.crossref.testing import synthetic_works
from kb.crossref.run import verify_and_suggest
from kb.crossref.snapshot import import_snapshot
from kb.crossref.works import work_from_message
from kb.models import Article, Reference, Suggestion, Work
from tests.conftest import CROSSREF_WORLD

FAST = Limits(single_rate=100, single_concurrency=3, list_rate=100, list_concurrency=3)
SYN = {w["DOI"].lower(): work_from_message(w)[0] for w in synthetic_works()}
RIGHT, LOOKALIKE = SYN["10.5555/jst.2022.041"], SYN["10.5555/jst.2022.057"]
JOURNAL = "J Synth Test"


def test_plausible_wrong_candidate_is_rejected():
    # same journal and year as the look-alike, but the issue and pages of the right paper
    facts = RefFacts(year=2022, volume="10", issue="4", pages="401-10", journal=JOURNAL)
    wrong = validate(facts, LOOKALIKE)
    assert not wrong.accepted and {"issue", "locator"} <= set(wrong.disagreed)
    right = validate(facts, RIGHT)
    assert right.accepted and {"locator", "issue", "journal", "year"} <= set(right.agreed)
    assert best_match(facts, [LOOKALIKE, RIGHT]).doi == RIGHT.doi
    assert best_match(facts, [LOOKALIKE]) is None


def test_year_and_journal_alone_are_not_enough():
    assert best_match(RefFacts(year=2022, journal=JOURNAL), [RIGHT, LOOKALIKE]) is None


def test_truncated_doi_extended_by_candidate_is_strong_evidence():
    facts = RefFacts(year=2022, doi_fragment="10.5555/jst.2022.04")
    assert validate(facts, RIGHT).accepted
    assert not validate(facts, LOOKALIKE).accepted  # does not extend the fragment: ruled out


def test_title_and_author_match_despite_abbreviated_journal():
    facts = RefFacts(title="Microglial modulation by opioid antagonists", first_author="Álvarez",
                     journal=JOURNAL, year=2022)  # fmt: skip
    m = validate(facts, RIGHT)
    assert m.accepted and {"title", "first_author", "journal"} <= set(m.agreed)
    other = RefFacts(title="Sleep quality under low dose naltrexone", first_author="Alvarez")
    assert not validate(other, RIGHT).accepted


def _article(engine, refs: list[dict]) -> int:
    with Session(engine) as s:
        art = Article(source="constructed.txt")
        s.add(art)
        s.flush()
        for i, f in enumerate(refs):
            s.add(Reference(article_id=art.id, key=str(i + 1), position=i, **f))
        s.commit()
        return art.id


CASES = [
    # found online by query.bibliographic and validated
    {"raw": "Alvarez A. Microglial modulation by opioid antagonists. J Synth Test. "
            "2022;10(4):401-10.",
     "title": "Microglial modulation by opioid antagonists", "first_author": "Alvarez",
     "journal": JOURNAL, "year": 2022, "volume": "10", "issue": "4", "pages": "401-10"},
    # a plausible look-alike exists (same journal and year); issue/pages match nothing
    {"raw": "J Synth Test. 2022;10(7):700-9.", "journal": JOURNAL, "year": 2022, "volume": "10",
     "issue": "7", "pages": "700-9"},
    # a URL only: nothing to validate against, no request
    {"raw": "https://example.org/blog/ldn", "url": "https://example.org/blog/ldn"},
    # a DOI Crossref does not know (404) with fields that match a real work
    {"raw": "Brennan A. Sleep quality under low dose naltrexone. 2022;10(5):571-80. "
            "doi:10.5555/nope",
     "doi": "10.5555/nope", "doi_status": "present",
     "title": "Sleep quality under low dose naltrexone",
     "first_author": "Brennan", "year": 2022, "volume": "10", "issue": "5", "pages": "571-80"},
]  # fmt: skip


def test_suggestions_online_only_where_evidence_supports(engine, crossref_server):
    _article(engine, CASES)
    summary = verify_and_suggest(engine, base_url=crossref_server.url, limits=FAST)
    with Session(engine) as s:
        got = {r.key: sug for sug, r in s.exec(select(Suggestion, Reference).join(Reference))}
        assert s.get(Work, "10.5555/jst.2022.041") is not None  # the suggested work is stored
    assert set(got) == {"1", "4"} and summary.suggested == 2
    assert got["1"].doi == "10.5555/jst.2022.041" and got["1"].provenance == "api"
    assert got["4"].doi == "10.5555/jst.2022.057" and got["4"].confidence >= 0.6
    assert "URL" not in " ".join(e.raw_path for e in crossref_server.log)
    queried = [e for e in crossref_server.log if "query.bibliographic" in e.raw_path]
    assert len(queried) == 3  # the URL-only entry was never searched


def test_suggestions_offline_from_local_works(engine, tmp_path):
    snap = tmp_path / "snap"
    src = tmp_path / "works.jsonl"
    src.write_text("\n".join(__import__("json").dumps(w) for w in synthetic_works()))
    build_snapshot(src, snap)
    assert import_snapshot(engine, snap) == len(synthetic_works())
    _article(engine, CASES)
    summary = verify_and_suggest(engine, offline=True)
    with Session(engine) as s:
        got = {r.key: sug for sug, r in s.exec(select(Suggestion, Reference).join(Reference))}
    # entry 4's DOI is merely unverified offline (never "not found"), so it is not replaced
    assert set(got) == {"1"} and summary.requests == 0 and summary.unverified == 1
    assert got["1"].doi == "10.5555/jst.2022.041" and got["1"].provenance == "snapshot"


def test_snapshot_round_trip_is_reproducible(tmp_path):
    a = build_snapshot(CROSSREF_WORLD, tmp_path / "a", per_file=5)
    b = build_snapshot(CROSSREF_WORLD, tmp_path / "b", per_file=5)
    assert [f.read_bytes() for f in a] == [f.read_bytes() for f in b] and len(a) == 3
    dois = [i["DOI"] for f in a for i in read_items(f)]
    lines = CROSSREF_WORLD.read_text().splitlines()
    assert dois == [__import__("json").loads(line)["DOI"] for line in lines]
