"""The place finder's fast paths give what the plain expressions give: ASCII folding through a
bytes table, ..."""

from __future__ import annotations

import random

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
