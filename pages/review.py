"""Review: the queue of unreviewed events, most in need of a person first, with the review
form for the selected one (the first by default, so a reviewer can work down the queue);
decisions that no longer find their event; the dismissed events on request."""

from __future__ import annotations

import dataclasses

import streamlit as st

from strikes.review import QUEUE_WEIGHTS
from ui.components import event_sources_panel, event_title, events_by_id, md_escape
from ui.page import page_context
from ui.review import orphans_notice, queue_for, review_details, review_panel, show_done
from ui.tables import events_table

ctx = page_context()
st.title("Review queue")
show_done()
orphans_notice(ctx.data.orphans)

# The sidebar's filters narrow the queue; its review status filter does not apply here.
base = dataclasses.replace(ctx.filters, review=("unreviewed",)).apply(ctx.data.events)
queue = queue_for(ctx.data, ctx.filters.to_query(), base)
weights = ", ".join(f"{k} {v}" for k, v in QUEUE_WEIGHTS.items())
st.caption(
    f"**{len(queue):,} unreviewed events** in the current filters, ordered by what most likely "
    f"needs a person (priority points: {weights}), then newest first. Select a row, or work "
    "from the top: after each decision the next event comes up."
)
if queue.empty:
    st.info("Nothing left to review in the current filters.", icon=":material/task_alt:")
else:
    state = st.dataframe(
        queue.head(500),
        key="review_queue",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=300,
        column_config={
            "priority": st.column_config.NumberColumn("Priority", width="small"),
            "why": st.column_config.TextColumn("Why it needs a person"),
            "launched": st.column_config.NumberColumn("Launched", format="localized"),
            "killed": st.column_config.NumberColumn("Killed", format="localized"),
            "injured": st.column_config.NumberColumn("Injured", format="localized"),
            "sources": st.column_config.NumberColumn("Articles", width="small"),
            "date": st.column_config.TextColumn("Date", width="small"),
            "attacker": st.column_config.TextColumn("Attacker", width="small"),
            "place": st.column_config.TextColumn("Place"),
            "event_id": st.column_config.TextColumn("Event id", width="small"),
        },
    )
    rows = list(getattr(getattr(state, "selection", None), "rows", []) or [])
    eid = queue["event_id"].iloc[rows[0] if rows else 0]
    for ev in events_by_id(ctx.data.events, [eid]):
        with st.container(border=True):
            st.markdown(f"#### {md_escape(event_title(ev))}")
            event_sources_panel(
                ev,
                event_sources=ctx.data.event_sources,
                claims=ctx.data.claims,
                articles=ctx.data.articles,
            )
            review_panel(ev, data=ctx.data, key="queue")

st.subheader("Dismissed events")
if st.toggle("List the dismissed events", key="review_show_dismissed"):
    gone = dataclasses.replace(ctx.filters, review=("dismissed",)).apply(ctx.data.events)
    if gone.empty:
        st.caption("No dismissed event in the current filters.")
    else:
        rows = events_table(gone, key="review_dismissed", max_height=300, selectable=True)
        for ev in events_by_id(gone, gone["event_id"].iloc[rows].tolist() if rows else []):
            st.markdown(f"**{md_escape(event_title(ev))}**")
            review_details(ev)
            review_panel(ev, data=ctx.data, key="dismissed")
else:
    st.caption("Dismissed events are hidden everywhere unless the sidebar's review filter asks.")
