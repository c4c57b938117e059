"""Metadata helpers: datelines, dates, titles, outlets, language, the manifest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from strikes.documents.metadata import (
    guess_language,
    match_dateline,
    outlet_from_signals,
    parse_date,
    read_manifest,
    title_from_paragraph,
)
from strikes.errors import ManifestError

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "articles_datelines.json").read_text()
)
TODAY = dt.date(2025, 10, 1)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["line"][:40] for c in CASES["cases"]])
def test_dateline_table(case):
    m = match_dateline(case["line"], today=TODAY)
    if case["date"] is None:
        assert m is None
    else:
        assert m is not None and m.date == case["date"]
        assert case["line"][: m.end] == case["cut"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-07-06", "2025-07-06"),
        ("2025-7-6", "2025-07-06"),
        (" 2025-07-06T10:00:00+03:00 ", "2025-07-06"),
        ("2025-07-06 10:00", "2025-07-06"),
        ("2099-13-45", None),
        ("2025-02-30", None),
        ("2026-01-01", None),  # future
        ("1850-01-01", None),
        ("06/07/2025", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "KYIV, Ukraine — (AP) — A Ukrainian drone struck a Russian industrial plant some "
            "1,300 kilometers (800 miles) from Ukraine, a local official said Tuesday, after a "
            "record month.",
            "A Ukrainian drone struck a Russian industrial plant some 1,300 kilometers (800 miles) "
            "from Ukraine, a local official…",
        ),
        ("LONDON (Reuters) - Drones hit the port.", "Drones hit the port"),
        ("Drones hit Kharkiv overnight.", "Drones hit Kharkiv overnight"),
        ("Is the front about to break?", "Is the front about to break?"),
    ],
)
def test_title_from_paragraph(sentence, title):
    got = title_from_paragraph(sentence)
    assert got == title
    assert len(got) <= 121


def _removed(reason, text):
    return [{"reason": reason, "text": text, "start": 0, "end": len(text)}]


@pytest.mark.parametrize(
    ("head", "removed", "outlet"),
    [
        ("KYIV, Ukraine — (AP) — A drone struck", [], "The Associated Press"),
        ("MOSCOW (Reuters) - Air defence units", [], "Reuters"),
        ("Some text", _removed("credit", "(AP)"), "The Associated Press"),
        (
            "Some text",
            _removed("byline", "Novikov and Burrows write for the Associated Press."),
            "The Associated Press",
        ),
        (
            "Some text",
            _removed("copyright", "© Copyright 2025 The Associated Press. All rights reserved."),
            "The Associated Press",
        ),
        (
            "Some text",
            _removed("copyright", "© 2025 The Harbor Ledger. All rights reserved."),
            "The Harbor Ledger",
        ),
        # Merely mentioning an agency is not a signal.
        ("Data collated by The Associated Press shows a record.", [], None),
        ("Some text", _removed("promo", "Follow AP on X"), None),
    ],
)
def test_outlet_from_signals(head, removed, outlet):
    assert outlet_from_signals(head, removed) == outlet


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            (
                "Russia launched 40 drones at the city overnight, and the governor said that two "
                "were hurt."
            ),
            "en",
        ),
        (
            (
                "Российские беспилотники атаковали Киев ночью, сообщили власти. Ещё десять "
                "человек ранены."
            ),
            "ru",
        ),
        (
            (
                "Російські дрони атакували Київ уночі, повідомили у міській військовій "
                "адміністрації. Є поранені."
            ),
            "uk",
        ),
        (
            (
                "Die russischen Drohnen griffen in der Nacht die Stadt an, und die Behörden "
                "sagten, dass es Verletzte gab."
            ),
            "de",
        ),
        (
            (
                "Les drones russes ont attaqué la ville pendant la nuit, et les autorités ont "
                "dit que des blessés sont à déplorer."
            ),
            "fr",
        ),
        ("12345 67890", "und"),
        # An English report quoting a Russian phrase is still English.
        (
            (
                "The governor said “Мы справимся” in a video, and officials said that the city "
                "was calm."
            ),
            "en",
        ),
    ],
)
def test_guess_language(text, lang):
    assert guess_language(text) == lang


def test_read_manifest_rows(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("x")
    m = tmp_path / "manifest.csv"
    m.write_text(
        "file,published,outlet,url,title,note\n"
        "a.txt,2025-07-06,Outlet A,https://a.example/1,Title A,ok\n"
        "sub/c.txt,,,,,no date is fine\n"
        "b.txt,2099-13-45,Outlet B,javascript:alert(1),Title B,bad date and url\n"
        "/etc/passwd,2025-01-01,,,,absolute\n"
        "../outside.txt,2025-01-01,,,,traversal\n"
        "nope.txt,2025-01-01,,,,missing\n"
        "a.txt,2025-07-06\n"
        "a.txt,2025-07-07,Again,,,duplicate row\n"
        "\n"
    )
    entries, errors = read_manifest(m, max_bytes=10_000, today=TODAY)
    assert set(entries) == {
        (tmp_path / "a.txt").resolve(),
        (tmp_path / "b.txt").resolve(),
        (tmp_path / "sub/c.txt").resolve(),
    }
    # A bad date and a bad url cost those two fields only: outlet and title still load.
    b = entries[(tmp_path / "b.txt").resolve()]
    assert (b.published, b.outlet, b.url, b.title) == (None, "Outlet B", None, "Title B")
    a = entries[(tmp_path / "a.txt").resolve()]
    assert (a.published, a.outlet, a.url, a.title) == (
        "2025-07-06",
        "Outlet A",
        "https://a.example/1",
        "Title A",
    )
    assert entries[(tmp_path / "sub/c.txt").resolve()].published is None
    assert all(isinstance(e, ManifestError) for e in errors)
    by_line: dict[str, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.source.rsplit(":", 1)[1], []).append(e.reason)
    by_line = {k: " | ".join(v) for k, v in by_line.items()}
    assert "invalid published date '2099-13-45'" in by_line["4"]
    assert "invalid url 'javascript:alert(1)'" in by_line["4"]
    assert by_line["4"].count("other fields load") == 2
    assert "outside the manifest's folder" in by_line["5"]
    assert "outside the manifest's folder" in by_line["6"]
    assert "does not exist" in by_line["7"]
    assert "2 fields, the header has 6" in by_line["8"]
    assert "listed twice" in by_line["9"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"name,date\nx,y\n", "no 'file' column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    ],
)
def test_read_manifest_unusable(tmp_path, content, reason):
    m = tmp_path / "manifest.csv"
    m.write_bytes(content)
    entries, errors = read_manifest(m, max_bytes=10_000)
    assert entries == {}
    assert len(errors) == 1 and reason in errors[0].reason
    assert errors[0].source == str(m)


def test_read_manifest_with_bom_and_oversized(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    m = tmp_path / "manifest.csv"
    m.write_bytes(b"\xef\xbb\xbffile,published\r\na.txt,2025-07-06\r\n")
    entries, errors = read_manifest(m, max_bytes=10_000)
    assert not errors and entries[(tmp_path / "a.txt").resolve()].published == "2025-07-06"
    entries, errors = read_manifest(m, max_bytes=10)
    assert entries == {} and "over the limit" in errors[0].reason
