"""Acceptance: the seeds' events, scored by the project's copy of score_events.py."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "golden" / "expected_events.jsonl"
SCORER = ROOT / "tests" / "golden" / "score_events.py"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extract") / "events.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "strikes",
            "extract",
            "seeds/",
            "--format",
            "jsonl",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_seeds_score_perfectly(extracted):
    proc = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(extracted), "-v"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    score = json.loads(lines[-1])
    assert score["f1"] == 1.0, proc.stdout
    assert score["slot_accuracy"] == 1.0, proc.stdout
    assert score["date_exact"] == 1.0, proc.stdout
    assert score["weapons_jaccard"] == 1.0, proc.stdout


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_contract_fields(extracted):
    required = {
        "event_id", "date", "date_precision", "attacker", "location", "admin1", "country_code",
        "lat", "lon", "geo_precision", "weapons", "weapon_models", "launched", "intercepted",
        "killed", "injured", "kind", "claimed_by", "sources", "conflicts",
    }  # fmt: skip
    events = _events(extracted)
    assert events
    text_of = {}
    for e in events:
        assert required <= set(e), required - set(e)
        assert e["date_precision"] in {"day", "month", "year"}
        assert e["geo_precision"] in {"point", "city", "region", "country"}
        assert e["kind"] in {"strike", "total"}
        assert set(e["weapons"]) <= {
            "drone",
            "missile",
            "glide_bomb",
            "artillery",
            "aircraft",
            "other",
        }
        assert e["sources"], e
        for s in e["sources"]:
            text_of.setdefault(s["article"], None)
            assert 0 <= s["start"] < s["end"]
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))


def test_offsets_point_at_the_sentence(extracted):
    from strikes.documents.articles import load_articles

    batch = load_articles([ROOT / "seeds"])
    text = dict(zip(batch.articles["article_id"], batch.articles["text"], strict=True))
    for e in _events(extracted):
        for s in e["sources"]:
            assert text[s["article"]][s["start"] : s["end"]] == s["sentence"]


def test_syndicated_copies_merge_with_conflicts(extracted):
    izhevsk = [e for e in _events(extracted) if e["location"] == "Izhevsk"]
    assert len(izhevsk) == 1
    e = izhevsk[0]
    assert (e["killed"], e["injured"]) == (3, 35)
    assert len({s["article"] for s in e["sources"]}) == 2
    assert {c["value"] for c in e["conflicts"]["injured"]} == {35, "several"}


def test_event_ids_are_stable(extracted, tmp_path):
    out = tmp_path / "again.jsonl"
    subprocess.run(
        [sys.executable, "-m", "strikes", "extract", "seeds/", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert [e["event_id"] for e in _events(out)] == [e["event_id"] for e in _events(extracted)]
