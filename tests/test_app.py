"""The dashboard under Streamlit's AppTest, on a copy of the seed store (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from strikes.ingest import ingest_documents
from strikes.settings import Settings
from strikes.store.database import open_store
from strikes.views import filter_events

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = {
    "pages/overview.py": "Overview",
    "pages/map.py": "Strike map",
    "pages/events.py": "Events",
    "pages/sources.py": "Sources",
    "pages/data.py": "Data",
    "pages/add_articles.py": "Add articles",
}
SHOWING = re.compile(r"Showing \*\*([\d,]+)\*\* of ([\d,]+) events")


def run_app(*, query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> tuple[int, int]:
    for c in at.caption:
        m = SHOWING.search(c.value)
        if m:
            return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
    raise AssertionError("no 'Showing N of M events' caption")


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}")


def store_events(db: Path):
    return open_store(settings=Settings.from_env(env={}, db_path=db), read_only=True).events()


def test_every_page_renders_on_the_seeds(app_env: Path) -> None:
    at = run_app()
    assert [t.value for t in at.title] == ["Overview"]
    n = len(store_events(app_env))
    assert shown(at) == (n, n)
    for path, title in PAGES.items():
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        assert not at.error, (path, [e.value for e in at.error])
        assert title in [t.value for t in at.title], path


def test_overview_metrics_match_the_store(app_env: Path) -> None:
    from ui.render.metrics import headline

    at = run_app()
    h = headline(store_events(app_env))
    assert metric(at, "Barrages (nights)") == f"{h.barrages:,}"
    assert metric(at, "Drones and missiles launched") == f"{h.launched:,}"
    assert metric(at, "Events") == f"{h.events:,}"
    assert len(at.get("plotly_chart")) >= 2  # timeline, monthly totals, ...


def test_attacker_filter_changes_every_page(app_env: Path) -> None:
    events = store_events(app_env)
    want = len(filter_events(events, attackers=["Ukraine"]))
    assert 0 < want < len(events)
    at = run_app()
    before = metric(at, "Drones and missiles launched")
    at.multiselect(key="flt_attackers").set_value(["Ukraine"]).run()
    assert shown(at) == (want, len(events))
    assert metric(at, "Drones and missiles launched") != before
    assert at.query_params.get("attacker") in ("Ukraine", ["Ukraine"])
    for path in ("pages/events.py", "pages/map.py", "pages/data.py"):
        at.switch_page(path).run()
        assert not at.exception
        assert shown(at) == (want, len(events)), path
    # The event table holds exactly the filtered events.
    at.switch_page("pages/events.py").run()
    table = at.dataframe[0].value
    assert len(table) == want
    assert set(table["attacker"]) == {"Ukraine"}


def test_search_and_weapon_filters(app_env: Path) -> None:
    events = store_events(app_env)
    at = run_app(page="pages/events.py")
    at.text_input(key="flt_text").input("izhevsk").run()
    assert shown(at)[0] == len(filter_events(events, text="izhevsk")) >= 1
    assert at.query_params.get("q") == "izhevsk"
    at.text_input(key="flt_text").input("").run()
    at.multiselect(key="flt_weapons").set_value(["missile"]).run()
    assert shown(at)[0] == len(filter_events(events, weapons=["missile"]))


def test_date_range_filter(app_env: Path) -> None:
    events = store_events(app_env)
    at = run_app(page="pages/events.py")
    (date,) = at.get("date_input")
    date.set_value((dt.date(2025, 7, 4), dt.date(2025, 7, 6))).run()
    want = len(filter_events(events, date_from="2025-07-04", date_to="2025-07-06"))
    assert shown(at)[0] == want
    assert at.query_params.get("from") == "2025-07-04"
    assert at.query_params.get("to") == "2025-07-06"


def test_query_parameters_round_trip(app_env: Path) -> None:
    events = store_events(app_env)
    query = {"attacker": "Russia", "weapon": "drone", "from": "2025-07-01", "to": "2025-07-06"}
    at = run_app(query=query, page="pages/events.py")
    assert at.multiselect(key="flt_attackers").value == ["Russia"]
    assert at.multiselect(key="flt_weapons").value == ["drone"]
    assert at.get("date_input")[0].value == (dt.date(2025, 7, 1), dt.date(2025, 7, 6))
    want = filter_events(
        events,
        attackers=["Russia"],
        weapons=["drone"],
        date_from="2025-07-01",
        date_to="2025-07-06",
    )
    assert shown(at)[0] == len(want)
    # The URL still says the same after the run (and after a page switch).
    assert {k: at.query_params.get(k) for k in query} == query
    at.switch_page("pages/map.py").run()
    assert {k: at.query_params.get(k) for k in query} == query
    # A second session opened from that URL shows the same view.
    again = run_app(query=dict(at.query_params), page="pages/events.py")
    assert shown(again)[0] == len(want)


def test_bad_query_parameters_are_ignored(app_env: Path) -> None:
    n = len(store_events(app_env))
    at = run_app(
        query={
            "attacker": "Atlantis",
            "weapon": "laser",
            "from": "yesterday",
            "country": "ZZ",
            "region": "<script>",
        }
    )
    assert shown(at) == (n, n)
    assert at.multiselect(key="flt_attackers").value == []
    assert "attacker" not in at.query_params


def test_no_page_fails_when_nothing_matches(app_env: Path) -> None:
    at = run_app(query={"q": "no-such-place-anywhere"})
    for path in PAGES:
        at.switch_page(path).run()
        assert not at.exception, path
    at.switch_page("pages/events.py").run()
    assert any("No event matches" in i.value for i in at.info)


def test_reset_filters(app_env: Path) -> None:
    n = len(store_events(app_env))
    at = run_app(query={"attacker": "Ukraine"})
    assert shown(at)[0] < n
    next(b for b in at.button if b.label == "Reset filters").click().run()
    assert shown(at) == (n, n)
    assert "attacker" not in at.query_params


def test_paste_an_article_adds_its_events(app_env: Path) -> None:
    text = (
        "Russian drones hit Poltava overnight\n\ndate 2025-08-10\n\n"
        "A Russian drone hit an apartment building in Poltava, killing two people and "
        "injuring 11, the regional governor said.\n"
    )
    before = len(store_events(app_env))
    at = run_app(page="pages/add_articles.py")
    at.text_area(key="paste_text").input(text)
    next(b for b in at.button if b.label == "Add text").click().run()
    assert not at.exception
    assert any("added 1 article" in s.value for s in at.success), [w.value for w in at.warning]
    events = store_events(app_env)
    assert len(events) > before
    at.switch_page("pages/events.py").run()
    at.text_input(key="flt_text").input("poltava").run()
    assert shown(at)[0] >= 1
    assert "Poltava" in set(at.dataframe[0].value["location"])


def test_upload_rejects_wrong_types_and_fetch_reports_offline(app_env: Path) -> None:
    at = run_app(page="pages/add_articles.py")
    at.text_input(key="fetch_url").input("http://127.0.0.1:9/article")
    next(b for b in at.button if b.label == "Fetch and add").click().run()
    assert not at.exception
    assert any("not on the public internet" in m.value for m in at.markdown), [
        m.value for m in at.markdown
    ]
    at.text_input(key="fetch_url").input("file:///etc/passwd")
    next(b for b in at.button if b.label == "Fetch and add").click().run()
    assert any("only http" in m.value for m in at.markdown)


def test_read_only_disables_adding(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")
    at = run_app(page="pages/add_articles.py")
    assert any("read-only" in w.value for w in at.warning)
    assert all(b.disabled for b in at.button if b.label in ("Upload and add", "Add text"))
    # Every other page still works on a read-only store.
    for path in PAGES:
        at.switch_page(path).run()
        assert not at.exception, path


def test_a_page_run_without_app_py_reruns_through_it(app_env_raw: Path) -> None:
    """Before a process's first st.navigation call, Streamlit runs a requested page file alone
    (legacy pages/ folder); the page then reruns through app.py, so the sidebar is there."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    for path, title in PAGES.items():  # every AppTest rerun starts in legacy mode
        at.switch_page(path).run()
        assert not at.exception, path
        assert title in [t.value for t in at.title], path
        assert at.multiselect(key="flt_attackers") is not None, path


def test_map_views_and_event_sources(app_env: Path) -> None:
    at = run_app(page="pages/map.py")
    assert len(at.get("deck_gl_json_chart")) == 1
    for view in ("heat", "hexagons", "strikes"):
        at.segmented_control(key="map_view").set_value(view).run()
        assert not at.exception, view
        assert len(at.get("deck_gl_json_chart")) == 1
    # The Events page spells out the sources, with highlighted spans and disagreements.
    at.switch_page("pages/events.py").run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Source 1" not in html  # closed events build nothing (issue 20)
    for eid in store_events(app_env)["event_id"]:
        at.session_state[f"ev_open_{eid}"] = True  # open every event
    at.run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Source 1" in html and "<mark" in html
    assert "Sources disagree on" in html  # e.g. the Izhevsk casualty figures
    assert len(at.expander) == shown(at)[0]


def _add(db: Path, name: str, text: str, published: str | None) -> None:
    from strikes.documents.articles import RawDocument

    store = open_store(settings=Settings.from_env(env={}, db_path=db))
    ingest_documents(store, [RawDocument(name=name, data=text.encode(), published=published)])


UNDATED = (
    "Drone hits Kharkiv depot\n\nA Russian drone hit a fuel depot in Kharkiv last week, "
    "injuring three people, the regional governor said.\n"
)


def test_undated_events_are_listed_apart(app_env: Path) -> None:
    _add(app_env, "undated.txt", UNDATED, None)
    events = store_events(app_env)
    undated = events[events["date"].isna()]
    assert len(undated) >= 1, "the article should give an undated event"
    dated = len(events) - len(undated)
    at = run_app()
    # Not among the dated events, the timeline or the totals ...
    assert shown(at) == (dated, len(events))
    label = f"{len(undated)} undated event"
    (box,) = [e for e in at.expander if e.label.startswith(label)]
    # ... but listed apart, with the reason.
    text = " ".join(h.proto.body for h in box.children.values() if hasattr(h.proto, "body"))
    assert "Kharkiv" in text and "no publication date" in text
    # A date filter does not hide them, and the Data page says the exports leave them out.
    (date,) = at.get("date_input")
    date.set_value((dt.date(2025, 7, 4), dt.date(2025, 7, 6))).run()
    assert [e for e in at.expander if e.label.startswith(label)]
    at.switch_page("pages/data.py").run()
    assert not at.exception
    body = " ".join(m.value for m in at.markdown)
    assert f"**{len(undated)} undated event(s)**" in body and "not in these files" in body
    assert any("undated" in b.label for b in at.get("download_button"))
    at.switch_page("pages/events.py").run()
    assert len(at.dataframe[0].value) == shown(at)[0]


def test_an_outlier_does_not_set_the_default_date_range(app_env: Path) -> None:
    old = (
        "Missile strike on Odesa\n\nA Russian missile hit the port of Odesa overnight, "
        "killing two people, officials said.\n"
    )
    _add(app_env, "old.txt", old, "2019-03-05")
    # Two more recent reports, so that one event is at most 5% of the store (the rule).
    _add(
        app_env,
        "kherson.txt",
        "Drone hits bus in Kherson\n\nA Russian drone hit a bus in "
        "Kherson overnight, injuring four people, the regional governor said.\n",
        "2025-08-13",
    )
    _add(
        app_env,
        "chernihiv.txt",
        "Missile strike on Chernihiv\n\nA Russian missile hit an "
        "office building in Chernihiv overnight, killing one person, officials said.\n",
        "2025-08-14",
    )
    events = store_events(app_env)
    assert len(events["date"].dropna()) >= 20
    assert (events["date"].dropna() < "2020").sum() == 1
    at = run_app(page="pages/events.py")
    (date,) = at.get("date_input")
    assert date.value[0] > dt.date(2024, 1, 1)  # not pulled back to 2019
    assert shown(at) == (len(events) - 1, len(events))
    assert any("dense part of the data" in c.value for c in at.sidebar.caption)
    # The full span is one click away.
    at.sidebar.button[0].click().run()  # "Full span of the data"
    assert at.get("date_input")[0].value[0] == dt.date(2019, 3, 4) or at.get("date_input")[0].value[
        0
    ] <= dt.date(2019, 3, 5)
    assert shown(at) == (len(events), len(events))
