"""`ingest/` reads the outside world; the database is `kb/`'s: no ingest module imports kb."""

from __future__ import annotations

import ast
from pathlib import Path

INGEST = Path(__file__).resolve().parents[1] / "ingest"


def _imported_modules(tree: ast.AST) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):  # function-local and conditional imports included
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def kb_importers(root: Path = INGEST) -> dict[str, list[str]]:
    """ingest module -> the kb modules it imports."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        mods = _imported_modules(ast.parse(path.read_text("utf-8"), str(path)))
        bad = sorted(m for m in mods if m == "kb" or m.startswith("kb."))
        if bad:
            found[str(path.relative_to(root.parent))] = bad
    return found


def test_ingest_imports_nothing_from_kb():
    offenders = kb_importers()
    assert not offenders, f"ingest modules importing kb: {offenders}"


def test_the_check_sees_an_import_of_kb(tmp_path):
    pkg = tmp_path / "ingest"
    pkg.mkdir()
    (pkg / "ok.py").write_text("import json\nfrom ingest.doi import find_doi\n")
    (pkg / "bad.py").write_text(
        "def f():\n    from kb.models import Work\n    import kb.database\n"
    )
    assert kb_importers(pkg) == {"ingest/bad.py": ["kb.database", "kb.models"]}
