"""Exports: CSV (round-trip, formula neutralising), GeoJSON (RFC 7946), Parquet, ACLED."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strikes import export as ex
from strikes.schema import EVENTS, conform

CASES = Path(__file__).resolve().parents[1] / "cases"


def load_events(name: str) -> pd.DataFrame:
    return conform(json.loads((CASES / name).read_text(encoding="utf-8")), EVENTS)


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    return load_events("events_seeds.json")


@pytest.fixture(scope="module")
def edge() -> pd.DataFrame:
    return load_events("events_edge.json")


@pytest.fixture(scope="module", params=["events_seeds.json", "events_edge.json"])
def events(request) -> pd.DataFrame:
    return load_events(request.param)


def plain(v: object) -> object:
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


# ------------------------------------------------------------------------------ CSV


def test_csv_header_and_rows(events):
    data = ex.to_csv(events)
    data.decode("utf-8")  # valid UTF-8
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == [*EVENTS, *ex.DERIVED_COLUMNS]
    assert len(rows) == len(events) + 1


def test_csv_round_trip(events):
    back = ex.read_csv(ex.to_csv(events))
    assert len(back) == len(events)
    for col in EVENTS:
        if col == "sources":
            got = [[(s["article"], s["start"], s["end"]) for s in v] for v in back[col]]
            want = [[(s["article"], s["start"], s["end"]) for s in v] for v in events[col]]
            assert got == want
            continue
        got = [plain(v) for v in back[col]]
        want = [plain(v) for v in events[col]]
        assert got == want, col


def test_csv_sources_joined(seeds):
    rows = list(csv.DictReader(io.StringIO(ex.to_csv(seeds).decode("utf-8"), newline="")))
    izhevsk = next(r for r in rows if r["event_id"] == "ev-001b")
    assert izhevsk["sources"] == "a001d3990826fceb:900-1100; a004e2fdbd50f6a7:880-1080"
    assert izhevsk["weapons"] == "drone"
    assert json.loads(izhevsk["conflicts"])["injured"][0]["value"] == 35
    assert izhevsk["launched"] == ""  # not reported stays empty, not 0
    mykolaiv = next(r for r in rows if r["event_id"] == "ev-000f")
    assert (mykolaiv["killed"], mykolaiv["injured"]) == ("0", "0")


def test_csv_neutralises_formula_cells(edge):
    rows = list(csv.DictReader(io.StringIO(ex.to_csv(edge).decode("utf-8"), newline="")))
    by_id = {r["event_id"]: r for r in rows}
    assert by_id["F3"]["target"] == '\'=HYPERLINK("http://evil")'
    assert by_id["G2"]["claimed_by"] == "'+local channel; '@official"  # each segment (issue 20)
    assert by_id["W1"]["admin1"] == "'-Region"
    assert by_id["W1"]["target"] == "'\tTab target"
    assert by_id["W1"]["location"] == 'Nowhere, "quoted"\nplace'  # quoting, not neutralising
    # Numbers stay numbers: a negative coordinate is not a formula.
    assert by_id["W1"]["lon"] == "-70.6" and by_id["W1"]["lat"] == "-33.9"
    for r in rows:
        for col, cell in r.items():
            if col in ("lat", "lon", "geo_radius_km"):
                continue
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (col, cell)


def test_csv_readable_by_pandas(seeds):
    df = pd.read_csv(io.BytesIO(ex.to_csv(seeds)))
    assert len(df) == len(seeds)
    assert df["lat"].dtype.kind == "f"
    assert df.loc[df["event_id"] == "ev-000c2", "launched"].iloc[0] == 550


_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1)


@settings(max_examples=60, deadline=None)
@given(target=_text, location=_text, claimed=st.lists(_text.filter(lambda s: "; " not in s)))
def test_csv_round_trip_any_text(target, location, claimed):
    ev = conform(
        [
            {
                "event_id": "x",
                "target": target,
                "location": location,
                "claimed_by": [c for c in claimed if c],
                "weapons": [],
                "sources": [],
                "conflicts": {},
                "vague": {},
            }
        ],
        EVENTS,
    )
    data = ex.to_csv(ev)
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    back = ex.read_csv(data).iloc[0]
    assert back["target"] == target and back["location"] == location
    if len(claimed) == 1 or not claimed:
        assert back["claimed_by"] == [c for c in claimed if c]


# ------------------------------------------------------------------------------ GeoJSON


def _reject_constant(name: str) -> None:
    raise AssertionError(f"non-JSON constant {name}")


def test_geojson_is_rfc7946(events):
    doc = json.loads(ex.to_geojson(events).decode("utf-8"), parse_constant=_reject_constant)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    assert isinstance(doc["features"], list) and len(doc["features"]) == len(events)
    ids = set()
    for feat, rec in zip(doc["features"], events.to_dict("records"), strict=True):
        assert feat["type"] == "Feature"
        assert set(feat) == {"type", "id", "geometry", "properties"}
        assert isinstance(feat["id"], str) and feat["id"] not in ids
        ids.add(feat["id"])
        props = feat["properties"]
        # Every contract field, precision included, then the derived ones.
        assert list(props) == [*EVENTS, *ex.BOUND_COLUMNS, "n_outlets"]
        geom = feat["geometry"]
        if pd.isna(rec["lat"]) or pd.isna(rec["lon"]):
            assert geom is None
            continue
        assert geom["type"] == "Point"
        lon, lat = geom["coordinates"]
        assert isinstance(lon, float | int) and isinstance(lat, float | int)
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        # [lon, lat] order, not [lat, lon].
        assert lon == pytest.approx(rec["lon"], abs=1e-6)
        assert lat == pytest.approx(rec["lat"], abs=1e-6)
        assert props["geo_precision"] == rec["geo_precision"]


def test_geojson_values(seeds, edge):
    doc = json.loads(ex.to_geojson(seeds))
    kyiv = next(f for f in doc["features"] if f["id"] == "ev-000c1")
    assert kyiv["geometry"]["coordinates"] == [30.5238, 50.45466]
    assert kyiv["properties"]["weapons"] == ["drone", "missile"]
    assert kyiv["properties"]["launched"] is None and kyiv["properties"]["killed"] == 2
    assert kyiv["properties"]["vague"] == {"injured": "dozens"}
    assert kyiv["properties"]["sources"][0]["start"] == 1061
    crimea = next(f for f in doc["features"] if f["id"] == "ev-001d1")
    assert crimea["properties"]["geo_precision"] == "region"
    assert crimea["properties"]["geo_radius_km"] == 150.0
    unlocated = next(f for f in json.loads(ex.to_geojson(edge))["features"] if f["id"] == "G2")
    assert unlocated["geometry"] is None  # kept, not dropped


def test_geojson_out_of_range_coordinates_become_null():
    ev = conform([{"event_id": "bad", "lat": 95.0, "lon": 30.0}], EVENTS)
    feat = json.loads(ex.to_geojson(ev))["features"][0]
    assert feat["geometry"] is None and feat["properties"]["lat"] == 95.0


def test_geojson_empty():
    doc = json.loads(ex.to_geojson(conform([], EVENTS)))
    assert doc == {"type": "FeatureCollection", "features": []}


# ------------------------------------------------------------------------------ Parquet


def test_parquet_types_and_round_trip(events):
    data = ex.to_parquet(events)
    table = pq.read_table(io.BytesIO(data))
    assert table.column_names == list(EVENTS)
    assert table.schema.field("weapons").type == pa.list_(pa.string())
    assert table.schema.field("launched").type == pa.int64()
    assert table.schema.field("lat").type == pa.float64()
    assert pa.types.is_struct(table.schema.field("sources").type.value_type)
    back = ex.read_parquet(data)
    for col in EVENTS:
        got = [plain(v) for v in back[col]]
        want = [plain(v) for v in events[col]]
        if col == "sources":
            want = [[{k: s.get(k) for k in ex.SOURCE_FIELDS} for s in v] for v in want]
        assert got == want, col
    assert {c: str(t) for c, t in back.dtypes.items()} == {
        c: str(t) for c, t in conform([], EVENTS).dtypes.items()
    }


def test_parquet_empty():
    back = ex.read_parquet(ex.to_parquet(conform([], EVENTS)))
    assert back.empty and list(back.columns) == list(EVENTS)


# ------------------------------------------------------------------------------ ACLED


def acled_rows(events: pd.DataFrame, **kw) -> list[dict]:
    return list(csv.DictReader(io.StringIO(ex.to_acled(events, **kw).decode("utf-8"), newline="")))


def test_acled_columns_and_mapping(seeds):
    articles = pd.DataFrame(
        {
            "article_id": ["a000f84e9bf7f010", "a001d3990826fceb", "a004e2fdbd50f6a7"],
            "file": ["000.txt", "001.txt", "004.txt"],
            "outlet": ["The Associated Press (via Daily8)", None, "AP"],
        }
    )
    rows = acled_rows(seeds, articles=articles)
    assert list(rows[0]) == list(ex.ACLED_COLUMNS)
    by_id = {r["event_id_cnty"]: r for r in rows}
    assert "ev-001a" not in by_id  # the monthly total is not an ACLED event
    # Nor a night's national tally: summed with the strikes it counts, deaths count twice.
    tallies = seeds[(seeds["kind"] == "total") | (seeds["geo_precision"] == "country")]
    assert len(tallies) >= 2 and not set(tallies["event_id"]) & set(by_id)
    assert len(rows) == len(seeds) - len(tallies)
    kyiv = by_id["ev-000c1"]
    assert kyiv["event_date"] == "2025-07-04" and kyiv["year"] == "2025"
    assert kyiv["time_precision"] == "1"
    assert kyiv["event_type"] == "Explosions/Remote violence"
    assert kyiv["sub_event_type"] == "Air/drone strike"
    assert kyiv["actor1"] == "Military Forces of Russia (2000-)"
    assert kyiv["country"] == "Ukraine" and kyiv["location"] == "Kyiv"
    assert kyiv["latitude"] == "50.4547" and kyiv["longitude"] == "30.5238"
    assert kyiv["geo_precision"] == "1" and kyiv["fatalities"] == "2"
    assert kyiv["source"] == "The Associated Press (via Daily8)"
    izhevsk = by_id["ev-001b"]
    assert izhevsk["actor1"] == "Military Forces of Ukraine (2019-)"
    assert izhevsk["country"] == "Russia" and izhevsk["admin1"] == "Udmurtia"
    assert izhevsk["source"] == "001.txt; AP"  # no outlet known: the file name
    assert "Kupol Electromechanical Plant" in izhevsk["notes"] and "killed 3" in izhevsk["notes"]
    assert by_id["ev-001c"]["time_precision"] == "3"  # "in May last year"
    assert by_id["ev-001d2"]["geo_precision"] == "3"  # Rostov region
    unreported = [r for r in rows if "fatalities not reported" in r["notes"]]
    assert unreported and all(r["fatalities"] == "0" for r in unreported)  # ACLED's convention
    assert all("killed" not in r["notes"] for r in unreported)


def test_acled_sub_event_types():
    assert ex.acled_sub_event_type(["missile"]) == "Shelling/artillery/missile attack"
    assert ex.acled_sub_event_type(["artillery"]) == "Shelling/artillery/missile attack"
    assert ex.acled_sub_event_type(["glide_bomb"]) == "Air/drone strike"
    assert ex.acled_sub_event_type(["drone", "missile"]) == "Air/drone strike"
    assert ex.acled_sub_event_type([]) == "Shelling/artillery/missile attack"
    assert ex.acled_actor("Belarus") == "Military Forces of Belarus (1994-)"
    assert ex.acled_actor("Iran") == "Military Forces of Iran"
    assert ex.country_name("pl") == "Poland" and ex.country_name("US") == "United States"


def test_acled_readable_and_safe(edge):
    data = ex.to_acled(edge)
    df = pd.read_csv(io.BytesIO(data))
    assert list(df.columns) == list(ex.ACLED_COLUMNS)
    assert df["fatalities"].dtype.kind == "i"
    assert df["latitude"].dtype.kind == "f"
    assert "H1" not in set(df["event_id_cnty"])  # undated
    assert not set(df["event_id_cnty"]) & {"T1", "T2"}  # monthly totals
    assert not set(df["event_id_cnty"]) & {"E1", "F1"}  # a night's national tally
    w1 = df[df["event_id_cnty"] == "W1"].iloc[0]
    assert w1["longitude"] == pytest.approx(-70.6) and w1["admin1"] == "'-Region"
    assert w1["actor1"] == "Military Forces of Other"
    g2 = df[df["event_id_cnty"] == "G2"].iloc[0]
    assert pd.isna(g2["latitude"]) and g2["geo_precision"] == 3


def test_export_bytes_dispatch(seeds):
    for fmt in ex.FORMATS:
        assert ex.export_bytes(seeds, fmt)
    with pytest.raises(ValueError, match="unknown export format"):
        ex.export_bytes(seeds, "xlsx")


def test_exports_ignore_helper_columns(seeds):
    from strikes.views import prepare_events

    prepared = prepare_events(seeds)
    assert ex.to_csv(prepared) == ex.to_csv(seeds)
    assert ex.to_geojson(prepared) == ex.to_geojson(seeds)


# ------------------------------------------------------------------------------ claims CSV

HOSTILE_LINES = (
    "date 2025-08-12\nNight of strikes\n"
    '=HYPERLINK("http://evil.example","x") Russian drones struck Kyiv overnight, killing 2 '
    "people, officials said.\n"
    "@SUM(1+1) Russian drones hit Odesa overnight, injuring 4 people, the governor said.\n"
    "-Russian missiles hit Lviv overnight, killing 1 person, officials said.\n"
    "+Russian drones hit Sumy overnight, injuring 2 people, officials said.\n"
)


def test_claims_csv_neutralises_formulas(tmp_path):
    """`python -m strikes extract --claims --format csv`: text cells a spreadsheet would run
    are prefixed with ', numbers stay numbers."""
    from strikes.cli.main import main

    doc = tmp_path / "hostile.txt"
    doc.write_text(HOSTILE_LINES, encoding="utf-8")
    out = io.StringIO()
    assert main(["extract", str(doc), "--claims", "--format", "csv"], out=out) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    starts = {r["location"]: r["sentence"][:3] for r in rows}
    assert starts == {"Kyiv": "'=H", "Odesa": "'@S", "Lviv": "'-R", "Sumy": "'+R"}
    for r in rows:
        for col, cell in r.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (col, cell)
        float(r["lat"]), float(r["lon"]), int(r["start"]), int(r["end"])


def test_claims_csv_numbers_are_not_prefixed():
    from strikes.cli.extract import _claims_output
    from strikes.schema import CLAIMS

    claims = conform(
        [
            {
                "claim_id": "c1",
                "sentence": "=1+1",
                "claimed_by": "@official",
                "target": "\tTab",
                "weapons": ["=cmd"],
                "vague": {"killed": "-dozens"},
                "lat": -33.9,
                "lon": -70.6,
                "start": 0,
                "end": 4,
                "killed": 0,
            }
        ],
        CLAIMS,
    )
    row = next(csv.DictReader(io.StringIO(_claims_output(claims, "csv"), newline="")))
    assert (row["sentence"], row["claimed_by"], row["target"]) == ("'=1+1", "'@official", "'\tTab")
    assert (row["lat"], row["lon"], row["killed"]) == ("-33.9", "-70.6", "0")
    assert row["weapons"] == '["=cmd"]' and json.loads(row["vague"]) == {"killed": "-dozens"}


# ------------------------------------------------------------------------------ sources, bounds

SOURCE_ARTICLES = pd.DataFrame(
    {
        "article_id": ["a002x", "a000f84e9bf7f010", "a004e2fdbd50f6a7"],
        "title": ["Russia fires 500+ drones", "Night of drones", "Ukraine strikes Izhevsk"],
        "outlet": ["AP", "The Associated Press (via Daily8)", "ap"],
        "url": ["https://apnews.com/a", None, "https://apnews.com/b"],
        "published": ["2025-09-03", "2025-07-06", "2025-07-02"],
    }
)


def test_csv_carries_bounds_outlets_and_source_articles(seeds):
    arts = SOURCE_ARTICLES.copy()
    arts.loc[0, "article_id"] = seeds.set_index("event_id").loc["ev-002a", "sources"][0]["article"]
    rows = list(csv.DictReader(io.StringIO(ex.to_csv(seeds, articles=arts).decode(), newline="")))
    by_id = {r["event_id"]: r for r in rows}
    floor = by_id["ev-002a"]  # "more than 500 drones ... injured at least five"
    assert (floor["launched_lower_bound"], floor["injured_lower_bound"]) == ("true", "true")
    assert floor["killed_lower_bound"] == ""  # not reported: neither exact nor a bound
    assert floor["bounds"] == "launched; injured"
    assert by_id["ev-000c2"]["launched_lower_bound"] == "false"  # "550 drones": exact
    src = json.loads(floor["source_articles"])
    assert src[0] == {
        "article": arts.loc[0, "article_id"],
        "title": "Russia fires 500+ drones",
        "outlet": "AP",
        "url": "https://apnews.com/a",
        "published": "2025-09-03",
    }
    assert floor["n_outlets"] == "1"
    # Read back: the bounds survive, the derived columns are not contract columns.
    back = ex.read_csv(ex.to_csv(seeds, articles=arts)).set_index("event_id")
    assert list(back.loc["ev-002a", "bounds"]) == ["launched", "injured"]


def test_geojson_sources_carry_outlet_title_url(seeds):
    arts = SOURCE_ARTICLES.copy()
    arts.loc[0, "article_id"] = seeds.set_index("event_id").loc["ev-002a", "sources"][0]["article"]
    fc = json.loads(ex.to_geojson(seeds, articles=arts))
    props = {f["id"]: f["properties"] for f in fc["features"]}
    src = props["ev-002a"]["sources"][0]
    assert (src["outlet"], src["title"], src["url"]) == (
        "AP",
        "Russia fires 500+ drones",
        "https://apnews.com/a",
    )
    assert src["start"] is not None and src["sentence"]  # the offsets stay
    assert props["ev-002a"]["launched_lower_bound"] is True
    assert props["ev-002a"]["n_outlets"] == 1
