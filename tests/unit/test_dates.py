import json
from datetime import date
from pathlib import Path

import pytest

from strikes.dates import find_dates, parse_published, pick_event_date

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "dates.json").read_text())[
    "cases"
]


@pytest.mark.parametrize(("text", "published", "expected", "precision", "kind"), CASES)
def test_resolves(text, published, expected, precision, kind):
    sentence = f"Drones struck the city {text}, officials said."
    found = find_dates(sentence, published=parse_published(published))
    assert len(found) == 1, found
    d = found[0]
    assert (d.date, d.precision, d.kind) == (expected, precision, kind)
    assert sentence[d.start : d.end] == d.text


def test_event_date_beats_statement_date():
    s = "Early on Sunday, drones injured two civilians, the governor said Monday."
    found = find_dates(s, published=parse_published("2025-07-07"))
    assert pick_event_date(found).date == "2025-07-06"


def test_anaphoric_is_left_to_the_caller():
    found = find_dates(
        "Hours later, Russia launched a glide bomb.", published=parse_published("2025-07-06")
    )
    assert found[0].anaphoric and found[0].date is None


def test_may_as_a_verb_is_not_a_month():
    assert (
        find_dates(
            "Officials said more drones may 5 times", published=parse_published("2025-07-06")
        )
        == []
    )


def test_impossible_dates_are_ignored():
    assert find_dates("on 2099-13-45", published=parse_published("2025-07-06")) == []


# Python's re.I matches these non-ASCII letters as the ASCII ones: a date spelt with them is
# found by the patterns and must resolve as the ASCII spelling does (it once raised instead).
RE_I_LOOKALIKES = {"s": "ſ", "S": "ſ", "k": "\u212a", "K": "\u212a", "i": "ı", "I": "İ"}


LOOKALIKE_CASES = [
    (text.replace(letter, other), *rest)
    for text, *rest in CASES
    for letter, other in RE_I_LOOKALIKES.items()
    if letter in text
]


@pytest.mark.parametrize(("text", "published", "expected", "precision", "kind"), LOOKALIKE_CASES)
def test_re_i_lookalike_letters_resolve_like_ascii(text, published, expected, precision, kind):
    found = find_dates(f"Drones struck the city {text}.", published=parse_published(published))
    assert [(d.date, d.precision, d.kind) for d in found] == [(expected, precision, kind)]


@pytest.mark.parametrize("published", [date.min, date(1, 6, 15), date(9999, 6, 15), date.max])
def test_publication_dates_at_the_calendar_edge_resolve_nothing_relative(published):
    # A year back or a week ahead would leave Python's calendar (it once raised OverflowError).
    for text, *_ in CASES:
        sentence = f"Drones struck the city {text}."
        assert find_dates(sentence, published=published) == find_dates(sentence, published=None)


@pytest.mark.parametrize("published", [date(2, 1, 1), date(9998, 12, 1)])
def test_publication_dates_near_the_edge_still_resolve(published):
    for text, *_ in CASES:
        found = find_dates(f"Drones struck the city {text}.", published=published)
        assert all(d.date is not None or d.kind in {"week", "anaphoric"} for d in found), found


SCOPES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "dates.json").read_text())[
    "scopes"
]["cases"]
EVENT_DATES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "dates.json").read_text()
)["event_dates"]["cases"]


@pytest.mark.parametrize(("text", "published"), SCOPES)
def test_scope_phrases_are_not_dates(text, published):
    assert find_dates(text, published=parse_published(published)) == []


@pytest.mark.parametrize(("text", "published", "expected", "kind"), EVENT_DATES)
def test_the_event_date_is_not_the_report_date(text, published, expected, kind):
    picked = pick_event_date(find_dates(text, published=parse_published(published)))
    assert (picked.date, picked.kind) == (expected, kind)


def test_a_day_after_dates_only_what_came_a_day_after():
    came = find_dates("The attack came a day after Russia fired 300 drones.", published=None)
    assert [(d.kind, d.anaphoric) for d in came] == [("day-before", True)]
    assert find_dates("Russia hit Kyiv a day after Ukraine struck Moscow.", published=None) == []
