"""Extraction on short articles of our own, modelled on wire phrasing (tests/cases/extract_*.json)."""

import json
from pathlib import Path

import pytest

from strikes.documents.articles import RawDocument
from strikes.events import event_records
from strikes.pipeline import run_documents

CASE_FILES = sorted((Path(__file__).resolve().parents[1] / "cases").glob("extract_*.json"))
CASES = [c for f in CASE_FILES for c in json.loads(f.read_text())["cases"]]


def _matches(event: dict, exp: dict) -> bool:
    if event["attacker"] != exp["attacker"]:
        return False
    if "location" in exp and (event["location"] or "").lower() != exp["location"].lower():
        return False
    if "country_code" in exp and event["country_code"] != exp["country_code"]:
        return False
    if "geo_precision" in exp and event["geo_precision"] != exp["geo_precision"]:
        return False
    return "date" not in exp or event["date"] == exp["date"]


def _params():
    for c in CASES:
        marks = [pytest.mark.xfail(reason=c["xfail"], strict=True)] if c.get("xfail") else []
        yield pytest.param(c, id=c["id"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_case(case):
    doc = RawDocument(
        name=case.get("name", f"{case['id']}.txt"),
        data=case["text"].encode(),
        published=case.get("published"),
    )
    result = run_documents([doc])
    assert not result.rejections, result.rejections
    events = event_records(result.events)
    summary = [
        (
            e["attacker"],
            e["location"],
            e["date"],
            e["launched"],
            e["intercepted"],
            e["killed"],
            e["injured"],
        )
        for e in events
    ]
    expected = case["expect"] + case.get("expect_also", [])
    assert len(events) == len(expected), summary
    for exp in expected:
        found = [e for e in events if _matches(e, exp)]
        assert len(found) == 1, (exp, summary)
        e = found[0]
        for field, want in exp.items():
            if field in {"attacker", "location", "country_code", "geo_precision", "date"}:
                continue
            if field == "weapons":
                assert set(want) <= set(e["weapons"]), (field, e["weapons"])
            elif field == "claimed_by":
                assert any(want in c for c in e["claimed_by"]), e["claimed_by"]
            else:
                assert e[field] == want, (field, e[field], want, summary)
