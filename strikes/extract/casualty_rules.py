"""Casualty phrasings that the verb-and-number rules of strikes.claims do not read.

Adding a phrasing is one row here and one case in tests/cases/extract_casualty_phrases.json.
``binds``: ``field`` (killed | injured; "noun" takes it from the matched noun), ``value``
(a fixed figure where the phrase has no number: "the body of a man" is one), ``revision``
(the figure replaces an earlier one for the same attack: "raising the toll to 9").
"""

from __future__ import annotations

from strikes.extract.rules import Rule, RuleTable

_KILLED_NOUN = r"(?P<killed_noun>deaths|fatalities|dead)"
_INJURED_NOUN = r"(?P<injured_noun>injuries|injured|wounded)"
_PERSON = r"(?:people|persons|civilians|residents|others|men|women|children)"

CASUALTY_PHRASES = RuleTable(
    "casualty-phrases",
    [
        Rule(
            id="casualty:reported-noun",
            pattern=rf"\b(?:reported|confirmed|recorded|registered)\s+(?P<n>{{NUM}})\s+(?:{_KILLED_NOUN}|{_INJURED_NOUN})\b",
            example="Regional officials reported 11 injuries after the overnight strike.",
            binds={"field": "noun"},
        ),
        Rule(
            id="casualty:noun-were-reported",
            pattern=rf"\b(?P<n>{{NUM}})\s+(?:{_KILLED_NOUN}|{_INJURED_NOUN})\s+(?:were|have\s+been|had\s+been)\s+(?:reported|confirmed|recorded|registered)\b",
            example="Four deaths were reported in the city, the governor said.",
            binds={"field": "noun"},
        ),
        Rule(
            id="casualty:lost-their-lives",
            pattern=rf"\b(?P<n>{{NUM}})\s+(?:{_PERSON}\s+)?(?:who\s+)?(?:have\s+|had\s+)?lost\s+their\s+lives\b",
            example="Nine people lost their lives when the building collapsed.",
            binds={"field": "killed"},
        ),
        Rule(
            id="casualty:sustained-injuries",
            pattern=rf"\b(?P<n>{{NUM}})\s+(?:{_PERSON}\s+)?(?:who\s+)?(?:have\s+|had\s+)?(?:sustained|suffered|received)\s+(?:\w+\s+)?injuries\b",
            example="Thirty others sustained injuries of varying severity.",
            binds={"field": "injured"},
        ),
        Rule(
            id="casualty:body-recovered",
            pattern=r"\bthe\s+bod(?:y|ies)\s+of\s+(?:(?P<one>an?|one|another)|(?P<n>{NUM}))\s+(?:[\w-]+\s+)?(?:man|woman|person|people|child|children|civilians?|residents?|boy|girl)\s+(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:recovered|found|pulled)",
            example="The body of a woman was recovered from the rubble on Tuesday.",
            binds={"field": "killed", "value": 1},
        ),
        Rule(
            id="casualty:toll-raised",
            pattern=r"\b(?:raising|bringing|taking|pushing|lifting)\s+the\s+(?:death\s+)?toll\s+to\s+(?P<n>{NUM})",
            example="Rescuers found two more bodies, raising the toll to 9.",
            binds={"field": "killed", "revision": True},
        ),
        Rule(
            id="casualty:toll-rose",
            pattern=r"\b(?:death\s+)?toll\s+(?:[\w-]+\s+){0,8}?(?:rose|has\s+risen|had\s+risen|climbed|increased|jumped)\s+to\s+(?P<n>{NUM})",
            example="The death toll from the strike on the city rose to 14 on Friday.",
            binds={"field": "killed", "revision": True},
        ),
        Rule(
            id="casualty:wounded-rose",
            pattern=r"\bnumber\s+of\s+(?:the\s+)?(?:wounded|injured)\s+(?:\w+\s+){0,3}?(?:rose|has\s+risen|had\s+risen|climbed|increased|jumped)\s+to\s+(?P<n>{NUM})",
            example="The number of wounded has risen to 40, the mayor said.",
            binds={"field": "injured", "revision": True},
        ),
        Rule(
            id="casualty:and-another-injured",
            pattern=r"\b(?:one|a|an)\s+(?:person|man|woman|civilian)\s+(?:was\s+)?killed\s+and\s+(?P<one>another)\s+(?:was\s+|were\s+)?(?:injured|wounded|hurt)\b",
            example="One person was killed and another injured in the attack.",
            binds={"field": "injured", "value": 1},
        ),
    ],
)
