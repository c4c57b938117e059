"""The place finder's fast paths give what the plain expressions give: ASCII folding through a
bytes table, the fuzzy top five scored over the choices of a length that can reach the
threshold, ..."""

from __future__ import annotations

import functools
import random

import pytest
from rapidfuzz import fuzz, process

from strikes import gazetteer as Z

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
