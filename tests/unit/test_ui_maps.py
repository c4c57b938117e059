"""The map helpers: map rows, the deck's JSON, what is (not) drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_basemap import tiny_topology

from strikes.schema import EVENTS, conform
from tools.build_basemap import topojson_to_geojson
from ui.render import maps

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"


def seed_events() -> pd.DataFrame:
    return conform(json.loads((CASES / "events_seeds.json").read_text("utf-8")), EVENTS)


def basemap() -> dict:
    """Two unit squares as the base layer (tools/build_basemap.py's output format)."""
    return topojson_to_geojson(tiny_topology())


def test_map_frame_keeps_areas_apart_from_pins() -> None:
    ev = seed_events()
    frame = maps.map_frame(ev)
    assert len(frame) == ev["lat"].notna().sum()
    kyiv = frame[frame["location"] == "Kyiv"].iloc[0]
    assert kyiv["geo_precision"] == "city" and kyiv["radius_px"] >= 5
    crimea = frame[frame["location"] == "Crimea"].iloc[0]
    assert crimea["radius_m"] == pytest.approx(150_000)
    assert "Crimea" in crimea["tooltip"] and "intercepted 17" in crimea["tooltip"]
    deck = json.loads(maps.build_deck(frame, basemap()).to_json())
    layers = {layer["id"]: layer for layer in deck["layers"]}
    pins = {row["location"] for row in layers["strikes"]["data"]}
    areas = {row["location"] for row in layers["areas"]["data"]}
    assert "Kyiv" in pins and "Crimea" not in pins and "Crimea" in areas
    assert "Ukraine" not in pins  # national tallies are never pins
    # Unit props reach deck.gl as literal strings (pydeck would make them expressions).
    assert layers["strikes"]["radiusUnits"] == "pixels"
    assert layers["areas"]["radiusUnits"] == "meters"
    # Offline by default: an inline map style, no tile server.
    assert deck["mapStyle"].startswith("data:application/json")
    assert deck["layers"][0]["id"] == "countries"


def test_a_tally_is_not_a_map_fill() -> None:
    """National tallies and monthly totals are counts over a country, not places: no layer
    of the deck draws them (no shaded country, no disc, no pin), in any view."""
    ev = seed_events()
    frame = maps.map_frame(ev)
    tally_ids = set(ev.loc[ev["geo_precision"] == "country", "event_id"])
    assert "ev-000c2" in tally_ids and (frame["geo_precision"] == "country").any()
    for view in maps.VIEWS:
        spec = json.loads(maps.build_deck(frame, basemap(), view=view).to_json())
        assert spec["layers"][0]["id"] == "countries"
        assert spec["layers"][0]["data"] == basemap()  # the outlines, unfilled by any tally
        for layer in spec["layers"][1:]:
            assert layer["@@type"] in {"ScatterplotLayer", "HeatmapLayer", "HexagonLayer"}
            rows = layer["data"]
            assert all(r.get("geo_precision") != "country" for r in rows)
            assert not tally_ids & {r.get("event_id") for r in rows}
    # The map page lists them instead (strikes.views.tallies), latest first.
    from strikes.views import tallies

    listed = tallies(ev)
    assert set(listed["event_id"]) >= tally_ids
    assert listed["date"].dropna().is_monotonic_decreasing


def test_selected_event_ids() -> None:
    state = {
        "selection": {
            "indices": {},
            "objects": {
                "strikes": [{"event_id": "a"}],
                "areas": [{"event_ids": ["b", "a", "c"]}],
            },
        }
    }
    assert maps.selected_event_ids(state) == ["a", "b", "c"]
    assert maps.selected_event_ids(None) == []
    assert maps.selected_event_ids({"selection": {}}) == []


# ------------------------------------------------------------------ at scale


def _reference_row(rec: dict, styles: dict[str, str]) -> dict:
    """One event's map row the slow, obvious way (the helpers one event at a time)."""
    from ui.render.theme import (
        PRECISION_LABELS,
        attacker_color,
        fmt_date,
        fmt_list,
        hex_to_rgb,
        is_missing,
        total_label,
        weapon_label,
    )

    attacker = "" if is_missing(rec.get("attacker")) else str(rec["attacker"])
    precision = "" if is_missing(rec.get("geo_precision")) else str(rec["geo_precision"])
    area = precision in maps.AREA_PRECISIONS
    style = styles.get(attacker, "filled")
    kind = total_label(rec)
    where = str(rec.get("location") or "") + (
        f" ({PRECISION_LABELS.get(precision, precision).lower()})" if precision else ""
    )
    lines = [
        fmt_date(rec.get("date"), rec.get("date_precision")) + (f" — {kind}" if kind else ""),
        where,
        f"Attacker: {attacker or 'unknown'}",
        f"Weapons: {fmt_list(rec.get('weapons'), label=weapon_label)}",
        maps._counts_text(rec),
    ]
    sentence = maps._first_sentence(rec.get("sources"))
    if sentence:
        lines.append(f"“{sentence}”")
    if not is_missing(rec.get("sources_label")) and rec["sources_label"]:
        lines.append(f"Sources: {rec['sources_label']}")
    if not is_missing(rec.get("source_line")) and rec["source_line"]:
        lines.append(rec["source_line"])
    mag = maps.magnitude(rec)
    color = attacker_color(attacker)
    return {
        "tooltip": "\n".join(lines),
        "fill": hex_to_rgb(color, 40 if area else (215 if style == "filled" else 70)),
        "line": hex_to_rgb(color, 170 if area else 255),
        "radius_px": min(42.0, 5.0 + 2.4 * mag**0.5),
        "weight": mag,
    }


def test_map_frame_matches_the_one_event_at_a_time_reference() -> None:
    from bench.corpus import make_events

    ev = pd.concat([seed_events(), make_events(400, seed=5)], ignore_index=True)
    # Odd cases: vague wording, whitespace to fold, a long sentence, an empty first source.
    ev.at[3, "vague"] = {"injured": "dozens", "injured_min": 24}
    ev.at[30, "sources"] = [{"sentence": "  Drones\n\thit\u00a0Kharkiv  overnight "}]
    ev.at[31, "sources"] = [{"sentence": "word " * 80}]
    ev.at[32, "sources"] = [{"sentence": ""}, {"sentence": "The second source says it."}]
    # Lower bounds ("more than 500": 500+) and the source columns ui.data adds.
    ev["bounds"] = [[] for _ in range(len(ev))]
    ev.at[4, "bounds"] = ["launched", "killed"]
    ev.at[5, "bounds"] = ["injured"]
    from ui.data import _with_source_columns

    arts = pd.DataFrame(
        {
            "article_id": [s["article"] for s in ev.at[6, "sources"]][:1],
            "title": ["Night of drones"],
            "outlet": ["Rail Weekly"],
            "url": ["https://rail.example.org/a"],
            "published": ["2025-07-01"],
        }
    )
    from strikes.store.database import event_sources_frame

    es = event_sources_frame(ev).merge(
        arts[["article_id", "outlet", "url"]], on="article_id", how="left"
    )
    ev = _with_source_columns(ev, es)
    assert ev.at[6, "source_line"] == "Rail Weekly — https://rail.example.org/a"
    frame = maps.map_frame(ev)
    located = ev[ev["lat"].notna() & ev["lon"].notna()]
    assert frame["event_id"].tolist() == located["event_id"].tolist()
    styles = maps.attacker_styles(sorted(ev["attacker"].dropna().unique()))
    for rec, row in zip(located.to_dict("records"), frame.to_dict("records"), strict=True):
        want = _reference_row(rec, styles)
        assert row["tooltip"] == want["tooltip"]
        assert row["fill"] == want["fill"] and row["line"] == want["line"]
        assert row["radius_px"] == pytest.approx(want["radius_px"])
        assert row["weight"] == pytest.approx(want["weight"])
    by_id = frame.set_index("event_id")["tooltip"]
    assert "“Drones hit Kharkiv overnight”" in by_id[ev.at[30, "event_id"]]
    assert "…”" in by_id[ev.at[31, "event_id"]]
    assert "“The second source says it.”" in by_id[ev.at[32, "event_id"]]
    floors = [i for i in (4, 5) if ev.at[i, "event_id"] in by_id.index]
    assert floors, "a lower-bound event is on the map"
    for i in floors:
        tip = by_id[ev.at[i, "event_id"]]
        for f in ev.at[i, "bounds"]:
            if not pd.isna(ev.at[i, f]):
                assert f"{f} {int(ev.at[i, f]):,}+" in tip, tip
    assert "Sources: " in by_id[ev.at[6, "event_id"]]


def test_events_at_one_place_are_one_object_and_a_click_lists_them() -> None:
    ev = seed_events()
    frame = maps.map_frame(ev)
    kyiv = frame[(frame["location"] == "Kyiv") & (frame["attacker"] == "Russia")]
    assert len(kyiv) == 2 and kyiv["group"].nunique() == 1
    places = maps.point_groups(frame)
    assert len(places) == frame["group"].nunique()
    assert places["n"].sum() == len(frame)
    (row,) = places[places["group"] == kyiv["group"].iloc[0]].to_dict("records")
    assert row["n"] == 2 and row["event_id"] == ""  # a group is selected by its key
    assert row["tooltip"].startswith("2 events, 4 Jul 2025 – 6 Jul 2025\nKyiv (town or city)")
    assert "Attacker: Russia" in row["tooltip"] and "Latest: 6 Jul 2025" in row["tooltip"]
    single = places[places["n"] == 1].iloc[0]
    assert single["tooltip"] == frame.loc[frame["group"] == single["group"], "tooltip"].iloc[0]
    state = {"selection": {"objects": {"strikes": [{"group": row["group"], "event_id": ""}]}}}
    ids = maps.selected_event_ids(state, frame)
    latest_first = kyiv.sort_values("date", ascending=False)["event_id"].tolist()
    assert ids == latest_first
    assert maps.selected_event_ids(state) == []  # without the rows a group names no event


def test_the_deck_stays_small_with_many_events() -> None:
    from bench.corpus import make_events
    from strikes.views import prepare_events

    ev = prepare_events(make_events(20_000, seed=9))
    frame = maps.map_frame(ev)
    assert len(frame) == 20_000
    deck = maps.build_deck(frame, basemap())
    text = deck.to_json()
    layers = {layer["id"]: layer for layer in json.loads(text)["layers"]}
    pins, areas = layers["strikes"]["data"], layers["areas"]["data"]
    drawn = sum(r["n"] for r in pins) + sum(r["n"] for r in areas)
    # Every event at a place is in exactly one object, one object per place; national
    # tallies are not places and not drawn.
    places = frame[frame["geo_precision"] != "country"]
    assert drawn == len(places)
    assert len(pins) + len(areas) == places["group"].nunique()
    assert len(text) < 200_000  # not 20,000 tooltips
    assert set(pins[0]) == {*maps.DECK_COLUMNS, "radius_px"}
    # Places summing thousands of weapons do not all hit the 42 px cap: the largest is 42 px,
    # the rest keep their proportions (area ~ magnitude).
    weight = maps.point_groups(frame).set_index("group")["weight"]
    top = max(weight[r["group"]] for r in pins)
    assert max(r["radius_px"] for r in pins) == pytest.approx(42.0)
    for r in pins:
        assert (r["radius_px"] - 5) / 37 == pytest.approx((weight[r["group"]] / top) ** 0.5)
    assert len({round(r["radius_px"], 3) for r in pins}) > len(pins) // 2
    for view in ("heat", "hexagons"):
        layer = json.loads(maps.build_deck(frame, {"features": []}, view=view).to_json())
        points = layer["layers"][1]["data"]
        assert (
            len(points)
            == frame.loc[frame["geo_precision"] != "country", ["lat", "lon"]]
            .drop_duplicates()
            .shape[0]
        )
        assert sum(p["weight"] for p in points) == pytest.approx(
            frame.loc[frame["geo_precision"] != "country", "weight"].sum()
        )


def test_the_outline_json_is_encoded_once_and_spliced_in() -> None:
    geo = basemap()
    frame = maps.map_frame(seed_events())
    url = "/app/static/countries-50m.geojson"
    assert maps.build_deck(frame, url).layers[0].data == url  # the browser fetches it once
    first = maps.build_deck(frame, geo).to_json()
    spec = json.loads(first)
    assert spec["layers"][0]["data"] == geo  # the outlines, as they are
    assert "@@spliced" not in first
    assert maps.build_deck(frame, geo).to_json() == first


def test_size_legend_matches_the_pins() -> None:
    """The pin-size legend's circles are the pins' own sizes: its largest is the largest pin,
    and a magnitude shown has the radius a pin of that magnitude gets."""
    weights = pd.Series([3.0, 40.0, 550.0, 0.0, float("nan")]).to_numpy()
    legend = maps.size_legend(weights)
    radii = maps.pin_radii(weights[weights > 0])
    assert [v for v, _ in legend] == [10.0, 100.0, 550.0]
    assert legend[-1][1] == pytest.approx(radii.max())
    assert legend[0][1] < legend[1][1] < legend[2][1] <= 42.0
    # The cap: thousands of weapons at one place give a 42 px pin, not a huge one.
    big = maps.size_legend(pd.Series([1.0, 9000.0]).to_numpy())
    assert big[-1] == (9000.0, pytest.approx(42.0))
    assert maps.size_legend(pd.Series([0.0, float("nan")]).to_numpy()) == []


def test_map_key_per_view() -> None:
    """The key above the map: attackers (filled or ring) and pin sizes for strikes; a low-high
    colour ramp in the map's own colours for heat and hexagons."""
    weights = pd.Series([5.0, 120.0]).to_numpy()
    strikes = maps.map_key_html("strikes", attackers=["Russia", "Ukraine"], weights=weights)
    assert "Russia (filled)" in strikes and "Ukraine (ring)" in strikes
    assert "Pin size" in strikes
    legend = maps.size_legend(weights)
    assert [v for v, _ in legend] == [1.0, 10.0, 120.0]  # not 100 beside 120
    for v, r in legend:
        assert f"width:{2 * r:.0f}px" in strikes and f"</span> {v:,.0f}</span>" in strikes
    # No pin: no size legend (but the attackers and the area note remain).
    none = maps.map_key_html("strikes", attackers=["Russia"], weights=weights[:0])
    assert "Pin size" not in none and "region-level report" in none
    # Attacker names are text, not markup.
    assert "<script>" not in maps.map_key_html(
        "strikes", attackers=["<script>x</script>"], weights=weights
    )
    for view, word in (("heat", "Heat"), ("hexagons", "Hexagons")):
        key = maps.map_key_html(view, attackers=["Russia"], weights=weights)
        assert f"<b>{word}</b>" in key and "low" in key and "high" in key
        colors = maps.HEAT_COLORS if view == "heat" else maps.HEX_COLORS
        assert all(f"rgb{tuple(c)}" in key for c in colors)
        assert "Pin size" not in key
    assert f"~{2 * maps.HEX_RADIUS_M // 1000} km" in maps.map_key_html(
        "hexagons", attackers=[], weights=weights
    )


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("All nights", ("2025-06-01", False)),
        ("2025-06-01", ("2025-06-02", False)),
        ("2025-06-02", ("2025-06-05", True)),
        ("2025-06-05", ("2025-06-01", False)),  # play again from the start
        ("2024-01-01", ("2025-06-01", False)),  # a night the filters removed
    ],
)
def test_next_night_of_play(current: str, expected: tuple[str, bool]) -> None:
    nights = ["2025-06-01", "2025-06-02", "2025-06-05"]
    assert maps.next_night(nights, current, all_label="All nights") == expected


def test_next_night_without_nights() -> None:
    assert maps.next_night([], "All nights", all_label="All nights") == ("All nights", True)
