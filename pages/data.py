"""Data: the filtered view as CSV, GeoJSON, Parquet or ACLED-style CSV, and a data dictionary."""

from __future__ import annotations

import datetime as _dt

import pandas as pd
import streamlit as st

from strikes.export import to_acled, to_csv, to_geojson, to_parquet
from ui.components import undated_reason
from ui.page import filtered_page

DICTIONARY = [
    ("event_id", "text", "Stable id of the merged event (same inputs, same id)."),
    (
        "date",
        "YYYY-MM-DD",
        "Day it happened; overnight attacks take the morning's date; "
        "month-level events use the 1st.",
    ),
    ("date_precision", "day | month | year", "How exact the date is."),
    ("attacker", "text", "Who launched the attack (Russia, Ukraine, …)."),
    (
        "location",
        "text",
        "Display name of the place (city, region, or the country for a national tally).",
    ),
    ("admin1, country_code", "text", "Region name; ISO 3166-1 alpha-2 country code."),
    ("lat, lon", "number", "WGS 84 coordinates; empty when the place could not be resolved."),
    (
        "geo_precision",
        "point | city | region | country",
        "How exact lat/lon is: region and "
        "country coordinates are centroids of an area, not strike points.",
    ),
    ("geo_radius_km", "number", "Radius of the area a region/country-level event stands for."),
    (
        "geo_source",
        "gazetteer | nominatim",
        "Where the place was resolved: the offline gazetteer, or Nominatim (online fallback).",
    ),
    ("weapons", "list", "Weapon classes: drone, missile, glide_bomb, artillery, aircraft, other."),
    ("weapon_models", "list", "Models named in the text (Shahed, Iskander, decoy, …)."),
    (
        "launched, intercepted, hit",
        "integer",
        "Weapons reported launched / shot down or "
        "jammed / hitting targets. Empty = not reported; 0 = reported as none.",
    ),
    ("killed, injured", "integer", "Casualties as reported. Empty = not reported."),
    (
        "kind",
        "strike | total",
        "“total”: national or monthly tallies, kept apart from single strikes.",
    ),
    ("claimed_by", "list", "Who stated the figures."),
    (
        "sources",
        "list",
        "Every report behind the event: article, sentence, character offsets "
        "into the cleaned article text, the extraction rule.",
    ),
    ("conflicts", "object", "Field → the differing values reported by different sources."),
    ("vague", "object", "Field → the vague wording kept instead of a number (“dozens”)."),
    (
        "bounds",
        "list",
        "Figures that are lower bounds: “more than 500” is launched 500 with “launched” here "
        "(shown as 500+).",
    ),
    (
        "launched_lower_bound … injured_lower_bound",
        "true | false",
        "CSV/GeoJSON: whether that figure is a lower bound (empty when not reported).",
    ),
    (
        "n_articles, n_outlets",
        "integer",
        "Distinct articles reporting the event, and distinct outlets that published them "
        "(“3 articles, 2 outlets”; n_outlets in CSV/GeoJSON).",
    ),
    ("n_sources", "integer", "Source sentences behind the event (several per article)."),
    (
        "source_articles",
        "list",
        "CSV: per source article its title, outlet, URL and publication date (JSON); in "
        "GeoJSON every entry of `sources` carries them.",
    ),
]

ACLED_NOTES = (
    "**ACLED-style CSV.** One row per dated strike, in the ACLED codebook's columns. "
    "**National tallies and monthly totals are left out**: a night's national figure counts "
    "strikes that are rows of their own, so summing `fatalities` would count those deaths "
    "twice (the tallies are in the other exports, `kind` “total”). **`fatalities`** follows "
    "ACLED's convention: a death toll that is not reported is coded **0** (so 0 means “none "
    "reported”; `notes` says “fatalities not reported”), and a lower bound (“at least 18”) is "
    "coded as the bound, ACLED's most conservative estimate. Undated events are left out."
)


def undated_csv(undated: pd.DataFrame, articles: pd.DataFrame) -> bytes:
    """The undated events as CSV with an ``undated_reason`` column."""
    import csv
    import io

    published = dict(
        zip(
            articles["article_id"].astype(str),
            articles["published"].astype(object).where(articles["published"].notna(), None),
            strict=True,
        )
    )
    rows = list(csv.reader(io.StringIO(to_csv(undated, articles=articles).decode("utf-8-sig"))))
    reasons = [undated_reason(ev, published) for ev in undated.to_dict("records")]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*rows[0], "undated_reason"])
    for row, reason in zip(rows[1:], reasons, strict=True):
        writer.writerow([*row, reason])
    return out.getvalue().encode("utf-8-sig")


ctx = filtered_page("Data", stop_when_empty=False)
events = ctx.events
if not events.empty:
    stamp = _dt.date.today().isoformat()
    st.markdown(
        f"Download the **{len(events):,} dated events** of the current view. The exports use "
        "the event contract below; offsets in `sources` point into the articles' cleaned text "
        "(see the Sources page)."
        + (
            f" **{len(ctx.undated):,} undated event(s)** matching the other filters are not in "
            "these files: they have their own download below, with the reason for each."
            if not ctx.undated.empty
            else " No undated event matches these filters."
        )
    )
    formats = [
        (
            "CSV",
            "csv",
            "text/csv",
            lambda: to_csv(events, articles=ctx.data.articles),
            "One row per event; lists joined with “; ”; spreadsheet-safe.",
        ),
        (
            "GeoJSON",
            "geojson",
            "application/geo+json",
            lambda: to_geojson(events, articles=ctx.data.articles),
            "RFC 7946 points; unresolved places have a null geometry.",
        ),
        (
            "Parquet",
            "parquet",
            "application/vnd.apache.parquet",
            lambda: to_parquet(events),
            "Typed columns, sources as structs.",
        ),
        (
            "ACLED-style CSV",
            "acled.csv",
            "text/csv",
            lambda: to_acled(events, articles=ctx.data.articles),
            "ACLED codebook columns; national tallies, monthly totals and undated events left "
            "out (see below).",
        ),
    ]
    cols = st.columns(len(formats))
    for col, (label, ext, mime, make, note) in zip(cols, formats, strict=True):
        with col, st.container(border=True):
            st.markdown(f"**{label}**")
            st.caption(note)
            st.download_button(
                f"Download {label}",
                # Built when clicked, not on every run: the four exports of 100,000 events
                # take ~20 s together.
                data=make,
                file_name=f"strike-events-{stamp}.{ext}",
                mime=mime,
                key=f"dl_{ext}",
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )

if not ctx.undated.empty:
    st.download_button(
        f"Download the {len(ctx.undated):,} undated event(s) (CSV, with the reason)",
        data=lambda: undated_csv(ctx.undated, ctx.data.articles),
        file_name=f"strike-events-undated-{_dt.date.today().isoformat()}.csv",
        mime="text/csv",
        key="dl_undated",
        icon=":material/event_busy:",
        on_click="ignore",
    )

st.subheader("Data dictionary")
st.table(pd.DataFrame(DICTIONARY, columns=["Field", "Type", "Meaning"]).set_index("Field"))
st.markdown(ACLED_NOTES)
st.caption(
    "Places: GeoNames (CC BY 4.0). Country outlines: Natural Earth (public domain). "
    "Figures are as reported by the cited outlets and officials, not verified."
)
