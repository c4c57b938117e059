"""`python -m strikes gazetteer build|check`: build the offline gazetteer index into data/."""

from __future__ import annotations

import time
from typing import Any, TextIO

from strikes.geo.build import build_index, check_index
from strikes.geo.gazetteer import Gazetteer, _load_cached, index_path
from strikes.settings import Settings


def cli_gazetteer(args: Any, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    action = getattr(args, "action", None)
    path = index_path(settings)
    if action == "build":
        t0 = time.perf_counter()
        build_index(settings=settings)
        size = path.stat().st_size
        print(
            f"gazetteer: wrote {path} ({size / 1e6:.2f} MB) in {time.perf_counter() - t0:.1f} s",
            file=out,
        )
        action = "check"
    if action == "check":
        problems = check_index(settings=settings)
        for p in problems:
            print(f"strikes: gazetteer: {p}", file=err)
        if problems:
            return 1
        _load_cached.cache_clear()
        t0 = time.perf_counter()
        gaz = Gazetteer.load(settings=settings)
        dt = time.perf_counter() - t0
        m = gaz.meta
        print(
            f"gazetteer: {path} ok: {m['n_cities']} towns, {m['n_regions']} regions, "
            f"{m['n_countries']} countries, {m['n_keys']} names; "
            f"{path.stat().st_size / 1e6:.2f} MB, loads in {dt * 1000:.0f} ms",
            file=out,
        )
        return 0
    print(f"strikes: gazetteer: unknown action {action!r} (build|check)", file=err)
    return 2
