"""The summary tables (evidence map, per-condition counts) always equal the same figures
computed from the base tables: after builds, rebuilds, changed articles and prunes, and
after any change the triggers must notice (tags, study links, evidence types of entries
and works, vocabulary). A refresh touches only the conditions a change concerned."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bench.previous_queries import PREVIOUS_SQL
from kb.build import BuildOptions, build
from kb.database import open_db
from kb.save import delete_article_rows
from kb.serve import load_metadata
from kb.summary import FACETS, refresh_summaries
from tests.test_canned_rewrites import _random_kb

OFFLINE = BuildOptions(offline=True)

# The figures straight from the base tables (what the summaries must hold).
EXPECTED_CELLS = """select cc.condition_id,
  case when sl.id is null then 'not cited' when r.id is null then 'no entry'
       else coalesce(r.evidence_type, w.evidence_type, 'unknown') end,
  count(distinct cc.claim_id)
from claim_condition cc
left join study_link sl on sl.claim_id = cc.claim_id
left join reference r on r.id = sl.reference_id
left join work w on w.doi = r.work_doi
group by 1, 2 order by 1, 2"""
EXPECTED_COUNTS = """select cd.id,
  (select count(distinct claim_id) from claim_condition where condition_id = cd.id),
  (select count(distinct article_id) from claim_condition where condition_id = cd.id),
  (select count(distinct reference_id) from reference_condition where condition_id = cd.id)
from condition cd
where exists (select 1 from claim_condition where condition_id = cd.id)
   or exists (select 1 from reference_condition where condition_id = cd.id)
order by 1"""
EXPECTED_PER_ARTICLE = """select condition_id, article_id, count(distinct claim_id)
from claim_condition group by 1, 2 order by 1, 2"""
STORED_PER_ARTICLE = "select condition_id, article_id, claims from condition_article order by 1, 2"
EXPECTED_FINDINGS = """select article_id, code, severity, count(*) from finding
group by 1, 2, 3 order by 1, 2, 3"""
STORED_FINDINGS = "select article_id, code, severity, findings from finding_count order by 1, 2, 3"
STORED_CELLS = "select condition_id, evidence_type, claims from condition_evidence order by 1, 2"
STORED_COUNTS = "select condition_id, claims, articles, entries from condition_summary order by 1"


def assert_summaries_match(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute(STORED_CELLS).fetchall() == con.execute(EXPECTED_CELLS).fetchall()
        assert con.execute(STORED_COUNTS).fetchall() == con.execute(EXPECTED_COUNTS).fetchall()
        assert (
            con.execute(STORED_PER_ARTICLE).fetchall()
            == con.execute(EXPECTED_PER_ARTICLE).fetchall()
        )
        assert con.execute(STORED_FINDINGS).fetchall() == con.execute(EXPECTED_FINDINGS).fetchall()
        assert_facets_match(con)
        assert con.execute("select count(*) from summary_dirty_article").fetchone()[0] == 0
        assert con.execute("select count(*) from summary_dirty").fetchone()[0] == 0
        # the evidence map read from the summaries is the evidence map of the base tables
        now = load_metadata()["databases"]["kb"]["queries"]["evidence_map"]["sql"]
        assert con.execute(now).fetchall() == con.execute(PREVIOUS_SQL["evidence_map"]).fetchall()
    finally:
        con.close()


def assert_facets_match(con: sqlite3.Connection) -> None:
    """``facet_article``/``facet_total`` hold each faceted column's GROUP BY, per article
    and in all, with every value as its table stores it (type included)."""
    for table, cols in FACETS.items():
        for col in cols:
            per_article = con.execute(
                f'select article_id, "{col}", typeof("{col}"), count(*) from "{table}" '
                f'where "{col}" is not null group by 1, 2 order by 1, 2'
            ).fetchall()
            stored = con.execute(
                "select article_id, value, typeof(value), n from facet_article where "
                "table_name = ? and column_name = ? order by 1, 2",
                (table, col),
            ).fetchall()
            assert stored == per_article, (table, col)
            total = con.execute(
                f'select "{col}", count(*) from "{table}" where "{col}" is not null '
                "group by 1 order by 1"
            ).fetchall()
            stored_total = con.execute(
                "select value, n from facet_total where table_name = ? and column_name = ? "
                "order by 1",
                (table, col),
            ).fetchall()
            assert stored_total == total, (table, col)


ARTICLE = """# Treatments in {topic}

## Evidence

Low-dose naltrexone reduced pain in {topic} [1]. A trial in {other} found less fatigue [2].
Exercise helped patients with {topic} and {other} [1][3].

## References

1. Smith J. A randomized controlled trial of naltrexone in {topic}. J Test Med. 2010;5(2):10-15.
2. Lee K. A case report of {other}. Test Rev. 2011;6:1-9.
3. Example Clinic. Living with {topic}. https://example.org/{n}
"""
TOPICS = ["fibromyalgia", "multiple sclerosis", "migraine", "psoriasis", "asthma", "lupus"]


def write(folder: Path, i: int, topic: str, other: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"article{i}.md"
    path.write_text(ARTICLE.format(topic=topic, other=other, n=i), encoding="utf-8")
    return path


def dirty_after(db: Path, change) -> set[int]:
    """The conditions a change marks stale (then refreshed)."""
    engine = open_db(db)
    with engine.begin() as conn:
        change(conn)
        marked = {r[0] for r in conn.execute(text("select condition_id from summary_dirty"))}
    refresh_summaries(engine)
    engine.dispose()
    return marked


def test_summaries_follow_builds_rebuilds_and_prunes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src, db = tmp_path / "in", tmp_path / "kb.db"
    paths = [write(src, i, TOPICS[i], TOPICS[i + 1]) for i in range(4)]
    assert build(["in"], db, OFFLINE).ok
    assert_summaries_match(db)
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from condition_summary").fetchone()[0] >= 4
    cells = con.execute(STORED_CELLS).fetchall()

    # nothing changed: nothing recomputed, nothing different
    again = build(["in"], db, OFFLINE)
    assert (again.derived, again.summaries) == (0, 0)
    assert con.execute(STORED_CELLS).fetchall() == cells
    assert_summaries_match(db)

    # one article changes its conditions: only its old and new conditions are refreshed
    of_article0 = (
        "select condition_id from claim_condition where article_id = "
        "(select id from article where source = 'in/article0.md') union "
        "select condition_id from reference_condition where article_id = "
        "(select id from article where source = 'in/article0.md')"
    )
    old = {r[0] for r in con.execute(of_article0)}
    write(src, 0, "asthma", "lupus")
    rebuilt = build(["in"], db, OFFLINE)
    assert rebuilt.ingested == 1
    assert_summaries_match(db)
    new = {r[0] for r in con.execute(of_article0)}
    assert old != new
    assert rebuilt.summaries == len(old | new)
    assert rebuilt.summaries < con.execute("select count(*) from condition_summary").fetchone()[0]

    # a prune removes an article's share of every figure
    paths[3].unlink()
    assert build(["in"], db, BuildOptions(offline=True, prune=True)).pruned == 1
    assert_summaries_match(db)
    con.close()


@pytest.mark.parametrize("seed", range(1, 5))
def test_incremental_refresh_equals_recomputing_everything(db_path, seed):
    rng = random.Random(seed)
    engine = open_db(db_path)
    with Session(engine) as session:
        _random_kb(session, rng)
    engine.dispose()
    assert_summaries_match(db_path)  # refreshed as the knowledge base was made
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from condition_evidence").fetchone()[0]

    def a_work_changes_type(conn):
        conn.execute(text(
            "update work set evidence_type = 'animal study' where doi = "
            "(select work_doi from reference where work_doi is not null and evidence_type "
            "is null limit 1)"))  # fmt: skip
        conn.execute(text("update work set evidence_type = 'case report or series' "
                          "where rowid % 3 = 0"))  # fmt: skip

    def entries_change_type(conn):
        conn.execute(text("update reference set evidence_type = null where id % 4 = 1"))
        conn.execute(text("update reference set evidence_type = 'narrative review' "
                          "where id % 4 = 2"))  # fmt: skip

    def a_link_goes(conn):
        conn.execute(text("delete from study_link where id in "
                          "(select id from study_link order by id desc limit 2)"))  # fmt: skip
        conn.execute(text("update study_link set reference_id = null where id % 5 = 0"))

    def tags_change(conn):
        conn.execute(text("delete from claim_condition where id % 3 = 0"))
        conn.execute(text("update claim_condition set condition_id = "
                          "(select max(id) from condition) where id % 4 = 1"))  # fmt: skip

    def facets_change(conn):
        conn.execute(text("update claim set is_study_description = 1 - is_study_description "
                          "where id % 3 = 0"))  # fmt: skip
        conn.execute(text("update reference set verification = 'not_found' where id % 3 = 0"))
        conn.execute(text("update study_link set dangling = 1 where id % 4 = 0"))
        conn.execute(text("delete from marker where id in (select max(id) from marker)"))

    def findings_change(conn):
        conn.execute(text("delete from finding where id % 3 = 0"))
        conn.execute(text("update finding set severity = 'error' where id % 3 = 1"))

    def an_article_goes(conn):
        with Session(bind=conn) as session:
            aid = session.execute(text("select max(article_id) from claim_condition")).scalar()
            delete_article_rows(session, aid)
            session.flush()

    for change in (a_work_changes_type, entries_change_type, a_link_goes, tags_change,
                   facets_change, findings_change, an_article_goes):  # fmt: skip
        dirty_after(db_path, change)
        assert_summaries_match(db_path)
    # an unrelated change marks nothing
    assert (
        dirty_after(db_path, lambda c: c.execute(text("update article set title = 'x'"))) == set()
    )


def test_a_database_tagged_before_the_summaries_gets_them(db_path):
    engine = open_db(db_path)
    with Session(engine) as session:
        _random_kb(session, random.Random(9))
    with engine.begin() as conn:  # as if the tags were written by a version without summaries
        conn.execute(text("delete from condition_evidence"))
        conn.execute(text("delete from condition_summary"))
        conn.execute(text("delete from condition_article"))
        conn.execute(text("delete from finding_count"))
        conn.execute(text("delete from facet_article"))
        conn.execute(text("delete from facet_total"))
        conn.execute(text("delete from summary_dirty"))
    assert refresh_summaries(engine) > 0
    engine.dispose()
    assert_summaries_match(db_path)
