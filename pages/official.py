"""Official tallies: the Air Force's nightly figures beside the news figures, night by night
and model by model, with the differences spelled out (strikes.official)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from strikes import official as off
from strikes.review import filter_review
from ui.components import event_sources_panel, event_title, md_escape
from ui.data import get_settings
from ui.official import (
    about,
    comparison_table,
    get_official,
    how_to_import,
    model_month_chart,
    night_table,
    official_view,
    provenance,
)
from ui.page import page_context
from ui.render.theme import fmt_date, fmt_int

ctx = page_context()
st.title("Official tallies")
o = get_official()
if o.empty:
    how_to_import(read_only=get_settings().read_only)
    about()
    st.stop()

provenance(o)
f = ctx.filters
if f.date_from or f.date_to:
    lo = fmt_date(f.date_from) if f.date_from else "the first night"
    hi = fmt_date(f.date_to) if f.date_to else "the last night"
    span = f"Nights {lo} – {hi} (the sidebar's date range)."
else:
    span = "Every night of the file (no date range set in the sidebar)."
st.caption(
    f"{span} The other filters do not apply here: the "
    f"official figures are national totals of Russian attacks, compared with the news events "
    f"whose attacker is {off.ATTACKER}."
)
view = official_view(o, ctx.data, date_from=f.date_from, date_to=f.date_to)
cmp = view.comparison
per_night = cmp[cmp["level"] == "night"]
both = per_night[~per_night["status"].isin([off.NO_NEWS, off.NO_OFFICIAL])]
differ = both[both["status"] != off.MATCH]

c = st.columns(4)
c[0].metric("Official nights", f"{len(view.nights):,}")
c[1].metric("Nights with a news figure", f"{len(both):,}")
c[2].metric("News matches the official tally", f"{int((both['status'] == off.MATCH).sum()):,}")
c[3].metric("News differs", f"{len(differ):,}")

st.subheader("Night by night")
st.caption(
    "Bars: the official figures of each night, launched (light grey) and destroyed (dark "
    "grey, drawn over it: the light top is what got through). "
    "Markers: what the news in the store reported for the same night (filled: launched; open: "
    "intercepted); green circles match, red triangles are below (▼) or above (▲) the official "
    "figure, with the difference in launched written above the bars. News often reports "
    "before the final count, so a lower news figure is common. Over a long series the chart "
    "opens on the nights the news covers: drag the slider below it to see the others."
)
st.plotly_chart(view.chart, key="official_chart", config={"displaylogo": False})

statuses = [s for s in (off.MATCH, off.NEWS_LOWER, off.NEWS_HIGHER, off.MIXED_DIFF, off.NO_NEWS,
                        off.NO_OFFICIAL) if s in set(cmp["status"])]  # fmt: skip
pick = st.multiselect(
    "Show rows whose status is",
    statuses,
    default=[s for s in statuses if s != off.NO_NEWS] or statuses,
    key="official_status",
)
shown = cmp[cmp["status"].isin(pick)]
st.caption(
    "One row per night, and per weapon class and official model where the news gives a figure "
    "for it. Δ = news − official (destroyed: news intercepted − official destroyed). "
    "`python -m strikes official compare --format csv` writes the same table."
)
if shown.empty:
    st.info("No row with these statuses in the date range.", icon=":material/info:")
else:
    st.dataframe(
        comparison_table(shown),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 320),
    )

st.subheader("Per model, by month")
monthly = view.monthly
if monthly.empty:
    st.info("No official row in this date range.", icon=":material/info:")
else:
    totals = monthly.groupby("model")["launched"].sum().sort_values(ascending=False)
    model = st.selectbox("Model", totals.index.tolist(), key="official_model")
    st.plotly_chart(
        model_month_chart(monthly, model), key="official_model_chart", config={"displaylogo": False}
    )
    with st.expander("Every model by month (table)"):
        st.dataframe(
            monthly.rename(
                columns={
                    "month": "Month",
                    "model": "Model",
                    "weapon_class": "Class",
                    "launched": "Launched",
                    "destroyed": "Destroyed",
                    "intercept_rate": "Intercept rate",
                    "nights": "Nights",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Intercept rate": st.column_config.NumberColumn(format="percent")},
        )

st.subheader("One night: the official rows beside the news claims")
nights = view.nights["night"].tolist()
if nights:
    with_news = both["night"].tolist()
    default = (differ["night"].tolist() or with_news or nights)[0]
    night = st.selectbox(
        "Night",
        nights,
        index=nights.index(default) if default in nights else 0,
        format_func=lambda n: fmt_date(n) + ("  · news" if n in with_news else ""),
        key="official_night",
    )
    left, right = st.columns(2)
    with left:
        rows = off.night_rows(o.tallies, night)
        st.markdown(
            f"**Official, night of {fmt_date(night)}**: "
            f"{fmt_int(rows['launched'].sum(min_count=1))} launched, "
            f"{fmt_int(rows['destroyed'].sum(min_count=1))} destroyed"
        )
        st.dataframe(night_table(rows), hide_index=True, width="stretch")
        mine = cmp[cmp["night"] == night]
        if not mine.empty:
            brief = comparison_table(mine)[
                ["What", "Official launched", "News launched", "Δ launched", "Status"]
            ]
            st.dataframe(brief, hide_index=True, width="stretch")
    with right:
        ev = filter_review(ctx.data.events)  # dismissed events are not news
        day = ev[
            (ev["date"] == night).fillna(False).to_numpy(bool)
            & (ev["attacker"] == off.ATTACKER).fillna(False).to_numpy(bool)
            & (ev["date_precision"] == "day").fillna(False).to_numpy(bool)
        ]
        st.markdown(f"**News, night of {fmt_date(night)}**: {len(day):,} event(s)")
        if day.empty:
            st.caption("No news event of a Russian attack on this night in the store.")
        for e in day.to_dict("records"):
            has_figure = any(not pd.isna(e[k]) for k in ("launched", "intercepted"))
            with st.expander(md_escape(event_title(e)), expanded=has_figure):
                event_sources_panel(
                    e,
                    event_sources=ctx.data.event_sources,
                    claims=ctx.data.claims,
                    articles=ctx.data.articles,
                    show_facts=False,
                )

about()
