"""`python -m strikes delete-article REF... [--dry-run]`: remove an article and what came of it."""

from __future__ import annotations

from typing import TextIO

from strikes.cli.common import EXIT_OK, EXIT_REJECTED
from strikes.errors import StrikesError
from strikes.ingest import delete_articles
from strikes.manage import derived, resolve_refs
from strikes.settings import Settings
from strikes.store.database import Store, open_store


def cli_delete(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    if settings.read_only:
        raise StrikesError("read-only mode (STRIKES_READ_ONLY): nothing can be deleted")
    store = open_store(settings=settings, read_only=True)  # must exist; never created here
    ids, problems = resolve_refs(store.articles(with_text=False), args.refs)
    for p in problems:
        print(f"strikes: {p}", file=err)
    for aid in ids:
        d = derived(store, aid)
        verb = "would remove" if args.dry_run else "removing"
        print(
            f"{verb} {d.file} ({aid}): {d.sentences} sentences, {d.claims} claims, "
            f"{d.events_only_from_it} event(s) only it reported; {d.events_shared} other "
            "event(s) lose it as a source",
            file=out,
        )
    if ids and not args.dry_run:
        report = delete_articles(Store(store.path, settings=settings), ids)
        print(
            f"deleted {len(report.deleted_articles)} article(s); {report.removed_events} event(s) "
            f"removed, {report.updated_events} updated, {report.new_events} re-formed; "
            f"{report.n_events} events from {report.n_articles} articles in the store",
            file=out,
        )
    return EXIT_REJECTED if problems else EXIT_OK
