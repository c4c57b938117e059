"""Amounts as written in news copy: "550", "5,438", "two dozen", "hundreds", "at least 14".

Word numbers are parsed by hand: the cardinal vocabulary of wire copy is small and closed, and
the libraries for it (word2number, text2num) neither return character offsets nor know the
vague quantities ("dozens", "several") that must be kept as text with a lower bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from strikes.speed.fastmatch import MultiGate, WordStartGate
from strikes.speed.frozen import fast_init

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000}
# Vague amounts: kept as text, with a lower bound that is never used as the value.
VAGUE = {
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "several": 3,
    "a few": 2, "few": 2, "multiple": 2, "numerous": 5, "many": 5, "some": 2,
    "a number": 2, "a handful": 2,
}  # fmt: skip
QUALIFIERS = (
    "at least", "more than", "over", "nearly", "almost", "about", "around", "some", "up to",
    "approximately", "roughly", "an estimated", "as many as", "fewer than", "less than",
)  # fmt: skip
LOWER_BOUND_QUALIFIERS = {"at least", "more than", "over"}

_WORD_NUM = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_VAGUE = "|".join(sorted((re.escape(v) for v in VAGUE), key=len, reverse=True))
_QUAL = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))

# One alternation per shape, each bounded, so matching is linear in the text length.
NUMBER_RE = re.compile(
    rf"""
    (?<![\w.,-])
    (?:(?P<qual>{_QUAL})\s+)?
    (?:
        (?P<digits>\d{{1,3}}(?:,\d{{3}})+|\d{{1,9}})(?:\.(?P<frac>\d+))?
            (?:\s+(?P<dscale>hundred|thousand|million))?
      | (?P<dozen>(?:a|one|two|three|four|five|half\ a)\s+dozen)
      | (?P<words>(?:{_WORD_NUM})(?:[\s-](?:{_WORD_NUM}))?
            (?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:{_WORD_NUM})(?:[\s-](?:{_WORD_NUM}))?)?)?)
      | (?P<vague>{_VAGUE})
    )
    (?![\w-])
    """,
    re.IGNORECASE | re.VERBOSE,
)


@fast_init
@dataclass(frozen=True, slots=True)
class Amount:
    start: int
    end: int
    text: str
    value: int | None  # None for vague amounts
    low: int  # lower bound (== value for exact amounts)
    qualifier: str | None  # "at least", "more than", ...
    vague: bool

    @property
    def lower_bound(self) -> bool:
        """ "more than 500", "at least 18": the value is a floor, not the count."""
        return self.qualifier in LOWER_BOUND_QUALIFIERS


_WORD_SPLIT_RE = re.compile(r"[\s-]+")


def _words_value(text: str) -> int | None:
    total = 0
    current = 0
    for tok in _WORD_SPLIT_RE.split(text.lower()):
        if tok == "and" or not tok:
            continue
        if tok in UNITS:
            current += UNITS[tok]
        elif tok in TENS:
            current += TENS[tok]
        elif tok in SCALES:
            current = max(current, 1) * SCALES[tok]
            if tok == "thousand":
                total += current
                current = 0
        else:
            return None
    return total + current


_GROUPS = ("qual", "digits", "frac", "dscale", "dozen", "words", "vague")
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DOZENS = {"a": 1, "half": 0.5}


def parse_amount(match: re.Match[str]) -> Amount | None:
    qual, digits, frac, dscale, dozen, words, vague = match.group(*_GROUPS)  # one call
    qual = qual.lower() if qual else None
    text = match.group(0)
    start, end = match.span()
    if digits:
        value = int(digits.replace(",", ""))
        if dscale:
            value = round(float(f"{value}.{frac or 0}") * _SCALES[dscale.lower()])
        elif frac:
            return None  # "2.5" of something is not a count
        return Amount(start, end, text, value, value, qual, False)
    if dozen:
        head = dozen.lower().split()[0]
        value = int(_DOZENS.get(head, UNITS.get(head, 1)) * 12)
        return Amount(start, end, text, value, value, qual, False)
    if words:
        value = _words_value(words)
        if value is None:
            return None
        return Amount(start, end, text, value, value, qual, False)
    if qual:  # "some several" is not a phrase; treat the qualifier as part of the vague text
        return None
    return Amount(start, end, text, None, VAGUE[vague.lower()], None, True)


# Number-like tokens no count in a strike report can be: ten or more digits, a comma-grouped
# billion or more, scientific notation, "N billion/trillion".  They are not amounts (never a
# value); claims flag a sentence that has one (`find_implausible`).  Linear: each branch is a
# run of one character class or a bounded sequence.
IMPLAUSIBLE_RE = re.compile(
    r"(?<![\w.,-])(?:\d{10,}|\d{1,3}(?:,\d{3}){3,}|\d+(?:\.\d+)?[eE][+-]?\d+"
    r"|\d+(?:\.\d+)?\s+(?:billion|trillion|quadrillion))(?![\w-])",
    re.IGNORECASE,
)


# What every implausible token holds: its last digit before the exponent, the scale word or
# the end of the third comma group, or its first ten digits.  A sentence without one (most:
# "40 drones", "2,500") is answered by this search alone, which re runs as a quick scan for
# digits (IMPLAUSIBLE_RE opens with a look-behind: re tries it at every position).
_IMPLAUSIBLE_GATE_RE = re.compile(
    r"\d(?:\d{9}|,\d{3},\d{3},|e|\s+(?:b|tr|quadr)illion)", re.IGNORECASE
)


def find_implausible(text: str) -> list[str]:
    """Number-like tokens in `text` that no count can be ("999999999999", "1e9").

    >>> find_implausible("They launched 999999999999 drones and 1e9 missiles, and 40 more.")
    ['999999999999', '1e9']
    >>> find_implausible("Russia launched 40 drones.")
    []
    """
    if _IMPLAUSIBLE_GATE_RE.search(text) is None:
        return []
    return [m.group(0) for m in IMPLAUSIBLE_RE.finditer(text)]


def _flatten_verbose(pattern: str) -> str:
    """The pattern of a VERBOSE regex without its layout whitespace (it has no comments and no
    whitespace inside character classes; an escaped space stays a space)."""
    return re.sub(r"\\ |\s+", lambda m: " " if m.group(0) == "\\ " else "", pattern)


# The same regex, flat, so the literal gate can find where a match may start (digits only on
# ASCII text; the gate scans in full otherwise): the same matches at a third of the cost.
_NUMBER_GATE = MultiGate(
    [re.compile(_flatten_verbose(NUMBER_RE.pattern), NUMBER_RE.flags & ~re.VERBOSE)]
)


# Faster still on ASCII text: the look-behind (?<![\w.,-]) lets a match start only after a
# character that is none of those, so the word-start gate (strikes.dates) scans for literals
# there alone, and a sentence without one costs a single scan.
_NUMBER_WORD_GATE = WordStartGate(_NUMBER_GATE.patterns, keep=b".,-")


def find_amounts(text: str) -> list[Amount]:
    """Every amount in `text`, left to right, with offsets into `text`."""
    out = []
    if not text.isascii():
        for m in _NUMBER_GATE.finditer(0, text, _NUMBER_GATE.scan(text)):
            a = parse_amount(m)
            if a is not None:
                out.append(a)
        return out
    match = _NUMBER_GATE.patterns[0].match
    pos = 0
    for _i, s in _NUMBER_WORD_GATE.candidates(text):
        if s < pos:
            continue  # inside the previous match (finditer never overlaps)
        m = match(text, s)
        if m is None:
            continue
        pos = m.end()
        a = parse_amount(m)
        if a is not None:
            out.append(a)
    return out
