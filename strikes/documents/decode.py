"""Bytes -> clean Unicode text, recording the source encoding.

Order of decisions (cheapest first, because most inputs are plain UTF-8):

1. Magic numbers of common binary formats (PDF, images, archives, office files) -> rejected.
2. Byte-order marks (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decide the encoding outright.
3. NUL bytes: UTF-16 without a BOM puts the NULs of ASCII characters on one parity only; if so it
   is decoded as UTF-16, otherwise the file is binary and rejected.
4. Strict UTF-8 (the common case, no detector needed).
5. charset-normalizer for everything else (cp1251, cp1252/latin-1, ...).

Then mojibake is repaired with ftfy (only when a cheap regex sees its tell-tale pairs: ftfy costs
milliseconds per article, the regex microseconds), line ends are normalised to "\\n" and control
characters are dropped.  A text that is still mostly non-text is rejected as binary.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from strikes.errors import InputRejected

__all__ = ["Decoded", "clean_unicode", "decode_bytes", "repair_mojibake"]


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name, e.g. "utf-8", "utf-8-sig", "utf-16-le", "cp1251"
    repaired: bool = False  # ftfy changed something (mojibake)


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy office document"),
    (b"\x7fELF", "executable"),
    (b"MZ\x90\x00", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "audio file"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)

# BOMs, longest first (the UTF-32 LE BOM starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Single-byte Latin codecs the detector may name for text that cp1252 decodes identically; the
# detector cannot tell them apart on English text, and cp1252 is by far the most common of them.
_LATIN_FAMILY = {
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "latin_1",
    "iso8859_1",
    "iso8859_2",
    "iso8859_9",
    "iso8859_15",
    "mac_roman",
    "mac_latin2",
    "cp850",
    "cp437",
}

# Characters that never belong in article text: C0/C1 controls except tab and newline, DEL,
# zero-width space/no-break/BOM, soft hyphen, and the bidi embedding, override and isolate
# controls (which can make text display differently from what it says); the plain direction
# marks U+200E/U+200F stay (right-to-left text needs them).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# What remains after decoding that says "this was not text": replacement characters,
# private-use code points and controls (counted before they are dropped).
_NON_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")

# Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic ... and general punctuation.
_SMALL_SCRIPTS = re.compile("[\u0000-\u07ff\u2000-\u206f]")
# UTF-8 read as cp1252/latin-1 turns each multi-byte character into a lead letter (Â-ô) followed
# by one of the characters that cp1252 gives the continuation bytes 0x80-0xBF.  Legitimate text
# almost never has such a pair, so this gate keeps ftfy (slow) off clean text.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4]["
    "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152"
    "\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
    # UTF-8 Cyrillic read as cp1251: "Р"/"С" followed by a character from cp1251's 0x80-0xBF row.
    "|[\u0420\u0421][\u0402\u0403\u201a\u0453\u201e\u2026\u2020\u2021\u20ac\u2030\u0409\u2039"
    "\u040a\u040c\u040b\u040f\u0452\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u2122\u0459\u203a"
    "\u045a\u045c\u045b\u045f\u040e\u045e\u0408\u00a4\u0490\u00a6\u00a7\u0401\u00a9\u0404\u00ab"
    "\u00ac\u00ae\u0407\u00b0\u00b1\u0406\u0456\u0491\u00b5\u00b6\u00b7\u0451\u2116\u0454\u00bb"
    "\u0458\u0405\u0455\u0457]"
)

# The hint's first characters are U+00C2-U+00F4 (UTF-8 lead byte 0xC3) and U+0420/U+0421
# (0xD0 0xA0 / 0xD0 0xA1).  Looking for those bytes in the encoded text (memchr speed) rules
# the regex out for most non-ASCII text (curly quotes, dashes, "©").
_MOJIBAKE_LEADS = (b"\xc3", b"\xd0\xa0", b"\xd0\xa1")
# Every byte except _NON_TEXT's ASCII controls: deleting them leaves the controls to count.
_NOT_ASCII_CONTROL = bytes(b for b in range(256) if not (b <= 8 or 0x0E <= b <= 0x1F or b == 0x7F))

_FTFY_CONFIG = None


def _ftfy_config():
    global _FTFY_CONFIG
    if _FTFY_CONFIG is None:
        import ftfy

        # Keep the text as written (curly quotes, full-width forms, HTML entities in plain
        # text): only undo encoding damage.
        _FTFY_CONFIG = ftfy.TextFixerConfig(
            unescape_html=False,
            uncurl_quotes=False,
            fix_character_width=False,
            fix_latin_ligatures=False,
            normalization="NFC",
            explain=False,
        )
    return _FTFY_CONFIG


def repair_mojibake(text: str, raw: bytes | None = None) -> str:
    """Undo UTF-8-read-as-cp1252 (and similar) damage; a no-op on clean text.

    `raw` is `text.encode("utf-8", "surrogatepass")` when the caller has it already."""
    if text.isascii():
        return text
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    lead1, lead2, lead3 = _MOJIBAKE_LEADS
    if not (lead1 in raw or lead2 in raw or lead3 in raw) or not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    return ftfy.fix_text(text, config=_ftfy_config())


def clean_unicode(text: str) -> str:
    """Normalise line ends to "\\n" and drop control and zero-width characters."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    if _has_control(text):
        text = _CONTROL.sub("", text)
    return text


# Every Latin-1 byte except _CONTROL's members below U+0100: deleting them leaves the controls.
_NOT_LATIN1_CONTROL = bytes(
    b
    for b in range(256)
    if not (b <= 8 or b in (0x0B, 0x0C) or 0x0E <= b <= 0x1F or 0x7F <= b <= 0x9F or b == 0xAD)
)


def _has_control(text: str) -> bool:
    """`_CONTROL.search(text) is not None`.  Text within Latin-1 (most documents: ASCII plus
    "©", "é", ...) is encoded byte for byte and its controls found by one bytes.translate, far
    cheaper than the regex's test of every character; other text takes the regex."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return _CONTROL.search(text) is not None
    return bool(raw.translate(None, _NOT_LATIN1_CONTROL))


def decode_bytes(data: bytes, *, source: str, declared: str | None = None) -> Decoded:
    """Decode a document's bytes; raise InputRejected for empty or binary input.

    `declared` is an encoding the document itself names (an HTML <meta charset>); it is used
    only when the bytes are not valid UTF-8 and no BOM says otherwise.
    """
    if not data:
        raise InputRejected(source, "empty file")
    if data.startswith(_MAGIC_PREFIXES):  # one C call; then find which format it is
        what = next(what for magic, what in _MAGIC if data.startswith(magic))
        raise InputRejected(source, f"binary file ({what}), not a text document")

    encoding = _bom_encoding(data)
    if encoding is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise InputRejected(source, "binary file (contains NUL bytes), not a text document")
    raw = None  # the UTF-8 form of `text`, when it is `data` itself
    if encoding is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        else:
            encoding = "utf-8"
            raw = data  # strict UTF-8 without a BOM: encoding `text` again gives `data`
    else:
        text = None
    if encoding is None and declared:
        encoding = _codec_name(declared)
    if encoding is None:
        mixed = _mixed_with_utf8(data, source)
        if mixed is not None:
            text, encoding = mixed
        else:
            encoding = _detect(data, source)
    if text is None:
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:  # a declared charset Python does not know
            encoding = _detect(data, source)
            text = data.decode(encoding, errors="replace")
    if text and text[0] == "\ufeff":
        text = text[1:]

    bad = _count_non_text(text, raw)
    if bad and bad > max(8, len(text) // 20):
        raise InputRejected(source, "binary file (mostly non-text bytes), not a text document")

    # Repair before dropping controls: "â€\x9d" (a mojibake closing quote) needs its C1 byte.
    fixed = repair_mojibake(text, raw)
    repaired = fixed != text
    return Decoded(
        text=clean_unicode(fixed), encoding=_codec_name(encoding) or encoding, repaired=repaired
    )


def _count_non_text(text: str, raw: bytes | None = None) -> int:
    """len(_NON_TEXT.findall(text)), counted on the UTF-8 bytes (`raw`, if the caller has
    them) when that is exact."""
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    # U+FFFD and the private-use area are the only non-ASCII members: 0xEE/0xEF lead bytes.
    if b"\xee" in raw or b"\xef" in raw:
        return len(_NON_TEXT.findall(text))
    return len(raw.translate(None, _NOT_ASCII_CONTROL))


def _bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has its NUL bytes (high bytes of ASCII) on one parity."""
    sample = data[:65536]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    total = even + odd
    half = len(sample) // 2
    # Most NULs on one side, and enough of them (spaces and punctuation alone give >= 10 % in
    # non-Latin scripts).
    if odd >= 0.9 * total and odd >= 0.1 * half:
        candidate = "utf-16-le"
    elif even >= 0.9 * total and even >= 0.1 * half:
        candidate = "utf-16-be"
    else:
        return None
    try:
        text = data[: len(data) // 2 * 2].decode(candidate)
    except UnicodeDecodeError:
        return None
    n = max(1, len(text))
    bad = len(_NON_TEXT.findall(text)) + len(_CONTROL.findall(text))
    spaces = sum(text.count(c) for c in " \n\t")
    alphabetic = len(_SMALL_SCRIPTS.findall(text))
    # Real text has spaces and (for the scripts we expect) mostly code points below U+0800;
    # random binary read as UTF-16 is a soup of CJK and symbols.
    if bad > max(4, n // 50) or spaces < 0.05 * n or alphabetic < 0.6 * n:
        return None
    return candidate


def _mixed_with_utf8(data: bytes, source: str) -> tuple[str, str] | None:
    """A file pasted together from UTF-8 and a legacy encoding (one line each way): decode each
    line with the encoding it is valid in.  None unless both kinds of line are present."""
    lines = data.splitlines(keepends=True)
    utf8: list[str | None] = []
    legacy: list[bytes] = []
    has_utf8 = False
    for line in lines:
        try:
            s = line.decode("utf-8")
        except UnicodeDecodeError:
            utf8.append(None)
            legacy.append(line)
        else:
            utf8.append(s)
            has_utf8 = has_utf8 or not line.isascii()
    if not has_utf8 or not legacy:
        return None
    rest = b"".join(legacy)
    other = _detect(rest, source)
    if len(rest) < 2048 and other in _LATIN_FAMILY:
        other = "cp1252"  # too little text to tell the Latin code pages apart: the common one
    parts = iter(legacy)
    text = "".join(s if s is not None else next(parts).decode(other, "replace") for s in utf8)
    return text, f"utf-8+{_codec_name(other) or other}"


def _detect(data: bytes, source: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is None:
        raise InputRejected(source, "binary file or unknown text encoding")
    encoding = best.encoding
    if encoding in _LATIN_FAMILY and encoding != "cp1252":
        try:
            if data.decode("cp1252") == data.decode(encoding):
                encoding = "cp1252"
        except UnicodeDecodeError:
            pass
    return encoding


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        return None
