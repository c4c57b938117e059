"""The online geocoding fallback (STRIKES_ONLINE_GEOCODING) against a stub Nominatim.

The stub is a real HTTP server on 127.0.0.1 (never any other address) that answers geopy's
Nominatim `/search` requests from a small table and counts them; geopy, its RateLimiter and the
disk cache run unpatched.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from strikes import pipeline
from strikes.documents.articles import RawDocument
from strikes.export import read_csv, to_csv
from strikes.geo.gazetteer import Gazetteer
from strikes.geo.geocode import find_places
from strikes.geo.online import unknown_place_names
from strikes.settings import Settings

# What the stub knows: Nominatim's JSON for a village the gazetteer lacks.
VILLAGE = {
    "place_id": 1,
    "osm_id": 4242,
    "lat": "50.7112",
    "lon": "35.2231",
    "name": "Novo-Bludovka",
    "display_name": "Novo-Bludovka, Sumy Oblast, Ukraine",
    "addresstype": "village",
    "boundingbox": ["50.70", "50.72", "35.21", "35.23"],
    "address": {"village": "Novo-Bludovka", "state": "Sumy Oblast", "country_code": "ua"},
}
ANSWERS = {"novo-bludovka": [VILLAGE]}

ARTICLE = (
    "Kyiv, July 5, 2025\n\n"
    "Russia launched 12 drones at Novo-Bludovka overnight, the regional governor said on "
    "Saturday. Three people were injured and a school was damaged.\n"
)


class _Stub(BaseHTTPRequestHandler):
    queries: ClassVar[list[str]] = []
    fail = False

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query).get("q", [""])[0]
        type(self).queries.append(q)
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(ANSWERS.get(q.lower(), []) if url.path == "/search" else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    _Stub.queries = []
    _Stub.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def online(stub, tmp_path) -> Settings:
    pipeline._geo_for.cache_clear()
    yield Settings.from_env(
        env={
            "STRIKES_ONLINE_GEOCODING": "1",
            "STRIKES_NOMINATIM_DOMAIN": f"127.0.0.1:{stub.server_address[1]}",
            "STRIKES_NOMINATIM_SCHEME": "http",
            "STRIKES_NOMINATIM_MIN_DELAY_S": "0",
            "STRIKES_CACHE_DIR": str(tmp_path / "cache"),
        }
    )
    pipeline._geo_for.cache_clear()


def _run(settings: Settings):
    doc = RawDocument(name="village.txt", data=ARTICLE.encode())
    return pipeline.run_documents([doc], settings=settings)


def test_unknown_names_are_those_written_where_a_place_goes():
    gaz = Gazetteer.load()
    text = "Russia launched 12 drones at Novo-Bludovka overnight, Zelensky said in Kyiv."
    spans = unknown_place_names(text, find_places(text, gazetteer=gaz), gazetteer=gaz)
    assert [text[s:e] for s, e in spans] == ["Novo-Bludovka"]  # not Zelensky, not Kyiv


def test_offline_by_default_asks_nobody(stub):
    pipeline._geo_for.cache_clear()
    result = _run(Settings())
    assert _Stub.queries == []
    assert "Novo-Bludovka" not in set(result.claims["location"].dropna())
    assert set(result.claims["geo_source"].dropna()) <= {"gazetteer"}
    assert set(result.events["geo_source"].dropna()) == {"gazetteer"}


def test_a_place_the_gazetteer_lacks_comes_from_nominatim(online):
    result = _run(online)
    assert _Stub.queries == ["Novo-Bludovka"]
    (claim,) = result.claims[result.claims["location"] == "Novo-Bludovka"].to_dict("records")
    assert claim["geo_source"] == "nominatim"
    assert (claim["lat"], claim["lon"]) == (50.7112, 35.2231)
    assert claim["country_code"] == "UA" and claim["admin1"] == "Sumy Oblast"
    assert claim["geo_precision"] == "city" and claim["launched"] == 12
    (event,) = result.events[result.events["location"] == "Novo-Bludovka"].to_dict("records")
    assert event["geo_source"] == "nominatim" and event["launched"] == 12
    # The exports carry the source too.
    back = read_csv(to_csv(result.events))
    assert list(back.loc[back["location"] == "Novo-Bludovka", "geo_source"]) == ["nominatim"]


def test_answers_are_cached_on_disk(online):
    _run(online)
    assert _Stub.queries == ["Novo-Bludovka"]
    assert list((Path(online.cache_dir) / "geocode").glob("nominatim-*.json"))
    pipeline._geo_for.cache_clear()  # a new process: only the disk cache is left
    result = _run(online)
    assert _Stub.queries == ["Novo-Bludovka"]  # not asked again
    assert "Novo-Bludovka" in set(result.claims["location"])


def test_a_failing_service_leaves_the_place_unresolved(online):
    _Stub.fail = True
    result = _run(online)
    assert _Stub.queries  # it was asked (geopy's RateLimiter retries once)
    assert "Novo-Bludovka" not in set(result.claims["location"].dropna())
    assert not list((Path(online.cache_dir) / "geocode").glob("nominatim-*.json"))  # not cached


def test_the_cli_reads_the_settings_from_the_environment(stub, tmp_path, monkeypatch):
    from strikes.cli.main import main

    monkeypatch.setenv("STRIKES_ONLINE_GEOCODING", "1")
    monkeypatch.setenv("STRIKES_NOMINATIM_DOMAIN", f"127.0.0.1:{stub.server_address[1]}")
    monkeypatch.setenv("STRIKES_NOMINATIM_SCHEME", "http")
    monkeypatch.setenv("STRIKES_NOMINATIM_MIN_DELAY_S", "0")
    monkeypatch.setenv("STRIKES_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "village.txt").write_text(ARTICLE, encoding="utf-8")
    pipeline._geo_for.cache_clear()
    out, err = io.StringIO(), io.StringIO()
    try:
        assert main(["extract", str(tmp_path / "in")], out=out, err=err) == 0
    finally:
        pipeline._geo_for.cache_clear()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    village = [e for e in events if e["location"] == "Novo-Bludovka"]
    assert [e["geo_source"] for e in village] == ["nominatim"]


def test_settings_name_a_self_hosted_nominatim():
    s = Settings.from_env(
        env={"STRIKES_NOMINATIM_DOMAIN": "geo.example.org:8080", "STRIKES_NOMINATIM_SCHEME": "http"}
    )
    assert dataclasses.asdict(s)["nominatim_domain"] == "geo.example.org:8080"
    from strikes.geo.online import OnlinePlaces

    places = OnlinePlaces(settings=s)
    assert places.cached.geocoder.domain == "geo.example.org:8080"
    assert places.cached.geocoder.scheme == "http"
