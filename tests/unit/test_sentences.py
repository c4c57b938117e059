"""split_sentences: the case table, blingfire fix-ups, offsets, speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strikes.documents.sentences import TITLE_ABBREVIATIONS, split_sentences

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "articles_sentences.json").read_text()
)


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_case_table(case):
    assert _sentences(case["text"]) == case["sentences"]


def test_offsets_point_into_the_text_after_non_ascii():
    text = "“Ready,” he said — 🚨 twice. Нет. Next one."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["“Ready,” he said — 🚨 twice.", "Нет.", "Next one."]


@pytest.mark.parametrize("abbr", ["Mr", "Dr", "Gov", "Lt", "Gen", "Sen", "Col", "Capt", "St"])
def test_title_abbreviation_never_ends_a_sentence(abbr):
    assert abbr in TITLE_ABBREVIATIONS
    text = f"The meeting was short. {abbr}. Kovalenko spoke first. Others followed."
    assert _sentences(text) == [
        "The meeting was short.",
        f"{abbr}. Kovalenko spoke first.",
        "Others followed.",
    ]


def test_lower_case_continuation_is_merged():
    assert _sentences("“Is it over?” asked one resident. No.") == [
        "“Is it over?” asked one resident.",
        "No.",
    ]


def test_missed_boundary_not_split_after_lower_case_abbreviation():
    # "approx." is not a sentence end even before a title abbreviation.
    assert _sentences("It lasted approx. Gen. Kim said two hours.") == [
        "It lasted approx. Gen. Kim said two hours."
    ]


def test_spans_never_cross_a_newline():
    text = "Line one has no stop\nline two continues it.\n\nThird paragraph. Fourth sentence."
    spans = split_sentences(text)
    assert all("\n" not in text[a:b] for a, b in spans)
    assert _sentences(text)[0] == "Line one has no stop"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"abcXYZ .,!?'\"“”’—-\n\t", "Mr.", "U.S.", "é", "Ж", "🚨"]),
        max_size=120,
    ).map("".join)
)
def test_span_properties(text):
    spans = split_sentences(text)
    prev_end = 0
    for a, b in spans:
        assert 0 <= prev_end <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip()
        assert "\n" not in piece
        prev_end = b
    # Nothing but whitespace is left outside the spans.
    covered = set()
    for a, b in spans:
        covered.update(range(a, b))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_fast_enough():
    paragraph = (
        "Russia launched 52 Shahed and decoy drones overnight, the air force said on Tuesday. "
        "Gov. Ivan Fedorov said two people were hurt in Zaporizhzhia. “We are ready,” he said.\n\n"
    )
    text = paragraph * 20  # ~ a 4,000-character article
    split_sentences(text)
    start = time.perf_counter()
    for _ in range(200):
        split_sentences(text)
    per_article = (time.perf_counter() - start) / 200
    assert per_article < 0.002  # typically ~0.2 ms; generous for a loaded CI machine


def test_a_paragraph_is_not_always_segmented_as_if_alone():
    # Why split_sentences segments the whole text at once and caches nothing per paragraph:
    # blingfire looks across the newline.
    assert split_sentences("No. Lt. Col.") == [(0, 12)]
    assert split_sentences("!\nNo. Lt. Col.") == [(0, 1), (2, 5), (6, 14)]
