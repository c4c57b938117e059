"""The finders' fast paths give what the plain expressions give: date shapes found through
the word-start gate, cached date resolutions, amounts, place mentions."""

from __future__ import annotations

import functools
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

from strikes import dates, numbers
from strikes.corpus import make_documents
from strikes.fastmatch import literal_prefixes

CASES = Path(__file__).parent / "cases"

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
_SEPS = (" ", " ", " ", "", "-", ", ", ". ", "\t", "'", "’", "(", ":", "\n", "_", "/")


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randrange(1, 25)
        out.append("".join(rng.choice(_WORDS) + rng.choice(_SEPS) for _ in range(k)))
    return out


@functools.cache
def _corpus_sentences() -> tuple[str, ...]:
    from strikes.articles import load_documents

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


def _find_dates_uncached(text: str, published: date | None) -> list:
    """find_dates as it was: every match resolved afresh, overlap test against all taken."""
    taken: list[tuple[int, int]] = []
    out = []
    for kind, s, e, matched, groups in _plain_shapes(text):
        if any(s < te and ts < e for ts, te in taken):
            continue
        d, prec = dates._resolve(kind, dict(groups), matched, published)
        if prec is None and kind != "anaphoric":
            continue
        taken.append((s, e))
        out.append(
            dates.DateMention(
                s,
                e,
                matched,
                kind,
                d,
                prec,
                statement=kind == "statement-weekday",
                anaphoric=kind in {"anaphoric", "day-before"},
            )
        )
    return sorted(out, key=lambda d: d.start)


@pytest.mark.parametrize("published", [None, date(2025, 7, 6), date(2024, 2, 29), date(2025, 1, 2)])
def test_find_dates_with_cached_resolutions_is_the_plain_reading(published) -> None:
    dates.clear_caches()
    texts = _texts()
    for _ in range(2):  # cold, then every shape and resolution from the caches
        for t in texts:
            assert dates.find_dates(t, published=published) == _find_dates_uncached(t, published)
    assert dates._resolved.cache_info().hits > 0


def test_find_dates_returns_a_fresh_list() -> None:
    s = "Drones struck Kyiv overnight into Sunday, the mayor said on Monday."
    a = dates.find_dates(s, published=date(2025, 7, 6))
    a.clear()
    assert len(dates.find_dates(s, published=date(2025, 7, 6))) == 2


# --- numbers --------------------------------------------------------------------------------


def _parse_amount_plain(match: re.Match[str]) -> numbers.Amount | None:
    """parse_amount as it was written: group by group."""
    qual = match.group("qual")
    qual = qual.lower() if qual else None
    text = match.group(0)
    if match.group("digits"):
        value = int(match.group("digits").replace(",", ""))
        scale = (match.group("dscale") or "").lower()
        if scale:
            frac = match.group("frac") or ""
            mult = {"hundred": 100, "thousand": 1000, "million": 1_000_000}[scale]
            value = round(float(f"{value}.{frac or 0}") * mult)
        elif match.group("frac"):
            return None
        return numbers.Amount(match.start(), match.end(), text, value, value, qual, False)
    if match.group("dozen"):
        head = match.group("dozen").lower().split()[0]
        n = {"a": 1, "half": 0.5}.get(head, numbers.UNITS.get(head, 1))
        value = int(n * 12)
        return numbers.Amount(match.start(), match.end(), text, value, value, qual, False)
    if match.group("words"):
        value = numbers._words_value(match.group("words"))
        if value is None:
            return None
        return numbers.Amount(match.start(), match.end(), text, value, value, qual, False)
    vague = match.group("vague").lower()
    if qual:
        return None
    return numbers.Amount(match.start(), match.end(), text, None, numbers.VAGUE[vague], None, True)


def test_find_amounts_is_the_plain_regex_reading() -> None:
    texts = _texts()
    found = 0
    for t in texts:
        plain = [a for m in numbers.NUMBER_RE.finditer(t) if (a := _parse_amount_plain(m))]
        assert numbers.find_amounts(t) == plain, t
        found += len(plain)
    assert found > 2000


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
