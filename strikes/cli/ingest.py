"""`python -m strikes ingest PATH... [--db FILE] [--manifest FILE] [--dask ADDRESS]`: add
documents to the event store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, report_rejections
from strikes.export import to_parquet
from strikes.ingest import ingest_paths
from strikes.settings import Settings
from strikes.store.atomic import write_atomic
from strikes.store.database import Store


def cli_ingest(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    # The write creates the store if it is missing and migrates an older one.
    store = Store(Path(settings.db_path), settings=settings)
    if getattr(args, "dask", None):
        from strikes.distributed import ingest_dask

        report = ingest_dask(
            store,
            args.paths,
            address=args.dask,
            partitions=getattr(args, "partitions", None),
            manifest=args.manifest,
            parquet=getattr(args, "parquet", None),
            progress=err,
        )
    else:
        if getattr(args, "partitions", None):
            print("strikes: --partitions applies with --dask only; running locally", file=err)
        report = ingest_paths(store, args.paths, manifest=args.manifest, progress=err)
    report_rejections(report.rejections, err)
    for name in report.duplicate_articles:
        print(f"strikes: already stored: {name}", file=err)
    for note in report.notes:
        print(f"strikes: note: {note}", file=err)
    print(f"strikes: {report.summary()} ({store.path})", file=out)
    if getattr(args, "parquet", None):
        folder = Path(args.parquet)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "events.parquet", to_parquet(store.events()))
    if not report.added_articles and not report.duplicate_articles and not report.rejections:
        print("strikes: no documents found", file=err)
        return EXIT_REJECTED
    return EXIT_REJECTED if report.rejections else EXIT_OK
