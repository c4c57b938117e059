"""The speed devices' contracts with their dependencies (strikes/speed/)."""

from __future__ import annotations

import re
import sys

import pytest

from strikes.speed import re_parse


def test_the_regex_parser_still_has_the_shape_fastmatch_reads():
    # re._parser is private to CPython: a new Python version must pass this before it is
    # added to TESTED_VERSIONS (a failure here means fastmatch needs a look, not a skip).
    assert re_parse.version_tested(), f"Python {sys.version_info[:2]} is not in TESTED_VERSIONS"
    tree = re_parse.parse(re.compile(r"ab|c\d+"))
    assert tree[0][0] is re_parse.BRANCH
    branches = tree[0][1][1]
    assert [op for op, _ in branches[0]] == [re_parse.LITERAL, re_parse.LITERAL]
    assert [av for _, av in branches[0]] == [ord("a"), ord("b")]
    op, (lo, hi, sub) = branches[1][1]
    assert op is re_parse.MAX_REPEAT and (lo, hi) == (1, re_parse._c.MAXREPEAT)
    assert sub[0] == (re_parse.IN, [(re_parse.CATEGORY, re_parse.CATEGORY_DIGIT)])


@pytest.mark.parametrize(
    ("pattern", "opcode"),
    [
        (r"\bx", "AT"),
        (r"(?=x)y", "ASSERT"),
        (r"(?!x)y", "ASSERT_NOT"),
        (r"(x)", "SUBPATTERN"),
        (r"[a-c]", "IN"),
        (r"x*?", "MIN_REPEAT"),
        (r"\s", "IN"),
    ],
)
def test_each_opcode_fastmatch_names_is_what_the_parser_gives(pattern, opcode):
    assert re_parse.parse(re.compile(pattern))[0][0] is getattr(re_parse, opcode)
