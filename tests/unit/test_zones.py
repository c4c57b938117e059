"""Document zones (strikes/zones.py) on the cases of tests/cases/zones.json, and the title
picking that skips page furniture."""

import json
from pathlib import Path

import pytest

from strikes.documents.articles import RawDocument, load_documents
from strikes.documents.sentences import split_sentences
from strikes.events import event_records
from strikes.pipeline import run_documents
from strikes.zones import Zoner, is_furniture_title, sentence_zone

CASES = json.loads((Path(__file__).parents[1] / "cases" / "zones.json").read_text())


@pytest.mark.parametrize("case", CASES["sentences"], ids=lambda c: c["sentence"][:40])
def test_sentence_zone(case):
    assert sentence_zone(case["sentence"], case.get("line")) == case["zone"]


@pytest.mark.parametrize("case", CASES["documents"], ids=lambda c: c["text"][:30])
def test_document_zones(case):
    text = case["text"]
    zoner = Zoner(text)
    spans = split_sentences(text)
    for snippet, zone in case["zones"].items():
        start = text.index(snippet)
        s, e = next((s, e) for s, e in spans if s <= start < e)
        assert zoner.zone(s, e) == zone, snippet


@pytest.mark.parametrize("case", CASES["titles"], ids=lambda c: c["line"])
def test_furniture_title(case):
    assert is_furniture_title(case["line"]) is case["furniture"]


def test_furniture_first_line_is_not_the_title():
    text = "War\n\nRussian drones hit Odesa overnight\n\nRussian drones struck Odesa overnight, injuring six people.\n"
    doc = RawDocument(name="a.txt", data=text.encode(), published="2025-06-02")
    [article] = load_documents([doc]).articles.to_dict("records")
    assert article["title"] == "Russian drones hit Odesa overnight"
    assert [r["reason"] for r in article["removed"]] == ["furniture", "title"]


ZONE_CASES = json.loads((Path(__file__).parents[1] / "cases" / "extract_zones.json").read_text())
FIGURES = ("launched", "intercepted", "killed", "injured")


@pytest.mark.parametrize("case", ZONE_CASES["cases"], ids=lambda c: c["id"])
def test_zone_case_figures(case):
    """tests/test_extract_cases.py runs these cases for events and places; here the figures
    named in a case are checked too (a recalled attack's toll never lands on the current one)."""
    doc = RawDocument(
        name=f"{case['id']}.txt", data=case["text"].encode(), published=case["published"]
    )
    events = event_records(run_documents([doc]).events)
    for exp in case["expect"]:
        [event] = [
            e for e in events if e["location"] == exp["location"] and e["date"] == exp["date"]
        ]
        for f in FIGURES:
            if f in exp:
                assert event[f] == exp[f], (exp, f, event[f])
