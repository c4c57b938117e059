"""Decoding: encodings generated here, mojibake, control characters, binary input."""

from __future__ import annotations

import codecs
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strikes.documents.decode import clean_unicode, decode_bytes, repair_mojibake
from strikes.errors import InputRejected

EN = (
    "The governor said the “massive” attack hit the city’s port — dozens were hurt.\n"
    "Officials said 40 drones were launched, and 35 were shot down.\n"
)
RU = (
    "Российские беспилотники атаковали Киев ночью, сообщили власти.\n"
    "Погибли два человека, ещё десять получили ранения.\n"
)
UK = "Російські дрони атакували Київ уночі, повідомили у міській військовій адміністрації.\n"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (EN.encode("utf-8"), EN, "utf-8"),
        (codecs.BOM_UTF8 + EN.encode("utf-8"), EN, "utf-8-sig"),
        (EN.encode("utf-16"), EN, "utf-16"),  # with BOM (native order)
        (codecs.BOM_UTF16_LE + EN.encode("utf-16-le"), EN, "utf-16"),
        (codecs.BOM_UTF16_BE + EN.encode("utf-16-be"), EN, "utf-16"),
        (EN.encode("utf-16-le"), EN, "utf-16-le"),  # no BOM
        (EN.encode("utf-16-be"), EN, "utf-16-be"),
        (RU.encode("utf-16-le"), RU, "utf-16-le"),
        (RU.encode("utf-16-be"), RU, "utf-16-be"),
        (EN.encode("utf-32"), EN, "utf-32"),
        (RU.encode("cp1251"), RU, "cp1251"),
        (UK.encode("cp1251"), UK, "cp1251"),
        (EN.encode("cp1252"), EN, "cp1252"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf16le-nobom",
        "utf16be-nobom",
        "utf16le-cyrillic-nobom",
        "utf16be-cyrillic-nobom",
        "utf32-bom",
        "cp1251-russian",
        "cp1251-ukrainian",
        "cp1252-curly-quotes",
    ],
)
def test_encodings(data, text, encoding):
    d = decode_bytes(data, source="doc.txt")
    assert d.text == text
    assert d.encoding == encoding
    assert not d.repaired


def test_latin1_accents():
    text = "Café owners in the old town said the blast shattered their windows overnight.\n"
    d = decode_bytes(text.encode("latin-1"), source="doc.txt")
    assert d.text == text
    assert d.encoding in {"cp1252", "iso8859-1"}


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        (
            "Zelenskyyâ€™s office said the drones were shot down.",
            "Zelenskyy’s office said the drones were shot down.",
        ),
        (
            "The mayor called it â€œmassiveâ€\x9d and said more help was needed.",
            "The mayor called it “massive” and said more help was needed.",
        ),
        (
            "Officials â€” speaking anonymously â€” confirmed it.",
            "Officials — speaking anonymously — confirmed it.",
        ),
    ],
)
def test_mojibake_repaired(broken, fixed):
    d = decode_bytes(broken.encode("utf-8"), source="doc.txt")
    assert d.text == fixed
    assert d.repaired


def test_clean_text_is_not_touched_by_repair():
    for text in (EN, RU, "Café, naïve, Zürich — “quotes” ‘single’ …", "Plain ASCII text."):
        assert repair_mojibake(text) == text


def test_control_characters_dropped_and_newlines_normalised():
    raw = b"Drones\x07 hit\x1b the port.\r\nSecond line\x0c.\rThird\xe2\x80\x8b line\xc2\xad."
    d = decode_bytes(raw, source="doc.txt")
    assert d.text == "Drones hit the port.\nSecond line.\nThird line."
    assert clean_unicode("a\u2028b\u2029c") == "a\nb\nc"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"%PDF-1.7\n%binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"Report\x00\x00\x01\x02\x03" + bytes(range(256)) * 4, "NUL bytes"),
        (b"abc\x00def\x00\x01\x02" * 50, "NUL bytes"),  # NULs on one parity, but not UTF-16 text
    ],
)
def test_binary_rejected(data, reason):
    with pytest.raises(InputRejected) as exc:
        decode_bytes(data, source="upload.txt")
    assert exc.value.source == "upload.txt"
    assert reason in exc.value.reason


def test_random_bytes_rejected():
    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(200, 2000)))
        with pytest.raises(InputRejected):
            decode_bytes(data, source="noise.txt")


def test_declared_charset_used_when_not_utf8():
    html = '<meta charset="windows-1251"><p>Беспилотники атаковали Харьков.</p>'
    d = decode_bytes(html.encode("cp1251"), source="p.html", declared="windows-1251")
    assert "Беспилотники" in d.text
    assert d.encoding == "cp1251"
    # A nonsense declaration falls back to detection.
    d = decode_bytes(html.encode("cp1251"), source="p.html", declared="no-such-charset")
    assert "Беспилотники" in d.text


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_decode_or_are_rejected(data):
    try:
        d = decode_bytes(data, source="fuzz.txt")
    except InputRejected as exc:
        assert exc.source == "fuzz.txt"
    else:
        assert isinstance(d.text, str)
        assert "\x00" not in d.text and "\r" not in d.text
