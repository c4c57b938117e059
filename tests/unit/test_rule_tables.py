"""The phrase tables of strikes.extract: every row's example matches its own rule, ids are
unique, and a figure read by a row carries the row's id."""

import pytest

from strikes.extract.casualty_rules import CASUALTY_PHRASES
from strikes.extract.rules import Rule, RuleTable

TABLES = [CASUALTY_PHRASES]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for t in TABLES for r in t], ids=None)
def test_every_example_matches_its_own_rule(rule):
    table = next(t for t in TABLES if rule in t.rules)
    hits = [m for m in table.finditer(rule.example) if m.rule.id == rule.id]
    assert hits, f"{rule.id}: its example does not match: {rule.example!r}"
    if "{NUM}" in rule.pattern and "value" not in rule.binds:
        assert hits[0].span("n") is not None


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError):
        RuleTable("t", [Rule("a", "x", "x"), Rule("a", "y", "y")])


def test_matches_report_their_span_and_groups():
    text = "Later, officials reported 11 injuries in the city."
    (m,) = CASUALTY_PHRASES.finditer(text)
    assert m.rule.id == "casualty:reported-noun"
    assert text[m.start : m.end] == "reported 11 injuries"
    assert m.span("n")[2] == "11" and m.span("injured_noun") is not None
    assert list(CASUALTY_PHRASES.finditer("Nothing of the kind here.")) == []
