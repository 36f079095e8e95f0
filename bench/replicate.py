"""A large query KB as copies of a smaller, fully derived one.

Deriving every article (evidence types, condition tags, the audit) costs about 0.2 s of
CPU per article and runs on one core: SQLite serialises the derive transactions, and
each holds the write lock while it computes. 10,000 articles take 35 minutes to 2 hours
on a shared 2-core machine. ``replicate`` instead copies every article-scoped row of a
fully derived KB ``copies`` times with shifted ids (and ``#copy-N`` appended to each
article's source), the way the rows of more articles of the same kind would look:
every derived layer present for every article, row counts and the share of rows
matching any filter or search word multiplied by ``copies``. Shared rows (works,
Crossref cache, conditions) are kept once, as a larger corpus citing the same works
would have them. Full-text tables fill through their triggers; the summaries are
recomputed from scratch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# article-scoped tables in an order that satisfies their foreign keys
TABLES = [
    "article", "section", "claim", "marker", "reference", "study_link",
    "claim_condition", "reference_condition", "finding", "suggestion", "suggestion_state",
]  # fmt: skip
# columns holding ids of another article-scoped table
ID_COLUMNS = {
    "article_id": "article", "section_id": "section", "claim_id": "claim",
    "continues_claim_id": "claim", "marker_id": "marker", "reference_id": "reference",
}  # fmt: skip


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def replicate(db: Path, copies: int) -> dict[str, int]:
    """Append ``copies - 1`` shifted copies of every article-scoped row of ``db``."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        span = {t: conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{t}"').fetchone()[0]
                for t in TABLES}  # fmt: skip
        for k in range(1, copies):
            for table in TABLES:
                cols = _columns(conn, table)
                exprs = []
                for c in cols:
                    if c == "id" or (table == "suggestion_state" and c == "reference_id"):
                        owner = "reference" if table == "suggestion_state" else table
                        exprs.append(f'"{c}" + {k * span[owner]}')
                    elif c in ID_COLUMNS:
                        exprs.append(f'"{c}" + {k * span[ID_COLUMNS[c]]}')
                    elif table == "article" and c == "source":
                        exprs.append(f"\"source\" || '#copy-{k}'")
                    else:
                        exprs.append(f'"{c}"')
                collist = ", ".join(f'"{c}"' for c in cols)
                rowids = f"rowid <= {span[table]}"
                conn.execute(
                    f'INSERT INTO "{table}" ({collist}) SELECT {", ".join(exprs)} '
                    f'FROM "{table}" WHERE {rowids} ORDER BY rowid'
                )
            conn.commit()
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    finally:
        conn.close()
