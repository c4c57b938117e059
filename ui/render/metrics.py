"""Headline figures of a (filtered) events frame, by the timeline's counting rules (pure).

One set of figures per attacker: Russia's barrages and Ukraine's are never added together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from strikes.views import barrages_per_night


@dataclass(frozen=True)
class Headline:
    attacker: str  # the attacker these figures are of
    barrages: int  # nights (date, attacker) with at least one day-precision event
    launched: int | None  # None: no night reports the figure
    intercepted: int | None
    intercept_rate: float | None  # over the nights that report both figures
    rate_nights: int
    killed: int | None
    injured: int | None
    places_hit: int  # distinct local places (not national tallies, not interceptions only)
    events: int
    # Figures that are lower bounds: a night they add up rests on an "at least" report.
    floors: frozenset[str] = frozenset()


def _total(s: pd.Series) -> int | None:
    s = s.dropna()
    return None if s.empty else int(s.sum())


def places_hit(events: pd.DataFrame) -> int:
    """Distinct places (location + country) of local strike events that report more than
    interceptions: "17 drones downed over Crimea" is not a place hit."""
    if events.empty:
        return 0
    kind = events["kind"].astype("string")
    prec = events["geo_precision"].astype("string")
    local = ((kind != "total").fillna(True) & (prec != "country").fillna(True)).to_numpy(bool)
    reported = np.zeros(len(events), dtype=bool)
    for f in ("launched", "hit", "killed", "injured"):
        reported |= events[f].notna().to_numpy(bool)
    only_intercepts = events["intercepted"].notna().to_numpy(bool) & ~reported
    # An event with no figures at all ("a drone hit Orsk") is still a place hit.
    keep = local & ~only_intercepts & events["location"].notna().to_numpy(bool)
    sel = events.loc[keep, ["location", "country_code"]].astype("string").fillna("")
    return len(sel.drop_duplicates())


def _floors(nights: pd.DataFrame, rows: np.ndarray | None = None) -> frozenset[str]:
    out = set()
    for f in ("launched", "intercepted", "killed", "injured"):
        col = f"{f}_lower_bound"
        if col in nights:
            flags = nights[col].fillna(False).to_numpy(bool)
            if (flags if rows is None else flags[rows]).any():
                out.add(f)
    return frozenset(out)


def headline(events: pd.DataFrame, attacker: str) -> Headline:
    """The figures of `attacker`'s events among `events`."""
    att = events["attacker"].astype("string")
    events = events[(att == attacker).fillna(False).to_numpy(bool)]
    nights = barrages_per_night(events)
    both = nights["launched"].notna() & nights["intercepted"].notna() & (nights["launched"] > 0)
    both = both.fillna(False).to_numpy(bool)
    rate = None
    if both.any():
        lsum = float(nights.loc[both, "launched"].sum())
        rate = float(nights.loc[both, "intercepted"].sum()) / lsum if lsum else None
    return Headline(
        attacker=attacker,
        barrages=len(nights),
        launched=_total(nights["launched"]),
        intercepted=_total(nights["intercepted"]),
        intercept_rate=rate,
        rate_nights=int(both.sum()),
        killed=_total(nights["killed"]),
        injured=_total(nights["injured"]),
        places_hit=places_hit(events),
        events=len(events),
        floors=_floors(nights),
    )


def headlines(events: pd.DataFrame) -> tuple[Headline, ...]:
    """One `Headline` per attacker of `events`, the attacker with the most events first
    (events without an attacker have no side and no card)."""
    att = events["attacker"].astype("string").dropna()
    order = att.value_counts(sort=False).reset_index()
    order.columns = ["attacker", "n"]
    order = order.sort_values(["n", "attacker"], ascending=[False, True])
    return tuple(headline(events, a) for a in order["attacker"].tolist())
