"""Turn the bytes of an article into text: reject binaries, guess the encoding, repair mojibake."""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import ftfy

from ingest.textcheck import check_characters
from ingest.types import IngestError

DEFAULT_MAX_BYTES = 5_000_000

# Magic numbers of formats people point the tool at by mistake.
_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"RIFF", "a RIFF media file"),
    (b"\x7fELF", "an executable"),
]
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x85")
# C0 controls other than tab/newline/CR/form feed mean the input is not text.
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _check_not_binary(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"input is {what}, not a text/Markdown/HTML article", stage="decode")
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text has NUL bytes by design
    if b"\x00" in head:
        raise IngestError("input is binary (has NUL bytes), not a text article", stage="decode")
    if len(_CONTROL.findall(head)) > max(8, len(head) // 100):
        raise IngestError("input is binary (control bytes), not a text article", stage="decode")


def _normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode(data: bytes, declared: str | None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        text = _try(data[3:], "utf-8")
        if text is not None:
            return text, "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try(data, "utf-16")
        if text is not None:
            return text, "utf-16"
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    declared_name = _normalise_charset(declared)
    # A declared latin-1 is almost always really Windows-1252 (the WHATWG rule).
    if declared_name in ("latin-1", "iso8859-1", "ascii"):
        declared_name = "cp1252"
    if declared_name:
        text = _try(data, declared_name)
        if text is not None:
            return text, declared_name
    matches = list(charset_normalizer.from_bytes(data))
    if matches:
        # Short Western text fits several single-byte code pages equally well; among the
        # least chaotic candidates prefer Windows-1252, by far the commonest on the web.
        least = min(m.chaos for m in matches)
        calm = [m for m in matches if m.chaos <= least + 0.01]
        western = [m for m in calm if m.encoding in ("cp1252", "latin_1", "iso8859_15")]
        best = western[0] if western else calm[0]
        enc = "cp1252" if western else (_normalise_charset(best.encoding) or best.encoding)
        text = _try(data, enc)
        if text is not None:
            return text, enc
    # Last resort that cannot fail: cp1252 where defined, latin-1 for its five holes.
    return data.decode("cp1252", errors="replace"), "cp1252"


def decode_bytes(
    data: bytes, *, declared: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, str, bool]:
    """Decode an article's bytes; return (text, encoding used, repaired).

    ``repaired`` is True only when ftfy changed the text (double-encoded UTF-8 and the like).
    Raises IngestError(stage="decode") for empty, binary or oversized input.
    """
    if not data or not data.strip():
        raise IngestError("input is empty", stage="decode")
    if len(data) > max_bytes:
        raise IngestError(
            f"input is {len(data):,} bytes, over the {max_bytes:,}-byte size cap", stage="decode"
        )
    _check_not_binary(data)
    text, encoding = _decode(data, declared)
    fixed = ftfy.fix_text(
        text,
        # Only repair encoding damage; leave the author's quotes, ligatures and widths alone.
        unescape_html=False,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        normalization=None,
        fix_line_breaks=False,
        remove_terminal_escapes=False,
        remove_control_chars=False,
        restore_byte_a0=True,
        explain=False,
    )
    repaired = fixed != text
    text = _NEWLINES.sub("\n", fixed.lstrip("\ufeff"))
    check_characters(text)
    return text, encoding, repaired
