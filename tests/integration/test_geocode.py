"""Place finding, resolution, the toponym table and the geopy interface (no network)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import ClassVar

import pytest
from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

import strikes.geo.geocode as geocode_mod
from strikes.errors import GeocodeError
from strikes.geo.gazetteer import Gazetteer
from strikes.geo.geocode import (
    FallbackGeocoder,
    GeoContext,
    OfflineGeocoder,
    PlaceMention,
    find_places,
    make_geocoder,
    resolve,
)
from strikes.settings import PROJECT_ROOT, Settings

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "toponyms.json").read_text("utf-8")
)
RESOLUTION_KEYS = {
    "geonameid",
    "name",
    "admin1",
    "country_code",
    "lat",
    "lon",
    "geo_precision",
    "radius_km",
}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def places(text: str, gaz: Gazetteer) -> list[tuple[str, str]]:
    return [(m.text, m.kind) for m in find_places(text, gazetteer=gaz)]


# --- the toponym table ----------------------------------------------------------------------


def test_toponym_table_covers_the_domain():
    names = {c["name"] for c in CASES}
    assert len(CASES) >= 100
    assert sum(1 for c in CASES if c.get("expect", 1) is None) >= 20
    for n in (
        "Pokrovsk",
        "Chasiv Yar",
        "Kupiansk",
        "Huliaipole",
        "Tuapse",
        "Afipsky",
        "Ust-Luga",
        "Zaporizhzia",
        "Kramatorks",
        "Kim",
    ):
        assert n in names


def _case_id(case: dict) -> str:
    tag = "trap" if case.get("expect", 1) is None else case["precision"]
    return f"{tag}:{case['name']}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_toponym(case, gaz):
    name = case["name"]
    sentence = case.get("sentence") or f"Officials said drones struck {name} overnight."
    i = sentence.index(name)
    hits = [
        m for m in find_places(sentence, gazetteer=gaz) if m.start < i + len(name) and i < m.end
    ]
    if case.get("expect", 1) is None:
        assert hits == [], f"{name!r} is not a place in {sentence!r}"
        return
    assert len(hits) == 1, hits
    ctx = GeoContext(country_codes=tuple(case.get("context", ())))
    p = resolve(hits[0], context=ctx, gazetteer=gaz)
    assert p is not None
    assert (p.country_code, p.geo_precision) == (case["country"], case["precision"]), p
    if "lat" in case:
        tolerance = 25 if case["precision"] == "city" else 200
        assert gaz.distance_km(p, (case["lat"], case["lon"])) <= tolerance, p
    if "display" in case:
        assert p.name == case["display"]
    # the geopy interface agrees on the bare name
    loc = OfflineGeocoder(gazetteer=gaz).geocode(name)
    assert loc is not None
    assert (loc.raw["country_code"], loc.raw["geo_precision"]) == (
        case["country"],
        case["precision"],
    )


# --- find_places on wire phrasing -----------------------------------------------------------


def test_possessive_country_and_region_phrase(gaz):
    s = (
        "Early on Sunday, Ukrainian drones injured two civilians in Russia's Belgorod region "
        "near the border, its Gov. Vyacheslav Gladkov said Sunday."
    )
    ms = find_places(s, gazetteer=gaz)
    assert [(m.text, m.kind) for m in ms] == [("Russia", "country"), ("Belgorod region", "region")]
    assert all(s[m.start : m.end] == m.text for m in ms)
    region = resolve(ms[1], context=GeoContext(country_codes=("RU",)), gazetteer=gaz)
    assert region.name == "Belgorod Oblast" and region.geo_precision == "region"
    assert gaz.distance_km(region, (50.71, 37.38)) <= 200


def test_per_region_breakdown(gaz):
    s = (
        "Russia's Defense Ministry said that 60 Ukrainian drones were downed overnight over "
        "several regions, including 17 over Crimea, 16 over the Rostov region and four over "
        "the Saratov region."
    )
    ms = find_places(s, gazetteer=gaz)
    assert [(m.text, m.kind) for m in ms] == [
        ("Russia", "country"),
        ("Crimea", "region"),
        ("the Rostov region", "region"),
        ("the Saratov region", "region"),
    ]
    got = [resolve(m, gazetteer=gaz) for m in ms[1:]]
    assert [(p.name, p.country_code) for p in got] == [
        ("Crimea", "UA"),
        ("Rostov Oblast", "RU"),
        ("Saratov Oblast", "RU"),
    ]


def test_governor_name_is_not_a_place(gaz):
    s = (
        "A Russian attack involving Shahed drones also targeted port infrastructure in "
        "Mykolaiv in central Ukraine, according to local Gov. Vitaliy Kim."
    )
    assert places(s, gaz) == [("Mykolaiv", "city"), ("Ukraine", "country")]


def test_moscow_time_and_possessive_airport(gaz):
    s = "Russian air defenses shot down 39 more drones before 2 p.m. Moscow time on Sunday."
    assert places(s, gaz) == []
    s = "The disruptions hit Moscow's Sheremetyevo and St. Petersburg's main Pulkovo airports."
    ms = find_places(s, gazetteer=gaz)
    assert ms[0].text == "Moscow" and ms[0].kind == "city"
    assert ms[1].text == "St. Petersburg" and resolve(ms[1], gazetteer=gaz).name == (
        "Saint Petersburg"
    )


def test_person_names_and_titles(gaz):
    for s in (
        "Trump has repeatedly indicated his willingness to reengage with North Korean leader "
        "Kim Jong Un.",
        "U.S. special envoy retired Lt. Gen. Keith Kellogg rebuked Russia.",
        "Trump said his call with Russian President Vladimir Putin left him disappointed.",
        "The forum was attended by U.S. Secretary of State Marco Rubio and Sergey Lavrov.",
        "Alexander Brechalov and Gov. Vyacheslav Gladkov said Zelenskyy and Putin spoke.",
    ):
        kinds = {k for _t, k in places(s, gaz)}
        texts = {t for t, _k in places(s, gaz)}
        assert kinds <= {"country"}, (s, texts)
    # a given name that is a big city is still the city on its own
    s = "A drone hit a plant in Vladimir, east of Moscow."
    assert places(s, gaz) == [("Vladimir", "city"), ("Moscow", "city")]


def test_institutions_and_features_are_not_places(gaz):
    assert places("according to Germany's Kiel Institute.", gaz) == [("Germany", "country")]
    assert places("The Kyiv Independent and the Washington Post reported it.", gaz) == []
    assert places("the Minsk agreements", gaz) == []
    assert places("A ship was hit in the Sea of Azov and along the Dnipro River.", gaz) == []


def test_common_words_are_not_places(gaz):
    s = (
        "Many residents lost power. Energy facilities were hit. Mobile fire groups worked. "
        "Hope remains. Time is short. Between March and April, Sunday was quiet."
    )
    assert places(s, gaz) == []
    # ... unless curated and in a place-like context
    assert places("Drones hit the town of Bar in Vinnytsia region.", gaz) == [
        ("Bar", "city"),
        ("Vinnytsia region", "region"),
    ]


def test_izhevsk_udmurtia_orsk(gaz):
    s = (
        "Meanwhile, a Ukrainian drone hit an industrial plant in Izhevsk, about 1,000 kilometers "
        "(620 miles) east of Moscow, injuring several people and starting a fire, Alexander "
        "Brechalov, head of the Udmurtia region, said."
    )
    assert places(s, gaz) == [
        ("Izhevsk", "city"),
        ("Moscow", "city"),
        ("the Udmurtia region", "region"),
    ]
    ms = find_places("a radar in the Russian city of Orsk, Kyiv officials claimed", gazetteer=gaz)
    assert [
        (resolve(m, gazetteer=gaz).name, resolve(m, gazetteer=gaz).country_code) for m in ms
    ] == [
        ("Orsk", "RU"),
        ("Kyiv", "UA"),
    ]


def test_misspelling_gets_a_fuzzy_match(gaz):
    s = "Four Russian Shahed drones struck the southern Ukraine city of Zaporizhzia overnight."
    ms = find_places(s, gazetteer=gaz)
    assert ms[-1].text == "Zaporizhzia"
    assert resolve(ms[-1], gazetteer=gaz).name == "Zaporizhzhia"
    ms = find_places("Explosions in Kramatorks and Mikolaiv were reported.", gazetteer=gaz)
    assert [resolve(m, gazetteer=gaz).name for m in ms] == ["Kramatorsk", "Mykolaiv"]
    assert places("Outmanned and outgunned, Zelenskyy's army held.", gaz) == []


def test_kyiv_city_versus_region(gaz):
    assert places("Explosions in Kyiv overnight.", gaz) == [("Kyiv", "city")]
    assert places("Explosions in the Kyiv region overnight.", gaz) == [
        ("the Kyiv region", "region")
    ]
    assert places("Kyiv Oblast and Kharkiv oblast", gaz) == [
        ("Kyiv Oblast", "region"),
        ("Kharkiv oblast", "region"),
    ]
    assert places("KYIV, Ukraine (AP) —", gaz) == [("KYIV", "city"), ("Ukraine", "country")]
    assert places("in kyiv and odesa", gaz) == []  # lowercase is not a name


def test_plural_regions_and_lists(gaz):
    s = (
        "Drones were downed over Russia's Kursk and Belgorod regions and the Kharkiv, Sumy "
        "and Chernihiv oblasts."
    )
    got = [(m.text, m.kind) for m in find_places(s, gazetteer=gaz)]
    assert got == [
        ("Russia", "country"),
        ("Kursk", "region"),
        ("Belgorod", "region"),
        ("Kharkiv", "region"),
        ("Sumy", "region"),
        ("Chernihiv", "region"),
    ]


def test_region_phrases(gaz):
    s = "Drones hit the Republic of Tatarstan, the Donbas, Krasnodar Krai and the Dnipro region."
    ms = find_places(s, gazetteer=gaz)
    assert [(m.text, resolve(m, gazetteer=gaz).name) for m in ms] == [
        ("the Republic of Tatarstan", "Tatarstan"),
        ("the Donbas", "Donbas"),
        ("Krasnodar Krai", "Krasnodar Krai"),
        ("the Dnipro region", "Dnipropetrovsk Oblast"),
    ]
    (m,) = find_places("Debris fell in the Foobarskaya region.", gazetteer=gaz)
    assert (m.text, m.kind, m.candidates) == ("the Foobarskaya region", "unknown", ())
    assert resolve(m, gazetteer=gaz) is None


def test_offsets_and_order_on_the_seeds(gaz):
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        ms = find_places(text, gazetteer=gaz)
        assert ms, path
        last_end = 0
        for m in ms:
            assert text[m.start : m.end] == m.text
            assert m.start >= last_end
            assert m.kind in ("city", "region", "country", "unknown")
            last_end = m.end


@hyp_settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("Kyiv Odesa Crimea'’s-., \nÜİßłRostov region")), max_size=80
    )
)
def test_offsets_hold_on_any_text(text):
    gaz = Gazetteer.load()
    last_end = 0
    for m in find_places(text, gazetteer=gaz):
        assert text[m.start : m.end] == m.text and m.start >= last_end
        last_end = m.end


def test_find_places_is_fast_after_warm_up(gaz):
    text = (PROJECT_ROOT / "seeds" / "004_e2fdbd50f6a7e981.txt").read_text(encoding="utf-8")
    find_places(text, gazetteer=gaz)
    t = time.perf_counter()
    for _ in range(10):
        find_places(text, gazetteer=gaz)
    per_article = (time.perf_counter() - t) / 10
    assert per_article < 0.05  # loose: the benchmark measures the real figure (~0.5 ms)


# --- resolution with context ----------------------------------------------------------------


def _mention(name: str, gaz: Gazetteer) -> PlaceMention:
    (m,) = find_places(f"Drones struck {name} overnight.", gazetteer=gaz)
    return m


def test_context_country_does_not_override_a_big_city(gaz):
    for cc in ("US", "RU"):
        ctx = GeoContext(country_codes=(cc,))
        assert resolve(_mention("Odesa", gaz), context=ctx, gazetteer=gaz).country_code == "UA"
        assert resolve(_mention("Donetsk", gaz), context=ctx, gazetteer=gaz).country_code == "UA"


def test_nearby_places_disambiguate(gaz):
    primorsk = _mention("Primorsk", gaz)
    assert resolve(primorsk, gazetteer=gaz).admin1 == "Leningrad Oblast"
    near = GeoContext(near=(gaz.region("Volgograd region"),))
    assert resolve(primorsk, context=near, gazetteer=gaz).admin1 == "Volgograd Oblast"
    lyman = _mention("Lyman", gaz)
    assert resolve(lyman, gazetteer=gaz).admin1 == "Donetsk Oblast"
    near = GeoContext(near=(gaz.region("Kharkiv region"),))
    assert resolve(lyman, context=near, gazetteer=gaz).admin1 == "Kharkiv Oblast"


def test_resolve_keeps_the_mention_kind(gaz):
    city = resolve(_mention("Kyiv", gaz), gazetteer=gaz)
    assert city.geo_precision == "city"
    ctx = GeoContext(near=(gaz.region("Kyiv region"),))
    assert resolve(_mention("Kyiv", gaz), context=ctx, gazetteer=gaz).geo_precision == "city"
    empty = PlaceMention(0, 3, "Foo", "unknown", ())
    assert resolve(empty, gazetteer=gaz) is None


# --- the geopy interface --------------------------------------------------------------------


def test_offline_geocoder_is_a_geopy_geocoder(gaz):
    geo = OfflineGeocoder(gazetteer=gaz)
    assert isinstance(geo, Geocoder)
    loc = geo.geocode("Kharkiv")
    assert isinstance(loc, Location)
    assert (round(loc.latitude, 2), round(loc.longitude, 2)) == (49.98, 36.25)
    assert set(loc.raw) >= RESOLUTION_KEYS
    assert loc.raw["source"] == "gazetteer"
    assert "Kharkiv Oblast" in loc.address and "Ukraine" in loc.address
    assert geo.geocode("Rostov region").raw["geo_precision"] == "region"
    assert geo.geocode("Ukraine").raw["geo_precision"] == "country"
    assert geo.geocode("Nowhereville-upon-Nothing") is None


def test_offline_geocoder_qualifiers_and_lists(gaz):
    geo = OfflineGeocoder(gazetteer=gaz)
    assert geo.geocode("Odessa").raw["country_code"] == "UA"
    assert geo.geocode("Odessa, Texas").raw["country_code"] == "US"
    assert geo.geocode("Odessa, United States").raw["country_code"] == "US"
    assert geo.geocode("Lyman, Kharkiv Oblast").raw["admin1"] == "Kharkiv Oblast"
    many = geo.geocode("Kyiv", exactly_one=False)
    assert isinstance(many, list) and many[0].raw["geo_precision"] == "city"
    assert geo.geocode("Zaporizhzia").raw["name"] == "Zaporizhzhia"  # fuzzy


class FakeNominatim:
    """Stands in for geopy's Nominatim: records calls, never touches the network."""

    instances: ClassVar[list[FakeNominatim]] = []

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: int = 10,
        fail: bool = False,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
    ) -> None:
        self.user_agent = user_agent
        self.domain, self.scheme = domain, scheme
        self.calls: list[str] = []
        self.fail = fail
        FakeNominatim.instances.append(self)

    def geocode(self, query, *, exactly_one=True, addressdetails=False, language=None):
        self.calls.append(query)
        if self.fail:
            raise GeocoderServiceError("service down")
        if "Pulkovo" not in query:
            return None
        raw = {
            "name": "Pulkovo Airport",
            "lat": "59.8003",
            "lon": "30.2625",
            "addresstype": "aeroway",
            "boundingbox": ["59.78", "59.82", "30.22", "30.30"],
            "address": {"state": "Saint Petersburg", "country_code": "ru"},
            "osm_id": 1,
        }
        loc = Location("Pulkovo Airport, Saint Petersburg, Russia", (59.8003, 30.2625), raw)
        return loc if exactly_one else [loc]


def test_online_fallback_is_off_by_default(gaz, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("Nominatim must not be created when online geocoding is off")

    monkeypatch.setattr(geocode_mod, "Nominatim", boom)
    geo = make_geocoder(settings=Settings(), gazetteer=gaz)
    assert isinstance(geo, OfflineGeocoder)
    assert geo.geocode("Pulkovo Airport, Nowhere") is None


def test_online_fallback_with_cache(gaz, monkeypatch, tmp_path):
    FakeNominatim.instances.clear()
    monkeypatch.setattr(geocode_mod, "Nominatim", FakeNominatim)
    settings = Settings(online_geocoding=True, cache_dir=tmp_path, nominatim_min_delay_s=0.0)
    geo = make_geocoder(settings=settings, gazetteer=gaz)
    assert isinstance(geo, FallbackGeocoder) and isinstance(geo, Geocoder)
    fake = FakeNominatim.instances[-1]
    assert fake.user_agent == settings.nominatim_user_agent

    assert geo.geocode("Kharkiv").raw["source"] == "gazetteer"
    assert fake.calls == []  # the gazetteer knew it

    loc = geo.geocode("Pulkovo Airport, Saint Petersburg")
    assert loc.raw["source"] == "nominatim"
    assert loc.raw["country_code"] == "RU" and loc.raw["geo_precision"] == "city"
    assert set(loc.raw) >= RESOLUTION_KEYS
    assert 1 <= loc.raw["radius_km"] < 10
    assert len(fake.calls) == 1

    # cached on disk: neither this geocoder nor a new one asks again
    assert geo.geocode("Pulkovo Airport, Saint Petersburg").raw["name"] == "Pulkovo Airport"
    geo2 = make_geocoder(settings=settings, gazetteer=gaz)
    assert geo2.geocode("Pulkovo Airport, Saint Petersburg", exactly_one=False)[0].raw[
        "lat"
    ] == pytest.approx(59.8003)
    assert len(fake.calls) == 1 and FakeNominatim.instances[-1].calls == []
    assert list((tmp_path / "geocode").glob("nominatim-*.json"))

    # misses are cached too
    assert geo.geocode("Qwxzzy Nowhere") is None
    assert geo.geocode("Qwxzzy Nowhere") is None
    assert fake.calls.count("Qwxzzy Nowhere") == 1


def test_online_failure_is_a_geocode_error(gaz, tmp_path):
    settings = Settings(online_geocoding=True, cache_dir=tmp_path, nominatim_min_delay_s=0.0)
    fake = FakeNominatim(user_agent="test", fail=True)
    geo = make_geocoder(settings=settings, gazetteer=gaz, online=fake)
    with pytest.raises(GeocodeError, match="online geocoder failed"):
        geo.geocode("Somewhere Unknown")
    assert not list((tmp_path / "geocode").glob("*.json"))  # failures are not cached
