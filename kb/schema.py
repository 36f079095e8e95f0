"""Schema extras declared in one place: indexes, full-text search tables, views.

``apply_extras`` is idempotent: every statement is ``IF NOT EXISTS`` or a
drop-and-create of a view, so ``ensure_db_shape`` can run on every open.
Full-text tables are external-content FTS5 tables kept in step by triggers,
so they never hold a second copy of the text.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from kb import models  # noqa: F401  (the tables whose own indexes the facet indexes complete)
from kb.summary import FACETS

# Default facets of the table pages (``facets`` in datasette_metadata.json). Every page
# runs one GROUP BY per facet over the rows it shows: on a million-row table that is a
# full scan and sort unless an index leads with the column. Each wide index below leads
# with one faceted column and carries the table's other faceted columns, so it also
# covers the facets of a page filtered on that column (a click on a facet value) without
# a table lookup per row. The filtered page's rows (``where col = ? order by id limit
# 51``) need the single-column index as well: only its entries for one value are in id
# order; without it SQLite walks the whole table in id order looking for a rare value.
# Id columns (article_id, condition_id) are indexed by the models.
FACET_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "article": [("format", "marker_style"), ("marker_style", "format")],
    "section": [("is_references", "article_id")],
    "claim": [("is_study_description", "article_id")],
    "marker": [("style", "article_id")],
    "reference": [
        ("doi_status", "verification", "evidence_type", "source_type"),
        ("verification", "doi_status", "evidence_type", "source_type"),
        ("evidence_type", "doi_status", "verification", "source_type"),
        ("source_type", "doi_status", "verification", "evidence_type"),
    ],
    "study_link": [("dangling", "article_id")],
    "work": [
        ("type", "provenance", "evidence_type"),
        ("provenance", "type", "evidence_type"),
        ("evidence_type", "type", "provenance"),
    ],
    "crossref_response": [("status", "provenance"), ("provenance", "status")],
    "suggestion": [("status", "provenance"), ("provenance", "status")],
    "claim_condition": [("inherited", "condition_id")],
    "reference_condition": [("field", "condition_id")],
    "finding": [("code", "severity", "article_id"), ("severity", "code", "article_id")],
    # small tables, indexed so that every faceted column is
    "work_update": [("update_type",)],
    "suggestion_decision": [("status",)],
    "condition": [("category",)],
    "ingest_failure": [("stage",)],
}


def _facet_indexes() -> list[str]:
    stmts = []
    for table, wide in FACET_INDEXES.items():
        for cols in wide:
            lead = cols[0]
            stmts.append(
                f"CREATE INDEX IF NOT EXISTS idx_{table}_facet_{lead} ON {table}({', '.join(cols)})"
            )
            if len(cols) > 1 and not SQLModel.metadata.tables[table].c[lead].index:
                stmts.append(f"CREATE INDEX IF NOT EXISTS idx_{table}_{lead} ON {table}({lead})")
    return stmts


INDEXES: list[str] = [
    "CREATE INDEX IF NOT EXISTS idx_claim_article_position ON claim(article_id, position)",
    "CREATE INDEX IF NOT EXISTS idx_reference_article_key ON reference(article_id, key)",
    "CREATE INDEX IF NOT EXISTS idx_study_link_reference ON study_link(reference_id)",
    "CREATE INDEX IF NOT EXISTS idx_finding_article_sev ON finding(article_id, severity, code)",
    "CREATE INDEX IF NOT EXISTS idx_claim_condition_cond "
    "ON claim_condition(condition_id, claim_id)",
    # claims_about_condition: a page of articles' claims about the matched conditions
    "CREATE INDEX IF NOT EXISTS idx_claim_condition_cond_article "
    "ON claim_condition(condition_id, article_id, claim_id)",
    # editors' queries: page a code's findings by article; find an article by its title
    "CREATE INDEX IF NOT EXISTS idx_finding_code_article ON finding(code, article_id)",
    "CREATE INDEX IF NOT EXISTS idx_article_title ON article(title)",
    "CREATE INDEX IF NOT EXISTS idx_finding_count_code "
    "ON finding_count(code, article_id, severity, findings)",
    # references_needing_attention walks an article's entries in list order
    "CREATE INDEX IF NOT EXISTS idx_reference_article_position ON reference(article_id, position)",
    "CREATE INDEX IF NOT EXISTS idx_condition_article_claims "
    "ON condition_article(condition_id, article_id, claims)",
    "CREATE INDEX IF NOT EXISTS idx_reference_condition_cond "
    "ON reference_condition(condition_id, reference_id)",
    # local DOI candidates look works up by year (and volume) near a reference's year
    "CREATE INDEX IF NOT EXISTS idx_work_year_volume ON work(year, volume)",
    # the article facet of a page filtered on one faceted value, most rows first
    "CREATE INDEX IF NOT EXISTS idx_facet_article_value "
    "ON facet_article(table_name, column_name, value, n, article_id)",
    # the refresh finds the stale articles' counts by article
    "CREATE INDEX IF NOT EXISTS idx_facet_article_article ON facet_article(article_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_decision_key "
    "ON suggestion_decision(article_source, reference_key, doi)",
    *_facet_indexes(),
]

# (fts table, content table, indexed columns)
FTS_TABLES: list[tuple[str, str, list[str]]] = [
    # search_terms: what the article's words mean (kb.search_terms), so "multiple sclerosis"
    # finds the claims that write "MS" and a reference is found by its work's title
    ("claim_fts", "claim", ["text", "search_terms"]),
    ("reference_fts", "reference", ["raw", "title", "journal", "search_terms"]),
    ("work_fts", "work", ["title", "container_title", "authors"]),
]

VIEWS: dict[str, str] = {}

# Triggers that mark the conditions whose summary rows (``kb.summary``) a change makes
# stale: its tags, the study links of its claims, the evidence type of what they cite.
_MARK = "INSERT OR IGNORE INTO summary_dirty (condition_id)"
_MARK_ARTICLE = "INSERT OR IGNORE INTO summary_dirty_article (article_id)"
_OF_CLAIM = "SELECT condition_id FROM claim_condition WHERE claim_id = {row}.claim_id"
_OF_REFERENCE = (
    "SELECT cc.condition_id FROM study_link sl JOIN claim_condition cc "
    "ON cc.claim_id = sl.claim_id WHERE sl.reference_id = {row}.id"
)
_OF_WORK = (
    "SELECT cc.condition_id FROM reference r JOIN study_link sl ON sl.reference_id = r.id "
    "JOIN claim_condition cc ON cc.claim_id = sl.claim_id WHERE r.work_doi = {row}.doi"
)
SUMMARY_TRIGGERS: dict[str, str] = {
    "summary_cc_ai": "AFTER INSERT ON claim_condition BEGIN "
    f"{_MARK} VALUES (new.condition_id); END",
    "summary_cc_ad": "AFTER DELETE ON claim_condition BEGIN "
    f"{_MARK} VALUES (old.condition_id); END",
    "summary_cc_au": "AFTER UPDATE ON claim_condition BEGIN "
    f"{_MARK} VALUES (old.condition_id); {_MARK} VALUES (new.condition_id); END",
    "summary_rc_ai": "AFTER INSERT ON reference_condition BEGIN "
    f"{_MARK} VALUES (new.condition_id); END",
    "summary_rc_ad": "AFTER DELETE ON reference_condition BEGIN "
    f"{_MARK} VALUES (old.condition_id); END",
    "summary_rc_au": "AFTER UPDATE ON reference_condition BEGIN "
    f"{_MARK} VALUES (old.condition_id); {_MARK} VALUES (new.condition_id); END",
    "summary_sl_ai": f"AFTER INSERT ON study_link BEGIN {_MARK} {_OF_CLAIM.format(row='new')}; END",
    "summary_sl_ad": f"AFTER DELETE ON study_link BEGIN {_MARK} {_OF_CLAIM.format(row='old')}; END",
    "summary_sl_au": "AFTER UPDATE OF claim_id, reference_id ON study_link BEGIN "
    f"{_MARK} {_OF_CLAIM.format(row='old')}; {_MARK} {_OF_CLAIM.format(row='new')}; END",
    "summary_ref_au": "AFTER UPDATE OF evidence_type, work_doi ON reference "
    "WHEN old.evidence_type IS NOT new.evidence_type OR old.work_doi IS NOT new.work_doi "
    f"BEGIN {_MARK} {_OF_REFERENCE.format(row='new')}; END",
    "summary_ref_ad": "AFTER DELETE ON reference BEGIN "
    f"{_MARK} {_OF_REFERENCE.format(row='old')}; END",
    "summary_finding_ai": "AFTER INSERT ON finding BEGIN "
    f"{_MARK_ARTICLE} VALUES (new.article_id); END",
    "summary_finding_ad": "AFTER DELETE ON finding BEGIN "
    f"{_MARK_ARTICLE} VALUES (old.article_id); END",
    "summary_finding_au": "AFTER UPDATE OF article_id, code, severity ON finding BEGIN "
    f"{_MARK_ARTICLE} VALUES (old.article_id); {_MARK_ARTICLE} VALUES (new.article_id); END",
    "summary_work_au": "AFTER UPDATE OF evidence_type ON work "
    "WHEN old.evidence_type IS NOT new.evidence_type "
    f"BEGIN {_MARK} {_OF_WORK.format(row='new')}; END",
}


def _facet_triggers() -> dict[str, str]:
    """Mark an article's facet counts stale when its rows of a faceted table change
    (``finding`` is marked by the ``summary_finding_*`` triggers above)."""
    out = {}
    for table, cols in FACETS.items():
        if table == "finding":
            continue
        of = ", ".join(dict.fromkeys(("article_id", *cols)))
        out[f"facet_{table}_ai"] = (
            f"AFTER INSERT ON {table} BEGIN {_MARK_ARTICLE} VALUES (new.article_id); END"
        )
        out[f"facet_{table}_ad"] = (
            f"AFTER DELETE ON {table} BEGIN {_MARK_ARTICLE} VALUES (old.article_id); END"
        )
        out[f"facet_{table}_au"] = (
            f"AFTER UPDATE OF {of} ON {table} BEGIN {_MARK_ARTICLE} VALUES (old.article_id); "
            f"{_MARK_ARTICLE} VALUES (new.article_id); END"
        )
    return out


SUMMARY_TRIGGERS.update(_facet_triggers())


def _fts_statements(fts: str, table: str, cols: list[str]) -> list[str]:
    collist = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in cols)
    # work has a text primary key: external-content FTS needs the integer rowid.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({collist}, "
        f"content='{table}', content_rowid='rowid', tokenize='porter unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {collist}) VALUES (new.rowid, {new_vals}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {collist}) VALUES ('delete', old.rowid, {old_vals}); END",
        # Only a change of an indexed column re-indexes the row: the build updates other
        # columns (verification, evidence types) of every entry, and re-indexing costs as
        # much as the insert.
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {collist} ON {table} "
        f"WHEN {changed} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {collist}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO {fts}(rowid, {collist}) VALUES (new.rowid, {new_vals}); END",
    ]


def extra_statements() -> list[str]:
    stmts = list(INDEXES)
    for fts, table, cols in FTS_TABLES:
        stmts.extend(_fts_statements(fts, table, cols))
    for name, body in SUMMARY_TRIGGERS.items():
        stmts.append(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    for name, sql in VIEWS.items():
        stmts.append(f"DROP VIEW IF EXISTS {name}")
        stmts.append(f"CREATE VIEW {name} AS {sql}")
    return stmts


def _outdated_fts(conn: Connection) -> list[tuple[str, str, list[str]]]:
    """FTS tables made by an older version with other columns than declared here."""
    out = []
    for fts, table, cols in FTS_TABLES:
        have = [r[1] for r in conn.execute(text(f"PRAGMA table_info({fts})"))]
        if have and have != cols:
            out.append((fts, table, cols))
    return out


def _replace_changed_triggers(conn: Connection, stmts: list[str]) -> None:
    """Drop the triggers whose stored definition differs from the declared one (an older
    version's), so that the ``IF NOT EXISTS`` statements create them anew."""
    stored = dict(
        conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    )
    for stmt in stmts:
        if not stmt.startswith("CREATE TRIGGER IF NOT EXISTS "):
            continue
        name = stmt.split()[5]
        want = " ".join(stmt.replace(" IF NOT EXISTS", "", 1).split())
        have = stored.get(name)
        if have is not None and " ".join(have.split()) != want:
            conn.execute(text(f"DROP TRIGGER {name}"))


def apply_extras(conn: Connection) -> None:
    outdated = _outdated_fts(conn)
    for fts, _table, _cols in outdated:  # recreated below with the declared columns
        for suffix in ("_ai", "_ad", "_au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {fts}{suffix}"))
        conn.execute(text(f"DROP TABLE IF EXISTS {fts}"))
    stmts = extra_statements()
    _replace_changed_triggers(conn, stmts)
    for stmt in stmts:
        conn.execute(text(stmt))
    for fts, _table, _cols in outdated:
        conn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


def drop_extras(conn: Connection) -> None:
    """Remove indexes and FTS (the benchmark baseline). Views stay."""
    for stmt in INDEXES:
        name = stmt.split("EXISTS ")[1].split()[0]
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for fts, _table, _cols in FTS_TABLES:
        for suffix in ("_ai", "_ad", "_au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {fts}{suffix}"))
        conn.execute(text(f"DROP TABLE IF EXISTS {fts}"))


def ensure_work_vocabulary(conn: Connection) -> None:
    """``temp.work_fts_vocab``: each word of ``work_fts`` with the number of works holding
    it (fts5vocab), which local DOI candidates read to pick a reference's rarest words.
    A temporary table lives with the connection, never in the database file."""
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.work_fts_vocab "
            "USING fts5vocab(main, work_fts, row)"
        )
    )
