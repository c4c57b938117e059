"""The official nightly tallies on the dashboard: cached loader, figures and panels.

The tallies are read from the store (`strikes.official`) once per store version; the
comparison with the news and the figures once per store version and date range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from strikes import official as off
from strikes.review import filter_review
from ui.components import md_escape
from ui.data import Data, get_store
from ui.render.charts import base_layout, empty_figure
from ui.render.theme import fmt_date, fmt_int

# The official series in greys (destroyed dark, launched light); the news as coloured markers.
OFFICIAL_COLOR, LAUNCHED_COLOR = "#4D4D4D", "#BDBDBD"
LONG_SERIES = 120  # nights; a longer series opens zoomed in, with a range slider
DAY_MS = 86_400_000  # a bar's width on the date axis is given in milliseconds
STATUS_STYLE: dict[str, tuple[str, str]] = {  # status -> (marker symbol, colour)
    off.MATCH: ("circle", "#009E73"),
    off.NEWS_LOWER: ("triangle-down", "#CC0000"),
    off.NEWS_HIGHER: ("triangle-up", "#CC0000"),
    off.MIXED_DIFF: ("x", "#CC0000"),
    off.NO_OFFICIAL: ("diamond-open", "#7F7F7F"),
}


@dataclass(frozen=True)
class Official:
    tallies: pd.DataFrame  # schema.OFFICIAL_TALLIES
    info: dict[str, str] | None  # current_import's file, sha256, imported_at, rows, nights

    @property
    def empty(self) -> bool:
        return self.tallies.empty


@dataclass(frozen=True)
class OfficialView:
    """The official page's frames and figures for one date range."""

    comparison: pd.DataFrame  # strikes.official.COMPARE_COLUMNS
    nights: pd.DataFrame  # official_nights
    monthly: pd.DataFrame  # monthly_by_model
    chart: go.Figure


@st.cache_resource(show_spinner="Loading the official tallies…", max_entries=2)
def _load(db_path: str, version: str, _store) -> Official:
    tallies = _store.read_table(off.TABLE)
    return Official(tallies=tallies, info=off.import_info(tallies))


def get_official() -> Official:
    """The stored official tallies (cached on the store's version)."""
    store = get_store()
    return _load(str(store.path.resolve()), store.version(), store)


@st.cache_resource(show_spinner="Comparing with the news…", max_entries=16)
def _view(
    version: str, date_from: str | None, date_to: str | None, _o: Official, _data: Data
) -> OfficialView:
    # The news as reviewed: dismissed events do not count (strikes.review).
    cmp = off.compare(
        _o.tallies,
        filter_review(_data.events),
        _data.articles,
        date_from=date_from,
        date_to=date_to,
    )
    nights = off.official_nights(_o.tallies, date_from=date_from, date_to=date_to)
    return OfficialView(
        comparison=cmp,
        nights=nights,
        monthly=off.monthly_by_model(_o.tallies, date_from=date_from, date_to=date_to),
        chart=comparison_chart(nights, cmp),
    )


def official_view(
    o: Official, data: Data, *, date_from: str | None, date_to: str | None
) -> OfficialView:
    return _view(data.version, date_from, date_to, o, data)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _layout(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    """The dashboard's chart style, with more room below for the longer legends."""
    return base_layout(fig, title=title, height=height, bottom=80, legend_y=-0.28)


def comparison_chart(nights: pd.DataFrame, comparison: pd.DataFrame) -> go.Figure:
    """Official launched (light) and destroyed (dark, over it) bars per night, the news figures as
    markers over them; a marker's shape and colour say whether the news matches."""
    title = "Official tallies (bars) and the news (markers) per night"
    if nights.empty:
        return empty_figure("No official night in this date range.", title=title)
    fig = go.Figure()
    x = nights["night"].tolist()
    # Destroyed drawn over launched (never more): the light top of a bar is what got through.
    for col, label, color in (
        ("launched", "launched", "#BDBDBD"),
        ("destroyed", "destroyed", OFFICIAL_COLOR),
    ):
        fig.add_bar(
            x=x,
            y=nights[col].astype("Float64").fillna(0).tolist(),
            name=f"Official: {label}",
            marker=dict(color=color, line=dict(width=0)),
            width=DAY_MS * 0.8,
            hovertemplate=f"<b>%{{x}}</b><br>Official {label}: %{{y:,}}<extra></extra>",
        )
    rows = comparison[comparison["level"] == "night"]
    rows = rows[rows["news_launched"].notna() | rows["news_intercepted"].notna()]
    for status, (symbol, color) in STATUS_STYLE.items():
        part = rows[rows["status"] == status]
        if part.empty:
            continue
        for col, what in (("news_launched", "launched"), ("news_intercepted", "intercepted")):
            sub = part[part[col].notna()]
            if sub.empty:
                continue
            diff_col = "diff_launched" if col == "news_launched" else "diff_destroyed"
            diffs = [
                "no official figure" if pd.isna(d) else f"{int(d):+,} vs official"
                for d in sub[diff_col]
            ]
            # Intercepted: the open form of the status's marker.
            hollow = col == "news_intercepted" or symbol.endswith("-open")
            shape = f"{symbol}-open" if hollow and not symbol.endswith("-open") else symbol
            fig.add_scatter(
                x=sub["night"].tolist(),
                y=sub[col].astype("int64").tolist(),
                mode="markers",
                name=f"News {what}: {status}",
                marker=dict(
                    symbol=shape,
                    size=13,
                    color=color,
                    line=dict(width=2, color=color if hollow else "#FFFFFF"),
                ),
                customdata=list(zip(diffs, [len(a) for a in sub["articles"]], strict=True)),
                hovertemplate=(
                    f"<b>%{{x}}</b><br>News {what}: %{{y:,}}"
                    "<br>%{customdata[0]}<br>%{customdata[1]} article(s)<extra></extra>"
                ),
            )
    differing = rows[rows["status"].isin([off.NEWS_LOWER, off.NEWS_HIGHER, off.MIXED_DIFF])]
    for night, d, news in zip(
        differing["night"], differing["diff_launched"], differing["news_launched"], strict=True
    ):
        if pd.isna(d):
            continue
        bar = float(nights.loc[nights["night"] == night, "launched"].fillna(0).max())
        fig.add_annotation(
            x=night,
            y=max(bar, float(news)),  # above both the bar and the marker
            text=f"{int(d):+,}",
            showarrow=False,
            yshift=14,
            font=dict(color="#CC0000", size=12),
        )
    first = pd.Timestamp(min(x)) - pd.Timedelta(days=1)  # room for the first and last bars
    last = pd.Timestamp(max(x)) + pd.Timedelta(days=1)
    fig.update_xaxes(title_text="Night (the morning's date)", type="date", range=[first, last])
    if len(x) > LONG_SERIES:
        # Hundreds of nights: open on the nights the news covers (or the last ones) and give
        # a range slider over the whole series.
        marked = sorted(rows["night"]) or x[-LONG_SERIES:]
        lo = max(pd.Timestamp(marked[0]) - pd.Timedelta(days=10), first)
        hi = min(pd.Timestamp(marked[-1]) + pd.Timedelta(days=10), last)
        fig.update_xaxes(
            range=[lo, hi], rangeslider=dict(visible=True, thickness=0.08, range=[first, last])
        )
    fig.update_yaxes(title_text="Weapons", tickformat=",", rangemode="tozero")
    fig.update_layout(barmode="overlay")
    _layout(fig, title=title, height=440)
    if len(x) > LONG_SERIES:  # the slider sits where the legend would
        fig.update_layout(height=520, legend=dict(y=-0.55), margin=dict(b=150))
    return fig


def model_month_chart(monthly: pd.DataFrame, model: str) -> go.Figure:
    """One model's launched vs destroyed per month (bars) and its intercept rate (line)."""
    title = f"{model}: launched vs destroyed per month, and the intercept rate"
    part = monthly[monthly["model"] == model]
    if part.empty:
        return empty_figure("No month with this model in the date range.", title=title)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    months = [fmt_date(f"{m}-01", "month") for m in part["month"]]
    for col, label, color in (
        ("launched", "Launched", LAUNCHED_COLOR),
        ("destroyed", "Destroyed", OFFICIAL_COLOR),
    ):
        fig.add_bar(
            x=months,
            y=part[col].astype("Float64").fillna(0).tolist(),
            name=label,
            marker=dict(color=color),
            text=[fmt_int(v) for v in part[col]],
            textposition="outside",
            hovertemplate=f"<b>%{{x}}</b><br>{label}: %{{y:,}}<extra></extra>",
            secondary_y=False,
        )
    rate = part["intercept_rate"].astype("Float64")
    fig.add_scatter(
        x=months,
        y=[None if pd.isna(r) else float(r) for r in rate],
        name="Intercept rate (destroyed / launched)",
        mode="lines+markers",
        line=dict(color="#0072B2", width=2),
        marker=dict(symbol="diamond", size=9),
        hovertemplate="<b>%{x}</b><br>Intercept rate: %{y:.0%}<extra></extra>",
        secondary_y=True,
    )
    fig.update_xaxes(title_text="Month", type="category")
    fig.update_yaxes(title_text="Weapons", tickformat=",", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text="Intercept rate", tickformat=".0%", range=[0, 1.05], secondary_y=True
    )
    fig.update_layout(barmode="group")
    _layout(fig, title=title, height=420)
    # Slanted month labels on narrow screens: the legend goes below the axis title.
    fig.update_layout(legend=dict(y=-0.38), margin=dict(b=110))
    return fig


# --------------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------------


def how_to_import(*, read_only: bool) -> None:
    """What to do when no file is imported: where the data set is, its licence, the command."""
    st.info(
        "**No official tallies imported yet.** Strike Tracker can show the Ukrainian Air "
        "Force's nightly tallies (launched and destroyed per weapon model) beside what the "
        "news articles claimed.\n\n"
        f"1. Download `{off.DATASET_FILE}` from {off.DATASET_NAME}: {off.DATASET_URL}\n"
        f"   (licence [{off.LICENCE}]({off.LICENCE_URL}): attribution, non-commercial, "
        "share-alike; it is therefore not bundled).\n"
        f"2. Import it into the event store:\n\n"
        f"   `python -m strikes official import {off.DATASET_FILE}`\n\n"
        "   (add `--db FILE` for a store other than `data/strikes.duckdb`). Any file with the "
        "same columns works; importing a newer version replaces the older one.",
        icon=":material/info:",
    )
    if read_only:
        st.caption("This deployment is read-only: the operator runs the import.")


def provenance(o: Official) -> None:
    info = o.info or {}
    unmapped = o.tallies.loc[o.tallies["weapon_class"].isna(), "model"]
    names = ", ".join(sorted(set(unmapped.astype(str))))
    st.caption(
        f"Official figures: `{info.get('file', '').replace('`', '')}` (sha256 "
        f"`{info.get('sha256', '')[:12]}…`), imported {md_escape(info.get('imported_at', '')[:16].replace('T', ' '))} UTC; "
        f"{int(info.get('rows', 0)):,} rows, nights {info.get('first_night')} to "
        f"{info.get('last_night')}. Source: Ukrainian Air Force via {md_escape(off.DATASET_NAME)} "
        f"({off.DATASET_URL}), licence [{off.LICENCE}]({off.LICENCE_URL})."
        + (
            f" Model names without a weapon class (add them to `data/{off.MODELS_FILE}`): "
            f"{md_escape(names)}."
            if names
            else ""
        )
    )


def night_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The official rows of a night, for display."""
    return pd.DataFrame(
        {
            "Model": rows["model"].astype("string"),
            "Class": rows["weapon_class"].astype("string").fillna("unmapped"),
            "Launched": rows["launched"],
            "Destroyed": rows["destroyed"],
            "Window": [
                f"{_short(a)} → {_short(b)}"
                for a, b in zip(rows["time_start"], rows["time_end"], strict=True)
            ],
            "Line": rows["line"],
        }
    )


def _short(t: object) -> str:
    """ "2025-06-30 18:00" -> "30 Jun 18:00" (the night says the year)."""
    if pd.isna(t) or not t:
        return "?"
    s = str(t)
    return fmt_date(s[:10]).rsplit(" ", 1)[0] + (s[10:] if len(s) > 10 else "")


def comparison_table(cmp: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Night": cmp["night"],
            "Level": cmp["level"],
            "What": cmp["key"],
            "Official launched": cmp["official_launched"],
            "News launched": cmp["news_launched"],
            "Δ launched": cmp["diff_launched"],
            "Official destroyed": cmp["official_destroyed"],
            "News intercepted": cmp["news_intercepted"],
            "Δ destroyed": cmp["diff_destroyed"],
            "Status": cmp["status"],
            "Articles": [" | ".join(a) for a in cmp["articles"]],
        }
    )


def official_beside_event(ev: Mapping) -> None:
    """In an event's panel: the official tally of the event's night, when one is imported and
    the event is a dated Russian attack."""
    if ev.get("attacker") != off.ATTACKER or ev.get("date_precision") != "day":
        return
    night = str(ev.get("date") or "")
    o = get_official()
    if o.empty or not night:
        return
    rows = off.night_rows(o.tallies, night)
    if rows.empty:
        st.caption(f"No official tally for the night of {fmt_date(night)} in the imported file.")
        return
    launched = rows["launched"].sum(min_count=1)
    destroyed = rows["destroyed"].sum(min_count=1)
    st.markdown(
        f"**Official tally for the night of {fmt_date(night)}**: "
        f"{fmt_int(launched)} launched, {fmt_int(destroyed)} destroyed "
        f"(Ukrainian Air Force, via {md_escape(off.DATASET_NAME)}; compare on the **Official "
        "tallies** page)."
    )
    st.dataframe(night_table(rows), hide_index=True, width="stretch")


DICTIONARY: list[tuple[str, str, str]] = [
    ("night", "date", "The night a reporting window belongs to: the date of the morning it ends on"),
    ("time_start, time_end", "text", "The reporting window as published (local time)"),
    ("window_hours", "number", "Length of the window; empty when a time is a bare date"),
    ("model", "text", "Weapon model as published, e.g. Shahed-136/131, Iskander-M/KN-23"),
    ("weapon_class", "text", "drone, missile, glide_bomb … from data/official_models.csv; "
     "mixed for a combination of classes; empty when the model is not in the table"),
    ("extractor_models", "list", "The model names the news extractor uses for it (Shahed, Kh-101 …)"),
    ("launched", "integer", "Launched, per the Air Force; empty when not given"),
    ("destroyed", "integer", "Shot down or suppressed (electronic warfare), per the Air Force"),
    ("not_reach_goal, still_attacking", "integer", "Lost on the way / still in the air at the time of the report"),
    ("launch_place, target, source", "text", "As published; source is the Air Force post"),
    ("source_file, source_sha256, imported_at", "text", "Provenance: the imported file's name, the sha256 of its bytes, when (UTC)"),
    ("line", "integer", "The row's line in the imported file"),
    ("news_launched, news_intercepted", "integer", "The news figure of the night (or class/model): "
     "the national tally where one was reported, else the sum of local reports; Russian attacks only"),
    ("diff_launched, diff_destroyed", "integer", "News minus official (destroyed: news intercepted minus official destroyed)"),
    ("status", "text", "match, news lower, news higher, differs (one lower, one higher), "
     "no news figure, no official row"),
    ("articles", "list", "The articles behind the news figure (outlet: title (published))"),
]  # fmt: skip


def about() -> None:
    """What the figures are, their licence, how nights are aligned, what a difference means,
    and the data dictionary (docs/official.md says the same at more length)."""
    with st.expander("About these figures and the data dictionary"):
        st.markdown(
            "**What they are.** Every morning the Ukrainian Air Force reports how many drones "
            "and missiles of each model were launched at Ukraine overnight and how many were "
            "destroyed (shot down or suppressed by electronic warfare). "
            f"{md_escape(off.DATASET_NAME)} collects these reports ({off.DATASET_URL}), "
            f"licence [{off.LICENCE}]({off.LICENCE_URL}): credit the author, no commercial use, "
            "share derived data alike. The file is not bundled with Strike Tracker.\n\n"
            "**Nights.** A reporting window belongs to the morning it ends on (18:00 on 1 July "
            "to 09:00 on 2 July is the night of 2 July), as news dates overnight attacks; a "
            "window with no end that starts in the evening runs into the next morning.\n\n"
            "**Differences.** News often reports before the final count (an early morning "
            'report of "over 50 drones" before the Air Force\'s 52 + 2 missiles), rounds, '
            "counts only one weapon class, or quotes another source; a difference is a reason "
            "to read the articles behind it, not an error in either."
        )
        st.table(pd.DataFrame(DICTIONARY, columns=["Field", "Type", "Meaning"]).set_index("Field"))
