"""Cached loaders: the only way pages read the store.

`get_data()` returns a `Data` bundle of frames read in one consistent snapshot of the store,
cached with `st.cache_data` keyed on (store path, `Store.version()`): a new upload changes the
version, so every page sees it on its next run, and nothing is re-read otherwise.  Pages never
parse text; they only filter and display these frames.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from strikes.errors import StoreError, StoreUnusable, StrikesError
from strikes.ingest import ensure_store, rebuild_from_seeds
from strikes.settings import Settings
from strikes.store.database import Store, write_problem
from strikes.views import dense_date_range, filter_options, prepare_events

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from ui.render.filters import Filters
    from ui.render.metrics import Headline


@dataclass(frozen=True)
class Data:
    version: str
    events: pd.DataFrame  # prepared (helper columns for fast filtering)
    articles: pd.DataFrame
    claims: pd.DataFrame
    event_sources: pd.DataFrame
    options: dict[str, list[str]]
    date_bounds: tuple[str | None, str | None]
    # The default date range: where the data is dense (`strikes.views.dense_date_range`).
    default_dates: tuple[str, str] | None = None
    # Analysts' decisions that no longer find their event (strikes.review), for the Review page.
    orphans: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @property
    def empty(self) -> bool:
        return self.events.empty


def get_settings() -> Settings:
    """Settings from the environment (read every run: cheap, and tests change it).

    When the store's folder cannot be written (a read-only mount, missing permissions) the
    dashboard runs read-only as if STRIKES_READ_ONLY were set: it serves, and says why it
    cannot add articles (`read_only_reason`)."""
    s = Settings.from_env()
    if not s.read_only and write_problem(Path(s.db_path)):
        s = dataclasses.replace(s, read_only=True)
    return s


def read_only_reason() -> str | None:
    """Why the dashboard is read-only (None when it is not)."""
    s = Settings.from_env()
    if s.read_only:
        return "this deployment is read-only (STRIKES_READ_ONLY)"
    problem = write_problem(Path(s.db_path))
    return f"the event store cannot be written here: {without_paths(problem)}" if problem else None


@st.cache_resource(show_spinner="Opening the event store (first start builds it from the seeds)…")
def _open_store(db_path: str, read_only: bool, _settings: Settings) -> Store:
    return ensure_store(settings=_settings)


def get_store(settings: Settings | None = None) -> Store:
    s = settings or get_settings()
    return _open_store(str(Path(s.db_path).resolve()), bool(s.read_only), s)


def _date_bounds(events: pd.DataFrame) -> tuple[str | None, str | None]:
    dates = events["date"].dropna().astype("string")
    if dates.empty:
        return None, None
    return str(dates.min())[:10], str(dates.max())[:10]


# Shared, not copied: st.cache_data would unpickle a fresh copy of every frame on every run
# (1.5 s at 100,000 events).  The frames are read-only by convention (pandas copy-on-write
# keeps an accidental in-place edit from reaching the cached object).
@st.cache_resource(show_spinner="Loading events…", max_entries=2)
def _load(db_path: str, version: str, _store: Store) -> Data:
    from strikes.review import apply_corrections, load_corrections

    snap = _store.snapshot()
    # Corrections are applied on read: every page and export sees the corrected values (and
    # the machine's beside them); dismissed events stay in the frame for the review filter.
    applied = apply_corrections(
        snap.events,
        load_corrections(_store),
        claims=snap.claims,
        articles=snap.articles,
        event_sources=snap.event_sources,
    )
    events = prepare_events(applied.events)
    event_sources = snap.event_sources
    if applied.structural:  # merges and splits move sources between events
        event_sources = _event_sources_of(applied.events, snap.articles)
    events = _with_source_columns(events, event_sources)
    return Data(
        version=snap.version,
        events=events,
        articles=snap.articles,
        claims=snap.claims,
        event_sources=event_sources,
        options=filter_options(events),
        date_bounds=_date_bounds(events),
        default_dates=dense_date_range(events["date"]),
        orphans=applied.orphans,
    )


def _with_source_columns(events: pd.DataFrame, event_sources: pd.DataFrame) -> pd.DataFrame:
    """Display columns of the events' sources: ``n_outlets`` (distinct outlets of the source
    articles), ``sources_label`` ("3 articles, 2 outlets") and ``source_line`` (the first
    article's outlet and URL, for the map's plain-text tooltip).  Column-wise over the store's
    event_sources (one row per source, the article's outlet and URL joined): 100,000 events
    take a fraction of a second."""
    from ui.render.theme import sources_text

    ids = events["event_id"].astype("string")
    n = len(events)
    if event_sources.empty or n == 0:
        n_art = events["n_articles"] if "n_articles" in events else pd.Series([None] * n)
        labels = [sources_text(a, 0) for a in n_art]
        return events.assign(
            n_outlets=pd.array([0] * n, dtype="Int64"),
            sources_label=pd.array(labels, dtype="string"),
            source_line=pd.array([""] * n, dtype="string"),
        )
    es = event_sources
    # Everything by integer codes: the event's position, the article's and outlet's codes.
    pos = pd.Index(ids).get_indexer(es["event_id"].astype("string"))
    keep = pos >= 0
    pos = pos[keep].astype(np.int64)
    es = es[keep]
    art, _ = pd.factorize(es["article_id"])
    outlet = es["outlet"].astype("string").str.strip()
    out_code, _ = pd.factorize(outlet.str.casefold().replace("", pd.NA))

    def distinct_per_event(codes: np.ndarray) -> np.ndarray:
        ok = codes >= 0
        pairs = np.unique(pos[ok] * (int(codes.max(initial=0)) + 1) + codes[ok])
        return np.bincount(pairs // (int(codes.max(initial=0)) + 1), minlength=n)

    n_out_ev = distinct_per_event(out_code)
    n_art_ev = distinct_per_event(art)
    missing = n_art_ev == 0  # no stored source row: the event's own count
    if missing.any():
        fallback = pd.to_numeric(events["n_articles"], errors="coerce").fillna(0).to_numpy()
        n_art_ev = np.where(missing, fallback.astype(np.int64), n_art_ev)
    text: dict[tuple[int, int], str] = {}
    labels = []
    for a, o in zip(n_art_ev.tolist(), n_out_ev.tolist(), strict=True):
        t = text.get((a, o))
        if t is None:
            t = text[(a, o)] = sources_text(a, o)
        labels.append(t)
    url = es["url"].astype("string").str.strip().fillna("").to_numpy(dtype=object)
    out_txt = outlet.fillna("").to_numpy(dtype=object)
    has = np.flatnonzero((out_txt != "") | (url != ""))
    order = has[np.lexsort((es["ord"].to_numpy(dtype="float64", na_value=0)[has], pos[has]))]
    firsts, at = np.unique(pos[order], return_index=True)
    line = np.full(n, "", dtype=object)
    for e, r in zip(firsts.tolist(), order[at].tolist(), strict=True):
        line[e] = " — ".join(x for x in (out_txt[r], url[r]) if x)
    return events.assign(
        n_outlets=pd.array(n_out_ev, dtype="Int64"),
        sources_label=pd.array(labels, dtype="string"),
        source_line=pd.array(line, dtype="string"),
    )


def _event_sources_of(events: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The store's event_sources frame (EVENT_SOURCES_READ) for events as reviewed."""
    from strikes.schema import conform
    from strikes.store.database import EVENT_SOURCES_READ, event_sources_frame

    rows = event_sources_frame(events[["event_id", "sources"]])
    meta = [c for c in EVENT_SOURCES_READ if c not in rows.columns and c in articles.columns]
    joined = rows.merge(articles[["article_id", *meta]], on="article_id", how="left")
    return conform(joined, EVENT_SOURCES_READ)


REBUILT = "_store_rebuilt_backup"


def get_data() -> Data:
    """The store's frames (cached on its version).  Shows the error and stops the page when the
    store cannot be opened or read; an unusable store file (corrupt, foreign) can be moved
    aside and the store rebuilt from the seeds from that screen."""
    try:
        store = get_store()
        data = _load(str(store.path.resolve()), store.version(), store)
    except StrikesError as exc:
        _store_error_screen(exc)
    except OSError as exc:
        st.error(f"The event store cannot be read: {_plain(str(exc))}", icon=":material/error:")
        st.stop()
    backup = st.session_state.pop(REBUILT, None)
    if backup is not None:
        kept = f" The unusable file was kept as `{backup.replace('`', '')}`." if backup else ""
        st.toast("The event store was rebuilt from the seeds." + kept, icon=":material/build:")
    return data


def _store_error_screen(exc: StrikesError) -> None:
    settings = get_settings()
    st.error(
        f"**The event store cannot be opened.**\n\n{_plain(str(exc))}",
        icon=":material/error:",
    )
    if isinstance(exc, StoreUnusable) and not settings.read_only:
        st.markdown(
            "The file is not a usable Strike Tracker store. It can be moved aside (renamed "
            "`…unusable-<time>` beside it; nothing is deleted) and a new store built from the "
            "seed articles. Articles added to the old store are not in the new one."
        )
        if st.button(
            "Move the file aside and rebuild from the seeds",
            key="rebuild_store",
            type="primary",
            icon=":material/build:",
        ):
            try:
                with st.spinner("Rebuilding the event store from the seeds…"):
                    _, backup = rebuild_from_seeds(settings=settings)
            except StrikesError as err:
                st.error(f"The rebuild failed: {_plain(str(err))}", icon=":material/error:")
                st.stop()
            _open_store.clear()
            clear_caches()
            st.session_state[REBUILT] = str(backup) if backup else ""
            st.rerun()
    elif settings.read_only:
        reason = read_only_reason() or "read-only mode"
        st.info(
            f"Nothing can be repaired from here ({_plain(reason)}). The operator can rebuild "
            "the store with `python -m strikes ingest --db PATH seeds/`.",
            icon=":material/lock:",
        )
    else:
        st.info(
            "Check STRIKES_DB_PATH, or build the store with `python -m strikes ingest seeds/`.",
            icon=":material/info:",
        )
    st.stop()


@st.cache_resource(show_spinner="Preparing the map…", max_entries=2)
def _map_rows(version: str, _events: pd.DataFrame) -> pd.DataFrame:
    from ui.render.maps import map_frame

    return map_frame(_events)


def map_rows(data: Data, events: pd.DataFrame) -> pd.DataFrame:
    """The map's rows (colours, sizes, tooltips) for `events`, a filtered part of `data`.

    Built once per store version over all events and then only selected, so a filter change
    costs a lookup, not 100,000 tooltips; styles stay the same whatever the filter."""
    full = _map_rows(data.version, data.events)
    if len(events) == len(data.events):
        return full
    return full[full["event_id"].isin(events["event_id"]).to_numpy(dtype=bool)]


@dataclass(frozen=True)
class Overview:
    """The Overview page's figures for one filtered view (pre-aggregated, cached)."""

    headlines: tuple[Headline, ...]  # one per attacker
    timeline: go.Figure
    strip: go.Figure  # under the timeline: a drag on it selects a range of nights
    bin_label: str  # what a timeline bar sums: "night", "week" or "month"
    months: pd.DataFrame
    monthly: go.Figure
    weapons: go.Figure
    regions: go.Figure
    models: pd.DataFrame
    model_figure: go.Figure


@st.cache_resource(show_spinner="Summing up…", max_entries=32)
def _overview(
    version: str, view: str, attackers: tuple[str, ...], _events: pd.DataFrame
) -> Overview:
    from strikes.views import (
        barrages_by_weapon,
        barrages_per_night,
        bin_for_span,
        bin_nights,
        model_counts,
        monthly_totals,
        region_counts,
        rolling_launched,
        weapon_counts,
    )
    from ui.render.charts import (
        barrage_timeline,
        model_chart,
        monthly_chart,
        range_strip,
        region_chart,
        time_span,
        weapon_chart,
    )
    from ui.render.metrics import headlines

    months = monthly_totals(_events)
    by_weapon = barrages_by_weapon(_events)
    dates = by_weapon["date"].dropna()
    code, label = bin_for_span(
        dates.min() if len(dates) else None, dates.max() if len(dates) else None
    )
    if code == "D":
        timeline = barrage_timeline(
            by_weapon,
            attackers=list(attackers),
            rolling=rolling_launched(barrages_per_night(_events)),
        )
    else:
        timeline = barrage_timeline(
            bin_nights(by_weapon, code), attackers=list(attackers), bin_label=label
        )
    # The timeline and the strip under it (where a drag selects a range) show one span.
    span = time_span(_bar_dates(timeline), label)
    if span:
        timeline.update_xaxes(range=list(span))
    models = model_counts(_events)
    return Overview(
        headlines=headlines(_events),
        timeline=timeline,
        strip=range_strip(_events["date"], span=span),
        bin_label=label,
        months=months,
        monthly=monthly_chart(months),
        weapons=weapon_chart(weapon_counts(_events)),
        regions=region_chart(region_counts(_events)),
        models=models,
        model_figure=model_chart(models),
    )


def _bar_dates(fig: go.Figure) -> pd.Series:
    """The x values (dates) of a figure's bars."""
    xs = [x for t in fig.data if t.type == "bar" and t.x is not None for x in t.x]
    return pd.Series(xs, dtype="object")


def overview(data: Data, filters: Filters, events: pd.DataFrame) -> Overview:
    """The Overview's aggregates and figures of ``events`` (``data`` filtered by ``filters``),
    computed once per store version and filter combination: reruns of the page (a chart
    selection, a page switch) reuse them."""
    view = json.dumps(filters.to_query(), sort_keys=True)
    return _overview(data.version, view, tuple(data.options.get("attackers", [])), events)


def clear_caches() -> None:
    _load.clear()
    _map_rows.clear()
    _overview.clear()


# An absolute path in a message ("/srv/app/data/strikes.duckdb: ..."): only its last part is
# shown, visitors learn nothing of the server's folders.  Not inside a URL ("https://a/b").
_ABS_PATH = re.compile(r"(?<![\w:/.~])(?:/[^\s/:'\"`,;()]+)+/([^\s/:'\"`,;()]+)")


def without_paths(text: str) -> str:
    """`text` with every absolute path reduced to its file name."""
    return _ABS_PATH.sub(lambda m: m.group(1), text)


def _plain(text: str) -> str:
    from ui.components import md_escape

    return md_escape(without_paths(text))


def plain_error(exc: BaseException) -> str:
    """An error's message for the page: no server paths, Markdown escaped."""
    return _plain(str(exc))


__all__ = [
    "Data",
    "Overview",
    "StoreError",
    "clear_caches",
    "get_data",
    "get_settings",
    "get_store",
    "map_rows",
    "overview",
    "plain_error",
    "read_only_reason",
    "without_paths",
]
