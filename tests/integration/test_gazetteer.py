"""The offline gazetteer index: content, API, build reproducibility, load time, CLI."""

from __future__ import annotations

import argparse
import dataclasses
import io
import pickle
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strikes.cli.gazetteer import cli_gazetteer
from strikes.cli.main import main
from strikes.errors import GeocodeError
from strikes.geo.build import check_index, press_spelling, press_variants
from strikes.geo.gazetteer import (
    ADMIN1_PATH,
    COMMON_WORDS_NAME,
    F_COMMON,
    F_PERSON,
    F_STOP,
    INDEX_NAME,
    Gazetteer,
    fold,
    index_path,
    normalize,
    read_payload,
)
from strikes.settings import PROJECT_ROOT, Settings


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_index_is_committed_and_compact():
    path = index_path()
    assert path.name == INDEX_NAME and path.parent == PROJECT_ROOT / "data"
    assert path.stat().st_size < 5_000_000


def test_import_and_load_are_fast():
    # The real target (<= 0.5 s) is measured by the benchmark; this only catches regressions.
    code = (
        "import time; t = time.perf_counter(); "
        "from strikes.geo.gazetteer import Gazetteer; Gazetteer.load(); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True
    )
    assert float(out.stdout) < 2.0
    assert Gazetteer.load() is Gazetteer.load()  # cached per path


def test_pickles_by_path(gaz):
    data = pickle.dumps(gaz)
    assert len(data) < 1000
    assert pickle.loads(data) is gaz  # same process: the cached instance


def test_normalize_folds_case_diacritics_apostrophes_and_punctuation():
    assert normalize("KYIV") == normalize("Kyiv") == normalize("Kyïv") == "kyiv"
    assert normalize("Ust’-Luga") == normalize("Ust-Luga") == "ust luga"
    assert normalize("St. Petersburg") == "st petersburg"
    assert normalize("Łódź") == "lodz"
    assert normalize("  Bila   Tserkva ") == "bila tserkva"


@given(st.text())
def test_fold_preserves_length(text):
    assert len(fold(text)) == len(text)


def test_lookup_ranks_best_first(gaz):
    kyiv = gaz.lookup("Kyiv")
    assert (kyiv[0].name, kyiv[0].geo_precision, kyiv[0].country_code) == ("Kyiv", "city", "UA")
    assert kyiv[1].name == "Kyiv Oblast"
    assert gaz.lookup("Kiev")[0] == kyiv[0]
    assert [p.country_code for p in gaz.lookup("Odessa")[:2]] == ["UA", "UA"]
    assert gaz.lookup("Odessa")[0].name == "Odesa"
    assert gaz.lookup("Pokrovsk")[0].admin1 == "Donetsk Oblast"
    assert gaz.lookup("Kharkiv")[0].population > 1_000_000
    assert gaz.lookup("the Rostov region")[0].name == "Rostov Oblast"
    assert gaz.lookup("Nowhereville-upon-Nothing") == []


def test_place_fields(gaz):
    p = gaz.lookup("Kharkiv")[0]
    assert p.geonameid == 706483
    assert p.admin1 == "Kharkiv Oblast"
    assert p.geo_precision == "city"
    assert 5 < p.radius_km <= 25
    assert abs(p.lat - 49.98) < 0.05 and abs(p.lon - 36.25) < 0.05
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]
    assert set(p.as_dict()) >= {"geonameid", "name", "admin1", "country_code", "lat", "lon"}


def test_press_display_names(gaz):
    for query, display in [
        ("Zaporizhzhya", "Zaporizhzhia"),
        ("Kostyantynivka", "Kostiantynivka"),
        ("Kryvyy Rih", "Kryvyi Rih"),
        ("Orel", "Oryol"),
        ("Engel's", "Engels"),
        ("Ryazan", "Ryazan"),
        ("Ust-Luga", "Ust-Luga"),
        ("Kupyansk", "Kupiansk"),
        ("Yenakiyeve", "Yenakiieve"),
        ("Khmelnytsky", "Khmelnytskyi"),
        ("Afipskiy", "Afipsky"),
        ("Grayvoron", "Graivoron"),
    ]:
        assert gaz.lookup(query)[0].name == display, query
    for query, display in [
        ("Belgorod region", "Belgorod Oblast"),
        ("Rostov region", "Rostov Oblast"),
        ("Crimea", "Crimea"),
        ("Udmurtia", "Udmurtia"),
        ("Kyiv region", "Kyiv Oblast"),
    ]:
        assert gaz.region(query).name == display, query


def test_press_spelling_of_bgn_names():
    assert press_spelling("Vinnytsya", "UA") == "Vinnytsia"
    assert press_spelling("Kryvyy Rih", "UA") == "Kryvyi Rih"
    assert press_spelling("Hulyaypole", "UA") == "Huliaipole"
    assert press_spelling("Avdiyivka", "UA") == "Avdiivka"
    assert press_spelling("Mykolayiv", "UA") == "Mykolaiv"
    assert press_spelling("Kyiv", "UA") == "Kyiv"
    assert press_spelling("Staryy Oskol", "RU") == "Stary Oskol"
    assert press_variants("Khmelnytskyi", "UA") == {"Khmelnytsky"}


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("Crimea", 45.3, 34.4),
        ("Belgorod Oblast", 50.71, 37.38),
        ("Rostov Oblast", 47.7, 41.0),
        ("Saratov Oblast", 51.5, 46.0),
    ],
)
def test_region_centroids_are_honest(gaz, name, lat, lon):
    p = gaz.region(name)
    assert p is not None and p.geo_precision == "region"
    assert gaz.distance_km(p, (lat, lon)) <= 200
    assert p.radius_km >= 50  # a region-level event is not drawn as a point


def test_crimea_is_ukraine_and_covers_sevastopol(gaz):
    crimea = gaz.region("Crimea")
    assert crimea.country_code == "UA"
    sevastopol = gaz.lookup("Sevastopol")[0]
    assert sevastopol.admin1 == "Sevastopol"  # GeoNames' own admin1
    assert gaz.distance_km(crimea, sevastopol) <= crimea.radius_km


def test_donbas_spans_donetsk_and_luhansk(gaz):
    donbas = gaz.region("Donbas")
    assert donbas.country_code == "UA" and donbas.geonameid is None
    for city in ("Donetsk", "Luhansk", "Kramatorsk"):
        assert gaz.distance_km(donbas, gaz.lookup(city)[0]) <= donbas.radius_km


def test_region_api(gaz):
    assert gaz.region("Rostov").name == "Rostov Oblast"
    assert gaz.region("the Rostov region").name == "Rostov Oblast"
    assert gaz.region("UA.13").name == "Kyiv Oblast"
    assert gaz.region("Kyiv").name == "Kyiv Oblast"
    assert gaz.region("Dnipro region").name == "Dnipropetrovsk Oblast"
    assert gaz.region("Republic of Tatarstan").name == "Tatarstan"
    assert gaz.region("Georgia", country_code="US").country_code == "US"
    assert gaz.region("Kharkiv", country_code="RU") is None
    assert gaz.region("Nowhereville") is None
    assert gaz.region("XX.99") is None


def test_country_api(gaz):
    ua = gaz.country("UA")
    assert ua.geo_precision == "country" and ua.name == "Ukraine" and ua.admin1 is None
    assert gaz.country("ua") == gaz.country("UKR") == gaz.country("Ukraine") == ua
    assert gaz.country("U.S.").country_code == "US"
    assert gaz.country("Britain").country_code == "GB"
    assert gaz.country("Kyiv") is None
    ru = gaz.country("Russia")
    assert 45 < ru.lat < 70 and 30 < ru.lon < 100  # a point inside Russia


def test_fuzzy_is_conservative(gaz):
    assert gaz.fuzzy("Kramatorks")[0].name == "Kramatorsk"
    assert gaz.fuzzy("Pokrovksk")[0].name == "Pokrovsk"
    assert gaz.fuzzy("Cambodian") == []  # an adjective, not a misspelling
    assert gaz.fuzzy("Kyev") == []  # too short to guess
    assert gaz.fuzzy("Zelenskyy") == []


def test_key_flags(gaz):
    def flags(word: str) -> int:
        return gaz.key_flags[gaz.key_index[normalize(word)]]

    for word in ("Many", "Mobile", "March", "Time"):
        assert flags(word) & F_COMMON, word
    assert flags("Kim") & F_PERSON
    assert flags("Rubio") & F_PERSON
    for word in ("Druzhba", "Iskander", "Crimean", "Western"):
        assert flags(word) & F_STOP, word
    for word in ("Kyiv", "Perm", "Berlin", "China", "Vladimir", "Crimea"):
        assert not flags(word) & (F_COMMON | F_PERSON | F_STOP), word


def _copy_inputs(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    (data / ADMIN1_PATH[0]).mkdir(parents=True)
    src = PROJECT_ROOT / "data"
    shutil.copy(src / Path(*ADMIN1_PATH), data / Path(*ADMIN1_PATH))
    shutil.copy(src / COMMON_WORDS_NAME, data / COMMON_WORDS_NAME)
    return Settings(data_dir=data)


@pytest.mark.slow
def test_rebuild_reproduces_the_committed_index(tmp_path):
    settings = _copy_inputs(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    rc = cli_gazetteer(argparse.Namespace(action="build"), settings=settings, out=out, err=err)
    assert rc == 0, err.getvalue()
    assert "ok" in out.getvalue()
    built = read_payload(settings.data_dir / INDEX_NAME)
    committed = read_payload(index_path())
    assert built == committed, (
        "data/gazetteer.pkl.zlib is stale: run `python -m strikes gazetteer build`"
    )
    # Byte-identical at the pickle level (zlib's bytes may differ between zlib builds).
    assert zlib.decompress((settings.data_dir / INDEX_NAME).read_bytes()) == pickle.dumps(
        committed, protocol=5
    )
    # A changed curated input makes `check` report the index stale.
    words = settings.data_dir / COMMON_WORDS_NAME
    words.write_text(words.read_text(encoding="utf-8") + "zzzz\n", encoding="utf-8")
    assert any("stale" in p for p in check_index(settings=settings))


def test_cli_check_passes_on_the_committed_index():
    out, err = io.StringIO(), io.StringIO()
    assert main(["gazetteer", "check"], out=out, err=err) == 0, err.getvalue()
    assert "ok" in out.getvalue() and "loads in" in out.getvalue()


def test_missing_or_damaged_index_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(GeocodeError, match="gazetteer build"):
        Gazetteer.load(settings=settings)
    (tmp_path / INDEX_NAME).write_bytes(b"not an index")
    with pytest.raises(GeocodeError, match="unreadable"):
        Gazetteer.load(settings=Settings(data_dir=tmp_path))
    out, err = io.StringIO(), io.StringIO()
    rc = cli_gazetteer(argparse.Namespace(action="check"), settings=settings, out=out, err=err)
    assert rc == 1 and "unreadable" in err.getvalue()
