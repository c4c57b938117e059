"""Finding and resolving place names in text, and a geopy-style geocoder over the gazetteer.

`find_places` scans a text once with an Aho-Corasick automaton over every normalised gazetteer
name (built once per index and cached), keeps the longest matches on word boundaries, merges
region phrases ("the Rostov region", "Kyiv Oblast", "Republic of Tatarstan") and drops what is
not a place here: lowercase words, common English words, person names and the words around them
("Gov. Vitaliy Kim", "Kim Jong Un", "Vladimir Putin"), "Moscow time", "Kiel Institute".
Unknown capitalised words of 5+ letters get a conservative fuzzy match (misspellings such as
"Zaporizhzia").

`resolve` picks one candidate using the article's countries and the places near the mention.

`OfflineGeocoder` answers geopy's `geocode(query, exactly_one=True)` from the gazetteer;
`make_geocoder` adds geopy's Nominatim behind a RateLimiter and an on-disk cache when
`settings.online_geocoding` is on (off by default: nothing here touches the network unless
asked to).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strikes.errors import GeocodeError
from strikes.geo import aliases as A
from strikes.geo.gazetteer import (
    F_BLOCKED,
    F_CONTEXT,
    F_PHRASE,
    Gazetteer,
    Place,
    common_words,
    fold,
    normalize,
)
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.speed.frozen import fast_init
from strikes.vocab import PLACE_KINDS

KINDS = PLACE_KINDS


@fast_init
@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int  # offsets into the text given to find_places
    end: int
    text: str  # the full mention: "the Rostov region", "Kyiv Oblast", "Izhevsk"
    kind: str  # "city" | "region" | "country" | "unknown"
    candidates: tuple[Place, ...]  # best first


@fast_init
@dataclass(frozen=True, slots=True)
class GeoContext:
    country_codes: tuple[str, ...] = ()  # countries the text is about, most relevant first
    near: tuple[Place, ...] = ()  # other places resolved nearby in the text


# --- Scanning -------------------------------------------------------------------------------

_CONNECTORS = frozenset(
    {"on", "na", "nad", "upon", "de", "del", "di", "da", "la", "le", "am", "an", "der", "im"}
    | {"pod", "sur", "and", "of", "the", "en", "au", "aux", "du", "des", "y", "i", "s", "e"}
)
_REGION_TOKENS = frozenset(
    {"oblast", "region", "province", "krai", "kray", "republic", "territory", "okrug"}
    | {"autonomous", "district", "governorate", "voivodeship", "county", "city"}
)
_PLACE_PREPS = frozenset(
    {"in", "near", "over", "at", "from", "to", "outside", "around", "of", "into", "toward"}
    | {"towards", "village", "town", "city", "settlement", "port", "hit", "struck", "shelled"}
)
_REGION_AFTER_RE = re.compile(
    r"[ \t]+(oblast|Oblast|region|Region|province|Province|krai|Krai|kray|Kray)\b"
)
_NEXT_TOKEN_RE = re.compile(r"[ \t]+(\S+)")
_THE_RE = re.compile(r"(?:^|(?<=\s))([Tt]he)[ \t]+$")
_POSSESSIVE_RE = re.compile(r"^['’]s\b")
_CAP_TOKEN_RE = re.compile(r"[A-Z][^\W\d_]{4,}(?:-[^\W\d_]+)*")
# The same on ASCII text, where a letter ([^\W\d_]) is [A-Za-z]: plain ranges instead of
# Unicode category tests (about a quarter faster).
_CAP_TOKEN_ASCII_RE = re.compile(r"[A-Z][A-Za-z]{4,}(?:-[A-Za-z]+)*")
_REGION_WORD_RE = re.compile(
    r"[ \t](?:region|Region|oblast|Oblast|krai|Krai|province|Province)(?![\w-])"
)
_UNKNOWN_REGION_RE = re.compile(
    r"(?<![\w'’-])((?:[Tt]he[ \t]+)?((?:[A-Z][^\W\d_'’]+[ \t-]+){0,2}[A-Z][^\W\d_'’]+))$"
)
_FEATURE_OF_RE = re.compile(r"\b(?:Sea|Gulf|Bay|Strait|Lake|Isle|Port)[ \t]+of[ \t]+$")
_PLURAL_REGION_RE = re.compile(r"[ \t]+(?:regions|oblasts|provinces|Regions|Oblasts)\b")
_LIST_SEP_RE = re.compile(r"(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+)")
_TRAILING_PUNCT = ".,;:!?)]}\"'’”"
_ABBREV_RE = re.compile(r"(?:[A-Z]\.)+[A-Z]")


class _Scanner:
    """The automaton over all normalised names of one gazetteer, and fuzzy-match memo."""

    def __init__(self, gaz: Gazetteer) -> None:
        import ahocorasick

        self.gaz = gaz
        auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        keys = gaz.keys
        for i, key in enumerate(keys):
            auto.add_word(f" {key} ", i)
        # value -> (key id, length of the matched form); forms with inner runs of spaces
        # ("st  petersburg" for "St. Petersburg") map to their key.
        self.lengths = [len(k) for k in keys]
        self.kid = list(range(len(keys)))
        for form, kid in gaz.scan_variants:
            auto.add_word(f" {form} ", len(self.kid))
            self.kid.append(kid)
            self.lengths.append(len(form))
        auto.make_automaton()
        self.auto = auto
        self.common = common_words(str(gaz.path.parent)) if gaz.path else common_words()
        self.fuzzy_memo: dict[str, int | None] = {}
        self.proper_memo: dict[str, bool] = {}
        self.cand_memo: dict[int, tuple[Place, ...]] = {}
        self.token_memo: dict[str, tuple[Place, ...]] = {}
        self.no_place_tokens: set[str] = set()  # the tokens of token_memo with no candidate

    def candidates(self, kid: int) -> tuple[Place, ...]:
        c = self.cand_memo.get(kid)
        if c is None:
            c = self.cand_memo[kid] = tuple(self.gaz.candidates(kid))
        return c


def _scanner(gaz: Gazetteer) -> _Scanner:
    sc = gaz.__dict__.get("_scanner")
    if sc is None:
        sc = _Scanner(gaz)
        gaz.__dict__["_scanner"] = sc
    return sc


def _capitalised(span: str) -> bool:
    if not span[:1].isupper():
        return False
    if span.isalpha():
        return True
    for t in re.findall(r"[^\W_]+", span)[1:]:
        if not (t[0].isupper() or t[0].isdigit()):
            low = t.lower()
            if low not in _CONNECTORS and low not in _REGION_TOKENS:
                return False
    return True


def _prev_token(text: str, start: int) -> str | None:
    """The word before text[start], if only blanks separate them (same line)."""
    j = start
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    if j == start or j == 0 or text[j - 1].isspace():
        return None
    # The last blank before j; a newline or tab can only be later within the word found.
    i = text.rfind(" ", 0, j)
    word = text[i + 1 : j]
    if "\n" in word or "\t" in word:
        i = max(i, text.rfind("\n", i + 1, j), text.rfind("\t", i + 1, j))
        word = text[i + 1 : j]
    return word


def _next_token(text: str, end: int) -> str | None:
    m = _NEXT_TOKEN_RE.match(text, end, end + 40)
    return m.group(1) if m else None


def _is_proper_unknown(token: str | None, gaz: Gazetteer, sc: _Scanner) -> bool:
    """A capitalised word that is no place, title or ordinary word: part of a proper name."""
    if not token or not token[0].isupper():
        return False
    memo = sc.proper_memo
    hit = memo.get(token)
    if hit is None:
        hit = memo[token] = _proper_unknown(token, gaz, sc)
    return hit


_INFLECTIONS = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
)


def _is_common(word: str, common: frozenset[str]) -> bool:
    """An ordinary English word, inflected forms included ("signs", "airports", "killed")."""
    if word in common:
        return True
    for suffix, repl in _INFLECTIONS:
        if (
            len(word) > len(suffix) + 2
            and word.endswith(suffix)
            and word[: -len(suffix)] + repl in common
        ):
            return True
    return False


def _proper_unknown(token: str, gaz: Gazetteer, sc: _Scanner) -> bool:
    if token in A.TITLES:
        return False
    word = token.rstrip(_TRAILING_PUNCT)
    word = re.sub(r"['’]s$", "", word)
    key = normalize(word)
    if not key or key in _REGION_TOKENS or key in _CONNECTORS:
        return False
    if key in A.GIVEN_NAMES or key in A.PERSON_NAMES:
        return True
    if _is_common(key, sc.common) or key in A.NOT_PLACES or key in A.WEEKDAYS_MONTHS:
        return False
    for part in key.split():
        if _is_common(part, sc.common) or part in A.NOT_PLACES or part in _CONNECTORS:
            return False  # "Russian-occupied", "Moscow-installed"
        kid = gaz.key_index.get(part)
        if kid is not None and not gaz.key_flags[kid] & F_BLOCKED:
            return False
    return True


def _ends_clause(token: str) -> bool:
    return token[-1] in _TRAILING_PUNCT and token not in A.TITLES


def _person_or_org(
    text: str, start: int, end: int, kind: str, key: str, gaz: Gazetteer, sc: _Scanner
) -> bool:
    """True if the name at text[start:end] is (part of) a person's or an organisation's name."""
    prev = _prev_token(text, start)
    if prev is not None and not _ends_clause(prev):
        if prev in A.TITLES or prev in A.ORG_NOUNS_BEFORE:
            return True
        if prev == "of" and _FEATURE_OF_RE.search(text, max(0, start - 20), start):
            return True  # "Sea of Azov", "Gulf of Finland"
        if _is_proper_unknown(prev, gaz, sc):
            return True
    if _POSSESSIVE_RE.match(text, end):
        return False
    if end < len(text) and text[end] not in " \t":
        return False  # punctuation right after the name: nothing follows it
    nxt = _next_token(text, end)
    if nxt is None:
        return False
    word = nxt.rstrip(_TRAILING_PUNCT)
    if word in A.ORG_NOUNS_AFTER or word in A.NOUNS_AFTER_LOWER:
        return True
    if kind == "city" and word in A.FEATURE_NOUNS_AFTER:
        return True  # "Dnipro River", "Azov Sea": a feature named after the town
    chain = kind == "city" or (kind == "country" and key in A.GIVEN_NAMES)
    return chain and _is_proper_unknown(word, gaz, sc)


def _place_context(text: str, start: int, end: int) -> bool:
    prev = _prev_token(text, start)
    if prev is not None and prev.lower() in _PLACE_PREPS:
        return True
    after = text[end : end + 40]
    return bool(_REGION_AFTER_RE.match(after) or re.match(r",[ \t]+[A-Z]", after))


def _kind(cands: tuple[Place, ...]) -> str:
    return cands[0].geo_precision if cands else "unknown"


def find_places(text: str, *, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Place mentions in `text`, in text order (see the module docstring)."""
    if not text:
        return []
    gaz = gazetteer
    sc = _scanner(gaz)
    folded = fold(text)
    if len(folded) != len(text):  # pragma: no cover - fold is length-preserving
        raise GeocodeError("internal: text folding changed the text length")
    keys = gaz.keys
    flags = gaz.key_flags
    lengths, kids = sc.lengths, sc.kid

    # 1. every capitalised name occurrence on word boundaries
    raw: list[tuple[int, int, int]] = []
    for end_idx, v in sc.auto.iter(f" {folded} "):
        # " form " ends at end_idx of the padded text: the form is text[end-n-1 : end-1]
        s = end_idx - lengths[v] - 1
        c = text[s]
        if c.isupper() or c.isdigit():
            raw.append((s, end_idx - 1, kids[v]))
    # 2. longest first, non-overlapping (one name needs no choosing)
    chosen = _longest_first(raw, len(text)) if len(raw) > 1 else raw

    mentions: list[PlaceMention] = []
    # What names and mentions cover: a bytearray made only when a later pass asks (most
    # sentences have no unknown region phrase and no unknown capitalised word).
    spans: list[tuple[int, int]] = []
    for start, end, kid in chosen:
        if mentions and start < mentions[-1].end:
            continue  # swallowed by the previous mention's region word
        spans.append((start, end))
        if not _capitalised(text[start:end]):
            continue
        f = flags[kid]
        key = keys[kid]
        if f & F_BLOCKED and not (f & F_CONTEXT and _place_context(text, start, end)):
            continue
        cands = sc.candidates(kid)
        kind = _kind(cands)
        if kind != "region" or not f & F_PHRASE:
            # "Kharkiv oblast" where no phrase key matched: merge through the region word
            m = _REGION_AFTER_RE.match(text, end)
            if m:
                reg = gaz.region(key)
                if reg is not None:
                    cands = (reg,)
                    kind = "region"
                    end = m.end()
        if _person_or_org(text, start, end, kind, key, gaz, sc):
            continue
        if kind == "region":
            m = _THE_RE.search(text, max(0, start - 5), start)
            if m:
                start = m.start(1)
        elif (
            kind == "country"
            and _ABBREV_RE.fullmatch(text, start, end)
            and text[end : end + 1] == "."
        ):
            end += 1  # "U.S." keeps its final period
        spans.append((start, end))
        mentions.append(PlaceMention(start, end, text[start:end], kind, cands))

    # 3. unknown region phrases and misspellings
    covered: bytearray | None = None

    def free(s: int, e: int) -> bool:
        nonlocal covered
        if covered is None:
            covered = bytearray(len(text) + 1)
            for a, b in spans:
                covered[a:b] = b"\x01" * (b - a)
        return covered.find(1, s, e) < 0

    def cover(s: int, e: int) -> None:
        if covered is None:
            spans.append((s, e))
        else:
            covered[s:e] = b"\x01" * (e - s)

    region_words = _region_words(text, folded)
    for rm in region_words:
        m = _UNKNOWN_REGION_RE.search(text, max(0, rm.start() - 80), rm.start())
        if m is None:
            continue
        s, e = m.start(1), rm.end()
        if not free(s, e):
            continue
        base = m.group(2)
        if normalize(base) in sc.common or normalize(base) in A.NOT_PLACES:
            continue
        reg = [p for p in _fuzzy(base, gaz, sc) if p.geo_precision == "region"]
        mentions.append(
            PlaceMention(s, e, text[s:e], "region" if reg else "unknown", tuple(reg[:1]))
        )
        cover(s, e)

    # A capitalised word with no fuzzy candidate is skipped whatever its position: when every
    # such word of the text is known to be one, the pass has nothing to do.
    no_place = sc.no_place_tokens
    cap_re = _CAP_TOKEN_ASCII_RE if text.isascii() else _CAP_TOKEN_RE
    if not no_place.issuperset(cap_re.findall(text)):
        for m in cap_re.finditer(text):
            token = m.group()
            if token in no_place:
                continue
            if token not in sc.token_memo and _never_fuzzy(normalize(token), gaz, sc):
                sc.token_memo[token] = ()  # what _fuzzy gives it, without a fuzzy search
                no_place.add(token)
                continue
            s, e = m.span()
            if (s and (text[s - 1].isalnum() or text[s - 1] in "'’-")) or not free(s, e):
                continue
            if e < len(text) and (text[e].isalnum() or text[e] == "_"):
                continue
            cands = sc.token_memo.get(token)
            if cands is None:
                cands = sc.token_memo[token] = tuple(_fuzzy(token, gaz, sc))
                if not cands:
                    no_place.add(token)
            if not cands:
                continue
            kind = _kind(cands)
            if _person_or_org(text, s, e, kind, normalize(token), gaz, sc):
                continue
            mentions.append(PlaceMention(s, e, text[s:e], kind, cands))
            cover(s, e)

    if len(mentions) > 1:
        mentions.sort(key=lambda m: m.start)
    if "istrict" in folded or "raion" in folded:
        _district_centres(text, mentions, gaz, sc)
    if mentions and _may_have_plural_region(text):
        _plural_regions(text, mentions, gaz)
    if len(sc.token_memo) > 200_000:
        sc.token_memo.clear()
        sc.no_place_tokens.clear()
        sc.proper_memo.clear()
    return mentions


# "the Kalachevsky district", "Samarivskyi raion": a district named by the adjective of its
# administrative centre.  The stem is the centre's name, or the start of it.
_DISTRICT_ADJ_RE = re.compile(
    r"\b([A-Z][a-z]{3,}?)(?:[iy]?[eoi]?v?s['’]?k[iy]?[iy]?|[eo]?vs?k[iy]{1,2}|s['’]?k[iy]{1,2})"
    r"[ \t]+(?:[Mm]unicipal[ \t]+)?(?:[Dd]istrict|[Rr]aion)\b"
)
_REGION_NEXT_CHARS = 60
_CITY_OF_RE = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?(?:(?:city|town|port)[ \t]+of[ \t]+)?")
# A centre found with no region named beside it must be a town of some size.
_CENTRE_MIN_POP = 20_000


def _sorted_keys(sc: _Scanner) -> list[str]:
    keys = sc.__dict__.get("sorted_keys")
    if keys is None:
        keys = sorted(sc.gaz.keys)
        sc.__dict__["sorted_keys"] = keys
    return keys


def _district_centre(stem: str, region: Place | None, sc: _Scanner) -> Place | None:
    """The town named `stem` (or starting with it) inside `region`; with no region, only a
    town of `_CENTRE_MIN_POP`+ in Ukraine or Russia called exactly `stem`."""
    gaz = sc.gaz
    key = normalize(stem)
    if region is None:
        kid = gaz.key_index.get(key)
        towns = [
            p
            for p in (sc.candidates(kid) if kid is not None else ())
            if p.geo_precision == "city"
            and p.country_code in ("UA", "RU")
            and p.population >= _CENTRE_MIN_POP
        ]
        named = [p for p in towns if normalize(p.name) == key]
        return named[0] if len(named) == 1 else towns[0] if len(towns) == 1 else None
    keys = _sorted_keys(sc)
    best: Place | None = None
    for i in range(
        bisect.bisect_left(keys, key), min(len(keys), bisect.bisect_left(keys, key) + 3000)
    ):
        k = keys[i]
        if not k.startswith(key):
            break
        for p in sc.candidates(gaz.key_index[k]):
            if (
                p.geo_precision == "city"
                and p.country_code == region.country_code
                and p.admin1 == region.name
                and (best is None or p.population > best.population)
            ):
                best = p
    return best


def _district_centres(
    text: str, mentions: list[PlaceMention], gaz: Gazetteer, sc: _Scanner
) -> None:
    """ "the Kalachevsky district of the Volgograd region" -> Kalach-na-Donu (city)."""
    for m in _DISTRICT_ADJ_RE.finditer(text):
        s, e = m.start(), m.start() + len(m.group(0).split()[0])
        at = [i for i, x in enumerate(mentions) if x.start < e and s < x.end]
        city = _CITY_OF_RE.match(text, m.end())
        if city and any(x.start == city.end() and x.kind == "city" for x in mentions):
            # "the Solomyanskyi district of Kyiv": a part of the city named next.
            for i in reversed(at):
                del mentions[i]
            continue
        region = next(
            (
                c
                for x in mentions
                if e < x.start <= m.end() + _REGION_NEXT_CHARS and x.kind == "region"
                for c in x.candidates[:1]
            ),
            None,
        )
        if at and (
            region is None
            or len(at) > 1
            or any(c.admin1 == region.name for c in mentions[at[0]].candidates)
        ):
            continue  # a name the gazetteer knows, in the region named
        town = _district_centre(m.group(1), region, sc)
        if town is None:
            continue
        new = PlaceMention(s, e, text[s:e], "city", (town,))
        if at:
            mentions[at[0]] = new
        else:
            mentions.append(new)
            mentions.sort(key=lambda x: x.start)


def _longest_first(raw: list[tuple[int, int, int]], n: int) -> list[tuple[int, int, int]]:
    """The longest names first, then the leftmost, skipping any that overlaps one taken; in
    text order."""
    raw.sort(key=lambda t: (t[0] - t[1], t[0]))
    occupied = bytearray(n + 1)
    chosen: list[tuple[int, int, int]] = []
    for s, e, kid in raw:
        if occupied.find(1, s, e) >= 0:
            continue
        occupied[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, kid))
    chosen.sort()
    return chosen


_REGION_WORDS_FOLDED = (" region", " oblast", " krai", " province")


def _region_words(text: str, folded: str) -> list[re.Match[str]]:
    """`list(_REGION_WORD_RE.finditer(text))`, tried only where the folded text (blanks as
    spaces, lowercase) has a space and a region word: a few str.find calls instead of a
    regex test at every character.  Matches cannot overlap (a blank and one word each)."""
    at: list[int] = []
    for word in _REGION_WORDS_FOLDED:
        i = folded.find(word)
        while i >= 0:
            at.append(i)
            i = folded.find(word, i + 1)
    if not at:
        return []
    if len(at) > 1:
        at.sort()
    return [m for i in at if (m := _REGION_WORD_RE.match(text, i))]


def _may_have_plural_region(text: str) -> bool:
    """False only if `_PLURAL_REGION_RE` cannot match `text`."""
    return "egions" in text or "blasts" in text or "provinces" in text


def _plural_regions(text: str, mentions: list[PlaceMention], gaz: Gazetteer) -> None:
    """ "the Kursk and Belgorod regions", "Kharkiv, Sumy and Chernihiv oblasts": all regions."""
    i = len(mentions) - 1
    while i >= 0:
        if not _PLURAL_REGION_RE.match(text, mentions[i].end):
            i -= 1
            continue
        j = i
        while j > 0 and _LIST_SEP_RE.fullmatch(text, mentions[j - 1].end, mentions[j].start):
            j -= 1
        for k in range(j, i + 1):
            m = mentions[k]
            if m.kind == "region" or m.kind == "country":
                continue
            reg = gaz.region(m.text)
            if reg is not None:
                mentions[k] = PlaceMention(m.start, m.end, m.text, "region", (reg,))
        i = j - 1


def _fuzzy(token: str, gaz: Gazetteer, sc: _Scanner) -> list[Place]:
    key = normalize(token)
    if len(key) < 5:
        return []
    if key in sc.fuzzy_memo:
        kid = sc.fuzzy_memo[key]
    else:
        kid = None if _never_fuzzy(key, gaz, sc) else gaz._fuzzy_match(key, gaz.fuzzy_threshold)
        if kid is None and "g" in key and not _never_fuzzy(key, gaz, sc):
            kid = _ukrainian_h(key, gaz)
        sc.fuzzy_memo[key] = kid
    return gaz.candidates(kid) if kid is not None else []


def _ukrainian_h(key: str, gaz: Gazetteer) -> int | None:
    """A Ukrainian town spelt through Russian, which writes Ukrainian "h" as "g"
    ("Myrnograd" for Myrnohrad): the key with h for g, if it names a town in Ukraine."""
    kid = gaz.key_index.get(key.replace("g", "h"))
    if kid is None:
        return None
    cands = gaz.candidates(kid)
    return kid if cands and cands[0].country_code == "UA" else None


def _never_fuzzy(key: str, gaz: Gazetteer, sc: _Scanner) -> bool:
    """True if the normalised word `key` is no misspelling to look for: too short, a name of
    the gazetteer or of a person, or an ordinary word."""
    return (
        len(key) < 5
        or key in gaz.key_index
        or key in sc.common
        or key in A.PERSON_NAMES
        or key in A.GIVEN_NAMES
        or key in A.NOT_PLACES
        or key in A.WEEKDAYS_MONTHS
        or _is_common(key, sc.common)
    )


# --- Resolution -----------------------------------------------------------------------------


def _prior(p: Place, rank: int) -> float:
    return (
        4.0 * math.log10(max(p.population, 0) + 1)
        + A.COUNTRY_PRIOR.get(p.country_code, 0.0)
        + (8.0 if rank == 0 else -1.5 * rank)
    )


def rank_places(places: list[Place] | tuple[Place, ...], context: GeoContext) -> list[Place]:
    """`places` (best first by name) re-ranked with the context; stable for equal scores."""
    scored = []
    codes = [cc.upper() for cc in context.country_codes]
    for rank, p in enumerate(places):
        s = _prior(p, rank)
        for r, cc in enumerate(codes):
            if p.country_code == cc:
                s += 10.0 if r == 0 else 5.0
                break
        best_near = 0.0
        for q in context.near:
            if q == p:
                continue
            if q.geo_precision == "country":
                bonus = 4.0 if q.country_code == p.country_code else 0.0
            elif q.geo_precision == "region":
                if p.admin1 == q.name and p.country_code == q.country_code:
                    bonus = 25.0  # in that region ("Lyman, Kharkiv region")
                else:
                    d = Gazetteer.distance_km(p, q)
                    bonus = 6.0 if d <= q.radius_km else 3.0 if d <= 400.0 else 0.0
            else:
                d = Gazetteer.distance_km(p, q)
                bonus = 15.0 if d <= 50.0 else 10.0 if d <= 150.0 else 5.0 if d <= 400.0 else 0.0
            best_near = max(best_near, bonus)
        scored.append((s + best_near, -rank, p))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [p for _s, _r, p in scored]


def resolve(
    mention: PlaceMention, *, context: GeoContext = GeoContext(), gazetteer: Gazetteer
) -> Place | None:
    """The place a mention most likely means, or None if it has no candidate."""
    cands = list(mention.candidates)
    if mention.kind in ("city", "region", "country"):
        same = [p for p in cands if p.geo_precision == mention.kind]
        cands = same or cands
    if len(cands) < 2:
        return cands[0] if cands else None  # one candidate: nothing to rank
    return rank_places(cands, context)[0]


# --- geopy interface ------------------------------------------------------------------------
# geopy is imported on first use: finding and resolving places do not need it.
# `OfflineGeocoder` and `FallbackGeocoder` subclass geopy's Geocoder and are created then;
# `from strikes.geo.geocode import OfflineGeocoder` works as usual (module __getattr__).

_GEOPY_NAMES = frozenset({"OfflineGeocoder", "FallbackGeocoder", "Nominatim"})


def resolution_dict(place: Place, *, source: str = "gazetteer") -> dict[str, Any]:
    d = place.as_dict()
    d["source"] = source
    return d


def query_places(
    query: str, *, gazetteer: Gazetteer, country_codes: tuple[str, ...] = ()
) -> list[Place]:
    """All places matching a geocoder query, best first.

    "Kharkiv", "Rostov region", "Zaporizhzia" (fuzzy), and qualified forms "Odessa, Texas",
    "Lyman, Kharkiv Oblast", "Odessa, United States" (a qualifier filters the candidates).
    """
    gaz = gazetteer
    parts = [p.strip() for p in str(query).split(",") if p.strip()]
    if not parts:
        return []
    head, quals = parts[0], parts[1:]
    qual_cc: list[str] = []
    qual_regions: list[Place] = []
    for q in quals:
        c = gaz.country(q)
        if c is not None:
            qual_cc.append(c.country_code)
            continue
        r = gaz.region(q)
        if r is None:
            r = next((p for p in gaz.lookup(q) if p.geo_precision == "region"), None)
        if r is not None:
            qual_regions.append(r)
    cands = gaz.lookup(head)
    if not cands:
        r = gaz.region(head)
        cands = [r] if r is not None else gaz.fuzzy(head)
    if qual_cc:
        cands = [p for p in cands if p.country_code in qual_cc]
    for r in qual_regions:
        cands = [
            p for p in cands if p == r or (p.admin1 == r.name and p.country_code == r.country_code)
        ]
    context = GeoContext(
        country_codes=tuple(qual_cc) + tuple(c.upper() for c in country_codes),
        near=tuple(qual_regions),
    )
    kind = cands[0].geo_precision if cands else None
    first = [p for p in cands if p.geo_precision == kind]
    rest = [p for p in cands if p.geo_precision != kind]
    return rank_places(first, context) + rest


def to_location(place: Place, gaz: Gazetteer, *, source: str = "gazetteer") -> Any:
    """A geopy Location of a place; `raw` is its resolution dict."""
    from geopy.location import Location

    parts = [place.name]
    if place.admin1 and place.admin1 != place.name:
        parts.append(place.admin1)
    country = gaz.country(place.country_code) if place.country_code else None
    if country is not None and country.name != place.name:
        parts.append(country.name)
    return Location(", ".join(parts), (place.lat, place.lon), resolution_dict(place, source=source))


_REGION_TYPES = frozenset(
    {"state", "region", "province", "county", "state_district", "district", "oblast"}
)


def _nominatim_dict(loc: Any) -> dict[str, Any]:
    """Resolution dict of a Nominatim result (a geopy Location)."""
    raw = dict(loc.raw or {})
    address = raw.get("address") or {}
    atype = str(raw.get("addresstype") or raw.get("type") or "").lower()
    if atype == "country":
        precision = "country"
    elif atype in _REGION_TYPES:
        precision = "region"
    else:
        precision = "city"
    radius = 1.0
    bbox = raw.get("boundingbox")
    if bbox and len(bbox) == 4:
        try:
            s, n, w, e = (float(x) for x in bbox)
            radius = max(1.0, Gazetteer.distance_km((s, w), (n, e)) / 2.0)
        except (TypeError, ValueError):
            pass
    name = raw.get("name") or (loc.address or "").split(",")[0].strip()
    return {
        "geonameid": None,
        "name": name,
        "admin1": address.get("state") or address.get("region"),
        "country_code": str(address.get("country_code") or "").upper(),
        "lat": float(loc.latitude),
        "lon": float(loc.longitude),
        "geo_precision": precision,
        "population": 0,
        "radius_km": round(radius, 1),
        "source": "nominatim",
        "osm_id": raw.get("osm_id"),
    }


def _dict_location(d: dict[str, Any]) -> Any:
    from geopy.location import Location

    parts = [d.get("name") or ""]
    if d.get("admin1") and d.get("admin1") != d.get("name"):
        parts.append(d["admin1"])
    if d.get("country_code"):
        parts.append(d["country_code"])
    return Location(", ".join(p for p in parts if p), (d["lat"], d["lon"]), d)


class CachedOnlineGeocoder:
    """A geopy geocoder (Nominatim) behind geopy's RateLimiter and a persistent disk cache.

    One JSON file per query under `cache_dir`; misses are cached too, so a place is asked for
    at most once.  Failures raise GeocodeError and are not cached.
    """

    def __init__(
        self, geocoder: Any, *, cache_dir: Path, min_delay_s: float = 1.0, writable: bool = True
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.geocoder = geocoder
        self.cache_dir = Path(cache_dir)
        self.writable = writable  # False in read-only mode: the cache is read, never written
        self._call = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_s,
            max_retries=1,
            error_wait_seconds=2.0 * min_delay_s,
            swallow_exceptions=False,
        )

    def _path(self, query: str) -> Path:
        h = hashlib.sha256(normalize(query).encode("utf-8")).hexdigest()[:32]
        return self.cache_dir / f"nominatim-{h}.json"

    def cached(self, query: str) -> list[dict[str, Any]] | None:
        try:
            data = json.loads(self._path(query).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # not cached (or a damaged entry, asked again)
        return list(data.get("results") or [])

    def _store(self, query: str, results: list[dict[str, Any]]) -> None:
        if not self.writable:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path = self._path(query)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"query": query, "results": results}, ensure_ascii=False),
                encoding="utf-8",
            )
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs another request later

    def lookup(self, query: str) -> list[dict[str, Any]]:
        hit = self.cached(query)
        if hit is not None:
            return hit
        from geopy.exc import GeopyError
        from geopy.location import Location

        try:
            found = self._call(query, exactly_one=False, addressdetails=True, language="en")
        except GeopyError as exc:
            raise GeocodeError(f"online geocoder failed for {query!r}: {exc}") from exc
        if found is None:
            found = []
        elif isinstance(found, Location):
            found = [found]
        results = [_nominatim_dict(loc) for loc in found]
        self._store(query, results)
        return results


@functools.cache
def _geopy_classes() -> dict[str, Any]:
    from geopy.geocoders import Nominatim
    from geopy.geocoders.base import Geocoder

    class OfflineGeocoder(Geocoder):
        """geopy geocoder over the offline gazetteer (no network, ever).

        `geocode("Kharkiv")`, `geocode("Rostov region")`, `geocode("Odessa, Texas")`,
        `geocode("Zaporizhzia")` (fuzzy); `raw` of each Location is the resolution dict
        (geonameid, name, admin1, country_code, lat, lon, geo_precision, radius_km, population,
        source).
        """

        def __init__(
            self,
            *,
            gazetteer: Gazetteer | None = None,
            settings: Settings = DEFAULT_SETTINGS,
            country_codes: tuple[str, ...] = (),
        ) -> None:
            super().__init__(user_agent=settings.nominatim_user_agent, timeout=1)
            self.settings = settings
            self._gaz = gazetteer
            self.country_codes = tuple(country_codes)

        @property
        def gazetteer(self) -> Gazetteer:
            if self._gaz is None:
                self._gaz = Gazetteer.load(settings=self.settings)
            return self._gaz

        def places(self, query: str, *, country_codes: tuple[str, ...] = ()) -> list[Place]:
            """All places matching `query`, best first (see `query_places`)."""
            return query_places(
                query,
                gazetteer=self.gazetteer,
                country_codes=tuple(country_codes) or self.country_codes,
            )

        def geocode(
            self,
            query: Any,
            *,
            exactly_one: bool = True,
            timeout: Any = None,
            country_codes: tuple[str, ...] = (),
        ) -> Any:
            if isinstance(query, dict):
                query = ", ".join(str(v) for v in query.values())
            found = self.places(str(query), country_codes=tuple(country_codes))
            if not found:
                return None
            if exactly_one:
                return to_location(found[0], self.gazetteer)
            return [to_location(p, self.gazetteer) for p in found]

    class FallbackGeocoder(Geocoder):
        """The offline gazetteer first; the cached, rate-limited online geocoder for the rest."""

        def __init__(
            self,
            offline: OfflineGeocoder,
            online: CachedOnlineGeocoder,
            *,
            settings: Settings = DEFAULT_SETTINGS,
        ) -> None:
            super().__init__(user_agent=settings.nominatim_user_agent)
            self.offline = offline
            self.online = online

        @property
        def gazetteer(self) -> Gazetteer:
            return self.offline.gazetteer

        def geocode(
            self,
            query: Any,
            *,
            exactly_one: bool = True,
            timeout: Any = None,
            country_codes: tuple[str, ...] = (),
        ) -> Any:
            found = self.offline.geocode(
                query, exactly_one=exactly_one, country_codes=country_codes
            )
            if found:
                return found
            results = self.online.lookup(str(query))
            if not results:
                return None
            if exactly_one:
                return _dict_location(results[0])
            return [_dict_location(d) for d in results]

    for cls in (OfflineGeocoder, FallbackGeocoder):
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
    return {
        "OfflineGeocoder": OfflineGeocoder,
        "FallbackGeocoder": FallbackGeocoder,
        "Nominatim": Nominatim,
    }


def __getattr__(name: str) -> Any:
    if name in _GEOPY_NAMES:
        for key, value in _geopy_classes().items():
            globals().setdefault(key, value)  # a patched Nominatim (tests) stays patched
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_geocoder(
    *,
    settings: Settings = DEFAULT_SETTINGS,
    gazetteer: Gazetteer | None = None,
    online: Any = None,
) -> Any:
    """The product's geopy geocoder: `OfflineGeocoder`, or, if `settings.online_geocoding`,
    a `FallbackGeocoder` with Nominatim (RateLimiter, disk cache under settings.cache_dir)
    behind the gazetteer.

    `online` replaces Nominatim (any geopy geocoder); used only when online geocoding is on.
    """
    classes = _geopy_classes()
    offline = classes["OfflineGeocoder"](gazetteer=gazetteer, settings=settings)
    if not settings.online_geocoding:
        return offline
    if online is None:
        nominatim = globals().get("Nominatim", classes["Nominatim"])
        online = nominatim(
            user_agent=settings.nominatim_user_agent,
            domain=settings.nominatim_domain,
            scheme=settings.nominatim_scheme,
            timeout=10,
        )
    cached = CachedOnlineGeocoder(
        online,
        cache_dir=Path(settings.cache_dir) / "geocode",
        min_delay_s=settings.nominatim_min_delay_s,
        writable=not settings.read_only,
    )
    return classes["FallbackGeocoder"](offline, cached, settings=settings)
