"""Events: the filtered event table, each event expandable to its source sentences."""

from __future__ import annotations

import math

import streamlit as st

from ui.components import (
    event_sources_panel,
    event_sources_text,
    event_title,
    events_by_id,
    md_escape,
)
from ui.official import official_beside_event
from ui.page import filtered_page
from ui.review import review_details, review_panel, show_done
from ui.tables import EVENT_SORTS, event_order, events_table, table_order

PAGE_SIZE = 25

ctx = filtered_page("Events")
events = ctx.events
show_done()

n_conf = sum(1 for c in events["conflicts"].to_numpy(dtype=object) if isinstance(c, dict) and c)
st.markdown(
    f"**{len(events):,} events** · {n_conf:,} with disagreeing sources (⚠). "
    "Select a row to see its sources, or open an event below."
)
# One order for the table and the list below it (an order picked reaches session state
# before this run starts).
order = event_order(events, table_order("events_table", EVENT_SORTS, n=len(events)))
rows = events_table(
    events,
    key="events_table",
    max_height=460,
    selectable=True,
    linked_pages=("events_page",),
    order=order,
)
if rows:
    ev = events.iloc[rows[0]].to_dict()
    with st.container(border=True):
        st.markdown(f"#### {md_escape(event_title(ev))}")
        event_sources_panel(
            ev,
            event_sources=ctx.data.event_sources,
            claims=ctx.data.claims,
            articles=ctx.data.articles,
            key_prefix="selected",
        )
        official_beside_event(ev)
        review_panel(ev, data=ctx.data, key="events_selected")

st.subheader("Events and their sources")
pages = max(1, math.ceil(len(events) / PAGE_SIZE))
page = 1
if pages > 1:
    page = st.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1, key="events_page"
    )
chunk = events.iloc[order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
for ev in events_by_id(chunk, chunk["event_id"].tolist()):
    flag = " ⚠" if isinstance(ev.get("conflicts"), dict) and ev["conflicts"] else ""
    n_txt = " · " + event_sources_text(ev)
    # Rendered only when opened: a closed expander's content would still be built and sent.
    box = st.expander(
        md_escape(event_title(ev) + n_txt) + flag,
        key=f"ev_open_{ev['event_id']}",
        on_change="rerun",
    )
    if box.open:
        with box:
            event_sources_panel(
                ev,
                event_sources=ctx.data.event_sources,
                claims=ctx.data.claims,
                articles=ctx.data.articles,
                key_prefix="list",
            )
            review_details(ev)
