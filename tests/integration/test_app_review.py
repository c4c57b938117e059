"""The review form and queue under Streamlit's AppTest, on a copy of the seed store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from strikes.review import (
    filter_review,
    import_jsonl,
    load_corrections,
    review_queue,
    reviewed_events,
)
from strikes.settings import Settings
from strikes.store.database import Store, open_store
from ui.render.metrics import headline
from ui.render.theme import fmt_int

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def store(db: Path):
    return open_store(settings=Settings.from_env(env={}, db_path=db), read_only=True)


def run_page(page: str, *, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def events_before_killed(db, event_id: str):
    ev = db.events()
    return ev[ev["event_id"] == event_id].iloc[0]["killed"]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_queue_lists_unreviewed_events_most_in_need_first(app_env: Path) -> None:
    at = run_page("pages/review.py")
    assert "Review queue" in [t.value for t in at.title]
    table = at.dataframe[0].value
    expected = review_queue(reviewed_events(store(app_env)).events)
    assert table["event_id"].tolist() == expected["event_id"].tolist()
    assert table["priority"].is_monotonic_decreasing and table["priority"].iloc[0] > 0
    assert "conflicting sources" in table["why"].iloc[0]


def test_correcting_a_figure_reaches_the_store_the_overview_and_the_queue(app_env: Path) -> None:
    db = store(app_env)
    before = [m.value for m in run_page("pages/overview.py").metric if m.label == "Killed"]
    at = run_page("pages/review.py")
    first = at.dataframe[0].value["event_id"].iloc[0]
    at.text_input(key="review_name").input("Ana")
    at.selectbox(key="queue_field").select("killed")
    at.text_input(key="queue_value").input("30")
    at.text_input(key="queue_note").input("governor's later figure")
    submit(at)
    assert any("Recorded: correct a field" in s.value for s in at.success)
    rows = load_corrections(db)
    assert len(rows) == 1 and rows.iloc[0]["reviewer"] == "Ana"
    assert rows.iloc[0]["event_id"] == first and rows.iloc[0]["value"] == 30
    # The corrected event leaves the queue; the next one comes up.
    assert first not in at.dataframe[0].value["event_id"].tolist()
    # Overview: the headline sums the corrected figure.
    ov = run_page("pages/overview.py")
    # (cards are per attacker: the corrected event's side shows the corrected sum)
    reviewed = filter_review(reviewed_events(db).events)
    side = str(reviewed.loc[reviewed["event_id"] == first, "attacker"].iloc[0])
    expected = headline(reviewed, side).killed
    killed = [m.value for m in ov.metric if m.label == "Killed"]
    assert fmt_int(expected) in killed and killed != before
    # Events page: the review column marks it; the corrected filter finds it.
    ev = run_page("pages/events.py", query={"review": "corrected"})
    table = ev.dataframe[0].value
    assert table["event_id"].tolist() == [first]
    assert table["killed"].iloc[0] == "30" and table["review"].iloc[0] == "✎ killed"
    # One click away (the panel's popover): the machine's value, the note and who decided.
    ev.session_state[f"ev_open_{first}"] = True  # the event opened in the list
    ev.run()
    details = next(d.value for d in ev.dataframe[1:] if "machine" in d.value.columns)
    assert details.iloc[0].to_dict() | {"when": ""} == {
        "field": "Killed",
        "corrected": "30",
        "machine": fmt_int(events_before_killed(db, first)),
        "note": "governor's later figure",
        "by": "Ana",
        "when": "",
    }


def test_the_name_is_required_and_remembered(app_env: Path) -> None:
    at = run_page("pages/review.py")
    at.selectbox(key="queue_field").select("killed")
    at.text_input(key="queue_value").input("4")
    submit(at)
    assert any("Give your name" in e.value for e in at.error)
    assert load_corrections(store(app_env)).empty
    at.text_input(key="review_name").input("Ben").run()
    at.switch_page("pages/events.py").run()
    at.switch_page("pages/review.py").run()
    assert at.text_input(key="review_name").value == "Ben"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("killed", "lots", "killed: 'lots' is not a whole number"),
        ("date", "yesterday", "date: 'yesterday' is not a date"),
        ("weapons", "drone, laser", "unknown weapon class 'laser'"),
        ("place", "Nowhereville Qq", "not in the offline gazetteer"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    app_env: Path, field: str, value: str, message: str
) -> None:
    version = store(app_env).version()
    at = run_page("pages/review.py")
    at.text_input(key="review_name").input("Ana")
    at.selectbox(key="queue_field").select(field)
    at.text_input(key="queue_value").input(value)
    submit(at)
    assert any(message in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]
    assert store(app_env).version() == version and load_corrections(store(app_env)).empty


def test_dismissed_events_are_hidden_and_listed_on_request(app_env: Path) -> None:
    at = run_page("pages/review.py")
    first = at.dataframe[0].value["event_id"].iloc[0]
    at.text_input(key="review_name").input("Ana")
    at.button_group(key="queue_action").set_value("dismiss").run()
    at.selectbox(key="queue_reason").select("background")
    submit(at)
    assert load_corrections(store(app_env)).iloc[0]["reason"] == "background"
    ev = run_page("pages/events.py")
    assert first not in ev.dataframe[0].value["event_id"].tolist()
    gone = run_page("pages/events.py", query={"review": "dismissed"})
    assert gone.dataframe[0].value["event_id"].tolist() == [first]
    assert gone.dataframe[0].value["review"].iloc[0] == "✕ dismissed"
    # The Review page lists them on request.
    at = run_page("pages/review.py")
    at.toggle(key="review_show_dismissed").set_value(True).run()
    assert first in at.dataframe[1].value["event_id"].tolist()


def test_merge_and_confirm_from_the_form(app_env: Path) -> None:
    events = reviewed_events(store(app_env)).events
    at = run_page("pages/review.py")
    first = at.dataframe[0].value["event_id"].iloc[0]
    other = next(e for e in events["event_id"] if e != first)
    at.text_input(key="review_name").input("Ana")
    at.button_group(key="queue_action").set_value("merge").run()
    at.text_input(key="queue_other_id").input(other)
    submit(at)
    after = reviewed_events(store(app_env)).events
    assert other not in set(after["event_id"]) and len(after) == len(events) - 1
    at.button_group(key="queue_action").set_value("merge").run()
    at.text_input(key="queue_other_id").input("0000000000000000")
    submit(at)
    assert any("no event '0000000000000000'" in e.value.replace("\\", "") for e in at.error)
    at.button_group(key="queue_action").set_value("confirm").run()
    submit(at)
    statuses = set(reviewed_events(store(app_env)).events["reviewed"])
    assert {"corrected", "confirmed"} <= statuses


def test_read_only_shows_no_form(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")
    at = run_page("pages/review.py")
    assert not [b for b in at.button if b.label == "Record decision"]
    assert any("Review is off" in c.value for c in at.caption)


def test_orphaned_decisions_are_listed_on_the_review_page(app_env: Path) -> None:
    row = {
        "action": "set",
        "event_id": "feedfacefeedface",
        "anchors": [{"article": "0000000000000000", "start": 10, "end": 80}],
        "field": "killed",
        "value": 5,
        "note": "made on another store",
        "reviewer": "Ana",
        "created_at": "2025-08-01T10:00:00+00:00",
    }
    rep = import_jsonl(Store(app_env), json.dumps(row) + "\n")
    assert rep.added == 1 and rep.orphaned == 1
    at = run_page("pages/review.py")
    assert any("1 decision(s) no longer find their event" in w.value for w in at.warning)
    listed = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert listed["event_id"].tolist() == ["feedfacefeedface"]
    assert listed["note"].tolist() == ["made on another store"]


def test_merged_events_show_every_source_in_their_panel(app_env: Path) -> None:
    from ui.data import _event_sources_of

    events = reviewed_events(store(app_env)).events
    at = run_page("pages/review.py")
    first = at.dataframe[0].value["event_id"].iloc[0]
    other = events["event_id"].iloc[-1]
    at.text_input(key="review_name").input("Ana")
    at.button_group(key="queue_action").set_value("merge").run()
    at.text_input(key="queue_other_id").input(other)
    submit(at)
    db = store(app_env)
    applied = reviewed_events(db)
    merged = applied.events[applied.events["event_id"] == first].iloc[0]
    n_before = sum(
        len(s) for s in events[events["event_id"].isin([first, other])]["sources"].tolist()
    )
    assert merged["n_sources"] == n_before and applied.structural
    rows = _event_sources_of(applied.events, db.articles())
    mine = rows[rows["event_id"] == first]
    assert len(mine) == n_before and mine["title"].notna().all()
    assert other not in set(rows["event_id"])


def test_with_sign_in_the_reviewer_is_the_signed_in_user(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-only-cookie-secret-of-forty-characters",
        "client_id": "test-client",
        "client_secret": "test-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": True, "name": "Ana", "email": "ana@team.example"}
    at.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [t for t in at.text_input if t.key == "review_name"]  # no name field
    at.selectbox(key="queue_field").select("killed")
    at.text_input(key="queue_value").input("6")
    submit(at)
    assert load_corrections(store(app_env)).iloc[0]["reviewer"] == "ana@team.example"


def test_review_filter_in_the_url() -> None:
    from ui.render.filters import Filters

    f = Filters.from_query({"review": ["corrected", "dismissed", "bogus"]})
    assert f.review == ("corrected", "dismissed") and f.active
    assert f.to_query() == {"review": ["corrected", "dismissed"]}
    assert Filters.from_query(f.to_query()) == f
    assert Filters().to_query() == {} and not Filters().active
