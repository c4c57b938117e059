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

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = {
    "pages/overview.py": "Overview",
    "pages/map.py": "Strike map",
    "pages/events.py": "Events",
    "pages/sources.py": "Sources",
    "pages/review.py": "Review queue",
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


CARD_HEADING = re.compile(r"^\*\*Attacks by (.+)\*\*$")


def cards(at: AppTest) -> dict[str, dict[str, str]]:
    """The Overview's headline cards: attacker -> {label: value} (8 cards per attacker, in
    the order of the "Attacks by ..." headings)."""
    heads = [m.group(1) for m in (CARD_HEADING.match(x.value) for x in at.markdown) if m]
    values = [(m.label, m.value) for m in at.metric]
    assert len(values) == 8 * len(heads), (heads, values)
    return {h: dict(values[8 * i : 8 * i + 8]) for i, h in enumerate(heads)}


def test_overview_cards_are_per_attacker(app_env: Path) -> None:
    from ui.render.metrics import headlines
    from ui.render.theme import fmt_figure

    at = run_app()
    want = {h.attacker: h for h in headlines(store_events(app_env))}
    got = cards(at)
    assert set(got) == set(want) == {"Russia", "Ukraine"}  # side by side, never added up
    for attacker, h in want.items():
        c = got[attacker]
        assert c["Barrages (nights)"] == f"{h.barrages:,}"
        assert c["Launched"] == fmt_figure(h.launched, "launched" in h.floors)
        assert c["Events"] == f"{h.events:,}"
        rate = [k for k in c if k.startswith("Intercept rate")]
        assert rate == [
            f"Intercept rate · {h.rate_nights} night{'s' if h.rate_nights != 1 else ''}"
            if h.rate_nights
            else "Intercept rate"
        ]
    # A seed says "more than ..." launched: a lower bound, shown with "+".
    assert "launched" in want["Russia"].floors and got["Russia"]["Launched"].endswith("+")
    assert len(at.get("plotly_chart")) >= 2  # timeline, monthly totals, ...
    # The attacker chosen in the sidebar: its cards alone.
    at.multiselect(key="flt_attackers").set_value(["Ukraine"]).run()
    assert list(cards(at)) == ["Ukraine"]


def test_attacker_filter_changes_every_page(app_env: Path) -> None:
    events = store_events(app_env)
    want = len(filter_events(events, attackers=["Ukraine"]))
    assert 0 < want < len(events)
    at = run_app()
    assert set(cards(at)) == {"Russia", "Ukraine"}
    at.multiselect(key="flt_attackers").set_value(["Ukraine"]).run()
    assert shown(at) == (want, len(events))
    assert set(cards(at)) == {"Ukraine"}
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
    # The URL as typed, in a code span (markdown escapes would show as backslashes there).
    assert any(m.value.startswith("- `http://127.0.0.1:9/article` — ") for m in at.markdown)
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
    for view, key in (("heat", "<b>Heat</b>"), ("hexagons", "<b>Hexagons</b>"), ("strikes", "")):
        at.segmented_control(key="map_view").set_value(view).run()
        assert not at.exception, view
        assert len(at.get("deck_gl_json_chart")) == 1
        # The map's key (legend) is the one of the view shown.
        html = " ".join(h.proto.body for h in at.get("html"))
        if key:
            assert key in html and "linear-gradient" in html and "Pin size" not in html, view
        else:
            assert "Pin size" in html and "(filled)" in html and "<b>Heat</b>" not in html
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


def test_sources_page_follows_the_sidebar_filters(app_env: Path) -> None:
    """One rule for every page: the Sources page lists the articles behind the filtered
    events (no toggle outside the URL); with no filter, every article."""
    store = open_store(settings=Settings.from_env(env={}, db_path=app_env), read_only=True)
    events, src = store.events(), store.event_sources()
    n_articles = len(store.articles(with_text=False))
    at = run_app(page="pages/sources.py")
    assert not at.toggle  # nothing but the sidebar (and so the URL) decides
    assert len(at.dataframe[0].value) == n_articles
    at.multiselect(key="flt_attackers").set_value(["Ukraine"]).run()
    ukr = filter_events(events, attackers=["Ukraine"])
    want = set(src.loc[src["event_id"].isin(ukr["event_id"]), "article_id"])
    assert 0 < len(want) < n_articles
    assert set(at.dataframe[0].value["article_id"]) == want
    # The same view from a shared link.
    at2 = run_app(query={"attacker": "Ukraine"}, page="pages/sources.py")
    assert set(at2.dataframe[0].value["article_id"]) == want


def test_event_panel_links_sources_to_their_articles(app_env: Path) -> None:
    """Each source in the event panel links to its article (http/https only, opened with
    rel="noopener noreferrer"); "N articles, M outlets", not sentences."""
    from strikes.documents.articles import RawDocument

    store = open_store(settings=Settings.from_env(env={}, db_path=app_env))
    text = (
        b"A Russian drone hit a depot in Poltava overnight, injuring at least 4 people, the "
        b"governor said on Sunday."
    )
    ingest_documents(
        store,
        [
            RawDocument(
                name="linked.txt",
                data=text,
                published="2025-08-10",
                outlet="Rail Weekly",
                url="https://rail.example.org/poltava?a=1&b=2",
                title="Depot hit",
            ),
            RawDocument(
                name="hostile.txt",
                data=text.replace(b"the governor said", b"officials said"),
                published="2025-08-10",
                outlet="Other Outlet",
                url="javascript:alert(1)",
                title="Same night",
            ),
        ],
    )
    at = run_app(query={"q": "poltava"}, page="pages/events.py")
    for eid in store_events(app_env)["event_id"]:
        at.session_state[f"ev_open_{eid}"] = True  # open the events (closed ones build nothing)
    at.run()
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert (
        '<a href="https://rail.example.org/poltava?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer">Depot hit' in html
    )
    assert "javascript:" not in html  # never a link, never text in an href
    assert "Same night" in html  # the title is still shown, unlinked
    labels = [e.label for e in at.expander]
    assert any("2 articles, 2 outlets" in x for x in labels), labels
    assert any(r"injured 4\+" in x for x in labels), labels  # markdown-escaped "4+"


def test_added_article_with_undated_events_can_be_dated(app_env: Path) -> None:
    """An article without a publication date: its events are undated; the page says so, links
    to the events it added ("1 event", not "1 events") and sets the date on request."""
    text = (
        "Russian drone hits Poltava depot\n\n"
        "A Russian drone hit a fuel depot in Poltava on Sunday, injuring 4 people, the "
        "regional governor said.\n"
    )
    at = run_app(page="pages/add_articles.py")
    at.text_area(key="paste_text").input(text)
    next(b for b in at.button if b.label == "Add text").click().run()
    assert not at.exception
    assert any("added 1 article, 1 new event" in s.value for s in at.success)
    body = [m.value for m in at.markdown]
    assert any(": 1 event" in m and "1 events" not in m for m in body), body
    (warning,) = [w.value for w in at.warning if "no date" in w.value]
    assert warning.startswith("1 event of this article has no date")
    links = list(at.get("page_link"))
    assert links and links[0].proto.query_string.startswith("article=")
    poltava = store_events(app_env).query("location == 'Poltava'")
    assert poltava["date"].isna().all()
    (day,) = [d for d in at.date_input if d.label == "Publication date"]
    day.set_value(dt.date(2025, 8, 11))  # in a form: sent with the submit below
    next(b for b in at.button if b.label == "Set the date and re-read the article").click().run()
    assert not at.exception
    poltava = store_events(app_env).query("location == 'Poltava'")
    assert poltava["date"].tolist() == ["2025-08-10"]  # "on Sunday", before Monday 11 August
    assert not [w for w in at.warning if "no date" in w.value]
    assert any(i.value.startswith("Dated 2025") for i in at.info), [i.value for i in at.info]
    # The link opens the article (and the events it added) on the Sources page.
    aid = links[0].proto.query_string.split("=", 1)[1]
    src = run_app(query={"article": aid}, page="pages/sources.py")
    assert src.subheader[0].value == "Russian drone hits Poltava depot"
    assert "Poltava" in set(src.dataframe[-1].value["location"])


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


def _deck_dates(at: AppTest) -> set[str]:
    """The dates named in the map's deck (each pin's tooltip carries its events' dates)."""
    (deck,) = at.get("deck_gl_json_chart")
    return set(re.findall(r"\d{1,2} [A-Z][a-z]{2} \d{4}", deck.proto.json))


def test_map_night_slider_and_play_by_night(app_env: Path) -> None:
    """The Night slider narrows the map to one night; "Play by night" steps through the
    nights in order and stops after the last one."""
    at = run_app(page="pages/map.py")
    slider = at.select_slider(key="map_night")
    labels = list(slider.options)
    assert labels[0] == "All nights" and len(labels) > 3
    every = _deck_dates(at)
    assert len(every) > 1 and every <= set(labels)
    # A night with a strike drawn (some nights have only a national tally, listed beside).
    i = next(i for i, label in enumerate(labels) if label in every)
    night = at.session_state["map_night"]
    assert night == "All nights"
    slider.set_value(slider.options[i]).run()
    assert not at.exception
    assert _deck_dates(at) == {labels[i]}
    # Play from "All nights": the first night at once, then one night per tick.
    at.select_slider(key="map_night").set_value("All nights").run()
    at.toggle(key="map_play").set_value(True).run()
    assert not at.exception
    seen = [at.session_state["map_night"]]
    assert at.select_slider(key="map_night").value == seen[0]
    assert at.session_state["map_play"]
    for _ in range(len(labels)):
        if not at.session_state["map_play"]:
            break
        at.run()  # a rerun before the night's time is up keeps the night
        assert at.session_state["map_night"] == seen[-1]
        at.session_state["map_play_at"] = -1e9  # the night's time is up
        at.run()
        assert not at.exception
        seen.append(at.session_state["map_night"])
    assert seen == sorted(seen) and len(seen) == len(labels) - 1, seen
    assert not at.session_state["map_play"], "play stops after the last night"
    assert not at.toggle(key="map_play").value
    assert at.select_slider(key="map_night").value == seen[-1]
    assert _deck_dates(at) <= {labels[-1]}  # the last night's strikes, if any is drawn
