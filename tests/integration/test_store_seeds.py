"""The store with the real pipeline on the seed articles: the first-run build, incremental
ingest of the seeds one file at a time, and the timeline numbers checked by hand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

import strikes.ingest as ig
import strikes.store.database as st
from strikes import export as ex
from strikes import views as tl
from strikes.cli.main import main
from strikes.documents.articles import RawDocument
from strikes.events import event_records
from strikes.pipeline import run_pipeline
from strikes.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
MANIFEST = SEEDS / "manifest.csv"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> st.Store:
    db = tmp_path_factory.mktemp("seeds") / "data" / "strikes.duckdb"
    return ig.ensure_store(settings=Settings(db_path=db))


@pytest.fixture(scope="module")
def events(built) -> pd.DataFrame:
    return built.events()


def comparable(events: pd.DataFrame) -> list[dict]:
    recs = event_records(events)
    for r in recs:
        r.pop("n_sources", None)
        r["sources"] = sorted((s["article"], s["start"], s["end"]) for s in r["sources"])
    return sorted(recs, key=lambda r: r["event_id"])


def test_first_run_builds_from_seeds(built):
    counts = built.counts()
    assert counts["articles"] == len(SEED_FILES) == 5
    assert counts["events"] > 0 and counts["event_sources"] >= counts["events"]
    arts = built.articles(with_text=False)
    arts = arts.set_index(arts["file"].map(lambda f: Path(f).name))
    # The manifest's curated date, and the near-duplicate date of the undated syndicated copy.
    assert arts.loc["000_f84e9bf7f0104544.txt", "published"] == "2025-07-06"
    assert arts.loc["000_f84e9bf7f0104544.txt", "published_source"] == "manifest"
    assert arts.loc["001_d3990826fc62feba.txt", "published_source"] == "near-duplicate"
    assert (
        arts.loc["001_d3990826fc62feba.txt", "dup_group"]
        == arts.loc["004_e2fdbd50f6a7e981.txt", "article_id"]
    )


def test_store_holds_what_the_pipeline_produces(built, events):
    direct = run_pipeline([SEEDS], settings=Settings())
    assert comparable(events) == comparable(direct.events)


def test_seed_nights_checked_by_hand(events):
    nights = tl.barrages_per_night(events).set_index(["date", "attacker"])
    # 000: "Russia launched 550 drones and missiles across Ukraine that night" (overnight into
    # Friday 4 July); the seven-hour onslaught "killed at least two civilians" in Kyiv.
    n = nights.loc[("2025-07-04", "Russia")]
    assert (n["launched"], n["killed"], n["places_hit"], n["national"]) == (550, 2, 1, True)
    assert n["weapons"] == ["drone", "missile"]
    # 000, Sunday 6 July: Kyiv 3 injured, Kharkiv 2, Mykolaiv none, Kostyantynivka 4 killed and
    # 1 injured; no national tally that day, so the local events add up.
    n = nights.loc[("2025-07-06", "Russia")]
    assert (n["killed"], n["injured"], n["places_hit"], n["national"]) == (
        4,
        3 + 2 + 0 + 1,
        4,
        False,
    )
    assert pd.isna(n["launched"])
    # 000: Russia's Defence Ministry: 120 + 39 Ukrainian drones downed; Belgorod 2 injured.
    n = nights.loc[("2025-07-06", "Ukraine")]
    assert (n["intercepted"], n["injured"]) == (159, 2)
    # 001/004: 60 downed overall "including 17 over Crimea, 16 over the Rostov region and four
    # over the Saratov region": the night is 60, not 60 + 37; Izhevsk 3 killed, 35 injured.
    n = nights.loc[("2025-07-01", "Ukraine")]
    assert (n["intercepted"], n["killed"], n["injured"], n["places_hit"]) == (60, 3, 35, 1)
    assert n["national"] and n["n_events"] == 5
    # 004: the air force's 52 Shahed and decoy drones; four struck Zaporizhzhia (not added).
    n = nights.loc[("2025-07-01", "Russia")]
    assert (n["launched"], n["places_hit"]) == (52, 1)
    # 002: more than 500 drones and two dozen missiles (524), at least five injured.
    n = nights.loc[("2025-09-03", "Russia")]
    assert (n["launched"], n["injured"]) == (524, 5)
    assert set(nights.index) == {
        ("2025-07-01", "Russia"),
        ("2025-07-01", "Ukraine"),
        ("2025-07-04", "Russia"),
        ("2025-07-06", "Russia"),
        ("2025-07-06", "Ukraine"),
        ("2025-09-03", "Russia"),
    }


def test_seed_months_checked_by_hand(events):
    months = tl.monthly_totals(events).set_index(["month", "attacker"])
    # "Russia last month launched 5,438 drones at Ukraine" (reported in July about June).
    june = months.loc[("2025-06", "Russia")]
    assert june["reported_launched"] == 5438 and june["n_nights"] == 0
    assert pd.isna(june["sum_of_daily_launched"])
    # July's nights: 52 (1 July) + 550 (4 July); 6 July has no launch figure.
    july = months.loc[("2025-07", "Russia")]
    assert july["sum_of_daily_launched"] == 52 + 550 and pd.isna(july["reported_launched"])
    assert july["sum_of_daily_killed"] == 2 + 4
    assert months.loc[("2025-07", "Ukraine"), "sum_of_daily_intercepted"] == 60 + 159


def test_seed_places(events):
    places = tl.place_counts(events, by_attacker=False).set_index("location")
    assert places.loc["Kyiv", "n_events"] == 2 and places.loc["Kyiv", "geo_precision"] == "city"
    assert places.loc["Crimea", "geo_precision"] == "region"
    assert "Ukraine" not in places.index and "Russia" not in places.index


def test_seed_filters(events):
    prepared = tl.prepare_events(events)
    assert set(tl.filter_events(prepared, text="brechalov")["location"]) == {"Izhevsk"}
    assert set(tl.filter_events(prepared, text="married couple")["location"]) == {"Kostiantynivka"}
    assert set(tl.filter_events(prepared, weapons=["glide_bomb"])["location"]) == {"Kostiantynivka"}
    july4 = tl.filter_events(prepared, date_from="2025-07-04", date_to="2025-07-04")
    assert set(july4["location"]) == {"Kyiv", "Ukraine"}
    june = tl.filter_events(prepared, date_from="2025-06", date_to="2025-06", attackers=["Russia"])
    assert june["launched"].tolist() == [5438]


def test_incremental_ingest_of_the_seeds_equals_one_build(built, events, tmp_path):
    """One file at a time (the undated syndicated copy 001 before the dated 004 it copies)
    ends with the same events as loading all seeds at once."""
    db = tmp_path / "inc.duckdb"
    order = sorted(SEED_FILES, key=lambda p: p.name)
    reports = []
    for path in order:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["ingest", "--db", str(db), "--manifest", str(MANIFEST), str(path)], out=out, err=err
        )
        assert code == 0, err.getvalue()
        reports.append(out.getvalue())
    store = st.open_store(settings=Settings(db_path=db), read_only=True)
    assert comparable(store.events()) == comparable(events)
    arts = store.articles(with_text=False)
    row = arts[arts["file"].str.contains("001_")].iloc[0]
    assert (row["published"], row["published_source"]) == ("2025-07-01", "near-duplicate")
    assert "near-duplicate" in reports[-1]
    # Ingesting everything again changes nothing.
    v = store.version()
    assert main(["ingest", "--db", str(db), str(SEEDS)], out=io.StringIO(), err=io.StringIO()) == 0
    assert store.version() == v


def test_seed_exports_are_valid(built, events):
    doc = json.loads(ex.to_geojson(events))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(events)
    for f in doc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lon, lat) == (
            pytest.approx(f["properties"]["lon"], abs=1e-6),
            pytest.approx(f["properties"]["lat"], abs=1e-6),
        )
    back = ex.read_csv(ex.to_csv(events))
    assert back["event_id"].tolist() == events["event_id"].tolist()
    assert back["launched"].equals(events["launched"])
    acled = pd.read_csv(io.BytesIO(ex.to_acled(events, articles=built.articles(with_text=False))))
    assert list(acled.columns) == list(ex.ACLED_COLUMNS)
    # All but the tallies (June's monthly total and the nights' national figures).
    tally = (events["kind"] == "total") | (events["geo_precision"] == "country")
    assert 2 <= tally.sum() < len(events) and len(acled) == len(events) - tally.sum()
    assert not set(acled["event_id_cnty"]) & set(events.loc[tally, "event_id"])
    assert "The Associated Press" in set(acled["source"].str.split("; ").explode())


def test_lower_bounds_round_trip_and_an_exact_report_wins(tmp_path):
    """ "at least 18 killed" is stored as killed 18 with `bounds` ["killed"]; a later, exact
    report of the same figure makes it exact; both survive the store."""
    (tmp_path / "seeds").mkdir()
    settings = Settings(db_path=tmp_path / "db" / "strikes.duckdb", seeds_dir=tmp_path / "seeds")
    store = st.open_store(settings=settings)
    floor = RawDocument(
        name="floor.txt",
        data=b"A Russian missile strike on Dnipro killed at least 18 people on Friday, officials "
        b"said. Russia launched more than 500 drones at Ukraine overnight, the air force said.",
        published="2025-09-12",
    )
    ig.ingest_documents(store, [floor])
    ev = store.events().set_index("location")
    assert (ev.loc["Dnipro", "killed"], list(ev.loc["Dnipro", "bounds"])) == (18, ["killed"])
    assert (ev.loc["Ukraine", "launched"], list(ev.loc["Ukraine", "bounds"])) == (500, ["launched"])
    assert store.claims()["bounds"].map(list).map(sorted).tolist().count(["killed"]) == 1
    exact = RawDocument(
        name="exact.txt",
        data=b"Officials in Dnipro said the Russian missile strike on Friday killed 18 people, "
        b"including two children.",
        published="2025-09-12",
    )
    ig.ingest_documents(store, [exact])
    ev = store.events().set_index("location")
    assert (ev.loc["Dnipro", "killed"], list(ev.loc["Dnipro", "bounds"])) == (18, [])
    assert ev.loc["Dnipro", "n_articles"] == 2
    assert list(ev.loc["Ukraine", "bounds"]) == ["launched"]
