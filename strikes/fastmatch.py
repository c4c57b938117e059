"""Exact, faster `search` for big case-insensitive alternations (a literal gate).

Python's `re` has no literal-prefix scan for a case-insensitive alternation: at every position
of the text it tries every branch, so `PREFILTER_RE.search(sentence)` (90 weapon, attack and
casualty words) costs ~60 µs per sentence.  `LiteralGate` derives, from the compiled pattern
itself, the literal strings every match must start with, finds their occurrences with one
Aho-Corasick pass over the lower-cased text (C, linear), and runs the real pattern only
*anchored at those positions*, leftmost first.  The result is the very Match object
`pattern.search(text)` would return: the gate changes the cost, never the answer.

When exactness cannot be guaranteed the gate steps aside and calls `pattern.search`:
- a branch of the pattern with no literal prefix (a character class or `\\d` first), or a
  non-ASCII literal: no gate at all;
- a text with one of the four non-ASCII characters that case-insensitive matching equates
  with ASCII letters (İ ı ſ K, U+0130 U+0131 U+017F U+212A): that text takes the plain search.
  Lower-casing every other character keeps the text's length and never yields an ASCII
  letter, so positions in the lower-cased text are positions in the text
  (tests/test_bench.py checks both facts over all of Unicode).
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

__all__ = ["LiteralGate"]

# Non-ASCII characters that re.IGNORECASE matches against ASCII letters.
_EXOTIC_RE = re.compile("[\u0130\u0131\u017f\u212a]")
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))


def _prefixes(seq) -> set[str]:
    """Strings one of which every match of the parsed sequence starts with ("" = unknown)."""
    out = {""}
    for op, av in seq:
        if op is C.LITERAL:
            ch = chr(av)
            out = {p + ch for p in out}
            continue
        if op in _ZERO_WIDTH:  # \b, ^, lookarounds: consume nothing, the match starts later
            continue
        if op is C.SUBPATTERN:
            sub = _prefixes(av[-1])
        elif op is C.BRANCH:
            sub = set().union(*(_prefixes(b) for b in av[1]))
        elif op in _REPEATS and av[0] >= 1:
            sub = _prefixes(av[2])
        else:
            break
        return {p + s for p in out for s in sub}
    return out


def literal_prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case literals every match of `pattern` starts with, or None if there are none."""
    if pattern.flags & re.VERBOSE:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError, ValueError):  # pragma: no cover - compiled already
        return None
    found = _prefixes(list(parsed))
    if not found or "" in found or not all(p.isascii() for p in found):
        return None
    if pattern.flags & re.IGNORECASE:
        found = {p.lower() for p in found}
    elif any(p != p.lower() for p in found):
        return None  # upper-case literals: the gate works on lower-cased text only
    # A literal that contains a shorter one adds nothing.
    kept = {p for p in found if not any(q != p and p.startswith(q) for q in found)}
    return frozenset(kept)


class LiteralGate:
    """`gate.search(text)` is `pattern.search(text)`, usually much faster (see module doc).

    `pattern` must be case-insensitive or all lower-case (the gate scans lower-cased text).
    """

    __slots__ = ("_auto", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._auto = None
        lits = literal_prefixes(pattern)
        if lits:
            import ahocorasick

            auto = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
            for lit in sorted(lits):
                auto.add_word(lit)
            auto.make_automaton()
            self._auto = auto

    @property
    def gated(self) -> bool:
        return self._auto is not None

    def search(self, text: str) -> re.Match[str] | None:
        auto = self._auto
        if auto is None or (not text.isascii() and _EXOTIC_RE.search(text)):
            return self.pattern.search(text)
        starts = [end - n + 1 for end, n in auto.iter(text.lower())]
        if not starts:
            return None
        if len(starts) > 1:
            starts = sorted(set(starts))
        match = self.pattern.match
        for s in starts:
            m = match(text, s)
            if m is not None:
                return m
        return None
