"""What is not a strike: named rules a person can read, consulted by the clause rules.

Two tables:

* `CLAUSE_RULES`: a clause that matches is not a strike report (ground fighting, air-raid
  alerts, airport closures, a plane crash, findings about a campaign, ...).  Each rule says
  what spares a clause from it (`unless`): its own casualties, its own figures, or an air
  weapon named in it; "never" means the clause is dropped whatever it holds.
* `PLACE_RULES`: a place named in one of these roles is not the place hit: where a speaker
  stands, a point of reference ("near St Petersburg", "the region bordering Ukraine"),
  "Moscow" standing for the Russian government.  Each has a pattern for the words before
  the place (`before`, anchored at the place) and/or after it (`after`, anchored right after).

Adding a rule is one row: an id, the pattern, one example sentence of the shape it is for,
and what it means.  tests/test_nonevents.py checks every example against its own rule, and
tests/cases/extract_nonevents.json runs whole sentences through the extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from strikes.speed.fastmatch import LiteralGate

__all__ = [
    "ANY_CLAUSE_RULE_RE",
    "CLAUSE_RULES",
    "PLACE_RULES",
    "REFERENCE_GAP_RE",
    "ClauseRule",
    "PlaceRule",
    "clause_rule",
    "place_rule",
]

# What spares a clause from a rule.
NEVER = "never"  # nothing: the clause is not a strike report
CASUALTIES = "casualties"  # its own killed / injured figures
FIGURES = "figures"  # any figure of its own (counts or casualties)
AIR = "air"  # casualties, or an air weapon (drone, missile, bomb, aircraft) named in it

AIR_CLASSES = frozenset({"drone", "missile", "glide_bomb", "aircraft"})


@dataclass(frozen=True, slots=True)
class ClauseRule:
    id: str
    pattern: re.Pattern[str]
    unless: str
    example: str
    meaning: str
    # The rule does not apply when this matches the clause before the rule's own words: "Drones
    # attacked Kyiv as the air force issued an alert" reports the attack before the alert.
    not_after: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class PlaceRule:
    id: str
    before: re.Pattern[str] | None  # searched in the words before the place; ends with \Z
    after: re.Pattern[str] | None  # matched right after the place
    example: str
    place: str  # the place in `example` that the rule sets aside
    meaning: str


def _rx(p: str) -> re.Pattern[str]:
    return re.compile(p, re.I)


_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
# An attack reported in the clause's own words ("Drones attacked Kyiv ...").
_REPORTED_ATTACK = _rx(
    r"\b(?:attacked|struck|hit|targeted|pounded|shelled|bombed|launched|fired|killed|injured|"
    r"wounded|damaged|destroyed)\b"
)
_ATTACKS = r"(?:attacks?|assaults?|offensives?|advances?|pushe?s?)"

CLAUSE_RULES: tuple[ClauseRule, ...] = (
    ClauseRule(
        "ground:assaults",
        _rx(
            r"\b(?:frontal|ground|infantry|mechani[sz]ed|localized|unsuccessful|failed)\s+"
            r"(?:\w+\s+){0,2}?(?:attacks?|assaults?|offensives?|advances?)\b"
            # "continued attacks" is ground fighting only with troops as the subject ("Russia
            # continued its attacks on the grid" is the air war).
            r"|\b(?:forces|troops|units|infantry|brigades?|soldiers)\s+(?:\w+\s+){0,3}?"
            r"(?:continu(?:ed?|es|ing)|daily|renewed|limited)\s+(?:\w+\s+){0,2}?(?:attacks?|"
            r"assaults?|offensives?|advances?)\b"
            rf"|\b{_ATTACKS}\s+(?:\w+\s+){{0,3}}?(?:toward|towards)\b"
            r"|\b(?:repel(?:led|s|ling)?|repuls(?:ed|es|ing)|halted|stopped|slowing|slowed)\s+"
            r"(?:\w+\s+){0,3}?(?:attacks?|assaults?|offensives?|advances?)\b"
        ),
        AIR,
        "Russian forces continued attacks toward Lyman but took no new ground.",
        "Ground fighting along the front: attacks and assaults by troops, not a strike.",
    ),
    ClauseRule(
        "ground:movement",
        _rx(
            r"\b(?:advanc(?:ed?|es|ing)|made\s+(?:\w+\s+){0,2}?gains|territorial\s+gains|"
            r"(?:new|any)\s+territory|bridgehead|counter-?attacks?|counter-?offensives?|"
            r"offensive\s+operations|ground\s+offensive|encircl\w+|reinforce(?:d|s|ments?)?|"
            r"regroup\w*|redeploy\w*|retreat(?:ed|s|ing)?|suffered\s+losses|"
            r"(?:captur|seiz|liberat)(?:ed|es|ing)\s+(?:\w+\s+){0,2}?(?:villages?|towns?|"
            r"settlements?|positions?)|(?:Ukrainian|Russian|enemy)\s+positions|"
            r"settlements\s+where)\b"
        ),
        AIR,
        "Russian troops advanced near Kupiansk, trying to build a bridgehead for an attack.",
        "Movement of troops (advances, gains, counterattacks): ground combat, not a strike.",
    ),
    ClauseRule(
        "ground:shelled-towns",
        _rx(
            r"\bshell(?:ed|ing)\s+(?:several|multiple|numerous|various|many|a\s+number\s+of|"
            r"dozens\s+of)\s+(?:\w+\s+)?(?:towns|villages|settlements|communities|areas)\b"
        ),
        CASUALTIES,
        "Russian forces shelled several villages in the Sumy and Chernihiv regions.",
        "Shelling of unnamed towns across regions: routine front-line fire, not a strike report.",
    ),
    ClauseRule(
        "alert",
        _rx(
            r"\bair[- ]raid\s+(?:alerts?|alarms?|sirens?|warnings?)\b|\balerts?\s+(?:was|were|"
            r"has\s+been|have\s+been)\s+(?:declared|issued|sounded)\b|\bsirens?\s+(?:sounded|"
            r"wailed|went\s+off|blared)\b|\b(?:issued|declared)\s+(?:an?\s+)?(?:\w+\s+)?alerts?\b"
        ),
        FIGURES,
        "The air force issued an air raid alert across regions including Poltava and Sumy.",
        "An air-raid alert names where drones might go, not where they struck.",
        _REPORTED_ATTACK,
    ),
    ClauseRule(
        "flights",
        _rx(
            r"\b(?:airports?|flights?|airspace)\s+(?:\w+\s+){0,3}?(?:closed|closures?|suspended|"
            r"restricted|restrictions?|halted|delayed|diverted|grounded)\b"
            r"|\b(?:closed|suspended|restricted|halted)\s+(?:\w+\s+){0,2}?(?:airports?|flights)\b"
            r"|\b(?:flight|airspace|airport)\s+restrictions\b"
        ),
        FIGURES,
        "Flights at two Moscow airports were suspended for several hours on Tuesday.",
        "Airport closures and flight restrictions on their own are not strikes.",
    ),
    ClauseRule(
        "crash",
        _rx(
            r"\b(?:jet|plane|airliner|aircraft|helicopter|airplane)s?\s+(?:\w+\s+){0,2}?"
            r"(?:crash(?:ed|es)?|went\s+down|came\s+down)\b|\b(?:plane|air|helicopter|jet)\s+crash\b"
        ),
        NEVER,
        "A passenger jet crashed near a Caspian port on Wednesday, killing 30 people.",
        "An air crash is a disaster, not a strike (whatever its casualties).",
    ),
    ClauseRule(
        "hypothetical",
        _rx(
            # Not the month: "in May Russian forces launched ..."
            r"(?<!\bin\s)(?<!\bon\s)(?<!\bby\s)(?<!\bof\s)(?<!since\s)(?<!until\s)(?<!early\s)"
            r"(?<!late\s)(?<!-)\b(?:may|might)\s+(?!\d)(?:\w+\s+){0,2}?(?:attempt|launch|strike|"
            r"attack|target|try)\b"
            r"|\bcoming\s+(?:days|weeks|months)\b"
        ),
        CASUALTIES,
        "Officials warned that Russia may launch another large attack on the capital soon.",
        "What may happen is not a report of what happened.",
    ),
    ClauseRule(
        "denied",
        _rx(
            r"\b(?:did\s+not|didn't|has\s+not|have\s+not|had\s+not)\s+(?:make|conduct|carry\s+out|"
            r"launch|mount)\s+(?:any\s+)?(?:\w+\s+)?(?:attacks?|strikes?|assaults?)\b"
            r"|\bdid\s+not\s+(?:occur|happen|take\s+place)\b|\bfalse\s+flag\b"
            r"|\b(?:deleting|deleted|retracting|retracted|withdrawing|withdrew)\s+(?:the\s+|its\s+|"
            r"their\s+)?(?:claims?|reports?|posts?)\b"
        ),
        FIGURES,
        "Russian forces did not make any confirmed attacks near Huliaipole on Monday.",
        "An attack said not to have happened, staged, or a claim taken back is not an event.",
    ),
    ClauseRule(
        "series",
        _rx(
            r"\b(?:second|third|fourth|fifth|sixth|seventh|\d+(?:st|nd|rd|th))\s+"
            r"(?:\w+\s+){0,3}?(?:strikes?|attacks?)\s+(?:\w+\s+){0,4}?in\s+(?:the\s+)?"
            r"(?:last|past)\s+(?:month|week|year|few\s+(?:weeks|months))"
        ),
        FIGURES,
        "This is the fourth drone strike in the Samara region in the past month.",
        "An attack's place in a series: a comment on earlier attacks, not a new one.",
    ),
    ClauseRule(
        "generic:campaign",
        _rx(
            r"\b(?:frequent|regular|constant|repeated|common)\s+targets?\b"
            r"|\bsystematically\b|\bcrimes\s+against\s+humanity\b"
            r"|\b(?:keeps?|kept)\s+(?:on\s+)?(?:striking|attacking|targeting|shelling|pounding)\b"
            r"|\bsince\s+" + _MONTH + r"\s+(?:last\s+year|\d{4})\b"
            r"|\b(?:during|throughout|over\s+the\s+course\s+of)\s+the\s+(?:war|conflict|invasion)\b"
        ),
        FIGURES,
        "Investigators said drone operators had systematically targeted civilians in Kherson.",
        "A statement about a campaign, a place's history or a long period: not one attack.",
        # "the largest attack on Kyiv during the war": a scope phrase, not a long period.
        _rx(r"\b(?:\w{3,}est|most|first|worst)\b"),
    ),
    ClauseRule(
        "findings",
        _rx(
            r"\b(?:commission|inquiry|investigators?|investigation|monitors?|experts?|report|"
            r"researchers?|analysts?)\s+(?:\w+\s+){0,3}?(?:documented|concluded|established|"
            r"recorded|geolocated)\b"
            r"|\bdocumented\s+(?:\w+\s+){0,3}?(?:attacks|strikes)\b"
        ),
        FIGURES,
        "The commission documented drone attacks on civilians in Kherson and nearby villages.",
        "An inquiry's findings about a campaign of attacks, not a report of one attack.",
    ),
    ClauseRule(
        "purpose",
        _rx(
            r"\b(?:aim(?:s|ed)?|intended|designed|meant)\s+to\s+(?!hit\b|strike\b)\w+"
            r"|\baimed\s+at\s+\w+ing\b"
        ),
        FIGURES,
        "Kyiv says its refinery strikes aim to starve the Russian war machine of fuel.",
        "What a campaign is for: a statement of purpose, not a report of an attack.",
    ),
    ClauseRule(
        "both-sides",
        _rx(
            r"\b(?:either|both)\s+sides?\s+of\s+the\s+(?:[\w-]+\s+){0,2}?"
            r"(?:front|frontline|front\s+line|border)\b"
        ),
        NEVER,
        "Shelling on either side of the front line killed at least eight people, officials said.",
        "Figures pooled from both sides of the front belong to no one attacker.",
    ),
)

# One pass finds every candidate rule (most clauses match none): the rules are tried one by
# one only where the combined pattern matched.
ANY_CLAUSE_RULE_RE = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in CLAUSE_RULES), re.I)
_ANY_CLAUSE_RULE = LiteralGate(ANY_CLAUSE_RULE_RE)


def clause_rule(
    clause: str, *, casualties: bool, figures: bool, air: bool, gated: bool = False
) -> str | None:
    """The id of the first rule that says `clause` is not a strike report, or None.

    `casualties`: the clause has killed/injured figures of its own; `figures`: any figure of
    its own; `air`: an air weapon is named in it.  `gated`: the caller has found that
    ANY_CLAUSE_RULE_RE matches the clause."""
    if not gated and not _ANY_CLAUSE_RULE.test(clause):
        return None
    for r in CLAUSE_RULES:
        if r.unless == CASUALTIES and casualties:
            continue
        if r.unless == FIGURES and (figures or casualties):
            continue
        if r.unless == AIR and (air or casualties):
            continue
        m = r.pattern.search(clause)
        if m is not None and not (r.not_after and r.not_after.search(clause, 0, m.start())):
            return r.id
    return None


PLACE_RULES: tuple[PlaceRule, ...] = (
    PlaceRule(
        "speaker-location",
        _rx(
            r"\b(?:speaking|spoke|speaks|talking|addressing\s+(?:\w+\s+){0,3}?|(?:was|were|is)\s+"
            r"(?:seen|pictured|photographed)|visiting|visited|told\s+(?:\w+\s+){0,2}?|"
            r"(?:news\s+)?conference|press\s+briefing|summit|meeting|talks|"
            r"(?:to|with)\s+reporters|journalists)\s+(?:\w+\s+){0,3}?(?:in|at)\s+(?:the\s+)?\Z"
        ),
        None,
        "Speaking to reporters in Lviv, the president said the strike on Dnipro killed four.",
        "Lviv",
        "Where a speaker stands or is seen is not where the attack was.",
    ),
    PlaceRule(
        "reference:near",
        # Case-sensitive: the site is named ("the Kirishi refinery near X", "the Ryazan region
        # near X"); "a village near X" names no site, and X is then the best place there is.
        re.compile(
            r"\b[A-Z][\w'’-]+\s+(?:(?:oil|fuel|chemical|power|energy|military|air)\s+)?"
            r"(?:refinery|plant|factory|depot|airfield|air\s+base|airbase|base|port|terminal|"
            r"facility|complex|region|oblast|province|krai|district|village|town)\s*,?\s+"
            r"(?:[\w'’-]+\s+){0,2}?(?:near|outside|not\s+far\s+from|close\s+to)\s+(?:the\s+)?\Z"
        ),
        None,
        "Drones set fire to the Liski fuel depot near Voronezh on Monday, the governor said.",
        "Voronezh",
        "A landmark named to locate the site ('a refinery near X') is not the place hit.",
    ),
    PlaceRule(
        "reference:border",
        _rx(
            r"\b(?:border(?:s|ed|ing)?|adjacent\s+to|neighbou?ring)\s+(?:on\s+)?(?:the\s+)?"
            r"(?:(?:\w+ern|central)\s+)?\Z"
        ),
        None,
        "Drones were downed over the Bryansk region bordering northern Ukraine.",
        "Ukraine",
        "The country or region a place borders only locates it.",
    ),
    PlaceRule(
        "reference:distance",
        _rx(
            r"\b(?:km|kilometres?|kilometers?|miles?)\)?\s*(?:\([^)]{0,30}\)\s*)?"
            r"(?:\w+\s+){0,2}?(?:of|from)\s+(?:the\s+)?\Z"
        ),
        None,
        "A drone hit a plant in a region about 300km (190 miles) east of Moscow.",
        "Moscow",
        "A distance from a place only locates the site.",
    ),
    PlaceRule(
        "metonym:government",
        None,
        _rx(
            r"\A(?:'s|’s)\s+[“\"‘]?(?:[\w-]+\s+){0,2}?(?:ceasefire|truce|proposal|demands?|position|"
            r"war|invasion|forces|troops|army|military|government|officials?|envoy|delegation|"
            r"ally|allies|plan|terms|offer|claims?|refusal|aggression|strikes?|attacks?|"
            r"assault|offensive|missiles?|drones?|potential|capabilit(?:y|ies)|capacity|economy|"
            r"war\s+machine|ability|oil\s+revenues?)\b"
            r"|\A\s+(?:has\s+|have\s+|had\s+|also\s+|again\s+|then\s+|later\s+|\w+ly\s+){0,2}"
            r"(?:said|says|claimed|claims|denied|denies|called|calls|insists|insisted|accused|"
            r"accuses|rejected|responded|warned|announced|wants|wanted|would|will|defended|"
            r"launched|fired|sent|used|targeted|struck|attacked|hit|unleashed)\b"
        ),
        "Kyiv called Moscow's three-day ceasefire a farce.",
        "Moscow",
        "'Moscow' as the Russian government's name (Moscow said, Moscow's ceasefire).",
    ),
    PlaceRule(
        "supplied-by",
        _rx(r"\b(?:by|from)\s+the\s+(?:regime|government|authorities|leadership)\s+in\s+\Z"),
        None,
        "The missile that hit Kharkiv had been supplied by the regime in Pyongyang.",
        "Pyongyang",
        "A government named by its capital is an actor, not a place hit.",
    ),
)


# Between a place and a reference to it: "the Bryansk region bordering northern Ukraine".
REFERENCE_GAP_RE = re.compile(
    r"\s*,?\s*(?:border(?:s|ed|ing)?|adjacent\s+to|neighbou?ring|near|outside|close\s+to)\s+"
    r"(?:on\s+)?(?:the\s+)?(?:(?:\w+ern|central)\s+)?",
    re.I,
)


def place_rule(before: str, after: str, place_text: str) -> str | None:
    """The id of the first rule that sets the place aside, or None.  `before` ends right at
    the place, `after` starts right after it."""
    if _ANY_BEFORE.test(before) or _NEAR_BEFORE.test(before):
        for r in PLACE_RULES:
            if r.before is not None and r.before.search(before):
                return r.id
    if place_text.lower() in _METONYM_CAPITALS:
        for r in PLACE_RULES:
            if r.after is not None and r.after.match(after):
                return r.id
    return None


# The `before` patterns behind literal gates (strikes.speed.fastmatch: same answers, less work).
_ANY_BEFORE = LiteralGate(
    re.compile(
        "|".join(
            f"(?:{r.before.pattern})"
            for r in PLACE_RULES
            if r.before is not None and r.before.flags & re.I
        ),
        re.I,
    )
)
_NEAR_BEFORE = LiteralGate(next(r.before for r in PLACE_RULES if r.id == "reference:near"))

# Capitals that stand for their government in news prose.  Kyiv is deliberately absent: it is
# also the most-struck city, and "Kyiv's" is as often the city's as the government's.
_METONYM_CAPITALS = frozenset({"moscow", "the kremlin", "kremlin", "minsk", "tehran", "pyongyang"})


# Places merely listed where drones were downed or headed ("downed over the Kursk, Oryol and
# Bryansk regions", "drones aimed at Kyiv"): part of the tally, not places hit.
TRANSIT_BEFORE_RE = re.compile(
    # "over several Russian regions and the annexed region of Crimea"
    r"\bover\s+(?:several|multiple|various|a\s+number\s+of|\d+)?\s*(?:[\w-]+\s+)?(?:regions|"
    r"oblasts|provinces|areas)\s*(?:,|and|as\s+well\s+as)\s+(?:the\s+)?(?:(?:annexed|occupied)\s+)?"
    r"(?:(?:region|peninsula)\s+of\s+)?\Z|"
    r"\b(?:over|above|aimed\s+at|heading\s+(?:for|to|towards?)|headed\s+(?:for|to|towards?)|"
    r"flying\s+(?:to|towards?|in\s+the\s+direction\s+of)|en\s+route\s+to|approaching)\s+"
    r"(?:the\s+)?(?:(?:\w+ern|central|annexed|occupied)\s+)?(?:(?:region|city)\s+of\s+)?\Z",
    re.I,
)
_TRANSIT_LIST_GAP_RE = re.compile(
    r"(?:\s+(?:region|oblast|province|regions|oblasts))?(?:\s*,?\s*(?:bordering|near|adjacent\s+to)"
    r"\s+[\w\s'’-]{1,30}?)?\s*(?:,|,?\s+and|,?\s+or|,?\s+as\s+well\s+as)\s+(?:the\s+)?(?:over\s+)?",
    re.I,
)
# Signs that a place in the clause was hit after all: damage, fire, casualties.
DAMAGE_RE = re.compile(
    r"\b(?:hit|struck|damag\w*|fires?|blaze|ablaze|burn\w*|explosions?|blasts?|debris|"
    r"fragments|wreckage|killed|injured|wounded|dead|casualties|impact\w*|crashed\s+into)\b",
    re.I,
)


_OWN_COUNT_RE = re.compile(
    r"\b(?:including|of\s+(?:them|which|those|these)|among\s+them)\s+(?:(?:about|around|some|"
    r"nearly|almost|roughly|at\s+least|over|more\s+than)\s+)?(?:\d[\d,]*|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|a\s+dozen|dozens)\s+(?:[\w-]+\s+){0,2}?(?:(?:were|was)\s+)?\Z"
    # "20 over Crimea and 10 over Kursk": a breakdown figure right before the place's cue.
    r"|(?:\b\d[\d,]*|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
    r"(?:more\s+|of\s+them\s+)?(?:(?:were|was)\s+)?\Z",
    re.I,
)


def transit_places(clause: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each place span (clause offsets, in order): whether it is only where drones were
    downed or headed, or listed right after such a place."""
    out: list[bool] = []
    prev_end = None
    for start, end in spans:
        m = TRANSIT_BEFORE_RE.search(clause, max(0, start - 60), start)
        # "about 20 headed towards Moscow": a count of its own, not a listed place.
        transit = m is not None and not _OWN_COUNT_RE.search(
            clause, max(0, m.start() - 50), m.start()
        )
        if not transit and out and out[-1] and prev_end is not None:
            transit = _TRANSIT_LIST_GAP_RE.fullmatch(clause, prev_end, start) is not None
        out.append(transit)
        prev_end = end
    return out


# A strike reported before a word of trade or industry: the word describes the target ("hit
# a battery-manufacturing plant", "struck the Kronstadt plant, which produces drones").
_STRIKE_BEFORE_RE = re.compile(
    r"(?<!\bto\s)\b(?:struck|hit|targeted|attacked|bombed|shelled)\b"
    r"|\b(?:attack|strike|strikes|attacks)\s+on\b(?!\s+(?:\w+\s+){0,3}?(?:supply|supplies)\s+lines?)",
    re.I,
)


_UTILITY_SUPPLY_RE = re.compile(
    r"suppl\w*\s+of\s+(?:(?:heat|hot\s+water|water|power|electricity|gas|energy)\b(?:\s+and\s+)?)+",
    re.I,
)
_SUPPLY_LINES_RE = re.compile(r"suppl\w*\s+(?:lines?|routes?|chains?)\b", re.I)


def describes_target(clause: str, word_start: int) -> bool:
    """Whether the non-event word at `word_start` (production, supply, ...) only describes the
    target of a strike the clause reports before it."""
    if _SUPPLY_LINES_RE.match(clause, word_start):
        return False  # "targeted supply lines": the war's logistics, not a named site
    if _UTILITY_SUPPLY_RE.match(clause, word_start):
        return True  # "restricted the supply of heat after drones hit a pipeline": the damage
    return _STRIKE_BEFORE_RE.search(clause, 0, word_start) is not None


# "Russia's Kronstadt plant, which produces drones in the town of Dubna": a place name used as
# a facility's name, when the clause gives the facility's town as "in the town of Y".
_FACILITY_AFTER_RE = re.compile(
    r"(?:'s|’s)?\s+(?:(?:oil|fuel|chemical|power|drone|missile|aircraft|arms|defen[cs]e)\s+)?"
    r"(?:plant|factory|works|refinery|facility|enterprise|complex)\b",
    re.I,
)
_TOWN_OF_BEFORE_RE = re.compile(
    r"\bin\s+the\s+(?:\w+\s+)?(?:town|city|village|settlement)\s+of\s+\Z", re.I
)


def facility_names(clause: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each place span (clause offsets): whether it only names a facility whose town the
    clause names elsewhere ("the Kronstadt plant ... in the town of Dubna")."""
    town_given = any(_TOWN_OF_BEFORE_RE.search(clause, max(0, s - 40), s) for s, _e in spans)
    if not town_given:
        return [False] * len(spans)
    return [
        bool(_FACILITY_AFTER_RE.match(clause, e))
        and not _TOWN_OF_BEFORE_RE.search(clause, max(0, s - 40), s)
        for s, e in spans
    ]


# "a village north of Pokrovsk": an unnamed settlement is placed at the town it is named by
# (no distance given); "300km east of Moscow" stays a reference (PLACE_RULES).
UNNAMED_SITE_BEFORE_RE = re.compile(
    r"\b(?:a|an|the|one)\s+(?:small\s+|frontline\s+|front-line\s+|nearby\s+)?(?:village|town|"
    r"settlement|hamlet|community|suburb)\s+(?:just\s+|immediately\s+)?(?:north|south|east|west|"
    r"northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)"
    r"(?:ern)?\s+of\s+(?:the\s+)?\Z",
    re.I,
)
