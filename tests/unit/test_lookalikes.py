"""re.I's non-ASCII look-alike letters (ſ, K, ı, İ) in article text: extraction reads them as
the ASCII letters they stand for, never fails on them, and quotes the source as it is spelt."""

from __future__ import annotations

import random
import re
import sys

import pandas as pd

from bench.corpus import make_documents
from strikes.documents.articles import load_documents
from strikes.pipeline import clear_caches, extract_claims
from strikes.speed.fastmatch import ascii_lookalikes

# Each look-alike and the ASCII letter it is spelt as (the case kept).
LOOKALIKES = {"\u017f": "s", "\u212a": "K", "\u0131": "i", "\u0130": "I"}


def test_the_lookalikes_are_all_that_re_i_matches_as_ascii() -> None:
    letter = re.compile("[a-z]", re.I)
    found = {chr(c) for c in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(c))}
    assert found == set(LOOKALIKES)


def test_ascii_lookalikes_spells_them_in_ascii_one_for_one() -> None:
    text = "Ruſsian drones hit \u212aharkiv on ſunday; İzmaıl port was hit too."
    folded = ascii_lookalikes(text)
    assert folded == "Russian drones hit Kharkiv on sunday; Izmail port was hit too."
    assert len(folded) == len(text)
    plain = "Russian drones hit Kharkiv."
    assert ascii_lookalikes(plain) is plain  # nothing to do: the same object
    assert ascii_lookalikes("Дрони атакували Київ") == "Дрони атакували Київ"


def test_extraction_reads_lookalikes_as_the_ascii_letters() -> None:
    batch = load_documents(make_documents(60, seed=5))
    rng = random.Random(1)
    to_lookalike = {ascii: other for other, ascii in LOOKALIKES.items()}
    swapped = batch.articles.copy()
    swapped["text"] = [
        "".join(to_lookalike[c] if c in to_lookalike and rng.random() < 0.3 else c for c in t)
        for t in batch.articles["text"]
    ]
    assert (swapped["text"] != batch.articles["text"]).all()
    plain = extract_claims(batch.articles, batch.sentences)
    assert len(plain) > 50
    clear_caches()  # no analysis of the plain sentences is reused
    claims = extract_claims(swapped, batch.sentences)
    # The same claims, quoting the source as it is spelt.
    quoted = ["sentence", "place_text", "followups"]
    pd.testing.assert_frame_equal(claims.drop(columns=quoted), plain.drop(columns=quoted))
    texts = dict(zip(swapped["article_id"], swapped["text"], strict=True))
    for c in claims.itertuples():
        source = texts[c.article_id]
        assert c.sentence == source[c.start : c.end]
        if not pd.isna(c.place_start):  # (a country-wide tally names no place)
            assert c.place_text == source[c.place_start : c.place_end]
        for extra in c.followups:
            assert extra["sentence"] == texts[extra["article"]][extra["start"] : extra["end"]]
    assert (claims["sentence"] != plain["sentence"]).any()
    assert claims["sentence"].map(ascii_lookalikes).tolist() == plain["sentence"].tolist()
    named = claims["place_text"].dropna()
    assert named.map(ascii_lookalikes).tolist() == plain["place_text"].dropna().tolist()
    folded = [
        [{**x, "sentence": ascii_lookalikes(x["sentence"])} for x in f] for f in claims["followups"]
    ]
    assert folded == plain["followups"].tolist()
