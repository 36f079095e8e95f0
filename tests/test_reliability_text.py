"""Issue 15: text heuristics refuse what is not text, in any script."""

from __future__ import annotations

import random

import pytest

from ingest.article import parse_article
from ingest.types import IngestError


def _random(low: int, high: int, n: int = 200_000) -> bytes:
    rng = random.Random(15)
    return bytes(rng.randint(low, high) for _ in range(n))


def test_random_high_bytes_without_nuls_are_not_an_article():
    with pytest.raises(IngestError, match="not a text article") as err:
        parse_article(_random(0x80, 0xFF), "noise.txt")
    assert err.value.stage == "decode"


def test_printable_noise_without_words_is_not_an_article():
    with pytest.raises(IngestError, match="no words of any script"):
        parse_article(_random(0x21, 0x7E), "noise.txt")


@pytest.mark.parametrize(
    "body",
    [
        "Naltrexone at low doses reduced pain in fibromyalgia [1]. " * 20,
        "低剂量纳曲酮减轻了纤维肌痛患者的疼痛[1]。研究纳入了三十名患者。" * 20,
        "Налтрексон в низких дозах уменьшал боль при фибромиалгии [1]. " * 20,
        "ลดอาการปวดในผู้ป่วยไฟโบรมัยอัลเจีย[1] " * 20,
    ],
    ids=["latin", "han", "cyrillic", "thai"],
)
def test_text_of_any_script_is_read(body):
    text = body + "\n\nReferences\n\n1. Younger J. Low-dose naltrexone. Pain Med. 2009;10:663.\n"
    article = parse_article(text.encode("utf-8"), "a.txt")
    assert article.text
