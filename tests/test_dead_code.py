"""No dead code in kb/ and bench/: vulture (configured in pyproject.toml) finds nothing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_vulture_finds_no_dead_code():
    done = subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_vulture_would_report_an_unused_function(tmp_path):
    (tmp_path / "m.py").write_text("def never_called():\n    return 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "vulture", str(tmp_path / "m.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "never_called" in done.stdout
