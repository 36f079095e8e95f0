"""decode_bytes: binary rejection, encodings, mojibake repair, size cap."""

from __future__ import annotations

import pytest

from ingest.decode import decode_bytes
from ingest.types import IngestError

TEXT = "Café “quoted” – naïve résumé, 5 µg"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"%PDF-1.7\n%\xe2\xe3",
        b"PK\x03\x04rest",
        b"\x89PNG\r\n\x1a\n",
        b"ab\x00cd",
    ],
    ids=["empty", "blank", "pdf", "zip", "png", "nul"],
)
def test_rejects_empty_and_binary(data):
    with pytest.raises(IngestError) as err:
        decode_bytes(data)
    assert err.value.stage == "decode"
    assert "\n" not in str(err.value)


def test_size_cap_is_configurable():
    with pytest.raises(IngestError, match="size cap"):
        decode_bytes(b"a" * 101, max_bytes=100)
    assert decode_bytes(b"a" * 100, max_bytes=100)[0] == "a" * 100


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_decodes_common_encodings(encoding):
    text, used, repaired = decode_bytes(TEXT.encode(encoding))
    assert text == TEXT
    assert repaired is False
    assert used == encoding


def test_latin1_file_is_read_correctly():
    latin = "Naïve café, déjà vu, São Paulo, Zürich"
    text, used, repaired = decode_bytes(latin.encode("latin-1"))
    assert text == latin
    assert not repaired


def test_declared_charset_is_used_when_not_utf8():
    cyr = "Витамин D и падения у пожилых людей"
    text, used, _ = decode_bytes(cyr.encode("koi8_r"), declared="koi8-r")
    assert text == cyr and used == "koi8-r"


def test_double_encoded_utf8_is_repaired_and_reported():
    original = "It’s a café – déjà vu"
    mojibake = original.encode("utf-8").decode("cp1252").encode("utf-8")
    text, _, repaired = decode_bytes(mojibake)
    assert text == original
    assert repaired is True


def test_clean_text_with_unusual_characters_is_not_reported_repaired():
    clean = "Résumé — 25(OH)D ≥ 75 nmol/L; α-synuclein; “quotes”; ½ dose"
    assert decode_bytes(clean.encode())[2] is False


def test_newlines_are_normalised():
    text, _, _ = decode_bytes(b"one\r\ntwo\rthree\nfour")
    assert text == "one\ntwo\nthree\nfour"
