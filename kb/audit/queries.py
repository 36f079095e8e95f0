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
# the entry a label names: its number where numbered, else its key
LABEL = "coalesce(cast({t}.number as text), {t}.key)"

REFERENCES_NEEDING_ATTENTION = f"""select
  a.title as article,
  r.id as reference_id,
  {LABEL.format(t="r")} as entry,
  r.raw as reference,
  case min({RANK}) when 0 then 'error' when 1 then 'warning' else 'info' end as worst_severity,
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
where f.code not in ({CITATION_CODES})
  and {ARTICLE_FILTER}
group by r.id
order by min({RANK}), a.id, r.position"""

CITATIONS_MISDESCRIBING = f"""select
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
left join reference m on m.article_id = f.article_id and {LABEL.format(t="m")} = f.fix_reference
where f.code in ('description_mismatch', 'condition_mismatch', 'numbering_shift')
  and {ARTICLE_FILTER}
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
order by a.id, r.position"""

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
order by a.id, f.code, c.position, r.position"""

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
