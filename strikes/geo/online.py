"""The online fallback: places the offline gazetteer cannot resolve, asked of Nominatim.

Off by default (``STRIKES_ONLINE_GEOCODING``; the product works offline).  With it on, two kinds
of mention go to geopy's Nominatim: a region phrase the gazetteer lacks ("the Zxq region") and a
capitalised name it lacks written where a place goes ("drones hit Novo-Bludovka", "the village
of Bludovka").  Requests go through geopy's RateLimiter and every answer (a miss too) is cached
on disk under ``settings.cache_dir``, so a name is asked for once.  ``STRIKES_NOMINATIM_DOMAIN``
and ``STRIKES_NOMINATIM_SCHEME`` point it at a self-hosted Nominatim.  A place found this way is
marked ``geo_source = "nominatim"`` in claims, events and exports (``"gazetteer"`` otherwise).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geopy.geocoders import Nominatim

from strikes.errors import GeocodeError
from strikes.geo import aliases as A
from strikes.geo.gazetteer import Gazetteer, Place, normalize
from strikes.geo.geocode import (
    _PLACE_PREPS,
    CachedOnlineGeocoder,
    PlaceMention,
    _person_or_org,
    _prev_token,
    _scanner,
)
from strikes.settings import Settings

__all__ = ["OnlinePlaces", "unknown_place_names"]

log = logging.getLogger(__name__)

# A capitalised name, hyphenated parts allowed ("Novo-Bludovka", "Velyka Pysarivka" is two).
_NAME_RE = re.compile(r"[A-Z][^\W\d_]{2,}(?:-[^\W\d_]+)*")


def unknown_place_names(
    text: str, mentions: Sequence[PlaceMention], *, gazetteer: Gazetteer
) -> list[tuple[int, int]]:
    """Spans of capitalised names the gazetteer does not know, written after a word that
    introduces a place ("in", "at", "near", "village", "struck", ...) and outside every
    mention found already; common words and people's or organisations' names are left out."""
    sc = _scanner(gazetteer)
    taken = [(m.start, m.end) for m in mentions]
    out: list[tuple[int, int]] = []
    for m in _NAME_RE.finditer(text):
        s, e = m.span()
        if any(a < e and s < b for a, b in taken):
            continue
        prev = _prev_token(text, s)
        if prev is None or prev.lower() not in _PLACE_PREPS:
            continue
        name = m.group()
        key = normalize(name)
        if key in sc.common or key in A.NOT_PLACES or gazetteer.lookup(name):
            continue
        if _person_or_org(text, s, e, "unknown", key, gazetteer, sc):
            continue
        out.append((s, e))
    return out


def _place(d: dict[str, Any]) -> Place:
    """A `Place` of a Nominatim result dict (see `geocode._nominatim_dict`)."""
    return Place(
        geonameid=None,
        name=str(d.get("name") or ""),
        admin1=d.get("admin1") or None,
        country_code=str(d.get("country_code") or ""),
        lat=float(d["lat"]),
        lon=float(d["lon"]),
        geo_precision=str(d.get("geo_precision") or "city"),
        population=int(d.get("population") or 0),
        radius_km=float(d.get("radius_km") or 1.0),
        source="nominatim",
    )


class OnlinePlaces:
    """Nominatim (or any geopy geocoder given) behind the disk cache, by place name."""

    def __init__(self, *, settings: Settings, geocoder: Any = None) -> None:
        if geocoder is None:
            geocoder = Nominatim(
                user_agent=settings.nominatim_user_agent,
                domain=settings.nominatim_domain,
                scheme=settings.nominatim_scheme,
                timeout=10,
            )
        self.cached = CachedOnlineGeocoder(
            geocoder,
            cache_dir=Path(settings.cache_dir) / "geocode",
            min_delay_s=settings.nominatim_min_delay_s,
            writable=not settings.read_only,
        )
        self._memo: dict[str, Place | None] = {}

    def place(self, name: str) -> Place | None:
        """The best Nominatim answer for `name`, or None (none, or the service failed)."""
        key = normalize(name)
        if key in self._memo:
            return self._memo[key]
        try:
            results = self.cached.lookup(name)
        except GeocodeError as exc:
            # The place stays unresolved, as offline; it is asked again next time.
            log.warning("strikes: %s", exc)
            return None
        found = _place(results[0]) if results else None
        self._memo[key] = found
        return found

    def complete(
        self, text: str, mentions: list[PlaceMention], *, gazetteer: Gazetteer
    ) -> list[PlaceMention]:
        """`mentions` with the unresolved ones and the unknown names resolved online."""
        out: list[PlaceMention] = []
        changed = False
        for m in mentions:
            if m.candidates:
                out.append(m)
                continue
            place = self.place(m.text)
            if place is None:
                out.append(m)
            else:
                out.append(PlaceMention(m.start, m.end, m.text, place.geo_precision, (place,)))
                changed = True
        for s, e in unknown_place_names(text, mentions, gazetteer=gazetteer):
            place = self.place(text[s:e])
            if place is not None:
                out.append(PlaceMention(s, e, text[s:e], place.geo_precision, (place,)))
                changed = True
        if changed:
            out.sort(key=lambda m: m.start)
        return out
