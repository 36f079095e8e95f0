from pathlib import Path

from kb.inputs import discover


def test_folders_are_read_recursively_with_article_suffixes_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "one.txt").write_text("hello")
    (tmp_path / "a" / "b" / "two.html").write_text("<p>x</p>")
    (tmp_path / "a" / "b" / "three.md").write_text("# x")
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "a" / "README.md").write_text("# about this folder")
    (tmp_path / "a" / "LICENSE.txt").write_text("CC BY 4.0")
    specs, problems = discover(["a"])
    assert [s.source for s in specs] == ["a/b/three.md", "a/b/two.html", "a/one.txt"]
    assert all(s.kind == "file" for s in specs)
    assert problems == []


def test_url_lists_and_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("list.urls").write_text("# mine\nhttps://example.org/a\n\nhttp://example.org/b\n")
    Path("plain.txt").write_text("https://example.org/c\n")
    specs, problems = discover(["list.urls", "plain.txt", "https://example.org/a", "missing.md"])
    assert [(s.kind, s.source) for s in specs] == [
        ("url", "https://example.org/a"),
        ("url", "http://example.org/b"),
        ("url", "https://example.org/c"),
    ]
    assert problems == [("missing.md", "no such file, folder or URL")]


def test_explicit_file_with_odd_suffix_is_still_an_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("notes.dat").write_text("text")
    specs, _ = discover(["notes.dat"])
    assert [s.source for s in specs] == ["notes.dat"]
