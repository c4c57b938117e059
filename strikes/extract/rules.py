"""One matcher behind every phrase table.

A rule is a row: an id, a regular-expression pattern written over words (``{NUM}`` stands for
an amount as `strikes.numbers` reads it), one example sentence it must match, and what it binds
(for casualties: the field, and whether the figure revises an earlier one).  `RuleTable`
compiles the rows once and reports matches with the rule and the character span that produced
them, so every figure can name its rule.  The tables are tested row by row: each example must
match its own rule (tests/unit/test_rule_tables.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

# An amount: digits ("1,200"), number words ("twenty-one"), "a dozen", with an optional
# qualifier ("at least", "more than").  The value itself is read by strikes.numbers.
NUM = (
    r"(?:(?:at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to)\s+)?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|a\s+dozen|dozens|several|hundreds))"
)


_NAMED = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: str  # may use {NUM}; group "n" is the figure where there is one
    example: str  # a sentence of our own that the rule must match
    binds: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    start: int
    end: int
    groups: Mapping[str, tuple[int, int, str]]  # group name -> (start, end, text)

    def span(self, name: str) -> tuple[int, int, str] | None:
        return self.groups.get(name)


class RuleTable:
    """A named table of rules compiled into one alternation, scanned once per text."""

    def __init__(self, name: str, rules: Sequence[Rule], *, flags: int = re.I) -> None:
        self.name = name
        self.rules = tuple(rules)
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: duplicate rule ids")
        self._compiled = tuple(
            re.compile(r.pattern.replace("{NUM}", NUM), flags) for r in self.rules
        )
        # A cheap first test: most sentences hold none of the table's anchor words.
        self._any = re.compile(
            "|".join(f"(?:{_NAMED.sub('(?:', p.pattern)})" for p in self._compiled), flags
        )

    def any(self, text: str) -> bool:
        """Whether any rule of the table matches somewhere in `text`."""
        return self._any.search(text) is not None

    def finditer(self, text: str) -> Iterator[RuleMatch]:
        """Every rule's matches, in text order; overlapping matches of different rules are
        all reported (the caller decides which figure wins)."""
        if not self._any.search(text):
            return
        found = []
        for rule, rx in zip(self.rules, self._compiled, strict=True):
            for m in rx.finditer(text):
                groups = {
                    k: (m.start(k), m.end(k), v) for k, v in m.groupdict().items() if v is not None
                }
                found.append(RuleMatch(rule, m.start(), m.end(), MappingProxyType(groups)))
        found.sort(key=lambda r: (r.start, r.end))
        yield from found

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)
