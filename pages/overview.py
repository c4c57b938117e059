"""Overview: headline figures, the barrage timeline and monthly totals; selecting bars or a
range on the timeline narrows the event list below it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.components import headline_metrics
from ui.data import overview
from ui.page import filtered_page
from ui.render.charts import selected_nights
from ui.tables import events_table, model_table, month_table

ctx = filtered_page("Overview")
events = ctx.events

# Aggregates and figures of this view, cached per store version and filters.
view = overview(ctx.data, ctx.filters, events)
headline_metrics(view.headlines, events=len(events))

per = view.bin_label
st.subheader("Barrages per night" if per == "night" else f"Barrages per {per}")
binned = (
    ""
    if per == "night"
    else f" The range is long, so each bar sums a {per}'s nights (narrow the dates to see "
    "single nights)."
)
st.caption(
    "Solid bars: weapons launched; hatched bars: weapons intercepted; colours: weapon class. "
    "A night's figure is the national tally where one was reported, else the sum of local "
    f"reports.{binned} **Click a bar to list its events below** (shift-click adds more); "
    "**drag across the grey strip under the chart to select a range of nights**. The slider "
    "under the chart zooms in time. Double-click a chart to clear its selection."
)


def _picked(which: str) -> None:
    # The list follows the chart used last (a click on a bar, or a drag on the strip).
    st.session_state["timeline_last"] = which


state = st.plotly_chart(
    view.timeline,
    key="timeline",
    on_select=lambda: _picked("bars"),
    selection_mode="points",
    config={"displaylogo": False, "displayModeBar": True},
)
strip = st.plotly_chart(
    view.strip,
    key="timeline_range",
    on_select=lambda: _picked("range"),
    selection_mode="box",
    config={"displaylogo": False, "displayModeBar": False},
)
nights, box = selected_nights(state.get("selection") if state else None)
_, dragged = selected_nights(strip.get("selection") if strip else None)
if dragged and (st.session_state.get("timeline_last") == "range" or not (nights or box)):
    nights, box = set(), dragged

st.subheader("Events")
listed = events
if nights:
    pairs = pd.MultiIndex.from_arrays(
        [events["date"].astype("string").fillna(""), events["attacker"].astype("string")]
    )
    listed = events[pairs.isin(list(nights))]
    st.caption(f"Selected on the chart: {len(nights):,} night(s) · {len(listed):,} event(s).")
elif box:
    d = events["date"].astype("string")
    listed = events[((d >= box[0]) & (d <= box[1])).fillna(False).to_numpy(bool)]
    st.caption(f"Selected range on the chart: {box[0]} to {box[1]} · {len(listed):,} event(s).")
else:
    st.caption("All events of the current filters (select bars on the chart to narrow down).")
if listed.empty:
    st.info("No event in the selected part of the chart.", icon=":material/info:")
else:
    events_table(listed, key="overview_events", height=320)

st.subheader("Monthly totals")
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(view.monthly, key="monthly", config={"displaylogo": False})
with right:
    st.caption(
        "Totals reported for a whole month (e.g. “5,438 drones in June”) beside the sum of "
        "the nightly reports in the store for that month. A low share means the daily "
        "reports cover only part of the month."
    )
    month_table(view.months)

st.subheader("Weapon models")
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(view.model_figure, key="models", config={"displaylogo": False})
with right:
    st.caption(
        "Models as the reports name them (Shahed/Geran, decoys, Kh-101/Kh-555, Kalibr, "
        "Iskander, Kinzhal, KAB). Figures and the intercept rate count only events that name "
        "a single model family, so a mixed barrage's total is not credited to one model."
    )
    model_table(view.models)

left, right = st.columns(2)
with left:
    st.plotly_chart(view.weapons, key="weapons", config={"displaylogo": False})
with right:
    st.plotly_chart(view.regions, key="regions", config={"displaylogo": False})
