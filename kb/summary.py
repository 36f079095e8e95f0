"""Summary tables precomputed at build time: the evidence map and per-condition counts.

``condition_evidence`` (condition x evidence type -> distinct claims),
``condition_summary`` (per condition: claims, articles, reference entries) and
``condition_article`` (per condition and article: claims) answer the evidence map and
page a condition's claims without grouping every claim on each request; ``finding_count``
(per article, code and severity: findings) pages the editors' queries the same way;
``facet_article``/``facet_total`` answer the table pages' default facets (``FACETS``);
both kept per article (``summary_dirty_article``).

What changed is tracked by triggers (declared in ``kb.schema``): any insert, update or
delete that can move a condition's figures (its claim or reference tags, the study
links of its claims, the evidence type of an entry or work they cite) records the
condition in ``summary_dirty``. ``refresh_summaries`` recomputes only those
conditions from the base tables, so a rebuild that changes one article touches the
rows of that article's conditions and nothing else.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

# The evidence type a claim's study link stands for, as the evidence map has always shown it.
EVIDENCE_TYPE = """case
    when sl.id is null then 'not cited'
    when r.id is null then 'no entry'
    else coalesce(r.evidence_type, w.evidence_type, 'unknown')
  end"""

_DIRTY = "select condition_id from summary_dirty"

REFRESH: list[str] = [
    # a condition removed from the vocabulary takes its summary rows with it
    "delete from condition_evidence where condition_id not in (select id from condition)",
    "delete from condition_summary where condition_id not in (select id from condition)",
    "delete from condition_article where condition_id not in (select id from condition)",
    f"delete from condition_evidence where condition_id in ({_DIRTY})",
    f"delete from condition_article where condition_id in ({_DIRTY})",
    f"delete from condition_summary where condition_id in ({_DIRTY})",
    f"""insert into condition_evidence (condition_id, evidence_type, claims)
select cc.condition_id, {EVIDENCE_TYPE}, count(distinct cc.claim_id)
from claim_condition cc
left join study_link sl on sl.claim_id = cc.claim_id
left join reference r on r.id = sl.reference_id
left join work w on w.doi = r.work_doi
where cc.condition_id in ({_DIRTY})
group by cc.condition_id, 2""",
    f"""insert into condition_article (condition_id, article_id, claims)
select cc.condition_id, cc.article_id, count(distinct cc.claim_id)
from claim_condition cc
where cc.condition_id in ({_DIRTY})
group by cc.condition_id, cc.article_id""",
    """insert into condition_summary (condition_id, claims, articles, entries)
select d.condition_id,
  (select count(distinct cc.claim_id) from claim_condition cc
     where cc.condition_id = d.condition_id),
  (select count(distinct cc.article_id) from claim_condition cc
     where cc.condition_id = d.condition_id),
  (select count(distinct rc.reference_id) from reference_condition rc
     where rc.condition_id = d.condition_id)
from summary_dirty d
where d.condition_id in (select id from condition)
  and (exists (select 1 from claim_condition cc where cc.condition_id = d.condition_id)
    or exists (select 1 from reference_condition rc where rc.condition_id = d.condition_id))""",
    "delete from summary_dirty",
]
_DIRTY_ARTICLES = "select article_id from summary_dirty_article"

# The default facets of the article-scoped table pages (``facets`` in
# datasette_metadata.json; a test keeps the two in step). ``facet_article`` counts each
# article's rows per column and value, ``facet_total`` sums them over the articles: an
# unfiltered page's facets (and the article facet of a page filtered on one of these
# columns) read a few rows instead of grouping a million (``kb.datasette_facets``).
FACETS: dict[str, tuple[str, ...]] = {
    "section": ("article_id", "is_references"),
    "claim": ("article_id", "is_study_description"),
    "marker": ("style", "article_id"),
    "reference": ("doi_status", "verification", "evidence_type", "source_type"),
    "study_link": ("dangling", "article_id"),
    "claim_condition": ("condition_id", "inherited"),
    "reference_condition": ("condition_id", "field"),
    "finding": ("code", "severity", "article_id"),
}


def _facet_totals(sign: str) -> str:
    """Add (``+``) or take away (``-``) the dirty articles' counts from ``facet_total``."""
    return f"""insert into facet_total (table_name, column_name, value, n)
select table_name, column_name, value, {sign}sum(n) from facet_article
where article_id in ({_DIRTY_ARTICLES})
group by table_name, column_name, value
on conflict (table_name, column_name, value) do update set n = n + excluded.n"""


def _facet_counts() -> list[str]:
    return [
        f"""insert into facet_article (table_name, column_name, article_id, value, n)
select '{table}', '{col}', article_id, "{col}", count(*) from "{table}"
where article_id in ({_DIRTY_ARTICLES}) and "{col}" is not null
group by article_id, "{col}"
"""
        for table, cols in FACETS.items()
        for col in cols
    ]


REFRESH_ARTICLES: list[str] = [
    f"delete from finding_count where article_id in ({_DIRTY_ARTICLES})",
    f"""insert into finding_count (article_id, code, severity, findings)
select f.article_id, f.code, f.severity, count(*) from finding f
where f.article_id in ({_DIRTY_ARTICLES})
group by f.article_id, f.code, f.severity""",
    _facet_totals("-"),
    f"delete from facet_article where article_id in ({_DIRTY_ARTICLES})",
    *_facet_counts(),
    _facet_totals(""),
    "delete from facet_total where n = 0",
    "delete from summary_dirty_article",
]


def _stale_everywhere(conn: Connection) -> bool:
    """A database tagged before (some of) the summaries existed: tags but no summaries."""
    return bool(
        conn.execute(
            text(
                "select (exists (select 1 from claim_condition) and (not exists "
                "(select 1 from condition_summary) or not exists (select 1 from "
                "condition_article))) or (exists (select 1 from reference_condition) "
                "and not exists (select 1 from condition_summary))"
            )
        ).scalar()
    )


def refresh_summaries(target: Engine | Connection, *, full: bool = False) -> int:
    """Recompute the summary rows of the conditions marked dirty (all with ``full``, or
    when the summaries were never computed). Returns how many conditions were refreshed."""
    if isinstance(target, Engine):
        with target.begin() as conn:
            return refresh_summaries(conn, full=full)
    conn = target
    if full or _stale_everywhere(conn):
        conn.execute(
            text("insert or ignore into summary_dirty (condition_id) select id from condition")
        )
    if full or _counts_stale(conn):
        for table in ("finding_count", "facet_article", "facet_total"):
            conn.execute(text(f"delete from {table}"))
        conn.execute(
            text("insert or ignore into summary_dirty_article (article_id) select id from article")
        )
    n = conn.execute(text("select count(*) from summary_dirty")).scalar() or 0
    if n:
        for stmt in REFRESH:
            conn.execute(text(stmt))
    if conn.execute(text("select exists (select 1 from summary_dirty_article)")).scalar():
        for stmt in REFRESH_ARTICLES:
            conn.execute(text(stmt))
    return int(n)


def _counts_stale(conn: Connection) -> bool:
    """Findings but no counts, or claims but no facet counts: made before ``finding_count``
    or ``facet_article`` existed."""
    return bool(
        conn.execute(
            text(
                "select (exists (select 1 from finding) and not exists "
                "(select 1 from finding_count)) or (exists (select 1 from claim) "
                "and not exists (select 1 from facet_article))"
            )
        ).scalar()
    )
