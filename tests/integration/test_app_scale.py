"""The dashboard with 100,000 events in the store (AppTest): every page renders, quickly, and
sends a page of rows or an aggregated map, never the whole store.

The store holds `bench.corpus.make_events` events whose sources point at 20,000 articles
(written directly, not extracted: this is about the dashboard, not the pipeline).  Page runs
measured on the 2-vCPU dev machine: the first run (reads the whole store) ~4.5 s,
then 0.01-0.75 s per page or filter change, against 8-23 s per run before the pages were
paged and cached.  The bound below is generous for a busy CI box.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.corpus import make_events
from strikes.schema import ARTICLES, conform
from strikes.settings import Settings
from strikes.store.database import Store, event_sources_frame
from strikes.views import filter_events
from ui.tables import PAGE_ROWS, event_order

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
N_EVENTS = 100_000
N_ARTICLES = 20_000
RUN_BOUND_S = 10.0  # per page run once the store is loaded


def build_store(db: Path, m: int, *, n_articles: int, seed: int = 11) -> pd.DataFrame:
    """A store holding ``m`` generated events and the articles their sources cite."""
    events = make_events(m, seed=seed)
    ids = [f"{i:016x}" for i in range(n_articles)]
    first: dict[str, tuple[str, str]] = {}
    for j, (srcs, date) in enumerate(zip(events["sources"], events["date"], strict=True)):
        for s, src in enumerate(srcs):
            aid = ids[(3 * j + s) % n_articles]  # a report names several events
            src["article"] = aid
            src["claim_id"] = f"{aid}-{j:06d}-{s:02d}"
            first.setdefault(aid, (src["sentence"], date))
    articles = conform(
        pd.DataFrame(
            {
                "article_id": ids,
                "file": [f"wire-{i:06d}.txt" for i in range(n_articles)],
                "title": [f"Wire report {i}" for i in range(n_articles)],
                "published": [first.get(a, ("", None))[1] for a in ids],
                "published_source": "document",
                "outlet": "Wire",
                "dup_group": ids,
                "language": "en",
                "text": [first.get(a, ("",))[0] for a in ids],
                "removed": [[] for _ in ids],
                "n_sentences": 1,
            }
        ),
        ARTICLES,
    )

    def work(w) -> None:
        w.append("articles", articles)
        w.replace("events", events)
        w.replace("event_sources", event_sources_frame(events))
        w.changed = True

    Store(db, settings=Settings.from_env(env={}, db_path=db)).write(work, force=True)
    return events


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("scale-store")
    db = folder / "strikes.duckdb"
    events = build_store(db, N_EVENTS, n_articles=N_ARTICLES)
    return db, events


def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As conftest.py's app_env: keep AppTest in st.navigation mode on every rerun."""
    from ui.navigation import keep_navigation_mode

    keep_navigation_mode(monkeypatch.setattr)


@pytest.fixture
def big_env(big_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db, events = big_store
    monkeypatch.setenv("STRIKES_DB_PATH", str(db))
    monkeypatch.setenv("STRIKES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")  # nothing here writes; shared by the tests
    _navigation_mode(monkeypatch)
    return events


def timed(at: AppTest, times: dict[str, float], label: str, action=None) -> AppTest:
    t0 = time.perf_counter()
    (action or at).run()
    times[label] = round(time.perf_counter() - t0, 2)
    assert not at.exception, (label, [e.value for e in at.exception])
    assert not at.error, (label, [e.value for e in at.error])
    return at


def showing(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Showing"))


def deck_spec(at: AppTest) -> tuple[dict, int]:
    (chart,) = at.get("deck_gl_json_chart")
    text = chart.proto.json
    return json.loads(text), len(text)


def test_every_page_at_100k_events(big_env) -> None:
    events = big_env
    times: dict[str, float] = {}
    at = AppTest.from_file(APP, default_timeout=300)
    timed(at, times, "overview (first run: loads the store)")
    assert showing(at).startswith(f"Showing **{N_EVENTS:,}** of {N_EVENTS:,} events")
    # One "Events" card per attacker: together every event with an attacker.
    per_attacker = [int(m.value.replace(",", "")) for m in at.metric if m.label == "Events"]
    assert len(per_attacker) == 2 and sum(per_attacker) == events["attacker"].notna().sum()
    # The event list under the timeline is one page, with a page picker.
    assert len(at.dataframe[0].value) == PAGE_ROWS
    assert at.number_input(key="overview_events_page").max == -(-N_EVENTS // PAGE_ROWS)
    timed(at, times, "overview (again)")

    timed(at, times, "map", at.switch_page("pages/map.py"))
    spec, size = deck_spec(at)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    objects = layers["strikes"]["data"] + layers["areas"]["data"]
    located = events[events["lat"].notna() & (events["geo_precision"] != "country")]
    # One object per place, together standing for every located event.
    assert sum(o["n"] for o in objects) == len(located)
    assert len(objects) == len(located.groupby(["lat", "lon", "attacker"]))
    assert len(objects) < 500 and size < 2_000_000
    # National tallies are listed beside the map, never drawn as a country.
    assert "national" not in layers
    assert any(m.value.startswith("**National tallies (") for m in at.markdown)
    for view in ("heat", "hexagons"):
        timed(at, times, f"map {view}", at.segmented_control(key="map_view").set_value(view))
        spec, size = deck_spec(at)
        assert len(spec["layers"][1]["data"]) < 500 and size < 2_000_000
    at.segmented_control(key="map_view").set_value("strikes").run()

    timed(at, times, "events", at.switch_page("pages/events.py"))
    assert len(at.dataframe[0].value) == PAGE_ROWS
    assert len(at.expander) == 25  # the list below the table is paged too
    # Paged tables are ordered as a whole (newest first), not page by page.
    newest = events.sort_values("date", ascending=False, kind="mergesort")["event_id"]
    assert at.dataframe[0].value["event_id"].iloc[0] == newest.iloc[0]
    at.number_input(key="events_table_page").set_value(3)
    timed(at, times, "events, table page 3", at)
    assert at.dataframe[0].value["event_id"].iloc[0] == newest.iloc[2 * PAGE_ROWS]
    # Another order starts again at page 1, and applies to every page (and to the list below).
    at.number_input(key="events_page").set_value(4)
    timed(at, times, "events, list page 4", at)
    timed(at, times, "events, order", at.selectbox(key="events_table_sort").set_value("launched"))
    assert at.number_input(key="events_table_page").value == 1
    assert at.number_input(key="events_page").value == 1
    assert at.dataframe[0].value["launched"].iloc[0] == f"{int(events['launched'].max()):,}"
    heads = [e.label for e in at.expander[:3]]
    top3 = events.sort_values("launched", ascending=False, kind="mergesort").head(3)
    assert all(f"launched {int(n):,}" in h for n, h in zip(top3["launched"], heads, strict=True))
    # One page keeps its order picker (figures are text, "500+", so a header click sorts them as
    # text) and the order picked before.
    day = str(events["date"].max())[:10]
    (dates,) = at.get("date_input")
    d = dt.date.fromisoformat(day)
    timed(at, times, "events, one day", dates.set_value((d, d)))
    same_day = filter_events(events, date_from=day, date_to=day)  # and month-level reports
    assert 0 < len(same_day) <= PAGE_ROWS
    assert at.selectbox(key="events_table_sort").value == "launched"
    want = same_day["event_id"].to_numpy()[event_order(same_day, "launched")]
    assert at.dataframe[0].value["event_id"].tolist() == want.tolist()
    (dates,) = at.get("date_input")
    lo, hi = dt.date.fromisoformat(str(events["date"].min())[:10]), d
    timed(at, times, "events, all days", dates.set_value((lo, hi)))

    timed(at, times, "sources", at.switch_page("pages/sources.py"))
    assert len(at.dataframe[0].value) == PAGE_ROWS  # of 20,000 articles
    published = at.dataframe[0].value["published"]
    assert published.is_monotonic_decreasing  # newest first
    timed(at, times, "sources, order", at.selectbox(key="sources_table_sort").set_value("events"))
    assert at.dataframe[0].value["events"].is_monotonic_decreasing
    timed(at, times, "data", at.switch_page("pages/data.py"))
    assert len(at.get("download_button")) == 4
    timed(at, times, "add articles", at.switch_page("pages/add_articles.py"))

    # A filter change on every page.
    at.switch_page("pages/overview.py")
    timed(at, times, "filter: attacker", at.multiselect(key="flt_attackers").set_value(["Ukraine"]))
    want = int((events["attacker"] == "Ukraine").sum())
    assert showing(at).startswith(f"Showing **{want:,}** of")
    for page in ("map", "events", "sources", "data"):
        timed(at, times, f"{page} (filtered)", at.switch_page(f"pages/{page}.py"))
    timed(at, times, "filter: search", at.text_input(key="flt_text").input("kharkiv"))
    assert showing(at).startswith("Showing **")

    slow = {
        k: v for k, v in times.items() if v > RUN_BOUND_S and not k.endswith("loads the store)")
    }
    print("page runs (s):", json.dumps(times))
    assert not slow, times
