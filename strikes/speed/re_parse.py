"""The one door to CPython's regular-expression parser (`re._parser`, `re._constants`).

`strikes.speed.fastmatch` reads a compiled pattern's parse tree to find the literals every
match starts with.  The parser is private to `re`: it moved from `sre_parse` to `re._parser` in
Python 3.11 and may change again, so it is imported here only, for the versions we test on;
`tests/unit/test_speed.py` fails loudly when the parse tree of a known pattern changes shape.
"""

from __future__ import annotations

import re
import sys
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# Tested on these (major, minor) versions; another one must pass the shape test first.
TESTED_VERSIONS = ((3, 11), (3, 12), (3, 13))

# The opcodes fastmatch reads.
ASSERT, ASSERT_NOT, AT = _c.ASSERT, _c.ASSERT_NOT, _c.AT
BRANCH, CATEGORY, IN, LITERAL = _c.BRANCH, _c.CATEGORY, _c.IN, _c.LITERAL
MAX_REPEAT, MIN_REPEAT, RANGE, SUBPATTERN = _c.MAX_REPEAT, _c.MIN_REPEAT, _c.RANGE, _c.SUBPATTERN
CATEGORY_DIGIT, CATEGORY_SPACE = _c.CATEGORY_DIGIT, _c.CATEGORY_SPACE


def parse(pattern: re.Pattern[str]) -> list:
    """The parse tree of a compiled pattern: a list of (opcode, argument) pairs."""
    return list(_parser.parse(pattern.pattern, pattern.flags))


def version_tested() -> bool:
    return sys.version_info[:2] in TESTED_VERSIONS
