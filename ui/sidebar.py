"""The one sidebar of filters, shared by every page and mirrored in the URL.

How the sync works (one direction per moment, so the two never fight):

1. At the start of a browser session (first run: a fresh tab, a shared link or a reload) the
   widgets' session-state values are seeded from the query string (`Filters.from_query`;
   unknown values and malformed dates are dropped, dates clamped to the data's range).
2. From then on the widgets are the truth: after they are drawn, every run writes the
   current filters back to `st.query_params` (only the filter keys, only when they differ).
   Page switches keep the widgets' state (the sidebar is drawn by app.py on every page) and
   the next run puts the query string back on the new page's URL.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

import streamlit as st

from strikes.export import country_name
from strikes.review import FILTER_STATUSES
from strikes.views import search_words
from ui.data import Data, get_settings
from ui.render.filters import QUERY_KEYS, Filters, query_differs
from ui.render.theme import weapon_label

K_DATES = "flt_dates"
K_ATTACKERS = "flt_attackers"
K_WEAPONS = "flt_weapons"
K_COUNTRIES = "flt_countries"
K_REGIONS = "flt_regions"
K_TEXT = "flt_text"
K_REVIEW = "flt_review"
K_SEEDED = "_flt_seeded"
K_BOUNDS = "_flt_bounds"
LIST_KEYS = {
    K_ATTACKERS: "attackers",
    K_WEAPONS: "weapons",
    K_COUNTRIES: "countries",
    K_REGIONS: "regions",
}


def _day(s: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(s) if s else None


def _clamp(d: _dt.date, lo: _dt.date, hi: _dt.date) -> _dt.date:
    return min(max(d, lo), hi)


def _query_dict() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in QUERY_KEYS if k in qp}


K_DEFAULT = "_flt_default_dates"


def _default_dates(lo: _dt.date, hi: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The default date range (dense part of the data), within the bounds."""
    d = st.session_state.get(K_DEFAULT)
    if not d:
        return lo, hi
    a, b = (_clamp(_dt.date.fromisoformat(x), lo, hi) for x in d)
    return min(a, b), max(a, b)


def _seed(f: Filters, lo: _dt.date | None, hi: _dt.date | None) -> None:
    ss = st.session_state
    ss[K_ATTACKERS] = list(f.attackers)
    ss[K_WEAPONS] = list(f.weapons)
    ss[K_COUNTRIES] = list(f.countries)
    ss[K_REGIONS] = list(f.regions)
    ss[K_TEXT] = f.text[: get_settings().max_search_chars]
    ss[K_REVIEW] = list(f.review)
    if lo is not None and hi is not None:
        # No dates in the link: the dense part of the data, not a span set by one outlier.
        d_lo, d_hi = _default_dates(lo, hi)
        if f.date_from is None and f.date_to is None:
            ss[K_DATES] = (d_lo, d_hi)
            return
        a = _clamp(_day(f.date_from) or lo, lo, hi)
        b = _clamp(_day(f.date_to) or hi, lo, hi)
        ss[K_DATES] = (min(a, b), max(a, b))


def reset_filters() -> None:
    ss = st.session_state
    for k in LIST_KEYS:
        ss[k] = []
    ss[K_TEXT] = ""
    ss[K_REVIEW] = []
    bounds = ss.get(K_BOUNDS)
    if bounds and bounds[0] and bounds[1]:
        ss[K_DATES] = _default_dates(_day(bounds[0]), _day(bounds[1]))


def full_span() -> None:
    bounds = st.session_state.get(K_BOUNDS)
    if bounds and bounds[0] and bounds[1]:
        st.session_state[K_DATES] = (_day(bounds[0]), _day(bounds[1]))


def _sanitize(data: Data, lo: _dt.date | None, hi: _dt.date | None) -> None:
    """Keep session values valid for the current data (new uploads change the options)."""
    ss = st.session_state
    opts = data.options
    for key, opt in LIST_KEYS.items():
        allowed = set(opts.get(opt, []))
        cur = ss.get(key) or []
        ss[key] = [v for v in cur if v in allowed]
    ss[K_TEXT] = str(ss.get(K_TEXT) or "")[: get_settings().max_search_chars]
    ss[K_REVIEW] = [v for v in ss.get(K_REVIEW) or [] if v in FILTER_STATUSES]
    if lo is None or hi is None:
        ss.pop(K_DATES, None)
        return
    old = ss.get(K_BOUNDS)
    new = (lo.isoformat(), hi.isoformat())
    cur = ss.get(K_DATES)
    if not isinstance(cur, tuple | list) or len(cur) == 0:
        ss[K_DATES] = (lo, hi)
    else:
        dates = [d for d in cur if isinstance(d, _dt.date)]
        if not dates:
            ss[K_DATES] = (lo, hi)
        elif old and old != new and tuple(d.isoformat() for d in dates) == tuple(old):
            ss[K_DATES] = (lo, hi)  # the whole old range stays the whole (new) range
        else:
            ss[K_DATES] = tuple(_clamp(d, lo, hi) for d in dates)
    ss[K_BOUNDS] = new


def _search(value: object) -> str:
    """The search text as used: at most max_search_chars, each word once, max_search_words."""
    s = get_settings()
    return " ".join(
        search_words(str(value or "")[: s.max_search_chars], max_words=s.max_search_words)
    )


def current_filters(data: Data) -> Filters:
    ss = st.session_state
    lo, hi = data.date_bounds
    date_from = date_to = None
    dates = ss.get(K_DATES)
    if lo and hi and isinstance(dates, tuple | list) and dates:
        a = dates[0].isoformat()
        b = dates[1].isoformat() if len(dates) > 1 else None
        date_from = a if a > lo else None
        date_to = b if b is not None and b < hi else None
    return Filters(
        date_from=date_from,
        date_to=date_to,
        attackers=tuple(ss.get(K_ATTACKERS) or ()),
        weapons=tuple(ss.get(K_WEAPONS) or ()),
        countries=tuple(ss.get(K_COUNTRIES) or ()),
        regions=tuple(ss.get(K_REGIONS) or ()),
        text=_search(ss.get(K_TEXT)),
        review=tuple(ss.get(K_REVIEW) or ()),
        bounds=(lo, hi),
    )


def _write_url(f: Filters) -> None:
    wanted = f.to_query()
    if not query_differs(_query_dict(), wanted):
        return
    qp = st.query_params
    for k in QUERY_KEYS:
        if k in wanted:
            qp[k] = wanted[k]
        elif k in qp:
            del qp[k]


def render_sidebar(data: Data) -> Filters:
    """Draw the filters in the sidebar and return them (also written to the URL)."""
    ss = st.session_state
    lo, hi = (_day(b) for b in data.date_bounds)
    ss[K_DEFAULT] = data.default_dates
    if K_SEEDED not in ss:
        _seed(Filters.from_query(_query_dict(), options=data.options), lo, hi)
        ss[K_SEEDED] = True
    _sanitize(data, lo, hi)
    opts = data.options
    with st.sidebar:
        st.markdown("### Filters")
        if lo is not None and hi is not None:
            st.date_input(
                "Date range",
                min_value=lo,
                max_value=hi,
                key=K_DATES,
                format="YYYY-MM-DD",
                help="Nights are dated by the morning after. Month-level reports are kept when "
                "their month overlaps the range; undated reports only when the range is full.",
            )
            dates = ss.get(K_DATES)
            if isinstance(dates, tuple | list) and tuple(dates) != (lo, hi):
                d_lo, d_hi = _default_dates(lo, hi)
                if (d_lo, d_hi) != (lo, hi) and tuple(dates) == (d_lo, d_hi):
                    st.caption(
                        f"Showing the dense part of the data; a few reports lie outside "
                        f"({lo.isoformat()} – {hi.isoformat()})."
                    )
                st.button(
                    "Full span of the data",
                    on_click=full_span,
                    icon=":material/date_range:",
                    width="stretch",
                    help=f"All dates: {lo.isoformat()} – {hi.isoformat()}.",
                )
        else:
            st.caption("No dated events yet.")
        st.multiselect(
            "Attacker", opts.get("attackers", []), key=K_ATTACKERS, placeholder="All attackers"
        )
        st.multiselect(
            "Weapon",
            opts.get("weapons", []),
            key=K_WEAPONS,
            format_func=weapon_label,
            placeholder="All weapons",
            help="Events involving any of the selected weapon classes.",
        )
        st.multiselect(
            "Country",
            opts.get("countries", []),
            key=K_COUNTRIES,
            format_func=lambda c: f"{country_name(c)} ({c})",
            placeholder="All countries",
            help="Country where the strike happened (or that a national tally covers).",
        )
        st.multiselect("Region", opts.get("regions", []), key=K_REGIONS, placeholder="All regions")
        st.text_input(
            "Search places and sources",
            key=K_TEXT,
            max_chars=get_settings().max_search_chars,
            placeholder="e.g. Kyiv, Izhevsk, Shahed",
            help="Every word must appear in the place, region, target, weapon models, who "
            "reported it, or the source sentences.",
        )
        st.multiselect(
            "Review status",
            list(FILTER_STATUSES),
            key=K_REVIEW,
            placeholder="All but dismissed",
            help="Analysts' decisions: reviewed (confirmed, corrected or dismissed), "
            "unreviewed, corrected, dismissed. Dismissed events are hidden unless chosen here.",
        )
        f = current_filters(data)
        at_default = not dataclasses.replace(f, date_from=None, date_to=None).active and (
            lo is None or tuple(ss.get(K_DATES) or ()) == _default_dates(lo, hi)
        )
        st.button(
            "Reset filters",
            on_click=reset_filters,
            disabled=at_default,
            icon=":material/filter_alt_off:",
            width="stretch",
        )
        st.caption("The address bar holds these filters: copy it to share this exact view.")
    _write_url(f)
    return f
