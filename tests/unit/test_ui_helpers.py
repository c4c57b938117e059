"""Pure dashboard helpers: highlighting, filters and their URL form, formats, charts,
headline figures and upload checks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from strikes.documents import uploads as ingest
from strikes.errors import InputRejected
from strikes.schema import EVENTS, conform
from strikes.settings import Settings
from strikes.views import barrages_by_weapon, filter_events, monthly_totals
from ui.render import charts
from ui.render.filters import Filters, query_differs
from ui.render.highlight import esc, highlight
from ui.render.metrics import headlines
from ui.render.theme import attacker_color, fmt_date, fmt_int, fmt_pct, weapon_color

CASES = Path(__file__).resolve().parents[1] / "cases"


def seed_events() -> pd.DataFrame:
    return conform(json.loads((CASES / "events_seeds.json").read_text("utf-8")), EVENTS)


# ------------------------------------------------------------------ highlighting


def test_highlight_escapes_text_and_marks_spans() -> None:
    text = "A drone <img src=x onerror=alert(1)> hit Kyiv, killing 2."
    spans = [
        {"start": 2, "end": 7, "label": "weapon"},
        {"start": 41, "end": 45, "label": "place"},
        {"start": 55, "end": 56, "label": "casualty"},
    ]
    out = highlight(text, spans)
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert out.count("<mark") == 3
    assert ">drone</mark>" in out and ">Kyiv</mark>" in out and ">2</mark>" in out


def test_highlight_with_offsets_overlaps_and_bad_spans() -> None:
    sentence = "Russia launched 550 drones."
    spans = [
        {"start": 116, "end": 119, "label": "number"},  # "550" at article offset 100 + 16
        {"start": 116, "end": 126, "label": "weapon"},  # overlaps: clipped, never nested
        {"start": 5, "end": 9, "label": "place"},  # outside the sentence: ignored
        {"start": "x", "end": None},  # malformed: ignored
    ]
    out = highlight(sentence, spans, offset=100)
    assert out.count("<mark") == 2
    # The shorter, more specific span wins its characters; the longer keeps the rest.
    assert 'title="number" ' in out and ">550</mark> <mark" in out and ">drones</mark>" in out
    assert "<mark" not in out.split("</mark>")[0].split("<mark", 1)[1]  # not nested
    assert out.endswith("</mark>.")


def test_spans_with_markup_inside_are_escaped() -> None:
    text = "<script>alert(1)</script> 3 killed"
    out = highlight(text, [{"start": 0, "end": 8, "label": "number"}])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert esc('"x" & <y>') == "&quot;x&quot; &amp; &lt;y&gt;"


# ------------------------------------------------------------------ filters and URL


def test_filters_round_trip_through_the_query() -> None:
    f = Filters(
        date_from="2025-07-01",
        date_to="2025-07-06",
        attackers=("Russia",),
        weapons=("drone", "missile"),
        countries=("UA",),
        regions=("Kyiv City",),
        text="kyiv",
    )
    q = f.to_query()
    assert q == {
        "from": "2025-07-01",
        "to": "2025-07-06",
        "attacker": ["Russia"],
        "weapon": ["drone", "missile"],
        "country": ["UA"],
        "region": ["Kyiv City"],
        "q": "kyiv",
    }
    assert Filters.from_query(q) == f
    assert Filters().to_query() == {}
    assert not query_differs({"attacker": ["Russia"]}, {"attacker": "Russia"})
    assert query_differs({}, {"q": "x"})


def test_bad_query_values_are_dropped() -> None:
    opts = {"attackers": ["Russia", "Ukraine"], "countries": ["RU", "UA"], "regions": []}
    f = Filters.from_query(
        {
            "from": "soon",
            "to": "2025-13-40",
            "attacker": ["Atlantis", "Ukraine"],
            "weapon": ["laser", "drone"],
            "country": ["ua", "zz"],
            "region": "Nowhere",
        },
        options=opts,
    )
    assert f == Filters(attackers=("Ukraine",), weapons=("drone",), countries=("UA",))
    swapped = Filters.from_query({"from": "2025-07-06", "to": "2025-07-01"})
    assert (swapped.date_from, swapped.date_to) == ("2025-07-01", "2025-07-06")


def test_filters_apply_like_filter_events() -> None:
    ev = seed_events()
    f = Filters(attackers=("Ukraine",), weapons=("drone",), date_from="2025-07-01")
    got = f.apply(ev)
    want = filter_events(ev, attackers=["Ukraine"], weapons=["drone"], date_from="2025-07-01")
    assert list(got["event_id"]) == list(want["event_id"]) and len(got) > 0
    assert f.active and not Filters().active


# ------------------------------------------------------------------ formats, colours


def test_formats() -> None:
    assert fmt_int(5438) == "5,438"
    assert fmt_int(0) == "0"
    assert fmt_int(None) == "—" and fmt_int(pd.NA) == "—"
    assert fmt_pct(0.875) == "88%" and fmt_pct(None) == "—"
    assert fmt_date("2025-07-06") == "6 Jul 2025"
    assert fmt_date("2025-06-01", "month") == "Jun 2025"
    assert fmt_date("2024-01-01", "year") == "2024"
    assert fmt_date(None) == "undated"


def test_colours_are_stable_and_distinct() -> None:
    assert attacker_color("Russia") != attacker_color("Ukraine")
    assert attacker_color("Belarus") == attacker_color("Belarus")
    assert weapon_color("drone") != weapon_color("missile")


# ------------------------------------------------------------------ charts and metrics


def test_timeline_figure_is_labelled_and_selectable() -> None:
    ev = seed_events()
    fig = charts.barrage_timeline(barrages_by_weapon(ev), attackers=["Russia", "Ukraine"])
    assert "Barrages per night" in fig.layout.title.text
    assert [a.text for a in fig.layout.annotations] == ["Attacks by Russia", "Attacks by Ukraine"]
    assert fig.layout.yaxis.title.text == "Weapons"
    assert any(t.marker.pattern.shape == "/" for t in fig.data)  # intercepted: hatched
    cds = [cd for t in fig.data if t.customdata is not None for cd in t.customdata]
    assert ["2025-07-04", "Russia", "launched", "mixed", "2025-07-04"] in [list(c) for c in cds]
    # A click selects a bar: Streamlit keeps click selection only without a select dragmode.
    assert fig.layout.clickmode == "event+select" and fig.layout.dragmode is None
    # ... and the strip under it takes the drag that selects a range (horizontal select).
    strip = charts.range_strip(ev["date"])
    assert strip.layout.dragmode == "select" and strip.layout.selectdirection == "h"
    per_night = ev["date"].dropna().value_counts()
    assert dict(zip(strip.data[0].x, strip.data[0].y, strict=True)) == per_night.to_dict()
    lo, hi = strip.layout.xaxis.range
    assert lo < min(per_night.index) and hi > max(per_night.index)
    # One span for the timeline and the strip: the bars' dates padded by half a bin.
    days = pd.Series(["2025-06-03", "2025-06-01", None])
    assert charts.time_span(days) == ("2025-05-31T12:00:00", "2025-06-03T12:00:00")
    assert charts.time_span(days, "week") == ("2025-05-28T12:00:00", "2025-06-06T12:00:00")
    assert charts.time_span(pd.Series([], dtype=object)) is None
    long = charts.time_span(pd.Series(["2025-01-01", "2025-02-20"]))  # 50 days: 2 days' pad
    assert long == ("2024-12-30T00:00:00", "2025-02-22T00:00:00")
    span = ("2025-06-30T12:00:00", "2025-07-06T12:00:00")
    assert tuple(charts.range_strip(ev["date"], span=span).layout.xaxis.range) == span
    assert fig.layout.xaxis2.rangeslider.visible  # the last row's axis: a range slider
    month = charts.monthly_chart(monthly_totals(ev))
    # A real time axis: months are dates (a gap in the data is a gap on the axis).
    assert month.layout.xaxis.title.text == "Month" and month.layout.xaxis.type == "date"
    assert "2025-06-15" in month.data[0].x
    empty = charts.barrage_timeline(barrages_by_weapon(ev.iloc[0:0]))
    assert "No night" in empty.layout.annotations[0].text


def test_chart_selection_maps_to_nights() -> None:
    sel = {
        "points": [{"customdata": ["2025-07-04", "Russia", "launched", "mixed"]}],
        "box": [{"x": ["2025-07-06T12:00:00", "2025-07-01"]}],
    }
    nights, box = charts.selected_nights(sel)
    assert nights == {("2025-07-04", "Russia")}
    assert box == ("2025-07-01", "2025-07-06")
    assert charts.selected_nights(None) == (set(), None)
    # The nights of a box are those whose bar (centred on midnight) it covers.
    drag = {"box": [{"x": ["2025-05-31 18:00:00", "2025-06-03 02:00"]}]}
    assert charts.selected_nights(drag) == (set(), ("2025-06-01", "2025-06-03"))
    assert charts.selected_nights({"box": [{"x": ["2025-06-01 03:00", "2025-06-01 20:00"]}]}) == (
        set(),
        None,
    )
    # A week's bar (binned timeline) selects its days.
    week = {"points": [{"customdata": ["2025-06-02", "Russia", "launched", "drone", "2025-06-08"]}]}
    assert charts.selected_nights(week) == (set(), ("2025-06-02", "2025-06-08"))


def test_binned_timeline_with_average_line() -> None:
    from strikes.views import barrages_per_night, bin_nights, rolling_launched

    ev = seed_events()
    daily = charts.barrage_timeline(
        barrages_by_weapon(ev), rolling=rolling_launched(barrages_per_night(ev))
    )
    lines = [t for t in daily.data if t.type == "scatter"]
    assert lines and "7-day average" in lines[0].name
    weekly = charts.barrage_timeline(bin_nights(barrages_by_weapon(ev), "W"), bin_label="week")
    assert "per week" in weekly.layout.title.text
    assert all(t.customdata[0][4] > t.customdata[0][0] for t in weekly.data)


def test_headline_figures_are_per_attacker() -> None:
    ru, ua = headlines(seed_events())
    # The seeds: Russia's barrages report launched, Ukraine's only intercepted; the old single
    # card added them up (1,126 launched "and" 219 intercepted of different sides' attacks).
    assert (ru.attacker, ru.barrages, ru.launched, ru.intercepted) == ("Russia", 4, 1126, None)
    assert (ua.attacker, ua.barrages, ua.launched, ua.intercepted) == ("Ukraine", 3, None, 219)
    assert (ru.killed, ru.injured, ua.killed, ua.injured) == (6, 11, 3, 37)
    assert ru.events + ua.events == 20 and ru.intercept_rate is None is ua.intercept_rate
    assert headlines(seed_events().iloc[0:0]) == ()


def _night(attacker: str, date: str, launched: int, intercepted: int, **kw) -> dict:
    return {
        "event_id": f"{attacker}-{date}",
        "date": date,
        "date_precision": "day",
        "attacker": attacker,
        "location": "Ukraine" if attacker == "Russia" else "Russia",
        "country_code": "UA" if attacker == "Russia" else "RU",
        "geo_precision": "country",
        "kind": "total",
        "launched": launched,
        "intercepted": intercepted,
        "weapons": ["drone"],
        **kw,
    }


def test_intercept_rate_is_per_attacker_and_says_its_nights() -> None:
    events = conform(
        [
            _night("Russia", "2025-07-01", 100, 90, bounds=["launched"]),
            _night("Russia", "2025-07-02", 200, None),
            _night("Ukraine", "2025-07-01", 50, 10),
        ],
        EVENTS,
    )
    ru, ua = headlines(events)
    assert (ru.intercept_rate, ru.rate_nights, ru.barrages) == (0.9, 1, 2)
    assert (ua.intercept_rate, ua.rate_nights) == (0.2, 1)  # mixed, it would be 100 / 150
    assert ru.launched == 300 and ru.floors == {"launched"} and ua.floors == frozenset()


# ------------------------------------------------------------------ uploads


def test_upload_names_are_never_paths() -> None:
    assert ingest.safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert ingest.safe_name("C:\\Users\\x\\report.html") == "report.html"
    assert ingest.safe_name("a<script>.md") == "a_script_.md"
    assert ingest.safe_name("") == "upload.txt"


def test_uploads_checked_for_type_size_and_emptiness() -> None:
    s = Settings.from_env(env={}, max_file_bytes=100)
    prep = ingest.from_uploads(
        [
            ("ok.txt", b"Russia launched 5 drones."),
            ("bad.exe", b"MZ"),
            ("big.md", b"x" * 101),
            ("empty.html", b"  "),
        ],
        settings=s,
        published=dt.date(2025, 7, 1),
        outlet="AP",
    )
    assert [d.name for d in prep.docs] == ["upload-b22d770015-ok.txt"]
    assert prep.docs[0].published == "2025-07-01" and prep.docs[0].outlet == "AP"
    reasons = {r.source: r.reason for r in prep.rejections}
    assert "not allowed" in reasons["bad.exe"]
    assert "too large" in reasons["big.md"]
    assert "empty" in reasons["empty.html"]


def test_pasted_text_and_urls() -> None:
    s = Settings.from_env(env={})
    prep = ingest.from_text("Kyiv was hit.", settings=s, title="  A   title ")
    assert prep.docs[0].name.startswith("pasted-") and prep.docs[0].title == "A title"
    assert ingest.from_text("   ", settings=s).rejections
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "ftp://x/y", ""):
        prep = ingest.fetch_url(bad, settings=s)
        assert not prep.docs and isinstance(prep.rejections[0], InputRejected)
        assert "only http" in prep.rejections[0].reason
    # A local address is refused before any connection (tests/integration/test_fetch.py has the rest).
    prep = ingest.fetch_url("http://127.0.0.1:9/a.html", settings=s)
    assert not prep.docs and "not on the public internet" in prep.rejections[0].reason


def test_actor_spans_are_whole_words_and_yield_to_extracted_spans() -> None:
    from ui.components import _without_overlaps, actor_spans

    s = "A Russian drone hit Poltava, the regional governor said; Russia's army denied it."
    spans = actor_spans(s, 100, {"attacker": "Russia", "claimed_by": ["regional governor"]})
    assert [s[x["start"] - 100 : x["end"] - 100] for x in spans] == [
        "Russian",
        "Russia's",
        "regional governor",
    ]
    weapon = [{"start": 102, "end": 115, "label": "weapon"}]  # "Russian drone"
    assert len(_without_overlaps(spans, weapon)) == 2


def test_vague_figures_show_their_lower_bound_not_the_bound_key():
    from ui.render.maps import _counts_text
    from ui.render.theme import vague_items, vague_text

    vague = {"injured": "dozens", "injured_min": 24}
    assert vague_items(vague) == [("injured", "dozens", 24)]
    assert vague_text(*vague_items(vague)[0]) == "injured: “dozens” (at least 24)"
    assert (
        _counts_text({"killed": 2, "vague": vague}) == "killed 2, injured: “dozens” (at least 24)"
    )
    assert vague_items(None) == []


# ------------------------------------------------------------------ table order


def _with_gaps(events: pd.DataFrame) -> pd.DataFrame:
    """Generated events with some dates and figures missing and some disagreements."""
    out = events.copy()
    out.loc[out.index[::7], "date"] = None
    out.loc[out.index[::5], "launched"] = pd.NA
    out.loc[out.index[::3], "killed"] = pd.NA
    out["conflicts"] = [{"launched": [1, 2]} if i % 11 == 0 else {} for i in range(len(out))]
    return out


def test_event_order_matches_a_stable_pandas_sort() -> None:
    from bench.corpus import make_events
    from ui.tables import EVENT_SORTS, event_order

    events = _with_gaps(make_events(3_000, seed=5)).reset_index(drop=True)
    ref = events.assign(
        _date=events["date"].astype("string").str.slice(0, 10),
        _agree=[not (isinstance(c, dict) and c) for c in events["conflicts"]],
    )
    # (columns, descending?) the way a user would say them; ties newest first, then stored.
    spec = {
        "newest": (["_date"], [False]),
        "oldest": (["_date"], [True]),
        "launched": (["launched", "_date"], [False, False]),
        "killed": (["killed", "injured", "_date"], [False, False, False]),
        "sources": (["n_articles", "_date"], [False, False]),
        "disagreements": (["_agree", "_date"], [True, False]),
    }
    assert set(spec) == set(EVENT_SORTS)
    for by, (cols, asc) in spec.items():
        want = ref.sort_values(cols, ascending=asc, na_position="last", kind="mergesort").index
        assert event_order(events, by).tolist() == want.tolist(), by
    top = events.iloc[event_order(events, "launched")[0]]
    assert top["launched"] == events["launched"].max()
    assert event_order(events.iloc[:0], "newest").tolist() == []


def test_article_order_matches_a_stable_pandas_sort() -> None:
    from ui.tables import ARTICLE_SORTS, article_order

    table = pd.DataFrame(
        {
            "title": ["b story", "A story", "c story", None, "a story"],
            "published": pd.to_datetime(
                ["2025-07-05", None, "2025-07-06", "2025-07-05", "2025-07-01"]
            ),
            "events": [2, 5, 0, 2, 5],
        }
    )
    assert article_order(table, "newest").tolist() == [2, 0, 3, 4, 1]
    assert article_order(table, "oldest").tolist() == [4, 0, 3, 2, 1]
    assert article_order(table, "events").tolist() == [4, 1, 0, 3, 2]
    assert article_order(table, "title").tolist() == [4, 1, 0, 2, 3]  # case-blind, untitled last
    assert set(ARTICLE_SORTS) == {"newest", "oldest", "events", "title"}


def test_sources_are_counted_by_article_and_outlet() -> None:
    """Four source sentences from three articles, two of them syndicated copies by one outlet
    (spelt two ways), one without an outlet: "3 articles, 1 outlet", not "4 sources"."""
    from strikes.events import article_meta, outlet_count, source_articles
    from ui.render.theme import sources_text

    arts = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "title": ["One", "Two", None],
            "outlet": ["Reuters", " reuters", None],
            "url": ["https://r.example/1", None, None],
            "published": ["2025-07-01", "2025-07-01", None],
        }
    )
    sources = [{"article": a, "start": i} for i, a in enumerate(["a1", "a1", "a2", "a3"])]
    meta = article_meta(arts)
    arts_of = source_articles(sources, meta)
    assert [a["article"] for a in arts_of] == ["a1", "a2", "a3"]
    assert arts_of[0] == {
        "article": "a1",
        "title": "One",
        "outlet": "Reuters",
        "url": "https://r.example/1",
        "published": "2025-07-01",
    }
    assert outlet_count(sources, meta) == 1
    assert sources_text(len(arts_of), 1) == "3 articles, 1 outlet"
    assert sources_text(1, 0) == "1 article, outlet unknown"
