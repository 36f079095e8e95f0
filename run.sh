#!/usr/bin/env bash
# evidence-kb in one command.
#   ./run.sh            set everything up, build kb.db from data/, serve it on http://127.0.0.1:8001
#   ./run.sh test       set everything up and run the whole test suite
#   ./run.sh bench      run the benchmarks (see bench/README.md)
#   ./run.sh kb ARGS    run any kb command inside the project environment
# Needs only Python 3.11+ and access to PyPI. Set PYTHON to choose the interpreter.
set -euo pipefail
cd "$(dirname "$0")"

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "evidence-kb needs Python 3.11 or newer (found: $("$PY" --version 2>&1 || echo none))." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 2
fi

# uv, pinned, in a private tools folder; it installs the locked dependencies.
UV_VERSION="0.13.9"
if ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  if ! "$PY" -m venv .tools; then
    echo "Could not create a virtual environment with $PY (on Debian/Ubuntu: apt-get install python3-venv)." >&2
    exit 2
  fi
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never  # use this machine's Python, never download one
.tools/bin/uv sync --frozen --quiet --python "$("$PY" -c 'import sys; print(sys.executable)')"

cmd="${1:-serve}"
[ $# -gt 0 ] && shift
case "$cmd" in
  serve)
    exec .venv/bin/kb serve "$@"
    ;;
  test)
    # The browser test drives Debian's Chromium; install it where we may (CI runs as root).
    if ! command -v chromium >/dev/null 2>&1 && [ -f tests/install_chromium.sh ]; then
      bash tests/install_chromium.sh || echo "Chromium not installed: the browser test will be skipped." >&2
    fi
    exec .venv/bin/python -m pytest "$@"
    ;;
  bench)
    exec .venv/bin/python -m bench.run "$@"
    ;;
  kb)
    exec .venv/bin/kb "$@"
    ;;
  *)
    echo "usage: ./run.sh [serve|test|bench|kb ARGS]" >&2
    exit 2
    ;;
esac
