"""The finders' fast paths give what the plain expressions give: date shapes found through
the word-start gate (month shapes skipped past the last month word), the event date of a lone
mention, cached date resolutions, amounts, place mentions."""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from bench.corpus import make_documents
from strikes import dates, numbers
from strikes.geo import geocode as G
from strikes.geo.gazetteer import Gazetteer
from strikes.speed import fastmatch
from strikes.speed.fastmatch import literal_prefixes

CASES = Path(__file__).resolve().parents[1] / "cases"

# Words and separators of dates, numbers and places, mixed at random: matches start and end
# next to every kind of neighbour (punctuation, digits, capitals, hyphens, non-ASCII).
_WORDS = [
    "on", "in", "at", "a", "the", "of", "said", "last", "this", "night", "overnight", "into",
    "to", "early", "late", "Monday", "sunday", "FRIDAY", "May", "may", "March", "mar", "Sept.",
    "sep", "11", "12", "3rd", "2024", "2025-07-06", "2099-13-45", "1,200", "3.5", "hundreds",
    "dozens", "a", "dozen", "twenty-one", "at", "least", "more", "than", "some", "few", "day",
    "earlier", "before", "previous", "that", "same", "hours", "later", "week", "weekend", "month",
    "year", "yesterday", "today", "during", "throughout", "since", "Kyiv", "Kharkiv", "region",
    "oblast", "Rostov", "Belgorod", "Odesa", "killed", "injured", "two", "drones", "Ukraine",
    "aid", "and", "20", "7th", "5", "ago", "nighttime", "night-time", "İstanbul", "ſhahed", "３",
    "٣", "—"
]  # fmt: skip
_SEPS = (
    " ",
    " ",
    " ",
    "",
    "-",
    ", ",
    ". ",
    "\t",
    "'",
    "’",
    "(",
    ":",
    "\n",
    "_",
    "/",
    "\x1c",
    " \x0b",
)


def _random_texts(
    n: int, seed: int, *, words: Sequence[str] = _WORDS, seps: Sequence[str] = _SEPS, most: int = 24
) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randrange(1, most + 1)
        out.append("".join(rng.choice(words) + rng.choice(seps) for _ in range(k)))
    return out


@functools.cache
def _corpus_sentences() -> tuple[str, ...]:
    from strikes.documents.articles import load_documents

    batch = load_documents(make_documents(300, seed=3))
    return tuple(dict.fromkeys(batch.sentences["text"].tolist()))


def _texts() -> list[str]:
    cases = json.loads((CASES / "dates.json").read_text())["cases"]
    framed = [f"Drones struck the city {c[0]}, officials said." for c in cases]
    return [*_corpus_sentences(), *framed, *_random_texts(3000, 5)]


# --- dates ----------------------------------------------------------------------------------


def _plain_shapes(text: str) -> tuple:
    """Every date shape by plain finditer, pattern by pattern (the definition)."""
    out = []
    for kind, pattern in dates._PATTERNS:
        for m in pattern.finditer(text):
            if kind == "explicit" and dates._may_as_verb(text, m):
                continue
            out.append(dates._shape(kind, m))
    return tuple(out)


def test_date_shapes_through_the_word_start_gate_are_the_plain_matches() -> None:
    texts = _texts()
    assert sum(bool(_plain_shapes(t)) for t in texts) > 1000  # the texts do have dates
    for t in texts:
        expected = _plain_shapes(t)
        assert dates._date_shapes.__wrapped__(t) == expected, t
        assert dates._date_shapes_gated(t) == expected, t


def test_date_patterns_start_at_word_starts_only() -> None:
    """What the word-start gate rests on: every literal prefix starts with a word character
    and no match survives a word character put right before it."""
    for _kind, pattern in dates._PATTERNS:
        lits = literal_prefixes(pattern, ascii_text=True)
        assert lits and all(re.match(r"\w", lit) for lit in lits), pattern.pattern
    seen = 0
    for t in _texts():
        if not t.isascii():
            continue
        for _kind, pattern in dates._PATTERNS:
            for m in pattern.finditer(t):
                s = m.start()
                for c in "xZ7_":
                    assert pattern.match(t[:s] + c + t[s:], s + 1) is None, (t, s, c)
                seen += 1
    assert seen > 1000


# Month shapes are not tried past the last month word; a lone mention is the event date.

# Month words (and words that merely start like one) next to the words that open the other
# shapes ("on Sunday", "in", digits), so month shapes are tried before, at and after the last
# month word, and at the end of the text; "İzmir" sends a text down the non-ASCII path.
_MONTH_WORDS = [
    "on", "in", "of", "since", "during", "for", "night", "Sunday", "friday", "said", "late",
    "May", "may", "mayor", "March", "market", "Mar.", "Sept.", "sep", "separatists", "Dec",
    "decided", "jan", "January", "Jun", "June", "Jul", "Oct.", "nov", "November", "aug", "Apr",
    "feb", "5", "11", "12", "3rd", "21st", "2024", "1999", "last", "this", "next", "year",
    "drones", "Kyiv", "—", "İzmir",
]  # fmt: skip
_MONTH_SEPS = [" ", " ", " ", ", ", ". ", "-", "/", "\n", "", "(", "'"]


def _month_texts() -> list[str]:
    from strikes.documents.articles import load_documents

    corpus = load_documents(make_documents(200, seed=11)).sentences["text"].tolist()
    cases = json.loads((CASES / "dates.json").read_text())["cases"]
    framed = [f"Drones struck the city {c[0]}" for c in cases]  # the date ends the text
    month_texts = _random_texts(4000, 7, words=_MONTH_WORDS, seps=_MONTH_SEPS, most=11)
    return [*dict.fromkeys(corpus), *framed, *month_texts]


def test_month_shapes_skipped_past_the_last_month_word_are_the_plain_matches() -> None:
    texts = _month_texts()
    month_shapes = 0
    for t in texts:
        expected = _plain_shapes(t)
        assert dates._date_shapes.__wrapped__(t) == expected, t
        month_shapes += sum(kind in dates._MONTH_KINDS for kind, *_ in expected)
    assert month_shapes > 500  # the texts do name months


def test_every_month_shape_holds_a_month_mark_at_or_after_its_start() -> None:
    """What the skip rests on: the gate marks a month word inside every month shape."""
    checked = 0
    for t in _month_texts():
        if not t.isascii():
            continue
        marks = [s for i, s in dates._WORD_GATE.candidates(t) if i == dates._MONTH_MARK]
        for kind, pattern in dates._PATTERNS:
            if kind not in dates._MONTH_KINDS:
                continue
            for m in pattern.finditer(t):
                assert any(m.start() <= s < m.end() for s in marks), (t, m)
                checked += 1
    assert checked > 500


def test_marks_sort_after_every_shape_candidate() -> None:
    cands = dates._WORD_GATE.candidates("On Sunday, May 5, in June 2024 drones hit Kyiv in May")
    marks = [c for c in cands if c[0] == dates._MONTH_MARK]
    assert len(marks) == 3 and cands[-len(marks) :] == marks
    assert dates._NEEDS_MONTH.count(True) == len(dates._MONTH_KINDS)


def test_every_kind_is_ranked() -> None:
    """The single-mention shortcut skips the rank lookup: no kind may lack a rank."""
    assert {kind for kind, _p in dates._PATTERNS} <= set(dates._EVENT_RANK)


def test_pick_event_date_is_the_ranked_minimum() -> None:
    def plain(mentions):
        return (
            min(mentions, key=lambda d: (dates._EVENT_RANK[d.kind], d.start)) if mentions else None
        )

    published = date(2025, 7, 6)
    picked = 0
    for t in _month_texts():
        found = dates.find_dates(t, published=published)
        for k in range(len(found) + 1):
            assert dates.pick_event_date(found[:k]) is plain(found[:k])
        picked += len(found)
    assert picked > 1000


def test_find_dates_returns_a_fresh_list() -> None:
    s = "Drones struck Kyiv overnight into Sunday, the mayor said on Monday."
    a = dates.find_dates(s, published=date(2025, 7, 6))
    a.clear()
    assert len(dates.find_dates(s, published=date(2025, 7, 6))) == 2


@pytest.mark.parametrize("which", ["dates", "numbers"])
def test_every_match_starts_with_an_opening_of_its_pattern(which) -> None:
    """The word-start gate's keys: the folded text at every match start begins with one of
    the openings derived from the pattern (its first word, and the separator after it)."""
    if which == "dates":
        gate, patterns = dates._WORD_GATE, [p for _kind, p in dates._PATTERNS]
    else:
        gate, patterns = numbers._NUMBER_WORD_GATE, numbers._NUMBER_GATE.patterns
    checked = 0
    for pattern in patterns:
        parsed = list(re._parser.parse(pattern.pattern, pattern.flags))
        openings = tuple(s for s, _open in fastmatch._openings(parsed, gate._table))
        assert openings and all(openings)
        for t in _texts():
            if not t.isascii():
                continue
            folded = gate._fold(t)
            for m in pattern.finditer(t):
                assert folded.startswith(openings, m.start()), (t, m)
                checked += 1
    assert checked > 1000


# --- numbers --------------------------------------------------------------------------------


def test_amounts_start_only_after_a_blank_or_punctuation() -> None:
    """What the word-start gate of numbers rests on (keep=".,-"): no match survives a word
    character, a period, a comma or a hyphen put right before it."""
    lits = literal_prefixes(numbers._NUMBER_GATE.patterns[0], ascii_text=True)
    assert lits and all(re.match(r"\w", lit) for lit in lits)
    seen = 0
    for t in _texts():
        if not t.isascii():
            continue
        for m in numbers.NUMBER_RE.finditer(t):
            s = m.start()
            for c in "xZ7_.,-":
                assert numbers.NUMBER_RE.match(t[:s] + c + t[s:], s + 1) is None, (t, s, c)
            seen += 1
    assert seen > 1000


def _implausible_texts(n: int, seed: int) -> list[str]:
    """Digit runs, comma groups, exponents and scale words (some spelt with the characters
    re.IGNORECASE equates with ASCII letters), mixed at random with corpus words."""
    pieces = [
        "1", "12", "123", "1234567", "12345678901", "999999999999", ",000", ",", ".", "5.2",
        "e", "E", "e9", "E+10", "e-3", "+", "-", " ", "  ", "\u00a0", "\t", "billion",
        "BILLION", "trillion", "Trillion", "quadrillion", "bıllıon", "TRİLLİON", "million",
        "illion", "٣", "١٢٣٤٥٦٧٨٩٠١", "drones", "x", "(", "Kh-101", "1,000,000,000",
        "1,000,000", "2024", "3 billion", "1.5e9", "4E5",
    ]  # fmt: skip
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12))) for _ in range(n)]


def test_find_implausible_is_the_plain_regex_reading() -> None:
    # The gate (_IMPLAUSIBLE_GATE_RE) answers alone for most sentences: it must never miss.
    texts = [*_texts(), *_implausible_texts(20000, 3)]
    flagged = 0
    for t in texts:
        plain = [m.group(0) for m in numbers.IMPLAUSIBLE_RE.finditer(t)]
        assert numbers.find_implausible(t) == plain, t
        flagged += bool(plain)
    assert flagged > 3000
    # Each shape once, and the gate's own shapes without a token around them.
    assert numbers.find_implausible("1e9 and 2 BİLLİON, 12345678901; 1,000,000,000") == [
        "1e9",
        "2 BİLLİON",
        "12345678901",
        "1,000,000,000",
    ]
    assert numbers.find_implausible("x1e9, 1,000,000 and 1234567890x") == []


# --- places ---------------------------------------------------------------------------------


@functools.cache
def _gaz() -> Gazetteer:
    return Gazetteer.load()


def _place_texts() -> list[str]:
    names = [c["name"] for c in json.loads((CASES / "toponyms.json").read_text("utf-8"))]
    frames = (
        "Drones struck {} overnight.",
        "Gov. {} said the {} region was shelled.",
        "{} Oblast and the Zaporizhzia, Khersonn and {} regions",
        "Officials in {}, {} said Mr. {} Smith's office near {} River was hit.",
        "Explosions in the Republic of {} and {}'s port, the {} Institute said.",
    )
    framed = [
        f.format(*[names[(i + k) % len(names)] for k in range(4)])
        for i in range(len(names))
        for f in frames
    ]
    return [*_texts(), *framed]


def test_region_word_prechecks_are_necessary() -> None:
    texts = _place_texts() + [
        f"{a}{w}{b}"
        for w in (
            "region",
            "Region",
            "oblast",
            "Oblast",
            "krai",
            "Krai",
            "province",
            "Province",
            "regions",
            "Regions",
            "oblasts",
            "Oblasts",
            "provinces",
        )
        for a in (" ", "\t", "the Foo ", "x")
        for b in ("", ".", "-", " of", "s")
    ]
    hits = 0
    for t in texts:
        if G._REGION_WORD_RE.search(t):
            hits += 1
            assert G._region_words(t, G.fold(t)), t
        if G._PLURAL_REGION_RE.search(t):
            hits += 1
            assert G._may_have_plural_region(t), t
    assert hits > 50
