"""The place finder's fast paths give what the plain expressions give: ASCII folding through a
bytes table, the fuzzy top five scored over the choices of a length that can reach the
threshold, the word before a name, capitalised words of ASCII text, region words found from
the folded text."""

from __future__ import annotations

import functools
import random

import pytest
from rapidfuzz import fuzz, process

from strikes.geo import gazetteer as Z
from strikes.geo import geocode as G

# Characters of every kind (ASCII controls and punctuation, letters with diacritics, the
# special letters, apostrophes, dashes, non-Latin scripts, fullwidth forms).
_ALPHABET = [chr(c) for c in range(128)] + list("ÀéÏøŁłßæŒİıðÞ’‘ʼ´—–‐\u00a0\u2009Кийв日本３٣ſﬁ")


def _random_texts(n: int, seed: int, *, ascii_only: bool = False) -> list[str]:
    rng = random.Random(seed)
    alphabet = _ALPHABET[:128] if ascii_only else _ALPHABET
    return ["".join(rng.choices(alphabet, k=rng.randrange(0, 60))) for _ in range(n)]


def _fold_plain(text: str) -> str:
    """fold as it was: str.translate with the dict table for the ASCII part."""
    if not text.isascii():
        text = Z._NON_ASCII_RE.sub(lambda m: m[0].translate(Z.fold_table()), text)
        if not text.isascii():
            low = text.lower()
            if len(low) == len(text):
                text = low
    return text.translate(Z._ascii_table())


def test_ascii_bytes_table_is_the_ascii_table() -> None:
    every = "".join(chr(c) for c in range(128))
    assert Z._fold_ascii(every) == every.translate(Z._ascii_table())
    assert len(Z._ascii_bytes_table()) == 256


def test_fold_is_the_plain_fold() -> None:
    texts = _random_texts(3000, 1, ascii_only=True) + _random_texts(3000, 2)
    texts += ["", "Kyiv", "KYIV-Oblast's", "Ust’-Luga", "Łódź, İstanbul", "St.\tPetersburg\n"]
    for t in texts:
        assert Z.fold(t) == _fold_plain(t), t


@functools.cache
def _gaz() -> Z.Gazetteer:
    return Z.Gazetteer.load()


def _misspellings(choices: list[str], n: int, seed: int) -> list[str]:
    """Known names with up to three letters replaced, dropped or added (equal scores among
    near names are common: they test the tie order), and a few words of the corpus."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz "
    out = ["tomas", "novak", "sydorenko", "volkov", "zaporizhzia", "kharkov", "khersonn"]
    for _ in range(n):
        word = list(rng.choice(choices))
        for _ in range(rng.randrange(0, 4)):
            i = rng.randrange(len(word))
            op = rng.random()
            if op < 0.33:
                word[i] = rng.choice(letters)
            elif op < 0.66 and len(word) > 1:
                del word[i]
            else:
                word.insert(i, rng.choice(letters))
        out.append("".join(word))
    return out


@pytest.mark.parametrize("threshold", [90.0, 95.0, 85.0, 75.0, 40.0, 100.0])
def test_fuzzy_top5_is_the_extract_over_every_choice(threshold) -> None:
    gaz = _gaz()
    choices = gaz._fuzzy_choices()
    keys = _misspellings(choices, 150, int(threshold))
    found = 0
    for key in keys:
        plain = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=5)
        assert gaz._fuzzy_top5(key, threshold) == plain, key
        found += bool(plain)
    assert found > 20  # the keys do have hits


# Words and blanks of place phrases, mixed at random (every kind of neighbour for a match).
_PLACE_WORDS = [
    "Kyiv", "the", "Rostov", "region", "Region", "REGION", "regions", "oblast", "Oblast",
    "oblasts", "krai", "Krai", "KRAI", "province", "Provinces", "in", "Gov.", "Mr", "Sumy",
    "Zaporizhzhia", "Kharkiv-based", "Łódź", "İstanbul", "Ağrı", "shelled", "Vitaliy", "Kim",
    "x", "3", "Ukraine's", "Ust’-Luga", "regionally", "oblast-level", "Krasnodar", "_Odesa",
]  # fmt: skip
_PLACE_SEPS = [
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "",
    "-",
    ",",
    ", ",
    ".",
    "'",
    "’",
    "\u00a0",
    "_",
    "(",
    " \t ",
]


def _place_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(_PLACE_WORDS) + rng.choice(_PLACE_SEPS) for _ in range(rng.randrange(1, 16))
        )
        for _ in range(n)
    ]


def _prev_token_plain(text: str, start: int) -> str | None:
    """_prev_token as it was (the last space, newline or tab anywhere before the word)."""
    j = start
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    if j == start or j == 0 or text[j - 1].isspace():
        return None
    i = max(text.rfind(" ", 0, j), text.rfind("\n", 0, j), text.rfind("\t", 0, j)) + 1
    return text[i:j]


def test_prev_token_is_the_plain_reading() -> None:
    words = 0
    for t in _place_texts(800, 3) + _random_texts(300, 4):
        for start in range(len(t) + 1):
            got = G._prev_token(t, start)
            assert got == _prev_token_plain(t, start), (t, start)
            words += got is not None
    assert words > 2000


def test_capitalised_words_of_ascii_text_are_the_unicode_pattern_matches() -> None:
    texts = _place_texts(1500, 5) + _random_texts(1500, 6, ascii_only=True)
    texts = [t for t in texts if t.isascii()]
    found = 0
    for t in texts:
        plain = [m.span() for m in G._CAP_TOKEN_RE.finditer(t)]
        assert [m.span() for m in G._CAP_TOKEN_ASCII_RE.finditer(t)] == plain, t
        assert G._CAP_TOKEN_ASCII_RE.findall(t) == G._CAP_TOKEN_RE.findall(t), t
        found += len(plain)
    assert found > 400


def test_region_words_are_the_plain_matches() -> None:
    found = 0
    for t in _place_texts(3000, 7) + _random_texts(300, 8):
        plain = [m.span() for m in G._REGION_WORD_RE.finditer(t)]
        assert [m.span() for m in G._region_words(t, Z.fold(t))] == plain, t
        found += len(plain)
    assert found > 1000


def test_pipeline_resolve_is_resolve_in_its_context() -> None:
    """make_geo's resolve builds no GeoContext for a mention of one candidate (nothing to
    rank): it still answers what resolve answers in the context of the call."""
    from strikes.pipeline import make_geo

    gaz = _gaz()
    geo = make_geo()
    texts = [
        *_place_texts(600, 9),
        "Drones hit Odessa, Kyiv and Kharkiv.",
        "Shelling in the Rostov region and near Lyman, Donetsk.",
        "Strikes on Ukraine, the U.S. said; Kim Jong Un visited Russia.",
    ]
    mentions = [m for t in texts for m in G.find_places(t, gazetteer=gaz)]
    mentions.append(G.PlaceMention(0, 3, "Foo", "unknown", ()))
    assert sum(len(m.candidates) > 1 for m in mentions) > 20
    assert sum(len(m.candidates) == 1 for m in mentions) > 20
    kyiv = gaz.lookup("Kyiv")[0]
    region = gaz.region("Kharkiv region")
    for prefer, near in [((), []), (("UA",), [kyiv]), (("RU",), [region, kyiv]), (("US",), [])]:
        for m in mentions:
            ctx = G.GeoContext(country_codes=tuple(prefer), near=tuple(near))
            expected = G.resolve(m, context=ctx, gazetteer=gaz)
            assert geo.resolve(m, prefer, near) == expected, m
