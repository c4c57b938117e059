"""Official nightly tallies (strikes.official): parsing, night alignment, the model table and
the comparison with the news, on a hand-written file in the published shape
(tests/fixtures/official/missile_attacks_daily.csv) and the seed store's events."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from strikes import official as off
from strikes.errors import InputRejected
from strikes.lexicon import WEAPON_TERMS
from strikes.settings import Settings
from strikes.views import WEAPON_CLASSES

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "official" / "missile_attacks_daily.csv"
CASES = json.loads((ROOT / "tests" / "cases" / "official_nights.json").read_text())


def one_row(start: str, end: str, *, model: str = "Shahed-136/131", launched="10", destroyed="8"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(off.COLUMNS)
    row = dict.fromkeys(off.COLUMNS, "")
    row.update(time_start=start, time_end=end, model=model, launched=launched, destroyed=destroyed)
    w.writerow([row[c] for c in off.COLUMNS])
    return off.parse_bytes(buf.getvalue().encode(), name="t.csv")


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_night_alignment(case) -> None:
    parsed = one_row(case["start"], case["end"])
    assert not parsed.rejected, parsed.rejected
    assert parsed.rows["night"].tolist() == [case["night"]]


@pytest.mark.parametrize("case", CASES["bad"], ids=[c["name"] for c in CASES["bad"]])
def test_bad_windows_are_named_and_skipped(case) -> None:
    parsed = one_row(case["start"], case["end"])
    assert parsed.rows.empty and parsed.n_read == 1
    (r,) = parsed.rejected
    assert r.source == "t.csv, line 2"
    assert case["error"] in r.reason


def test_parse_time_shapes() -> None:
    t, timed = off.parse_time(" 2025-07-01 08:05 ")
    assert (t.isoformat(), timed) == ("2025-07-01T08:05:00", True)
    t, timed = off.parse_time("2025-07-01")
    assert (t.isoformat(), timed) == ("2025-07-01T00:00:00", False)
    assert off.parse_time("  ") is None
    for bad in ("2025-7-1", "July 1, 2025", "2025-07-01 8", "2025-07-01 08:05 UTC"):
        with pytest.raises(ValueError, match="is not YYYY-MM-DD"):
            off.parse_time(bad)


@pytest.mark.parametrize(
    ("launched", "destroyed", "reason"),
    [
        ("many", "3", "launched 'many' is not a number"),
        ("12.5", "3", "launched '12.5' is not a whole number"),
        ("-4", "", "launched '-4' is negative"),
        ("25000", "3", "implausibly large"),
        ("", "", "both launched and destroyed are empty"),
        ("4", "9", "destroyed (9) exceeds launched (4)"),
    ],
)
def test_bad_counts(launched, destroyed, reason) -> None:
    parsed = one_row("2025-07-01 18:00", "2025-07-02 06:00", launched=launched, destroyed=destroyed)
    assert parsed.rows.empty
    assert reason in parsed.rejected[0].reason


def test_counts_as_published() -> None:
    parsed = one_row("2025-07-01 18:00", "2025-07-02 06:00", launched="12.0", destroyed="")
    row = parsed.rows.iloc[0]
    assert row["launched"] == 12 and pd.isna(row["destroyed"])
    assert row["window_hours"] == 12.0


def test_fixture_loads_with_bad_rows_named() -> None:
    parsed = off.parse_file(FIXTURE)
    raw = fixture_rows()
    assert parsed.n_read == len(raw)
    assert parsed.sha256 == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    reasons = {int(r.source.rsplit(" ", 1)[1]): r.reason for r in parsed.rejected}
    assert sorted(reasons) == [12, 25, 26, 27, 28]
    assert "both launched and destroyed are empty" in reasons[12]
    assert "25:00" in reasons[25] and "'many' is not a number" in reasons[26]
    assert "before time_start" in reasons[27] and "exceeds launched" in reasons[28]
    assert all(r.source.startswith(str(FIXTURE)) for r in parsed.rejected)
    rows = parsed.rows
    assert len(rows) == len(raw) - 5
    assert set(rows["source_file"]) == {"missile_attacks_daily.csv"}
    assert set(rows["source_sha256"]) == {parsed.sha256}
    # Every loaded row is the file's row at that line, its counts as written.
    for r in rows.itertuples():
        src = raw[int(r.line) - 2]
        assert r.model == src["model"]
        for col in ("launched", "destroyed"):
            v = getattr(r, col)
            assert (str(int(v)) if not pd.isna(v) else "") == src[col].split(".")[0]
    nrg = rows.loc[rows["line"] == 2, "not_reach_goal"].iloc[0]
    assert nrg == 225  # written "225.0" in the file


def test_fixture_normalisation() -> None:
    rows = off.parse_file(FIXTURE).rows.set_index("line")
    # The window across midnight, 30 Jun 18:00 -> 1 Jul 08:30, is the night of 1 July.
    assert rows.loc[6, ["time_start", "time_end", "night"]].tolist() == [
        "2025-06-30 18:00",
        "2025-07-01 08:30",
        "2025-07-01",
    ]
    assert rows.loc[6, "window_hours"] == 14.5
    # No end, start at 21:00: the next morning.
    assert rows.loc[16, "night"] == "2025-07-09" and pd.isna(rows.loc[16, "time_end"])
    # Multi-model strings.
    assert rows.loc[7, "model"] == "Iskander-M/KN-23"
    assert rows.loc[7, "weapon_class"] == "missile"
    assert rows.loc[7, "extractor_models"] == ["Iskander", "ballistic"]
    combo = rows.loc[22]
    assert combo["model"] == "X-101/X-555 and Kalibr" and combo["weapon_class"] == "missile"
    assert combo["extractor_models"] == ["Kh-101", "Kh-555", "cruise", "Kalibr"]
    # Empty cells stay missing.
    assert rows.loc[14, "launched"] is pd.NA and rows.loc[14, "destroyed"] == 3
    assert rows.loc[3, "destroyed"] is pd.NA
    assert rows.loc[14, "launch_place"] is pd.NA


def test_unmapped_models_are_reported() -> None:
    parsed = off.parse_file(FIXTURE)
    assert parsed.unmapped == {"Shahed-238": 1}
    row = parsed.rows[parsed.rows["model"] == "Shahed-238"].iloc[0]
    assert row["weapon_class"] is pd.NA and row["extractor_models"] == []


def test_model_table_lookup() -> None:
    table = off.model_table()
    # The published names of the issue, each mapped to a class.
    for name, cls_ in {
        "Shahed-136/131": "drone",
        "X-101/X-555": "missile",
        "Iskander-M": "missile",
        "Kalibr": "missile",
        "Kh-22": "missile",
        "Iskander-M/KN-23": "missile",
        "  kalibr ": "missile",
    }.items():
        assert table.lookup(name).weapon_class == cls_, name
    assert table.lookup("Shahed-136/131 and Kalibr").weapon_class == "mixed"
    assert table.lookup("Kalibr and Shahed-999").weapon_class is None
    assert table.lookup("Zmey Gorynych").weapon_class is None


def test_model_table_names_are_the_extractors() -> None:
    """Every extractor name in the table is one the extractor can give (strikes.lexicon)."""
    lexicon = {m for _, m in WEAPON_TERMS.values() if m}
    verbatim = re.compile(r"^(Kh-\d{2,3}|S-[34]00)$")  # kept as written by the extractor
    table = off.model_table()
    assert len(table.entries) > 40
    for key, info in table.entries.items():
        assert info.weapon_class in WEAPON_CLASSES, key
        for name in info.extractor_models:
            assert name in lexicon or verbatim.match(name), (key, name)


def test_bad_model_table(tmp_path: Path) -> None:
    (tmp_path / off.MODELS_FILE).write_text("model,weapon_class,extractor_models\nFoo,rocket,\n")
    with pytest.raises(InputRejected, match=r"line 2: a model name and a weapon class"):
        off.model_table(settings=Settings.from_env(env={}, data_dir=tmp_path))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\xff\xfe\x00t\x00i", "not UTF-8"),
        (b"date,drones,missiles\n2025-07-01,5,1\n", "missing column(s) time_start"),
        (b"time_start,time_end,model,launched\n", "missing column(s) destroyed"),
    ],
)
def test_unusable_files_are_rejected_whole(data, reason) -> None:
    with pytest.raises(InputRejected) as exc:
        off.parse_bytes(data, name="x.csv")
    assert exc.value.source == "x.csv" and reason in exc.value.reason


def test_short_rows_and_columns_in_another_order() -> None:
    header = ["model", "destroyed", "launched", "time_end", "time_start"]
    text = "\n".join(
        [
            ",".join(header),
            "Kalibr,3,4,2025-07-02 06:00,2025-07-01 22:00",
            "Kalibr,3",
            '"Iskander-M",1,2,2025-07-02 06:00,2025-07-01 22:00',
        ]
    )
    parsed = off.parse_bytes(text.encode(), name="x.csv")
    assert parsed.rows[["model", "launched", "destroyed"]].values.tolist() == [
        ["Kalibr", 4, 3],
        ["Iskander-M", 2, 1],
    ]
    assert [r.source for r in parsed.rejected] == ["x.csv, line 3"]
    assert "2 cells where the header has 5" in parsed.rejected[0].reason


# --------------------------------------------------------------------------------------------
# Series and comparison (the seed store's events)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_frames(seed_db: Path):
    from strikes.store.database import open_store

    snap = open_store(settings=Settings.from_env(env={}, db_path=seed_db), read_only=True)
    s = snap.snapshot()
    return s.events, s.articles


def test_official_nights_and_months_sum_the_rows() -> None:
    tallies = off.parse_file(FIXTURE).rows
    nights = off.official_nights(tallies)
    assert nights["night"].is_unique and nights["night"].is_monotonic_increasing
    for n in nights.itertuples():
        part = tallies[tallies["night"] == n.night]
        for col in ("launched", "destroyed"):
            want = part[col].sum(min_count=1)  # a night with no launched figure has none
            got = getattr(n, col)
            assert (pd.isna(got) and pd.isna(want)) or got == want, (n.night, col)
    assert pd.isna(nights.set_index("night").loc["2025-07-08", "launched"])
    july1 = nights.set_index("night").loc["2025-07-01"]
    assert (july1["launched"], july1["destroyed"]) == (54, 40)
    assert (july1["drone_launched"], july1["missile_launched"]) == (52, 2)
    assert july1["intercept_rate"] == pytest.approx(40 / 54)

    months = off.monthly_by_model(tallies)
    shahed = months[months["model"] == "Shahed-136/131"].set_index("month")
    july = tallies[
        (tallies["model"] == "Shahed-136/131") & tallies["night"].str.startswith("2025-07")
    ]
    assert shahed.loc["2025-07", "launched"] == july["launched"].sum()
    assert shahed.loc["2025-07", "nights"] == july["night"].nunique()
    assert shahed.loc["2025-07", "intercept_rate"] == pytest.approx(
        july["destroyed"].sum() / july["launched"].sum()
    )
    assert off.monthly_by_model(tallies, date_from="2025-08-01").month.min() == "2025-08"


def test_compare_with_the_seed_news(seed_frames) -> None:
    events, articles = seed_frames
    tallies = off.parse_file(FIXTURE).rows
    cmp = off.compare(tallies, events, articles)
    night = cmp[cmp["level"] == "night"].set_index("night")
    # Every official night is listed; news-only nights only inside the file's range.
    assert set(night.index) >= set(tallies["night"])
    assert night.index.min() >= tallies["night"].min()
    # 1 July: news 52 drones (Shahed-type and decoys) vs official 52 Shahed + 2 Iskander.
    j1 = night.loc["2025-07-01"]
    assert (j1["official_launched"], j1["news_launched"], j1["diff_launched"]) == (54, 52, -2)
    assert j1["status"] == off.NEWS_LOWER and len(j1["articles"]) == 2
    assert all("The Associated Press" in a for a in j1["articles"])
    by_key = cmp[cmp["night"] == "2025-07-01"].set_index(["level", "key"])
    assert by_key.loc[("class", "drone"), "status"] == off.MATCH
    assert by_key.loc[("model", "Shahed-136/131"), "diff_launched"] == 0
    assert ("class", "missile") not in by_key.index  # the news names no missile that night
    # 4 July: the national tally of 550 matches 539 + 11.
    assert night.loc["2025-07-04", "status"] == off.MATCH
    # 3 September: 524 in the news, 526 official.
    assert night.loc["2025-09-03", "diff_launched"] == -2
    # 6 July: official rows but no figure in the news.
    assert night.loc["2025-07-06", "status"] == off.NO_NEWS
    assert night.loc["2025-07-06", "articles"] == []
    # Only Russian attacks are compared: Ukraine's 1 July interceptions are not a news figure.
    assert pd.isna(j1["news_intercepted"])


def test_compare_date_range_and_news_only_nights(seed_frames) -> None:
    events, articles = seed_frames
    tallies = off.parse_file(FIXTURE).rows
    cmp = off.compare(tallies, events, articles, date_from="2025-07-02", date_to="2025-07-06")
    assert cmp["night"].min() >= "2025-07-02" and cmp["night"].max() <= "2025-07-06"
    # Without the 4 July rows, the 550 of the news is a night the official file lacks.
    short = tallies[tallies["night"] != "2025-07-04"]
    row = (
        off.compare(short, events, articles)
        .set_index(["night", "level"])
        .loc[("2025-07-04", "night")]
    )
    assert row["status"] == off.NO_OFFICIAL and row["news_launched"] == 550
    assert pd.isna(row["official_launched"]) and len(row["event_ids"]) == 1
    # Nothing to compare without official rows.
    assert off.compare(tallies.iloc[0:0], events, articles).empty


def test_the_docs_describe_every_column() -> None:
    from strikes.schema import OFFICIAL_TALLIES
    from ui.official import DICTIONARY

    doc = (ROOT / "docs" / "official.md").read_text()
    on_page = " ".join(field for field, _, _ in DICTIONARY)
    for col in [*OFFICIAL_TALLIES, *off.COMPARE_COLUMNS]:
        assert f"`{col}`" in doc, col
    for col in OFFICIAL_TALLIES:
        assert col in on_page, col
    assert off.DATASET_URL in doc and off.LICENCE in doc
    readme = (ROOT / "README.md").read_text()
    assert off.DATASET_URL in readme and "docs/official.md" in readme


def test_limits_come_from_the_settings(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(FIXTURE.read_bytes())
    small = Settings.from_env(env={}, max_official_file_bytes=100)
    with pytest.raises(InputRejected, match=r"too large \(\d[\d,]* bytes; at most 100\)"):
        off.parse_file(big, settings=small)
    strict = Settings.from_env(env={}, max_plausible_count=500)
    parsed = off.parse_file(FIXTURE, settings=strict)
    large = sorted(r.reason for r in parsed.rejected if "implausibly large" in r.reason)
    assert large == [
        f"launched '{n}' is implausibly large (over 500)" for n in (502, 539, 597, 598, 810)
    ]
