"""The Official tallies page under AppTest: without an import it says how to get and import
the file; with the fixture imported it shows the comparison, follows the sidebar's date range,
and puts a night's official rows beside its news events."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from strikes import official as off
from strikes.settings import Settings
from strikes.store.database import open_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "pages/official.py"
FIXTURE = ROOT / "tests" / "fixtures" / "official" / "missile_attacks_daily.csv"


def run_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def imported(db: Path) -> None:
    store = open_store(settings=Settings.from_env(env={}, db_path=db))
    off.import_file(FIXTURE, store=store)


def test_without_an_import_the_page_says_how_to_get_one(app_env: Path) -> None:
    at = run_page()
    assert at.title[0].value == "Official tallies"
    (info,) = at.info
    assert off.DATASET_URL in info.value and off.LICENCE in info.value
    assert "python -m strikes official import missile_attacks_daily.csv" in info.value
    assert "not bundled" in info.value
    assert not at.metric and not at.get("plotly_chart")


def test_with_an_import_the_page_compares(app_env: Path) -> None:
    imported(app_env)
    at = run_page()
    assert not at.info
    m = metrics(at)
    assert m["Official nights"] == "13"
    assert m["Nights with a news figure"] == "3"
    assert m["News matches the official tally"] == "1"
    assert m["News differs"] == "2"
    caption = " ".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert "missile_attacks_daily.csv" in caption and off.LICENCE in caption
    assert "Shahed-238" in caption  # the unmapped model is reported
    assert len(at.get("plotly_chart")) == 2  # the nightly chart and the per-model chart
    table = at.dataframe[0].value
    assert set(table["Status"]) == {off.MATCH, off.NEWS_LOWER}
    j1 = table[(table["Night"] == "2025-07-01") & (table["Level"] == "night")].iloc[0]
    assert (j1["Official launched"], j1["News launched"], j1["Δ launched"]) == (54, 52, -2)

    # The night panel: the first differing night, its official rows and its news events.
    night = at.selectbox(key="official_night")
    assert night.value == "2025-07-01"
    text = " ".join(md.value for md in at.markdown)
    assert "54 launched, 40 destroyed" in text and "2 event(s)" in text
    (rows,) = [d.value for d in at.dataframe if "Window" in d.value.columns]
    assert rows["Model"].tolist() == ["Shahed-136/131", "Iskander-M/KN-23"]
    night.set_value("2025-07-06").run()
    assert not at.exception
    text = " ".join(md.value for md in at.markdown)
    assert "161 launched, 104 destroyed" in text

    # Per model: the model picker starts with the most launched model.
    assert at.selectbox(key="official_model").value == "Shahed-136/131"
    at.selectbox(key="official_model").set_value("Kalibr").run()
    assert not at.exception


def test_the_sidebar_date_range_applies(app_env: Path) -> None:
    imported(app_env)
    at = run_page({"from": "2025-07-02", "to": "2025-07-06"})
    m = metrics(at)
    assert m["Official nights"] == "3"  # 2, 4 and 6 July
    assert m["Nights with a news figure"] == "1" and m["News differs"] == "0"
    assert any("Nights 2 Jul 2025 – 6 Jul 2025" in c.value for c in at.caption)
    # A range without any official night: empty, but no error.
    at = run_page({"from": "2024-05-01", "to": "2024-06-01"})
    assert metrics(at)["Official nights"] == "0"
    assert any("No row with these statuses" in i.value for i in at.info)
    assert any("No official row in this date range" in i.value for i in at.info)


def _event_panel_script() -> None:
    import streamlit as st

    from ui.official import official_beside_event

    for ev in st.session_state["events"]:
        official_beside_event(ev)


def test_the_event_panel_shows_the_nights_official_tally(app_env: Path) -> None:
    """The Events page's selected-event panel (pages/events.py) calls official_beside_event."""
    ev = {"attacker": "Russia", "date_precision": "day", "date": "2025-07-04"}
    at = AppTest.from_function(_event_panel_script, default_timeout=60)
    at.session_state["events"] = [ev]
    at.run()
    assert not at.exception and not at.markdown  # nothing imported: nothing to show
    imported(app_env)
    at.session_state["events"] = [
        ev,
        {**ev, "date": "2025-07-05"},  # a night the file lacks
        {**ev, "attacker": "Ukraine"},  # not what the official figures count
        {**ev, "date": "2025-07", "date_precision": "month"},
    ]
    at.run()
    assert not at.exception
    (md,) = at.markdown
    assert "night of 4 Jul 2025" in md.value and "550 launched, 478 destroyed" in md.value
    assert at.dataframe[0].value["Model"].tolist() == ["Shahed-136/131", "Iskander-M"]
    (cap,) = at.caption
    assert "No official tally for the night of 5 Jul 2025" in cap.value
