"""The strike map: pydeck decks over an offline base layer of country outlines.

Pure: no streamlit.  `map_frame()` turns events into the rows the layers draw; `build_deck()`
assembles the layers.  The base layer is static/countries-50m.geojson, built once, offline,
by tools/build_basemap.py (simplified, split at the antimeridian) and named by URL in the
deck: the browser fetches it once, a filter change sends only the events.

Honest precision: only point- and city-level events are drawn as pins (sized by launched or
casualties, the size capped).  Region-level events are drawn as large translucent discs whose
radius is the event's ``geo_radius_km``.  Country-level events (national tallies, monthly
totals) are not places: the map leaves them out and the page lists them beside it.

Offline first: the deck's own map style is a tiny inline style (a plain sea-coloured
background) that needs no network; web tiles are an option that simply fails quietly when the
machine is offline, the country outlines underneath still show.
"""

from __future__ import annotations

import html
import json
import math
import urllib.parse

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pydeck as pdk

from strikes.speed.arrays import unique_ints
from strikes.vocab import FIGURES
from ui.render.theme import (
    PRECISION_LABELS,
    attacker_color,
    fmt_date,
    fmt_figure,
    fmt_int,
    fmt_list,
    hex_to_rgb,
    is_floor,
    is_missing,
    vague_items,
    vague_text,
    weapon_label,
)

BASEMAP_FILE = "countries-50m.geojson"  # under static/, served at app/static/
POINT_PRECISIONS = ("point", "city")
AREA_PRECISIONS = ("region", "country")
SEA_COLOR = "#E2E5E8"  # neutral grey: blue is an attacker colour
LAND_RGBA = [252, 251, 248, 255]
BORDER_RGBA = [150, 150, 150, 200]
VIEWS = ("strikes", "heat", "hexagons")

# A complete MapLibre style with no sources: a plain background, loaded without any network.
OFFLINE_STYLE = {
    "version": 8,
    "name": "offline",
    "sources": {},
    "layers": [{"id": "sea", "type": "background", "paint": {"background-color": SEA_COLOR}}],
}
OFFLINE_STYLE_URL = "data:application/json;charset=utf-8," + urllib.parse.quote(
    json.dumps(OFFLINE_STYLE, separators=(",", ":"))
)
WEB_STYLE = "light"  # Carto Positron via pydeck; needs the internet, fails quietly offline


def _scatter(layer_id: str, data: object, *, radius: str, units: str, line_width: float) -> object:
    """A pickable, outlined scatter layer (pins in pixels, areas in metres)."""
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=data,
        get_position=["lon", "lat"],
        get_radius=radius,
        radius_units=units,
        get_fill_color="fill",
        get_line_color="line",
        stroked=True,
        filled=True,
        line_width_units="pixels",
        get_line_width=line_width,
        pickable=True,
        auto_highlight=True,
    )


# --------------------------------------------------------------------------------------------
# Events -> map rows
# --------------------------------------------------------------------------------------------


def magnitude(row: dict) -> float:
    """What a pin's size shows: weapons launched, else casualties, else hits, else 1.

    One event at a time (the reference); `map_frame` computes the same over whole columns."""
    for field in ("launched",):
        if not is_missing(row.get(field)) and float(row[field]) > 0:
            return float(row[field])
    cas = sum(float(row[f]) for f in ("killed", "injured") if not is_missing(row.get(f)))
    if cas > 0:
        return cas
    if not is_missing(row.get("hit")) and float(row["hit"]) > 0:
        return float(row["hit"])
    return 1.0


def _counts_text(row: dict) -> str:
    parts = []
    for f in FIGURES:
        v = row.get(f)
        if not is_missing(v):
            parts.append(f"{f} {fmt_figure(v, is_floor(row.get('bounds'), f))}")
    vague = row.get("vague")
    if isinstance(vague, dict):
        given = {p.split()[0] for p in parts}
        parts += [vague_text(k, v, low) for k, v, low in vague_items(vague) if k not in given]
    return ", ".join(parts) if parts else "no figures reported"


def _first_sentence(sources: object, limit: int = 280) -> str:
    if isinstance(sources, list | tuple):
        for s in sources:
            if isinstance(s, dict) and isinstance(s.get("sentence"), str) and s["sentence"]:
                text = " ".join(s["sentence"].split())
                return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


def attacker_styles(attackers: list[str]) -> dict[str, str]:
    """ "filled" or "ring" per attacker (alternating in sorted order) so that the map does not
    tell attackers apart by colour alone."""
    return {a: ("filled" if i % 2 == 0 else "ring") for i, a in enumerate(sorted(attackers))}


# What `map_frame` returns: one row per located event.  ``group`` is the event's place on the
# map (precision, attacker and coordinates; attacker and country for national tallies): the
# map draws one object per group and a click selects the group.  The columns after it are what
# a group's tooltip is built from: the event's first tooltip line, its figures as text, its
# quoted source sentence, its weapon classes (bit mask) and its figures.
MAP_COLUMNS = (
    "event_id",
    "lat",
    "lon",
    "geo_precision",
    "attacker",
    "location",
    "country_code",
    "date",
    "date_label",
    "tooltip",
    "fill",
    "line",
    "radius_px",
    "radius_m",
    "weight",
    "style",
    "group",
    "head",
    "counts",
    "quote",
    "wmask",
    *FIGURES,
)


MAP_INPUT_COLUMNS = (
    "event_id", "lat", "lon", "attacker", "geo_precision", "date", "date_precision", "location",
    "country_code", "kind", "weapons", "launched", "intercepted", "hit", "killed", "injured",
    "vague", "bounds", "sources", "n_sources", "geo_radius_km", "sources_label", "source_line",
)  # fmt: skip


def _empty_map_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=list(MAP_COLUMNS))


# Column-wise text building on Arrow string arrays: concatenation, choice and formatting run
# in Arrow's C++ kernels, so no step loops over the events in Python.


def _text(ev: pd.DataFrame, col: str) -> pa.Array:
    """The column as an Arrow string array ("" where missing or absent)."""
    if col not in ev.columns:
        return pa.array([""] * len(ev), pa.string())
    arr = pa.array(ev[col].astype("string"), pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr, "")


def _floats(ev: pd.DataFrame, col: str) -> np.ndarray:
    if col not in ev.columns:
        return np.full(len(ev), np.nan)
    return pd.to_numeric(ev[col], errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _per_unique(values: pa.Array | np.ndarray, fn) -> pa.Array:
    """``fn`` (value -> str) applied once per distinct value: dates, places and figures repeat
    a lot, so each distinct one is formatted once and the results are gathered."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, from_pandas=True)
    enc = pc.dictionary_encode(arr)
    out = pa.array([fn(v) for v in enc.dictionary.to_pylist()], pa.string())
    taken = out.take(enc.indices)
    missing = fn(None) if taken.null_count else None
    return pc.fill_null(taken, missing) if missing is not None else taken


def _per_unique_objects(values: pa.Array, fn) -> np.ndarray:
    """Like `_per_unique` for values that are not text (colour lists): an object array."""
    enc = pc.dictionary_encode(values)
    out = np.empty(len(enc.dictionary), dtype=object)
    out[:] = [fn(v) for v in enc.dictionary.to_pylist()]
    return out[enc.indices.to_numpy(zero_copy_only=False)]


def _join(*parts: object) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _weapons(ev: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """Per event: its weapons as text ("Drones, Missiles" in the event's order) and as a bit
    mask of weapon classes (for a group's union)."""
    n = len(ev)
    if "weapons" not in ev.columns:
        return pa.array(["—"] * n, pa.string()), np.zeros(n, dtype=np.int64)
    col = ev["weapons"].to_numpy(dtype=object)
    try:
        keys = list(map(tuple, col))
    except TypeError:  # a missing list (None/NaN) somewhere: the careful way
        keys = [tuple(w) if isinstance(w, list | tuple | np.ndarray) else () for w in col]
    holder = np.empty(n, dtype=object)
    holder[:] = keys
    codes, uniques = pd.factorize(holder)
    labels = pa.array(
        [fmt_list(list(u), label=weapon_label) if len(u) else "—" for u in uniques], pa.string()
    )
    masks = np.array([_weapon_bits(u) for u in uniques], dtype=np.int64)
    return labels.take(pa.array(codes)), masks[codes]


def _weapon_bits(weapons: tuple) -> int:
    from strikes.views import WEAPON_BITS

    m = 0
    for w in weapons:
        m |= WEAPON_BITS.get(str(w).strip().lower(), WEAPON_BITS["other"])
    return m


def _mask_label(mask: int) -> str:
    from strikes.views import WEAPON_BITS

    names = [w for w, b in WEAPON_BITS.items() if mask & b]
    return fmt_list(names, label=weapon_label)


def _figures_text(ev: pd.DataFrame, figures: dict[str, np.ndarray]) -> pa.Array:
    """`_counts_text` of every event, column by column."""
    n = len(ev)
    acc = pa.nulls(n, pa.string())
    for f in FIGURES:
        part = _per_unique(figures[f], lambda v, f=f: None if v is None else f"{f} {fmt_int(v)}")
        # Both present: "a, b"; else whichever is (a join with a missing side is missing).
        acc = pc.coalesce(_join(acc, ", ", part), acc, part)
    acc = pc.fill_null(acc, "")
    if "vague" in ev.columns or "bounds" in ev.columns:
        # Vague wording ("dozens") and lower bounds ("500+") are rare: those few events take
        # the one-by-one path.
        none = np.full(n, None, dtype=object)
        vague = ev["vague"].to_numpy(dtype=object) if "vague" in ev.columns else none
        bounds = ev["bounds"].to_numpy(dtype=object) if "bounds" in ev.columns else none
        rows = [
            i
            for i in range(n)
            if (isinstance(vague[i], dict) and vague[i])
            or (isinstance(bounds[i], list | tuple | np.ndarray) and len(bounds[i]))
        ]
        if rows:
            fixed: list[str | None] = [None] * n
            for i in rows:
                row = {f: figures[f][i] for f in FIGURES}
                fixed[i] = _counts_text({**row, "vague": vague[i], "bounds": bounds[i]})
            acc = pc.coalesce(pa.array(fixed, pa.string()), acc)
    return pc.if_else(pc.equal(acc, ""), "no figures reported", acc)


# Text that `" ".join(text.split())` changes: whitespace other than a single space between
# words (str.split's whitespace: ASCII controls, NEL, NBSP and the Unicode spaces).
_UNFOLDED = (
    r"[\t\n\v\f\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]|  |^ | $"
)


def _quotes(ev: pd.DataFrame, limit: int = 280) -> pa.Array:
    """The first source sentence of every event, whitespace folded, cut at ``limit``."""
    n = len(ev)
    if "sources" not in ev.columns:
        return pa.array([""] * n, pa.string())
    col = ev["sources"].to_numpy(dtype=object)
    try:
        first = [s[0].get("sentence") if s else None for s in col]
        text = pa.array(first, pa.string())
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, pa.ArrowException):
        first, text = [None] * n, pa.nulls(n, pa.string())  # odd sources: the careful path
    redo = pc.fill_null(pc.equal(text, ""), True)  # no sentence in the first source
    redo = pc.or_(redo, pc.fill_null(pc.match_substring_regex(text, _UNFOLDED), False))
    rows = np.nonzero(redo.to_numpy(zero_copy_only=False))[0]
    if len(rows):
        for i in rows:
            t = first[i]
            first[i] = (
                " ".join(t.split()) if isinstance(t, str) and t else _first_sentence(col[i], 10**9)
            )
        text = pa.array(first, pa.string())
    long = pc.greater(pc.utf8_length(text), limit)
    return pc.if_else(long, _join(pc.utf8_slice_codeunits(text, 0, limit - 1), "…"), text)


def map_frame(events: pd.DataFrame) -> pd.DataFrame:
    """One row per located event with what the layers draw (colours, sizes, tooltip text).

    Built column by column (each distinct date, place or figure is formatted once, text is
    joined by Arrow kernels), so 100,000 events take a fraction of a second.  Tooltip text is
    plain text (the deck shows it with innerText), so article text in it is never interpreted
    as HTML.
    """
    if events.empty or "lat" not in events.columns or "lon" not in events.columns:
        return _empty_map_frame()
    located = (events["lat"].notna() & events["lon"].notna()).to_numpy(dtype=bool)
    # Only the columns drawn: the filter helper columns would only be carried along.
    ev = events.loc[located, [c for c in MAP_INPUT_COLUMNS if c in events.columns]]
    n = len(ev)
    if n == 0:
        return _empty_map_frame()
    attacker = _text(ev, "attacker")
    precision = _text(ev, "geo_precision")
    location = _text(ev, "location")
    country = pc.utf8_upper(_text(ev, "country_code"))
    date = _text(ev, "date")
    dprec = _text(ev, "date_precision")
    lat, lon = _floats(ev, "lat"), _floats(ev, "lon")
    figures = {f: _floats(ev, f) for f in FIGURES}

    styles = attacker_styles(sorted(str(a) for a in events["attacker"].dropna().unique()))
    is_area = pc.is_in(precision, pa.array(AREA_PRECISIONS))
    style = _per_unique(attacker, lambda a: styles.get(a or "", "filled"))

    def colours(key: str | None, *, fill: bool) -> list[int]:
        a, kind = (key or "|p").rsplit("|", 1)
        color = attacker_color(a)
        if kind == "a":
            return hex_to_rgb(color, 40 if fill else 170)
        alpha = (215 if styles.get(a, "filled") == "filled" else 70) if fill else 255
        return hex_to_rgb(color, alpha)

    pair = _join(attacker, "|", pc.if_else(is_area, "a", "p"))
    fill = _per_unique_objects(pair, lambda k: colours(k, fill=True))
    line = _per_unique_objects(pair, lambda k: colours(k, fill=False))

    # magnitude(), over columns: launched, else casualties, else hits, else 1.
    launched, hit = figures["launched"], figures["hit"]
    cas = np.nan_to_num(figures["killed"]) + np.nan_to_num(figures["injured"])
    with np.errstate(invalid="ignore"):
        mag = np.where(
            launched > 0, launched, np.where(cas > 0, cas, np.where(hit > 0, hit, 1.0))
        ).astype(float)

    date_label = _per_unique(_join(date, "|", dprec), lambda k: fmt_date(*(k or "|").split("|", 1)))
    kind = _text(ev, "kind")
    total = pc.equal(kind, "total")
    period = pc.and_(total, pc.is_in(dprec, pa.array(["month", "year"])))
    kind_label = pc.if_else(
        period, _join(" — ", dprec, "ly total"), pc.if_else(total, " — national tally", "")
    )
    head = _join(date_label, kind_label)
    where = _join(
        location,
        _per_unique(precision, lambda p: f" ({PRECISION_LABELS.get(p, p).lower()})" if p else ""),
    )
    weapons, wmask = _weapons(ev)
    counts = _figures_text(ev, figures)
    quote = _quotes(ev)
    # "3 articles, 2 outlets" and the first article's outlet and URL (ui.data adds them;
    # plain text here: the click panel links to the articles).
    label, first = _text(ev, "sources_label"), _text(ev, "source_line")
    sources_line = _join(
        pc.if_else(pc.equal(label, ""), "", _join("\nSources: ", label)),
        pc.if_else(pc.equal(first, ""), "", _join("\n", first)),
    )
    tooltip = _join(
        head,
        "\n",
        where,
        "\nAttacker: ",
        pc.if_else(pc.equal(attacker, ""), "unknown", attacker),
        "\nWeapons: ",
        weapons,
        "\n",
        counts,
        pc.if_else(pc.equal(quote, ""), "", _join("\n“", quote, "”")),
        sources_line,
    )
    coords = _join(
        _per_unique(lat, lambda v: f"{v:.4f}"), "|", _per_unique(lon, lambda v: f"{v:.4f}")
    )
    group = pc.if_else(
        pc.equal(precision, "country"),
        _join("country|", country, "|", attacker),
        _join(precision, "|", attacker, "|", coords),
    )
    radius_km = _floats(ev, "geo_radius_km")

    def strings(arr: pa.Array) -> pd.Series:
        return pd.Series(pd.arrays.ArrowStringArray(arr))

    out = {
        "event_id": strings(_text(ev, "event_id")),
        "lat": lat,
        "lon": lon,
        "geo_precision": strings(precision),
        "attacker": strings(attacker),
        "location": strings(location),
        "country_code": strings(country),
        "date": strings(date),
        "date_label": strings(date_label),
        "tooltip": strings(tooltip),
        "fill": fill,
        "line": line,
        "radius_px": np.minimum(42.0, 5.0 + 2.4 * np.sqrt(mag)),
        "radius_m": np.where(np.isnan(radius_km), 50.0, radius_km) * 1000.0,
        "weight": mag,
        "style": strings(style),
        "group": strings(group),
        "head": strings(head),
        "counts": strings(counts),
        "quote": strings(quote),
        "wmask": wmask,
        **figures,
    }
    return pd.DataFrame(out, columns=list(MAP_COLUMNS))


# --------------------------------------------------------------------------------------------
# Map rows -> what the layers draw: one object per place
# --------------------------------------------------------------------------------------------

GROUP_COLUMNS = (
    "group",
    "lat",
    "lon",
    "geo_precision",
    "attacker",
    "location",
    "country_code",
    "fill",
    "line",
    "style",
    "radius_px",
    "radius_m",
    "weight",
    "n",
    "event_id",
    "tooltip",
)


def _where_label(location: str, precision: str) -> str:
    return location + (
        f" ({PRECISION_LABELS.get(precision, precision).lower()})" if precision else ""
    )


def _date_span(n: int, lo: object, hi: object) -> str:
    what = f"{n:,} events"
    if is_missing(lo) or is_missing(hi):
        return what
    if lo == hi:
        return f"{what} on {fmt_date(lo)}"
    return f"{what}, {fmt_date(lo)} – {fmt_date(hi)}"


def _sums_text(sums: dict[str, float]) -> str:
    parts = [f"{f} {fmt_int(v)}" for f, v in sums.items() if not math.isnan(v)]
    return ("in all: " + ", ".join(parts)) if parts else "no figures reported"


def point_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per place on the map (`map_frame`'s ``group``): what a pin or an area draws.

    Events at the same place by the same attacker sit on top of each other, so they are one
    object: one event keeps its own tooltip; several get a summary (how many, when, weapons,
    summed figures, the latest report and its sentence), a size from their summed magnitude and
    the largest area's radius.  A click on the object selects all of them (`group_event_ids`).
    Linear in the number of events; a Python loop runs per place, not per event.
    """
    if frame.empty:
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    codes, keys = pd.factorize(frame["group"])
    codes = np.asarray(codes, dtype=np.int64)
    k = len(keys)
    n = np.bincount(codes, minlength=k)
    first = np.unique(codes, return_index=True)[1]
    weight = np.bincount(codes, weights=frame["weight"].to_numpy(dtype=float), minlength=k)
    # Dates as ranks (ISO text sorts by time; "" = undated sorts first).
    dcodes, days = pd.factorize(frame["date"].astype("string").fillna(""), sort=True)
    days = np.asarray(days, dtype=object)
    order = np.lexsort((dcodes, codes))  # by group, then date; stable
    ends = np.r_[np.nonzero(np.diff(codes[order]))[0], len(order) - 1]
    latest = order[ends]  # the latest event of each group (ties: the last one listed)
    dated = days[dcodes] != ""
    by_group = pd.Series(np.where(dated, dcodes, -1)).groupby(codes)
    hi = by_group.max().to_numpy()
    lo = pd.Series(np.where(dated, dcodes, len(days))).groupby(codes).min().to_numpy()
    radius_m = pd.Series(frame["radius_m"].to_numpy(dtype=float)).groupby(codes).max().to_numpy()
    sums = {}
    for f in FIGURES:
        vals = frame[f].to_numpy(dtype=float)
        has = ~np.isnan(vals)
        total = np.bincount(codes, weights=np.where(has, vals, 0.0), minlength=k)
        count = np.bincount(codes, weights=has.astype(float), minlength=k)
        sums[f] = np.where(count > 0, total, np.nan)
    wmask = frame["wmask"].to_numpy(dtype=np.int64)
    union = np.zeros(k, dtype=np.int64)
    for mask in unique_ints(wmask):
        if mask:
            union[unique_ints(codes[wmask == mask])] |= int(mask)

    base = frame.iloc[first]
    tooltip = base["tooltip"].to_numpy(dtype=object).copy()
    event_id = base["event_id"].to_numpy(dtype=object).copy()
    several = np.nonzero(n > 1)[0]
    last = frame.iloc[latest[several]]
    for g, head, counts, quote in zip(
        several, last["head"], last["counts"], last["quote"], strict=True
    ):
        row = base.iloc[g]
        span = (days[lo[g]], days[hi[g]]) if hi[g] >= 0 else (None, None)  # no dated event: no span
        lines = [
            _date_span(int(n[g]), *span),
            _where_label(str(row["location"]), str(row["geo_precision"])),
            f"Attacker: {row['attacker'] or 'unknown'}",
            f"Weapons: {_mask_label(int(union[g]))}",
            _sums_text({f: sums[f][g] for f in FIGURES}),
            f"Latest: {head}: {counts}",
        ]
        if quote:
            lines.append(f"“{quote}”")
        lines.append("Click to list them.")
        tooltip[g] = "\n".join(lines)
        event_id[g] = ""
    return pd.DataFrame(
        {
            "group": base["group"].to_numpy(dtype=object),
            "lat": base["lat"].to_numpy(dtype=float),
            "lon": base["lon"].to_numpy(dtype=float),
            "geo_precision": base["geo_precision"].to_numpy(dtype=object),
            "attacker": base["attacker"].to_numpy(dtype=object),
            "location": base["location"].to_numpy(dtype=object),
            "country_code": base["country_code"].to_numpy(dtype=object),
            "fill": base["fill"].to_numpy(dtype=object),
            "line": base["line"].to_numpy(dtype=object),
            "style": base["style"].to_numpy(dtype=object),
            "radius_px": np.minimum(42.0, 5.0 + 2.4 * np.sqrt(weight)),
            "radius_m": radius_m,
            "weight": weight,
            "n": n,
            "event_id": event_id,
            "tooltip": tooltip,
        },
        columns=list(GROUP_COLUMNS),
    )


def pin_radii(weight: np.ndarray) -> np.ndarray:
    """Pin radii in pixels, 5 + k * sqrt(magnitude): k = 2.4 as for a single event, smaller
    when the largest pin would pass 42 px (places summing thousands of weapons), so that the
    largest is 42 px and the others keep their proportions instead of all hitting the cap."""
    if not len(weight):
        return np.asarray(weight, dtype=float)
    k = min(2.4, 37.0 / math.sqrt(max(float(np.max(weight)), 1.0)))
    return 5.0 + k * np.sqrt(np.asarray(weight, dtype=float))


def group_event_ids(frame: pd.DataFrame, group: str) -> list[str]:
    """The event ids of one map object (`point_groups`' ``group``), latest first."""
    if frame.empty or "group" not in frame.columns:
        return []
    sub = frame.loc[frame["group"].to_numpy(dtype=object) == group, ["event_id", "date"]]
    return sub.sort_values("date", ascending=False, kind="mergesort")["event_id"].tolist()


def view_state(frame: pd.DataFrame, *, width_px: int = 1000) -> pdk.ViewState:
    """A view centred on the places hit that fits them into ``width_px`` (the page passes a
    phone's width on a phone).  The box spans the 2nd to 98th percentile of the places, so one
    far-off report does not pull the view away from where the data is; country-level tallies
    are not places and do not count (alone, they give their countries' centre)."""
    if frame.empty:
        return pdk.ViewState(latitude=49.0, longitude=33.0, zoom=4)
    lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
    focus = (frame["geo_precision"] != "country").to_numpy(dtype=bool)
    if focus.any():
        lat, lon = lat[focus], lon[focus]
    q = (2, 98) if len(lat) >= 20 else (0, 100)
    lat_lo, lat_hi = (float(v) for v in np.nanpercentile(lat, q))
    lon_lo, lon_hi = (float(v) for v in np.nanpercentile(lon, q))
    # Web Mercator in deck.gl: 512 px show 360 degrees at zoom 0; ~15% margin on each side.
    span = max(lon_hi - lon_lo, (lat_hi - lat_lo) * 1.6, 2.0) * 1.3
    zoom = max(1.0, min(8.0, math.log2(max(width_px, 200) * 360.0 / (512.0 * span))))
    return pdk.ViewState(
        latitude=(lat_lo + lat_hi) / 2, longitude=(lon_lo + lon_hi) / 2, zoom=round(zoom, 2)
    )


def base_layer(basemap: str | dict) -> pdk.Layer:
    """Country outlines: ``basemap`` is the URL of the built GeoJSON (fetched once by the
    browser) or a GeoJSON dict (tests)."""
    return pdk.Layer(
        "GeoJsonLayer",
        id="countries",
        data=basemap,
        stroked=True,
        filled=True,
        get_fill_color=LAND_RGBA,
        get_line_color=BORDER_RGBA,
        line_width_min_pixels=0.7,
        pickable=False,
    )


class CompactDeck(pdk.Deck):
    """A Deck whose JSON is compact (pydeck indents it, which triples the outline's size) and
    whose unit props are literal strings.

    pydeck turns every string prop into an accessor expression, so ``radius_units="pixels"``
    would reach deck.gl as ``"@@=pixels"`` (an undefined variable) and the radius would silently
    fall back to common units (16x too large at zoom 4).  ``*Units`` props are plain enums.
    """

    def to_json(self) -> str:
        # Layers whose data is one big constant object (the country outlines) are encoded once
        # per object and spliced in: re-encoding them on every rerun cost more than the events.
        spliced: dict[str, tuple[pdk.Layer, dict]] = {}
        for i, layer in enumerate(self.layers or []):
            if isinstance(getattr(layer, "data", None), dict):
                token = f"@@spliced-{i}@@"
                spliced[token] = (layer, layer.data)
                layer.data = token
        try:
            spec = json.loads(super().to_json())  # pydeck's public serialiser
        finally:
            for layer, data in spliced.values():
                layer.data = data
        for layer in spec.get("layers") or []:
            if not isinstance(layer, dict):
                continue
            for key, value in list(layer.items()):
                if key.endswith("Units") and isinstance(value, str) and value.startswith("@@="):
                    layer[key] = value[3:]
        text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
        for token, (_, data) in spliced.items():
            # An unescaped '"' never occurs inside a JSON string, so only the token matches.
            text = text.replace(json.dumps(token), _constant_json(data), 1)
        return text


_JSON_CACHE: dict[int, tuple[object, str]] = {}


def _constant_json(obj: dict) -> str:
    """Compact JSON of a large object treated as constant (the country outlines, cached by the
    page), encoded once.  The cache holds the object itself, so its id cannot be reused."""
    hit = _JSON_CACHE.get(id(obj))
    if hit is None or hit[0] is not obj:
        if len(_JSON_CACHE) >= 4:
            _JSON_CACHE.pop(next(iter(_JSON_CACHE)))
        hit = (obj, json.dumps(obj, sort_keys=True, separators=(",", ":")))
        _JSON_CACHE[id(obj)] = hit
    return hit[1]


# What the browser gets of each pin or area: the rest of a group's row stays on the server.
DECK_COLUMNS = (
    "lon",
    "lat",
    "fill",
    "line",
    "tooltip",
    "group",
    "event_id",
    "n",
    "location",
    "attacker",
    "geo_precision",
)


# Colour ramps of the heat and hexagon views (low -> high), shown as their legends.
HEAT_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 255, 178), (254, 217, 118), (254, 178, 76), (253, 141, 60), (240, 59, 32), (189, 0, 38),
)  # fmt: skip
HEX_COLORS = HEAT_COLORS
HEX_RADIUS_M = 40_000  # a hexagon ~80 km across: visible from zoom 4, finer than a region


def size_legend(weight: np.ndarray, *, steps: int = 3) -> list[tuple[float, float]]:
    """(magnitude, radius in px) of a few round magnitudes for the pin-size legend, on the
    same scale as `pin_radii` for these weights (the largest shown is the largest pin)."""
    w = np.asarray(weight, dtype=float)
    w = w[np.isfinite(w) & (w > 0)]
    if not len(w):
        return []
    top = float(w.max())
    k = min(2.4, 37.0 / math.sqrt(max(top, 1.0)))
    # Round magnitudes and the largest; a round one close to the largest (100 beside 114)
    # would draw two circles of nearly one size.
    values = sorted({float(v) for v in (1, 10, 100, 1000, 10000) if v <= top / 2} | {top})
    values = values[-steps:]
    return [(v, 5.0 + k * math.sqrt(v)) for v in values]


def next_night(nights: list[str], current: str, *, all_label: str) -> tuple[str, bool]:
    """The night "Play" shows after ``current`` and whether it is the last one.  From "all
    nights" (or a night no longer listed, or the last one: a replay) it starts at the first."""
    if not nights:
        return all_label, True
    try:
        i = nights.index(current) + 1
    except ValueError:
        i = 0
    if i >= len(nights):
        i = 0
    return nights[i], i == len(nights) - 1


def _ramp(colors: tuple[tuple[int, int, int], ...]) -> str:
    stops = ", ".join(f"rgb{tuple(c)}" for c in colors)
    return (
        "<span style='display:inline-block;width:120px;height:11px;vertical-align:middle;"
        f"border:1px solid #999;background:linear-gradient(to right, {stops})'></span>"
    )


def map_key_html(view: str, *, attackers: list[str], weights: np.ndarray) -> str:
    """The key above the map (HTML): attackers (filled or ring) and pin sizes for the strikes
    view (``weights``: each pin's summed magnitude), the colour ramp for heat and hexagons."""
    if view == "heat":
        return (
            "<b>Heat</b>: weapons launched (else casualties) near a place, summed: "
            f"low {_ramp(HEAT_COLORS)} high"
        )
    if view == "hexagons":
        return (
            f"<b>Hexagons</b> ~{2 * HEX_RADIUS_M // 1000} km across, coloured by weapons "
            f"launched (else casualties) summed inside: low {_ramp(HEX_COLORS)} high"
        )
    legend = " ".join(
        f"<span style='white-space:nowrap;margin-right:1rem'>"
        f"<span style='display:inline-block;width:13px;height:13px;border-radius:50%;"
        f"vertical-align:middle;border:2.5px solid {attacker_color(a)};"
        f"background:{attacker_color(a) if s == 'filled' else 'transparent'}'></span> "
        f"{html.escape(a)} ({'filled' if s == 'filled' else 'ring'})</span>"
        for a, s in attacker_styles(attackers).items()
    )
    sizes = " ".join(
        f"<span style='white-space:nowrap;margin-right:0.8rem'>"
        f"<span style='display:inline-block;width:{2 * r:.0f}px;height:{2 * r:.0f}px;"
        "border-radius:50%;vertical-align:middle;border:1.5px solid #555'></span> "
        f"{fmt_int(v)}</span>"
        for v, r in size_legend(weights)
    )
    return (
        f"<b>Attacker:</b> {legend}<br>"
        + (
            f"<b>Pin size</b> (weapons launched, else casualties; capped): {sizes}<br>"
            if sizes
            else ""
        )
        + "<span style='display:inline-block;width:13px;height:13px;border-radius:50%;"
        "vertical-align:middle;border:1px solid #555;background:rgba(120,120,120,0.2)'>"
        "</span> translucent circle: a region-level report (approximate area)"
    )


def build_deck(
    frame: pd.DataFrame,
    basemap: str | dict | None,
    *,
    view: str = "strikes",
    web_tiles: bool = False,
    height: int = 560,
    width_px: int = 1000,
) -> CompactDeck:
    """The map: country outlines, then regional areas, then pins (or a heat/hexagon view).

    ``frame`` is `map_frame`'s (or part of it).  Country-level rows (national tallies and
    monthly totals) are never drawn: a tally is not a place.  Each layer gets one object per
    place (`point_groups`), not one per event, with only the columns it draws, so the deck's
    JSON stays small whatever the number of events.  ``basemap``: see `base_layer` (None: no
    outlines).
    """
    layers = [base_layer(basemap)] if basemap else []
    places_only = frame.loc[(frame["geo_precision"] != "country").to_numpy(dtype=bool)]
    if view == "strikes":
        places = point_groups(places_only)
        is_area = places["geo_precision"].isin(AREA_PRECISIONS)
        areas = places[is_area].sort_values("radius_m", ascending=False)
        pins = places[~is_area]
        pins = pins.assign(radius_px=pin_radii(pins["weight"].to_numpy(dtype=float)))
        pins = pins.sort_values("radius_px", ascending=False)  # small pins drawn on top
        if not areas.empty:
            # Region-level reports: translucent areas of their real extent, in metres.
            layers.append(
                _scatter(
                    "areas",
                    areas[[*DECK_COLUMNS, "radius_m"]],
                    radius="radius_m",
                    units="meters",
                    line_width=1.5,
                )
            )
        if not pins.empty:
            layers.append(
                _scatter(
                    "strikes",
                    pins[[*DECK_COLUMNS, "radius_px"]],
                    radius="radius_px",
                    units="pixels",
                    line_width=2.5,
                )
            )
    else:
        located = places_only[["lat", "lon", "weight"]]
        # Weights of events at one position add up (both layers sum them), so one point per
        # position draws the same picture.
        points = located.groupby(["lat", "lon"], sort=False)["weight"].sum().reset_index()
        if view == "heat" and not located.empty:
            layers.append(
                pdk.Layer(
                    "HeatmapLayer",
                    id="heat",
                    data=points[["lon", "lat", "weight"]],
                    get_position=["lon", "lat"],
                    get_weight="weight",
                    radius_pixels=60,
                    opacity=0.75,
                    color_range=[list(c) for c in HEAT_COLORS],
                )
            )
        elif view == "hexagons" and not located.empty:
            layers.append(
                pdk.Layer(
                    "HexagonLayer",
                    id="hexagons",
                    data=points[["lon", "lat", "weight"]],
                    get_position=["lon", "lat"],
                    get_elevation_weight="weight",
                    get_color_weight="weight",
                    color_aggregation="SUM",
                    radius=HEX_RADIUS_M,
                    coverage=0.95,
                    extruded=False,
                    opacity=0.85,
                    color_range=[list(c) for c in HEX_COLORS],
                    stroked=True,
                    pickable=False,
                )
            )
    return CompactDeck(
        layers=layers,
        initial_view_state=view_state(frame, width_px=width_px),
        map_style=pdk.map_styles.LIGHT if web_tiles else OFFLINE_STYLE_URL,
        tooltip={
            "text": "{tooltip}",
            "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "13px"},
        },
        height=height,
    )


def selected_event_ids(state: object, frame: pd.DataFrame | None = None) -> list[str]:
    """event_ids of the objects selected on the map (`st.pydeck_chart` selection state).

    An object names its events by ``event_id``/``event_ids``, or by its ``group`` (a place
    with several events): with ``frame`` (the `map_frame` rows the map was drawn from) a group
    gives all its events, latest first."""
    try:
        objects = state["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return []
    out: list[str] = []
    seen: set[str] = set()
    if isinstance(objects, dict):
        for objs in objects.values():
            for o in objs or []:
                if not isinstance(o, dict):
                    continue
                ids = list(o["event_ids"]) if isinstance(o.get("event_ids"), list) else []
                if o.get("event_id"):
                    ids = [o["event_id"], *ids]
                if frame is not None and isinstance(o.get("group"), str):
                    ids += group_event_ids(frame, o["group"])
                for i in ids:
                    if str(i) not in seen:
                        seen.add(str(i))
                        out.append(str(i))
    return out
