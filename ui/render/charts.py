"""Plotly figures of the timeline frames (pure: frames in, figures out).

Every figure has a title and axis titles; attackers are told apart by subplot titles as well
as colour, launched versus intercepted by solid versus hatched bars (and the legend), weapon
classes by colour and legend labels.  Each bar carries ``customdata = [date, attacker,
measure, weapon]`` so a chart selection can be mapped back to nights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from strikes.views import MIXED, UNSPECIFIED, WEAPON_CLASSES
from ui.render.theme import attacker_color, fmt_int, fmt_pct, weapon_color, weapon_label

MEASURES: tuple[tuple[str, str, str], ...] = (
    ("launched", "Launched", ""),
    ("intercepted", "Intercepted", "/"),
)
WEAPON_ORDER: tuple[str, ...] = (*WEAPON_CLASSES, MIXED, UNSPECIFIED)
FONT = dict(family="Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif", size=13)


def base_layout(
    fig: go.Figure, *, title: str, height: int, bottom: int = 40, legend_y: float = -0.18
) -> go.Figure:
    """The dashboard's chart style: title left, legend below (``bottom``: room for it)."""
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        height=height,
        margin=dict(l=60, r=20, t=60, b=bottom),
        font=FONT,
        legend=dict(orientation="h", yanchor="top", y=legend_y, x=0, title_text=""),
        hoverlabel=dict(font_size=13),
        separators=".,",
    )
    return fig


def _int_ticks(top: int) -> dict:
    """Whole-number ticks (no "0, 1, 1, 2, 2" on small counts)."""
    step = max(1, -(-max(top, 1) // 8))
    return {"tickmode": "linear", "tick0": 0, "dtick": step, "tickformat": ",d"}


def _small_legend(fig: go.Figure) -> go.Figure:
    fig.update_layout(legend=dict(y=-0.28), margin=dict(b=80))
    return fig


def empty_figure(message: str, *, title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title=title, height=260)


def barrage_timeline(
    by_weapon: pd.DataFrame,
    *,
    attackers: list[str] | None = None,
    bin_label: str = "night",
    rolling: pd.DataFrame | None = None,
) -> go.Figure:
    """Per night (or week, month: ``bin_label``): launched (solid) vs intercepted (hatched),
    stacked by weapon class, one row per attacker, with a range slider.  ``by_weapon`` is
    `strikes.views.barrages_by_weapon` output, or `bin_nights` of it (then with
    ``date_end``); ``rolling`` (`rolling_launched`) adds the 7-day average line."""
    per = {"night": "night", "week": "week", "month": "month"}.get(bin_label, bin_label)
    title = f"Barrages per {per}: launched vs intercepted, by weapon class"
    df = by_weapon.copy()
    if "date_end" not in df.columns:
        df["date_end"] = df["date"]
    if df.empty or df[["launched", "intercepted"]].isna().all().all():
        return empty_figure(
            "No night in this selection reports launched or intercepted weapons.", title=title
        )
    order = attackers or sorted(df["attacker"].dropna().unique().tolist())
    order = [a for a in order if (df["attacker"] == a).any()] or sorted(df["attacker"].unique())
    fig = make_subplots(
        rows=len(order),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12 if len(order) > 1 else 0.05,
        subplot_titles=[f"Attacks by {a}" for a in order],
    )
    shown: set[str] = set()
    when = {
        "night": "%{x|%-d %b %Y}",
        "week": "week from %{x|%-d %b %Y}",
        "month": "%{x|%B %Y}",
    }.get(per, "%{x|%-d %b %Y}")
    for row, attacker in enumerate(order, start=1):
        sub = df[df["attacker"] == attacker]
        for measure, mlabel, pattern in MEASURES:
            for weapon in WEAPON_ORDER:
                part = sub[(sub["weapon"] == weapon) & sub[measure].notna()]
                if part.empty:
                    continue
                name = f"{weapon_label(weapon)} · {mlabel.lower()}"
                days = part["date"].astype(str).to_numpy(dtype=object)
                # numpy arrays, not lists: plotly validates lists element by element, which
                # took most of the time with a few thousand nights.
                custom = np.empty((len(days), 5), dtype=object)
                custom[:, 0] = days
                custom[:, 1:4] = [attacker, measure, weapon]
                custom[:, 4] = part["date_end"].astype(str).to_numpy(dtype=object)
                fig.add_bar(
                    x=days,
                    y=part[measure].astype("int64").to_numpy(),
                    name=name,
                    legendgroup=name,
                    showlegend=name not in shown,
                    offsetgroup=measure,
                    marker=_hatched(
                        weapon_color(weapon),
                        pattern,
                        fgcolor="#222222",
                        fgopacity=0.8,
                        solidity=0.3,
                        line=dict(color="#333333", width=0.5),
                    ),
                    customdata=custom,
                    hovertemplate=(
                        f"<b>{when}</b><br>{attacker}: {weapon_label(weapon)}<br>"
                        f"{mlabel}: %{{y:,}}<extra></extra>"
                    ),
                    row=row,
                    col=1,
                )
                shown.add(name)
        if rolling is not None and not rolling.empty:
            line = rolling[rolling["attacker"] == attacker]
            if not line.empty:
                name = "Launched, 7-day average per reported night"
                fig.add_scatter(
                    x=line["date"].astype(str).to_numpy(dtype=object),
                    y=line["value"].to_numpy(dtype=float),
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=name not in shown,
                    line=dict(color="#222222", width=1.8),
                    hovertemplate=(
                        f"<b>%{{x|%-d %b %Y}}</b><br>{attacker}: 7-day average "
                        "%{y:,.0f} launched per reported night<extra></extra>"
                    ),
                    row=row,
                    col=1,
                )
                shown.add(name)
        fig.update_yaxes(title_text="Weapons", tickformat=",", row=row, col=1, rangemode="tozero")
    axis_title = {
        "night": "Night (morning's date)",
        "week": "Week (Monday to Sunday; bars sum the week's nights)",
        "month": "Month (bars sum the month's nights)",
    }.get(per, per)
    fig.update_xaxes(title_text=axis_title, row=len(order), col=1)
    fig.update_xaxes(type="date", tickformat="%-d %b\n%Y" if per != "month" else "%b\n%Y")
    # A range slider under the last row zooms every row (shared x axes).
    fig.update_xaxes(rangeslider=dict(visible=True, thickness=0.06), row=len(order), col=1)
    # No dragmode of our own: Streamlit (1.67) sets clickmode to "event" whenever a chart's
    # dragmode is "select" or "lasso", which turns click selection off; so a click selects
    # a bar here, and `range_strip` below the chart takes the drag that selects a range.
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05, clickmode="event+select")
    fig = base_layout(fig, title=title, height=340 + 220 * len(order))
    fig.update_layout(legend=dict(y=-0.22 if len(order) > 1 else -0.42))
    return fig


STRIP_TITLE = "Drag across this strip to select a range of nights"


def time_span(bars: pd.Series, bin_label: str = "night") -> tuple[str, str] | None:
    """The x range both the timeline and its strip show: the bars' dates (nights, or the
    bins' first days) padded by half a bin (or 4% of the span), so the two charts line up."""
    days = pd.to_datetime(pd.Series(bars).dropna().astype(str).str[:10], errors="coerce")
    days = days.dropna()
    if days.empty:
        return None
    lo, hi = days.min(), days.max()
    # Half a bin, or more on a long span: a night's bars are wider than its day there.
    pad = max(pd.Timedelta(hours={"week": 84, "month": 360}.get(bin_label, 12)), (hi - lo) / 25)
    return (lo - pad).isoformat(), (hi + pad).isoformat()


def range_strip(dates: pd.Series, *, span: tuple[str, str] | None = None) -> go.Figure:
    """A low strip of events per night under the timeline, where a drag selects a range.

    Its drag mode is "select" restricted to the horizontal ("h"), so a plain drag picks a span
    of nights with no toolbar step.  It is a chart of its own because Streamlit turns click
    selection off on a chart whose drag selects (see `barrage_timeline`).  ``dates``: the
    events' ISO dates (undated ones are skipped)."""
    counts = pd.Series(dates).dropna().astype(str).str[:10].value_counts().sort_index()
    fig = go.Figure()
    if not counts.empty:
        fig.add_bar(
            x=counts.index.to_numpy(dtype=object),
            y=counts.to_numpy(dtype="int64"),
            marker=dict(color="#8c8c8c"),
            hovertemplate="<b>%{x|%-d %b %Y}</b><br>%{y:,} event(s)<extra></extra>",
            name="Events per night",
        )
        fig.update_xaxes(range=list(span or time_span(counts.index.to_series())))
    fig.update_xaxes(type="date", tickformat="%-d %b\n%Y", fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True, rangemode="tozero")
    fig.update_layout(
        title=dict(text=STRIP_TITLE, x=0, xanchor="left", font=dict(size=13)),
        height=130,
        margin=dict(l=60, r=20, t=30, b=36),
        font=FONT,
        showlegend=False,
        bargap=0.1,
        dragmode="select",
        selectdirection="h",
        plot_bgcolor="#f4f4f4",
    )
    return fig


def _hatched(
    color: str, shape: str, *, fgcolor: str, fgopacity: float, solidity: float, **marker: object
) -> dict:
    """A bar marker in `color`, hatched with `shape` ("" = solid)."""
    pattern = dict(
        shape=shape,
        fillmode="replace",
        bgcolor=color,
        fgcolor=fgcolor,
        fgopacity=fgopacity,
        solidity=solidity,
    )
    return dict(color=color, pattern=pattern, **marker)


def monthly_chart(months: pd.DataFrame) -> go.Figure:
    """Reported monthly totals (solid) beside the sums of the daily events (hatched), on a
    time axis (a gap in the data is a gap on the axis; labels thin out as months add up)."""
    title = "Launched per month: reported monthly total vs sum of daily reports"
    if months.empty or months[["reported_launched", "sum_of_daily_launched"]].isna().all().all():
        return empty_figure("No month in this selection has launched figures.", title=title)
    n_months = months["month"].nunique()
    fig = go.Figure()
    for attacker in sorted(months["attacker"].dropna().unique()):
        sub = months[months["attacker"] == attacker]
        for col, label, pattern in (
            ("reported_launched", "reported monthly total", ""),
            ("sum_of_daily_launched", "sum of daily reports", "/"),
        ):
            part = sub[sub[col].notna()]
            if part.empty:
                continue
            fig.add_bar(
                x=[f"{m}-15" for m in part["month"]],
                y=part[col].astype("int64").tolist(),
                name=f"{attacker}: {label}",
                marker=_hatched(
                    attacker_color(attacker),
                    pattern,
                    fgcolor="#FFFFFF",
                    fgopacity=0.9,
                    solidity=0.35,
                ),
                # Figures on the bars only while they fit side by side.
                text=[fmt_int(v) for v in part[col]] if n_months <= 12 else None,
                textposition="outside",
                hovertemplate=f"<b>%{{x|%B %Y}}</b><br>{attacker}, {label}: %{{y:,}}<extra></extra>",
            )
    fig.update_xaxes(
        title_text="Month", type="date", tickformat="%b\n%Y", ticklabelmode="period", nticks=12
    )
    fig.update_yaxes(title_text="Weapons launched", tickformat=",", rangemode="tozero")
    fig.update_layout(barmode="group")
    return _small_legend(base_layout(fig, title=title, height=380))


def model_chart(models: pd.DataFrame) -> go.Figure:
    """Launched per weapon-model family (events naming only that family), by attacker, with
    each bar's intercept rate as its label."""
    title = "Launched per weapon model named in the reports"
    known = models[models["launched"].notna()] if not models.empty else models
    if known.empty:
        return empty_figure(
            "No event in this selection names a weapon model with a launched figure.",
            title=title,
        )
    fig = go.Figure()
    for attacker in sorted(known["attacker"].dropna().unique()):
        sub = known[known["attacker"] == attacker]
        rates = [
            f"{fmt_int(v)} · {fmt_pct(r)} intercepted" if not pd.isna(r) else fmt_int(v)
            for v, r in zip(sub["launched"], sub["intercept_rate"], strict=True)
        ]
        fig.add_bar(
            y=sub["model"].tolist(),
            x=sub["launched"].astype("int64").tolist(),
            orientation="h",
            name=f"by {attacker}",
            marker_color=attacker_color(attacker),
            text=rates,
            textposition="auto",
            hovertemplate=f"{attacker}: %{{y}}, %{{x:,}} launched<extra></extra>",
        )
    fig.update_xaxes(title_text="Launched (events naming only this model)", rangemode="tozero")
    fig.update_yaxes(title_text="Model", autorange="reversed")
    fig.update_layout(barmode="group")
    height = max(260, 120 + 36 * len(known))
    return _small_legend(base_layout(fig, title=title, height=height))


def weapon_chart(counts: pd.DataFrame) -> go.Figure:
    """Events per weapon class and attacker (horizontal bars)."""
    title = "Events by weapon class"
    if counts.empty:
        return empty_figure("No events in this selection.", title=title)
    fig = go.Figure()
    for attacker in sorted(counts["attacker"].dropna().unique()):
        sub = counts[counts["attacker"] == attacker]
        fig.add_bar(
            y=[weapon_label(w) for w in sub["weapon"]],
            x=sub["n_events"].astype("int64").tolist(),
            orientation="h",
            name=f"by {attacker}",
            marker_color=attacker_color(attacker),
            text=sub["n_events"].astype("int64").tolist(),
            textposition="auto",
            hovertemplate=f"{attacker}: %{{y}}, %{{x:,}} events<extra></extra>",
        )
    top = int(counts.groupby("weapon")["n_events"].sum().max())
    fig.update_xaxes(title_text="Events", rangemode="tozero", **_int_ticks(top))
    fig.update_yaxes(title_text="Weapon class", autorange="reversed")
    fig.update_layout(barmode="stack")
    return _small_legend(base_layout(fig, title=title, height=320))


def region_chart(regions: pd.DataFrame, *, top: int = 12) -> go.Figure:
    """Regions with the most strike events (horizontal bars, by attacker)."""
    title = f"Regions with the most strike events (top {top})"
    if regions.empty:
        return empty_figure("No located strike events in this selection.", title=title)
    totals = regions.groupby(["country_code", "admin1"])["n_events"].sum()
    keep = totals.sort_values(ascending=False).head(top).index
    label = {k: f"{k[1]} ({k[0]})" for k in keep}
    fig = go.Figure()
    for attacker in sorted(regions["attacker"].dropna().unique()):
        sub = regions[regions["attacker"] == attacker]
        sub = sub[[k in label for k in zip(sub["country_code"], sub["admin1"], strict=True)]]
        if sub.empty:
            continue
        fig.add_bar(
            y=[label[k] for k in zip(sub["country_code"], sub["admin1"], strict=True)],
            x=sub["n_events"].astype("int64").tolist(),
            orientation="h",
            name=f"by {attacker}",
            marker_color=attacker_color(attacker),
            hovertemplate=f"{attacker}: %{{y}}, %{{x:,}} events<extra></extra>",
        )
    fig.update_xaxes(
        title_text="Strike events", rangemode="tozero", **_int_ticks(int(totals.max()))
    )
    fig.update_yaxes(
        title_text="Region",
        categoryorder="array",
        categoryarray=[label[k] for k in reversed(list(keep))],
    )
    fig.update_layout(barmode="stack")
    return _small_legend(base_layout(fig, title=title, height=max(300, 110 + 28 * len(keep))))


def selected_nights(selection: object) -> tuple[set[tuple[str, str]], tuple[str, str] | None]:
    """(date, attacker) pairs of the selected bars, and the x range of a box selection (or of
    the selected week or month bars).

    ``selection`` is the ``selection`` member of `st.plotly_chart`'s return value (a dict with
    ``points``, ``box`` and ``lasso``); anything else gives an empty selection.
    """
    nights: set[tuple[str, str]] = set()
    box: tuple[str, str] | None = None
    if not isinstance(selection, dict):
        try:
            selection = dict(selection)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return nights, box
    spans: list[tuple[str, str]] = []
    for p in selection.get("points") or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, list | tuple) and len(cd) >= 5 and str(cd[4])[:10] != str(cd[0])[:10]:
            spans.append((str(cd[0])[:10], str(cd[4])[:10]))  # a week's or month's bar
        elif isinstance(cd, list | tuple) and len(cd) >= 2:
            nights.add((str(cd[0])[:10], str(cd[1])))
    if spans and not nights:
        box = (min(a for a, _ in spans), max(b for _, b in spans))
    for b in selection.get("box") or []:
        xs = b.get("x") if isinstance(b, dict) else None
        if isinstance(xs, list | tuple) and len(xs) == 2:
            # A bar is centred on its night's midnight: the nights selected are those whose
            # centre lies inside the box (a box from 31 May 18:00 starts on 1 June).
            try:
                a, b = sorted(pd.Timestamp(str(x).replace("_", " ")) for x in xs)
            except ValueError:
                continue
            lo, hi = a.ceil("D"), b.floor("D")
            if lo <= hi:
                box = (lo.date().isoformat(), hi.date().isoformat())
    return nights, box
