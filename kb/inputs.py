"""Which articles a build reads: files, folders (recursive), URL lists and URLs."""

from __future__ import annotations

import os
import re
import stat
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


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def special_file_reason(path: Path) -> str | None:
    """Why ``path`` is not a regular file we may read (symlinks followed), else None.

    Devices, FIFOs and sockets are refused before anything opens them: opening a FIFO
    blocks until a writer comes, and a device such as /dev/zero never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else "no such file"
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def source_name(path: Path) -> str:
    """A stable name for a file: relative to the working folder when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _is_url_list(path: Path) -> bool:  # path is a regular file
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


def read_url_list(path: Path, problems: list[tuple[str, str]] | None = None) -> list[InputSpec]:
    """The http(s) URLs of a URL list; other schemes (file://, ftp://) go to ``problems``."""
    specs = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            specs.append(InputSpec(source=line, kind="url", location=line))
        elif _SCHEME.match(line) and problems is not None:
            scheme = line.split(":", 1)[0].lower()
            problems.append((line, f"only http(s) URLs can be fetched, not {scheme!r}"))
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
        special = special_file_reason(path)
        if special == "no such file":
            problems.append((arg, "no such file, folder or URL"))
        elif special:
            problems.append((arg, special))
        elif path.is_dir():
            specs.extend(_walk(path, problems))
        else:
            specs.extend(_file_specs(path, explicit=True, problems=problems))
    seen: set[str] = set()
    unique = []
    for spec in specs:
        if spec.source not in seen:
            seen.add(spec.source)
            unique.append(spec)
    return unique, problems


def _walk(folder: Path, problems: list[tuple[str, str]]) -> list[InputSpec]:
    """Article files under ``folder``; an entry that cannot be read is a problem, never
    silently skipped (a prune must not take a folder it could not list for an empty one)."""
    found: list[InputSpec] = []

    def unreadable(err: OSError) -> None:
        where = source_name(Path(err.filename)) if err.filename else str(folder)
        problems.append((where, f"cannot read folder: {err.strerror or err}"))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            found.extend(_file_specs(Path(root) / name, explicit=False, problems=problems))
    return sorted(found, key=lambda s: s.source)  # same order on every machine


def _file_specs(path: Path, *, explicit: bool, problems: list[tuple[str, str]]) -> list[InputSpec]:
    if path.name.startswith("."):
        return []
    if not explicit and path.suffix.lower() not in ARTICLE_SUFFIXES | URL_LIST_SUFFIXES:
        return []
    special = special_file_reason(path)
    if special:  # named as listed: a symlink to /dev/zero is reported by its own name
        problems.append((f"{source_name(path.parent)}/{path.name}", special))
        return []
    if _is_url_list(path):
        return read_url_list(path, problems)
    # A file named explicitly is read whatever its suffix (the reader reports
    # what it is); inside folders only article-like suffixes are picked up.
    if not explicit and path.stem.lower().startswith(NOT_ARTICLES):
        return []
    if explicit or path.suffix.lower() in ARTICLE_SUFFIXES:
        return [InputSpec(source=source_name(path), kind="file", location=str(path))]
    return []


@dataclass(frozen=True)
class PruneScope:
    """What a build listed, so what it can tell is gone: files under the folders it
    walked, and URLs when it read URL lists (a URL list names every URL it holds)."""

    folders: tuple[str, ...]
    url_lists: bool

    def covers(self, source: str) -> bool:
        if is_url(source):
            return self.url_lists
        return any(source == f or source.startswith(f + "/") for f in self.folders)


def prune_scope(paths: list[str]) -> PruneScope:
    folders = []
    url_lists = False
    for arg in paths:
        if is_url(arg):
            continue
        path = Path(arg)
        if path.is_dir():
            folders.append(source_name(path))
        elif path.is_file() and _is_url_list(path):
            url_lists = True
    return PruneScope(tuple(folders), url_lists)
