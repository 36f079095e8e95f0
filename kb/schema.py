"""Schema extras declared in one place: indexes, full-text search tables, views.

``apply_extras`` is idempotent: every statement is ``IF NOT EXISTS`` or a
drop-and-create of a view, so ``ensure_db_shape`` can run on every open.
Full-text tables are external-content FTS5 tables kept in step by triggers,
so they never hold a second copy of the text.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

INDEXES: list[str] = [
    "CREATE INDEX IF NOT EXISTS idx_claim_article_position ON claim(article_id, position)",
    "CREATE INDEX IF NOT EXISTS idx_reference_article_key ON reference(article_id, key)",
    "CREATE INDEX IF NOT EXISTS idx_study_link_reference ON study_link(reference_id)",
    "CREATE INDEX IF NOT EXISTS idx_finding_article_sev ON finding(article_id, severity, code)",
    "CREATE INDEX IF NOT EXISTS idx_claim_condition_cond "
    "ON claim_condition(condition_id, claim_id)",
    "CREATE INDEX IF NOT EXISTS idx_reference_condition_cond "
    "ON reference_condition(condition_id, reference_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_decision_key "
    "ON suggestion_decision(article_source, reference_key, doi)",
]

# (fts table, content table, indexed columns)
FTS_TABLES: list[tuple[str, str, list[str]]] = [
    ("claim_fts", "claim", ["text"]),
    ("reference_fts", "reference", ["raw", "title", "journal"]),
    ("work_fts", "work", ["title", "container_title", "authors"]),
]

VIEWS: dict[str, str] = {}


def _fts_statements(fts: str, table: str, cols: list[str]) -> list[str]:
    collist = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    # work has a text primary key: external-content FTS needs the integer rowid.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({collist}, "
        f"content='{table}', content_rowid='rowid', tokenize='porter unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {collist}) VALUES (new.rowid, {new_vals}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {collist}) VALUES ('delete', old.rowid, {old_vals}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {collist}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO {fts}(rowid, {collist}) VALUES (new.rowid, {new_vals}); END",
    ]


def extra_statements() -> list[str]:
    stmts = list(INDEXES)
    for fts, table, cols in FTS_TABLES:
        stmts.extend(_fts_statements(fts, table, cols))
    for name, sql in VIEWS.items():
        stmts.append(f"DROP VIEW IF EXISTS {name}")
        stmts.append(f"CREATE VIEW {name} AS {sql}")
    return stmts


def apply_extras(conn: Connection) -> None:
    for stmt in extra_statements():
        conn.execute(text(stmt))


def drop_extras(conn: Connection) -> None:
    """Remove indexes and FTS (the benchmark baseline). Views stay."""
    for stmt in INDEXES:
        name = stmt.split("EXISTS ")[1].split()[0]
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for fts, _table, _cols in FTS_TABLES:
        for suffix in ("_ai", "_ad", "_au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {fts}{suffix}"))
        conn.execute(text(f"DROP TABLE IF EXISTS {fts}"))
