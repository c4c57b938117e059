"""Unit tests of the extraction building blocks (weapons, claimants, counts, casualties)."""

import pytest

from strikes.claims import _bind_casualties, _bind_counts, find_claimants, find_weapons
from strikes.numbers import find_amounts


@pytest.mark.parametrize(
    ("text", "classes", "models", "actor"),
    [
        ("four Russian Shahed drones struck", ("drone",), ("Shahed",), "Russia"),
        ("52 Shahed and decoy drones", ("drone",), ("Shahed", "decoy"), None),
        ("waves of drones and missiles", ("drone", "missile"), (), None),
        ("a glide bomb and a drone", ("glide_bomb",), (), None),
        ("two Iskander-M ballistic missiles", ("missile",), ("Iskander", "ballistic"), None),
        ("Kh-101 cruise missiles", ("missile",), ("Kh-101", "cruise"), None),
        ("60 Ukrainian drones were downed", ("drone",), (), "Ukraine"),
    ],
)
def test_weapon_phrases(text, classes, models, actor):
    w = find_weapons(text)[0]
    assert w.classes == classes
    assert w.models == models
    assert w.actor == actor
    assert text[w.start : w.end] == w.text


def test_air_defence_missiles_are_not_weapons_fired():
    assert find_weapons("crucial air defense missiles") == []


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Drones hit the port, according to local Gov. Vitaliy Kim.", "Gov. Vitaliy Kim"),
        ("Russia's Defense Ministry said that 60 drones were downed.", "Russia's Defense Ministry"),
        (
            "A drone hit a plant, injuring several people, Alexander Brechalov, head of the Udmurtia region, said.",
            "Alexander Brechalov",
        ),
        ("Drones hit the port, damaging silos, Governor Oleh Kiper said.", "Governor Oleh Kiper"),
        (
            "Russia launched 5,438 drones, according to official data collated by The Associated Press.",
            "Associated Press",
        ),
        ("Three were hurt, said Oleh Syniehubov, the regional governor.", "Oleh Syniehubov"),
    ],
)
def test_claimants(sentence, name):
    assert name in [c.name for c in find_claimants(sentence)]


def _counts(clause):
    return [
        (c.amount.value, c.role, c.subset)
        for c in _bind_counts(clause, find_amounts(clause), find_weapons(clause), [])
    ]


def test_counts_and_roles():
    assert _counts("Russia fired more than 500 drones and two dozen missiles at Ukraine") == [
        (500, "launched", False),
        (24, "launched", False),
    ]
    assert _counts(
        "air defenses shot down 120 Ukrainian drones overnight, and 39 more on Sunday"
    ) == [
        (120, "intercepted", False),
        (39, "intercepted", False),
    ]
    assert _counts("launched 810 drones, of which 747 drones were shot down") == [
        (810, "launched", False),
        (747, "intercepted", False),
    ]


def test_units_are_not_counts():
    assert _counts("a plant some 1,300 kilometers (800 miles) from Ukraine was hit by drones") == []
    assert _counts("leaving more than 1,600 households without power after drones struck") == []


def _casualties(clause):
    return [(c.field, c.value, c.vague) for c in _bind_casualties(clause, find_amounts(clause), [])]


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (
            "killing four civilians and injuring a fifth",
            [("killed", 4, None), ("injured", 1, None)],
        ),
        (
            "killed at least two civilians, wounded dozens more",
            [("killed", 2, None), ("injured", None, "dozens")],
        ),
        ("there were no casualties", [("killed", 0, None), ("injured", 0, None)]),
        ("No one was hurt", [("injured", 0, None)]),
        ("Two people were killed and nine injured", [("killed", 2, None), ("injured", 9, None)]),
        pytest.param(
            "killing the 39-year-old woman and 40-year-old man",
            [("killed", 2, None)],
            marks=pytest.mark.xfail(
                strict=True, reason="coordinated singular victims count as one"
            ),
        ),
        ("the death toll rose to 12", [("killed", 12, None)]),
    ],
)
def test_casualties(clause, expected):
    assert sorted(_casualties(clause), key=str) == sorted(expected, key=str)
