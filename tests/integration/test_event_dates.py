"""Merging across articles by date, on documents of our own (tests/cases/events_dates.json)."""

import json
from pathlib import Path

import pytest

from strikes.documents.articles import RawDocument
from strikes.events import event_records
from strikes.pipeline import run_documents

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "events_dates.json").read_text()
)["cases"]


def _params():
    for c in CASES:
        marks = [pytest.mark.xfail(reason=c["xfail"], strict=True)] if c.get("xfail") else []
        yield pytest.param(c, id=c["id"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_case(case):
    docs = [
        RawDocument(name=d["name"], data=d["text"].encode(), published=d["published"])
        for d in case["documents"]
    ]
    result = run_documents(docs)
    assert not result.rejections, result.rejections
    events = event_records(result.events)
    summary = [
        (e["location"], e["date"], e["killed"], e["injured"], e["n_articles"]) for e in events
    ]
    assert len(events) == len(case["expect"]), summary
    unmatched = list(events)
    for exp in case["expect"]:
        found = [e for e in unmatched if all(e[k] == v for k, v in exp.items())]
        assert found, (exp, summary)
        unmatched.remove(found[0])
