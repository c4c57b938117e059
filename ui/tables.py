"""Display frames and st.dataframe column configs for events and monthly totals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from ui.render.theme import PRECISION_LABELS, fmt_date, vague_items, vague_text, weapon_label


def display_events(events: pd.DataFrame) -> pd.DataFrame:
    """The event table as shown: typed dates, readable labels, flags for disagreements."""

    def conflicts(v: object) -> str:
        return "⚠ " + ", ".join(v) if isinstance(v, dict) and v else ""

    def vague(v: object) -> str:
        return "; ".join(vague_text(*item) for item in vague_items(v))

    def lst(v: object, f=str) -> list[str]:
        return [f(x) for x in v] if isinstance(v, list | tuple) else []

    return pd.DataFrame(
        {
            "date": pd.to_datetime(events["date"], errors="coerce"),
            "date_precision": events["date_precision"].astype("string"),
            "attacker": events["attacker"].astype("string"),
            "location": events["location"].astype("string"),
            "admin1": events["admin1"].astype("string"),
            "country_code": events["country_code"].astype("string"),
            "geo_precision": events["geo_precision"].map(
                lambda p: (
                    PRECISION_LABELS.get(str(p), "unresolved")
                    if isinstance(p, str)
                    else "unresolved"
                )
            ),
            "weapons": events["weapons"].map(lambda v: lst(v, weapon_label)),
            "launched": events["launched"],
            "intercepted": events["intercepted"],
            "hit": events["hit"],
            "killed": events["killed"],
            "injured": events["injured"],
            "kind": events["kind"].map(lambda k: "total" if k == "total" else "strike"),
            "n_sources": events["n_sources"],
            "conflicts": events["conflicts"].map(conflicts),
            "vague": events["vague"].map(vague),
            "target": events["target"].astype("string"),
            "event_id": events["event_id"].astype("string"),
        }
    )


NUM = "localized"
EVENT_ORDER = (
    "date",
    "date_precision",
    "attacker",
    "location",
    "admin1",
    "country_code",
    "weapons",
    "launched",
    "intercepted",
    "hit",
    "killed",
    "injured",
    "n_sources",
    "conflicts",
    "geo_precision",
    "kind",
    "vague",
    "target",
    "event_id",
)

EVENT_COLUMNS = {
    "date": st.column_config.DateColumn(
        "Date",
        format="D MMM YYYY",
        width="small",
        help="Morning's date of the night; month-level reports show the 1st — see Precision.",
    ),
    "date_precision": st.column_config.TextColumn(
        "Precision", width="small", help="How exact the date is: day, month, year."
    ),
    "attacker": st.column_config.TextColumn("Attacker", width="small"),
    "location": st.column_config.TextColumn("Place"),
    "admin1": st.column_config.TextColumn("Region"),
    "country_code": st.column_config.TextColumn("Country", width="small"),
    "geo_precision": st.column_config.TextColumn(
        "Location precision", help="Regions and countries are areas, not points."
    ),
    "weapons": st.column_config.ListColumn("Weapons"),
    "launched": st.column_config.NumberColumn("Launched", format=NUM, width="small"),
    "intercepted": st.column_config.NumberColumn("Intercepted", format=NUM, width="small"),
    "hit": st.column_config.NumberColumn("Hit", format=NUM, width="small"),
    "killed": st.column_config.NumberColumn("Killed", format=NUM, width="small"),
    "injured": st.column_config.NumberColumn("Injured", format=NUM, width="small"),
    "kind": st.column_config.TextColumn(
        "Kind", width="small", help="strike, or a national/monthly total"
    ),
    "n_sources": st.column_config.NumberColumn(
        "Sources", format=NUM, width="small", help="Source sentences behind the event."
    ),
    "conflicts": st.column_config.TextColumn(
        "Disagreements", help="Fields on which the sources report different values (⚠)."
    ),
    "vague": st.column_config.TextColumn("Vague figures"),
    "target": st.column_config.TextColumn("Target"),
    "event_id": st.column_config.TextColumn("Event id", width="small"),
}


PAGE_ROWS = 200  # rows per table page: a table never sends the whole store to the browser

# A paged table is ordered as a whole before it is cut into pages: a click on a column header
# sorts only the page in the browser.  The first entry is the default.
EVENT_SORTS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "launched": "Most weapons launched",
    "killed": "Most killed",
    "sources": "Most sources",
    "disagreements": "Disagreements first",
}
ARTICLE_SORTS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "events": "Most events",
    "title": "Title A–Z",
}


def _rank(values: pd.Series, *, descending: bool) -> np.ndarray:
    """Sort key of ``values`` for np.lexsort: ascending or descending, missing values last."""
    codes, _ = pd.factorize(values, sort=True)  # missing -> -1
    key = -codes.astype(float) if descending else codes.astype(float)
    key[codes < 0] = np.inf
    return key


def _figure(values: pd.Series) -> np.ndarray:
    """Descending sort key of a numeric column, missing last."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(v), np.inf, -v)


def event_order(events: pd.DataFrame, by: str = "newest") -> np.ndarray:
    """Positions of ``events`` in the order ``by`` (a key of EVENT_SORTS).  Ties go newest
    first, then in stored order; undated events and missing figures come last."""
    if by not in EVENT_SORTS:
        raise ValueError(f"unknown event order {by!r}")
    dates = events["date"].astype("string").str.slice(0, 10)
    if by == "oldest":
        return np.lexsort((_rank(dates, descending=False),))
    newest = _rank(dates, descending=True)  # np.lexsort: last key first; stable
    if by == "launched":
        keys: tuple[np.ndarray, ...] = (newest, _figure(events["launched"]))
    elif by == "killed":
        keys = (newest, _figure(events["injured"]), _figure(events["killed"]))
    elif by == "sources":
        keys = (newest, _figure(events["n_sources"]))
    elif by == "disagreements":
        agree = [0.0 if isinstance(c, dict) and c else 1.0 for c in events["conflicts"]]
        keys = (newest, np.asarray(agree, dtype=float))
    else:
        keys = (newest,)
    return np.lexsort(keys)


def article_order(table: pd.DataFrame, by: str = "newest") -> np.ndarray:
    """Positions of the Sources page's article rows in the order ``by`` (a key of
    ARTICLE_SORTS); ties newest first, then in stored order; undated articles last."""
    if by not in ARTICLE_SORTS:
        raise ValueError(f"unknown article order {by!r}")
    published = pd.to_datetime(table["published"], errors="coerce")
    if by == "oldest":
        return np.lexsort((_rank(published, descending=False),))
    newest = _rank(published, descending=True)
    if by == "events":
        keys: tuple[np.ndarray, ...] = (newest, _figure(table["events"]))
    elif by == "title":
        keys = (newest, _rank(table["title"].astype("string").str.casefold(), descending=False))
    else:
        keys = (newest,)
    return np.lexsort(keys)


def table_order(key: str, sorts: Mapping[str, str], *, n: int, page_rows: int = PAGE_ROWS) -> str:
    """The order chosen for the table ``key`` of ``n`` rows: its picker's state, else (and
    always for one page, which has no picker) the default."""
    by = st.session_state.get(f"{key}_sort")
    # A picker not drawn this run keeps its old state until the run ends.
    return by if by in sorts and n > page_rows else next(iter(sorts))


def _first_page(*page_keys: str) -> None:
    # Dropped, not set to 1: a picker then starts again at its default, page 1 (setting the
    # state of a widget that has a default makes Streamlit warn).
    for k in page_keys:
        st.session_state.pop(k, None)


def page_of(
    n: int,
    *,
    key: str,
    page_rows: int = PAGE_ROWS,
    sorts: Mapping[str, str] | None = None,
    linked_pages: Sequence[str] = (),
) -> tuple[int, int]:
    """(start, stop) of the rows to show of ``n``, with a page picker when there is more than
    one page (drawn where this is called; the picker's state is ``<key>_page``) and, with
    ``sorts``, an order picker before it (state ``<key>_sort``, read by `table_order`; a new
    order goes back to page 1, and so do the pickers keyed ``linked_pages``, of lists shown in
    the same order).  One page needs no picker: its headers sort it."""
    pages = max(1, math.ceil(n / page_rows))
    if pages == 1:
        return 0, n
    if sorts:
        order, left, right = st.columns([1, 1, 2], vertical_alignment="bottom")
        with order:
            st.selectbox(
                "Order",
                options=list(sorts),
                format_func=sorts.__getitem__,
                key=f"{key}_sort",
                on_change=_first_page,
                args=(f"{key}_page", *linked_pages),
                help="Orders every page; a click on a column header sorts only the page shown.",
            )
    else:
        left, right = st.columns([1, 3], vertical_alignment="bottom")
    with left:
        page = st.number_input(
            f"Table page (of {pages:,})",
            min_value=1,
            max_value=pages,
            value=1,
            step=1,
            key=f"{key}_page",
        )
    start = (int(page) - 1) * page_rows
    stop = min(n, start + page_rows)
    with right:
        st.caption(f"Rows {start + 1:,}–{stop:,} of {n:,}.")
    return start, stop


def events_table(
    events: pd.DataFrame,
    *,
    key: str,
    height: int | str = "auto",
    max_height: int | None = None,
    selectable: bool = False,
    page_rows: int = PAGE_ROWS,
    linked_pages: Sequence[str] = (),
    order: np.ndarray | None = None,
) -> list[int]:
    """st.dataframe of the events in `table_order`, newest first unless the order picker says
    otherwise, one page at a time (`page_of`; the pickers sit above the table).  Returns the
    positions in ``events`` of the selected rows (when ``selectable``).  A page that shows the
    events elsewhere in the same order passes that order (`event_order` of `table_order`) in.

    Only the page's rows are formatted and sent: 100,000 events would be tens of megabytes.
    """
    start, stop = page_of(
        len(events), key=key, page_rows=page_rows, sorts=EVENT_SORTS, linked_pages=linked_pages
    )
    by = table_order(key, EVENT_SORTS, n=len(events), page_rows=page_rows)
    if order is None:
        order = event_order(events, by)
    chunk = events.iloc[order[start:stop]]
    df = display_events(chunk)
    if max_height is not None:
        height = min(38 + 35 * len(chunk), max_height)
    kwargs = {}
    if selectable:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
    state = st.dataframe(
        df,
        # One key per page and order: a selection made on one must not select a row of another.
        key=key if start == 0 and by == "newest" else f"{key}_{by}_from{start}",
        column_order=EVENT_ORDER,
        placeholder="—",
        hide_index=True,
        column_config=EVENT_COLUMNS,
        height=height,
        width="stretch",
        **kwargs,
    )
    if not selectable or state is None or not hasattr(state, "selection"):
        return []
    return [int(order[start + int(r)]) for r in state.selection.rows if 0 <= int(r) < len(chunk)]


def month_table(months: pd.DataFrame) -> None:
    if months.empty:
        st.caption("No monthly figures in this selection.")
        return
    df = pd.DataFrame(
        {
            "month": months["month"].map(lambda m: fmt_date(f"{m}-01", "month")),
            "attacker": months["attacker"],
            "reported_launched": months["reported_launched"],
            "sum_of_daily_launched": months["sum_of_daily_launched"],
            "daily_share_launched": months["daily_share_launched"],
            "n_nights": months["n_nights"],
        }
    )
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            "month": st.column_config.TextColumn("Month"),
            "attacker": st.column_config.TextColumn("Attacker"),
            "reported_launched": st.column_config.NumberColumn("Reported total", format=NUM),
            "sum_of_daily_launched": st.column_config.NumberColumn("Sum of nights", format=NUM),
            "daily_share_launched": st.column_config.NumberColumn(
                "Share covered", format="percent"
            ),
            "n_nights": st.column_config.NumberColumn("Nights", format=NUM),
        },
    )


def model_table(models: pd.DataFrame) -> None:
    """Per weapon-model family: events naming it, launched, intercepted, intercept rate."""
    if models.empty:
        st.caption("No event in this selection names a weapon model.")
        return
    st.dataframe(
        models[["model", "attacker", "n_events", "launched", "intercepted", "intercept_rate"]],
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            "model": st.column_config.TextColumn("Model"),
            "attacker": st.column_config.TextColumn("Attacker"),
            "n_events": st.column_config.NumberColumn(
                "Events", format=NUM, help="Events whose reports name the model."
            ),
            "launched": st.column_config.NumberColumn("Launched", format=NUM),
            "intercepted": st.column_config.NumberColumn("Intercepted", format=NUM),
            "intercept_rate": st.column_config.NumberColumn(
                "Intercept rate",
                format="percent",
                help="Intercepted ÷ launched over the events naming only this model and "
                "reporting both.",
            ),
        },
    )
