"""Counts of what the knowledge base holds: the `kb stats --format json` contract."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

# key -> SQL giving one integer. The keys are a documented, stable contract.
COUNTS: dict[str, str] = {
    "articles": "SELECT count(*) FROM article",
    "sections": "SELECT count(*) FROM section",
    "claims": "SELECT count(*) FROM claim",
    "uncited_study_descriptions": "SELECT count(*) FROM claim WHERE uncited",
    "markers": "SELECT count(*) FROM marker",
    "references": "SELECT count(*) FROM reference",
    "study_links": "SELECT count(*) FROM study_link",
    "dangling_markers": "SELECT count(*) FROM study_link WHERE reference_id IS NULL",
    "works": "SELECT count(*) FROM work",
    "dois_verified": "SELECT count(*) FROM reference WHERE verification = 'verified'",
    "dois_not_found": "SELECT count(*) FROM reference WHERE verification = 'not_found'",
    "dois_unverified": "SELECT count(*) FROM reference "
    "WHERE verification IN ('unverified', 'unchecked')",
    "suggestions": "SELECT count(*) FROM suggestion",
    "conditions": "SELECT count(*) FROM condition",
    "conditions_tagged": "SELECT count(DISTINCT condition_id) FROM claim_condition",
    "claim_conditions": "SELECT count(*) FROM claim_condition",
    "findings": "SELECT count(*) FROM finding",
    "ingest_failures": "SELECT count(*) FROM ingest_failure",
}


def stats(engine: Engine) -> dict:
    """Counts, plus findings by severity and by reason code."""
    with engine.connect() as conn:
        out: dict = {key: conn.execute(text(sql)).scalar_one() for key, sql in COUNTS.items()}
        out["findings_by_severity"] = dict(
            conn.execute(
                text("SELECT severity, count(*) FROM finding GROUP BY severity ORDER BY severity")
            ).all()
        )
        out["findings_by_code"] = dict(
            conn.execute(
                text("SELECT code, count(*) FROM finding GROUP BY code ORDER BY code")
            ).all()
        )
    return out
