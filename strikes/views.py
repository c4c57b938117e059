"""Timelines, tallies and the sidebar filter: pure functions over the events frame.

Everything here takes a frame with the columns of `strikes.schema.EVENTS` (extra columns are
ignored and kept) and returns a new frame; nothing reads files or the store.  The pages call
these on the filtered events, the exports call `filter_events` with the CLI's filters.

Counting rules (the README's "Counting rules"); the ones that need a decision are fixed here:

* A *night* is a (date, attacker) pair of day-precision events.  Month- and year-precision
  events are never nights: month-precision ``kind == "total"`` events are the *reported monthly
  totals* (`monthly_totals`), other month/year events (e.g. "in May last year a drone hit
  Orsk") show up in the place/region counts and in the event table only.
* A *national tally* is a day-precision event at ``geo_precision == "country"`` (or, should
  one appear, a day-precision ``kind == "total"``).  Every other day-precision strike event
  (point, city, region, or unlocated) is a *local* event.
* Several national tallies of the same night and country that escaped merging are duplicate
  reports of one figure: the largest is used, never their sum.  Tallies of different
  countries (Russia's drones over Ukraine and over Poland) are added.
* ``launched``, ``intercepted`` and ``hit`` of a night, each field on its own: the national
  tally if one reports that field, else the sum over the local events (so a region breakdown
  "17 over Crimea, 16 over Rostov" is never added to the "60 overall" it breaks down).
* ``killed`` and ``injured`` of a night: the sum over the local events, or the national figure
  when it is larger or the only one reported.  A national "at least two killed" and a city
  report of two killed is two, not four; local reports adding up to more than a stale
  national figure win.
* Missing stays missing: a field no event reports is <NA>, never 0 (0 means "reported none").
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strikes.speed.arrays import unique_ints
from strikes.vocab import CASUALTY_FIELDS, FIGURES, WEAPON_CLASSES, WEAPON_COUNT_FIELDS

WEAPON_BITS: dict[str, int] = {w: 1 << i for i, w in enumerate(WEAPON_CLASSES)}
COUNT_FIELDS: tuple[str, ...] = FIGURES
MIXED, UNSPECIFIED = "mixed", "unspecified"

# Hidden helper columns added by `prepare_events` (ignored by every other function).
MASK_COL, TEXT_COL, END_COL = "_weapon_mask", "_search_text", "_date_end"
# Words of one search at most (the dashboard's own limit, settings.max_search_words, is lower).
MAX_SEARCH_WORDS = 32
HELPER_COLS: tuple[str, ...] = (MASK_COL, TEXT_COL, END_COL)

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_YEAR = re.compile(r"^\d{4}$")


# --------------------------------------------------------------------------------------------
# Filtering
# --------------------------------------------------------------------------------------------


def weapon_mask(weapons: pd.Series) -> pd.Series:
    """Bitmask (int64) of the weapon classes of each event; unknown names count as "other"."""
    bits, other = WEAPON_BITS, WEAPON_BITS["other"]
    cache: dict[tuple, int] = {}
    out = np.zeros(len(weapons), dtype=np.int64)
    for i, ws in enumerate(weapons.array):
        if not isinstance(ws, list | tuple | np.ndarray) or len(ws) == 0:
            continue
        key = tuple(ws)
        m = cache.get(key)
        if m is None:
            m = 0
            for w in key:
                m |= bits.get(str(w).strip().lower(), other)
            cache[key] = m
        out[i] = m
    return pd.Series(out, index=weapons.index, name=MASK_COL)


def search_text(events: pd.DataFrame) -> pd.Series:
    """Lower-cased text the sidebar's search box looks in.

    Location, region, country code, target, weapon models, who claimed the figures and the
    source sentences (when the sources carry their sentence text).
    """
    n = len(events)
    parts: list[pd.Series] = []
    for col in ("location", "admin1", "country_code", "target"):
        if col in events.columns:
            parts.append(events[col].astype("string").fillna(""))
    for col in ("weapon_models", "claimed_by"):
        if col in events.columns:
            parts.append(_join_lists(events[col]))
    if "sources" in events.columns:
        parts.append(_source_sentences(events["sources"]))
    if not parts:
        return pd.Series([""] * n, index=events.index, dtype="string", name=TEXT_COL)
    text = parts[0]
    for p in parts[1:]:
        text = text + "\x1f" + p  # a separator no query contains, so no match spans two fields
    return text.str.lower().astype("string").rename(TEXT_COL)


def _join_lists(s: pd.Series) -> pd.Series:
    vals = [
        " | ".join(str(v) for v in x) if isinstance(x, list | tuple | np.ndarray) else ""
        for x in s.array
    ]
    return pd.Series(vals, index=s.index, dtype="string")


def _source_sentences(s: pd.Series) -> pd.Series:
    vals = []
    for srcs in s.array:
        texts = []
        if isinstance(srcs, list | tuple):
            for src in srcs:
                if isinstance(src, dict):
                    for key in ("sentence", "text"):
                        v = src.get(key)
                        if isinstance(v, str):
                            texts.append(v)
        vals.append(" | ".join(texts))
    return pd.Series(vals, index=s.index, dtype="string")


def date_end(events: pd.DataFrame) -> pd.Series:
    """Last day (ISO string, day may be 31 for any month) of each event's date period.

    Month-precision events cover their whole month, year-precision events their year; the
    string compares correctly with any ISO date even where the month has fewer days.
    """
    date = events["date"].astype("string")
    prec = events["date_precision"].astype("string").fillna("day")
    end = date.copy()
    month = prec == "month"
    year = prec == "year"
    end[month] = date[month].str.slice(0, 7) + "-31"
    end[year] = date[year].str.slice(0, 4) + "-12-31"
    return end.rename(END_COL)


def prepare_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events plus the helper columns `filter_events` needs (weapon mask, search text).

    Call this once per loaded frame (the dashboard's cached loader does) and filter the
    result as often as needed: filtering a prepared frame of 100,000 events takes a few
    milliseconds.  The helper columns survive filtering and are ignored by every aggregate.
    """
    if all(c in events.columns for c in HELPER_COLS):
        return events
    out = events.copy()
    out[MASK_COL] = weapon_mask(events["weapons"]) if len(events) else pd.Series(dtype="int64")
    out[TEXT_COL] = search_text(events)
    out[END_COL] = date_end(events)
    return out


# A small cache so that repeated filtering of the same (unprepared) frame object does not
# recompute the helper columns.  Keyed by id() and guarded by a weak reference, so a new frame
# that reuses the id of a collected one is never served stale helpers.  Frames are treated as
# immutable (pandas copy-on-write); mutating one in place after filtering it is not supported.
_HELPER_CACHE: dict[int, tuple[weakref.ref, dict[str, pd.Series]]] = {}
_HELPER_CACHE_SIZE = 8


def _helper(events: pd.DataFrame, col: str) -> pd.Series:
    if col in events.columns:
        return events[col]
    key = id(events)
    entry = _HELPER_CACHE.get(key)
    if entry is None or entry[0]() is not events:
        if len(_HELPER_CACHE) >= _HELPER_CACHE_SIZE:
            _HELPER_CACHE.pop(next(iter(_HELPER_CACHE)))
        entry = (weakref.ref(events), {})
        _HELPER_CACHE[key] = entry
    cols = entry[1]
    if col not in cols:
        if col == MASK_COL:
            cols[col] = weapon_mask(events["weapons"])
        elif col == TEXT_COL:
            cols[col] = search_text(events)
        elif col == END_COL:
            cols[col] = date_end(events)
        else:  # pragma: no cover - programming error
            raise KeyError(col)
    return cols[col]


def normalize_date(value: object, *, end: bool = False) -> str | None:
    """ISO day string of a date bound; "YYYY-MM" and "YYYY" stand for their first/last day.

    Raises ValueError on anything else (the CLI turns that into a usage error).

    >>> normalize_date("2025-07"), normalize_date("2025-07", end=True), normalize_date("2025")
    ('2025-07-01', '2025-07-31', '2025-01-01')
    """
    if value is None or value == "":
        return None
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).strip()
    if _ISO_DAY.match(s):
        _dt.date.fromisoformat(s)  # validates month/day
        return s
    if _ISO_MONTH.match(s):
        first = _dt.date.fromisoformat(s + "-01")
        if not end:
            return first.isoformat()
        last = calendar.monthrange(first.year, first.month)[1]
        return first.replace(day=last).isoformat()
    if _ISO_YEAR.match(s):
        return s + ("-12-31" if end else "-01-01")
    raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)")


def _as_tuple(values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(str(v) for v in values if v is not None and str(v) != "")


def filter_events(
    events: pd.DataFrame,
    *,
    date_from: object = None,
    date_to: object = None,
    attackers: Iterable[str] = (),
    weapons: Iterable[str] = (),
    countries: Iterable[str] = (),
    regions: Iterable[str] = (),
    place: str | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """The events matching every given filter (an empty filter matches everything).

    - ``date_from`` / ``date_to``: inclusive bounds (ISO strings, "YYYY-MM", dates).  An event
      is kept when its period overlaps the range: a month-precision total for June is kept by
      a range starting on June 15.  Undated events are dropped once a bound is set.
    - ``attackers``, ``regions`` (admin1): exact names; ``countries``: ISO alpha-2, any case.
    - ``weapons``: classes; an event matches when it involves *any* of them.
    - ``place``: the location's display name, case-insensitive, exact.
    - ``text``: every whitespace-separated word must occur (case-insensitive substring) in the
      location, region, target, weapon models, claimed_by or source sentences.

    Vectorised; use `prepare_events` once per frame for the fastest path.  Returns a row
    subset of ``events`` (same columns, fresh 0..n-1 index).
    """
    n = len(events)
    keep = np.ones(n, dtype=bool)

    lo = normalize_date(date_from)
    hi = normalize_date(date_to, end=True)
    if lo is not None or hi is not None:
        start = events["date"].astype("string")
        if hi is not None:
            keep &= (start <= hi).fillna(False).to_numpy(dtype=bool)
        if lo is not None:
            stop = _helper(events, END_COL)
            keep &= (stop >= lo).fillna(False).to_numpy(dtype=bool)

    sel = _as_tuple(attackers)
    if sel:
        keep &= events["attacker"].isin(sel).to_numpy(dtype=bool)
    sel = tuple(c.upper() for c in _as_tuple(countries))
    if sel:
        keep &= events["country_code"].str.upper().isin(sel).fillna(False).to_numpy(dtype=bool)
    sel = _as_tuple(regions)
    if sel:
        keep &= events["admin1"].isin(sel).to_numpy(dtype=bool)
    sel = _as_tuple(weapons)
    if sel:
        unknown = [w for w in sel if w not in WEAPON_BITS]
        if unknown:
            raise ValueError(
                f"unknown weapon class {unknown[0]!r}; one of {', '.join(WEAPON_CLASSES)}"
            )
        bits = 0
        for w in sel:
            bits |= WEAPON_BITS[w]
        keep &= (_helper(events, MASK_COL).to_numpy() & bits) != 0
    if place:
        loc = events["location"].astype("string").str.casefold()
        keep &= (loc == place.strip().casefold()).fillna(False).to_numpy(dtype=bool)
    words = search_words(text)
    if words:
        hay = _helper(events, TEXT_COL)
        for w in words:
            keep &= hay.str.contains(w, regex=False).fillna(False).to_numpy(dtype=bool)

    if keep.all():
        return events.reset_index(drop=True)
    return events.loc[keep].reset_index(drop=True)


def search_words(text: str | None, *, max_words: int = MAX_SEARCH_WORDS) -> list[str]:
    """The search box's words: lower case, each once, at most `max_words` (each word costs a
    scan of every event's text)."""
    return list(dict.fromkeys(text.lower().split()))[:max_words] if text else []


def filter_options(events: pd.DataFrame) -> dict[str, list[str]]:
    """Values the sidebar offers: attackers, weapons, countries, regions, places (sorted)."""

    def uniq(col: str) -> list[str]:
        return sorted(str(v) for v in events[col].dropna().unique())

    mask = _helper(events, MASK_COL).to_numpy() if len(events) else np.zeros(0, np.int64)
    present = int(np.bitwise_or.reduce(mask)) if len(mask) else 0
    return {
        "attackers": uniq("attacker"),
        "weapons": [w for w in WEAPON_CLASSES if present & WEAPON_BITS[w]],
        "countries": uniq("country_code"),
        "regions": uniq("admin1"),
        "places": uniq("location"),
    }


# --------------------------------------------------------------------------------------------
# Nights
# --------------------------------------------------------------------------------------------

NIGHT_COLUMNS: dict[str, str] = {
    "date": "string",
    "attacker": "string",
    "launched": "Int64",
    "intercepted": "Int64",
    "intercept_rate": "Float64",
    "hit": "Int64",
    "places_hit": "Int64",
    "killed": "Int64",
    "injured": "Int64",
    "national": "boolean",
    "n_events": "Int64",
    "weapons": "object",
    # Per figure: the night's value is a lower bound (a report it rests on said "at least").
    "launched_lower_bound": "boolean",
    "intercepted_lower_bound": "boolean",
    "hit_lower_bound": "boolean",
    "killed_lower_bound": "boolean",
    "injured_lower_bound": "boolean",
}

_CLASS_LABELS: tuple[str, ...] = (*WEAPON_CLASSES, MIXED, UNSPECIFIED)


@dataclass(frozen=True)
class _Nights:
    """The day-precision events of `barrages_per_night`, as numpy arrays (one entry per event).

    ``nid`` numbers the nights 0..G-1 in (date, attacker) order; ``cid`` numbers
    (night, country) pairs, the unit within which duplicate national tallies collapse.
    """

    dates: np.ndarray  # per night
    attackers: np.ndarray  # per night
    nid: np.ndarray
    cid: np.ndarray
    national: np.ndarray  # bool per event
    values: dict[str, np.ndarray]  # float64 with NaN for <NA>, per event
    floors: dict[str, np.ndarray]  # bool per event: the figure is a lower bound
    mask: np.ndarray  # weapon bitmask per event
    place: np.ndarray  # place code per event (-1: no location)

    @property
    def n(self) -> int:
        return len(self.dates)


def _nights(events: pd.DataFrame) -> _Nights:
    prec = events["date_precision"].astype("string")
    day = (prec == "day").fillna(False) & events["date"].notna() & events["attacker"].notna()
    kind = events["kind"].astype("string")
    strike = (kind != "total").fillna(True)
    national = ((events["geo_precision"] == "country") | (kind == "total")).fillna(False)
    keep = (day & (national | strike)).to_numpy(dtype=bool)
    rows = np.flatnonzero(keep)

    needed = ["date", "attacker", "country_code", "location", *COUNT_FIELDS]
    sub = events[needed].iloc[rows] if len(rows) < len(events) else events[needed]
    date_code, date_uniq = pd.factorize(sub["date"], sort=True)
    att_code, att_uniq = pd.factorize(sub["attacker"], sort=True)
    n_att = max(len(att_uniq), 1)
    nid_raw = date_code.astype(np.int64) * n_att + att_code
    night_keys, nid = np.unique(nid_raw, return_inverse=True)  # sorted: date, then attacker
    dates = np.asarray(date_uniq, dtype=object)[night_keys // n_att]
    atts = np.asarray(att_uniq, dtype=object)[night_keys % n_att]

    cc_code, cc_uniq = pd.factorize(sub["country_code"], use_na_sentinel=False)
    n_cc = max(len(cc_uniq), 1)
    _, cid = np.unique(nid.astype(np.int64) * n_cc + cc_code, return_inverse=True)

    loc_code, _ = pd.factorize(sub["location"])  # -1 for <NA>
    _, place = np.unique(loc_code.astype(np.int64) * n_cc + cc_code, return_inverse=True)
    place = np.where(loc_code < 0, -1, place)

    values = {f: sub[f].to_numpy(dtype="float64", na_value=np.nan) for f in COUNT_FIELDS}
    bounds = events["bounds"].to_numpy(dtype=object)[rows] if "bounds" in events else ()
    floors = {
        f: np.fromiter(
            (b is not None and not isinstance(b, float) and f in b for b in bounds),
            dtype=bool,
            count=len(rows),
        )
        if len(bounds)
        else np.zeros(len(rows), dtype=bool)
        for f in COUNT_FIELDS
    }
    mask = _helper(events, MASK_COL).to_numpy()[rows] if len(events) else np.zeros(0, np.int64)
    return _Nights(
        dates=dates,
        attackers=atts,
        nid=nid.astype(np.int64),
        cid=cid.astype(np.int64),
        national=national.to_numpy(dtype=bool)[rows],
        values=values,
        floors=floors,
        mask=mask.astype(np.int64),
        place=place.astype(np.int64),
    )


def _sum_by(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of the non-NaN values per key; NaN where a key has none (pandas' min_count=1)."""
    ok = ~np.isnan(values)
    sums = np.bincount(keys[ok], weights=values[ok], minlength=size)
    counts = np.bincount(keys[ok], minlength=size)
    return np.where(counts > 0, sums, np.nan)


def _max_by(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.full(size, -np.inf)
    ok = ~np.isnan(values)
    np.maximum.at(out, keys[ok], values[ok])
    return np.where(np.isneginf(out), np.nan, out)


def _national_values(nt: _Nights, field: str) -> np.ndarray:
    """Per night: the largest national tally per country, added over countries (NaN if none)."""
    sel = nt.national
    n_c = int(nt.cid.max()) + 1 if len(nt.cid) else 0
    per_country = _max_by(nt.cid[sel], nt.values[field][sel], n_c)
    country_night = np.zeros(n_c, dtype=np.int64)
    country_night[nt.cid] = nt.nid
    return _sum_by(country_night, per_country, nt.n)


def _local_values(nt: _Nights, field: str) -> np.ndarray:
    sel = ~nt.national
    return _sum_by(nt.nid[sel], nt.values[field][sel], nt.n)


def _any_floor(nt: _Nights, field: str, sel: np.ndarray) -> np.ndarray:
    """Per night: whether an event of `sel` gives `field` as a lower bound."""
    hit = sel & nt.floors[field] & ~np.isnan(nt.values[field])
    return np.bincount(nt.nid[hit], minlength=nt.n) > 0


def _to_int64(values: np.ndarray) -> pd.Series:
    na = np.isnan(values)
    data = np.where(na, 0, values).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(data, na))


def barrages_per_night(events: pd.DataFrame) -> pd.DataFrame:
    """One row per night (date, attacker) with the night's figures, by the module's rules.

    Columns: date, attacker, launched, intercepted, intercept_rate (intercepted / launched when
    both are known and launched > 0; not clipped, so inconsistent reports stay visible), hit,
    places_hit, killed, injured, national (a national tally exists), n_events, weapons (the
    classes involved, in `WEAPON_CLASSES` order).

    ``places_hit`` counts the distinct local places (location + country) with an event that
    reports more than interceptions: "17 drones downed over Crimea" is not a place hit, "a
    drone struck a plant in Izhevsk" is.  Sorted by date, then attacker.
    """
    nt = _nights(events)
    if nt.n == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in NIGHT_COLUMNS.items()})
    g = nt.n
    out: dict[str, object] = {"date": nt.dates, "attacker": nt.attackers}
    for field in WEAPON_COUNT_FIELDS:
        nat, loc = _national_values(nt, field), _local_values(nt, field)
        out[field] = _to_int64(np.where(np.isnan(nat), loc, nat))
        floor = np.where(
            np.isnan(nat), _any_floor(nt, field, ~nt.national), _any_floor(nt, field, nt.national)
        )
        out[f"{field}_lower_bound"] = pd.array(floor, dtype="boolean")
    for field in CASUALTY_FIELDS:
        both = np.vstack([_national_values(nt, field), _local_values(nt, field)])
        allnan = np.isnan(both).all(axis=0)
        biggest = np.where(np.isnan(both), -np.inf, both).max(axis=0)
        out[field] = _to_int64(np.where(allnan, np.nan, biggest))
        national_wins = ~np.isnan(both[0]) & (np.isnan(both[1]) | (both[0] > both[1]))
        floor = np.where(
            national_wins,
            _any_floor(nt, field, nt.national),
            _any_floor(nt, field, ~nt.national),
        )
        out[f"{field}_lower_bound"] = pd.array(floor, dtype="boolean")
    launched = out["launched"].to_numpy(dtype="float64", na_value=np.nan)
    intercepted = out["intercepted"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(launched > 0, intercepted / launched, np.nan)
    out["intercept_rate"] = pd.array(rate, dtype="Float64")

    local = ~nt.national
    v = nt.values
    reported = ~(
        np.isnan(v["launched"])
        & np.isnan(v["hit"])
        & np.isnan(v["killed"])
        & np.isnan(v["injured"])
    )
    only_intercepts = ~np.isnan(v["intercepted"]) & ~reported
    sel = local & ~only_intercepts & (nt.place >= 0)
    n_places = max(int(nt.place.max()) + 1, 1)
    pairs = unique_ints(nt.nid[sel] * n_places + nt.place[sel])
    out["places_hit"] = pd.array(np.bincount(pairs // n_places, minlength=g), dtype="Int64")

    out["national"] = pd.array(np.bincount(nt.nid[nt.national], minlength=g) > 0, dtype="boolean")
    out["n_events"] = pd.array(np.bincount(nt.nid, minlength=g), dtype="Int64")
    present = np.column_stack(
        [
            np.bincount(nt.nid, weights=(nt.mask & bit) != 0, minlength=g) > 0
            for bit in WEAPON_BITS.values()
        ]
    )
    out["weapons"] = [[w for j, w in enumerate(WEAPON_CLASSES) if row[j]] for row in present]
    return _conform_cols(pd.DataFrame({c: _plain(out[c]) for c in NIGHT_COLUMNS}), NIGHT_COLUMNS)


def _plain(values: object) -> object:
    return values.array if isinstance(values, pd.Series) else values


def _class_codes(mask: np.ndarray) -> np.ndarray:
    """Index into `_CLASS_LABELS` per event: its single class, "mixed" or "unspecified"."""
    single = (mask & (mask - 1)) == 0
    code = np.where(mask == 0, len(WEAPON_CLASSES) + 1, len(WEAPON_CLASSES))
    ones = single & (mask > 0)
    code[ones] = np.log2(mask[ones]).astype(np.int64)
    return code


def barrages_by_weapon(events: pd.DataFrame) -> pd.DataFrame:
    """Long frame (date, attacker, weapon, launched, intercepted, hit) for stacked charts.

    ``weapon`` is the event's class when it has exactly one, "mixed" for several ("550 drones
    and missiles"), "unspecified" for none.  The same national-versus-local rule as
    `barrages_per_night` applies per night and field (the national tally used is the largest
    of its country, with its class), so for every night the figures of the classes add up to
    the night's figure.  Rows whose three figures are all missing are left out.
    """
    cols = {"date": "string", "attacker": "string", "weapon": "string"} | {
        f: "Int64" for f in WEAPON_COUNT_FIELDS
    }
    nt = _nights(events)
    if nt.n == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    n_cls = len(_CLASS_LABELS)
    cls = _class_codes(nt.mask)
    key_size = nt.n * n_cls
    result = {}
    for field in WEAPON_COUNT_FIELDS:
        vals = nt.values[field]
        has = ~np.isnan(vals)
        # National: per (night, country) the event with the largest value.
        nat_idx = np.flatnonzero(nt.national & has)
        order = nat_idx[np.lexsort((-vals[nat_idx], nt.cid[nat_idx]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = nt.cid[order][1:] != nt.cid[order][:-1]
        chosen = order[first]
        nat_nights = np.zeros(nt.n, dtype=bool)
        nat_nights[nt.nid[chosen]] = True
        loc_idx = np.flatnonzero(~nt.national & has & ~nat_nights[nt.nid])
        use = np.concatenate([chosen, loc_idx])
        result[field] = _sum_by(nt.nid[use] * n_cls + cls[use], vals[use], key_size)
    stacked = np.vstack([result[f] for f in WEAPON_COUNT_FIELDS])
    keys = np.flatnonzero(~np.isnan(stacked).all(axis=0))
    out = {
        "date": nt.dates[keys // n_cls],
        "attacker": nt.attackers[keys // n_cls],
        "weapon": np.asarray(_CLASS_LABELS, dtype=object)[keys % n_cls],
    }
    for field in WEAPON_COUNT_FIELDS:
        out[field] = _plain(_to_int64(result[field][keys]))
    return _conform_cols(pd.DataFrame(out), cols)


# --------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------

MONTH_COLUMNS: dict[str, str] = {
    "month": "string",
    "attacker": "string",
    "reported_launched": "Int64",
    "sum_of_daily_launched": "Int64",
    "reported_intercepted": "Int64",
    "sum_of_daily_intercepted": "Int64",
    "reported_killed": "Int64",
    "sum_of_daily_killed": "Int64",
    "reported_injured": "Int64",
    "sum_of_daily_injured": "Int64",
    "daily_share_launched": "Float64",
    "n_reports": "Int64",
    "n_nights": "Int64",
}


def monthly_totals(events: pd.DataFrame) -> pd.DataFrame:
    """Monthly totals as reported next to the sums of the nights, month x attacker.

    ``reported_*``: the month-precision ``kind == "total"`` events ("Russia launched 5,438
    drones at Ukraine in June"), largest per country, added over countries.  ``sum_of_daily_*``:
    the sum of `barrages_per_night` over the month's nights, so the totals never include the
    reported monthly figure and the two can be compared.  ``daily_share_launched`` =
    sum_of_daily_launched / reported_launched (how much of the reported month the daily
    reports cover).  ``n_reports``: monthly total events; ``n_nights``: nights with events.
    A month shows up when it has either.  ``month`` is "YYYY-MM".
    """
    prec = events["date_precision"].astype("string")
    kind = events["kind"].astype("string")
    is_total = ((prec == "month") & (kind == "total")).fillna(False) & events["date"].notna()
    tot = events.loc[
        is_total.to_numpy(dtype=bool) & events["attacker"].notna().to_numpy(dtype=bool)
    ]
    keys = ["month", "attacker"]

    parts = []
    if not tot.empty:
        tot = tot.assign(
            month=tot["date"].astype("string").str.slice(0, 7), _cc=tot["country_code"].fillna("")
        )
        per_country = tot.groupby([*keys, "_cc"])[
            ["launched", "intercepted", "killed", "injured"]
        ].max()
        rep = per_country.groupby(level=[0, 1]).sum(min_count=1).astype("Int64")
        rep.columns = [f"reported_{c}" for c in rep.columns]
        rep["n_reports"] = tot.groupby(keys).size().astype("Int64")
        parts.append(rep)

    nights = barrages_per_night(events)
    if not nights.empty:
        nights = nights.assign(month=nights["date"].str.slice(0, 7))
        daily = nights.groupby(keys)[["launched", "intercepted", "killed", "injured"]].sum(
            min_count=1
        )
        daily = daily.astype("Int64")
        daily.columns = [f"sum_of_daily_{c}" for c in daily.columns]
        daily["n_nights"] = nights.groupby(keys).size().astype("Int64")
        parts.append(daily)

    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in MONTH_COLUMNS.items()})
    out = pd.concat(parts, axis=1).sort_index().reset_index()
    for c in ("n_reports", "n_nights"):
        if c in out.columns:
            out[c] = out[c].fillna(0)
    rep_l = out.get("reported_launched", pd.Series(pd.NA, index=out.index)).astype("Float64")
    day_l = out.get("sum_of_daily_launched", pd.Series(pd.NA, index=out.index)).astype("Float64")
    out["daily_share_launched"] = (day_l / rep_l).where(rep_l > 0)
    return _conform_cols(out, MONTH_COLUMNS)


# --------------------------------------------------------------------------------------------
# Places and regions
# --------------------------------------------------------------------------------------------

PLACE_COLUMNS: dict[str, str] = {
    "attacker": "string",
    "location": "string",
    "admin1": "string",
    "country_code": "string",
    "geo_precision": "string",
    "lat": "Float64",
    "lon": "Float64",
    "geo_radius_km": "Float64",
    "n_events": "Int64",
    "launched": "Int64",
    "intercepted": "Int64",
    "hit": "Int64",
    "killed": "Int64",
    "injured": "Int64",
    "first_date": "string",
    "last_date": "string",
}

REGION_COLUMNS: dict[str, str] = {
    "attacker": "string",
    "country_code": "string",
    "admin1": "string",
    "n_events": "Int64",
    "n_places": "Int64",
    "launched": "Int64",
    "intercepted": "Int64",
    "hit": "Int64",
    "killed": "Int64",
    "injured": "Int64",
    "first_date": "string",
    "last_date": "string",
}


def is_period_total(events: pd.DataFrame) -> pd.Series:
    """Monthly/yearly tallies: kind "total" at month or year precision (bool per event).

    Day-precision national tallies may carry kind "total" too (the pipeline marks every
    country-level figure so); they are nights' figures, not period totals.
    """
    kind = events["kind"].astype("string") == "total"
    prec = events["date_precision"].astype("string").isin(["month", "year"])
    return (kind & prec).fillna(False).astype(bool)


def _strikes_only(events: pd.DataFrame, *, include_country: bool) -> pd.DataFrame:
    keep = ~is_period_total(events)
    if not include_country:
        keep &= (events["geo_precision"].astype("string") != "country").fillna(True)
    return events.loc[keep.to_numpy(dtype=bool)]


def place_counts(
    events: pd.DataFrame, *, by_attacker: bool = True, include_country: bool = False
) -> pd.DataFrame:
    """Per place (location, admin1, country, precision), for the map and the place chart.

    Monthly/yearly totals are not places; country-level national tallies are left out unless
    ``include_country`` (a country centroid is not a place that was hit).  With
    ``by_attacker`` one row per attacker and place.  Figures are plain sums over the place's
    events (<NA> when none reports the field); ``geo_precision`` and ``geo_radius_km`` are kept
    so the map can draw a region as an area, not a point.  Unlocated events (no lat/lon) form
    their own rows with <NA> coordinates.  Sorted by n_events descending, then location.
    """
    ev = _strikes_only(events, include_country=include_country)
    keys = (["attacker"] if by_attacker else []) + [
        "location",
        "admin1",
        "country_code",
        "geo_precision",
    ]
    cols = {c: t for c, t in PLACE_COLUMNS.items() if by_attacker or c != "attacker"}
    if ev.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    g = ev.groupby(keys, dropna=False, sort=False)
    out = g[["lat", "lon", "geo_radius_km"]].first()
    out["n_events"] = g.size()
    out = out.join(g[list(COUNT_FIELDS)].sum(min_count=1))
    out["first_date"] = g["date"].min()
    out["last_date"] = g["date"].max()
    out = out.reset_index()
    out = _conform_cols(out, cols)
    out = out.sort_values(["n_events", "location"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def region_counts(events: pd.DataFrame, *, by_attacker: bool = True) -> pd.DataFrame:
    """Per region (country, admin1): events, distinct places and summed figures.

    Events with a known admin1 (country-level tallies have none); region-level events
    ("16 drones over the Rostov region") count for their region.  Sorted like `place_counts`.
    """
    ev = _strikes_only(events, include_country=False)
    ev = ev.loc[ev["admin1"].notna().to_numpy(dtype=bool)]
    keys = (["attacker"] if by_attacker else []) + ["country_code", "admin1"]
    cols = {c: t for c, t in REGION_COLUMNS.items() if by_attacker or c != "attacker"}
    if ev.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    g = ev.groupby(keys, dropna=False, sort=False)
    out = pd.DataFrame({"n_events": g.size(), "n_places": g["location"].nunique()})
    out = out.join(g[list(COUNT_FIELDS)].sum(min_count=1))
    out["first_date"] = g["date"].min()
    out["last_date"] = g["date"].max()
    out = _conform_cols(out.reset_index(), cols)
    out = out.sort_values(["n_events", "admin1"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def weapon_counts(events: pd.DataFrame, *, by_attacker: bool = True) -> pd.DataFrame:
    """Events per weapon class (an event with drones and missiles counts for both)."""
    cols = ({"attacker": "string"} if by_attacker else {}) | {
        "weapon": "string",
        "n_events": "Int64",
    }
    mask = _helper(events, MASK_COL).to_numpy() if len(events) else np.zeros(0, np.int64)
    rows = []
    for w, bit in WEAPON_BITS.items():
        hit = (mask & bit) != 0
        if not hit.any():
            continue
        if by_attacker:
            counts = events.loc[hit, "attacker"].value_counts(dropna=False)
            rows += [{"attacker": a, "weapon": w, "n_events": int(n)} for a, n in counts.items()]
        else:
            rows.append({"weapon": w, "n_events": int(hit.sum())})
    return _conform_cols(pd.DataFrame(rows, columns=list(cols)), cols)


def _conform_cols(df: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    out = {}
    for c, t in cols.items():
        s = df[c] if c in df.columns else pd.Series([None] * len(df), index=df.index)
        out[c] = s.astype("object") if t == "object" else s.astype(t)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Tallies, undated events, the default date range
# --------------------------------------------------------------------------------------------

TALLY_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "date": "string",
    "date_precision": "string",
    "attacker": "string",
    "country_code": "string",
    "launched": "Int64",
    "intercepted": "Int64",
    "killed": "Int64",
    "injured": "Int64",
}


def is_tally(events: pd.DataFrame) -> pd.Series:
    """National tallies and monthly/yearly totals: country-level figures or kind "total"
    (bool per event).  They are counts over a whole country, not places that were hit."""
    country = (events["geo_precision"].astype("string") == "country").fillna(False)
    total = (events["kind"].astype("string") == "total").fillna(False)
    return (country | total).astype(bool)


def tallies(events: pd.DataFrame) -> pd.DataFrame:
    """The tallies among ``events`` (`is_tally`), latest first: what the map lists beside the
    places hit instead of shading whole countries."""
    sub = events.loc[is_tally(events).to_numpy(dtype=bool)]
    out = _conform_cols(sub, TALLY_COLUMNS)
    return out.sort_values(
        ["date", "attacker"], ascending=[False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)


def split_undated(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(dated, undated) rows of ``events``: an event without a date has no night, month or
    place on a timeline, so the pages list it apart instead of dropping or mixing it in."""
    undated = events["date"].isna().to_numpy(dtype=bool)
    return (
        events.loc[~undated].reset_index(drop=True),
        events.loc[undated].reset_index(drop=True),
    )


def dense_date_range(
    dates: pd.Series, *, outlier_share: float = 0.05, gap_days: int = 90
) -> tuple[str, str] | None:
    """The default date range: the span of the dated events less stray reports at either end.

    Events at the start (or end) are left out when they are at most ``outlier_share`` of all
    dated events and separated from the rest by more than ``gap_days`` without any event; a
    single report from 2022 does not pull a 2024-2025 range back by two years, while data
    without such a gap keeps its whole span.  ISO days (month-precision dates count from their
    first day); None when nothing is dated.
    """
    days = pd.to_datetime(dates.dropna().astype("string").str.slice(0, 10), errors="coerce")
    days = days.dropna().sort_values().to_numpy()
    n = len(days)
    if n == 0:
        return None
    limit = int(np.floor(n * outlier_share))
    gap = np.timedelta64(gap_days, "D")
    steps = np.diff(days)
    lo, hi = 0, n - 1
    # The innermost qualifying gap among the first (last) `limit` events sets the cut.
    for i in range(min(limit, n - 1)):
        if steps[i] > gap:
            lo = i + 1
        if steps[n - 2 - i] > gap:
            hi = n - 2 - i
    if hi < lo:
        lo, hi = 0, n - 1
    fmt = lambda d: str(np.datetime_as_string(d, unit="D"))  # noqa: E731
    return fmt(days[lo]), fmt(days[hi])


# --------------------------------------------------------------------------------------------
# Weapon models
# --------------------------------------------------------------------------------------------

MODEL_FAMILIES: tuple[tuple[str, str], ...] = (
    ("Shahed/Geran", r"shahed|geran"),
    ("Decoy drones", r"decoy|gerbera|parodiya"),
    ("Kh-101/Kh-555", r"kh-?\s?101|kh-?\s?555|kh-?\s?55\b"),
    ("Kalibr", r"kalibr"),
    ("Iskander", r"iskander"),
    ("Kinzhal", r"kinzhal"),
    ("KAB glide bombs", r"\bkab\b|\bkab-|glide bomb"),
)
"""Model families the articles name, with the patterns (case-insensitive) that name them."""

_FAMILY_RES = tuple((label, re.compile(p, re.IGNORECASE)) for label, p in MODEL_FAMILIES)

MODEL_COLUMNS: dict[str, str] = {
    "model": "string",
    "attacker": "string",
    "n_events": "Int64",
    "n_nights": "Int64",
    "launched": "Int64",
    "intercepted": "Int64",
    "intercept_rate": "Float64",
    "rate_events": "Int64",
}


def model_families(models: object) -> list[str]:
    """The `MODEL_FAMILIES` an event's ``weapon_models`` name, in the families' order."""
    if not isinstance(models, list | tuple | np.ndarray) or len(models) == 0:
        return []
    text = " | ".join(str(m) for m in models)
    return [label for label, rx in _FAMILY_RES if rx.search(text)]


def model_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Per weapon-model family and attacker: how many events name it and, over the events that
    name only that family (so their figures are that model's), launched, intercepted and the
    intercept rate (intercepted / launched over the ``rate_events`` events reporting both).
    Events naming several families count for each in ``n_events`` only."""
    if events.empty or "weapon_models" not in events.columns:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in MODEL_COLUMNS.items()})
    fams = [model_families(m) for m in events["weapon_models"].array]
    rows = []
    for i, fs in enumerate(fams):
        for f in fs:
            rows.append((f, i, len(fs) == 1))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in MODEL_COLUMNS.items()})
    idx = np.array([r[1] for r in rows])
    long = pd.DataFrame(
        {
            "model": [r[0] for r in rows],
            "only": [r[2] for r in rows],
            "attacker": events["attacker"].astype("string").fillna("unknown").to_numpy()[idx],
            "date": events["date"].astype("string").to_numpy()[idx],
            "launched": events["launched"]
            .astype("Float64")
            .to_numpy(np.float64, na_value=np.nan)[idx],
            "intercepted": events["intercepted"]
            .astype("Float64")
            .to_numpy(np.float64, na_value=np.nan)[idx],
        }
    )
    out = []
    order = {label: k for k, (label, _) in enumerate(MODEL_FAMILIES)}
    for (model, attacker), g in long.groupby(["model", "attacker"], sort=False):
        own = g[g["only"]]
        both = own[own["launched"].notna() & own["intercepted"].notna() & (own["launched"] > 0)]
        launched = own["launched"].sum(min_count=1)
        intercepted = own["intercepted"].sum(min_count=1)
        rate = both["intercepted"].sum() / both["launched"].sum() if len(both) else np.nan
        out.append(
            {
                "model": model,
                "attacker": attacker,
                "n_events": len(g),
                "n_nights": g["date"].nunique(),
                "launched": launched,
                "intercepted": intercepted,
                "intercept_rate": rate,
                "rate_events": len(both),
                "_order": order[model],
            }
        )
    df = pd.DataFrame(out).sort_values(["_order", "attacker"], kind="stable")
    return _conform_cols(df, MODEL_COLUMNS)


BIN_RULES: tuple[tuple[int, str, str], ...] = (
    (180, "D", "night"),
    (730, "W", "week"),
    (10**9, "M", "month"),
)
"""(longest span in days, bin, label): nights up to ~6 months, weeks up to 2 years, then
months, so a long range is not a barcode of 1-px bars."""


def bin_for_span(first: str | None, last: str | None) -> tuple[str, str]:
    """The (bin, label) for a range of nights from ``first`` to ``last`` (ISO days)."""
    if not first or not last:
        return "D", "night"
    days = (_dt.date.fromisoformat(last[:10]) - _dt.date.fromisoformat(first[:10])).days
    for limit, code, label in BIN_RULES:
        if days <= limit:
            return code, label
    return "M", "month"  # pragma: no cover - the last rule has no limit


def bin_nights(by_weapon: pd.DataFrame, code: str) -> pd.DataFrame:
    """`barrages_by_weapon` rows summed per bin ("D": unchanged, "W": weeks from Monday, "M":
    calendar months); ``date`` becomes the bin's first day and ``date_end`` its last, and
    ``n_nights`` counts the nights with a report in the bin (per attacker and weapon)."""
    df = by_weapon.copy()
    day = pd.to_datetime(df["date"].astype("string"), errors="coerce")
    if code == "D":
        start, end = day, day
    elif code == "W":
        start = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
        end = start + pd.Timedelta(days=6)
    else:
        start = day.dt.to_period("M").dt.start_time
        end = day.dt.to_period("M").dt.end_time.dt.normalize()
    df["date"] = start.dt.strftime("%Y-%m-%d").astype("string")
    df["date_end"] = end.dt.strftime("%Y-%m-%d").astype("string")
    df["n_nights"] = 1
    keys = ["date", "date_end", "attacker", "weapon"]
    sums = df.groupby(keys, sort=True, dropna=False)[list(WEAPON_COUNT_FIELDS)].sum(min_count=1)
    sums["n_nights"] = df.groupby(keys, sort=True, dropna=False)["n_nights"].sum()
    return sums.reset_index()


def rolling_launched(nights: pd.DataFrame, *, days: int = 7) -> pd.DataFrame:
    """Per attacker, the mean launched per reported night over the last ``days`` calendar days
    (nights without a launched figure do not count as zero).  Columns: date, attacker, value."""
    df = nights.loc[
        nights["launched"].notna().to_numpy(dtype=bool), ["date", "attacker", "launched"]
    ]
    if df.empty:
        return pd.DataFrame({"date": [], "attacker": [], "value": []})
    out = []
    for attacker, g in df.groupby("attacker", sort=True):
        s = pd.Series(
            g["launched"].astype("float64").to_numpy(),
            index=pd.to_datetime(g["date"].astype("string")),
        ).sort_index()
        r = s.rolling(f"{days}D").mean()
        out.append(
            pd.DataFrame(
                {"date": r.index.strftime("%Y-%m-%d"), "attacker": attacker, "value": r.to_numpy()}
            )
        )
    return pd.concat(out, ignore_index=True)
