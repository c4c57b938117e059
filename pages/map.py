"""Map: strikes as pins (sized by launched or casualties, coloured by attacker), regional
reports as translucent areas, a heat/hexagon view, a night slider; national tallies listed
beside the map (a tally is not a place); click a strike for its sources."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from strikes.views import tallies
from ui.components import (
    event_sources_panel,
    event_title,
    events_by_id,
    md_escape,
    tally_panel,
)
from ui.data import map_rows
from ui.page import filtered_page
from ui.render.maps import (
    BASEMAP_FILE,
    build_deck,
    map_key_html,
    next_night,
    selected_event_ids,
)
from ui.render.theme import fmt_date
from ui.review import review_panel, show_done
from ui.tables import events_table

VIEW_LABELS = {"strikes": "Strikes", "heat": "Heat map", "hexagons": "Hexagons"}
MAX_PANELS = 5  # events of a selected place shown with their sources (the rest: a table)
ALL_NIGHTS = "All nights"
PLAY_SECONDS = 2.0  # one night on screen while playing
STATIC = Path(__file__).resolve().parent.parent / "static"


def basemap_url() -> str | None:
    """Where the browser fetches the country outlines (Streamlit's static file serving);
    None when the built file is missing (the map then draws without outlines)."""
    if not (STATIC / BASEMAP_FILE).is_file():
        return None
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (base, "app", "static", BASEMAP_FILE) if p)


def viewport_width() -> int:
    """The width to fit the strikes into: a phone's (from the browser's user agent) or a
    desktop map's.  The server has no other clue about the screen when the map opens."""
    agent = str(st.context.headers.get("User-Agent") or "")
    return 320 if ("Mobi" in agent or "Android" in agent) else 640


ctx = filtered_page("Strike map")
show_done()

frame = map_rows(ctx.data, ctx.events)
unlocated = len(ctx.events) - len(frame)
tally = tallies(ctx.events)

c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    view = (
        st.segmented_control(
            "View",
            list(VIEW_LABELS),
            format_func=VIEW_LABELS.get,
            default="strikes",
            key="map_view",
            required=True,
        )
        or "strikes"
    )
with c2:
    web = st.toggle(
        "Web base map",
        value=False,
        key="map_tiles",
        help="Street-map tiles from the internet. Offline they simply do not load; the "
        "country outlines and the strikes are drawn without them.",
    )
nights = sorted(d for d in frame["date"].dropna().unique() if len(str(d)) == 10)


def _play_step() -> None:
    """While "Play" is on, show the next night once its time is up (before the slider and
    the toggle are drawn, so their values may be set); after the last night, stop."""
    ss = st.session_state
    if ss.get("map_night", ALL_NIGHTS) not in (ALL_NIGHTS, *nights):
        ss["map_night"] = ALL_NIGHTS  # the filters changed under it
    if not ss.get("map_play") or len(nights) < 2:
        ss.pop("map_play_at", None)
        return
    now = time.monotonic()
    if now - ss.get("map_play_at", -PLAY_SECONDS) < PLAY_SECONDS * 0.8:
        return  # a rerun for another reason (or the clock's own) comes too early
    night, done = next_night(nights, ss.get("map_night", ALL_NIGHTS), all_label=ALL_NIGHTS)
    ss["map_night"] = night
    ss["map_play_at"] = now
    if done:
        ss["map_play"] = False


_play_step()


@st.fragment(run_every=PLAY_SECONDS if st.session_state.get("map_play") else None)
def _play_clock() -> None:
    """The clock of "Play": a fragment rerun every PLAY_SECONDS that reruns the page when
    the current night's time is up (the page's own run draws the next night)."""
    at = st.session_state.get("map_play_at")
    if at is not None and time.monotonic() - at >= PLAY_SECONDS * 0.8:
        st.rerun(scope="app")


with c3:
    night = ALL_NIGHTS
    if len(nights) > 1:
        st.toggle(
            "Play by night",
            key="map_play",
            help=f"Step through the nights, one every {PLAY_SECONDS:g} seconds, from the one "
            "shown (or the first); stops after the last night. Turn off to pause.",
        )
        _play_clock()
        night = st.select_slider(
            "Night",
            options=[ALL_NIGHTS, *nights],
            key="map_night",
            format_func=lambda d: d if d == ALL_NIGHTS else fmt_date(d),
            help="Step through the nights one by one (drag, or the arrow keys once the handle "
            "has focus); the far left shows all of them.",
        )
if night != ALL_NIGHTS:
    frame = frame[(frame["date"] == night).to_numpy(dtype=bool)]
    tally = tally[(tally["date"] == night).to_numpy(dtype=bool)]

places = frame[(frame["geo_precision"] != "country").to_numpy(dtype=bool)]
pins = places[places["geo_precision"].isin(("point", "city")).to_numpy(dtype=bool)]
key_html = map_key_html(
    view,
    attackers=sorted(frame["attacker"].replace("", "unknown").unique()),
    weights=pins.groupby("group")["weight"].sum().to_numpy(dtype=float),
)
st.html(f"<div style='font-size:0.85rem;line-height:2'>{key_html}</div>")

left, right = st.columns([3, 1])
with left:
    deck = build_deck(frame, basemap_url(), view=view, web_tiles=web, width_px=viewport_width())
    state = st.pydeck_chart(
        deck,
        key=f"map_{view}",
        on_select="rerun" if view == "strikes" else "ignore",
        selection_mode="single-object",
        height=560,
        alt="Map of the filtered strike events",
    )
with right:
    tally_panel(tally)
notes = []
if unlocated:
    notes.append(f"{unlocated:,} event(s) without a resolved place are not on the map")
notes.append(
    "national tallies and monthly totals are counts over a whole country, not places hit: "
    "they are listed beside the map, not drawn on it"
)
if view == "strikes":
    notes.append(
        "events at one place are one pin or area (its tooltip sums them up, a click lists them)"
    )
st.caption("; ".join(notes).capitalize() + ".")

ids = selected_event_ids(state, frame) if view == "strikes" else []
if len(ids) > MAX_PANELS:
    st.markdown(
        f"**{len(ids):,} events at the selected place**, latest first. Select one in the "
        f"table to see its sources; until then the latest {MAX_PANELS} are shown below."
    )
    chosen = ctx.events[ctx.events["event_id"].isin(ids).to_numpy(dtype=bool)].sort_values(
        "date", ascending=False, kind="mergesort"
    )
    rows = events_table(chosen, key="map_selected", max_height=320, selectable=True)
    ids = chosen["event_id"].iloc[rows].tolist() if rows else ids[:MAX_PANELS]
if ids:
    for ev in events_by_id(ctx.events, ids):
        st.subheader(md_escape(event_title(ev)))
        event_sources_panel(
            ev,
            event_sources=ctx.data.event_sources,
            claims=ctx.data.claims,
            articles=ctx.data.articles,
        )
        review_panel(ev, data=ctx.data, key=f"map_{ev['event_id']}")
elif view == "strikes":
    st.info(
        "Click a strike or an area on the map to see the reports behind it.",
        icon=":material/touch_app:",
    )
