"""The dashboard in real headless Chromium against `streamlit run` (fixtures in conftest.py).

Screenshots of every page are written to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import io
import re
import time

import pytest

from tools.serve import wait_idle

pytestmark = pytest.mark.browser

PAGES = {
    "overview": ("/", "Overview"),
    "map": ("/map", "Strike map"),
    "events": ("/events", "Events"),
    "sources": ("/sources", "Sources"),
    "review": ("/review", "Review queue"),
    "data": ("/data", "Data"),
    "add": ("/add_articles", "Add articles"),
}
SHOWING = re.compile(r"Showing ([\d,]+) of ([\d,]+) events")

POLTAVA = b"""Russian drones hit Poltava overnight

date 2025-08-10

A Russian drone hit an apartment building in Poltava, killing two people and injuring 11, the
regional governor said on Sunday.
"""
HOSTILE = b"""Drone strike on Sumy <script>alert(1)</script>

date 2025-08-11

A Russian drone hit Sumy <img src=x onerror=alert(2)>, killing three people, officials said on
Monday. <b onmouseover=alert(4)>bold</b>
"""


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(url)
    wait_idle(page)
    return page


def showing(page) -> tuple[int, int]:
    text = page.locator('[data-testid="stMain"]').inner_text()
    m = SHOWING.search(text)
    assert m, text[:500]
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def screenshot(page, path) -> None:
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : 1000 }"
    )
    page.set_viewport_size({"width": 1440, "height": int(min(max(height + 40, 900), 5000))})
    time.sleep(1.0)
    page.screenshot(path=str(path))


def no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads(browser, streamlit_server, artifacts, name) -> None:
    path, title = PAGES[name]
    page = open_page(browser, streamlit_server + path)
    try:
        page.get_by_role("heading", name=title).first.wait_for(timeout=30000)
        no_errors(page)
        # The one sidebar of filters is on every page (it may land after the heading).
        filters = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        filters.nth(4).wait_for(timeout=30000)
        assert filters.count() == 5  # attacker, weapon, country, region, review status
        if name == "map":
            page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=30000)
            time.sleep(3)  # let deck.gl draw
        if name == "overview":
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30000)
        screenshot(page, artifacts / f"{name}.png")
        assert not page.dialogs
    finally:
        page.close()


def test_map_draws_offline(browser, streamlit_server) -> None:
    """The map canvas shows the country outlines and the strikes with no tiles (offline)."""
    from PIL import Image

    page = open_page(browser, streamlit_server + "/map")
    try:
        canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
        canvas.wait_for(timeout=30000)
        box = canvas.bounding_box()
        assert box and box["width"] > 400 and box["height"] > 300
        time.sleep(3)
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        img = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        colors = img.getcolors(maxcolors=1 << 20) or []
        counts = {c: n for n, c in colors}

        def near(rgb, tol=18):
            return sum(
                n
                for c, n in counts.items()
                if all(abs(a - b) <= tol for a, b in zip(c, rgb, strict=True))
            )

        assert near((0xE2, 0xE5, 0xE8), 6) > 1000, "no sea background (offline style)"
        assert near((252, 251, 248), 6) > 1000, "no land (Natural Earth base layer)"
        assert near((0xD5, 0x5E, 0x00), 30) > 30, "no Russian strike pins"
    finally:
        page.close()


def test_charts_render(browser, streamlit_server) -> None:
    page = open_page(browser, streamlit_server + "/")
    try:
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30000)
        page.set_viewport_size({"width": 1440, "height": 3200})  # charts below the fold too
        page.locator(".js-plotly-plot").nth(2).wait_for(timeout=30000)
        assert page.locator(".js-plotly-plot").count() >= 3
        assert page.locator(".js-plotly-plot g.point").count() > 0  # bars were drawn
        text = page.locator(".js-plotly-plot").first.inner_text()
        assert "Barrages per night" in text and "Weapons" in text  # title and axis label
    finally:
        page.close()


def test_filter_changes_the_event_count_and_url(browser, streamlit_server) -> None:
    page = open_page(browser, streamlit_server + "/events")
    try:
        shown, total = showing(page)
        assert shown == total
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        box.click()
        page.keyboard.type("Ukraine")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        time.sleep(0.5)
        wait_idle(page)
        filtered, total2 = showing(page)
        assert total2 == total and 0 < filtered < total
        assert "attacker=Ukraine" in page.url
        # The link survives a reload (and would in another browser).
        page.reload()
        wait_idle(page)
        assert showing(page) == (filtered, total)
    finally:
        page.close()


def _upload(
    browser, base: str, name: str, data: bytes, *, title: str = "", outlet: str = "", go=True
) -> object:
    page = open_page(browser, base + "/add_articles")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}]
    )
    time.sleep(1.0)
    if title:
        page.get_by_label("Title (optional)").first.fill(title)
    if outlet:
        page.get_by_label("Outlet (optional)").first.fill(outlet)
    if go:
        page.get_by_role("button", name="Upload and add", exact=True).click()
        time.sleep(0.5)
        wait_idle(page, timeout=120)
    return page


HANDLERS_WITH_ALERT = """() => [...document.querySelectorAll('*')].filter(
    el => [...el.attributes].some(a => a.name.startsWith('on') && a.value.includes('alert'))
).length"""


def test_uploaded_article_appears_in_the_events(browser, streamlit_server) -> None:
    page = _upload(browser, streamlit_server, "poltava.txt", POLTAVA)
    try:
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "added 1 article" in main, main[-1500:]
        page.goto(streamlit_server + "/events?q=poltava")
        wait_idle(page)
        shown, _ = showing(page)
        assert shown >= 1
        assert "Poltava" in page.locator('[data-testid="stMain"]').inner_text()
    finally:
        page.close()


def test_hostile_article_renders_as_text(browser, streamlit_server, artifacts) -> None:
    page = _upload(
        browser,
        streamlit_server,
        "sumy<script>.txt",
        HOSTILE,
        title="<script>alert(3)</script>",
        outlet="<img src=x onerror=alert(5)>Evil Outlet",
    )
    try:
        assert "added 1 article" in page.locator('[data-testid="stMain"]').inner_text()
        assert page.evaluate(HANDLERS_WITH_ALERT) == 0
        # The article on the Sources page (the search filter applies there too): title,
        # cleaned text with highlighted spans.
        page.goto(streamlit_server + "/sources?q=sumy")
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "<script>alert(3)</script>" in main  # the title, shown as text
        assert "<img src=x onerror=alert(2)>" in main  # the body, shown as text
        assert "<img src=x onerror=alert(5)>Evil Outlet" in main  # the outlet, as text
        assert page.evaluate(HANDLERS_WITH_ALERT) == 0
        screenshot(page, artifacts / "sources-hostile.png")
        # Its event with the source sentence on the Events page.
        page.goto(streamlit_server + "/events?q=sumy")
        wait_idle(page)
        assert showing(page)[0] >= 1
        page.locator('[data-testid="stExpander"] summary').first.click()
        time.sleep(1.0)
        wait_idle(page)  # opening an event reruns the page to build its sources
        assert "<img src=x onerror=alert(2)>" in page.locator('[data-testid="stMain"]').inner_text()
        counts = page.evaluate(
            """() => ({
                img: document.querySelectorAll('img[onerror], [onmouseover]').length,
                script: [...document.querySelectorAll('script')]
                    .filter(s => (s.textContent || '').includes('alert(')).length,
                b: document.querySelectorAll('b[onmouseover]').length,
            })"""
        )
        assert counts == {"img": 0, "script": 0, "b": 0}
        assert page.evaluate(HANDLERS_WITH_ALERT) == 0
        # The source panel names the article by its (hostile) title, as text.
        assert (
            "Source 1: <script>alert(3)</script>"
            in page.locator('[data-testid="stMain"]').inner_text()
        )
        assert not page.dialogs, page.dialogs
    finally:
        page.close()


def test_clicking_a_strike_shows_its_sources(browser, streamlit_server, artifacts) -> None:
    from PIL import Image

    page = open_page(browser, streamlit_server + "/map")
    try:
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        chart.locator("canvas").first.wait_for(timeout=30000)
        time.sleep(3)
        img = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        box = chart.bounding_box()  # the element screenshot scrolls the chart into view
        px = img.load()
        pins = sorted(
            (x, y)
            for x in range(0, img.size[0], 2)
            for y in range(0, img.size[1], 2)
            if abs(px[x, y][0] - 0xD5) < 12 and abs(px[x, y][1] - 0x5E) < 12 and px[x, y][2] < 12
        )
        assert pins, "no strike pin drawn"
        x, y = pins[len(pins) // 2]
        page.mouse.move(box["x"] + x, box["y"] + y)
        time.sleep(1.0)
        tips = page.evaluate(
            "() => [...document.querySelectorAll('.deck-tooltip')].map(e => e.innerText)"
        )
        assert any("Attacker: Russia" in t for t in tips), tips  # hover: the tooltip
        page.mouse.down()
        page.mouse.up()
        time.sleep(1.0)
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Source 1" in main, main[-800:]
        assert page.locator("mark.st-span").count() > 0  # highlighted source sentence
        screenshot(page, artifacts / "map-selected.png")
    finally:
        page.close()


SELECTED = re.compile(r"Selected on the chart: ([\d,]+) night\(s\) · ([\d,]+) event\(s\)")


def test_clicking_a_bar_lists_that_nights_events(browser, streamlit_server) -> None:
    """A click on a bar of the barrage timeline selects that night: its events are listed."""
    page = open_page(browser, streamlit_server + "/")
    try:
        bars = page.locator(".js-plotly-plot").first.locator("g.point path")
        bars.first.wait_for(timeout=30000)
        time.sleep(1.5)  # plotly binds its handlers after the first draw
        m = None
        for _attempt in range(3):
            bars.first.scroll_into_view_if_needed()
            bb = bars.first.bounding_box()
            x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
            page.mouse.move(x, y)
            time.sleep(0.3)
            page.mouse.click(x, y)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and m is None:
                time.sleep(0.5)
                m = SELECTED.search(page.locator('[data-testid="stMain"]').inner_text())
            if m:
                break
        assert m, page.locator('[data-testid="stMain"]').inner_text()[:2000]
        wait_idle(page)
        assert int(m.group(1)) == 1 and 0 < int(m.group(2)) < showing(page)[0]
        # The night clicked is the bar's own (its customdata: date, attacker, ...).
        night = page.evaluate(
            "() => { const g = document.querySelector('.js-plotly-plot');"
            " const p = (g._fullData || []).find(t => t.selectedpoints && t.selectedpoints.length);"
            " return p ? p.customdata[p.selectedpoints[0]].slice(0, 2) : null }"
        )
        assert night and re.match(r"\d{4}-\d{2}-\d{2}$", night[0]), night
    finally:
        page.close()


def test_dragging_a_range_under_the_timeline_filters_the_list(browser, streamlit_server) -> None:
    """A plain drag (no toolbar step) across the strip under the timeline selects a range of
    nights: their events are listed; a click on a bar then selects that night instead."""
    page = open_page(browser, streamlit_server + "/")
    pattern = re.compile(r"Selected range on the chart: (\S+) to (\S+) · ([\d,]+) event\(s\)")
    try:
        strip = page.locator(".js-plotly-plot", has_text="Drag across this strip").first
        drag = strip.locator(".nsewdrag").first
        drag.wait_for(timeout=30000)
        time.sleep(1.5)  # plotly binds its drag handlers after the first draw
        m = None
        for _attempt in range(3):
            strip.scroll_into_view_if_needed()  # the mouse works on what is on screen
            time.sleep(0.5)
            bb = drag.bounding_box()
            y = bb["y"] + bb["height"] / 2
            page.mouse.move(bb["x"] + bb["width"] * 0.01, y)
            page.mouse.down()
            page.mouse.move(bb["x"] + bb["width"] * 0.2, y + 5, steps=8)
            page.mouse.up()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and m is None:
                time.sleep(0.5)
                m = pattern.search(page.locator('[data-testid="stMain"]').inner_text())
            if m:
                break
        assert m, page.locator('[data-testid="stMain"]').inner_text()[:2000]
        wait_idle(page)
        assert m.group(1) <= m.group(2)
        assert 0 < int(m.group(3).replace(",", "")) < showing(page)[0]
        # The list's dates are inside the range.
        table = page.locator('[data-testid="stMain"]').inner_text()
        assert "Selected range" in table
        # A click on a bar now lists that night (the chart used last wins).
        bars = page.locator(".js-plotly-plot").first.locator("g.point path")
        bars.first.scroll_into_view_if_needed()
        time.sleep(0.5)
        bb = bars.first.bounding_box()
        x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
        page.mouse.move(x, y)
        time.sleep(0.3)
        page.mouse.click(x, y)
        deadline = time.monotonic() + 15
        hit = None
        while time.monotonic() < deadline and hit is None:
            time.sleep(0.5)
            hit = SELECTED.search(page.locator('[data-testid="stMain"]').inner_text())
        assert hit, page.locator('[data-testid="stMain"]').inner_text()[:2000]
        no_errors(page)
    finally:
        page.close()


def test_two_sessions_upload_at_once(browser, streamlit_server) -> None:
    """Two visitors press "Upload and add" at the same moment: both articles land (the store's
    writers queue on its lock), both see their result, and both events are listed."""
    stories = {
        "kherson.txt": b"Drone hits bus in Kherson\n\ndate 2025-08-13\n\nA Russian drone hit a "
        b"bus in Kherson overnight, injuring four people, the regional governor said.\n",
        "chernihiv.txt": b"Missile strike on Chernihiv\n\ndate 2025-08-14\n\nA Russian missile "
        b"hit an office building in Chernihiv overnight, killing one person, officials said.\n",
    }
    pages = [
        _upload(browser, streamlit_server, name, data, go=False) for name, data in stories.items()
    ]
    try:
        for page in pages:
            page.get_by_role("button", name="Upload and add", exact=True).click()
        for page in pages:
            time.sleep(0.5)
            wait_idle(page, timeout=120)
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "added 1 article" in main, main[-1500:]
            no_errors(page)
        for place in ("Kherson", "Chernihiv"):
            pages[0].goto(streamlit_server + f"/events?q={place.lower()}")
            wait_idle(pages[0])
            assert showing(pages[0])[0] >= 1, place
            assert place in pages[0].locator('[data-testid="stMain"]').inner_text()
    finally:
        for page in pages:
            page.close()


def test_downloads_are_built_when_clicked(browser, streamlit_server) -> None:
    """The Data page's exports are built when a button is clicked (Streamlit's deferred
    download), not on every run: the file still arrives, complete."""
    import csv
    from pathlib import Path

    page = open_page(browser, streamlit_server + "/data")
    try:
        shown = showing(page)[0]
        button = page.get_by_role("button", name="Download CSV").first
        button.wait_for(timeout=30000)
        with page.expect_download(timeout=60000) as info:
            button.click()
        data = Path(info.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(data)))
        assert rows[0][0] == "event_id" and len(rows) - 1 == shown
        no_errors(page)
    finally:
        page.close()


# A phone as the app sees one: its size, touch, and a phone's user agent (Streamlit closes
# the sidebar after a page link is tapped on a device whose user agent says "mobile").
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
}


def _sidebar_covers(page) -> float:
    """The share of the screen's width the open sidebar takes (0 when it is closed)."""
    return page.evaluate(
        """() => { const s = document.querySelector('[data-testid="stSidebar"]');
        if (!s) return 0; const r = s.getBoundingClientRect();
        const shown = s.getAttribute('aria-expanded') !== 'false' && r.right > 0;
        return shown ? Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0))
            / innerWidth : 0 }"""
    )


def test_phone_first_visit_shows_content(browser, streamlit_server, artifacts) -> None:
    """At 390x844 the filters do not cover the screen on a first visit or a shared link: the
    page's content is in view, the filters one tap away."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        for path, title in (("/", "Overview"), ("/events?attacker=Ukraine", "Events")):
            page.goto(streamlit_server + path)
            wait_idle(page)
            heading = page.get_by_role("heading", name=title).first
            heading.wait_for(timeout=30000)
            time.sleep(1.0)
            assert _sidebar_covers(page) < 0.2, path
            box = heading.bounding_box()
            assert box and 0 <= box["x"] < 390 and box["y"] < 844, path
        page.screenshot(path=str(artifacts / "phone-events.png"))
        # The filters are one tap away ...
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
        time.sleep(1.0)
        assert _sidebar_covers(page) > 0.5
    finally:
        context.close()


def test_phone_page_switch_shows_content(browser, streamlit_server, artifacts) -> None:
    """On a phone, picking another page in the open sidebar closes it: the new page's content
    is in view, not the filters (each page switch, not only the first visit)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(streamlit_server + "/")
        wait_idle(page)
        page.get_by_role("heading", name="Overview").first.wait_for(timeout=30000)
        for title in ("Map", "Events", "Overview"):
            page.locator(
                '[data-testid="stExpandSidebarButton"], '
                '[data-testid="stSidebarCollapsedControl"] button'
            ).first.click()
            time.sleep(1.0)
            assert _sidebar_covers(page) > 0.5, "the filters should open with one tap"
            page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
            heading = page.get_by_role("heading", name=title).first
            heading.wait_for(timeout=60000)
            wait_idle(page)
            time.sleep(1.0)
            assert _sidebar_covers(page) < 0.2, title
            box = heading.bounding_box()
            assert box and 0 <= box["x"] < 390 and box["y"] < 844, title
            if title == "Map":
                page.screenshot(path=str(artifacts / "phone-after-switch.png"))
    finally:
        context.close()


def test_map_plays_night_by_night(browser, streamlit_server) -> None:
    """ "Play by night" steps the Night slider on by itself (the fragment's clock), night
    after night in order; turning it off stops there."""
    import datetime as _dt

    page = open_page(browser, streamlit_server + "/map")
    try:
        thumb = page.locator('[data-testid="stSliderThumbValue"]').first
        thumb.wait_for(timeout=30000)
        assert thumb.inner_text().strip() == "All nights"
        page.get_by_text("Play by night", exact=True).click()
        seen: list[str] = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(seen) < 3:
            text = thumb.inner_text().strip()
            if text != "All nights" and (not seen or seen[-1] != text):
                seen.append(text)
            time.sleep(0.3)
        assert len(seen) >= 3, seen
        days = [_dt.datetime.strptime(s, "%d %b %Y").date() for s in seen]
        assert days == sorted(days) and len(set(days)) == len(days), seen
        page.get_by_text("Play by night", exact=True).click()
        wait_idle(page)
        paused = thumb.inner_text().strip()
        time.sleep(5)
        assert thumb.inner_text().strip() == paused
        no_errors(page)
    finally:
        page.close()


def test_static_serving_gives_the_base_layer_and_nothing_else(streamlit_server) -> None:
    """enableStaticServing serves ./static (the built outlines) and nothing outside it: no
    path out of the folder reaches the app's code, config or store."""
    import urllib.error
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]

    def get(path: str) -> tuple[int, object, bytes]:
        try:
            with urllib.request.urlopen(streamlit_server + path, timeout=30) as r:
                return r.status, r.headers, r.read()  # headers: case-insensitive
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    status, headers, body = get("/app/static/countries-50m.geojson")
    assert status == 200 and body == (root / "static" / "countries-50m.geojson").read_bytes()
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Content-Type", "").startswith("application/geo+json")
    secrets = [(root / name).read_bytes()[:200] for name in ("app.py", ".streamlit/config.toml")]
    for path in (
        "/app/static/../app.py",
        "/app/static/%2e%2e/app.py",
        "/app/static/..%2fapp.py",
        "/app/static/%2e%2e%2f.streamlit%2fconfig.toml",
        "/app/static//etc/passwd",
        "/app/static/",
        "/app/static/missing.geojson",
    ):
        status, _, body = get(path)
        assert status in (400, 403, 404), (path, status)
        assert not any(s in body for s in secrets) and b"root:" not in body, path
