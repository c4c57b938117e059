"""Article metadata: inline datelines, dates, titles, outlets, language, and the manifest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from strikes.errors import InputRejected, ManifestError

__all__ = [
    "DateMatch",
    "ManifestEntry",
    "guess_language",
    "match_dateline",
    "outlet_from_signals",
    "parse_date",
    "read_manifest",
    "title_from_paragraph",
]

# Dates further ahead than this are not publication dates (a typo, or a test of the parser).
FUTURE_SLACK = dt.timedelta(days=2)
EARLIEST_YEAR = 1900

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))


_ISO_DATE = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*"
)


def parse_date(value: str, *, today: dt.date | None = None) -> str | None:
    """A "YYYY-MM-DD" date (optionally with a time) -> normalised "YYYY-MM-DD", else None.

    Impossible dates ("2099-13-45") and dates more than two days in the future are None.
    """
    m = _ISO_DATE.fullmatch(value)
    if not m:
        return None
    return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), today)


def _valid(y: int, mo: int, d: int, today: dt.date | None = None) -> str | None:
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        return None
    today = today or dt.date.today()
    if date.year < EARLIEST_YEAR or date > today + FUTURE_SLACK:
        return None
    return date.isoformat()


# --------------------------------------------------------------------------------------------
# Inline datelines: "date 2025-07-01", "Published: July 1, 2025 10:04 a.m.", a line that is
# only a date.

_LABEL = r"(?:date|dated|published|posted|updated|last updated|published on|posted on|pubdate)"
_TIME = (
    r"(?:[ ,]*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:[ECMP][SD]T|UTC|GMT|BST|CES?T|EES?T|MSK)(?:[+-]\d{1,2})?\b)?)?"
)
_ISO = r"(?P<iso>\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
_MDY = rf"(?P<mdy>(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
_DMY = rf"(?P<dmy>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\.?,?\s+\d{{4}})"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"

_DATELINE_LABELED = re.compile(
    rf"^\s*{_LABEL}\s*:?\s*{_WEEKDAY}(?:{_ISO}|{_MDY}|{_DMY}){_TIME}", re.IGNORECASE
)
_DATELINE_ISO = re.compile(rf"^\s*{_ISO}{_TIME}(?=\s|$)")
_DATELINE_ALONE = re.compile(rf"^\s*{_WEEKDAY}(?:{_MDY}|{_DMY}){_TIME}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DateMatch:
    date: str  # YYYY-MM-DD
    start: int  # span of the dateline in the line
    end: int


# The first (non-space) character of any dateline: a label (date, published, updated, last
# ...), a weekday or month name, or a digit.  Tested before the three patterns, which most
# lines fail; a non-ASCII first character always goes to the patterns (case-insensitive
# matching equates "ſ" with "s").
_DATELINE_FIRST = frozenset("dpulmtwfsjaonDPULMTWFSJAON0123456789")


def match_dateline(line: str, *, today: dt.date | None = None) -> DateMatch | None:
    """A publication date written at the start of a line near the top of a document."""
    first = line[:1]
    if first.isspace():
        first = line.lstrip()[:1]
    if first and first.isascii() and first not in _DATELINE_FIRST:
        return None
    m = _DATELINE_LABELED.match(line) or _DATELINE_ISO.match(line) or _DATELINE_ALONE.match(line)
    if not m:
        return None
    date = _date_from_match(m, today)
    if date is None:
        return None
    start = len(line) - len(line.lstrip())
    return DateMatch(date, start, m.end())


def _date_from_match(m: re.Match[str], today: dt.date | None) -> str | None:
    groups = m.groupdict()
    if groups.get("iso"):
        y, mo, d = (int(x) for x in groups["iso"].split("-"))
        return _valid(y, mo, d, today)
    text = (groups.get("mdy") or groups.get("dmy") or "").lower()
    words = re.findall(r"[a-z]+|\d+", text)
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    nums = [int(w) for w in words if w.isdigit()]
    if month is None or len(nums) != 2:
        return None
    day, year = (nums[0], nums[1]) if nums[1] > 31 else (nums[1], nums[0])
    return _valid(year, month, day, today)


# --------------------------------------------------------------------------------------------
# Titles.

# "KYIV, Ukraine (AP) — ", "KYIV, Ukraine — (AP) — ", "LONDON (Reuters) - "
_WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][\w.'’\- ]{1,40})?\s*"
    r"(?:\([A-Za-z ]{2,20}\)\s*)?[—–-]+\s*(?:\([A-Za-z ]{2,20}\)\s*[—–-]+\s*)?"
)
TITLE_MAX = 120


def title_from_paragraph(first_sentence: str, *, max_len: int = TITLE_MAX) -> str:
    """A title made from a lede's first sentence: wire dateline dropped, cut at a word."""
    t = _WIRE_DATELINE.sub("", first_sentence).strip()
    if len(t) > max_len:
        cut = t[: max_len + 1]
        space = cut.rfind(" ")
        t = (cut[:space] if space > max_len // 2 else cut[:max_len]).rstrip(" ,;:—–-") + "…"
    elif t.endswith(".") and not t.endswith(".."):
        t = t[:-1]
    return t


# --------------------------------------------------------------------------------------------
# Outlets.

_AGENCY = {
    "ap": "The Associated Press",
    "associated press": "The Associated Press",
    "the associated press": "The Associated Press",
    "reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "upi": "UPI",
    "dpa": "dpa",
    "cnn": "CNN",
    "bloomberg": "Bloomberg",
    "tass": "TASS",
}
_CREDIT = re.compile(r"\((AP|Reuters|AFP|UPI|dpa|CNN|Bloomberg|TASS)\)")
_WRITES_FOR = re.compile(
    r"\b(?:writes?|reports?|wrote) for (?:the )?([A-Z][\w.&'’\- ]{1,60}?)\.?\s*$"
)
_COPYRIGHT_OWNER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:copyright\s*)?(?:\d{4}\s*)?(?:[-–]\s*\d{4}\s*)?,?\s*"
    r"([A-Z][\w.&'’\- ]{1,60}?)(?:\.|,|\s+all rights|$)",
    re.IGNORECASE,
)


def _canonical_outlet(name: str) -> str:
    n = name.strip().rstrip(".")
    return _AGENCY.get(n.lower(), n)


def outlet_from_signals(head: str, removed: list[dict]) -> str | None:
    """An outlet named clearly by the text: an agency credit "(AP)" near the top or on its
    own line, a byline "X writes for the Associated Press", or a copyright line."""
    m = _CREDIT.search(head)
    if m:
        return _canonical_outlet(m.group(1))
    for item in removed:
        if item["reason"] == "credit":
            m = _CREDIT.search(item["text"])
            if m:
                return _canonical_outlet(m.group(1))
    for item in removed:
        if item["reason"] == "byline":
            m = _WRITES_FOR.search(item["text"])
            if m:
                return _canonical_outlet(m.group(1))
    for item in removed:
        if item["reason"] == "copyright":
            m = _COPYRIGHT_OWNER.search(item["text"][:300])
            if m and m.group(1).lower() not in {"all rights reserved", "all"}:
                return _canonical_outlet(m.group(1))
    return None


# --------------------------------------------------------------------------------------------
# Language: a cheap script ratio, then stopwords for Latin-script text.

_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[a-z]+")  # on lower-cased ASCII text
# The same words on ASCII text, faster: letters lower-cased and every other byte made a space
# (bytes.translate), then bytes.split(); no regex, no str objects.
_LOWER_LETTERS = bytes(
    b + 32 if 65 <= b <= 90 else b if 97 <= b <= 122 else 0x20 for b in range(256)
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = {
    "en": _words("the of and to in a is was for on that with said by as at from it his are were"),
    "de": _words("der die und das den von zu mit ist nicht sich des ein eine auf für im dem"),
    "fr": _words("le la les de des et est un une du que dans pour en au sur qui pas par"),
    "es": _words("el la los las de del y que en un una por con para es se al lo como"),
    "it": _words("il la di che e un una per non del della sono con le gli alla nel"),
    "pt": _words("o a os as de do da que e um uma para com não em por se no na"),
    "pl": _words("i w na z do że nie się to jest o jak po przez od za"),
    "nl": _words("de het een en van in is dat op te zijn met voor niet"),
}

_ENGLISH_BYTES = frozenset(w.encode("ascii") for w in _STOPWORDS["en"])
# The most frequent of them, space-delimited (for the lower bound in guess_language).  Most
# English texts clear the bar with the first four; "in" and "a" spare the word split for most
# of the rest (the bench corpus: 8% of texts).
_FREQUENT_STOPWORDS = tuple(f" {w} ".encode("ascii") for w in ("the", "of", "and", "to", "in", "a"))


def guess_language(text: str, *, sample: int = 1500) -> str:
    """Best guess: "en", "ru", "uk", another ISO 639-1 code, or "und" when there is no clue."""
    head = text[:sample]
    ascii_head = head.isascii()
    if ascii_head:
        # The common case, English, decided without the regex; other outcomes are worked out
        # below as before.  Letters only, lower-cased, everything else a space: the words are
        # the runs of letters, and the letters are the bytes that are not spaces (ASCII text
        # has no Cyrillic, so no letter at all means no clue).
        letters = head.encode("ascii").translate(_LOWER_LETTERS)
        spaces = letters.count(b" ")
        if spaces == len(letters):
            return "und"
        # First a bound: each " the " (" of " ...) found by count() is a distinct stopword
        # (count() may miss some, e.g. at the very start, never invents one), and there are
        # at most (spaces + 1) words.  If even that clears the bar, the exact count does too.
        bar = 0.08 * (spaces + 1)
        at_least = 0
        for w in _FREQUENT_STOPWORDS:  # most frequent first: often the first two clear it
            at_least += letters.count(w)
            if at_least and at_least >= bar:
                return "en"
        ascii_words = letters.split()
        if sum(map(_ENGLISH_BYTES.__contains__, ascii_words)) >= 0.08 * len(ascii_words):
            return "en"
    else:
        data = head.encode("utf-8")
        # Cyrillic letters (U+0400-U+04FF) are the UTF-8 sequences led by 0xD0-0xD3;
        # counting bytes in C is far cheaper than a regex over every character.
        cyr = sum(data.count(lead) for lead in (b"\xd0", b"\xd1", b"\xd2", b"\xd3"))
        lat = len(data) - len(data.translate(None, _ASCII_LETTERS))
        if cyr + lat == 0:
            return "und"
        if cyr > lat:
            uk = len(_UK_ONLY.findall(head))
            ru = len(_RU_ONLY.findall(head))
            return "uk" if uk > ru else "ru"
    # On ASCII text the two word patterns agree; the Unicode class costs twice as much.
    words = (_ASCII_WORD if ascii_head else _WORD).findall(head.lower())
    if not words:
        return "und"
    total = len(words)
    english = _STOPWORDS["en"]
    if sum(map(english.__contains__, words)) >= 0.08 * total:
        return "en"
    counts = Counter(words)
    best, score = "und", 0.0
    for lang, stops in _STOPWORDS.items():
        s = sum(counts[w] for w in stops) / total
        if s > score:
            best, score = lang, s
    if score < 0.05:
        return "en" if total < 12 else "und"
    return best


# --------------------------------------------------------------------------------------------
# The manifest: file,published,outlet,url[,title] (+ ignored extra columns).

MANIFEST_NAME = "manifest.csv"
_MANIFEST_FIELDS = ("file", "published", "outlet", "url", "title")


@dataclass(frozen=True)
class ManifestEntry:
    path: Path  # resolved path of the document
    published: str | None
    outlet: str | None
    url: str | None
    title: str | None
    source: str  # "manifest.csv:3" (for messages)


def read_manifest(
    path: Path,
    *,
    max_bytes: int,
    today: dt.date | None = None,
    only: set[Path] | None = None,
) -> tuple[dict[Path, ManifestEntry], list[InputRejected]]:
    """Read a manifest; malformed rows are reported and skipped, the others still apply; a bad
    value in one field (date, url) is reported for that field, which is left empty, and the
    row's other fields still load.

    With `only` (resolved paths), problems of rows about other files are not reported: a
    manifest found beside a file named on the command line concerns that file only.
    """
    from strikes.documents.decode import decode_bytes

    label = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return {}, [ManifestError(label, f"manifest is {size:,} bytes, over the limit")]
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
        text = decode_bytes(data, source=label).text
    except InputRejected as exc:
        return {}, [ManifestError(label, exc.reason)]
    except OSError as exc:
        return {}, [ManifestError(label, f"cannot read manifest: {exc.strerror or exc}")]

    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return {}, [ManifestError(label, f"not a valid CSV file: {exc}")]
    rows_numbered = [(i, r) for i, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not rows_numbered:
        return {}, [ManifestError(label, "manifest is empty")]
    _, header = rows_numbered[0]
    header = [h.strip().lower() for h in header]
    if "file" not in header:
        return {}, [ManifestError(label, "manifest has no 'file' column in its header")]
    col = {name: header.index(name) for name in _MANIFEST_FIELDS if name in header}

    base = path.resolve().parent
    entries: dict[Path, ManifestEntry] = {}
    errors: list[InputRejected] = []
    for lineno, row in rows_numbered[1:]:
        where = f"{label}:{lineno}"
        name = row[col["file"]].strip() if col["file"] < len(row) else ""
        try:
            target = (base / name).resolve() if name else None
        except (OSError, ValueError):
            target = None
        if only is not None and target not in only:
            rows_errors: list[InputRejected] = []  # not about a file being loaded: not reported
        else:
            rows_errors = errors
        if len(row) != len(header):
            rows_errors.append(
                ManifestError(where, f"row has {len(row)} fields, the header has {len(header)}")
            )
            continue

        def cell(name: str, row: list[str] = row) -> str | None:
            v = row[col[name]].strip() if name in col else ""
            return v or None

        if not name:
            rows_errors.append(ManifestError(where, "row has no file name"))
            continue
        if target is None:
            rows_errors.append(ManifestError(where, f"invalid file name {name!r}"))
            continue
        if Path(name).is_absolute() or not target.is_relative_to(base):
            rows_errors.append(
                ManifestError(where, f"file {name!r} is outside the manifest's folder")
            )
            continue
        if not target.is_file():
            rows_errors.append(ManifestError(where, f"listed file {name!r} does not exist"))
            continue
        published = cell("published")
        if published is not None:
            iso = parse_date(published, today=today)
            if iso is None:
                # A bad value costs its own field only: the row's other fields still load.
                rows_errors.append(
                    ManifestError(
                        where,
                        f"invalid published date {published!r} (expected a real, past YYYY-MM-DD "
                        "date): only the date is left out, the row's other fields load",
                    )
                )
            published = iso
        url = cell("url")
        if url is not None and not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
            rows_errors.append(
                ManifestError(
                    where,
                    f"invalid url {url!r} (expected http(s)://...): only the url is left out, "
                    "the row's other fields load",
                )
            )
            url = None
        if target in entries:
            rows_errors.append(
                ManifestError(
                    where, f"{name!r} is listed twice (first at {entries[target].source})"
                )
            )
            continue
        entries[target] = ManifestEntry(
            path=target,
            published=published,
            outlet=cell("outlet"),
            url=url,
            title=cell("title"),
            source=where,
        )
    return entries, errors
