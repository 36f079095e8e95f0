"""Issue 6's bad inputs, each through the whole build: a clear error or a sound article,
and in every case the good article beside it is still there, whole.

The parsers' own tests go deeper on each case; this table proves the build around them
keeps its promises: one transaction per article, one-line reasons, nothing else lost.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.build import BuildOptions, build

GOOD = (
    "# Good article\n\nLDN reduced pain in fibromyalgia [1].\n\n## References\n\n"
    "1. Younger J, Mackey S. Fibromyalgia symptoms are reduced by low-dose naltrexone. "
    "Pain Med. 2009;10(4):663-672. doi:10.1111/j.1526-4637.2009.00613.x\n"
)


def article_with(body: str, refs: str = "") -> str:
    return f"# Title\n\n{body}\n\n{refs}"


REFS_3 = "## References\n\n1. A B. One. J X. 2001;1:1-2.\n2. C D. Two. J Y. 2002;2:3-4.\n" + (
    "3. E F. Three. J Z. 2003;3:5-6.\n"
)

# name, file name, bytes, expected failure stage (None: ingests), check(con, article_id)
CASES = [
    ("empty", "empty.txt", b"", "decode", None),
    ("binary", "bin.html", bytes(range(256)) * 8, "decode", None),
    ("pdf bytes", "paper.md", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "decode", None),
    (
        "latin-1",
        "latin1.txt",
        article_with("Caf\xe9 patients improved [1].", REFS_3).encode("latin-1"),
        None,
        lambda con, a: "Café patients" in _text(con, a),
    ),
    (
        "windows-1252",
        "cp1252.txt",
        article_with("The \x93low dose\x94 arm improved [1].", REFS_3).encode("latin-1"),
        None,
        lambda con, a: "“low dose”" in _text(con, a),
    ),
    (
        "mojibake",
        "moji.md",
        article_with("Caf\u00c3\u00a9 patients improved [1].", REFS_3).encode("utf-8"),
        None,
        lambda con, a: "Café" in _text(con, a) and _col(con, a, "repaired") == 1,
    ),
    ("over the size cap", "huge.txt", b"word " * 1_200_000, "decode", None),
    (
        "no reference list",
        "norefs.md",
        article_with("LDN helped [1]. It helped more [2].").encode(),
        None,
        lambda con, a: _count(con, "study_link", a, "dangling") == 2,
    ),
    (
        "a reference list with no numbers",
        "nonum.md",
        article_with(
            "LDN helped [1].",
            "## References\n\nSmith J. A study. J X. 2001;1:1-2.\n\nLee K. Other. J Y. 2002;2:3.\n",
        ).encode(),
        None,
        lambda con, a: _count(con, "reference", a) == 2,
    ),
    (
        "markers beyond the end of the list",
        "beyond.md",
        article_with("LDN helped [2]. Also [7].", REFS_3).encode(),
        None,
        lambda con, a: _count(con, "study_link", a, "dangling") == 1,
    ),
    (
        "the same marker repeated",
        "repeat.md",
        article_with("LDN helped [1] and helped [1]. Again [1].", REFS_3).encode(),
        None,
        lambda con, a: _count(con, "study_link", a) == 2 and _count(con, "marker", a) == 3,
    ),
    (
        "nested and broken HTML",
        "broken.html",
        b"<html><body><h1>T</h1><div><p>LDN helped <b><i>a lot [1]</b></i>.<p>More text"
        b"<div><div><span>unclosed</div><h2>References</h2><ol><li>A B. One. J X. 2001;1:1."
        b"</ol>",
        None,
        lambda con, a: _count(con, "claim", a) >= 1,
    ),
    (
        "scripts, styles and comments",
        "script.html",
        b"<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        b"<h1>T</h1><!-- hidden comment [9] --><p>LDN helped [1].<script>document.write(1)"
        b"</script></p><h2>References</h2><ol><li>A B. One. J X. 2001;1:1-2.</li></ol>"
        b"</body></html>",
        None,
        lambda con, a: (
            "alert" not in _text(con, a)
            and "color:red" not in _text(con, a)
            and "hidden comment" not in _text(con, a)
            and _count(con, "marker", a) == 1
        ),
    ),
    (
        "5,000 reference entries",
        "long.md",
        article_with(
            "LDN helped [4999].",
            "## References\n\n"
            + "".join(f"{i}. Auth{i} A. Title {i}. J X. 2001;1:{i}.\n" for i in range(1, 5001)),
        ).encode(),
        None,
        lambda con, a: (
            _count(con, "reference", a) == 5000
            and _count(con, "study_link", a, "NOT dangling") == 1
        ),
    ),
]


def _text(con, article_id) -> str:
    return con.execute("SELECT text FROM article WHERE id = ?", (article_id,)).fetchone()[0]


def _col(con, article_id, col):
    return con.execute(f"SELECT {col} FROM article WHERE id = ?", (article_id,)).fetchone()[0]


def _count(con, table, article_id, where="1") -> int:
    sql = f"SELECT count(*) FROM {table} WHERE article_id = ? AND {where}"
    return con.execute(sql, (article_id,)).fetchone()[0]


@pytest.mark.parametrize("name,filename,data,stage,check", CASES, ids=[c[0] for c in CASES])
def test_bad_input_through_the_build(tmp_path, monkeypatch, name, filename, data, stage, check):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.md").write_text(GOOD)
    (tmp_path / "in" / filename).write_bytes(data)
    result = build(["in"], tmp_path / "kb.db", BuildOptions(offline=True))
    con = sqlite3.connect(tmp_path / "kb.db")
    sources = dict(con.execute("SELECT source, id FROM article"))
    # the good article is always there, whole
    assert _count(con, "claim", sources["in/good.md"]) == 1
    assert _count(con, "reference", sources["in/good.md"]) == 1
    if stage is None:
        assert result.ok, result.failures
        assert check(con, sources[f"in/{filename}"])
    else:
        (failure,) = result.failures
        assert failure.source == f"in/{filename}" and failure.stage == stage
        assert failure.reason and "\n" not in failure.reason and "Traceback" not in failure.reason
        assert f"in/{filename}" not in sources
        stored = con.execute("SELECT stage, error, detail FROM ingest_failure").fetchall()
        assert stored == [(failure.stage, failure.reason, failure.detail)]
        assert failure.detail.startswith(failure.reason)


class _Web(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, ctype, body, headers=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        if self.path == "/good":
            self._send(200, "text/markdown; charset=utf-8", GOOD.encode())
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", b"<p>late</p>")
        elif self.path == "/loop":
            self._send(302, "text/html", b"", {"Location": "/loop"})
        elif self.path == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.7")
        else:
            self._send(404, "text/plain", b"no")


@pytest.fixture
def web():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Web)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_urls_that_time_out_loop_or_are_pdfs_fail_clearly(tmp_path, monkeypatch, web):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list.urls").write_text(
        "\n".join(f"{web}/{p}" for p in ("good", "slow", "loop", "pdf", "missing")) + "\n"
    )
    result = build(["list.urls"], tmp_path / "kb.db", BuildOptions(offline=True, fetch_timeout=1))
    assert result.ingested == 1
    reasons = {f.source.rsplit("/", 1)[1]: f.reason.lower() for f in result.failures}
    assert set(reasons) == {"slow", "loop", "pdf", "missing"}
    assert "timed out" in reasons["slow"] or "timeout" in reasons["slow"]
    assert "redirect" in reasons["loop"]
    assert "pdf" in reasons["pdf"]
    assert "404" in reasons["missing"]
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT source_kind, source FROM article").fetchall() == [
        ("url", f"{web}/good")
    ]


def test_hostile_dois_never_change_the_crossref_request_path(
    tmp_path, monkeypatch, crossref_server
):
    monkeypatch.chdir(tmp_path)
    hostile = [
        "10.5555/../../members",
        "10.5555/x?rows=1000",
        "10.5555/a#fragment",
        "10.5555/with space",
        "10.5555/ctrl\x07bell",
    ]
    refs = "".join(f"{i}. A B. T{i}. J X. 2001;1:{i}. doi: {d}\n" for i, d in enumerate(hostile, 1))
    body = " ".join(f"Claim {i} [{i}]." for i in range(1, len(hostile) + 1))
    (tmp_path / "h.md").write_text(article_with(body, "## References\n\n" + refs))
    result = build(
        ["h.md"], tmp_path / "kb.db", BuildOptions(base_url=crossref_server.url, snapshot_dirs=())
    )
    assert result.ok
    assert crossref_server.log, "the build asked Crossref nothing"
    for entry in crossref_server.log:
        path, _, query = entry.raw_path.partition("?")
        assert path == "/works" or (path.startswith("/works/") and path.count("/") == 2), path
        assert "#" not in entry.raw_path and " " not in entry.raw_path
        assert "members" not in path
        if path == "/works":  # a list request: only our own parameters
            params = dict(kv.split("=", 1) for kv in query.split("&"))
            assert set(params) <= {"filter", "rows", "query.bibliographic", "mailto", "select"}
            assert int(params["rows"]) <= 100  # not the hostile "rows=1000"
