"""Sentences -> claims: who struck where, when, with what, how many, and who said so.

One claim per (sentence, attacker, place, date).  The rules are deliberately small and named:
every claim records which fired (`rule`), the sentence it came from and the character spans of
the numbers, places, weapons, actors and dates it used, so each figure on screen can be traced.

The approach is clause-level pattern matching over mentions found by dedicated finders
(amounts: numbers.py, dates: dates.py, places: geocode.py, weapons/actors: lexicon.py).
A statistical parser would be the alternative, but no model can be downloaded at run time and
the 1,000 articles/s budget rules out heavyweight NLP; the vocabulary of strike reports is
narrow enough for rules that are fast, inspectable and tested case by case
(tests/cases/extract_*.json).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from geopy.distance import great_circle

from strikes import lexicon as lx
from strikes import nonevents, zones
from strikes.dates import DateMention, find_dates, parse_published, pick_event_date
from strikes.extract.casualty_rules import CASUALTY_PHRASES
from strikes.extract.rules import RuleMatch
from strikes.numbers import Amount, find_amounts, find_implausible
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.speed.fastmatch import GateSet, LiteralGate, TextScan, ascii_lookalikes
from strikes.speed.frozen import fast_init

# --------------------------------------------------------------------------------------------
# Compiled vocabulary (once, at import).  Every pattern is a plain alternation or a bounded
# repetition, so matching stays linear in the sentence length even on adversarial text.


def _alt(terms: Sequence[str]) -> str:
    return "|".join(sorted(terms, key=len, reverse=True))


WEAPON_RE = re.compile(rf"(?<![\w-])(?:{_alt(list(lx.WEAPON_TERMS))})(?![\w-])", re.I)
_WEAPON_TERM_RES = [(re.compile(rf"(?:{t})\Z", re.I), v) for t, v in lx.WEAPON_TERMS.items()]
_MOD = _alt(lx.WEAPON_MODIFIERS)
_ACTOR_ADJ = r"Russian|Ukrainian|Israeli|Iranian|Belarusian"
# Between two weapon terms of one phrase: connectors and modifiers only ("Shahed and decoy").
WEAPON_GAP_RE = re.compile(rf"\A(?:\s*(?:,|and|or|/|&|-)?\s*(?:(?:{_MOD})\s+)*)\Z", re.I)
# Before a weapon phrase: modifiers and an actor adjective ("Russian Iranian-made attack").
WEAPON_PREFIX_RE = re.compile(
    rf"(?:(?P<actor>{_ACTOR_ADJ})\s+)?(?:(?:{_MOD}|{_ACTOR_ADJ})\s+){{0,3}}\Z", re.I
)
DEFENSIVE_RE = re.compile(r"(?:air[- ]defen[cs]e|interceptor|anti-aircraft|patriot)\s+\Z", re.I)
ATTACK_NOUN_RE = re.compile(rf"\b(?:{_alt(lx.ATTACK_NOUNS)})\b", re.I)
ACTOR_ADJ_ATTACK_RE = re.compile(
    rf"\b(?P<actor>{_ACTOR_ADJ})\s+(?:(?:drone|missile|air|aerial|artillery|massive|large-scale|"
    rf"combined|overnight|nighttime|night|new|latest|deadly|heavy|intense|cross-border|"
    rf"retaliatory|and|mass|massed)\s+){{0,3}}(?:{_alt(lx.ATTACK_NOUNS)})\b"
)
_ATTACK_V = _alt(lx.ATTACK_VERBS)
_INTERCEPT_V = _alt(lx.INTERCEPT_VERBS)
_LAUNCH_V = _alt(lx.LAUNCH_VERBS)
_HIT_V = _alt(lx.HIT_VERBS)
_SUBJECT = (
    r"(?P<actor>Russia|Moscow|Ukraine|Kyiv|Kiev|the Kremlin|Israel|Iran|"
    rf"(?:{_ACTOR_ADJ})\s+(?:forces|troops|army|military|aircraft|jets|warplanes|navy|"
    r"drones?|missiles?|units?|drone units|attack drones|armed forces|aviation|bombers))"
    r"(?:'s|’s)?"
)
SUBJECT_VERB_RE = re.compile(
    rf"\b{_SUBJECT}\s+(?:(?:also|again|then|later|reportedly|overnight|last\s+\w+|has|have|had|"
    rf"on\s+\w+|early\s+\w+|once\s+again|\w+ly|"
    # A claim of one's own strike: "Ukrainian forces claimed to strike ...".
    rf"(?P<own>(?:claim(?:ed|s)?|sa(?:id|y|ys)|report(?:ed|s)?)\s+"
    rf"(?:to|(?:that\s+)?(?:they|it)(?:\s+had)?)))"
    rf"\s+){{0,3}}(?P<verb>{_ATTACK_V})\b"
)
SAID_IT_RE = re.compile(
    rf"\b(?P<actor>Russia|Moscow|Ukraine|Kyiv|Kiev|Israel|Iran|Russian|Ukrainian)(?:'s|’s)?[\w\s'’]{{0,40}}?"
    rf"\s(?:said|says|claimed|reported|announced)\s+(?:on\s+\w+\s+|late\s+\w+\s+|early\s+\w+\s+)?"
    rf"(?:that\s+)?(?:it|its\s+forces|its\s+military|"
    rf"its\s+drones|its\s+troops)\s+(?:had\s+|has\s+)?(?P<verb>{_ATTACK_V}|{_INTERCEPT_V})\b"
)
BY_ACTOR_RE = re.compile(rf"\bby\s+(?:the\s+)?(?P<actor>Russia|Ukraine|{_ACTOR_ADJ})\b")
# Territory held by one side ("Russian-held Donetsk", "the Russian-occupied peninsula"): a strike
# there with no named actor is by the other side.
HELD_BY_RE = re.compile(
    r"\b(?P<actor>Russian|Russia|Moscow|Ukrainian|Ukraine|Kyiv)[- ](?:held|occupied|controlled|annexed)\b"
)
DEFENDER_RE = re.compile(
    rf"\b(?P<actor>{_ACTOR_ADJ}|Russia's|Ukraine's|Russia’s|Ukraine’s)\s+(?:air\s+defen[cs]es?|"
    rf"air\s+defen[cs]e\s+(?:forces|systems|units)|air\s+force|military|forces|army|"
    rf"defen[cs]e\s+ministry)\s+(?:\w+\s+){{0,2}}?(?:{_INTERCEPT_V})\b"
)
BOTH_SIDES_RE = re.compile(
    r"\b(?:Russia|Moscow)\s+and\s+(?:Ukraine|Kyiv)\b|\b(?:Ukraine|Kyiv)\s+and\s+(?:Russia|Moscow)\b"
    r"|\beach other\b|\bone another\b"
)
# Clause boundaries.  The splits after a comma or a semicolon, and those at a run of spaces
# before a dash or "came ... after" (each branch group starts with its own character, so the
# order of the groups changes no match).
_PUNCT_SPLIT = (
    # ", as well as six missiles" continues a tally; ", as well as over Crimea" is a clause.
    r",\s+(?:(?:as(?!\s+well\s+as\s+(?:about\s+|some\s+|at\s+least\s+)?"
    r"(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a|an|dozens)\b)|while|whereas|but|although|though|even as|adding that|and added that|and said)"
    r"\s+|(?:a day|days|hours|weeks)\s+after\s+)|;\s+"
)
_SPACE_SPLIT = (
    r"\s+(?:[—–]\s+"
    r"|(?:came|come|comes)\s+(?:just\s+)?(?:\w+\s+)?(?:days?|hours?|weeks?)\s+after\s+)"
)
CLAUSE_SPLIT_RE = re.compile(f"{_PUNCT_SPLIT}|{_SPACE_SPLIT}")
# A sentence with no dash and no "came"/"come" has only the comma and semicolon splits, and
# re would try the space branch at every space of it.
_PUNCT_SPLIT_RE = re.compile(_PUNCT_SPLIT)
PREFILTER_RE = re.compile(
    rf"(?:{_alt(list(lx.WEAPON_TERMS))}|attack|strike|struck|barrage|shell|bomb|kill|injur|wound|"
    r"dead|died|casualt|hurt|death|toll|bodies|body|lives|hit|launch|intercept|shot down|downed|onslaught|raid|assault|"
    r"explosion|blast)",
    re.I,
)
CUMULATIVE_RE = re.compile(rf"\b(?:{_alt(lx.CUMULATIVE_WORDS)})\b", re.I)
NON_EVENT_RE = re.compile(rf"\b(?:{_alt(lx.NON_EVENT_WORDS)})\b", re.I)
MODAL_RE = re.compile(rf"\b(?:{_alt(lx.MODAL_WORDS)})\b", re.I)
GENERIC_RE = re.compile(rf"\b(?:{_alt(lx.GENERIC_WORDS)})\b", re.I)
STRIKE_VERB_RE = re.compile(
    r"\b(?:struck|strikes?|striking|hit|hits|hitting|attacked|attacks|attacking|targeted|"
    r"shelled|bombed|pummell?ed|pounded|hammered|battered)\b",
    re.I,
)
ANY_ATTACK_VERB_RE = re.compile(rf"\b(?:{_ATTACK_V}|{_INTERCEPT_V})\b", re.I)
INTERCEPT_VERB_RE = re.compile(rf"\b(?:{_INTERCEPT_V})\b", re.I)
LAUNCH_VERB_RE = re.compile(rf"\b(?:{_LAUNCH_V})\b", re.I)
HIT_VERB_RE = re.compile(rf"\b(?:{_HIT_V})\b", re.I)
PASSIVE_ROLE_RE = re.compile(
    rf"\A(?:\s+(?:of\s+them|of\s+which|in\s+total|overall|altogether))?"
    # "Twenty drones, including 18 over Crimea, were shot down": the part, set off by commas.
    rf"(?:,\s+(?:including|of\s+which|among\s+them)\s+[^,;]{{1,60}}(?=,))?"
    rf"(?:\s*,?\s+and\s+(?:[\w-]+\s+){{1,4}}?[\w-]+)?\s*,?\s+"
    rf"(?:(?:were|was|had\s+been|have\s+been|has\s+been|being|are)\s+(?:also\s+|reportedly\s+|"
    rf"successfully\s+|either\s+)?(?:(?P<pi>{_INTERCEPT_V})|(?P<pl>launched|fired|sent|used|"
    rf"aimed\s+at|directed\s+at))"
    # "25 drones attacked the region", "20 drones had converged on the city": launched at it.
    rf"|(?:(?:had|have|also|then|later)\s+){{0,2}}(?P<pa>attacked|targeted|converged\s+on|"
    rf"flew\s+(?:at|into|towards?)|swarmed|raided)"
    rf"|(?P<ph>{_HIT_V}|struck)\b)",
    re.I,
)
SUBSET_RE = re.compile(r"(?:including|of which|of them|among them|among which|incl\.)\s*\Z", re.I)
MORE_RE = re.compile(r"\A\s+more\b", re.I)
PERSON_RE = re.compile(
    rf"\A\s+(?:(?:{_alt(lx.PERSON_ADJECTIVES)})\s+){{0,2}}(?:{_alt(lx.PERSON_NOUNS)})\b", re.I
)
KILL_RE = re.compile(rf"\b(?:{lx.KILL_WORDS})\b", re.I)
INJURE_RE = re.compile(rf"\b(?:{lx.INJURE_WORDS})\b", re.I)
CASUALTY_VERB_BEFORE_RE = re.compile(
    rf"(?:(?P<k>{lx.KILL_WORDS})|(?P<i>{lx.INJURE_WORDS}))\s+(?:(?:at\s+least|some|about|another|"
    rf"a\s+further|an\s+additional)\s+)?\Z",
    re.I,
)
CASUALTY_VERB_AFTER_RE = re.compile(
    rf"\A(?:\s+(?:(?:{_alt(lx.PERSON_ADJECTIVES)})\s+){{0,2}}(?:{_alt(lx.PERSON_NOUNS)}))?"
    rf"(?:,?\s+aged\s+(?:between\s+)?\d+(?:\s*(?:,|and|to|-)\s*\d+)*,?)?"
    # "31 people, including five children, were killed": the parenthesis is a part, not more.
    rf"(?:,\s+(?:including|among\s+them|among\s+whom)\s+[^,;]{{1,60}},)?"
    rf"(?:\s+(?:were|was|have\s+been|had\s+been|has\s+been|are|being|got|reportedly|also|"
    rf"confirmed|initially|later|were\s+reported|was\s+reported|are\s+reported)){{0,3}}"
    rf"\s+(?:(?P<k>killed|dead|died|slain)|(?P<i>injured|wounded|hurt|hospitali[sz]ed))\b",
    re.I,
)
ORDINAL_CASUALTY_RE = re.compile(
    rf"(?:(?P<k>{lx.KILL_WORDS})|(?P<i>{lx.INJURE_WORDS}))\s+(?:a|another)\s+"
    r"(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
    re.I,
)
SINGULAR_CASUALTY_RE = re.compile(
    r"(?:(?P<k>kill(?:ed|ing|s))|(?P<i>injur(?:ed|ing|es)|wound(?:ed|ing|s)))\s+(?:a|an|the)\s+"
    r"(?:\d{1,3}-year-old\s+|(?:young|elderly|local|civilian|teenage)\s+)?"
    r"(?:woman|man|child|person|civilian|resident|teenager|boy|girl|driver|worker|pensioner|"
    r"rescuer|firefighter|medic|police\s+officer|soldier|journalist)\b",
    re.I,
)
# "another person was killed", "a woman was injured", "one man died in hospital": one person.
ANOTHER_CASUALTY_RE = re.compile(
    r"\b(?P<n>another|a|an|one\s+more)\s+(?:(?:\d{1,3}-year-old|young|elderly|local|civilian)\s+)?"
    r"(?:person|man|woman|civilian|resident|child|boy|girl|teenager|pensioner)\s+"
    r"(?:(?:was|has\s+been|had\s+been)\s+(?:also\s+)?(?P<k1>killed)|(?P<k2>died)|"
    r"(?:was|has\s+been|had\s+been)\s+(?:also\s+)?(?:injured|wounded|hurt|hospitali[sz]ed))\b",
    re.I,
)
TOLL_VERB_RE = re.compile(
    r"\b(?:rose|risen|climbed|increased|jumped|grew|reached|stands\s+at|stood\s+at|is|was)\s+(?:to\s+)?\Z",
    re.I,
)
DEATH_TOLL_RE = re.compile(r"\bdeath\s+toll\s+(?:\w+\s+){0,3}?(?:to|at|of)\s+\Z", re.I)
NO_CASUALTIES_RE = re.compile(
    r"\b(?:no|without)\s+(?:(?:immediate\s+)?reports?\s+of\s+)?(?P<what>casualties|victims|"
    r"injuries|deaths|fatalities|one\s+(?:was|were)\s+(?:killed|injured|hurt|wounded)|"
    r"body\s+(?:was\s+)?(?:killed|injured|hurt|wounded)|one\s+(?:killed|injured|hurt))\b"
    r"|\bnobody\s+was\s+(?P<what2>killed|injured|hurt|wounded)\b",
    re.I,
)
UNIT_AFTER_RE = re.compile(
    r"\A(?:\s*-\s*|\s+)?(?:kilometers?|kilometres?|km|miles?|meters?|metres?|percent|per\s*cent|%|"
    r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|tons?|tonnes?|households?|homes?|"
    r"flights?|times|billion|million|euros?|dollars?|hryvnias?|rubles?|roubles?|p\.m\.|a\.m\.|"
    r"am\b|pm\b|o'clock|GMT|UTC|degrees?|sq|square|hectares?|MW|megawatts?|planes?|aircraft|"
    r"airfields?|targets?|locations?|sites?|settlements?|buildings?|vehicles?|tanks?|cars?)",
    re.I,
)
CURRENCY_BEFORE_RE = re.compile(r"(?:\$|€|£|USD|EUR)\s*\Z")
CLAIM_VERBS = (
    r"said|says|reported|reports|claimed|claims|stated|announced|wrote|added|confirmed|posted|"
    r"told\s+(?:reporters|\w+)"
)
_ABBREV = (
    r"\b(?:Gov|Lt|Gen|Col|Maj|Mr|Mrs|Ms|Dr|St|Sen|Rep|Adm|Capt|Cmdr|Prof|Sgt|Brig)\.\s|\b[A-Z]\."
)
ACCORDING_RE = re.compile(
    rf"\baccording\s+to\s+(?P<c>(?:{_ABBREV}|[^,;.()]){{2,90}}?)(?=\s*(?:[,;.()]|\Z))", re.I
)
COLLATED_BY_RE = re.compile(r"\b(?:collated|compiled|gathered|published)\s+by\s+(?P<c>.+)\Z", re.I)
SAID_RE = re.compile(rf"\b(?:{CLAIM_VERBS})\b")
CLAIMANT_STOP_RE = re.compile(
    r"\b(?:was|were|is|are|had|has|have|been|which|who|when|after|before|because|that|while|"
    r"killing|injuring|leaving|and\s+(?:injured|killed)|launched|fired|struck|hit)\b",
    re.I,
)
ROLE_WORDS_RE = re.compile(
    r"\A\s*(?:the\s+)?(?:acting\s+|regional\s+|local\s+)?(?:head|governor|mayor|chief|leader|"
    r"spokes(?:person|man|woman)|commander|secretary|minister)\s+of\b",
    re.I,
)
NAME_RE = re.compile(r"\A\s*(?:[A-Z][\w'’.-]+\s?){1,4}\Z")
DISTANCE_BEFORE_RE = re.compile(
    r"(?:(?:kilometers?|kilometres?|km|miles?)\)?[^,;]{0,40}?\b(?:of|from)|\b(?:north|south|east|west|"
    r"northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)"
    r"(?:ern)?\s+of|\bfrom|\bbeyond|\bto|\bsince|\bborders?\s+with(?:\s+[\w-]+\s+and)?)"
    r"\s+(?:the\s+)?\Z",
    re.I,
)
_FILLER = r"(?:[\w'’-]+\s+){0,4}?"
TARGET_CUE_BEFORE_RE = re.compile(
    r"(?:\b(?:in|on|at|over|near|across|into|outside|around|against|targeting|above|throughout|towards?|"
    r"hit|hits|struck|strike|strikes|attacked|attack|attacks|targeted|targets|pummell?ed|pounded|set|"
    r"shelled|bombed|hammered|battered|shelling|bombarded|raided)\s+"
    r"|\b(?:bound|head(?:ed|ing)|flying)\s+for\s+"
    r"|\b(?:city|cities|towns?|villages?|region|oblast|port|settlements?|outskirts|suburbs?|district|capital|"
    r"area|province|republic|community|hromada|resort)\s+of\s+)"
    rf"(?:(?:the|a|an)\s+)?{_FILLER}\Z",
    re.I,
)
TARGET_CUE_AFTER_RE = re.compile(
    r"\A(?:'s\s+[\w-]+\s+)?(?:\s+(?:city|region|oblast))?\s+(?:was|were|has\s+been|had\s+been|"
    r"came|comes|is|also|again){1,2}\s*(?:\s+(?:also|again|heavily|repeatedly))?\s+"
    r"(?:hit|struck|attacked|targeted|shelled|bombed|pounded|under|damaged|rocked|shaken)\b",
    re.I,
)
# "the Kirishi oil refinery", "a Kyiv apartment block": a place named as the target's own.
ATTRIBUTIVE_TARGET_RE = re.compile(
    rf"\A(?:'s|’s)?\s+(?:[\w-]+\s+){{0,2}}?(?:{_alt(lx.TARGET_NOUNS)})\b(?!\s+(?:said|says|chief|director|officials?)\b)",
    re.I,
)
# "hit Lviv, Lutsk and Ivano-Frankivsk": a place listed right after a target is a target.
LIST_GAP_RE = re.compile(
    r"\s*(?:,|,?\s+and|,?\s+or)\s+(?:the\s+)?(?:(?:\w+ern|central)\s+)?(?:(?:city|town|village)\s+of\s+)?"
)
SUBJECT_POSITION_RE = re.compile(
    rf"\A(?:'s|’s)?\s+(?:(?:also|again|then|later|reportedly|overnight|last\s+\w+|has|have|had|"
    rf"said|says|claimed|\w+ly)\s+){{0,3}}(?:it\s+)?(?:{_ATTACK_V}|{_INTERCEPT_V})\b",
    re.I,
)
# "the capital, Kyiv,", "the port city, Odesa,": a name in apposition to a place noun.
APPOSITION_BEFORE_RE = re.compile(r"\b(?:capital|city|town|port|village)\s*,\s*\Z", re.I)
COUNTRY_WORD_RE = re.compile(
    r"\b(?:the\s+country|(?P<adj>Ukrainian|Russian)\s+(?:territory|regions|cities|airspace|"
    r"soil|towns|oblasts|provinces))\b"
)
TARGET_FACILITY_RE = re.compile(
    rf"\b(?:hit|struck|targeted|attacked|striking|hitting|targeting|damaged|on)\s+(?P<t>(?:(?:a|an|the)\s+)?"
    rf"(?:[\w'’-]+\s+){{0,4}}?(?:{_alt(lx.TARGET_NOUNS)}))\b",
    re.I,
)
NAMED_FACILITY_RE = re.compile(
    r"\b(?P<t>(?:[A-Z][\w’'-]+\s+){1,4}(?:Plant|Refinery|Factory|Works|Airfield|Air\s+Base|Airport|"
    r"Port|Terminal|Depot|Station|Bridge|Combine|Enterprise))\b"
)
DISTRICT_OF_CITY_RE = re.compile(
    r"\A(?:\s+and\s+[\w'’-]+)?\s+(?:districts?|neighbou?rhoods?|microdistricts?|raions?)\s+of\s+the\s+(?:city|capital|town)\b",
    re.I,
)
ANAPHORA_RE = re.compile(
    r"\A\s*(?:(?:according\s+to\s+[^,]{1,40}|preliminarily|meanwhile|also|earlier|later),\s+)?"
    r"(?:the|this|that|these|those|it|he|she|they|its|their)\b"
    r"|\A\s*(?:[\w-]+\s+){0,3}(?:the|this|that)\s+(?:attack|strike|drone|missile|onslaught|barrage|assault|blast|explosion)",
    re.I,
)


# The article prefilter, exact and several times faster: it runs anchored only where one of its
# words occurs (strikes.speed.fastmatch; same answers as PREFILTER_RE.search).
_PREFILTER = LiteralGate(PREFILTER_RE)
_TARGET_FACILITY = LiteralGate(TARGET_FACILITY_RE)
_CLAIMANT_STOP = LiteralGate(CLAIMANT_STOP_RE)
WEAPON_PREFIX_WORDS_RE = re.compile(rf"(?:{_ACTOR_ADJ}|{_MOD})", re.I)
_INVERTED_SAID_RE = re.compile(
    r",\s+(?:said|says|according\s+to)\s+(?P<c>(?:[A-Z][\w'’.-]+\s?){1,4})"
)
_SAID_TAIL_RE = re.compile(
    r"\s+(?:on\s+)?(?:(?:late|early)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)?(?:\s+(?:morning|evening|night))?\s*(?:that|in a statement|on Telegram)?"
)
_CLAIMANT_LEAD_RE = re.compile(r"^(?:its|their|the|local|regional)\s+", re.I)
_CLAIMANT_WEEKDAY_RE = re.compile(
    r"\s+(?:on|late|early)?\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$"
)
_LETTER_RE = re.compile(r"[A-Za-z]")

# Every pattern the clause rules search for in a sentence, in its clauses or in the few words
# before a number or a place (strikes.speed.fastmatch.GateSet: the answers of pattern.search and
# finditer on the piece, at a fraction of the cost).  One Aho-Corasick scan of the sentence
# gates the `scanned` ones, which then run anchored only where one of their words occurs
# (the case-sensitive ones with capitalised names too: re tries every branch at every position
# of a pattern that opens with \b).  `alone`: TARGET_CUE_BEFORE_RE's short words ("in", "on",
# "at") occur all over a sentence and are cheaper to find in the few words before each place.
# _INVERTED_SAID_RE opens with a comma, which re finds faster than a gate.
_SENTENCE_GATES = GateSet(
    scanned=[
        WEAPON_RE, ACCORDING_RE, ATTACK_NOUN_RE, KILL_RE, INJURE_RE, NO_CASUALTIES_RE,
        SINGULAR_CASUALTY_RE, ORDINAL_CASUALTY_RE, ANY_ATTACK_VERB_RE, STRIKE_VERB_RE,
        CUMULATIVE_RE, MODAL_RE, NON_EVENT_RE, GENERIC_RE,
        DEFENSIVE_RE, WEAPON_PREFIX_WORDS_RE, CASUALTY_VERB_BEFORE_RE, TOLL_VERB_RE,
        INTERCEPT_VERB_RE, LAUNCH_VERB_RE, HIT_VERB_RE, SUBSET_RE, DISTANCE_BEFORE_RE,
        SAID_RE, COUNTRY_WORD_RE, BOTH_SIDES_RE,
        SAID_IT_RE, ACTOR_ADJ_ATTACK_RE, SUBJECT_VERB_RE, BY_ACTOR_RE, DEFENDER_RE, HELD_BY_RE,
        nonevents.ANY_CLAUSE_RULE_RE,
    ],
    alone=[TARGET_CUE_BEFORE_RE],
)  # fmt: skip


def scan_sentence(text: str) -> TextScan:
    """The gate scan the clause rules share for `text` (see _SENTENCE_GATES)."""
    return _SENTENCE_GATES.scan(text)


def _weapon_prefix(text: str, scan: TextScan | None = None, base: int = 0) -> re.Match[str] | None:
    """WEAPON_PREFIX_RE.search(text): it matches empty only at the end, so a longer match
    starts where an actor adjective or a modifier does.  `text` is scan.text[base:...]."""
    scan = scan or scan_sentence(text)
    starts = scan.starts(WEAPON_PREFIX_WORDS_RE, text, base)
    if starts is None:
        return WEAPON_PREFIX_RE.search(text)
    match = WEAPON_PREFIX_RE.match
    for s in (*starts, len(text)):
        m = match(text, s)
        if m is not None:
            return m
    return None


# --------------------------------------------------------------------------------------------
# Mentions


@fast_init
@dataclass(frozen=True, slots=True)
class WeaponMention:
    start: int
    end: int
    text: str
    classes: tuple[str, ...]
    models: tuple[str, ...]
    actor: str | None  # "Russian drones" -> Russia


@fast_init
@dataclass(frozen=True, slots=True)
class Count:
    amount: Amount
    role: str  # launched|intercepted|hit
    weapon: WeaponMention | None
    subset: bool  # "including 17 over Crimea": part of another count
    place_idx: int | None  # index into the clause's place list for per-place breakdowns


@fast_init
@dataclass(frozen=True, slots=True)
class Casualty:
    amount: Amount | None  # None for "no casualties"
    field: str  # killed|injured
    value: int | None
    vague: str | None
    place_idx: int | None
    revision: bool = False  # "raising the toll to 9": replaces an earlier figure, never adds
    rule: str = ""  # the phrase-table rule that read it (strikes.extract), if one did


@dataclass(slots=True)
class Claim:
    """A claim while it is being built; becomes a CLAIMS row."""

    article_id: str
    sent_idx: int
    sentence: str
    start: int
    end: int
    rules: list[str]
    attacker: str | None
    date: str | None
    date_precision: str | None
    date_source: str
    place: object | None  # a resolved gazetteer Place (duck-typed)
    place_text: str | None
    place_start: int | None
    place_end: int | None
    weapons: list[str] = field(default_factory=list)
    weapon_models: list[str] = field(default_factory=list)
    launched: int | None = None
    intercepted: int | None = None
    hit: int | None = None
    killed: int | None = None
    injured: int | None = None
    vague: dict[str, str] = field(default_factory=dict)
    bounds: list[str] = field(default_factory=list)  # figures given as "at least"/"more than"
    spans: list[dict] = field(default_factory=list)
    claimed_by: str | None = None
    target: str | None = None
    extra_sources: list[dict] = field(default_factory=list)

    def has_figures(self) -> bool:
        return any(
            v is not None
            for v in (self.launched, self.intercepted, self.hit, self.killed, self.injured)
        )


@functools.lru_cache(maxsize=4096)  # a few dozen weapon words recur in every report
def _weapon_info(term: str) -> tuple[str, str | None]:
    for rx, (cls, model) in _WEAPON_TERM_RES:
        if rx.match(term):
            if model is None and re.match(r"(?:kh|s|fab)-\d", term, re.I):
                model = term.upper().rstrip("S").replace("KH-", "Kh-")
            return cls, model
    return "other", None


def find_weapons(text: str, *, scan: TextScan | None = None, base: int = 0) -> list[WeaponMention]:
    """Weapon phrases: adjacent weapon terms joined by connectors form one phrase.

    `scan`: the gate scan of a sentence that holds `text` at offset `base`."""
    scan = scan or scan_sentence(text)
    terms = []
    for m in scan.finditer(WEAPON_RE, text, base):
        lo = max(0, m.start() - 30)
        if not scan.test(DEFENSIVE_RE, text[lo : m.start()], base + lo):
            terms.append(m)
    groups: list[list[re.Match[str]]] = []
    for m in terms:
        if groups and WEAPON_GAP_RE.match(text[groups[-1][-1].end() : m.start()]):
            groups[-1].append(m)
        else:
            groups.append([m])
    out = []
    for g in groups:
        start, end = g[0].start(), g[-1].end()
        classes: list[str] = []
        models: list[str] = []
        for m in g:
            cls, model = _weapon_info(m.group(0))
            if cls not in classes:
                classes.append(cls)
            if model and model not in models:
                models.append(model)
        lo = max(0, start - 60)
        prefix = _weapon_prefix(text[lo:start], scan, base + lo)
        actor = None
        if prefix and prefix.group(0):
            start -= len(prefix.group(0))
            if prefix.group("actor"):
                actor = lx.ACTORS[prefix.group("actor").lower()]
        # A decoy or interceptor is still a drone: the class list names what flew.
        out.append(WeaponMention(start, end, text[start:end], tuple(classes), tuple(models), actor))
    return out


# --------------------------------------------------------------------------------------------
# Claimants


@fast_init
@dataclass(frozen=True, slots=True)
class Claimant:
    start: int
    end: int  # the span masked from attacker/place analysis
    name: str


def _clean_claimant(raw: str) -> str | None:
    name = raw.replace("’", "'").strip(" ,'\"‘“”")
    name = _CLAIMANT_LEAD_RE.sub("", name)
    if "day" in name:  # every weekday name holds it; most names none
        name = _CLAIMANT_WEEKDAY_RE.sub("", name)
    if not name or len(name.split()) > 9 or not _LETTER_RE.search(name):
        return None
    if name.lower() in {"he", "she", "it", "they", "we", "i", "you"}:
        return None
    return name


def find_claimants(text: str, *, scan: TextScan | None = None) -> list[Claimant]:
    """Who said so: "according to X", "X said", ", said X" (`scan`: the gate scan of `text`)."""
    scan = scan or scan_sentence(text)
    out: list[Claimant] = []
    for m in scan.finditer(ACCORDING_RE, text):
        raw = m.group("c")
        by = COLLATED_BY_RE.search(raw)
        name = _clean_claimant(by.group("c") if by else raw)
        if name:
            out.append(Claimant(m.start(), m.end(), name))
    for m in scan.finditer(SAID_RE, text):
        if any(c.start <= m.start() < c.end for c in out):
            continue
        # The noun phrase before the verb, back to the nearest comma or clause start.
        left = text[: m.start()].rstrip()
        left = left[:-1] if left.endswith(",") else left
        cut = max(left.rfind(","), left.rfind(";"), left.rfind("("), left.rfind(" that "))
        seg_start = cut + 1 if cut >= 0 else 0
        chunk = left[seg_start:]
        if ROLE_WORDS_RE.match(chunk) and cut > 0:
            # "Alexander Brechalov, head of the Udmurtia region, said": the name is one segment back.
            prev = left[:cut]
            pcut = max(prev.rfind(","), prev.rfind(";"))
            name_chunk = prev[pcut + 1 :]
            name = _clean_claimant(name_chunk)
            if name and NAME_RE.match(name_chunk):
                out.append(Claimant(pcut + 1, m.end(), name))
                continue
        if len(chunk.split()) > 9 or _CLAIMANT_STOP.test(chunk):
            continue  # a clause, not a name ("... after the drones were downed, officials said")
        name = _clean_claimant(chunk)
        if name is None:
            continue
        end = m.end()
        tail = _SAID_TAIL_RE.match(text[end:])
        if tail:
            end += len(tail.group(0))
        out.append(Claimant(seg_start, end, name))
    # Inverted: ", said Oleh Syniehubov, the regional governor."
    for m in _INVERTED_SAID_RE.finditer(text):
        if not any(c.start <= m.start("c") < c.end for c in out):
            name = _clean_claimant(m.group("c"))
            if name:
                out.append(Claimant(m.start(), m.end(), name))
    return out


# --------------------------------------------------------------------------------------------
# Per-clause analysis


@fast_init
@dataclass(frozen=True, slots=True)
class ClausePlace:
    mention: object  # geocode.PlaceMention (duck-typed: start, end, text, kind)
    place: object | None  # resolved gazetteer Place
    start: int
    end: int
    before: str = ""  # the words just before the mention ("the southern region of ")


@dataclass(slots=True)
class Context:
    """What the previous sentences established."""

    published: date | None
    claims: list[Claim] = field(default_factory=list)  # claims of this article so far
    last_claim_sent: int = -10
    # The article's current day: the last day-precision date a sentence stated (the date of
    # its claims, or the date it names), and the sentence that stated it.
    last_day: str | None = None
    last_day_sent: int = -10
    last_day_attacker: str | None = None  # whose attack that day was (None: a bare date)
    # The day was named late ("he said on Telegram late Monday", "late on Monday"): the
    # night after it is the next morning's, so a bare "overnight" does not take that day.
    last_day_late: bool = False


PlaceFinder = Callable[[str], list]
PlaceResolver = Callable[[object, Sequence[str], Sequence[object]], object | None]
CountryLookup = Callable[[str], object | None]


@dataclass(frozen=True, slots=True, eq=False)  # identity: a cheap cache key (make_geo reuses one)
class Geo:
    """The geocoding functions the extractor uses (see pipeline.make_geo)."""

    find: PlaceFinder
    resolve: PlaceResolver
    country: CountryLookup


def _clause_spans(text: str) -> list[tuple[int, int]]:
    spaced = "—" in text or "–" in text or "came" in text or "come" in text
    spans = []
    pos = 0
    for m in (CLAUSE_SPLIT_RE if spaced else _PUNCT_SPLIT_RE).finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    if " and " in text and "Russia" in text and "Ukrain" in text:
        spans = _split_at_second_actor(text, spans)
    return [(s, e) for s, e in spans if e - s > 3]


_AND_BEFORE_SUBJECT_RE = re.compile(r"(?:,\s*)?\band\s+\Z")


def _split_at_second_actor(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """ "Russian missiles hit Odesa and Ukrainian drones struck Belgorod": the second side's
    subject opens a clause of its own, so neither actor leaks into the other's places."""
    cuts = []
    prev = None
    for m in SUBJECT_VERB_RE.finditer(text):
        actor = lx.ACTORS.get(
            m.group("actor").split()[0].replace("’s", "").replace("'s", "").lower()
        )
        if (
            prev is not None
            and actor
            and actor != prev
            and _AND_BEFORE_SUBJECT_RE.search(text, max(0, m.start() - 8), m.start())
        ):
            cuts.append(m.start())
        prev = actor or prev
    if not cuts:
        return spans
    out = []
    for s, e in spans:
        for cut in cuts:
            if s < cut < e:
                out.append((s, cut))
                s = cut
        out.append((s, e))
    return out


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    # A loop, not any() over a generator: called for every amount and place, on one span or two.
    for s, e in spans:  # noqa: SIM110
        if s <= start and end <= e:
            return True
    return False


def _find_attacker(
    clause: str,
    off: int,
    weapons: Sequence[WeaponMention],
    masked: Sequence[tuple[int, int]],
    scan: TextScan,
) -> tuple[str | None, str]:
    """(attacker, rule) from the clause's own words; None when it does not say."""

    def ok(m: re.Match[str], group: str = "actor") -> bool:
        return not _inside(m.start(group) + off, m.end(group) + off, masked)

    weapon_actors = {w.actor for w in weapons if w.actor}
    if len(weapon_actors) == 1:
        return weapon_actors.pop(), "attacker:weapon-adjective"
    for m in scan.finditer(SAID_IT_RE, clause, off):
        actor = lx.ACTORS[m.group("actor").lower()]
        if INTERCEPT_VERB_RE.fullmatch(m.group("verb")):
            return lx.OPPONENT.get(actor), "attacker:opponent-of-defender"
        return actor, "attacker:said-it"
    nouns = {
        lx.ACTORS[m.group("actor").lower()]
        for m in scan.finditer(ACTOR_ADJ_ATTACK_RE, clause, off)
        if ok(m)
    }
    if len(nouns) == 1:
        return nouns.pop(), "attacker:attack-adjective"
    for m in scan.finditer(SUBJECT_VERB_RE, clause, off):
        # A claimant that claims its own strike is the attacker, not only the source.
        if not ok(m) and m.group("own") is None:
            continue
        word = m.group("actor").split()[0].replace("’s", "").replace("'s", "").lower()
        if word == "the":
            word = "kremlin"
        actor = lx.ACTORS.get(word)
        if actor:
            return actor, "attacker:subject"
    for m in scan.finditer(BY_ACTOR_RE, clause, off):
        if ok(m):
            return lx.ACTORS[m.group("actor").lower()], "attacker:by"
    for m in scan.finditer(DEFENDER_RE, clause, off):
        if ok(m):
            word = m.group("actor").replace("’s", "").replace("'s", "").lower()
            defender = lx.ACTORS[word]
            if defender in lx.OPPONENT:
                return lx.OPPONENT[defender], "attacker:opponent-of-defender"
    holders = {lx.ACTORS[m.group("actor").lower()] for m in scan.finditer(HELD_BY_RE, clause, off)}
    if len(holders) == 1 and (holder := holders.pop()) in lx.OPPONENT:
        return lx.OPPONENT[holder], "attacker:opponent-of-holder"
    return None, ""


# Small patterns of the binding rules (compiled once; they run for every amount).
_OF_THE_GAP_RE = re.compile(r"\s*(?:of\s+(?:the\s+|those\s+|these\s+)?)?", re.I)
# "the 155 downed drones": a participle between the figure and the weapon gives the role.
_PARTICIPLE_GAP_RE = re.compile(
    rf"\s+(?P<verb>downed|intercepted|destroyed|launched|fired)\s+(?:(?:{_ACTOR_ADJ})\s+)?", re.I
)
_BREAKDOWN_GAP_RE = re.compile(
    r"\s+(?:of\s+(?:them|which)\s+)?(?:each\s+)?(?:were\s+\w+\s+)?"
    # "about 15 headed towards Moscow": the drones bound for a place are that place's.
    r"(?:(?:(?:that\s+)?(?:were\s+)?(?:head(?:ed|ing)|flying|bound))\s+(?:for|to|towards?)"
    r"|over|above|in|across|on|near|towards?)"
    r"\s+(?:the\s+)?(?:[\w'’-]+\s+)?",
    re.I,
)
# "11 were bound for Moscow": a count of weapons by where they flew, even with no weapon word.
_BOUND_FOR_GAP_RE = re.compile(
    r"\s+(?:that\s+)?(?:were\s+)?(?:head(?:ed|ing)|flying|bound)\s+(?:for|to|towards?)"
    r"\s+(?:the\s+)?(?:[\w'’-]+\s+)?",
    re.I,
)
_EACH_AFTER_RE = re.compile(r"\s+(?:[\w-]+\s+)?each\b", re.I)
_OF_GAP_RE = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+)?", re.I)
_OF_THOSE_LEAD_RE = re.compile(r"\s*(?:out\s+)?of\s+(?:those|them|these)\s*,?\s*", re.I)
_BOTH_BEFORE_RE = re.compile(r"\b[Bb]oth\s+(?:the\s+|of\s+the\s+)?\Z")
_OF_THEM_RE = re.compile(r"\A\s+of\s+(?:them|those|these|which)\b", re.I)
_AND_A_GAP_RE = re.compile(r"\s*,?\s*(?:and|plus)\s+(?P<art>an?)\s+", re.I)
_DEATH_TOLL_WORDS_RE = re.compile(r"\bdeath\s+toll\b", re.I)
_OTHERS_AFTER_RE = re.compile(r"\A\s+(?:others?|more)\b", re.I)
_AND_BEFORE_RE = re.compile(r"\band\s+\Z")
_AND_AT_LEAST_BEFORE_RE = re.compile(r"\band\s+(?:at\s+least\s+)?\Z")
_IN_AFTER_RE = re.compile(r"\A\s+in\s")
_NEGATED_BEFORE_RE = re.compile(r"\b(?:no|not|including|among\s+them)\s+\Z", re.I)
_CASUALTY_PLACE_GAP_RE = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:in|on|at|near)\s+(?:the\s+)?(?:[\w'’-]+\s+)?", re.I
)
_WITH_BEFORE_RE = re.compile(r"\bwith\s+(?:a\s+total\s+of\s+|up\s+to\s+)?\Z", re.I)


def _role_for(
    clause: str, amount: Amount, weapon_end: int, scan: TextScan, base: int
) -> str | None:
    after = clause[weapon_end : weapon_end + 60]
    m = PASSIVE_ROLE_RE.match(after)
    if m:
        if m.group("pi"):
            return "intercepted"
        if m.group("pl") or m.group("pa"):
            return "launched"
        return "hit"
    lo = max(0, amount.start - 90)
    before = clause[lo : amount.start]
    if _WITH_BEFORE_RE.search(before):
        return "launched"
    # The nearest verb to the left decides ("shot down 120 drones", "launched 550 drones").
    best: tuple[int, str] | None = None
    for rx, role in (
        (INTERCEPT_VERB_RE, "intercepted"),
        (LAUNCH_VERB_RE, "launched"),
        (HIT_VERB_RE, "hit"),
    ):
        for vm in scan.finditer(rx, before, base + lo):
            if best is None or vm.end() > best[0]:
                best = (vm.end(), role)
    return best[1] if best else None


# "two men aged 50 and 48 were killed", "victims aged between 7 and 81": ages, never counts.
AGE_BEFORE_RE = re.compile(
    r"\b(?:aged|ages?\s+of)\s+(?:between\s+)?(?:\d+\s*(?:,|and|to|-)\s*)*\Z", re.I
)


def _is_age(clause: str, a: Amount) -> bool:
    return AGE_BEFORE_RE.search(clause[max(0, a.start - 40) : a.start]) is not None


def _is_count_context(clause: str, a: Amount) -> bool:
    """False for amounts that are distances, times, money, ages or anything but a count."""
    if _is_age(clause, a):
        return False
    if UNIT_AFTER_RE.match(clause[a.end : a.end + 20]):
        return False
    if CURRENCY_BEFORE_RE.search(clause[max(0, a.start - 5) : a.start]):
        return False
    return not (a.value is not None and 1900 <= a.value <= 2100 and not a.qualifier)


def _listed_with_next(clause: str, places: list[ClausePlace], i: int) -> bool:
    """True when place i heads a list ("over the Belgorod and Kursk regions"): a figure before
    it belongs to the whole list, not to the first place."""
    if i + 1 >= len(places):
        return False
    gap = clause[places[i].end : places[i + 1].start]
    return bool(LIST_GAP_RE.fullmatch(gap))


def _bind_counts(
    clause: str,
    amounts: list[Amount],
    weapons: list[WeaponMention],
    places: list[ClausePlace],
    *,
    scan: TextScan | None = None,
    base: int = 0,
) -> list[Count]:
    """Counts of weapons with their roles.  `scan`: the gate scan of the sentence that holds
    the clause at offset `base`."""
    scan = scan or scan_sentence(clause)
    counts: list[Count] = []
    last: Count | None = None
    forced: dict[int, str] = {}  # amount start -> role ("57 of 83 drones": 83 were launched)
    for k, a in enumerate(amounts):
        if not _is_count_context(clause, a):
            continue
        gap_to = [w for w in weapons if w.start >= a.end and w.start - a.end <= 30]
        weapon = None
        if gap_to:
            w = gap_to[0]
            gap = clause[a.end : w.start]
            if len(gap) <= 12 and (
                _OF_THE_GAP_RE.fullmatch(gap) and (not a.vague or "of" in gap or not gap.strip())
            ):
                weapon = w
            elif (pm := _PARTICIPLE_GAP_RE.fullmatch(gap)) and not a.vague:
                weapon = w
                participle = pm.group("verb")
                role = "intercepted" if INTERCEPT_VERB_RE.fullmatch(participle) else "launched"
                forced.setdefault(a.start, role)
        lo = max(0, a.start - 20)
        subset = scan.test(SUBSET_RE, clause[lo : a.start], base + lo)
        # Per-place breakdown: "17 over Crimea", "16 drones over the Rostov region".
        place_idx = None
        tail_from = weapon.end if weapon else a.end
        each = _EACH_AFTER_RE.match(clause, tail_from) is not None
        shared_with: list[int] = []  # "16 each in the Voronezh and Krasnodar regions"
        for i, p in enumerate(places):
            if getattr(p.mention, "kind", None) in {"country", "country-ref"}:
                continue
            gap = clause[tail_from : p.start]
            if len(gap) < 40 and _BREAKDOWN_GAP_RE.fullmatch(
                gap
            ):  # first: a far place costs no regex
                if not _listed_with_next(clause, places, i):
                    place_idx = i
                    break
                if each:
                    place_idx = i
                    j = i
                    while _listed_with_next(clause, places, j):
                        j += 1
                        shared_with.append(j)
                    break
        if weapon is None and k + 1 < len(amounts):
            # "shot down 57 of 83 drones": the first is the verb's, the second was launched.
            nxt = amounts[k + 1]
            w2 = next((w for w in weapons if 0 <= w.start - nxt.end <= 2), None)
            if w2 and _OF_GAP_RE.fullmatch(clause[a.end : nxt.start]):
                role = _role_for(clause, a, w2.end, scan, base)
                if role and role != "launched":
                    last = Count(a, role, w2, False, None)
                    counts.append(last)
                    forced[nxt.start] = "launched"
                    continue
        if weapon is None and a.start in forced and last is not None:
            counts.append(Count(a, forced[a.start], last.weapon, False, None))
            continue
        if weapon is None:
            if MORE_RE.match(clause[a.end : a.end + 10]) and last is not None:
                counts.append(Count(a, last.role, last.weapon, False, place_idx))
                continue
            if place_idx is not None and last is not None and (a.start - last.amount.end) < 120:
                last = Count(a, last.role, last.weapon, True, place_idx)
                counts.append(last)
                counts.extend(Count(a, last.role, last.weapon, True, j) for j in shared_with)
                continue
            if (
                place_idx is not None
                and last is None
                and (
                    _BOUND_FOR_GAP_RE.fullmatch(clause[a.end : places[place_idx].start])
                    or _OF_THOSE_LEAD_RE.fullmatch(clause[: a.start])
                )
            ):
                # "out of the 155 downed drones, 11 were bound for Moscow"; "Of those, six were
                # downed over Kursk": a part of the tally by place, in the role its verb gives.
                role = _role_for(clause, a, a.end, scan, base)
                if role:
                    last = Count(a, role, None, True, place_idx)
                    counts.append(last)
                continue
            of_them = _OF_THEM_RE.match(clause[a.end : a.end + 20])
            if of_them:
                # "downed 32 of them": a count of the weapons named before (maybe a sentence ago).
                role = _role_for(clause, a, a.end + of_them.end(), scan, base) or (
                    last.role if last else None
                )
                if role:
                    same = bool(last and last.role == role)
                    counts.append(Count(a, role, last.weapon if last else None, same, None))
            continue
        if a.vague:
            continue  # "hundreds of drones": kept as text only (claims record it in `vague`)
        if k + 1 < len(amounts) and _OF_GAP_RE.fullmatch(clause[weapon.end : amounts[k + 1].start]):
            forced[amounts[k + 1].start] = "launched"  # "shot down 20 drones out of 31 launched"
        role = forced.get(a.start) or _role_for(clause, a, weapon.end, scan, base)
        if role is None:
            continue
        # "of which 747 were shot down" counts another role: a part only of a same-role whole.
        subset = subset and last is not None and last.role == role
        c = Count(a, role, weapon, subset or place_idx is not None, place_idx)
        counts.append(c)
        counts.extend(Count(a, role, weapon, True, j) for j in shared_with)
        last = c
    # "40 drones and a ballistic missile": the article counts one, next to a counted weapon
    # ("a glide bomb and a drone" alone stays uncounted: no figure was given).
    for c in list(counts):
        if c.weapon is None:
            continue
        for w in weapons:
            m = _AND_A_GAP_RE.fullmatch(clause[c.weapon.end : w.start])
            if m and not any(x.weapon is w for x in counts):
                one = Amount(
                    c.weapon.end + m.start("art"),
                    c.weapon.end + m.end("art"),
                    m.group("art"),
                    1,
                    1,
                    None,
                    False,
                )
                counts.append(Count(one, c.role, w, c.subset, c.place_idx))
    # "Both missiles were shot down": two, in the role the verb gives them.
    for w in weapons:
        m = _BOTH_BEFORE_RE.search(clause, max(0, w.start - 12), w.start)
        if m is None or any(x.weapon is w for x in counts):
            continue
        two = Amount(m.start(), m.start() + 4, m.group(0).strip(), 2, 2, None, False)
        role = _role_for(clause, two, w.end, scan, base)
        if role:
            counts.append(Count(two, role, w, False, None))
    return counts


_WHERE_GAP_RE = re.compile(r",?\s+where\s+(?:at\s+least\s+|another\s+)?\Z", re.I)
_CLAUSE_END_RE = re.compile(r"[;:]|,\s+(?:and|while|but)\s|\.\s", re.I)


def _casualty_place(
    clause: str,
    a: Amount,
    after: str,
    places: list[ClausePlace],
    amounts: Sequence[Amount],
    fld: str,
) -> int | None:
    """The place a casualty figure belongs to: "killed in Kyiv" (the place right after), "the
    city of Cherkasy, where one person died" (the place right before), or, where a clause names
    several places, the first one after the figure and before the next figure of the same kind
    or the next clause ("Three were killed and 12 wounded when a drone hit a building in
    Dnipro, and another person was killed in the Kharkiv region")."""
    pm = PERSON_RE.match(after)
    tail_off = a.end + (pm.end() if pm else 0)
    for i, p in enumerate(places):
        gap = clause[tail_off : p.start]
        if (
            len(gap) < 30  # first: a far place costs no regex
            and _CASUALTY_PLACE_GAP_RE.fullmatch(gap)
            and not _listed_with_next(clause, places, i)
        ):
            return i
    specific = [
        i for i, p in enumerate(places) if getattr(p.mention, "kind", None) in {"city", "region"}
    ]
    for i in reversed(specific):
        p = places[i]
        if p.end <= a.start:
            if _WHERE_GAP_RE.fullmatch(clause[p.end : a.start]):
                return i
            break
    if len(specific) < 2:
        return None
    for i in specific:
        p = places[i]
        if p.start < a.end:
            continue
        between = clause[a.end : p.start]
        if len(between) > 140 or _CLAUSE_END_RE.search(between):
            return None
        for b in amounts:
            mb = a.end <= b.start < p.start and CASUALTY_VERB_AFTER_RE.match(
                clause[b.end : b.end + 80]
            )
            if mb and ("killed" if mb.group("k") else "injured") == fld:
                return None  # the place is the next figure's
        return i
    return None


def _phrase_casualty(
    rm: RuleMatch,
    clause: str,
    amounts: Sequence[Amount],
    places: list[ClausePlace],
    used: set[int],
) -> Casualty | None:
    """A casualty read by a row of strikes.extract.casualty_rules (its rule id recorded)."""
    binds = rm.rule.binds
    fld = binds.get("field")
    if fld == "noun":
        fld = "killed" if rm.span("killed_noun") else "injured"
    n = rm.span("n")
    if n is not None:
        a = next((x for x in amounts if x.start <= n[0] < x.end or n[0] <= x.start < n[1]), None)
        if a is None or a.start in used:
            return None  # read already by the verb rules, or not an amount after all
        used.add(a.start)
        value = None if a.vague else a.value
        vague = a.text if a.vague else None
    else:
        one = rm.span("one") or (rm.start, rm.end, clause[rm.start : rm.end])
        a = Amount(one[0], one[1], one[2], 1, 1, None, False)
        value, vague = int(binds.get("value", 1)), None
    after = clause[a.end : a.end + 80]
    place_idx = _casualty_place(clause, a, after, places, amounts, str(fld))
    if place_idx is None:
        place_idx = next(
            (
                i
                for i, p in enumerate(places)
                if p.start >= rm.end
                and _CASUALTY_PLACE_GAP_RE.fullmatch(" " + clause[rm.end : p.start])
            ),
            None,
        )
    return Casualty(a, str(fld), value, vague, place_idx, bool(binds.get("revision")), rm.rule.id)


def _bind_casualties(
    clause: str,
    amounts: list[Amount],
    places: list[ClausePlace],
    *,
    scan: TextScan | None = None,
    base: int = 0,
) -> list[Casualty]:
    """Killed and injured figures (`scan`, `base`: as for _bind_counts)."""
    scan = scan or scan_sentence(clause)
    out: list[Casualty] = []
    used: set[int] = set()
    last_field: str | None = None
    for a in amounts:
        lo = max(0, a.start - 40)
        before = clause[lo : a.start]
        after = clause[a.end : a.end + 80]
        fld = None
        toll = False
        mb = scan.search(CASUALTY_VERB_BEFORE_RE, before, base + lo)
        if mb:
            fld = "killed" if mb.group("k") else "injured"
        else:
            ma = CASUALTY_VERB_AFTER_RE.match(after)
            if ma:
                fld = "killed" if ma.group("k") else "injured"
            elif DEATH_TOLL_RE.search(before) or (
                scan.test(TOLL_VERB_RE, before, base + lo)
                and _DEATH_TOLL_WORDS_RE.search(clause[: a.start])
            ):
                fld = "killed"
                toll = True  # "the death toll rose to 14": the latest figure for the attack
            elif last_field and _OTHERS_AFTER_RE.match(after) and _AND_BEFORE_RE.search(before):
                fld = last_field
            elif (
                last_field and _AND_AT_LEAST_BEFORE_RE.search(before) and _IN_AFTER_RE.match(after)
            ):
                fld = last_field  # "three civilians in Kyiv and at least two in Kharkiv"
        if fld is None or _NEGATED_BEFORE_RE.search(before) or _is_age(clause, a):
            continue  # "no one was hurt" is a zero, handled below
        if (
            a.value is not None
            and not a.vague
            and UNIT_AFTER_RE.match(after[:20])
            and not PERSON_RE.match(after)
        ):
            continue
        place_idx = _casualty_place(clause, a, after, places, amounts, fld)
        used.add(a.start)
        last_field = fld
        out.append(
            Casualty(
                a,
                fld,
                a.value if not a.vague else None,
                a.text if a.vague else None,
                place_idx,
                toll and not a.vague,
                "casualty:death-toll" if toll else "",
            )
        )
    for rm in CASUALTY_PHRASES.finditer(clause):
        cas = _phrase_casualty(rm, clause, amounts, places, used)
        if cas is not None:
            out.append(cas)
    for m in ANOTHER_CASUALTY_RE.finditer(clause):
        fld = "killed" if (m.group("k1") or m.group("k2")) else "injured"
        one = Amount(m.start("n"), m.end("n"), m.group("n"), 1, 1, None, False)
        idx = next(
            (
                i
                for i, p in enumerate(places)
                if p.start >= m.end()
                and _CASUALTY_PLACE_GAP_RE.fullmatch(" " + clause[m.end() : p.start])
            ),
            None,
        )
        out.append(Casualty(one, fld, 1, None, idx))
    for m in scan.finditer(SINGULAR_CASUALTY_RE, clause, base):
        fld = "killed" if m.group("k") else "injured"
        out.append(Casualty(None, fld, 1, None, None))
    for m in scan.finditer(ORDINAL_CASUALTY_RE, clause, base):
        fld = "killed" if m.group("k") else "injured"
        out.append(Casualty(None, fld, 1, None, None))
    for m in scan.finditer(NO_CASUALTIES_RE, clause, base):
        what = (m.group("what") or m.group("what2") or "").lower()
        if "immediate" in m.group(0).lower():
            continue
        if what.startswith(("casualt", "victim")):
            fields = ("killed", "injured")
        elif what.startswith(("injur", "one was injured", "one were injured")) or any(
            w in what for w in ("injured", "hurt", "wounded")
        ):
            fields = ("injured",)
        else:
            fields = ("killed",)
        for f in fields:
            out.append(Casualty(None, f, 0, None, None))
    return out


# NAMED_FACILITY_RE starts with any capital letter, so re tries it all along the clause; every
# match ends in one of these words, and a clause without any of them cannot match.
# ("Air" also covers Airfield, Air Base and Airport.)
_FACILITY_WORDS = ("Plant", "Refinery", "Factory", "Works", "Air", "Port", "Terminal", "Depot",
                   "Station", "Bridge", "Combine", "Enterprise")  # fmt: skip
_ARTICLE_LEAD_RE = re.compile(r"^(?:a|an|the)\s+", re.I)


@functools.lru_cache(maxsize=1 << 14)
def _target_facility(clause: str) -> str | None:
    m = NAMED_FACILITY_RE.search(clause) if any(w in clause for w in _FACILITY_WORDS) else None
    if m:
        return m.group("t").strip()
    m = _TARGET_FACILITY.search(clause)
    if m:
        return _ARTICLE_LEAD_RE.sub("", m.group("t").strip())
    return None


# --------------------------------------------------------------------------------------------
# The article loop


def extract_article_claims(
    *,
    article_id: str,
    text: str,
    sentences: Sequence[tuple[int, int, int]],
    published: str | None,
    geo: Geo,
    settings: Settings = DEFAULT_SETTINGS,
) -> list[Claim]:
    """Claims of one article.  `sentences` are (sent_idx, start, end) spans into `text`."""
    ctx = Context(published=parse_published(published))
    # Words are looked up by name after re.I matched them ("Ruſsian" drones): the rules read
    # the ASCII spelling; the text keeps its length, so every offset is the source's.
    source, text = text, ascii_lookalikes(text)
    # Most sentences fail the prefilter (tested in one scan of the article); they are cheap to
    # test and not worth a cache slot (only their dates are read).
    candidate = _PREFILTER.test_spans(text, [(s, e) for _i, s, e in sentences])
    zoner = zones.Zoner(text)
    day_word, month_day = text.find, _DAY_HINT_RE.search
    for (sent_idx, s_start, s_end), is_candidate in zip(sentences, candidate, strict=True):
        if is_candidate:
            sent = text[s_start:s_end]
            facts = _sentence_facts(sent, geo)
            if facts is not None:
                zone = zoner.zone(s_start, s_end)
                if zone == "teaser":
                    continue  # the outlet's other headlines are never evidence (zones.py)
                if _sentence_claims(
                    article_id=article_id,
                    sent_idx=sent_idx,
                    sent=sent,
                    offset=s_start,
                    facts=facts,
                    ctx=ctx,
                    geo=geo,
                    settings=settings,
                    zone=zone,
                ):
                    continue
        # A sentence without a claim still moves the article's date on ("Russia said on
        # Saturday ...", "The barrage overnight into Thursday was the largest this month.").
        if day_word("day", s_start, s_end) >= 0 or month_day(text, s_start, s_end) is not None:
            _note_date(text[s_start:s_end], sent_idx, ctx)
    for c in ctx.claims:
        # Again where a follow-up sentence added figures; _build_claims checked the others
        # (checking a claim twice changes nothing: tests/unit/test_article_claims_fastpaths.py).
        if "followup" in c.rules:
            _check_plausible(c, settings)
    kept = [c for c in ctx.claims if _keep(c)]
    _date_from_same_place(kept)
    if text is not source:
        _quote_source(kept, source)
    return kept


# A claim dated only by the publication says nothing of its own about the day of the attack.
_WEAK_DATE_SOURCES = frozenset({"publication"})


def _date_from_same_place(claims: list[Claim]) -> None:
    """A weakly dated claim takes the day that another claim of the article dates from the
    text for the same attacker and place, a day apart at most ("hours after an attack on Kyiv
    killed 26" in the lead, "the strikes on Kyiv from late Wednesday to early Thursday" below):
    the article's one attack there, not a second one."""
    # A country holds many attacks of many days: only a town's or a region's claims pair up.
    weak = [
        c
        for c in claims
        if c.date_source in _WEAK_DATE_SOURCES
        and c.date
        and getattr(c.place, "geo_precision", None) != "country"
    ]
    if not weak:
        return
    strong: dict[tuple, set[str]] = {}
    for c in claims:
        if c.date and c.date_precision == "day" and c.date_source not in _WEAK_DATE_SOURCES:
            strong.setdefault((c.attacker, _place_key(c.place)), set()).add(c.date)
    for c in weak:
        days = strong.get((c.attacker, _place_key(c.place)), set())
        near = [
            d for d in days if abs((date.fromisoformat(d) - date.fromisoformat(c.date)).days) == 1
        ]
        if len(near) == 1 and c.date not in days:
            c.date = near[0]
            c.date_source = "same-place"
            c.rules = [r if not r.startswith("date:") else "date:same-place" for r in c.rules]


def _place_key(place: object) -> tuple:
    return (getattr(place, "geonameid", None), getattr(place, "name", None))


def _quote_source(claims: list[Claim], source: str) -> None:
    """The sentences and place names of `claims` as the source spells them (they were read
    with re.I's look-alike letters in ASCII; every offset is the same)."""
    for c in claims:
        c.sentence = source[c.start : c.end]
        if c.place_start is not None and c.place_end is not None:
            c.place_text = source[c.place_start : c.place_end]
        for extra in c.extra_sources:
            extra["sentence"] = source[extra["start"] : extra["end"]]


def _keep(c: Claim) -> bool:
    if c.attacker is None or c.place is None:
        return False
    # A country-level claim with no figure says nothing a map or a chart can show.
    return getattr(c.place, "geo_precision", None) != "country" or c.has_figures()


@fast_init
@dataclass(frozen=True, slots=True)
class _ClauseFacts:
    """What a clause says on its own: the part of the analysis no earlier sentence changes."""

    start: int  # offsets into the sentence
    end: int
    text: str
    weapons: tuple[WeaponMention, ...]  # sentence offsets
    casualty_words: bool
    attacker: str | None
    attacker_rule: str
    anaphoric: bool  # starts like a follow-up ("The attack ...", "It ...")
    # "attacked the city", "over the region", "struck the capital": a place named by reference
    # (kind, start, end in sentence offsets), resolved from context when the clause names none.
    place_reference: tuple[str, int, int] | None
    binding: _Binding
    # The binding with the speaker's own place added ("authorities in the Belgorod region said
    # one person was killed"); used when the previous claim is not the same attacker's.
    speaker_binding: _Binding | None


@fast_init
@dataclass(frozen=True, slots=True)
class _Binding:
    """A clause's figures bound to its resolved places."""

    target_places: tuple[ClausePlace, ...]
    counts: tuple[Count, ...]
    casualties: tuple[Casualty, ...]
    vague_counts: frozenset[tuple[str, int]]
    non_event: bool
    attack_evidence: bool


@fast_init
@dataclass(frozen=True, slots=True)
class _SentenceFacts:
    clauses: tuple[_ClauseFacts, ...]  # only clauses with attack evidence
    claimant: str | None
    masked: tuple[tuple[int, int], ...]  # claimant spans
    mentions: tuple  # place mentions of the whole sentence


# Sentences repeat across a corpus: syndicated wire copy carried by many outlets, stock lines
# ("The strike also cut power to several districts."), re-ingested files.  Their context-free
# analysis is a pure function of the text (and the place finder), so it is computed once.
SENTENCE_CACHE_SIZE = 1 << 13


@functools.lru_cache(maxsize=SENTENCE_CACHE_SIZE)
def _sentence_facts(sent: str, geo: Geo) -> _SentenceFacts | None:
    """The context-free analysis of a sentence that passed the prefilter; None when no clause
    shows attack evidence."""
    amounts_all = find_amounts(sent)
    scan = scan_sentence(sent)
    candidates = []
    for c_start, c_end in _clause_spans(sent):
        clause = sent[c_start:c_end]
        found = find_weapons(clause, scan=scan, base=c_start)
        has_attack_noun = scan.test(ATTACK_NOUN_RE, clause, c_start)
        casualty_words = (
            scan.test(KILL_RE, clause, c_start)
            or scan.test(INJURE_RE, clause, c_start)
            or scan.test(NO_CASUALTIES_RE, clause, c_start)
            or CASUALTY_PHRASES.any(clause)
        )
        if (
            found
            or has_attack_noun
            or casualty_words
            or (  # a counted verb; asked only now, amounts first (most clauses stop above)
                any(c_start <= a.start < c_end for a in amounts_all)
                and scan.test(ANY_ATTACK_VERB_RE, clause, c_start)
            )
            or scan.test(STRIKE_VERB_RE, clause, c_start)
        ):
            candidates.append((c_start, c_end, clause, found, has_attack_noun, casualty_words))
    if not candidates:
        return None
    # Claimants and places are looked up only once a clause shows attack evidence.
    claimants = find_claimants(sent, scan=scan)
    masked = tuple((c.start, c.end) for c in claimants)
    try:
        mentions = tuple(geo.find(sent))
    except Exception:  # noqa: BLE001 — a gazetteer failure must not lose the numbers
        mentions = ()
    both_sides = scan.test(BOTH_SIDES_RE, sent)
    clauses = []
    for c_start, c_end, clause, found, has_attack_noun, casualty_words in candidates:
        # Offsets into the clause (a clause at the sentence's start keeps the amounts as found).
        amounts = tuple(
            a
            if not c_start
            else Amount(
                a.start - c_start, a.end - c_start, a.text, a.value, a.low, a.qualifier, a.vague
            )
            for a in amounts_all
            if c_start <= a.start and a.end <= c_end and not _inside(a.start, a.end, masked)
        )
        attacker, a_rule = _find_attacker(clause, c_start, found, masked, scan)
        if both_sides and a_rule in {"attacker:subject", ""}:
            attacker, a_rule = None, ""
            if not found or len({w.actor for w in found if w.actor}) != 1:
                continue
        places = _clause_places(sent, clause, c_start, mentions, masked, scan)
        bind = functools.partial(
            _bind,
            clause,
            attacker=attacker,
            a_rule=a_rule,
            amounts=amounts,
            local_weapons=found,
            has_attack_noun=has_attack_noun,
            geo=geo,
            scan=scan,
            c_start=c_start,
        )
        speaker_binding = None
        if (
            not any(getattr(p.mention, "kind", None) in {"city", "region"} for p in places)
            and attacker is not None
            and (
                scan.test(KILL_RE, clause, c_start)
                or scan.test(INJURE_RE, clause, c_start)
                or (amounts and GOVERNOR_RE.search(clause))
            )
        ):
            speaker_binding = bind(
                places + _speaker_places(clause, c_start, mentions, masked, geo=geo)
            )
        clauses.append(
            _ClauseFacts(
                start=c_start,
                end=c_end,
                text=clause,
                weapons=tuple(
                    w
                    if not c_start
                    else WeaponMention(
                        w.start + c_start, w.end + c_start, w.text, w.classes, w.models, w.actor
                    )
                    for w in found
                ),
                casualty_words=casualty_words,
                attacker=attacker,
                attacker_rule=a_rule,
                anaphoric=ANAPHORA_RE.match(clause) is not None,
                place_reference=_place_reference(clause, c_start),
                binding=bind(places),
                speaker_binding=speaker_binding,
            )
        )
    if not clauses:
        return None
    return _SentenceFacts(
        clauses=tuple(clauses),
        claimant=claimants[0].name if claimants else None,
        masked=masked,
        mentions=mentions,
    )


PLACE_REFERENCE_RE = re.compile(
    r"\b(?:attacked|attacking|hit|hitting|struck|striking|targeted|targeting|on|in|over|at|"
    r"towards?|into|near)\s+the\s+(?P<adj>Russian\s+|Ukrainian\s+)?"
    r"(?P<kind>city|town|village|port|region|oblast|province|capital)\b(?!\s+of\b|')",
    re.I,
)
_CAPITALS = {"Russia": "Moscow", "Ukraine": "Kyiv"}


def _place_reference(clause: str, c_start: int) -> tuple[str, int, int] | None:
    m = PLACE_REFERENCE_RE.search(clause)
    if m is None:
        return None
    kind = m.group("kind").lower()
    if kind == "capital" and m.group("adj"):
        kind = "capital:" + ("Russia" if m.group("adj").lower().startswith("russ") else "Ukraine")
    return kind, m.start("kind") + c_start, m.end("kind") + c_start


@dataclass(frozen=True, slots=True)
class _PlaceRef:
    """A place named by reference ("the city"): duck-types a place mention for provenance."""

    start: int
    end: int
    text: str
    kind: str = "reference"


_CITY_REACH = 3  # sentences back a "the city" may point
_REGION_REACH = 6


def _referenced_place(
    ref: tuple[str, int, int],
    attacker: str | None,
    sent: str,
    mentions: Sequence,
    ctx: Context,
    sent_idx: int,
    geo: Geo,
) -> object | None:
    """The place "the city" / "the region" / "the capital" stands for: the last one of its kind
    named earlier in the sentence, else in the article's recent claims; the capital of the
    country named or of the attacker's target."""
    kind, start, _end = ref
    if kind.startswith("capital"):
        target = kind.partition(":")[2] or lx.OPPONENT.get(attacker or "", "")
        name = _CAPITALS.get(target)
        found = [m for m in geo.find(name)] if name else []
        if not found:
            return None
        cc = lx.ACTOR_COUNTRY.get(target)
        return geo.resolve(found[0], (cc,) if cc else (), [])
    want = "region" if kind in {"region", "oblast", "province"} else "city"
    for m in reversed(mentions):
        if m.end <= start and getattr(m, "kind", None) == want and m.candidates:
            place = geo.resolve(m, (), [])
            if getattr(place, "geo_precision", None) == want:
                return place
    # A region stays the subject of a report longer than a town: officials and background
    # sentences come between ("... the Ryazan governor ... said. A wave of drones attacked
    # the region").
    reach = _REGION_REACH if want == "region" else _CITY_REACH
    for c in reversed(ctx.claims):
        if sent_idx - c.sent_idx > reach:
            break
        if getattr(c.place, "geo_precision", None) == want and c.attacker in (None, attacker):
            return c.place
    return None


def _bind(
    clause: str,
    places: list[ClausePlace],
    attacker: str | None,
    a_rule: str,
    amounts: tuple[Amount, ...],
    local_weapons: Sequence[WeaponMention],
    has_attack_noun: bool,
    geo: Geo,
    scan: TextScan,
    c_start: int,
) -> _Binding:
    resolved = _resolve_places(places, attacker, geo, clause)
    target_places = [p for p in resolved if p.place is not None]
    counts = _bind_counts(
        clause, list(amounts), list(local_weapons), target_places, scan=scan, base=c_start
    )
    casualties = _bind_casualties(clause, list(amounts), target_places, scan=scan, base=c_start)
    vague_counts = frozenset(
        (a.text, a.low)
        for a in amounts
        if a.vague and any(0 <= w.start - a.end <= 6 for w in local_weapons)
    )
    attack_evidence = (
        bool(counts)
        or bool(
            (local_weapons or has_attack_noun)
            and (scan.test(ANY_ATTACK_VERB_RE, clause, c_start) or casualties or has_attack_noun)
        )
        or bool(
            # "Russia struck Kharkiv", "Kyiv said it hit the refinery in Saratov": a named actor
            # striking a named city or region is a report even when no weapon is named.
            a_rule in {"attacker:subject", "attacker:said-it"}
            and any(p.place.geo_precision != "country" for p in target_places)
            and scan.test(STRIKE_VERB_RE, clause, c_start)
        )
    )
    return _Binding(
        target_places=tuple(target_places),
        counts=tuple(counts),
        casualties=tuple(casualties),
        vague_counts=vague_counts,
        non_event=_non_event(clause, counts, casualties, scan, c_start)
        or (
            scan.test(nonevents.ANY_CLAUSE_RULE_RE, clause, c_start)
            and _table_non_event(clause, counts, casualties, local_weapons) is not None
        ),
        attack_evidence=attack_evidence,
    )


def clear_caches() -> None:
    """Forget the cached sentence analyses (and the date shapes they used)."""
    from strikes import dates

    _sentence_facts.cache_clear()
    dates.clear_caches()
    _target_facility.cache_clear()
    _implausible_in.cache_clear()


def cache_hit_rate() -> float | None:
    """The share of candidate sentences whose analysis came from the cache since the last
    `clear_caches`."""
    info = _sentence_facts.cache_info()
    total = info.hits + info.misses
    return round(info.hits / total, 3) if total else None


def _sentence_claims(
    *,
    article_id: str,
    sent_idx: int,
    sent: str,
    offset: int,
    facts: _SentenceFacts,
    ctx: Context,
    geo: Geo,
    settings: Settings,
    zone: str = "body",
) -> bool:
    """Add the sentence's claims to `ctx`; False when it made none."""
    # Read only once a clause becomes a claim (a quarter of the sentences never do).
    dates_all: list[DateMention] | None = None
    claimant = facts.claimant
    new_claims: list[Claim] = []
    for cf in facts.clauses:
        c_start, c_end, clause = cf.start, cf.end, cf.text
        weapons = cf.weapons
        casualty_words = cf.casualty_words
        attacker, a_rule = cf.attacker, cf.attacker_rule
        binding = cf.binding
        if cf.speaker_binding is not None:
            recent = ctx.claims[-1] if ctx.claims and sent_idx - ctx.last_claim_sent <= 2 else None
            if recent is None or recent.attacker != attacker:
                # "authorities in the Belgorod region said one person was killed": casualties
                # reported by a region's officials, with no other place, happened in that region.
                binding = cf.speaker_binding
        if binding.non_event:
            continue
        c_zone = zones.clause_zone(zone, sent, c_start, after_report=bool(new_claims))
        # The cached binding's tuples as they are: nothing below changes them.
        target_places = binding.target_places
        counts = binding.counts
        casualties = binding.casualties
        vague_counts = binding.vague_counts
        attack_evidence = binding.attack_evidence
        is_followup_shape = cf.anaphoric or c_start > 0
        prev = ctx.claims[-1] if ctx.claims and sent_idx - ctx.last_claim_sent <= 2 else None
        if prev is not None and facts.masked:  # no speaker span, no place a speaker names
            # "Bryansk Region Governor ... said there were no casualties": of the recent claims,
            # the one whose place the speaker speaks for.
            prev = (
                _claim_named_by_speaker(ctx.claims, prev, facts.mentions, facts.masked, geo) or prev
            )

        specific_places = [p for p in target_places if p.place.geo_precision != "country"]
        if (
            not specific_places
            and cf.place_reference is not None
            and (counts or casualties or attack_evidence)
        ):
            ref_place = _referenced_place(
                cf.place_reference, attacker, sent, facts.mentions, ctx, sent_idx, geo
            )
            if ref_place is not None:
                _kind, r_start, r_end = cf.place_reference
                ref = _PlaceRef(r_start, r_end, sent[r_start:r_end])
                cp = ClausePlace(ref, ref_place, r_start - c_start, r_end - c_start)
                # The country the clause named is the reference's own: the place replaces it.
                target_places = (cp,)
                specific_places = [cp]
        # Follow-up: no attacker and no place of its own -> details of the previous claim; so
        # is an anaphoric clause naming only parts of the previous claim's town ("the strikes
        # hit the Kyivskyi and Saltivskyi districts of the city").
        no_place_of_its_own = attacker is None and not target_places
        # "Russia's overnight strikes wounded at least 150 people" right after the strike on a
        # named town: casualties with no place of their own belong to that attack's place.
        if (
            not no_place_of_its_own
            and prev is not None
            and not target_places
            and not counts
            and casualties
            and attacker == prev.attacker
            and getattr(prev.place, "geo_precision", None) in {"city", "region"}
        ):
            if dates_all is None:
                dates_all = find_dates(sent, published=ctx.published)
            own = pick_event_date([d for d in dates_all if c_start <= d.start < c_end])
            # ... unless they are dated to another day ("attacks on Saturday killed four").
            if own is None or own.anaphoric or own.date in (None, prev.date):
                no_place_of_its_own = True
        same_town = bool(
            prev is not None
            and cf.anaphoric
            and attacker in (None, prev.attacker)
            and specific_places
            and all(_same_town(p.place, prev.place) for p in specific_places)
        )
        if prev is not None and (
            (no_place_of_its_own and (is_followup_shape or casualty_words or counts)) or same_town
        ):
            if c_zone in _OWN_FRAME_ZONES:
                continue  # a past attack recalled is not more of the current one (zones.py)
            _update(prev, counts, casualties, clause, offset, sent, claimant, article_id)
            if prev.date is not None and prev.date == ctx.last_day:
                ctx.last_day_sent = sent_idx  # still the same attack: its day carries on
            continue
        # "The attack on the refinery in the port of Tuapse ...": the previous report, placed
        # more precisely (a city inside the region or country it named).
        if (
            prev is not None
            and (cf.anaphoric or _refines_casualty_report(prev, clause, counts, casualties))
            and attacker in (None, prev.attacker)
            and len(specific_places) == 1
            and _inside_place(specific_places[0].place, prev.place)
        ):
            cp = specific_places[0]
            prev.place = cp.place
            prev.place_text = cp.mention.text
            prev.place_start = cp.start + c_start + offset
            prev.place_end = cp.end + c_start + offset
            prev.spans.append(_span("place", cp.start + c_start, cp.end + c_start, offset))
            changed_target = _target_facility(clause)
            if changed_target and prev.target is None:
                prev.target = changed_target
            prev.rules.append("place-refined")
            prev.extra_sources.append(
                {
                    "article": article_id,
                    "sentence": sent,
                    "start": offset,
                    "end": offset + len(sent),
                    "rule": "place-refined",
                }
            )
            continue
        if (
            not attack_evidence
            and casualties
            and any(p.place.geo_precision != "country" for p in target_places)
            and ctx.claims
            and sent_idx - ctx.last_claim_sent <= 3
        ):
            # "At least five people were killed in the Lviv region": in a story about an
            # attack, casualties in a named place are that attack's.
            attack_evidence = True
            a_rule = a_rule or "attacker:context"
        if not attack_evidence:
            continue
        if attacker is None:
            countries = {getattr(p.place, "country_code", None) for p in target_places}
            if len(countries) == 1:
                cc = countries.pop()
                attacker = lx.OPPONENT.get(lx.COUNTRY_ACTOR.get(cc, ""), None)
                a_rule = "attacker:opponent-of-target-country"
        if attacker is None:
            continue
        if dates_all is None:
            dates_all = find_dates(sent, published=ctx.published)
        # A date right before the clause opens it ("The attack came a day after | Russia
        # launched ..."): the separator words are no clause's.
        in_clause = [
            d
            for d in dates_all
            if c_start <= d.start < c_end or d.statement or 0 <= c_start - d.end <= 2
        ]
        if all(d.statement for d in in_clause):
            # "Russia fired 300 drones at Ukraine – with Kyiv the main target – from late
            # Wednesday to early Thursday": the sentence's date, when the clause has none.
            in_clause = dates_all
        date_m = pick_event_date(in_clause)
        date_str, date_prec, date_src = _event_date(date_m, ctx, sent_idx, dates_all, attacker)
        if c_zone == "background" and not _own_date(date_src):
            continue  # a past attack is an event only with its own date (zones.py)
        built = _build_claims(
            article_id=article_id,
            sent_idx=sent_idx,
            sent=sent,
            offset=offset,
            clause=clause,
            c_start=c_start,
            attacker=attacker,
            a_rule=a_rule,
            places=target_places,
            counts=counts,
            casualties=casualties,
            weapons=weapons,
            vague_counts=vague_counts,
            date=(date_str, date_prec, date_src),
            claimant=claimant,
            geo=geo,
            ctx=ctx,
            settings=settings,
        )
        # Same-sentence follow-up clauses ("..., adding that 63 drones were shot down").
        new_claims.extend(built)
        for c in built:
            ctx.claims.append(c)
        if built:
            ctx.last_claim_sent = sent_idx
            day = next((c for c in built if c.date_precision == "day" and c.date), None)
            if day and zone != "caption":  # a recalled attack with its own date opens a frame
                if day.date_source in _REPORT_DAY_SOURCES:
                    ctx.last_day_attacker = None  # the day of a report, either side's
                elif day.date_source not in _CARRIED_SOURCES or day.date != ctx.last_day:
                    ctx.last_day_attacker = day.attacker
                ctx.last_day, ctx.last_day_sent = day.date, sent_idx
                ctx.last_day_late = False
    # Claimant inside a later clause of the sentence applies to the sentence's claims.
    if claimant:
        for c in new_claims:
            if not c.claimed_by:
                c.claimed_by = claimant
    return bool(new_claims)


KILL_WORDS_RE = KILL_RE
# Zones whose claims stand on their own: never a follow-up of the current attack (a caption's
# date also dates nothing after it).
_OWN_FRAME_ZONES = frozenset({"background", "caption"})


def _own_date(date_src: str) -> bool:
    """Whether a claim's date came from its own sentence (not the context or the article)."""
    return date_src not in {"context", "overnight-context", "publication", "unknown"} and not (
        date_src.startswith("unresolved")
    )


def _non_event(
    clause: str, counts: list[Count], casualties: list[Casualty], scan: TextScan, base: int
) -> bool:
    if scan.test(CUMULATIVE_RE, clause, base) and not _scope_only(clause, scan, base):
        return True  # "since the start of the war": a running total, not an attack
    if counts or casualties:
        # Figures tied to a verb are a report, unless the clause is about the future.
        m = scan.search(MODAL_RE, clause, base)
        return bool(
            m
            and scan.test(ANY_ATTACK_VERB_RE, clause[m.end() :], base + m.end())
            and not casualties
        )
    if scan.test(GENERIC_RE, clause, base):
        return True
    m = scan.search(NON_EVENT_RE, clause, base)
    if m is not None and not nonevents.describes_target(clause, m.start()):
        return True
    m = scan.search(MODAL_RE, clause, base)
    return bool(m and scan.test(ANY_ATTACK_VERB_RE, clause[m.end() :], base + m.end()))


def _table_non_event(
    clause: str, counts: Sequence[Count], casualties: Sequence[Casualty], weapons: Sequence
) -> str | None:
    """The id of the nonevents.CLAUSE_RULES row that sets the clause aside, or None."""
    return nonevents.clause_rule(
        clause,
        casualties=any(c.value or c.vague for c in casualties),
        figures=bool(counts),
        air=any(c in nonevents.AIR_CLASSES for w in weapons for c in w.classes),
        gated=True,
    )


# "the largest attack since the war began", "the deadliest to date": a superlative measured
# against the war is a scope of this attack, not a running total.
_SUPERLATIVE_BEFORE_RE = re.compile(
    r"\b(?:largest|biggest|deadliest|heaviest|worst|most\s+[\w-]+|highest|record|first|"
    r"fiercest|strongest|longest|bloodiest)\b(?:[\s,]+[\w’'-]+){0,6}[\s,]*\Z",
    re.I,
)


def _scope_only(clause: str, scan: TextScan, base: int) -> bool:
    """Every running-total phrase of the clause measures a superlative."""
    return all(
        _SUPERLATIVE_BEFORE_RE.search(clause, max(0, m.start() - 80), m.start())
        for m in scan.finditer(CUMULATIVE_RE, clause, base)
    )


def _clause_places(
    sent: str,
    clause: str,
    c_start: int,
    mentions: Sequence,
    masked: Sequence[tuple[int, int]],
    scan: TextScan,
) -> list[ClausePlace]:
    out: list[ClausePlace] = []
    c_end = c_start + len(clause)
    ref_end = -1  # end of a reference place that follows the last place kept
    for m in mentions:
        if not (c_start <= m.start and m.end <= c_end):
            continue
        if _inside(m.start, m.end, masked):
            continue
        lo = max(c_start, m.start - 80)
        before = sent[lo : m.start]
        after = sent[m.end : min(c_end, m.end + 60)]
        if scan.test(DISTANCE_BEFORE_RE, before, lo) and not (
            nonevents.UNNAMED_SITE_BEFORE_RE.search(before)
        ):
            continue
        if nonevents.place_rule(before, sent[m.end : m.end + 60], m.text):
            # A speaker's place, a point of reference, a government (nonevents.py).  A
            # reference right after a listed place stays in the list: "over the Bryansk
            # region bordering Ukraine and the Moscow region".
            if out and nonevents.REFERENCE_GAP_RE.fullmatch(sent[out[-1].end + c_start : m.start]):
                ref_end = m.end
            continue
        if DISTRICT_OF_CITY_RE.match(after):
            continue  # "the Kyivskyi and Saltivskyi districts of the city": parts of a city named before
        if after[:1] == "," and APPOSITION_BEFORE_RE.search(before):
            after = after[1:]  # "Ukraine's capital, Kyiv, was hit": the verb after the apposition
        passive = TARGET_CUE_AFTER_RE.match(after) or ATTRIBUTIVE_TARGET_RE.match(after)
        if not passive and SUBJECT_POSITION_RE.match(after):
            continue  # "Russia launched ...", "Kyiv said it destroyed ...": an actor, not a target
        listed = bool(
            out
            and out[-1].end + c_start <= m.start
            and (
                LIST_GAP_RE.fullmatch(sent[out[-1].end + c_start : m.start])
                or (
                    ref_end > out[-1].end + c_start
                    and LIST_GAP_RE.fullmatch(sent[ref_end : m.start])
                )
            )
        )
        if not (passive or listed or scan.test(TARGET_CUE_BEFORE_RE, before, lo)):
            continue
        out.append(ClausePlace(m, None, m.start - c_start, m.end - c_start, before[-40:]))
    if len(out) > 1:
        named = nonevents.facility_names(clause, [(p.start, p.end) for p in out])
        out = [p for p, n in zip(out, named, strict=True) if not n]
    # "at the country", "Ukrainian territory": the target country by reference.
    for m in scan.finditer(COUNTRY_WORD_RE, clause, c_start):
        s, e = m.start() + c_start, m.end() + c_start
        if _inside(s, e, masked):
            continue
        lo = max(c_start, s - 60)
        if scan.test(TARGET_CUE_BEFORE_RE, sent[lo:s], lo):
            out.append(
                ClausePlace(_CountryRef(s, e, m.group(0), m.group("adj")), None, m.start(), m.end())
            )
    out.sort(key=lambda p: p.start)
    return out


@fast_init
@dataclass(frozen=True, slots=True)
class _CountryRef:
    start: int
    end: int
    text: str
    adj: str | None
    kind: str = "country-ref"


REGION_OF_BEFORE_RE = re.compile(r"\b(?:region|oblast|province|area)\s+of\s+(?:the\s+)?\Z", re.I)


GOVERNOR_RE = re.compile(r"\bgovernor\b", re.I)
# "The Oryol governor", "Kursk regional governor": a governor speaks for the region.
GOVERNOR_AFTER_RE = re.compile(
    r"\A(?:\s+(?:region|regional|oblast))?(?:'s|’s)?\s+(?:acting\s+)?governor\b", re.I
)
GOVERNOR_BEFORE_RE = re.compile(r"\bgovernor\s+of\s+(?:the\s+)?\Z", re.I)


def _speaker_places(
    clause: str,
    c_start: int,
    mentions: Sequence,
    masked: Sequence[tuple[int, int]],
    *,
    geo: Geo | None = None,
) -> list[ClausePlace]:
    c_end = c_start + len(clause)
    spoken = [
        m
        for m in mentions
        if c_start <= m.start
        and m.end <= c_end
        and _inside(m.start, m.end, masked)
        and getattr(m, "kind", None) in {"city", "region"}
    ]
    if len(spoken) != 1:
        return []
    m = spoken[0]
    s, e = m.start - c_start, m.end - c_start
    if (
        geo is not None
        and m.kind == "city"
        and (GOVERNOR_AFTER_RE.match(clause[e:]) or GOVERNOR_BEFORE_RE.search(clause, 0, s))
    ):
        # A governor's town is the name of the region the governor speaks for.
        region = [r for r in geo.find(f"{m.text} region") if r.kind == "region"]
        if region:
            r = region[0]
            m = type(m)(m.start, m.end, m.text, r.kind, r.candidates)
    return [ClausePlace(m, None, s, e)]


def _resolve_places(
    places: list[ClausePlace], attacker: str | None, geo: Geo, clause: str = ""
) -> list[ClausePlace]:
    target_cc = lx.ACTOR_COUNTRY.get(lx.OPPONENT.get(attacker or "", ""), None)
    prefer = (target_cc,) if target_cc else ()
    resolved: list[ClausePlace] = []
    near: list[object] = []
    for p in places:
        m = p.mention
        if isinstance(m, _CountryRef):
            cc = lx.ACTOR_COUNTRY.get(lx.ACTORS[m.adj.lower()]) if m.adj else target_cc
            place = geo.country(cc) if cc else None
        else:
            place = geo.resolve(m, prefer, near)
            if REGION_OF_BEFORE_RE.search(p.before or ""):
                # "the southern region of Kherson": the region, not the city.
                place = next(
                    (c for c in getattr(m, "candidates", ()) if c.geo_precision == "region"), place
                )
        if place is not None:
            near.append(place)
        resolved.append(ClausePlace(m, place, p.start, p.end, p.before))
    # The most specific wins: a country written next to a named city or region of its own
    # ("Mykolaiv in central Ukraine", "Russia's Belgorod region") only qualifies it.  A country
    # named as a target in its own right ("an attack on Ukraine's grid") stays.
    specific = [p for p in resolved if p.place is not None and p.place.geo_precision != "country"]
    own_cc = lx.ACTOR_COUNTRY.get(attacker or "")
    if specific and own_cc:
        # "In Sumy, near the border with Russia, ... Russian drones attacked the city": the
        # attacker's own country is a landmark there, not a target.
        resolved = [
            p
            for p in resolved
            if p.place is None
            or p.place.geo_precision != "country"
            or p.place.country_code != own_cc
        ]
    if specific:
        resolved = [
            p
            for p in resolved
            if p.place is None
            or p.place.geo_precision != "country"
            or not any(
                q.place.country_code == p.place.country_code and _qualifies(clause, p, q)
                for q in specific
            )
        ]
        # A region that contains a named city in the same clause is a qualifier too.
        cities = [p for p in resolved if p.place is not None and p.place.geo_precision == "city"]
        resolved = [
            p
            for p in resolved
            if not (
                p.place is not None
                and p.place.geo_precision == "region"
                and any(
                    c.place.admin1 == p.place.name and c.place.country_code == p.place.country_code
                    for c in cities
                )
            )
        ]
    return resolved


QUALIFIER_AFTER_RE = re.compile(
    r"\A(?:\s*,\s*|\s+in\s+(?:the\s+)?(?:(?:\w+ern|central|north|south|east|west|eastern|western)\s+)*"
    r"|\s+(?:\w+\s+){0,3}?in\s+(?:the\s+)?(?:(?:\w+ern|central)\s+)*)\Z",
    re.I,
)
QUALIFIER_BEFORE_RE = re.compile(
    r"\A(?:'s|’s)?\s+(?:(?:\w+ern|central|front-line|frontline|border|port|industrial|southern)\s+)*"
    r"(?:(?:city|town|village|region|port|oblast|province)\s+of\s+(?:the\s+)?)?\Z",
    re.I,
)


def _qualifies(clause: str, country: ClausePlace, place: ClausePlace) -> bool:
    """Whether `country` is written as a qualifier of `place` (or no clause text to tell)."""
    if not clause:
        return True
    if country.start >= place.end:
        return bool(QUALIFIER_AFTER_RE.match(clause[place.end : country.start]))
    return bool(QUALIFIER_BEFORE_RE.match(clause[country.end : place.start]))


def _same_town(a: object, b: object, *, km: float = 15.0) -> bool:
    """Two city-level places close enough to be one town (a district and its city)."""
    if getattr(a, "geo_precision", None) != "city" or getattr(b, "geo_precision", None) != "city":
        return False
    return great_circle((a.lat, a.lon), (b.lat, b.lon)).km <= km


def _claim_named_by_speaker(
    claims: list[Claim],
    prev: Claim,
    mentions: Sequence,
    masked: Sequence[tuple[int, int]],
    geo: Geo,
) -> Claim | None:
    spoken = [m for m in mentions if _inside(m.start, m.end, masked) and m.candidates]
    if not spoken:
        return None
    recent = [c for c in claims if c.sent_idx == prev.sent_idx]
    for m in spoken:
        names = {getattr(c, "name", None) for c in m.candidates[:2]}
        for c in reversed(recent):
            if getattr(c.place, "name", None) in names:
                return c
    return None


ATTACK_REFERENCE_RE = re.compile(
    r"\b(?:the|this|that)\s+(?:(?:drone|missile|deadly|overnight|morning|russian|ukrainian)\s+)?"
    r"(?:attack|strike|blast|explosion|scene)\b",
    re.I,
)


def _refines_casualty_report(
    prev: Claim, clause: str, counts: Sequence[Count], casualties: Sequence[Casualty]
) -> bool:
    """ "A drone hit a bakery in northern Ukraine, killing one man. ... the scene of the strike
    in the city of Sumy": a country- or region-level report of casualties only, placed by a
    later reference to the same attack."""
    return (
        getattr(prev.place, "geo_precision", None) in {"country", "region"}
        and prev.launched is None
        and prev.intercepted is None
        and (prev.killed is not None or prev.injured is not None)
        and not counts
        and not casualties
        and ATTACK_REFERENCE_RE.search(clause) is not None
    )


def _inside_place(inner: object, outer: object) -> bool:
    """A city inside a region, or a city or region inside a country (never the same level)."""
    ip, op = getattr(inner, "geo_precision", None), getattr(outer, "geo_precision", None)
    if getattr(inner, "country_code", None) != getattr(outer, "country_code", None):
        return False
    if op == "country":
        return ip in {"city", "region"}
    if op == "region":
        return ip == "city" and getattr(inner, "admin1", None) == getattr(outer, "name", None)
    return False


# How many sentences an article's current day carries over (a paragraph about one attack:
# a briefing names the day once, then gives the figures, the places and the quotes).
_DAY_CONTEXT_SENTENCES = 5
# A bare "overnight" takes the article's current day only when that day is the publication
# day or one of the two before (a briefing written the morning after); an older day is a
# background story's, and the night is the one before publication.
_OVERNIGHT_CONTEXT_DAYS = 2


# Dates that name when a report was made, and dates carried over from earlier sentences.
_REPORT_DAY_SOURCES = frozenset({"statement-weekday", "overnight-of-statement", "publication"})
_CARRIED_SOURCES = frozenset({"context", "overnight-context", "day-before-context"})


# Every day-precision date shape holds a weekday ("...day"), "today"/"yesterday" (found by
# str.find), a day number beside a month or an ISO date (this pattern): most sentences
# without a claim have none and are not read further (tested in the article loop, before a
# sentence is cut out of the text).
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY_HINT_RE = re.compile(
    rf"\b{_MONTH_WORD}\.?\s+\d|\d(?:st|nd|rd|th)?\s+{_MONTH_WORD}\b|\d\d-\d\d", re.I
)


def _note_date(sent: str, sent_idx: int, ctx: Context) -> None:
    """The date a sentence without claims names, as the article's current day."""
    found = find_dates(sent, published=ctx.published)
    if not found:
        return
    m = pick_event_date([d for d in found if not d.anaphoric])
    if m is not None and m.date and m.precision == "day" and m.kind != "overnight":
        ctx.last_day, ctx.last_day_sent, ctx.last_day_attacker = m.date, sent_idx, None
        ctx.last_day_late = "late" in m.text.lower()


def _event_date(
    date_m: DateMention | None,
    ctx: Context,
    sent_idx: int,
    dates_all: list[DateMention],
    attacker: str | None = None,
) -> tuple[str | None, str | None, str]:
    # The article's current day, unless it was the other side's attack (a briefing turns from
    # Russia's night on Ukraine to Ukraine's on Russia, each with its own day).
    recent_day = (
        ctx.last_day
        if sent_idx - ctx.last_day_sent <= _DAY_CONTEXT_SENTENCES
        and ctx.last_day_attacker in (None, attacker)
        else None
    )
    if date_m is not None and not date_m.anaphoric:
        if date_m.kind == "overnight":
            # "said Tuesday that Russia fired 52 drones overnight": the night before the statement.
            stmt = next((d for d in dates_all if d.statement and d.date), None)
            if stmt:
                return stmt.date, "day", "overnight-of-statement"
            if (
                recent_day
                and not ctx.last_day_late
                and _near_publication(recent_day, ctx.published)
            ):
                # "Russia attacked overnight on Saturday ... The air force said it downed 510
                # drones in the overnight attack": the night the article is about.
                return recent_day, "day", "overnight-context"
        if date_m.date is None:
            return None, None, f"unresolved:{date_m.kind}"
        return date_m.date, date_m.precision, date_m.kind
    if date_m is not None and date_m.kind == "day-before":
        base = recent_day or ctx.last_day or (ctx.published and ctx.published.isoformat())
        if base:
            return (
                (date.fromisoformat(base) - timedelta(days=1)).isoformat(),
                "day",
                "day-before-context",
            )
        return None, None, "unresolved:day-before"
    if date_m is not None and date_m.anaphoric:
        if recent_day or ctx.last_day:
            return recent_day or ctx.last_day, "day", "context"
        return None, None, "unresolved:anaphoric"
    if recent_day:
        return recent_day, "day", "context"
    if ctx.published is not None:
        return ctx.published.isoformat(), "day", "publication"
    return None, None, "unknown"


def _near_publication(day: str, published: date | None) -> bool:
    if published is None:
        return True
    d = date.fromisoformat(day)
    return published - timedelta(days=_OVERNIGHT_CONTEXT_DAYS) <= d <= published


def _span(kind: str, start: int, end: int, offset: int) -> dict:
    return {"start": start + offset, "end": end + offset, "label": kind}


_SHELLING_RE = re.compile(r"\bshelling\b", re.I)


def _build_claims(
    *,
    article_id: str,
    sent_idx: int,
    sent: str,
    offset: int,
    clause: str,
    c_start: int,
    attacker: str,
    a_rule: str,
    places: Sequence[ClausePlace],
    counts: Sequence[Count],
    casualties: Sequence[Casualty],
    weapons: Sequence[WeaponMention],
    vague_counts: frozenset[tuple[str, int]],
    date: tuple[str | None, str | None, str],
    claimant: str | None,
    geo: Geo,
    ctx: Context,
    settings: Settings,
) -> list[Claim]:
    date_str, date_prec, date_src = date
    classes: list[str] = []
    models: list[str] = []
    for w in weapons:
        for c in w.classes:
            if c not in classes:
                classes.append(c)
        for m in w.models:
            if m not in models:
                models.append(m)
    if not classes and _SHELLING_RE.search(clause):
        classes.append("artillery")
    target = _target_facility(clause)
    # What every claim of the clause shares, worked out once.
    sent_end = offset + len(sent)
    date_rule = f"date:{date_src}"
    base = offset + c_start  # clause offsets -> article offsets
    weapon_spans = [(w.start + offset, w.end + offset) for w in weapons]

    def new_claim(place_cp: ClausePlace | None, place_obj: object | None, rule: str) -> Claim:
        # The spans as _span makes them (a fresh dict each), weapons first.
        spans = [{"start": s, "end": e, "label": "weapon"} for s, e in weapon_spans]
        if place_cp is not None:
            p_start, p_end = place_cp.start + base, place_cp.end + base
            spans.append({"start": p_start, "end": p_end, "label": "place"})
            p_text = place_cp.mention.text
        else:
            p_start = p_end = p_text = None
        return Claim(
            article_id=article_id,
            sent_idx=sent_idx,
            sentence=sent,
            start=offset,
            end=sent_end,
            rules=[rule, a_rule, date_rule],
            attacker=attacker,
            date=date_str,
            date_precision=date_prec,
            date_source=date_src,
            place=place_obj,
            place_text=p_text,
            place_start=p_start,
            place_end=p_end,
            weapons=list(classes),
            weapon_models=list(models),
            claimed_by=claimant,
            target=target,
            spans=spans,
        )

    def add_count(c: Claim, cnt: Count) -> None:
        cur = getattr(c, cnt.role)
        a = cnt.amount
        setattr(c, cnt.role, (cur or 0) + a.value)
        c.spans.append({"start": a.start + base, "end": a.end + base, "label": "number"})
        if a.qualifier:
            c.vague[cnt.role] = f"{a.text}"
        _mark_bound(c, cnt.role, a)

    def add_casualty(c: Claim, cas: Casualty) -> None:
        if cas.rule and cas.rule not in c.rules:
            c.rules.append(cas.rule)
        if cas.value is not None:
            cur = getattr(c, cas.field)
            if cas.revision:
                setattr(c, cas.field, cas.value)  # the latest toll replaces, never adds
            elif cas.value == 0:
                if cur is None:
                    setattr(c, cas.field, 0)
            else:
                setattr(c, cas.field, (cur or 0) + cas.value)
            _mark_bound(c, cas.field, cas.amount)
        elif cas.vague:
            c.vague[cas.field] = cas.vague
            if cas.amount is not None:
                c.vague[f"{cas.field}_min"] = cas.amount.low  # "dozens": at least 24, never 24
        if cas.amount is not None:
            a = cas.amount
            c.spans.append({"start": a.start + base, "end": a.end + base, "label": "casualty"})

    out: list[Claim] = []
    per_place: dict[int, Claim] = {}
    # Breakdowns and per-place casualties first.
    for cnt in counts:
        if (
            cnt.place_idx is not None
            and cnt.place_idx < len(places)
            and cnt.amount.value is not None
        ):
            cp = places[cnt.place_idx]
            c = per_place.get(cnt.place_idx) or new_claim(cp, cp.place, "breakdown")
            per_place[cnt.place_idx] = c
            add_count(c, cnt)
    for cas in casualties:
        if cas.place_idx is not None and cas.place_idx < len(places):
            cp = places[cas.place_idx]
            c = per_place.get(cas.place_idx) or new_claim(cp, cp.place, "casualties-per-place")
            per_place[cas.place_idx] = c
            add_casualty(c, cas)
    rest_places = [p for i, p in enumerate(places) if i not in per_place]
    # A subset ("including 300 Shaheds") is dropped only where its whole is also counted.
    whole_roles = {c.role for c in counts if not c.subset and c.place_idx is None}
    main_counts = [
        c
        for c in counts
        if c.place_idx is None
        and c.amount.value is not None
        and not (c.subset and c.role in whole_roles)
    ]
    main_cas = [c for c in casualties if c.place_idx is None]
    specific = [p for p in rest_places if p.place.geo_precision != "country"]
    if (
        specific
        and (len(specific) > 1 or len(specific) < len(rest_places))
        and not nonevents.DAMAGE_RE.search(clause)
    ):
        # Places merely listed where drones were downed or headed are part of the tally (of
        # the country, or of the figures shared by the list); "18 drones flying towards
        # Moscow", the one place named, keeps its figures.
        transit = nonevents.transit_places(clause, [(p.start, p.end) for p in specific])
        specific = [p for p, t in zip(specific, transit, strict=True) if not t]
    countries = [p for p in rest_places if p.place.geo_precision == "country"]
    main: Claim | None = None
    if specific and countries and any(c.role != "hit" for c in main_counts):
        # "launched 549 drones at Ukraine ..., with strikes in the Lviv region": the national
        # figure is the country's; the places are places hit (casualties go with a single one).
        main = new_claim(countries[0], countries[0].place, "tally:country")
        for cnt in main_counts:
            add_count(main, cnt)
        main_counts = []
        for p in specific:
            local = new_claim(p, p.place, "strike:place-in-tally")
            if len(specific) == 1:
                for cas in main_cas:
                    add_casualty(local, cas)
                main_cas = []
            out.append(local)
    elif len(specific) == 1:
        main = new_claim(specific[0], specific[0].place, "strike:single-place")
    elif specific:
        # Several places and one set of figures: the figures go to the country, the places
        # each get a claim of their own without figures (never split a total by guesswork).
        for p in specific:
            out.append(new_claim(p, p.place, "strike:multi-place"))
        if main_counts or main_cas:
            cc = countries[0].place if countries else _common_country(specific, geo)
            if cc is not None:
                main = new_claim(countries[0] if countries else None, cc, "tally:country-of-places")
    elif countries:
        main = new_claim(countries[0], countries[0].place, "tally:country")
    elif (main_counts or main_cas or per_place) and not per_place:
        target_cc = lx.ACTOR_COUNTRY.get(lx.OPPONENT.get(attacker, ""))
        cp_obj = geo.country(target_cc) if target_cc else None
        if cp_obj is not None:
            main = new_claim(None, cp_obj, "tally:target-country")
    if main_cas and len(per_place) == 1 and not specific and not countries and not main_counts:
        # "Two people were killed and five injured in Donetsk Oblast": one place for both.
        only = next(iter(per_place.values()))
        for cas in main_cas:
            add_casualty(only, cas)
        main_cas = []
    if per_place and main_counts and main is None:
        # "60 drones were downed over several regions, including 17 over Crimea": the total is national.
        target_cc = lx.ACTOR_COUNTRY.get(lx.OPPONENT.get(attacker, ""))
        cp_obj = geo.country(target_cc) if target_cc else None
        if cp_obj is not None:
            main = new_claim(None, cp_obj, "tally:target-country")
    if main is not None:
        for cnt in main_counts:
            add_count(main, cnt)
        for cas in main_cas:
            add_casualty(main, cas)
        for text, low in sorted(vague_counts):
            main.vague.setdefault("launched", text)
            main.vague.setdefault("launched_min", low)
        out.insert(0, main)
    out.extend(per_place[i] for i in sorted(per_place))
    for c in out:
        if (
            c.launched is None
            and c.hit is not None
            and getattr(c.place, "geo_precision", None) in {"city", "region"}
        ):
            # "three missiles hit the port": weapons that hit a place were launched at it.
            c.launched = c.hit
            c.rules.append("launched:hit")
        if (
            c.place is not None
            and getattr(c.place, "geo_precision", None) == "country"
            and c.date_precision == "month"
        ):
            c.rules.append("kind:total")
        _check_plausible(c, settings)
    return out


def _common_country(places: Sequence[ClausePlace], geo: Geo) -> object | None:
    codes = {p.place.country_code for p in places}
    return geo.country(codes.pop()) if len(codes) == 1 else None


@functools.lru_cache(maxsize=1 << 14)
def _implausible_in(sentence: str) -> tuple[str, ...]:
    return tuple(find_implausible(sentence))  # (gated inside: most sentences cost one search)


def _check_plausible(c: Claim, settings: Settings) -> None:
    """Absurd figures are flagged and dropped, never stored as fact."""
    huge = _implausible_in(c.sentence) if c.sentence else ()
    if huge and "implausible:number" not in c.rules:  # "999999999999 drones", "1e9": never
        c.vague.setdefault("implausible", "; ".join(huge)[:200])  # a count; flagged here
        c.rules.append("implausible:number")
    # A figure over its limit is rare: one comparison each (a missing one as 0) decides whether
    # _flag_over needs to look ((v or 0) > limit whenever v > limit).
    limit = settings.max_plausible_count
    if (c.launched or 0) > limit or (c.intercepted or 0) > limit or (c.hit or 0) > limit:
        _flag_over(c, ("launched", "intercepted", "hit"), limit)
    limit = settings.max_plausible_casualties
    if (c.killed or 0) > limit or (c.injured or 0) > limit:
        _flag_over(c, ("killed", "injured"), limit)


def _mark_bound(c: Claim, fld: str, amount: Amount | None) -> None:
    """A sum with one lower bound in it ("more than 500 drones and 20 missiles") is one too."""
    if amount is not None and amount.lower_bound and fld not in c.bounds:
        c.bounds.append(fld)


def _flag_over(c: Claim, fields: tuple[str, ...], limit: int) -> None:
    """A figure over `limit` is dropped and flagged in `vague`."""
    for f in fields:
        v = getattr(c, f)
        if v is not None and v > limit:
            c.vague[f] = f"implausible: {v}"
            setattr(c, f, None)
            if f in c.bounds:
                c.bounds.remove(f)
            c.rules.append(f"implausible:{f}")


def _update(
    prev: Claim,
    counts: Sequence[Count],
    casualties: Sequence[Casualty],
    clause: str,
    offset: int,
    sent: str,
    claimant: str | None,
    article_id: str,
) -> None:
    """A follow-up sentence fills what the previous claim left unreported; it never overwrites."""
    changed = False
    by_role: dict[str, int] = {}
    bound: set[str] = set()  # figures of this sentence with a lower bound in their sum
    for cnt in counts:
        if cnt.subset or cnt.amount.value is None or cnt.place_idx is not None:
            continue
        by_role[cnt.role] = by_role.get(cnt.role, 0) + cnt.amount.value
        if cnt.amount.lower_bound:
            bound.add(cnt.role)
    for role, total in by_role.items():  # "288 drones and three missiles": 291 together
        if getattr(prev, role) is None:
            setattr(prev, role, total)
            if role in bound:
                prev.bounds.append(role)
            changed = True
    by_field: dict[str, int] = {}
    for cas in casualties:
        if cas.place_idx is not None:
            continue
        if cas.revision:
            continue  # below: it replaces
        if cas.value is not None:
            by_field[cas.field] = (
                by_field.get(cas.field, 0) + cas.value if cas.value else by_field.get(cas.field, 0)
            )
            if cas.amount is not None and cas.amount.lower_bound:
                bound.add(cas.field)
        elif cas.vague and getattr(prev, cas.field) is None:
            prev.vague.setdefault(cas.field, cas.vague)
            if cas.amount is not None:
                prev.vague.setdefault(f"{cas.field}_min", cas.amount.low)
            changed = True
    for fld, v in by_field.items():
        if getattr(prev, fld) is None:
            setattr(prev, fld, v)
            if fld in bound:
                prev.bounds.append(fld)
            changed = True
    for cas in casualties:
        # "Two more bodies were found, raising the toll to 9": the revised figure wins.
        if (
            cas.revision
            and cas.place_idx is None
            and cas.value is not None
            and getattr(prev, cas.field) != cas.value
        ):
            setattr(prev, cas.field, cas.value)
            prev.rules.append(cas.rule)
            changed = True
    if prev.target is None:
        t = _target_facility(clause)
        if t:
            prev.target = t
            changed = True
    if claimant and not prev.claimed_by:
        prev.claimed_by = claimant
        changed = True
    # Only a sentence that added something is a source of the claim.
    if changed:
        prev.extra_sources.append(
            {
                "article": article_id,
                "sentence": sent,
                "start": offset,
                "end": offset + len(sent),
                "rule": "followup",
            }
        )
        prev.rules.append("followup")
