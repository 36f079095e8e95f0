"""Which articles a build reads: files, folders (recursive), URL lists and URLs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
# A folder's own paperwork is not an article (it is still read when named explicitly).
NOT_ARTICLES = ("readme", "license", "licence", "changelog", "contributing", "copying")
URL_LIST_SUFFIXES = {".urls"}


@dataclass(frozen=True)
class InputSpec:
    source: str  # stable identity: a path relative to the working folder, or a URL
    kind: str  # file | url
    location: str  # path to read, or URL to fetch


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def source_name(path: Path) -> str:
    """A stable name for a file: relative to the working folder when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _is_url_list(path: Path) -> bool:
    """A .urls file, or a .txt whose every non-blank, non-comment line is one URL."""
    if path.suffix.lower() in URL_LIST_SUFFIXES:
        return True
    if path.suffix.lower() != ".txt":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    lines = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    return bool(lines) and all(is_url(ln) and " " not in ln for ln in lines)


def read_url_list(path: Path) -> list[InputSpec]:
    specs = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and is_url(line):
            specs.append(InputSpec(source=line, kind="url", location=line))
    return specs


def discover(paths: list[str]) -> tuple[list[InputSpec], list[tuple[str, str]]]:
    """Expand the build's arguments into inputs, plus (argument, reason) for bad ones."""
    specs: list[InputSpec] = []
    problems: list[tuple[str, str]] = []
    for arg in paths:
        if is_url(arg):
            specs.append(InputSpec(source=arg, kind="url", location=arg))
            continue
        path = Path(arg)
        if path.is_dir():
            found: list[InputSpec] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    found.extend(_file_specs(Path(root) / name, explicit=False))
            specs.extend(sorted(found, key=lambda s: s.source))  # same order on every machine
        elif path.is_file():
            specs.extend(_file_specs(path, explicit=True))
        else:
            problems.append((arg, "no such file, folder or URL"))
    seen: set[str] = set()
    unique = []
    for spec in specs:
        if spec.source not in seen:
            seen.add(spec.source)
            unique.append(spec)
    return unique, problems


def _file_specs(path: Path, *, explicit: bool) -> list[InputSpec]:
    if path.name.startswith("."):
        return []
    if _is_url_list(path):
        return read_url_list(path)
    # A file named explicitly is read whatever its suffix (the reader reports
    # what it is); inside folders only article-like suffixes are picked up.
    if not explicit and path.stem.lower().startswith(NOT_ARTICLES):
        return []
    if explicit or path.suffix.lower() in ARTICLE_SUFFIXES:
        return [InputSpec(source=source_name(path), kind="file", location=str(path))]
    return []
