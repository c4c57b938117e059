"""The vocabulary of strike reports: weapons, actors, verbs of launching, intercepting,
hitting, killing and injuring.  Data, not logic; claims.py compiles it once."""

from __future__ import annotations

# term (lower case, as a regex fragment) -> (weapon class, model name or None)
WEAPON_TERMS: dict[str, tuple[str, str | None]] = {
    r"drones?": ("drone", None),
    r"uavs?": ("drone", None),
    r"unmanned aerial vehicles?": ("drone", None),
    r"unmanned aircraft": ("drone", None),
    r"loitering munitions?": ("drone", None),
    r"quadcopters?": ("drone", None),
    r"shaheds?(?:-1\d\d|-type)?": ("drone", "Shahed"),
    r"gerans?(?:-\d)?": ("drone", "Geran"),
    r"gerberas?": ("drone", "Gerbera"),
    r"lancets?": ("drone", "Lancet"),
    r"decoys?(?: drones?)?": ("drone", "decoy"),
    r"fpv(?: drones?)?": ("drone", "FPV"),
    r"kamikaze drones?": ("drone", "kamikaze"),
    r"interceptor drones?": ("drone", "interceptor"),
    r"long-range drones?": ("drone", "long-range"),
    r"missiles?": ("missile", None),
    r"ballistic missiles?": ("missile", "ballistic"),
    r"cruise missiles?": ("missile", "cruise"),
    r"hypersonic missiles?": ("missile", "hypersonic"),
    r"guided missiles?": ("missile", "guided"),
    r"anti-aircraft missiles?": ("missile", "anti-aircraft"),
    r"iskanders?(?:-[mk])?": ("missile", "Iskander"),
    r"kinzhals?": ("missile", "Kinzhal"),
    r"kalibrs?": ("missile", "Kalibr"),
    r"kh-\d{2,3}s?": ("missile", None),  # model text kept verbatim below
    r"s-[34]00s?": ("missile", None),
    r"oniks": ("missile", "Oniks"),
    r"(?:zircons?|tsirkons?)": ("missile", "Zircon"),
    r"atacms": ("missile", "ATACMS"),
    r"storm shadows?": ("missile", "Storm Shadow"),
    r"scalps?": ("missile", "SCALP"),
    r"neptunes?": ("missile", "Neptune"),
    r"flamingos?": ("missile", "Flamingo"),
    r"rockets?": ("missile", "rocket"),
    r"glide bombs?": ("glide_bomb", None),
    r"guided (?:aerial |air )?bombs?": ("glide_bomb", None),
    r"aerial bombs?": ("glide_bomb", None),
    r"kabs?": ("glide_bomb", "KAB"),
    r"fab-\d{3,4}s?": ("glide_bomb", None),
    r"umpks?": ("glide_bomb", "UMPK"),
    r"bombs?": ("glide_bomb", None),
    r"artillery(?: shells?| fire| strikes?)?": ("artillery", None),
    r"shelling": ("artillery", None),
    r"shells": ("artillery", None),
    r"mortars?(?: shells?| fire)?": ("artillery", None),
    r"howitzers?": ("artillery", None),
    r"multiple rocket launchers?": ("artillery", "MLRS"),
    r"mlrs": ("artillery", "MLRS"),
    r"grads?": ("artillery", "Grad"),
    r"himars": ("artillery", "HIMARS"),
    r"air ?strikes?": ("aircraft", None),
    r"warplanes?": ("aircraft", None),
    r"fighter jets?": ("aircraft", None),
    r"bombers?": ("aircraft", None),
    r"helicopters?": ("aircraft", None),
}

# Words that may sit inside a weapon phrase ("Iranian-made Shahed attack drones").
WEAPON_MODIFIERS = (
    r"attack", r"strike", r"combat", r"enemy", r"hostile", r"iranian-(?:made|designed)",
    r"russian-made", r"jet-powered", r"jet", r"unmanned", r"air-launched", r"sea-launched",
    r"ground-launched", r"aeroballistic", r"precision", r"high-precision", r"explosive", r"explosive-laden",
    r"guided", r"heavy", r"small", r"large", r"various", r"types? of", r"kinds? of",
)  # fmt: skip

# Nouns naming an attack (carry the attacker as an adjective: "a Russian attack").
ATTACK_NOUNS = (
    r"attacks?", r"strikes?", r"barrages?", r"assaults?", r"bombardments?", r"onslaughts?",
    r"raids?", r"shelling", r"offensive", r"bombing", r"salvos?", r"waves?",
)  # fmt: skip

ACTORS: dict[str, str] = {
    "russia": "Russia", "russian": "Russia", "russians": "Russia", "moscow": "Russia",
    "kremlin": "Russia", "ukraine": "Ukraine", "ukrainian": "Ukraine", "ukrainians": "Ukraine",
    "kyiv": "Ukraine", "kiev": "Ukraine", "israel": "Israel", "israeli": "Israel",
    "iran": "Iran", "iranian": "Iran", "belarus": "Belarus", "belarusian": "Belarus",
}  # fmt: skip
ACTOR_COUNTRY = {"Russia": "RU", "Ukraine": "UA", "Israel": "IL", "Iran": "IR", "Belarus": "BY"}
# In this war a strike on one side's territory is, absent other signals, by the other side.
OPPONENT = {"Russia": "Ukraine", "Ukraine": "Russia"}
COUNTRY_ACTOR = {"RU": "Russia", "UA": "Ukraine"}

# Verbs whose subject is the attacker and whose objects are weapons launched or places hit.
ATTACK_VERBS = (
    r"launch(?:ed|es|ing)?", r"fir(?:ed|es|ing)", r"fire", r"sen(?:t|ds|ding)", r"unleash(?:ed|es|ing)?",
    r"struck", r"strik(?:es|ing)", r"strike", r"hit(?:s|ting)?", r"attack(?:ed|s|ing)?",
    r"target(?:ed|s|ing)?", r"pummel(?:l?ed|s|l?ing)?", r"pound(?:ed|s|ing)?",
    r"shell(?:ed|s|ing)?", r"bomb(?:ed|s|ing)", r"hammer(?:ed|s|ing)", r"batter(?:ed|s|ing)",
    r"blast(?:ed|s|ing)", r"rain(?:ed|s|ing)", r"use[ds]?", r"using", r"deploy(?:ed|s|ing)?",
    r"assault(?:ed|s|ing)", r"bombard(?:ed|s|ing)?", r"raid(?:ed|s|ing)",
)  # fmt: skip
INTERCEPT_VERBS = (
    r"shot down", r"shoot(?:s|ing)? down", r"down(?:ed|s|ing)", r"intercept(?:ed|s|ing)?",
    r"destroy(?:ed|s|ing)?", r"neutrali[sz](?:ed|es|ing|e)", r"jam(?:med|s|ming)?",
    r"suppress(?:ed|es|ing)?", r"repel(?:led|s|ling)?", r"repuls(?:ed|es|ing)",
    r"brought down", r"bring(?:s|ing)? down", r"took down", r"tak(?:en|es|ing) down",
    r"eliminat(?:ed|es|ing)", r"disabled", r"lost", r"(?:electronically )?(?:jammed|suppressed)",
)  # fmt: skip
LAUNCH_VERBS = (
    r"involv(?:ed|ing|es)", r"compris(?:ed|ing|es)",
    r"launch(?:ed|es|ing)?", r"fir(?:ed|es|ing)", r"fire", r"sen(?:t|ds|ding)",
    r"unleash(?:ed|es|ing)?", r"use[ds]?", r"using", r"deploy(?:ed|s|ing)?", r"rain(?:ed|s|ing)",
    r"attack(?:ed|s|ing)?", r"target(?:ed|s|ing)?", r"pummel(?:l?ed|s|l?ing)?",
    r"pound(?:ed|s|ing)?", r"bombard(?:ed|s|ing)?",
)  # fmt: skip
HIT_VERBS = (r"struck", r"hit", r"hits", r"reached", r"landed", r"impacted", r"slammed")

KILL_WORDS = r"kill(?:ed|ing|s)|dead|died|dying|deaths?|lives|fatalit(?:y|ies)|slain"
INJURE_WORDS = r"injur(?:ed|ing|ies|y|es)|wound(?:ed|ing|s)|hurt|hospitali[sz]ed|casualties"
PERSON_NOUNS = (
    r"people", r"persons?", r"civilians?", r"residents?", r"children", r"child(?:ren)?",
    r"kids", r"men", r"women", r"man", r"woman", r"boys?", r"girls?", r"teenagers?",
    r"others?", r"more", r"workers?", r"employees?", r"passengers?", r"rescuers?",
    r"firefighters?", r"medics?", r"police(?: officers)?", r"officers?", r"soldiers?",
    r"servicemen", r"individuals?", r"victims?", r"pensioners?", r"journalists?",
    r"minors?", r"infants?", r"babies", r"baby", r"family members", r"inhabitants",
    r"elderly(?: \w+)?",
)  # fmt: skip
PERSON_ADJECTIVES = (
    r"more", r"other", r"local", r"young", r"elderly", r"ukrainian", r"russian", r"civilian",
    r"innocent", r"further", r"additional",
)  # fmt: skip

# Facilities kept as the target of a strike.
TARGET_NOUNS = (
    r"plant", r"refinery", r"oil depot", r"fuel depot", r"depot", r"port infrastructure",
    r"port", r"infrastructure", r"power grid", r"grid", r"substation", r"power station",
    r"power plant", r"thermal power plant", r"airfield", r"air base", r"airbase", r"airport",
    r"base", r"warehouses?", r"facility", r"facilities", r"factory", r"terminal", r"radar",
    r"bridge", r"(?:apartment |residential |high-rise )?(?:building|block)s?", r"hospital",
    r"school", r"railway station", r"rail hub", r"station", r"enterprise", r"pipeline",
    r"oil terminal", r"arsenal", r"ammunition depot", r"energy facilit(?:y|ies)",
    r"energy infrastructure", r"car", r"bus", r"train", r"market", r"shopping (?:center|mall)",
    r"house", r"homes?", r"dam", r"shipyard", r"vessel", r"ship",
)  # fmt: skip

# Clause-level signs that a sentence is not a report of a strike.
NON_EVENT_WORDS = (
    r"production", r"produce[ds]?", r"producing", r"manufactur\w*", r"deals?", r"agreements?",
    r"contracts?", r"aid", r"shipments?", r"suppl(?:y|ies|ied)", r"deliver\w*", r"purchas\w*",
    r"sanctions?", r"invest\w*", r"funding", r"co-produce", r"export\w*", r"budget",
)  # fmt: skip
MODAL_WORDS = (
    r"will", r"would", r"could", r"might", r"plans? to", r"planning to", r"intends? to",
    r"threaten(?:s|ed)? to", r"vow(?:s|ed)? to", r"preparing to", r"about to", r"going to",
    r"seeks? to", r"aims? to", r"wants? to", r"capable of", r"can",
)  # fmt: skip
GENERIC_WORDS = (
    r"is growing", r"are growing", r"increasing number", r"have raced", r"has ramped up",
    r"have ramped up", r"ramped up", r"for months", r"previously", r"routinely",
    r"regularly", r"often", r"frequently", r"every night", r"nightly", r"each other",
    r"one another", r"since the start", r"since the beginning", r"throughout the war",
    r"so far this year", r"in recent (?:months|weeks)",
)  # fmt: skip

# Running totals over long periods: background, not events.
CUMULATIVE_WORDS = (
    r"since the start", r"since the beginning", r"since the full-scale invasion",
    r"since (?:february|feb\.?) 2022", r"since 2022", r"throughout the war", r"so far this year",
    r"since the war began", r"over the course of the war", r"in total since", r"to date",
)  # fmt: skip
