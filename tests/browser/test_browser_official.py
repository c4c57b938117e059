"""The Official tallies page in headless Chromium, on a store with the fixture imported:
the comparison chart draws its bars and markers; screenshots of the chart and of the page
(desktop and phone widths) go to tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import no_errors, open_page, screenshot, wait_idle

from tools.serve import ServerDidNotStart, serve

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "official" / "missile_attacks_daily.csv"


@pytest.fixture(scope="module")
def official_server(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from strikes import official as off
    from strikes.settings import Settings
    from strikes.store.database import open_store

    folder = tmp_path_factory.mktemp("official-server")
    db = folder / "strikes.duckdb"
    shutil.copyfile(seed_db, db)
    off.import_file(FIXTURE, store=open_store(settings=Settings.from_env(env={}, db_path=db)))
    env = {**os.environ, "STRIKES_DB_PATH": str(db), "XDG_CACHE_HOME": str(folder / "cache")}
    env.pop("STRIKES_READ_ONLY", None)
    try:
        with serve(env=env, log_path=folder / "server.log") as (url, _proc):
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


def test_comparison_chart_draws(browser, official_server, artifacts) -> None:
    page = open_page(browser, official_server + "/official")
    try:
        page.get_by_role("heading", name="Official tallies").first.wait_for(timeout=30000)
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=30000)
        time.sleep(1.5)
        no_errors(page)
        # 13 nights: two bar traces of 13 bars; the news markers: one match, two lower.
        assert chart.locator(".barlayer .trace").count() == 2
        assert chart.locator(".barlayer .point").count() == 26
        assert chart.locator(".scatterlayer .point").count() == 3
        legend = chart.locator(".legend .legendtext").all_text_contents()  # SVG: no inner_text
        assert "News launched: match" in legend and "News launched: news lower" in legend
        assert chart.locator(".annotation-text").all_text_contents() == ["-2", "-2"]
        chart.screenshot(path=str(artifacts / "official-chart.png"))
        screenshot(page, artifacts / "official.png")
        page.set_viewport_size({"width": 390, "height": 844})
        wait_idle(page)
        time.sleep(1.0)
        page.screenshot(path=str(artifacts / "official-phone.png"), full_page=False)
        no_errors(page)
    finally:
        page.close()
