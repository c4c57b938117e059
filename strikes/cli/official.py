"""`python -m strikes official import FILE.csv | compare`: official nightly tallies."""

from __future__ import annotations

import datetime as _dt
from typing import TextIO

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, report_rejections
from strikes.errors import ReadOnlyStore
from strikes.ingest import ensure_store, store_for_reading
from strikes.official import TABLE, compare, how_to_import, import_parsed, parse_file
from strikes.review import filter_review, reviewed_events
from strikes.settings import Settings


def cli_official(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    if args.action == "import":
        if settings.read_only:
            raise ReadOnlyStore(f"{settings.db_path}: read-only mode (STRIKES_READ_ONLY)")
        parsed = parse_file(args.file, settings=settings)
        report = import_parsed(parsed, store=ensure_store(settings=settings))
        report_rejections(report.rejected, err)
        print(report.summary(), file=out)
        return EXIT_REJECTED if report.rejected else EXIT_OK

    for flag, value in (("--from", args.date_from), ("--to", args.date_to)):
        try:
            if value is not None:
                _dt.date.fromisoformat(value)
        except ValueError:
            print(f"strikes: {flag} {value!r} is not a date (YYYY-MM-DD)", file=err)
            return EXIT_USAGE
    store = store_for_reading(settings=settings, must_exist=bool(args.db))
    tallies = store.read_table(TABLE)
    if tallies.empty:
        print(f"strikes: no official tallies in {store.path}. {how_to_import()}", file=err)
        return EXIT_REJECTED
    # The news as reviewed: analysts' corrections applied, dismissed events left out.
    events = filter_review(reviewed_events(store).events)
    articles = store.articles(with_text=False)
    table = compare(tallies, events, articles, date_from=args.date_from, date_to=args.date_to)
    flat = table.drop(columns=["event_ids"]).assign(
        articles=[" | ".join(a) for a in table["articles"]]
    )
    if args.format == "csv":
        flat.to_csv(out, index=False, lineterminator="\n")
    else:
        show = flat.drop(columns=["articles"]).assign(articles=[len(a) for a in table["articles"]])
        if show.empty:
            print("no night in this range", file=out)
        else:
            show = show.astype(object).where(show.notna(), "-")
            print(show.to_string(index=False), file=out)
            print(
                "diff = news - official (destroyed: news intercepted - official destroyed); "
                "articles: number of source articles (--format csv lists them)",
                file=out,
            )
    return EXIT_OK
