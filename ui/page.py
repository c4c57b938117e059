"""What every page starts with: the data, the sidebar's filters and the filtered events."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from strikes.views import split_undated
from ui.data import Data, get_data
from ui.navigation import legacy_pages_mode, use_navigation_mode
from ui.render.filters import Filters
from ui.sidebar import current_filters


@dataclass(frozen=True)
class PageContext:
    data: Data
    filters: Filters
    events: pd.DataFrame  # the filtered, dated events (prepared frame rows)
    undated: pd.DataFrame  # undated events matching every filter but the dates (listed apart)

    @property
    def total(self) -> int:
        return len(self.data.events)


def ensure_navigation() -> None:
    """Make sure this run went through app.py (its st.navigation and sidebar).

    Streamlit decides per process whether an app with a ``pages/`` folder is a legacy
    multipage app; until the first `st.navigation` call of the process (and in every
    AppTest run) a request for a page URL runs the page file alone, without app.py.  When that
    happens, switch the process to st.navigation mode and rerun: the rerun goes through app.py.
    """
    if legacy_pages_mode():
        use_navigation_mode()
        st.rerun()


def filtered_page(title: str, *, stop_when_empty: bool = True) -> PageContext:
    """A page of the filtered events: its title, what the filters show, and the "no events"
    notice (after which the page stops, unless `stop_when_empty` is False)."""
    from ui.components import filter_caption, no_events_for_filters, undated_events

    ctx = page_context()
    st.title(title)
    filter_caption(ctx.filters, len(ctx.events), ctx.total)
    undated_events(ctx.undated, articles=ctx.data.articles)
    if ctx.events.empty:
        no_events_for_filters(ctx.filters, ctx.total)
        if stop_when_empty:
            st.stop()
    return ctx


def page_context() -> PageContext:
    ensure_navigation()
    data = get_data()
    filters = current_filters(data)
    try:
        events = filters.apply(data.events)
        # Undated events have no place on a timeline: every filter but the dates applies to
        # them, and the pages list them apart (never mixed into the dated ones).
        undated = split_undated(
            dataclasses.replace(filters, date_from=None, date_to=None).apply(data.events)
        )[1]
    except ValueError:
        events = undated = data.events.iloc[0:0]
    events = split_undated(events)[0]
    return PageContext(data=data, filters=filters, events=events, undated=undated)
