"""`python -m strikes export [--db FILE] --format F [--out FILE] [filters]`: the stored events."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pandas as pd

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from strikes.export import export_bytes
from strikes.ingest import store_for_reading
from strikes.review import filter_review, reviewed_events
from strikes.store.atomic import write_atomic
from strikes.views import filter_events, normalize_date, split_undated
from strikes.vocab import WEAPON_CLASSES


def cli_export(args, *, settings, out: TextIO, err: TextIO) -> int:
    """``python -m strikes export --db FILE --format F [--out FILE] [filters]``."""
    fmt = args.format
    try:
        date_from = normalize_date(args.date_from)
        date_to = normalize_date(args.date_to, end=True)
    except ValueError as exc:
        print(f"strikes export: {exc}", file=err)
        return EXIT_USAGE
    weapons = list(args.weapon or [])
    bad = [w for w in weapons if w not in WEAPON_CLASSES]
    if bad:
        print(
            f"strikes export: unknown weapon {bad[0]!r}; one of {', '.join(WEAPON_CLASSES)}",
            file=err,
        )
        return EXIT_USAGE
    binary_to_stream = args.out is None and fmt == "parquet"
    stream = getattr(out, "buffer", None)
    if binary_to_stream and (stream is None or out.isatty()):
        print("strikes export: parquet is binary; give --out FILE", file=err)
        return EXIT_USAGE
    if args.out is not None and not Path(args.out).parent.is_dir():
        print(f"strikes export: no such directory: {Path(args.out).parent}", file=err)
        return EXIT_REJECTED

    # An explicit --db must exist; the default store is built from the seeds on first use.
    store = store_for_reading(settings=settings, must_exist=getattr(args, "db", None) is not None)
    # Analysts' corrections applied; dismissed events left out (strikes.review).
    events = filter_review(reviewed_events(store).events)
    events = filter_events(
        events,
        attackers=args.attacker or (),
        weapons=weapons,
        countries=args.country or (),
    )
    # As on the Data page: undated events have no place in a dated table, so they are left
    # out (said on stderr) unless asked for; date bounds never apply to them.
    dated, undated = split_undated(events)
    events = filter_events(dated, date_from=date_from, date_to=date_to)
    if not undated.empty:
        n = len(undated)
        if getattr(args, "include_undated", False) and fmt != "acled":
            events = pd.concat([events, undated], ignore_index=True)
            print(f"strikes export: {n} undated event(s) included (empty date)", file=err)
        elif fmt == "acled":
            print(f"strikes export: {n} undated event(s) left out (ACLED needs a date)", file=err)
        else:
            print(
                f"strikes export: {n} undated event(s) left out (no date); "
                "--include-undated adds them",
                file=err,
            )
    articles = store.articles(with_text=False) if fmt != "parquet" else None
    data = export_bytes(events, fmt, articles=articles)
    if args.out is not None:
        write_atomic(Path(args.out), data)
        print(f"strikes: exported {len(events)} events to {args.out} ({fmt})", file=err)
    elif fmt == "parquet":
        out.flush()
        stream.write(data)
        stream.flush()
    else:
        out.write(data.decode("utf-8"))
        out.flush()
    return EXIT_OK
