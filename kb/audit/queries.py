# ruff: noqa: E501  (the paged SQL is kept as Datasette serves it)
"""The editors' canned queries, kept here so tests run the very SQL Datasette serves.

``install(path)`` writes them into ``datasette_metadata.json`` under ``databases.kb.queries``,
touching only these keys. Every query takes ``:article``: an id, a source path or the exact
title; empty for every article.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.audit.codes import CODES

ARTICLE_FILTER = "(:article = '' or a.id = :article or a.source = :article or a.title = :article)"
RANK = "case f.severity when 'error' then 0 when 'warning' then 1 else 2 end"
CITATION_CODES = ", ".join(f"'{c.code}'" for c in CODES.values() if c.scope == "citation")
# Issue 13: ?page=N (empty = 1), 200 rows a page, cut from the ordered rows as they stream
# from index finding(code, article_id), before the rest is sorted
PAGE_OF_200 = (
    "\nlimit 200 offset 200 * (max(1, coalesce(cast(nullif(trim(:page), '') as integer), 1)) - 1)"
)
# the entry a label names: its number where numbered, else its key
LABEL = "coalesce(cast({t}.number as text), {t}.key)"

# Issue 13: the article filter first; then pages of 200 entries, worst first, each rank
# streamed in list order (index reference(article_id, position)) before anything is joined.
REFERENCES_NEEDING_ATTENTION = f"""with chosen_article as materialized (
  select a.id from article a
  where a.id = :article or a.source = :article or a.title = :article
),
bounds as materialized (
  select
    case when :article = '' then -1 else (select min(id) from chosen_article) end as lo,
    case when :article = '' then 9223372036854775807 else (select max(id) from chosen_article) end as hi
),
candidate as not materialized (
  select r.id, r.article_id, r.position from reference r
  where r.article_id between (select lo from bounds) and (select hi from bounds)
    and (:article = '' or r.article_id in (select id from chosen_article))
),
page_ref as materialized (
  select id from (
    select * from (
      select c.id from candidate c
      where exists (select 1 from finding f where f.reference_id = c.id and f.severity = 'error'
        and f.code not in ({CITATION_CODES}))
      order by c.article_id, c.position)
    union all
    select * from (
      select c.id from candidate c
      where exists (select 1 from finding f where f.reference_id = c.id and f.severity = 'warning'
        and f.code not in ({CITATION_CODES}))
      and not exists (select 1 from finding f where f.reference_id = c.id and f.severity = 'error'
        and f.code not in ({CITATION_CODES}))
      order by c.article_id, c.position)
    union all
    select * from (
      select c.id from candidate c
      where exists (select 1 from finding f where f.reference_id = c.id
        and f.severity not in ('error', 'warning')
        and f.code not in ({CITATION_CODES}))
      and not exists (select 1 from finding f where f.reference_id = c.id
        and f.severity in ('error', 'warning')
        and f.code not in ({CITATION_CODES}))
      order by c.article_id, c.position)
  )
  limit 200 offset 200 * (max(1, coalesce(cast(nullif(trim(:page), '') as integer), 1)) - 1)
)
select
  a.title as article,
  r.id as reference_id,
  coalesce(cast(r.number as text), r.key) as entry,
  r.raw as reference,
  case min(case pf.severity when 'error' then 0 when 'warning' then 1 else 2 end) when 0 then 'error' when 1 then 'warning' else 'info' end as worst_severity,
  group_concat(pf.code, ', ') as reasons,
  count(*) as findings,
  max(pf.fix_doi) as suggested_doi,
  max(json_extract(pf.evidence, '$.suggestion.confidence')) as doi_confidence,
  max(pf.fix_reference) as use_entry_instead,
  max(pf.fix_text) as complete_reference,
  group_concat(pf.message, ' ') as explanation
from (
  select fi.* from page_ref pr cross join finding fi on fi.reference_id = pr.id
  where fi.code not in ({CITATION_CODES})
  order by fi.severity = 'info', fi.severity = 'warning', fi.code
) pf
join reference r on r.id = pf.reference_id
join article a on a.id = pf.article_id
group by r.id
order by min(case pf.severity when 'error' then 0 when 'warning' then 1 else 2 end), a.id, r.position"""

# Issue 13: pages of about 200 findings made of whole (severity, article) groups, counted
# from the finding_count summary, before anything is joined.
CITATIONS_MISDESCRIBING = f"""with chosen_article as materialized (
  select a.id from article a
  where a.id = :article or a.source = :article or a.title = :article
),
per_group as materialized (
  select {RANK} as rank, f.article_id, sum(f.findings) as n from finding_count f
  where f.code in ('description_mismatch', 'condition_mismatch', 'numbering_shift')
    and (:article = '' or f.article_id in (select id from chosen_article))
  group by rank, article_id
  order by rank, article_id
  -- a page holds at most 200 groups (each has a finding): pages 1..p lie in the first 200p
  limit 200 * max(1, coalesce(cast(nullif(trim(:page), '') as integer), 1))
),
paged as materialized (
  select rank, article_id, dense_rank() over (order by before / 200) as page from (
    select rank, article_id, coalesce(sum(n) over (
      order by rank, article_id rows between unbounded preceding and 1 preceding), 0) as before
    from per_group)
),
page_finding as materialized (
  select f.id from paged p
  cross join finding f on f.code in ('description_mismatch', 'condition_mismatch', 'numbering_shift') and f.article_id = p.article_id and {RANK} = p.rank
  where p.page = max(1, coalesce(cast(nullif(trim(:page), '') as integer), 1))
)
select
  a.title as article,
  c.id as claim_id,
  c.text as claim,
  f.marker_key as marker,
  f.reference_key as cited_entry,
  r.raw as cited_reference,
  f.code,
  f.severity,
  f.message,
  f.fix_reference as probably_meant_entry,
  m.raw as probably_meant_reference,
  f.fix_text as complete_reference,
  f.evidence
from page_finding pf
cross join finding f on f.id = pf.id
join article a on a.id = f.article_id
left join claim c on c.id = f.claim_id
left join reference r on r.id = f.reference_id
left join reference m on m.article_id = f.article_id and coalesce(cast(m.number as text), m.key) = f.fix_reference
order by {RANK}, a.id, c.position, f.marker_key, f.code"""

DUPLICATE_REFERENCES = f"""select
  a.title as article,
  f.reference_key as entry,
  r.raw as reference,
  f.fix_reference as same_as_entry,
  k.raw as kept_reference,
  json_extract(f.evidence, '$.criterion') as criterion,
  json_extract(f.evidence, '$.doi') as doi,
  f.message
from finding f
join article a on a.id = f.article_id
join reference r on r.id = f.reference_id
left join reference k on k.article_id = f.article_id and {LABEL.format(t="k")} = f.fix_reference
where f.code = 'duplicate_reference'
  and {ARTICLE_FILTER}
order by a.id, r.position{PAGE_OF_200}"""

DANGLING_AND_UNCITED = f"""select
  a.title as article,
  case f.code when 'dangling_marker' then 'marker without entry'
    else 'entry never cited' end as problem,
  f.marker_key as marker,
  f.reference_key as entry,
  coalesce(c.text, r.raw) as text,
  f.message
from finding f
join article a on a.id = f.article_id
left join claim c on c.id = f.claim_id
left join reference r on r.id = f.reference_id
where f.code in ('dangling_marker', 'uncited_reference')
  and {ARTICLE_FILTER}
order by a.id, f.code, c.position, r.position{PAGE_OF_200}"""

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "references_needing_attention": {
        "title": "References needing attention",
        "description": "One row per reference entry with audit findings, worst severity first: "
        "the reasons, an explanation, and the fix (suggested DOI with its confidence, the entry "
        "to cite instead of a duplicate, the complete reference in AMA and Vancouver style). "
        "Parameter article: id, source path or exact title; empty for all articles.",
        "sql": REFERENCES_NEEDING_ATTENTION,
        "hide_sql": True,  # the answer first; "show" reveals the SQL
    },
    "citations_misdescribing_source": {
        "title": "Citations that misdescribe their source",
        "description": "Sentences whose description of the cited study (year, journal, design, "
        "sample size, condition) disagrees with the cited work, and markers that probably mean "
        "another entry (numbering shifts), with the evidence and the entry probably meant.",
        "sql": CITATIONS_MISDESCRIBING,
        "hide_sql": True,  # the answer first; "show" reveals the SQL
    },
    "duplicate_references": {
        "title": "Duplicate references",
        "description": "Entries that repeat another entry of the same list (same DOI, same year, "
        "volume, issue and pages, or the same text), with the entry to keep.",
        "sql": DUPLICATE_REFERENCES,
        "hide_sql": True,  # the answer first; "show" reveals the SQL
    },
    "markers_without_entries_and_uncited_entries": {
        "title": "Markers without entries and entries never cited",
        "description": "Citation markers that point to no entry of the reference list, and "
        "entries that no marker cites.",
        "sql": DANGLING_AND_UNCITED,
        "hide_sql": True,  # the answer first; "show" reveals the SQL
    },
}


def install(path: str | Path) -> None:
    """Write the editors' queries into a Datasette metadata file, leaving other keys alone."""
    path = Path(path)
    meta = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    queries = meta.setdefault("databases", {}).setdefault("kb", {}).setdefault("queries", {})
    queries.update(CANNED_QUERIES)
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":  # python -m kb.audit.queries datasette_metadata.json
    import sys

    install(sys.argv[1] if len(sys.argv) > 1 else "datasette_metadata.json")
