import json
from pathlib import Path

import pytest

from strikes.numbers import find_amounts

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "numbers.json").read_text())


@pytest.mark.parametrize(("text", "value", "low", "qualifier"), CASES["cases"])
def test_amount(text, value, low, qualifier):
    found = find_amounts(f"Officials said {text} drones were seen.")
    assert len(found) == 1, found
    a = found[0]
    assert (a.value, a.low, a.qualifier) == (value, low, qualifier)
    assert a.vague == (value is None)
    assert f"Officials said {text} drones were seen."[a.start : a.end] == a.text


@pytest.mark.parametrize("text", CASES["not_amounts"])
def test_not_an_amount(text):
    assert find_amounts(text) == []


def test_offsets_left_to_right():
    text = "Russia fired more than 500 drones and two dozen missiles"
    found = find_amounts(text)
    assert [text[a.start : a.end] for a in found] == ["more than 500", "two dozen"]
    assert [a.value for a in found] == [500, 24]
