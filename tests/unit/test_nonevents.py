"""The non-event tables (strikes/nonevents.py): every row's example is set aside by that row,
and what spares a clause from a rule does spare it."""

import re

import pytest

from strikes import nonevents as ne


@pytest.mark.parametrize("rule", ne.CLAUSE_RULES, ids=lambda r: r.id)
def test_clause_rule_example_fires_its_own_rule(rule):
    assert rule.meaning and rule.unless in {ne.NEVER, ne.CASUALTIES, ne.FIGURES, ne.AIR}
    assert ne.clause_rule(rule.example, casualties=False, figures=False, air=False) == rule.id


@pytest.mark.parametrize("rule", ne.PLACE_RULES, ids=lambda r: r.id)
def test_place_rule_example_sets_its_place_aside(rule):
    i = rule.example.index(rule.place)
    before, after = rule.example[:i], rule.example[i + len(rule.place) :]
    assert ne.place_rule(before, after, rule.place) == rule.id


def test_rule_ids_are_unique():
    ids = [r.id for r in ne.CLAUSE_RULES] + [r.id for r in ne.PLACE_RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("clause", "casualties", "figures", "air", "expected"),
    [
        # Ground fighting with casualties of its own is a strike report (shelling that killed).
        (
            "Russian forces continued assaults on Vuhledar, killing two civilians",
            True,
            True,
            False,
            None,
        ),
        # An air weapon named: not ground combat.
        ("Russian drones continued attacks on Kharkiv overnight", False, False, True, None),
        (
            "Russian forces continued attacks on Kharkiv overnight",
            False,
            False,
            False,
            "ground:assaults",
        ),
        # A crash is never a strike, whatever its figures.
        ("A passenger jet crashed near Aktobe, killing 12", True, True, False, "crash"),
        # An alert with figures of its own ("... as 40 drones were downed") is not set aside.
        ("An air raid alert was declared as 40 drones were downed", False, True, True, None),
        # An attack reported before the alert.
        ("Drones attacked Sumy as the air force issued an alert", False, False, True, None),
        ("The biggest attack on Lviv since the war began", False, False, False, None),
        # Scope phrases are not long periods.
        ("It was the largest attack on Kyiv since July 2024", False, False, False, None),
        ("The deadliest strike on Kyiv during the war hit a clinic", False, False, False, None),
        (
            "Operators had struck civilians since July last year",
            False,
            False,
            False,
            "generic:campaign",
        ),
        # "May" the month is not "may" the modal.
        ("In May Russian forces launched 300 drones at Kyiv", False, False, False, None),
        ("Russia may launch another attack", False, False, False, "hypothetical"),
        # "continued attacks" is ground fighting only with troops as the subject.
        ("Russia continued attacks on Kharkiv overnight", False, False, False, None),
        ("Russian troops continued attacks on Vuhledar", False, False, False, "ground:assaults"),
    ],
)
def test_what_spares_a_clause(clause, casualties, figures, air, expected):
    assert ne.clause_rule(clause, casualties=casualties, figures=figures, air=air) == expected


@pytest.mark.parametrize(
    ("sentence", "place", "expected"),
    [
        ("Moscow was hit by 30 drones overnight", "Moscow", None),
        ("Moscow said 30 drones were downed", "Moscow", "metonym:government"),
        ("Drones attacked Moscow's Vnukovo airport", "Moscow", None),
        # Kyiv is a city hit far more often than a government's name: never set aside.
        ("Kyiv said it struck a refinery", "Kyiv", None),
        ("A drone hit a village near Kharkiv", "Kharkiv", None),
        ("Drones hit the Novokuibyshevsk refinery near Samara", "Samara", "reference:near"),
        ("Missiles struck a plant 60km (37 miles) from Belgorod", "Belgorod", "reference:distance"),
    ],
)
def test_place_roles(sentence, place, expected):
    i = sentence.index(place)
    assert ne.place_rule(sentence[:i], sentence[i + len(place) :], place) == expected


@pytest.mark.parametrize(
    ("clause", "places", "expected"),
    [
        (
            "52 drones were downed over the Bryansk, Kursk and Belgorod regions",
            ["Bryansk", "Kursk", "Belgorod"],
            [True, True, True],
        ),
        (
            "60 drones were shot down, including 20 over Crimea and 10 over Kursk",
            ["Crimea", "Kursk"],
            [False, False],
        ),
        ("downed 100 drones, including about 20 heading for Moscow", ["Moscow"], [False]),
        ("drones hit Sumy and were downed over Poltava", ["Sumy", "Poltava"], [False, True]),
    ],
)
def test_transit_places(clause, places, expected):
    spans = [(m.start(), m.end()) for p in places for m in [re.search(re.escape(p), clause)]]
    assert ne.transit_places(clause, spans) == expected
