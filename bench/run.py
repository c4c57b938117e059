"""`python -m bench`: how fast the pipeline, the store, the filters and the map are.

Prints one JSON line (stdout):

    articles_per_s      full pipeline (decode, clean, split, extract, geocode, merge) over the
                        synthetic corpus of --articles documents, one process, one core; wall
                        clock of the fastest of --repeat cold runs (default 3; timeit's
                        convention: slower runs measure the machine's other load, not the
                        code), each run's figure in articles_per_s_runs and their median in
                        articles_per_s_median (articles_per_cpu_s: the fastest run on CPU
                        time, steadier on a busy box; a note goes to stderr when other
                        processes left the run no idle core, and machine.load_avg_1m_at_start
                        records their load);
                        the per-sentence caches live for one batch, so only repeats inside the
                        corpus hit them (sentence_cache_hit_rate: the share of candidate
                        sentences that did)
    mb_per_s            the same in megabytes of input per second
    gazetteer_load_s    loading the gazetteer index (cold, once per process)
    automaton_s         building the place-name automaton (once per process)
    peak_rss_mb         the process's peak resident memory right after the pipeline runs
    store_ingest_per_s  articles per second of `strikes.ingest.ingest_documents` into a fresh DuckDB
                        store (the pipeline again, near-duplicate regrouping, the write);
                        store_append_s: then adding 50 other articles of the same dates to
                        that store (the merge re-merges only the nights they touch;
                        store_append_updated_events: stored events they changed)
    filter_ms           the dashboard's filter + timeline aggregation over --events events:
                        `filter_events` then `barrages_per_night` (median of 5 runs; the
                        slower of a selective and an unfiltered interaction);
                        monthly_totals_ms: the monthly view over all events, on its own
    map_payload_ms      everything the map page's server side does at --events events:
                        ui.render.maps.map_frame + build_deck + the deck's JSON (pure functions, no
                        streamlit); map_frame_ms: the first part alone (the page caches it per
                        store version); map_filter_ms: a filter change (deck and JSON of one
                        attacker's rows); map_objects, map_json_kb: what reaches the browser

With --profile the hottest functions of the pipeline run go to stderr; with --scaling the
pipeline also runs on ten times the corpus and the JSON gets the per-stage times of both
runs and their ratios (merging across sources must grow about linearly).

The corpus comes from `bench.corpus` (fixed seed: the same bytes on every run).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from strikes.settings import DEFAULT_SETTINGS, Settings

EXIT_OK, EXIT_USAGE = 0, 2

__all__ = ["busy_warning", "cli_bench", "machine_note", "run_bench", "scaling"]


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def machine_note() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def busy_warning(load_1m: float | None, cpus: int | None) -> str | None:
    """A note for stderr when other processes left the run no idle core of its own.

    The wall-clock figures then measure the machine's other load as well as the code:
    `articles_per_cpu_s` is the steadier figure, or run the bench again when the box is idle.
    """
    if load_1m is None or not cpus or load_1m <= cpus - 1:
        return None
    return (
        f"strikes: bench: the machine was busy when the bench started (1-minute load "
        f"{load_1m:.2f} on {cpus} CPUs): wall-clock figures understate the code's speed; "
        "articles_per_cpu_s is steadier"
    )


def _timed(fn, *args, **kwargs) -> tuple[Any, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, time.process_time() - c0


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return round(statistics.median(times), 2)


def stage_times(docs, *, settings: Settings, geo=None) -> dict[str, float]:
    """Wall seconds of each pipeline stage over `docs` (the pipeline's own functions)."""
    from strikes.documents.articles import load_documents
    from strikes.documents.neardup import find_groups
    from strikes.events import merge_claims
    from strikes.pipeline import clear_caches, extract_claims, make_geo
    from strikes.speed.gcpause import batch_gc

    geo = geo or make_geo(settings=settings)
    clear_caches()
    # One batch, as in run_documents: the merge, too, runs with the batch's collector settings.
    with batch_gc(settings=settings):
        batch, t_articles, _ = _timed(load_documents, docs, settings=settings)
        claims, t_claims, _ = _timed(
            extract_claims, batch.articles, batch.sentences, settings=settings, geo=geo
        )
        events, t_merge, _ = _timed(merge_claims, claims, articles=batch.articles)
    # The near-duplicate grouping is part of the articles stage; timed again on its own.
    _, t_neardup, _ = _timed(find_groups, batch.articles["text"].tolist(), settings=settings)
    return {
        "articles": len(batch.articles),
        "claims": len(claims),
        "events": len(events),
        "articles_s": round(t_articles, 3),
        "claims_s": round(t_claims, 3),
        "merge_s": round(t_merge, 3),
        "neardup_s": round(t_neardup, 3),
        "cross_source_s": round(t_merge + t_neardup, 3),
        "total_s": round(t_articles + t_claims + t_merge, 3),
    }


def scaling(n: int, *, seed: int, settings: Settings, factor: int = 10) -> dict[str, Any]:
    """Per-stage times at n and factor*n articles, and their ratios (linear = factor)."""
    from bench.corpus import make_documents
    from strikes.pipeline import make_geo

    geo = make_geo(settings=settings)
    small = stage_times(make_documents(n, seed=seed), settings=settings, geo=geo)
    gc.collect()
    large = stage_times(make_documents(n * factor, seed=seed), settings=settings, geo=geo)
    ratios = {
        k: round(large[k] / small[k], 2) if small[k] else None
        for k in ("articles_s", "claims_s", "merge_s", "neardup_s", "cross_source_s", "total_s")
    }
    return {"factor": factor, "small": small, "large": large, "ratio": ratios}


def _dashboard(events_n: int, *, seed: int, settings: Settings, err: TextIO) -> dict[str, Any]:
    from bench.corpus import make_events
    from strikes.views import (
        barrages_per_night,
        filter_events,
        monthly_totals,
        prepare_events,
    )

    events, t_make, _ = _timed(make_events, events_n, seed=seed)
    prepared, t_prep, _ = _timed(prepare_events, events)
    dates = prepared["date"].dropna()
    lo, hi = str(dates.min()), str(dates.max())
    mid = str(dates.sort_values().iloc[len(dates) // 2])

    def selective():
        f = filter_events(
            prepared, date_from=mid, date_to=hi, attackers=["Russia"], weapons=["drone"]
        )
        barrages_per_night(f)

    def everything():
        f = filter_events(prepared, date_from=lo, date_to=hi)
        barrages_per_night(f)

    selective()  # warm caches the dashboard also keeps warm
    sel_ms = _median_ms(selective, 5)
    all_ms = _median_ms(everything, 5)
    out: dict[str, Any] = {
        "events": len(events),
        "events_build_s": round(t_make, 2),
        "prepare_events_ms": round(t_prep * 1000.0, 1),
        "filter_ms": max(sel_ms, all_ms),
        "filter_selective_ms": sel_ms,
        "filter_all_ms": all_ms,
        # The monthly view on top (it recomputes the nights itself).
        "monthly_totals_ms": _median_ms(lambda: monthly_totals(prepared), 3),
    }
    out.update(_map_payload(prepared, settings=settings, err=err))
    return out


def _map_payload(events, *, settings: Settings, err: TextIO) -> dict[str, Any]:
    """ui.render.maps builds the layer data with pure functions (no streamlit); measured here."""
    try:
        from ui.render import maps
    except ImportError as exc:  # the dashboard package is not installed beside strikes/
        return {"map_payload_ms": None, "map_payload_note": f"ui.render.maps unavailable: {exc}"}
    if "streamlit" in sys.modules:  # pragma: no cover - ui.render.maps is pure today
        print(
            "strikes: bench: ui.render.maps imported streamlit; map payload not measured", file=err
        )
        return {"map_payload_ms": None, "map_payload_note": "ui.render.maps imports streamlit"}
    # The base layer is a URL the browser fetches once: not part of the deck's payload.
    countries = "/app/static/" + maps.BASEMAP_FILE

    def build() -> str:
        frame = maps.map_frame(events)
        return maps.build_deck(frame, countries).to_json()

    text = build()  # also encodes the outlines once, as the page's first run does
    frame = maps.map_frame(events)
    # A filter change on the page: the cached rows of all events, the attacker's selected.
    some = frame[(frame["attacker"] == frame["attacker"].iloc[0]).to_numpy(dtype=bool)]
    spec = json.loads(text)
    drawn = sum(len(layer.get("data") or []) for layer in spec["layers"][1:])
    return {
        "map_payload_ms": _median_ms(build, 3),
        "map_frame_ms": _median_ms(lambda: maps.map_frame(events), 3),
        "map_filter_ms": _median_ms(lambda: maps.build_deck(some, countries).to_json(), 5),
        "map_rows": len(frame),
        "map_objects": drawn,
        "map_json_kb": round(len(text) / 1024, 1),
    }


APPEND_DOCS = 50  # articles added to the bench store after it was built


def _store_ingest(docs, *, seed: int, settings: Settings) -> dict[str, Any]:
    from dataclasses import replace

    from bench.corpus import make_documents
    from strikes.ingest import ingest_documents
    from strikes.store.database import Store

    more = make_documents(APPEND_DOCS, seed=seed + 1)  # other articles, same date range
    with tempfile.TemporaryDirectory(prefix="strikes-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        store = Store(db, settings=replace(settings, db_path=db))
        report, t, _ = _timed(ingest_documents, store, docs)
        size_mb = db.stat().st_size / 1e6 if db.exists() else 0.0
        added, t_add, _ = _timed(ingest_documents, store, more)
    return {
        "store_ingest_per_s": round(len(docs) / t, 1) if t else None,
        "store_ingest_s": round(t, 2),
        "store_events": report.n_events,
        "store_mb": round(size_mb, 1),
        "store_append_s": round(t_add, 2),
        "store_append_updated_events": added.updated_events,
    }


def run_bench(
    *,
    articles: int = 5000,
    events: int = 100_000,
    seed: int = 7,
    repeat: int = 3,
    profile: bool = False,
    scale: bool = False,
    store: bool = True,
    settings: Settings = DEFAULT_SETTINGS,
    err: TextIO | None = None,
) -> dict[str, Any]:
    """All the measurements of the JSON line (see the module docstring)."""
    from bench.corpus import make_documents
    from strikes.geo.gazetteer import Gazetteer, _load_cached
    from strikes.geo.geocode import _scanner
    from strikes.pipeline import clear_caches, run_documents, sentence_cache_hit_rate

    err = err or sys.stderr
    res: dict[str, Any] = {"articles": articles, "events_requested": events, "seed": seed}
    # Before any work of ours, so the load is the other processes'.
    start = machine_note()
    warning = busy_warning(start["load_avg_1m"], start["cpus"])
    if warning:
        print(warning, file=err)

    _load_cached.cache_clear()
    gaz, t_gaz, _ = _timed(Gazetteer.load, settings=settings)
    res["gazetteer_load_s"] = round(t_gaz, 3)
    _, t_auto, _ = _timed(_scanner, gaz)
    res["automaton_s"] = round(t_auto, 3)

    docs, t_corpus, _ = _timed(make_documents, articles, seed=seed)
    n_bytes = sum(len(d.data) for d in docs)
    res["corpus_mb"] = round(n_bytes / 1e6, 2)
    res["corpus_build_s"] = round(t_corpus, 2)

    prof = None
    walls: list[float] = []
    cpus: list[float] = []
    result = None
    for run in range(repeat):
        result = None  # the previous run's frames: every run starts with the same memory
        gc.collect()
        clear_caches()  # every timed run starts cold: no sentence seen before
        if profile and run == 0:  # the first run only
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        result, wall, cpu = _timed(run_documents, docs, settings=settings)
        if profile and run == 0:
            prof.disable()
        walls.append(wall)
        cpus.append(cpu)
    wall, cpu = min(walls), min(cpus)
    res["peak_rss_mb"] = _peak_rss_mb()
    res["articles_per_s"] = round(articles / wall, 1)
    res["articles_per_s_median"] = round(articles / statistics.median(walls), 1)
    res["articles_per_s_runs"] = [round(articles / w, 1) for w in walls]
    res["articles_per_cpu_s"] = round(articles / cpu, 1) if cpu else None
    res["mb_per_s"] = round(n_bytes / 1e6 / wall, 2)
    res["pipeline_s"] = round(wall, 2)
    res["pipeline_events"] = len(result.events)
    res["pipeline_claims"] = len(result.claims)
    res["sentence_cache_hit_rate"] = sentence_cache_hit_rate()
    res["near_duplicates"] = int(result.articles["duplicate_of"].notna().sum())
    res["multi_source_events"] = int((result.events["n_articles"] > 1).sum())
    del result
    gc.collect()

    if store:
        clear_caches()
        res.update(_store_ingest(docs, seed=seed, settings=settings))
    del docs
    gc.collect()
    if events > 0:
        res.update(_dashboard(events, seed=seed, settings=settings, err=err))
    if scale:
        res["scaling"] = scaling(articles, seed=seed, settings=settings)
    res["machine"] = {**machine_note(), "load_avg_1m_at_start": start["load_avg_1m"]}
    if prof is not None:
        _print_profile(prof, err)
    return res


def _print_profile(prof, err: TextIO) -> None:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    print("strikes: bench: hottest functions of the pipeline run", file=err)
    print(buf.getvalue(), file=err)


def cli_bench(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    n, m = int(args.articles), int(args.events)
    if n < 1 or m < 0 or int(args.repeat) < 1:
        print("strikes: bench: --articles and --repeat must be >= 1 and --events >= 0", file=err)
        return EXIT_USAGE
    res = run_bench(
        articles=n,
        events=m,
        seed=int(args.seed),
        repeat=int(args.repeat),
        profile=bool(getattr(args, "profile", False)),
        scale=bool(getattr(args, "scaling", False)),
        store=not bool(getattr(args, "no_store", False)),
        settings=settings,
        err=err,
    )
    out.write(json.dumps(res, sort_keys=False) + "\n")
    out.flush()
    return EXIT_OK
