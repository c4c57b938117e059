"""Event tables in real headless Chromium: a card list on a phone, the table on a desktop,
lower bounds shown with "+" (fixtures in conftest.py, helpers in test_browser.py)."""

from __future__ import annotations

import pytest
from test_browser import no_errors, showing, wait_idle

pytestmark = pytest.mark.browser

CARDS = ".st-key-events_table_cards"
TABLE = ".st-key-events_table_wide"


def _open(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    wait_idle(page)
    return page


def test_phone_gets_event_cards_instead_of_the_table(browser, streamlit_server, artifacts) -> None:
    page = _open(browser, streamlit_server + "/events", 390, 844)
    try:
        page.locator(f"{CARDS} .ev-card").first.wait_for(timeout=30000)
        no_errors(page)
        assert page.locator(TABLE).is_hidden()  # no 14-column table squeezed into 390 px
        cards = page.locator(f"{CARDS} .ev-card")
        assert cards.count() == showing(page)[0]
        text = page.locator(CARDS).inner_text()
        assert "(national tally)" in text and "national tally" in text
        # "more than 500 drones and two dozen missiles": a lower bound, never shown as exact.
        assert "launched 524+" in text, text[:400]
        assert " article" in text and "outlet" in text  # sources counted by article
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone
        page.screenshot(path=str(artifacts / "events-phone.png"))
    finally:
        page.close()


def test_desktop_gets_the_table_and_plus_in_the_event_panel(browser, streamlit_server) -> None:
    page = _open(browser, streamlit_server + "/events", 1440, 900)
    try:
        page.locator(f"{TABLE} [data-testid='stDataFrame']").first.wait_for(timeout=30000)
        assert page.locator(CARDS).is_hidden()
        expander = page.locator("[data-testid='stExpander']").filter(has_text="launched 524+")
        assert expander.count() == 1
        expander.first.locator("summary").click()
        wait_idle(page)
        facts = expander.first.inner_text()
        assert "524+" in facts and "Sources" in facts and "1 article, 1 outlet" in facts
    finally:
        page.close()
