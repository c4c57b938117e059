"""Review in real headless Chromium: correct a figure on the Review page, then see it on the
Overview and in the Data page's CSV (a server of its own: the decision is written to its store)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from strikes.review import filter_review, review_queue, reviewed_events
from strikes.settings import Settings
from strikes.store.database import open_store
from tools.serve import ServerDidNotStart, serve, wait_idle
from ui.render.metrics import headline
from ui.render.theme import fmt_int

pytestmark = pytest.mark.browser


@pytest.fixture
def review_server(seed_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = tmp_path / "strikes.duckdb"
    shutil.copyfile(seed_db, db)
    env = {
        **os.environ,
        "STRIKES_DB_PATH": str(db),
        "STRIKES_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("STRIKES_READ_ONLY", None)
    try:
        with serve(env=env, log_path=tmp_path / "server.log") as (url, _proc):
            yield url, db
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


def test_correct_a_figure_and_see_it_on_the_overview_and_in_the_csv(
    browser, review_server, artifacts
) -> None:
    url, db = review_server
    store = open_store(settings=Settings.from_env(env={}, db_path=db), read_only=True)
    first = review_queue(reviewed_events(store).events).iloc[0]
    machine_killed = first["killed"]
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(url + "/review")
        wait_idle(page)
        page.get_by_role("heading", name="Review queue").wait_for(timeout=30000)
        name = page.get_by_role("textbox", name="Your name")
        name.fill("Ana")
        name.press("Tab")
        wait_idle(page)
        page.get_by_role("combobox", name="Field").click()
        page.get_by_role("option", name="Killed", exact=True).click()
        page.get_by_role("textbox", name="Corrected value").fill("30")
        note = page.get_by_role("textbox", name="Note (why)")
        note.fill("later figure from the governor")
        note.press("Enter")  # keyboard only: Enter in the form's last field records it
        page.get_by_text("Recorded: correct a field").first.wait_for(timeout=30000)
        wait_idle(page)
        page.screenshot(path=str(artifacts / "review-recorded.png"))

        events = filter_review(reviewed_events(store).events)
        row = events[events["event_id"] == first["event_id"]].iloc[0]
        assert row["killed"] == 30 and row["reviewed"] == "corrected"

        # Overview: the headline counts the corrected figure.
        page.goto(url + "/")
        wait_idle(page)
        # Cards are per attacker: the corrected event's side shows the corrected sum.
        killed = page.locator('[data-testid="stMetric"]').filter(has_text="Killed")
        killed.first.wait_for(timeout=30000)
        side = headline(events, str(row["attacker"])).killed
        assert any(fmt_int(side) in k for k in killed.all_inner_texts())

        # Data page: the CSV has the corrected value, the machine's beside it, and the status.
        page.goto(url + "/data")
        wait_idle(page)
        button = page.get_by_role("button", name="Download CSV").first
        button.wait_for(timeout=30000)
        with page.expect_download(timeout=60000) as info:
            button.click()
        data = Path(info.value.path()).read_text(encoding="utf-8-sig")
        rows = {r["event_id"]: r for r in csv.DictReader(io.StringIO(data))}
        got = rows[first["event_id"]]
        assert got["killed"] == "30" and got["reviewed"] == "corrected"
        assert got["killed_machine"] == ("" if machine_killed is None else str(machine_killed))
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
