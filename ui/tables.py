"""Display frames and st.dataframe column configs for events and monthly totals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from ui.render.cards import event_cards_html, responsive_css
from ui.render.theme import (
    PRECISION_LABELS,
    fmt_date,
    fmt_figure,
    is_floor,
    kind_label,
    place_label,
    sources_text,
    vague_items,
    vague_text,
    weapon_label,
)

NUM = "localized"


FIGURE_FIELDS = ("launched", "intercepted", "hit", "killed", "injured")


def display_events(events: pd.DataFrame) -> pd.DataFrame:
    """The event table as shown: typed dates, readable labels, figures as text ("500+" for a
    lower bound), what a row is (strike / national tally / monthly total), how many articles
    and outlets report it, flags for disagreements."""

    def conflicts(v: object) -> str:
        return "⚠ " + ", ".join(v) if isinstance(v, dict) and v else ""

    def vague(v: object) -> str:
        return "; ".join(vague_text(*item) for item in vague_items(v))

    def lst(v: object, f=str) -> list[str]:
        return [f(x) for x in v] if isinstance(v, list | tuple) else []

    recs = events[
        [c for c in ("location", "kind", "date_precision", "geo_precision") if c in events]
    ].to_dict("records")
    bounds = events["bounds"] if "bounds" in events else pd.Series([None] * len(events))
    figures = {
        f: [
            fmt_figure(v, is_floor(b, f), missing="")
            for v, b in zip(events[f].tolist(), bounds.tolist(), strict=True)
        ]
        for f in FIGURE_FIELDS
    }
    if "sources_label" in events:
        sources = events["sources_label"].astype("string")
    else:
        n_out = events["n_outlets"] if "n_outlets" in events else [None] * len(events)
        sources = [sources_text(a, o) for a, o in zip(events["n_articles"], n_out, strict=True)]
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(events["date"], errors="coerce"),
            "date_precision": events["date_precision"].astype("string"),
            "attacker": events["attacker"].astype("string"),
            "kind": [kind_label(r) for r in recs],
            "location": pd.array([place_label(r) or None for r in recs], dtype="string"),
            **{f: pd.array([v or None for v in figures[f]], dtype="string") for f in figures},
            "weapons": events["weapons"].map(lambda v: lst(v, weapon_label)),
            "sources": pd.array(list(sources), dtype="string"),
            "conflicts": events["conflicts"].map(conflicts),
            "admin1": events["admin1"].astype("string"),
            "country_code": events["country_code"].astype("string"),
            "geo_precision": events["geo_precision"].map(
                lambda p: (
                    PRECISION_LABELS.get(str(p), "unresolved")
                    if isinstance(p, str)
                    else "unresolved"
                )
            ),
            "vague": events["vague"].map(vague),
            "target": events["target"].astype("string"),
            "event_id": events["event_id"].astype("string"),
        }
    )
    if "reviewed" in events.columns:
        out.insert(out.columns.get_loc("conflicts") + 1, "review", review_labels(events))
    return out


def review_labels(events: pd.DataFrame) -> list[str]:
    """The table's review column: ✎ and the corrected fields, ✓ confirmed, ✕ dismissed."""
    out = []
    for status, rv in zip(events["reviewed"], events["review"], strict=True):
        fields = sorted((rv or {}).get("fields", {})) if isinstance(rv, dict) else []
        if status == "corrected":
            out.append("✎ " + (", ".join(fields) if fields else "merged/split"))
        elif status == "confirmed":
            out.append("✓ confirmed")
        elif status == "dismissed":
            out.append("✕ dismissed")
        else:
            out.append("")
    return out


EVENT_ORDER = (
    "date",
    "attacker",
    "kind",
    "location",
    *FIGURE_FIELDS,
    "weapons",
    "sources",
    "conflicts",
    "review",
    "admin1",
    "country_code",
    "date_precision",
    "geo_precision",
    "vague",
    "target",
    "event_id",
)


def _figure_column(label: str) -> st.column_config.Column:
    return st.column_config.TextColumn(
        label,
        width="small",
        alignment="right",
        help="As reported; a trailing + is a lower bound (“more than 500”: 500+). "
        "Use the Order picker to sort by it.",
    )


EVENT_COLUMNS = {
    "date": st.column_config.DateColumn(
        "Date",
        format="D MMM YYYY",
        width=104,  # "20 Nov 2025" whole
        help="Morning's date of the night; month-level reports show the 1st — see Precision.",
    ),
    "date_precision": st.column_config.TextColumn(
        "Precision", width="small", help="How exact the date is: day, month, year."
    ),
    "attacker": st.column_config.TextColumn("Attacker", width="small"),
    "kind": st.column_config.TextColumn(
        "Kind",
        width=112,  # "national tally" whole
        help="strike (a place hit), national tally (a country's nightly total) or monthly total",
    ),
    "location": st.column_config.TextColumn(
        "Place", help="A national tally is not a place: it reads “Ukraine (national tally)”."
    ),
    "admin1": st.column_config.TextColumn("Region"),
    "country_code": st.column_config.TextColumn("Country", width="small"),
    "geo_precision": st.column_config.TextColumn(
        "Location precision", help="Regions and countries are areas, not points."
    ),
    "weapons": st.column_config.ListColumn("Weapons"),
    **{f: _figure_column(f.capitalize()) for f in FIGURE_FIELDS},
    "sources": st.column_config.TextColumn(
        "Sources", help="Articles reporting the event and the distinct outlets that published them."
    ),
    "conflicts": st.column_config.TextColumn(
        "Disagreements", help="Fields on which the sources report different values (⚠)."
    ),
    "review": st.column_config.TextColumn(
        "Review", help="Analysts' decisions: ✎ corrected fields, ✓ confirmed, ✕ dismissed."
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
    "sources": "Most articles",
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
        # Articles, then distinct outlets (when known): not source sentences.
        keys = (newest, _figure(events["n_articles"]))
        if "n_outlets" in events:
            keys = (newest, _figure(events["n_outlets"]), _figure(events["n_articles"]))
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
    return by if by in sorts and n > 1 else next(iter(sorts))


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
    if pages == 1 and (not sorts or n < 2):
        return 0, n
    if pages == 1:
        # One page still gets the order picker: figures shown as text ("500+") sort as text
        # on a click of their header.
        st.columns([1, 3])[0].selectbox(
            "Order",
            options=list(sorts),
            format_func=sorts.__getitem__,
            key=f"{key}_sort",
            on_change=_first_page,
            args=linked_pages,
        )
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
    # Both are sent; CSS shows the table on a wide screen and the card list on a phone.
    st.html(responsive_css(f"st-key-{key}_wide", f"st-key-{key}_cards"))
    with st.container(key=f"{key}_cards"):
        st.html(event_cards_html(chunk))
    with st.container(key=f"{key}_wide"):
        state = st.dataframe(
            df,
            # One key per page and order: a selection made on one must not select a row of
            # another.
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
