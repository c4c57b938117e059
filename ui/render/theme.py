"""Colours, labels and number/date formats shared by every chart, map and table.

One colour per attacker and per weapon class, the same everywhere (Okabe-Ito based, readable
for the common colour-vision deficiencies).  Colour is never the only signal: charts also use
patterns and titles, the map uses filled versus ringed markers and tooltips.
"""

from __future__ import annotations

import datetime as _dt
import math
import zlib

import pandas as pd

ATTACKER_COLORS: dict[str, str] = {
    "Russia": "#D55E00",  # vermillion
    "Ukraine": "#0072B2",  # blue
}
_EXTRA_ATTACKER_COLORS = ("#CC79A7", "#009E73", "#8C564B", "#6A3D9A", "#B8860B")
UNKNOWN_COLOR = "#7F7F7F"

WEAPON_COLORS: dict[str, str] = {
    "drone": "#E69F00",
    "missile": "#56B4E9",
    "glide_bomb": "#009E73",
    "artillery": "#CC79A7",
    "aircraft": "#0072B2",
    "other": "#999999",
    "mixed": "#8C6D31",
    "unspecified": "#C7C7C7",
}

WEAPON_LABELS: dict[str, str] = {
    "drone": "Drones",
    "missile": "Missiles",
    "glide_bomb": "Glide bombs",
    "artillery": "Artillery",
    "aircraft": "Aircraft",
    "other": "Other",
    "mixed": "Mixed (drones and missiles together)",
    "unspecified": "Unspecified",
}

PRECISION_LABELS: dict[str, str] = {
    "point": "Exact point",
    "city": "Town or city",
    "region": "Region (approximate area)",
    "country": "Country (national tally)",
}

# Highlight styles of extracted spans: background plus a distinct underline, so the kind of
# span is not told by colour alone (and each mark carries a title).
SPAN_STYLES: dict[str, tuple[str, str]] = {
    "number": ("#FFE08A", "2px solid #B8860B"),
    "casualty": ("#F8C4C4", "2px double #B03030"),
    "place": ("#CDE4F7", "2px dashed #1F5F99"),
    "weapon": ("#D2F0DC", "2px dotted #1E7A44"),
    "actor": ("#E6DAF2", "2px solid #6A3D9A"),
}
SPAN_LABELS: dict[str, str] = {
    "number": "number",
    "casualty": "casualties",
    "place": "place",
    "weapon": "weapon",
    "actor": "actor / who said it",
}

MISSING = "—"


def attacker_color(name: object) -> str:
    """The attacker's colour; unknown attackers get a stable colour of their own."""
    if name is None or (not isinstance(name, str) and pd.isna(name)) or str(name) == "":
        return UNKNOWN_COLOR
    s = str(name)
    if s in ATTACKER_COLORS:
        return ATTACKER_COLORS[s]
    return _EXTRA_ATTACKER_COLORS[zlib.crc32(s.encode("utf-8")) % len(_EXTRA_ATTACKER_COLORS)]


def weapon_color(weapon: object) -> str:
    return WEAPON_COLORS.get(str(weapon), WEAPON_COLORS["other"])


def weapon_label(weapon: object) -> str:
    w = str(weapon)
    return WEAPON_LABELS.get(w, w.replace("_", " ").capitalize())


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    c = color.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), int(alpha)]


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple | dict):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: object, *, missing: str = MISSING) -> str:
    """1234 -> "1,234"; <NA>/None -> "—" (not reported; 0 stays "0")."""
    if is_missing(value):
        return missing
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return missing
    return f"{round(f):,}"


def fmt_figure(value: object, floor: object = False, *, missing: str = MISSING) -> str:
    """A reported figure: "1,234", "500+" when it is a lower bound ("more than 500")."""
    text = fmt_int(value, missing=missing)
    return f"{text}+" if floor is True and text != missing else text


def is_floor(bounds: object, field: str) -> bool:
    """Whether an event's `bounds` (list of figure names) marks `field` as a lower bound."""
    if bounds is None or isinstance(bounds, str | float | dict):
        return False
    try:
        return field in list(bounds)
    except TypeError:
        return False


def plural(n: int, word: str) -> str:
    """ "1 event", "2 events"."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def sources_text(n_articles: object, n_outlets: object) -> str:
    """How many reports an event rests on: "3 articles, 2 outlets" (articles, not sentences;
    outlets counted when the articles name them)."""
    if is_missing(n_articles):
        return MISSING
    text = plural(int(n_articles), "article")  # type: ignore[arg-type]
    if is_missing(n_outlets) or int(n_outlets) == 0:  # type: ignore[arg-type]
        return f"{text}, outlet unknown"
    return f"{text}, {plural(int(n_outlets), 'outlet')}"  # type: ignore[arg-type]


def fmt_pct(value: object, *, missing: str = MISSING) -> str:
    if is_missing(value):
        return missing
    f = float(value)  # type: ignore[arg-type]
    if math.isnan(f):
        return missing
    return f"{f:.0%}" if f >= 0.1 else f"{f:.1%}"


def fmt_date(value: object, precision: object = "day", *, missing: str = "undated") -> str:
    """ "2025-07-06" -> "6 Jul 2025"; month precision -> "Jul 2025"; year -> "2025"."""
    if is_missing(value) or str(value) == "":
        return missing
    s = str(value)
    try:
        d = _dt.date.fromisoformat(s[:10])
    except ValueError:
        return s
    p = "day" if is_missing(precision) else str(precision)
    if p == "year":
        return f"{d.year}"
    if p == "month":
        return d.strftime("%b %Y")
    return f"{d.day} {d.strftime('%b %Y')}"


def fmt_list(values: object, *, label=None, missing: str = MISSING) -> str:
    if values is None or not isinstance(values, list | tuple) or len(values) == 0:
        try:
            values = list(values)  # numpy arrays
        except TypeError:
            return missing
        if not values:
            return missing
    f = label or str
    return ", ".join(f(v) for v in values)


def total_label(ev) -> str:
    """ "monthly total" / "national tally" for kind == "total" events, else ""."""
    if ev.get("kind") != "total":
        return ""
    if ev.get("date_precision") in ("month", "year"):
        return f"{ev.get('date_precision')}ly total"
    return "national tally"


def kind_label(ev) -> str:
    """What an event row is: "strike", "national tally" or "monthly total" (a country-level
    report is a tally, never a strike on a place called "Ukraine")."""
    label = total_label(ev)
    if label:
        return label
    return "national tally" if ev.get("geo_precision") == "country" else "strike"


def place_label(ev) -> str:
    """The place column of a row: a tally reads "Ukraine (national tally)"."""
    loc = ev.get("location")
    loc = "" if is_missing(loc) else str(loc)
    kind = kind_label(ev)
    if kind == "strike":
        return loc
    return f"{loc} ({kind})" if loc else kind


def vague_items(vague: object) -> list[tuple[str, str, int | None]]:
    """(field, wording, lower bound) of an event's vague figures ("injured", "dozens", 24).

    The store keeps the bound under "<field>_min" beside the wording."""
    if not isinstance(vague, dict):
        return []
    out = []
    for k, v in vague.items():
        if str(k).endswith("_min"):
            continue
        low = vague.get(f"{k}_min")
        out.append((str(k), str(v), int(low) if isinstance(low, int | float) else None))
    return out


def vague_text(field: str, wording: str, low: int | None) -> str:
    return f"{field}: “{wording}”" + (f" (at least {fmt_int(low)})" if low is not None else "")
