"""Resolve the date expressions of strike reports against an article's publication date.

"on Sunday", "overnight into Friday" (the morning's date), "late Monday", "last month" (month
precision), "in May last year", explicit dates.  Expressions that need a publication date stay
unresolved (None) when the article has none: never guessed.

The relative-date vocabulary of wire copy is small and its meaning depends on the story
(overnight attacks take the *morning's* date), which general parsers such as dateparser do not
model, so the patterns are written here; absolute dates go through dateutil.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil import parser as dateutil_parser

from strikes.speed.fastmatch import MultiGate, WordStartGate, ascii_lookalikes
from strikes.speed.frozen import fast_init

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WD = "|".join(WEEKDAYS)
_MON = "|".join([*MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct",
                 "nov", "dec"])  # fmt: skip


@fast_init  # one per date of every sentence that becomes a claim
@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: str  # how it was read: explicit|weekday|overnight-into|overnight|relative|month|context
    date: str | None  # YYYY-MM-DD (month precision: the 1st), None when unresolvable
    precision: str | None  # day|month|year
    statement: bool = False  # "said Tuesday": when the report was made, a weaker signal
    anaphoric: bool = False  # "that night", "hours later": the date of the previous report


# Ordered: the first pattern to claim a span wins (longer, more specific shapes first).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")),
    (
        "night-range",
        re.compile(
            rf"\bnight\s+of\s+(?:(?P<mon1>{_MON})\.?\s+\d{{1,2}}\s*[-–/]\s*(?P<d1>\d{{1,2}})"
            rf"|\d{{1,2}}\s*[-–/]\s*(?P<d2>\d{{1,2}})\s+(?P<mon2>{_MON})\.?)\b",
            re.I,
        ),
    ),
    (
        # "on the night of July 3" (one day named): the morning after.
        "night-of",
        re.compile(
            rf"\bnight\s+of\s+(?:(?:{_WD}),?\s+)?(?:(?P<mon1>{_MON})\.?\s+(?P<d1>\d{{1,2}})"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MON})\.?)(?:,?\s+(?P<y>20\d\d))?"
            rf"\b(?!\s*[-–/]\s*\d)",
            re.I,
        ),
    ),
    (
        "explicit",
        re.compile(
            rf"\b(?:on\s+)?(?:(?P<wd>{_WD}),?\s+)?(?:(?P<mon1>{_MON})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MON})\.?)(?:,?\s+(?P<y>(?:19|20)\d\d))?\b",
            re.I,
        ),
    ),
    (
        # "overnight into Friday", "the night of Thursday to Friday", "from late Wednesday to
        # early Thursday": the morning the night ended.
        "overnight-into",
        re.compile(
            rf"\b(?:(?:overnight|night)(?:\s+(?:of|from)\s+(?:{_WD}))?"
            rf"|from\s+(?:late\s+(?:on\s+)?)?(?:{_WD})(?:\s+(?:evening|night))?)"
            rf"\s+(?:into|to|until|till)\s+(?:early\s+(?:on\s+)?)?(?P<wd>{_WD})\b",
            re.I,
        ),
    ),
    (
        "overnight-on",
        re.compile(rf"\bovernight\s+(?:on\s+)?(?P<wd>{_WD})\b", re.I),
    ),
    (
        # When a report was made, not when the attack was: "said on Tuesday", "the toll rose
        # to 31 on Friday", "was revised on Friday".
        "statement-weekday",
        re.compile(
            rf"\b(?:(?:said|says|reported|announced|wrote|posted|added|claimed|confirmed|told"
            rf"\s+(?:\w+\s+){{0,2}}?\w+)"
            rf"|(?:rose|risen|rising|climbed|increased|jumped|revised)"
            rf"(?:\s+to\s+(?:at\s+least\s+)?[\d,]+)?)"
            rf"\s+(?:on\s+)?(?:(?:late|early)\s+(?:on\s+)?)?(?P<wd>{_WD})\b",
            re.I,
        ),
    ),
    (
        # "on Friday night": an attack that ran overnight takes the morning after.
        "weekday-night",
        re.compile(
            rf"\b(?:late\s+(?:on\s+)?|on\s+)?(?P<wd>{_WD})\s+night\b(?!\s+(?:into|to)\b)",
            re.I,
        ),
    ),
    (
        "weekday",
        re.compile(
            rf"\b(?:(?:early|late)\s+(?:on\s+)?|on\s+|last\s+)?(?P<wd>{_WD})"
            rf"(?:\s+(?:morning|afternoon|evening|night))?\b",
            re.I,
        ),
    ),
    (
        "month-year",
        re.compile(
            rf"\b(?:in\s+|since\s+)?(?P<mon>{_MON})\s+(?:(?P<y>(?:19|20)\d\d)|(?P<rel>last|this|next)\s+year)\b",
            re.I,
        ),
    ),
    ("month", re.compile(rf"\b(?:in|during|throughout|for)\s+(?P<mon>{_MON})\b(?!\s+\d)", re.I)),
    ("this-month", re.compile(r"\b(?:earlier|later)\s+this\s+month\b", re.I)),
    ("last-month", re.compile(r"\b(?P<rel>last|this|past)\s+month\b", re.I)),
    (
        "week",
        re.compile(
            r"\b(?:last|this|past|previous|earlier\s+this|later\s+this)\s+(?:week|weekend)\b", re.I
        ),
    ),
    ("last-year", re.compile(r"\b(?:last|this)\s+year\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\b(?:today|this\s+morning|earlier\s+today)\b", re.I)),
    (
        "day-before",
        re.compile(
            r"\b(?:a\s+day\s+(?:earlier|before)|the\s+(?:day|night)\s+before|the\s+previous\s+"
            r"(?:day|night)|the\s+preceding\s+(?:day|night)"
            r"|a\s+day\s+after)\b",
            re.I,
        ),
    ),
    (
        "anaphoric",
        re.compile(
            r"\b(?:that|the\s+same)\s+(?:night|day|morning|evening)\b|\bhours\s+later\b"
            r"|\b(?:at\s+the\s+same\s+time|later\s+that\s+day|around\s+the\s+same\s+time)\b",
            re.I,
        ),
    ),
    (
        "overnight",
        re.compile(
            r"\b(?:overnight|during\s+the\s+night|last\s+night|in\s+the\s+night|nighttime|"
            r"night-time|through\s+the\s+night)\b",
            re.I,
        ),
    ),
]


# One Aho-Corasick pass finds where each pattern may match; the patterns then run anchored
# there (strikes.speed.fastmatch: same matches as finditer, a fraction of the cost).
_GATE = MultiGate([p for _kind, p in _PATTERNS])


# Every date shape starts with \b before a word character (tests/unit/test_finders_fastpaths.py
# checks it).  One more pattern marks the words that may be a month: a shape that names a
# month ("explicit" and the others of `_MONTH_KINDS`) holds such a word at or after its start,
# so past the last one those shapes are not tried ("on Sunday", "2 drones": "explicit" would
# fail there, slowly).  The marks sort after every date shape's candidates.
_MONTH_MARK_RE = re.compile(rf"\b(?:{_MON})", re.I)
_MONTH_KINDS = frozenset({"night-range", "night-of", "explicit", "month-year", "month"})
_WORD_GATE = WordStartGate([*(p for _kind, p in _PATTERNS), _MONTH_MARK_RE])
_MONTH_MARK = len(_PATTERNS)
_NEEDS_MONTH = tuple(kind in _MONTH_KINDS for kind, _p in _PATTERNS)


def _month_index(name: str) -> int:
    name = name.lower().rstrip(".")
    for i, full in enumerate(MONTHS, start=1):
        if full.startswith(name[:3]) and (name == full or len(name) <= 4):
            return i
    raise ValueError(name)


def _weekday_on_or_before(ref: date, weekday: str) -> date:
    target = WEEKDAYS.index(weekday.lower())
    return ref - timedelta(days=(ref.weekday() - target) % 7)


def _morning_after(iso: str, published: date | None) -> str:
    """The morning a night named by its evening ended; never after the report itself (a
    morning report's "on the night of September 12" is the night into the 12th, as Ukrainian
    "в ніч на 12 вересня" is translated)."""
    morning = date.fromisoformat(iso) + timedelta(days=1)
    if published is not None and morning > published:
        return iso
    return morning.isoformat()


# Reports name the weekday with a day and month; the year is the first from the war's start in
# which they agree (the calendar repeats within 28 years).
_FIRST_WAR_YEAR = 2022


def _year_of_weekday(mon: int, day: int, weekday: str | None) -> int | None:
    if not weekday:
        return None
    target = WEEKDAYS.index(weekday.lower())
    for year in range(_FIRST_WAR_YEAR, _FIRST_WAR_YEAR + 28):
        try:
            if date(year, mon, day).weekday() == target:
                return year
        except ValueError:
            continue  # 29 February outside a leap year
    return None


def _month_start(y: int, m: int) -> str:
    return date(y, m, 1).isoformat()


# (kind, start, end, matched text, named groups as (name, value) pairs): what `find_dates`
# needs of one match, without the Match object.
Shape = tuple[str, int, int, str, tuple[tuple[str, str | None], ...]]


# A few hundred distinct expressions ("on Sunday", "overnight") meet a few hundred publication
# dates: most resolutions repeat.
@functools.lru_cache(maxsize=1 << 14)
def _resolved(
    kind: str, groups: tuple[tuple[str, str | None], ...], matched: str, published: date | None
) -> tuple[str | None, str | None]:
    # re.I matches "ſunday" as a weekday: names are looked up in their ASCII spelling.
    g = {k: ascii_lookalikes(v) if v else v for k, v in groups}
    if published is not None and not _RESOLVABLE[0] <= published <= _RESOLVABLE[1]:
        published = None  # a year or a week away runs off the calendar: read as no date
    return _resolve(kind, g, ascii_lookalikes(matched), published)


# Publication dates that every relative expression can be counted from (a year back, a year
# and a week ahead stay on Python's calendar).  The articles stage keeps dates from 1900 to
# today; a direct caller may pass anything.
_RESOLVABLE = (date(2, 1, 1), date(9998, 12, 1))


def _resolve(
    kind: str, g: dict[str, str | None], matched: str, published: date | None
) -> tuple[str | None, str | None]:
    """(date, precision) of one match (its named groups `g`, its text `matched`); (None,
    precision) when a reference date is missing."""
    if kind == "iso":
        try:
            return date(int(g["y"]), int(g["m"]), int(g["d"])).isoformat(), "day"
        except ValueError:
            return None, None
    if kind == "explicit":
        mon = _month_index(g.get("mon1") or g.get("mon2"))
        day = int(g.get("d1") or g.get("d2"))
        year = int(g["y"]) if g.get("y") else None
        if year is None:
            if published is None:
                # "on Tuesday, June 24": the year (of the war, 2022 on) in which that day is a
                # Tuesday; a weekday-less day and month stays unresolved.
                year = _year_of_weekday(mon, day, g.get("wd"))
                if year is None:
                    return None, "day"
                return date(year, mon, day).isoformat(), "day"
            year = published.year
            # A month later than publication (by more than a few days) is last year's.
            try:
                if date(year, mon, day) > published + timedelta(days=3):
                    year -= 1
            except ValueError:
                return None, None
        try:
            return date(year, mon, day).isoformat(), "day"
        except ValueError:
            return None, None
    if kind == "night-of":
        # "on the night of July 3": the night ran into the morning of July 4.
        d, prec = _resolve("explicit", g, matched, published)
        return (_morning_after(d, published) if d else None), prec
    if kind == "weekday-night":
        if published is None:
            return None, "day"
        return _morning_after(
            _weekday_on_or_before(published, g["wd"]).isoformat(), published
        ), "day"
    if kind == "night-range":
        # "the night of Sept. 11-12": overnight attacks take the morning's date.
        return _resolve("explicit", {**g, "y": None}, matched, published)
    if kind == "this-month":
        return (
            (_month_start(published.year, published.month), "month")
            if published
            else (None, "month")
        )
    if kind == "week":
        return None, "week"  # no day can be named: left unresolved, never guessed
    if kind in {"overnight-into", "overnight-on", "statement-weekday", "weekday"}:
        if published is None:
            return None, "day"
        return _weekday_on_or_before(published, g["wd"]).isoformat(), "day"
    if kind == "month-year":
        mon = _month_index(g["mon"])
        if g.get("y"):
            return _month_start(int(g["y"]), mon), "month"
        if published is None:
            return None, "month"
        offset = {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        return _month_start(published.year + offset, mon), "month"
    if kind == "month":
        if published is None:
            return None, "month"
        mon = _month_index(g["mon"])
        year = published.year if mon <= published.month else published.year - 1
        return _month_start(year, mon), "month"
    if kind == "last-month":
        if published is None:
            return None, "month"
        if g["rel"].lower() == "this":
            return _month_start(published.year, published.month), "month"
        first = published.replace(day=1) - timedelta(days=1)
        return _month_start(first.year, first.month), "month"
    if kind == "last-year":
        if published is None:
            return None, "year"
        y = published.year - (1 if matched.lower().startswith("last") else 0)
        return date(y, 1, 1).isoformat(), "year"
    if kind == "yesterday":
        return ((published - timedelta(days=1)).isoformat(), "day") if published else (None, "day")
    if kind in {"today", "overnight"}:
        # Overnight attacks take the morning's date: the day the report appeared.
        return (published.isoformat(), "day") if published else (None, "day")
    return None, None  # anaphoric: resolved by the caller from context


def parse_published(value: str | None) -> date | None:
    """The publication date in an ISO or a written form, or None.

    >>> parse_published("2025-07-06T08:00:00Z"), parse_published("July 6, 2025")
    (datetime.date(2025, 7, 6), datetime.date(2025, 7, 6))
    >>> parse_published("not a date") is None
    True
    """
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        try:
            return dateutil_parser.parse(str(value)).date()
        except (ValueError, OverflowError):
            return None


_MAY_LEAD_RE = re.compile(r"\b(?:in|on|of|since|by)\s+(?:may)?$", re.I)


# A sentence repeated across articles (syndicated copy) is scanned once; only the resolution
# against each article's publication date runs again.
@functools.lru_cache(maxsize=1 << 14)
def _date_shapes(text: str) -> tuple[Shape, ...]:
    """Every match of every date shape, pattern by pattern in `_PATTERNS` order."""
    if not text.isascii():
        return _date_shapes_gated(text)
    cands = _WORD_GATE.candidates(text)  # (pattern index, start): pattern order, then text order
    if not cands:
        return ()
    # Where the last month word starts (-1: none); every mark comes after the shapes' candidates.
    last_month = cands[-1][1] if cands[-1][0] == _MONTH_MARK else -1
    out = []
    cur = -1
    pos = 0
    limit = 0
    match = None
    for i, s in cands:
        if i != cur:
            if i == _MONTH_MARK:
                break
            cur, pos, match = i, 0, _PATTERNS[i][1].match
            limit = last_month if _NEEDS_MONTH[i] else len(text)
        elif s < pos:
            continue  # inside the previous match of this pattern (finditer never overlaps)
        if s > limit:
            continue  # no month word at or after s: a month shape cannot match here
        m = match(text, s)
        if m is None:
            continue
        pos = m.end()
        kind = _PATTERNS[i][0]
        if kind == "explicit" and _may_as_verb(text, m):
            continue
        out.append(_shape(kind, m))
    return tuple(out)


def _shape(kind: str, m: re.Match[str]) -> Shape:
    return (kind, m.start(), m.end(), m.group(0), tuple(m.groupdict().items()))


def _may_as_verb(text: str, m: re.Match[str]) -> bool:
    """ "May" is also a verb; only read it as a month with a day, a year or "in May"."""
    if m.group("mon1") != "may" or m.group("y"):
        return False
    s = m.start()
    return not _MAY_LEAD_RE.search(text[max(0, s - 6) : s] + m.group(0)[:3])


def _date_shapes_gated(text: str) -> tuple[Shape, ...]:
    """`_date_shapes` for any text (the general literal gate; non-ASCII text comes here)."""
    out = []
    starts = _GATE.scan(text)
    for i, (kind, _pattern) in enumerate(_PATTERNS):
        for m in _GATE.finditer(i, text, starts):
            if kind == "explicit" and _may_as_verb(text, m):
                continue
            out.append(_shape(kind, m))
    return tuple(out)


def clear_caches() -> None:
    _date_shapes.cache_clear()
    _resolved.cache_clear()


_ANAPHORIC = frozenset({"anaphoric", "day-before"})

# Scope phrases measure an attack against a period; they do not date it: "the deadliest attack
# this year", "the biggest this month", "since the invasion in February 2022", "since Sunday".
_SINCE_BEFORE_RE = re.compile(r"\bsince\s+(?:[\w’'-]+\s+){0,4}$", re.I)
_THIS_PERIOD = frozenset({"last-year", "last-month"})
_CAME_RE = re.compile(r"\b(?:came|comes|follows|followed)\s+\Z", re.I)


def _not_a_date(text: str, kind: str, start: int, matched: str) -> str | None:
    """Why a shape found at `start` is no date: "scope", "unanchored" (None: it is one)."""
    # "X a day after Y" dates Y from X only as "(it) came a day after Y".
    if (
        kind == "day-before"
        and matched[-5:].lower() == "after"
        and not _CAME_RE.search(text, max(0, start - 10), start)
    ):
        return "unanchored"
    return "scope" if _is_scope(text, kind, start, matched) else None


def _is_scope(text: str, kind: str, start: int, matched: str) -> bool:
    low = matched[:6].lower()
    if kind in _THIS_PERIOD and low.startswith("this"):
        return True
    if low.startswith("since"):
        return True
    return "since" in text[max(0, start - 48) : start].lower() and bool(
        _SINCE_BEFORE_RE.search(text, max(0, start - 48), start)
    )


def find_dates(text: str, *, published: date | None) -> list[DateMention]:
    """Every date expression in `text`, resolved against `published`, left to right.

    Spans never overlap: a more specific shape claims its span first.
    """
    shapes = _date_shapes(text)
    if not shapes:
        return []
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for kind, s, e, matched, groups in shapes:
        if taken and any(s < te and ts < e for ts, te in taken):
            continue
        skip = _not_a_date(text, kind, s, matched)
        if skip:
            if skip == "scope":
                taken.append((s, e))  # a scope holds no date, nor a shorter shape inside it
            continue
        d, prec = _resolved(kind, groups, matched, published)
        if prec is None and kind not in _ANAPHORIC:
            continue  # impossible calendar date
        taken.append((s, e))
        # Positional (start, end, text, kind, date, precision, statement, anaphoric).
        out.append(
            DateMention(
                s, e, matched, kind, d, prec, kind == "statement-weekday", kind in _ANAPHORIC
            )
        )
    if len(out) > 1:
        out.sort(key=lambda d: d.start)
    return out


# How far a kind of mention is trusted to date the event itself (lower first).
_EVENT_RANK = {
    "iso": 0, "explicit": 0, "overnight-into": 0, "overnight-on": 0, "weekday": 1,
    "night-of": 0, "weekday-night": 1,
    "month-year": 1, "month": 2, "last-month": 2, "last-year": 3, "yesterday": 1,
    "today": 2, "overnight": 2, "night-range": 0, "this-month": 2, "week": 3, "statement-weekday": 4, "day-before": 1, "anaphoric": 5,
}  # fmt: skip


def pick_event_date(mentions: list[DateMention]) -> DateMention | None:
    """The mention that dates the event itself, not the statement about it.

    Order of trust: an explicit or weekday date of the event; an overnight expression; a
    "said <weekday>" (when the report was made); an anaphoric reference (caller resolves).
    """
    if not mentions:
        return None
    if len(mentions) == 1:
        return mentions[0]  # the usual case: min of one (every kind is ranked: tests)
    return min(mentions, key=_event_rank)


def _event_rank(d: DateMention) -> tuple[int, int]:
    return _EVENT_RANK[d.kind], d.start
