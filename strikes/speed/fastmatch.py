"""Exact, faster `search` for big case-insensitive alternations (a literal gate).

Python's `re` has no literal-prefix scan for a case-insensitive alternation: at every position
of the text it tries every branch, so `PREFILTER_RE.search(sentence)` (90 weapon, attack and
casualty words) is slow on every sentence.  `LiteralGate` derives, from the compiled pattern
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
  (tests/integration/test_bench.py checks both facts over all of Unicode).

A case-sensitive pattern is gated too, on the text as it is: its literals keep their case
("Russia", "Kyiv"), and no character but the literal's own matches it, so the exotic
characters do not matter.  `re` scans such a pattern itself with a quick first-character
test, but not when it opens with `\\b` ("\\b(?P<actor>Russia|Moscow|...)"): then it tries
every branch at every position, several times slower than the gate.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from strikes.speed import re_parse as C

__all__ = [
    "GateSet",
    "LiteralGate",
    "MultiGate",
    "TextScan",
    "WordStartGate",
    "ascii_lookalikes",
]

# Non-ASCII characters that re.IGNORECASE matches against ASCII letters.
_EXOTIC_RE = re.compile("[\u0130\u0131\u017f\u212a]")
_LOOKALIKE_ASCII = str.maketrans({"\u0130": "I", "\u0131": "i", "\u017f": "s", "\u212a": "K"})


def ascii_lookalikes(text: str) -> str:
    """`text` with those letters spelt in ASCII, one character for one (offsets stay valid).

    re.I lets "ſunday" or "Ruſsian" match a pattern, but the lookup of what matched by name
    ("sunday", "russian") then fails: rules that look words up read the ASCII spelling.
    """
    if text.isascii() or _EXOTIC_RE.search(text) is None:
        return text
    return text.translate(_LOOKALIKE_ASCII)


_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))


_DIGITS = "0123456789"


def _class_chars(items, flags: dict) -> set[str] | None:
    """The characters of a small character class ([ab], [0-3], \\d on ASCII text), or None."""
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < 32:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT and flags.get("ascii_text"):
            chars.update(_DIGITS)  # \d is [0-9] only on ASCII text
        else:
            return None
    return chars


def _prefixes(seq, flags: dict) -> set[str]:
    """Strings one of which every match of the parsed sequence starts with ("" = unknown)."""
    out = {""}
    for idx, (op, av) in enumerate(seq):
        if op is C.LITERAL:
            ch = chr(av)
            out = {p + ch for p in out}
            continue
        if op in _ZERO_WIDTH:  # \b, ^, lookarounds: consume nothing, the match starts later
            continue
        if op is C.SUBPATTERN:
            sub = _prefixes(av[-1], flags)
        elif op is C.BRANCH:
            sub = set().union(*(_prefixes(b, flags) for b in av[1]))
        elif op in _REPEATS and av[0] >= 1:
            sub = _prefixes(av[2], flags)
        elif op in _REPEATS and av[1] != 0:  # optional: its own start, or what follows it
            sub = _prefixes(av[2], flags) | _prefixes(seq[idx + 1 :], flags)
        elif op is C.IN and (chars := _class_chars(av, flags)) is not None:
            sub = chars
        else:
            break
        return {p + s for p in out for s in sub}
    return out


# An inline flag group that may turn case-insensitive matching on or off in a part of a
# pattern ("(?i:...)"): its literals could not be taken as written.
_INLINE_CASE_RE = re.compile(r"\(\?[aiLmsux-]*i")


def literal_prefixes(
    pattern: re.Pattern[str], *, ascii_text: bool = False, exact: bool = False, fold: bool = False
) -> frozenset[str] | None:
    """Lower-case literals every match of `pattern` starts with, or None if there are none.

    With `ascii_text`, the literals may rely on the text being ASCII (`\\d` read as [0-9]).
    With `exact`, a case-sensitive pattern's literals keep their case (for a scan of the text
    as it is, not lower-cased).  With `fold`, a case-sensitive pattern's literals are
    lower-cased too, each cut before its first non-ASCII character: in the lower-cased text
    they occur wherever a match may start, and at a few places more ("RUSSIA" for "Russia"),
    where the anchored match fails.
    """
    if pattern.flags & re.VERBOSE:
        return None
    if fold and not pattern.flags & re.IGNORECASE:
        return _folded_prefixes(pattern, ascii_text)
    exact = exact and not pattern.flags & re.IGNORECASE
    if exact and _INLINE_CASE_RE.search(pattern.pattern):
        return None
    try:
        parsed = C.parse(pattern)
    except (re.error, TypeError, ValueError):  # pragma: no cover - compiled already
        return None
    found = _prefixes(list(parsed), {"ascii_text": ascii_text})
    if not found or "" in found or not (exact or all(p.isascii() for p in found)):
        return None  # (a non-ASCII literal is exact only where the text is not lower-cased)
    if pattern.flags & re.IGNORECASE:
        found = {p.lower() for p in found}
    elif not exact and any(p != p.lower() for p in found):
        return None  # upper-case literals: the gate works on lower-cased text only
    return _shortest(found)


def _shortest(found: set[str]) -> frozenset[str]:
    """`found` less every literal that starts with a shorter one (it adds nothing)."""
    return frozenset(p for p in found if not any(q != p and p.startswith(q) for q in found))


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _folded_prefixes(pattern: re.Pattern[str], ascii_text: bool) -> frozenset[str] | None:
    """literal_prefixes(..., fold=True) of a case-sensitive pattern.

    A match starts with one of its literals as written; lower-casing the text keeps every
    offset and makes an ASCII letter of no other character (text with one of the exotic
    characters is not scanned), so the literal's ASCII head, lower-cased, occurs in the
    lower-cased text at the match's start.  (The head only: lower-casing a non-ASCII letter
    may depend on its neighbours, the final sigma.)
    """
    try:
        parsed = C.parse(pattern)
    except (re.error, TypeError, ValueError):  # pragma: no cover - compiled already
        return None
    found = _prefixes(list(parsed), {"ascii_text": ascii_text})
    heads = {_NON_ASCII_RE.split(p, 1)[0].lower() for p in found}
    if not heads or "" in heads:
        return None
    return _shortest(heads)


class LiteralGate:
    """`gate.search(text)` is `pattern.search(text)`, usually much faster (see module doc).

    A case-insensitive pattern's literals are looked for in the lower-cased text, a
    case-sensitive pattern's in the text as it is.
    """

    __slots__ = ("_auto", "_exact", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._auto = None
        self._exact = not pattern.flags & re.IGNORECASE
        lits = literal_prefixes(pattern, exact=self._exact)
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

    def _haystack(self, text: str) -> str | None:
        """The text the literals are looked for in; None: no gate for this text."""
        if self._auto is None:
            return None
        if self._exact:
            return text
        if not text.isascii() and _EXOTIC_RE.search(text):
            return None
        return text.lower()

    def starts(self, text: str) -> list[int] | None:
        """Sorted positions where a match may start; None: no gate for this text."""
        hay = self._haystack(text)
        if hay is None:
            return None
        starts = [end - n + 1 for end, n in self._auto.iter(hay)]  # type: ignore[union-attr]
        if len(starts) > 1:
            starts = sorted(set(starts))
        return starts

    def test(self, text: str) -> bool:
        """`bool(pattern.search(text))`; stops at the first candidate that matches."""
        hay = self._haystack(text)
        if hay is None:
            return self.pattern.search(text) is not None
        match = self.pattern.match
        return any(match(text, end - n + 1) for end, n in self._auto.iter(hay))  # type: ignore[union-attr]

    def test_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
        """`[self.test(text[s:e]) for s, e in spans]` with one scan of the whole text (a
        literal found inside a span is found there whether the span is scanned alone or not)."""
        starts = self.starts(text)
        if starts is None:
            return [self.test(text[s:e]) for s, e in spans]
        match = self.pattern.match
        out = []
        for s, e in spans:
            i = bisect.bisect_left(starts, s)
            hit = False
            if i < len(starts) and starts[i] < e:
                piece = text[s:e]
                while i < len(starts) and starts[i] < e:
                    if match(piece, starts[i] - s) is not None:
                        hit = True
                        break
                    i += 1
            out.append(hit)
        return out

    def search(self, text: str) -> re.Match[str] | None:
        starts = self.starts(text)
        if starts is None:
            return self.pattern.search(text)
        match = self.pattern.match
        for s in starts:
            m = match(text, s)
            if m is not None:
                return m
        return None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return _anchored_finditer(self.pattern, text, self.starts(text))


class MultiGate:
    """One Aho-Corasick pass that gives candidate start positions for several patterns.

    `starts = gate.scan(text)` returns, per pattern, the sorted positions where a match may
    start (a list, or () when there are none; None for a pattern without literal prefixes:
    scan it in full), or None for the whole text when it holds one of the exotic characters
    (see the module doc).
    `finditer(i, text, starts)` then yields exactly what `patterns[i].finditer(text)` yields.
    With `fold`, case-sensitive patterns are gated by their literals lower-cased (see
    `literal_prefixes`); without it they are scanned in full.
    """

    __slots__ = ("_ascii_only", "_auto", "_blank", "_gated", "patterns")

    def __init__(self, patterns: list[re.Pattern[str]], *, fold: bool = False) -> None:
        import ahocorasick

        self.patterns = list(patterns)
        words: dict[str, set[int]] = {}
        self._gated = []
        self._ascii_only = []
        for i, p in enumerate(self.patterns):
            lits = literal_prefixes(p, fold=fold) if not _may_match_empty(p) else None
            self._ascii_only.append(False)
            if lits is None and not _may_match_empty(p):
                lits = literal_prefixes(p, ascii_text=True, fold=fold)
                self._ascii_only[i] = lits is not None
            self._gated.append(lits is not None)
            for lit in lits or ():
                words.setdefault(lit, set()).add(i)
        auto = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for lit, owners in words.items():
            auto.add_word(lit, (len(lit), tuple(sorted(owners))))
        if words:
            auto.make_automaton()
        self._auto = auto if words else None
        # What `scan` starts from, on ASCII text and on other text: () for a gated pattern
        # (no candidate yet; most patterns get none in a sentence, and one shared empty tuple
        # costs nothing to make), None for a pattern to scan in full.
        self._blank = (
            tuple(() if g else None for g in self._gated),
            tuple(
                () if g and not a else None
                for g, a in zip(self._gated, self._ascii_only, strict=True)
            ),
        )

    def scan(self, text: str) -> list[Sequence[int] | None] | None:
        ascii_text = text.isascii()
        if not ascii_text and _EXOTIC_RE.search(text):
            return None
        out: list[Sequence[int] | None] = list(self._blank[0 if ascii_text else 1])
        if self._auto is not None:
            unsorted = []
            for end, (n, owners) in self._auto.iter(text.lower()):
                s = end - n + 1
                for i in owners:
                    lst = out[i]
                    if lst:  # a list with a start already
                        if lst[-1] >= s:  # hits come by end: a longer literal starts earlier
                            unsorted.append(lst)
                        lst.append(s)  # type: ignore[union-attr]
                    elif lst is not None:
                        out[i] = [s]
            for lst in unsorted:
                lst[:] = sorted(set(lst))
        return out

    def finditer(
        self, i: int, text: str, starts: list[Sequence[int] | None] | None
    ) -> Iterator[re.Match[str]]:
        return _anchored_finditer(self.patterns[i], text, None if starts is None else starts[i])


class GateSet:
    """Patterns asked about a sentence and about pieces of it, each in its cheapest way.

    `scanned` patterns are searched for in whole clauses: `gates.scan(sentence)` finds where
    any of them may match with one Aho-Corasick pass, and `scan.test(pattern, piece, base)` is
    then `pattern.search(piece) is not None` for the piece `sentence[base : base + len(piece)]`
    (a literal inside the piece is found there whether the piece is scanned alone or as part
    of the sentence; a candidate that runs past the piece only costs a failed match).
    A case-sensitive pattern is scanned with its literals lower-cased ("russia" for "Russia":
    a few more candidates, the same answers).
    `alone` patterns are asked about a few words at a time (the words before a number): each
    has its own `LiteralGate` (which is the plain pattern when it has no literal start).
    """

    __slots__ = ("_alone", "_gate", "_index")

    def __init__(
        self, *, scanned: Sequence[re.Pattern[str]], alone: Sequence[re.Pattern[str]] = ()
    ) -> None:
        self._gate = MultiGate(list(scanned), fold=True)
        # Keyed by identity: hashing a compiled pattern hashes all its code, on every lookup.
        self._index = {id(p): i for i, p in enumerate(self._gate.patterns)}
        self._alone = {id(p): LiteralGate(p) for p in alone}

    @property
    def patterns(self) -> list[re.Pattern[str]]:
        return [*self._gate.patterns, *(g.pattern for g in self._alone.values())]

    def gated(self, pattern: re.Pattern[str]) -> bool:
        i = self._index.get(id(pattern))
        return self._alone[id(pattern)].gated if i is None else self._gate._gated[i]

    def scan(self, text: str) -> TextScan:
        return TextScan(self, self._gate.scan(text), text)


class TextScan:
    """One text's candidate starts per scanned pattern (see `GateSet`).  A piece that is not
    where the caller says it is gets the plain pattern (and is counted in `TextScan.misplaced`,
    which the tests keep at zero): a wrong offset costs speed, never the answer."""

    __slots__ = ("_alone", "_index", "_starts", "text")
    misplaced = 0

    def __init__(
        self, gates: GateSet, starts: list[Sequence[int] | None] | None, text: str
    ) -> None:
        self._index = gates._index
        self._alone = gates._alone
        self._starts = starts
        self.text = text

    def _candidates(self, i: int, piece: str, base: int) -> Sequence[int] | None:
        """Sorted text offsets where pattern i may match inside the piece; None: scan it."""
        starts = self._starts
        if starts is None:
            return None
        found = starts[i]
        if found is None:
            return None
        if not self.text.startswith(piece, base):
            TextScan.misplaced += 1
            return None
        if not found:
            return found
        return found[bisect.bisect_left(found, base) : bisect.bisect_left(found, base + len(piece))]

    def test(self, pattern: re.Pattern[str], piece: str, base: int = 0) -> bool:
        """`search(...) is not None`, without the call (the rules ask this most).

        `_candidates` written out, walking the starts in place: no slice and no generator
        for the most frequent question (most answers come from an empty list)."""
        i = self._index.get(id(pattern))
        if i is None:
            return self._alone[id(pattern)].test(piece)
        starts = self._starts
        found = None if starts is None else starts[i]
        if found is None:
            return pattern.search(piece) is not None
        if not self.text.startswith(piece, base):
            TextScan.misplaced += 1
            return pattern.search(piece) is not None
        if not found:
            return False
        end = base + len(piece)
        match = pattern.match
        for k in range(bisect.bisect_left(found, base), len(found)):
            s = found[k]
            if s >= end:
                return False
            if match(piece, s - base) is not None:
                return True
        return False

    def search(self, pattern: re.Pattern[str], piece: str, base: int = 0) -> re.Match[str] | None:
        i = self._index.get(id(pattern))
        if i is None:
            return self._alone[id(pattern)].search(piece)
        found = self._candidates(i, piece, base)
        if found is None:
            return pattern.search(piece)
        match = pattern.match
        for s in found:
            m = match(piece, s - base)
            if m is not None:
                return m
        return None

    def finditer(
        self, pattern: re.Pattern[str], piece: str, base: int = 0
    ) -> Iterator[re.Match[str]]:
        i = self._index.get(id(pattern))
        if i is None:
            return self._alone[id(pattern)].finditer(piece)
        found = self._candidates(i, piece, base)
        if found is None:
            return pattern.finditer(piece)
        if not found:
            return iter(())
        return _anchored_finditer(pattern, piece, [s - base for s in found])

    def starts(self, pattern: re.Pattern[str], piece: str, base: int = 0) -> list[int] | None:
        """Positions in `piece` where a match may start; None: no gate."""
        i = self._index.get(id(pattern))
        if i is None:
            return self._alone[id(pattern)].starts(piece)
        found = self._candidates(i, piece, base)
        return None if found is None else [s - base for s in found]


def _anchored_finditer(
    pattern: re.Pattern[str], text: str, starts: Sequence[int] | None
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, trying only the sorted candidate `starts` (None: all)."""
    if starts is None:
        return pattern.finditer(text)  # re's own iterator: no generator around it
    return _anchored(pattern, text, starts)


def _anchored(
    pattern: re.Pattern[str], text: str, starts: Sequence[int]
) -> Iterator[re.Match[str]]:
    pos = 0
    match = pattern.match
    for s in starts:
        if s < pos:
            continue
        m = match(text, s)
        if m is not None:
            yield m
            pos = m.end()


def _may_match_empty(pattern: re.Pattern[str]) -> bool:
    return pattern.fullmatch("") is not None or pattern.search("") is not None


class WordStartGate:
    """Candidate match starts of several patterns on ASCII text, at word starts only.

    For patterns whose matches can only start at 0 or right after a character that is neither
    a word character nor one of `keep` (a leading `\\b` before a word character, or a
    look-behind such as `(?<![\\w.,-])`; the callers' tests check it).  The text is lower-cased
    with every other character turned into a space (one bytes.translate), and one Aho-Corasick
    pass finds " " + the opening of each pattern (`_openings`: its first word, with the
    separator after it when the pattern has one): hits come at word starts only, so "a" (of
    "a day earlier") fires neither inside "Ukraine" nor at "and".
    """

    __slots__ = ("_auto", "_table")

    def __init__(self, patterns: list[re.Pattern[str]], *, keep: bytes = b"") -> None:
        import ahocorasick

        stays = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_" + keep)
        self._table = bytes(
            c | 0x20 if 65 <= c <= 90 else c if c in stays else 0x20 for c in range(256)
        )
        owners: dict[str, set[int]] = {}
        for i, p in enumerate(patterns):
            found = _openings(C.parse(p), self._table)
            if not found or any(not s for s, _open in found):
                raise ValueError(f"pattern without a literal opening: {p.pattern}")
            keys = {" " + s for s, _open in found}
            for key in keys:
                # a key extending another of the same pattern would report a start twice
                if not any(k != key and key.startswith(k) for k in keys):
                    owners.setdefault(key, set()).add(i)
        auto = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, who in owners.items():
            auto.add_word(key, (len(key) - 1, tuple(sorted(who))))  # (opening length, owners)
        auto.make_automaton()
        self._auto = auto

    def _fold(self, text: str) -> str:
        return text.encode("ascii").translate(self._table).decode("ascii")

    def candidates(self, text: str) -> list[tuple[int, int]]:
        """Sorted (pattern index, start) pairs where a match may start; `text` is ASCII."""
        # The leading space stands for the start of the text; a key's space is the character
        # before its opening, so the opening starts at `end - n` in `text`.
        found = [
            (i, end - n) for end, (n, who) in self._auto.iter(self._fold(" " + text)) for i in who
        ]
        found.sort()
        return found


_MAX_OPENINGS = 4000
_FOLDED_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _openings(seq: list, table: bytes) -> set[tuple[str, bool]]:
    """Strings, in the folded alphabet of `table` (ASCII text), one of which the folded text
    of every match of the parsed sequence `seq` starts with.

    Each string is paired with True when it spells out the whole sequence (what follows the
    sequence may extend it); a string stops at the first separator (any character but a
    letter, a digit or "_": the word is complete), or before anything that is not
    a fixed character or a small class: a variable repeat, \\w, a negated class.  \\s folds
    to the space and \\d to the digits (ASCII text).  Zero-width items consume nothing.  An
    empty string means "no opening" (the caller does not gate such a pattern).
    """
    cur = {""}  # open strings: the sequence so far, spelt in full
    done: set[str] = set()
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        opts = _item_openings(op, av, table)
        if opts is None:
            done |= cur
            return {(s, False) for s in done}
        nxt: set[str] = set()
        for p in cur:
            for s, open_ in opts:
                t = p + s
                if open_ and not (t and t[-1] not in _FOLDED_WORD_CHARS):
                    nxt.add(t)
                else:
                    done.add(t)
        cur = nxt
        if len(cur) + len(done) > _MAX_OPENINGS:  # pragma: no cover - no such pattern here
            done |= cur
            return {(s, False) for s in done}
        if not cur:
            break
    return {(s, False) for s in done} | {(s, True) for s in cur}


def _item_openings(op: object, av: object, table: bytes) -> set[tuple[str, bool]] | None:
    if op is C.LITERAL:
        chars: set[str] | None = {chr(av)}  # type: ignore[arg-type]
    elif op is C.IN:
        chars = _ascii_class_chars(av)
    elif op is C.SUBPATTERN:
        return _openings(list(av[-1]), table)  # type: ignore[index]
    elif op is C.BRANCH:
        out: set[tuple[str, bool]] = set()
        for branch in av[1]:  # type: ignore[index]
            out |= _openings(list(branch), table)
        return out
    elif op in _REPEATS:
        lo, hi, item = av  # type: ignore[misc]
        once = _openings(list(item), table)
        if (lo, hi) != (1, 1):  # after one of several repeats, what comes next is unknown
            once = {(s, False) for s, _open in once}
        return once | {("", True)} if lo == 0 else once
    else:
        return None
    if chars is None or not all(c.isascii() for c in chars):
        return None
    # A fixed ASCII character: its folded form (case-insensitive patterns match either case,
    # and the fold lower-cases both).
    return {(chr(table[ord(c)]), True) for c in chars}


def _ascii_class_chars(items: list) -> set[str] | None:
    """The characters of a small class on ASCII text ([ab], [0-9], \\d, \\s), or None."""
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < 64:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            chars.update("0123456789")
        elif op is C.CATEGORY and av is C.CATEGORY_SPACE:
            chars.update(" \t\n\r\f\v\x1c\x1d\x1e\x1f")  # every ASCII char \s matches
        else:
            return None
    return chars
