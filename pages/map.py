"""Map: strikes as pins (sized by launched or casualties, coloured by attacker), regional and
national reports as translucent areas, a heat/hexagon view; click a strike for its sources."""

from __future__ import annotations

import streamlit as st

from ui.components import (
    event_sources_panel,
    event_title,
    events_by_id,
    md_escape,
)
from ui.data import get_settings, map_rows
from ui.maps import attacker_styles, build_deck, countries_geojson, selected_event_ids
from ui.page import filtered_page
from ui.review import review_panel, show_done
from ui.tables import events_table
from ui.theme import attacker_color

VIEW_LABELS = {"strikes": "Strikes", "heat": "Heat map", "hexagons": "Hexagons"}
MAX_PANELS = 5  # events of a selected place shown with their sources (the rest: a table)


# One shared object (never modified): the deck encodes it to JSON once per object.
@st.cache_resource(show_spinner="Preparing the country outlines…")
def _countries(data_dir: str, cache_dir: str) -> dict:
    return countries_geojson(get_settings(), cache_dir=None)


ctx = filtered_page("Strike map")
show_done()

frame = map_rows(ctx.data, ctx.events)
unlocated = len(ctx.events) - len(frame)

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
with c3:
    styles = attacker_styles(sorted(frame["attacker"].replace("", "unknown").unique()))
    legend = " ".join(
        f"<span style='white-space:nowrap;margin-right:1rem'>"
        f"<span style='display:inline-block;width:13px;height:13px;border-radius:50%;"
        f"vertical-align:middle;border:2.5px solid {attacker_color(a)};"
        f"background:{attacker_color(a) if s == 'filled' else 'transparent'}'></span> "
        f"{md_escape(a)} ({'filled' if s == 'filled' else 'ring'})</span>"
        for a, s in styles.items()
    )
    st.html(
        "<div style='font-size:0.85rem;line-height:1.8'>"
        f"<b>Attacker:</b> {legend}<br>"
        "<span style='display:inline-block;width:13px;height:13px;border-radius:50%;"
        "vertical-align:middle;border:1px solid #555;background:rgba(120,120,120,0.2)'>"
        "</span> translucent circle: a region-level report (approximate area) · "
        "<span style='display:inline-block;width:16px;height:11px;vertical-align:middle;"
        "border:1px solid #555;background:rgba(120,120,120,0.2)'></span> shaded country: "
        "a national tally (not a place hit)</div>"
    )

s = get_settings()
countries = _countries(str(s.data_dir), str(s.cache_dir))
deck = build_deck(frame, countries, view=view, web_tiles=web)
state = st.pydeck_chart(
    deck,
    key=f"map_{view}",
    on_select="rerun" if view == "strikes" else "ignore",
    selection_mode="single-object",
    height=560,
    alt="Map of the filtered strike events",
)
notes = []
if unlocated:
    notes.append(f"{unlocated:,} event(s) without a resolved place are not on the map")
if view != "strikes":
    notes.append("heat and hexagon views leave out national tallies (a country is not a place)")
notes.append(
    "pin size: weapons launched, else casualties; events at one place are one pin or area "
    "(its tooltip sums them up, a click lists them)"
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
