# ruff: noqa: E501  (the SQL is kept verbatim)
"""The canned queries as they were before issue 13 rewrote them (verbatim, from
``datasette_metadata.json`` at commit c4d2827; claims_about_condition and
claims_description_mismatch as issue 12 left them, main at 3a6f75b).

The benchmark times them beside the current SQL on the same knowledge base (the
"before" of every rewritten query), and ``tests/test_canned_rewrites.py`` checks that
the current SQL returns the same rows.
"""

PREVIOUS_SQL: dict[str, str] = {
    "evidence_map": """select
  cd.name as condition,
  cd.category,
  case
    when sl.id is null then 'not cited'
    when r.id is null then 'no entry'
    else coalesce(r.evidence_type, w.evidence_type, 'unknown')
  end as evidence_type,
  count(distinct cc.claim_id) as claims
from claim_condition cc
join condition cd on cd.id = cc.condition_id
left join study_link sl on sl.claim_id = cc.claim_id
left join reference r on r.id = sl.reference_id
left join work w on w.doi = r.work_doi
group by cd.id, 3
order by (select count(distinct cc2.claim_id) from claim_condition cc2
          where cc2.condition_id = cd.id) desc, cd.name, claims desc, evidence_type""",
    "claims_about_condition": """with recursive q(t) as (
  select lower(replace(replace(replace(trim(coalesce(:condition, '')), '’', ''), '‘', ''), '''', ''))
),
names(id, name) as (
  select cd.id, lower(replace(cd.name, '''', '')) from condition cd
  union all
  select cd.id, lower(replace(j.value, '''', '')) from condition cd,
    json_each(case when json_valid(cd.synonyms) then cd.synonyms else '[]' end) j
),
named as (
  select n.id from names n, q where q.t != '' and n.name = q.t
  union select cd.id from condition cd, q where q.t != '' and (
    lower(coalesce(cd.mesh_id, '')) = q.t
    or lower(replace(coalesce(cd.mesh_heading, ''), '''', '')) = q.t
    or exists (select 1 from json_each(case when json_valid(cd.abbreviations) then cd.abbreviations else '[]' end) j
               where lower(j.value) = q.t))
  union select n.id from names n, q
    where length(q.t) >= 3 and ' ' || n.name || ' ' like '% ' || q.t || ' %'
),
partial as (
  select n.id from names n, q
  where length(q.t) >= 3 and not exists (select 1 from named) and n.name like '%' || q.t || '%'
),
wanted(id) as (
  select id from named
  union select id from partial
  union select cd.id from condition cd, q where q.t = ''
  union select child.id from condition child,
    json_each(case when json_valid(child.parents) then child.parents else '[]' end) p
    join condition parent on lower(parent.name) = lower(p.value)
    join wanted w on w.id = parent.id
)
select
  c.id as claim_id,
  a.title as article,
  s.heading as section,
  c.text as claim,
  (select group_concat(t, '; ') from (
     select case when cc.inherited then '(section heading)' else cc.matched_text end as t
     from claim_condition cc
     where cc.claim_id = c.id and cc.condition_id in (select id from wanted)
     order by cc.id)) as matched,
  sl.key as cited_key,
  r.id as reference_id,
  r.raw as reference,
  r.work_doi,
  case when r.id is null then null else coalesce(r.evidence_type, w.evidence_type, 'unknown') end as evidence_type,
  r.verification,
  (select group_concat(distinct f.code) from finding f
     where f.reference_id = r.id and (f.claim_id is null or f.claim_id = c.id)) as entry_findings,
  (select group_concat(distinct f.code) from finding f
     where f.claim_id = c.id and f.reference_id is null) as claim_findings
from claim c
join article a on a.id = c.article_id
left join section s on s.id = c.section_id
left join study_link sl on sl.claim_id = c.id
left join reference r on r.id = sl.reference_id
left join work w on w.doi = r.work_doi
where c.id in (
  select cc.claim_id from claim_condition cc
  where cc.condition_id in (select id from wanted)
)
order by a.id, c.position, r.position, sl.key""",
    "claims_weak_sources_only": """with link as not materialized (
  select
    sl.claim_id,
    sl.key,
    r.id as reference_id,
    coalesce(r.evidence_type, w.evidence_type, 'unknown') as evidence_type,
    case
      when r.id is null then 'no entry for the marker'
      when r.source_type in ('web', 'press_release') or exists (
        select 1 from finding f where f.reference_id = r.id and f.code = 'non_scholarly_source'
      ) then 'non-scholarly source'
      when coalesce(r.verification, '') != 'verified' then 'not verified (' || coalesce(r.verification, '') || ')'
      when lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%case%report%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%case%series%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%narrative%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%protocol%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%opinion%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%hypothes%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%vitro%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%animal%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%preclinical%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%conference%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%abstract%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%web%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%press%' or lower(coalesce(r.evidence_type, w.evidence_type, 'unknown')) like '%unknown%' then 'weak evidence'
      else null
    end as weakness
  from study_link sl
  left join reference r on r.id = sl.reference_id
  left join work w on w.doi = r.work_doi
)
select
  c.id as claim_id,
  a.title as article,
  c.text as claim,
  (select count(*) from link where link.claim_id = c.id) as cited_entries,
  (select group_concat('[' || link.key || '] ' || link.weakness || ', ' || link.evidence_type, '; ')
     from link where link.claim_id = c.id) as why_weak
from article a
join claim c on c.article_id = a.id
where exists (select 1 from study_link sl where sl.claim_id = c.id)
  and not exists (select 1 from link where link.claim_id = c.id and link.weakness is null)
order by a.id, c.position""",
    "claims_description_mismatch": """select
  f.id as finding_id,
  a.title as article,
  c.id as claim_id,
  c.text as claim,
  f.reference_key as cited_key,
  r.id as reference_id,
  r.raw as reference,
  r.work_doi,
  c.desc_year as claim_year,
  coalesce(json_extract(f.evidence, '$.fields.year.source'), json_extract(f.evidence, '$.agreed.year.source'), w.year, r.year) as source_year,
  c.desc_journal as claim_journal,
  coalesce(json_extract(f.evidence, '$.fields.journal.source'), json_extract(f.evidence, '$.agreed.journal.source'), w.container_title, r.journal) as source_journal,
  c.desc_design as claim_design,
  coalesce(r.evidence_type, w.evidence_type) as source_evidence_type,
  f.severity,
  f.message,
  f.evidence
from finding f
join article a on a.id = f.article_id
left join claim c on c.id = f.claim_id
left join reference r on r.id = f.reference_id
left join work w on w.doi = r.work_doi
where f.code = 'description_mismatch'
order by a.id, c.position, f.id""",
    "references_needing_attention": """select
  a.title as article,
  r.id as reference_id,
  coalesce(cast(r.number as text), r.key) as entry,
  r.raw as reference,
  case min(case f.severity when 'error' then 0 when 'warning' then 1 else 2 end) when 0 then 'error' when 1 then 'warning' else 'info' end as worst_severity,
  group_concat(f.code, ', ') as reasons,
  count(*) as findings,
  max(f.fix_doi) as suggested_doi,
  max(json_extract(f.evidence, '$.suggestion.confidence')) as doi_confidence,
  max(f.fix_reference) as use_entry_instead,
  max(f.fix_text) as complete_reference,
  group_concat(f.message, ' ') as explanation
from (select * from finding order by severity = 'info', severity = 'warning', code) f
join reference r on r.id = f.reference_id
join article a on a.id = f.article_id
where f.code not in ('dangling_marker', 'description_mismatch', 'condition_mismatch', 'numbering_shift')
  and (:article = '' or a.id = :article or a.source = :article or a.title = :article)
group by r.id
order by min(case f.severity when 'error' then 0 when 'warning' then 1 else 2 end), a.id, r.position""",
    "citations_misdescribing_source": """select
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
from finding f
join article a on a.id = f.article_id
left join claim c on c.id = f.claim_id
left join reference r on r.id = f.reference_id
left join reference m on m.article_id = f.article_id and coalesce(cast(m.number as text), m.key) = f.fix_reference
where f.code in ('description_mismatch', 'condition_mismatch', 'numbering_shift')
  and (:article = '' or a.id = :article or a.source = :article or a.title = :article)
order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, a.id, c.position, f.marker_key, f.code""",
    "duplicate_references": """select
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
left join reference k on k.article_id = f.article_id and coalesce(cast(k.number as text), k.key) = f.fix_reference
where f.code = 'duplicate_reference'
  and (:article = '' or a.id = :article or a.source = :article or a.title = :article)
order by a.id, r.position""",
    "markers_without_entries_and_uncited_entries": """select
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
  and (:article = '' or a.id = :article or a.source = :article or a.title = :article)
order by a.id, f.code, c.position, r.position""",
    "claims_of_article": """select
  c.id as claim_id,
  s.heading as section,
  c.position,
  c.text as claim,
  sl.key as cited_key,
  sl.dangling,
  r.id as reference_id,
  r.raw as reference,
  r.doi,
  r.verification,
  case when r.id is null then null else coalesce(r.evidence_type, w.evidence_type, 'unknown') end as evidence_type
from claim c
join article a on a.id = c.article_id
left join section s on s.id = c.section_id
left join study_link sl on sl.claim_id = c.id
left join reference r on r.id = sl.reference_id
left join work w on w.doi = r.work_doi
where (a.id = :article or a.source = :article or a.title = :article)
order by c.position, r.position, sl.key""",
    "references_of_article": """select
  r.id as reference_id,
  r.key,
  r.number,
  r.raw,
  r.doi,
  r.doi_status,
  r.pmid,
  r.pmcid,
  r.isbn,
  r.url,
  r.year,
  r.volume,
  r.issue,
  r.pages,
  r.article_number,
  r.journal,
  r.authors,
  r.title,
  r.source_type,
  r.verification,
  r.work_doi,
  coalesce(r.evidence_type, w.evidence_type, 'unknown') as evidence_type,
  (select count(distinct sl.claim_id) from study_link sl where sl.reference_id = r.id) as cited_by_claims
from reference r
join article a on a.id = r.article_id
left join work w on w.doi = r.work_doi
where (a.id = :article or a.source = :article or a.title = :article)
order by r.position""",
}
