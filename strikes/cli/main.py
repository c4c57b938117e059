"""`python -m strikes COMMAND ...`: the command-line face of the pandas layer.

Exit status: 0 all inputs used, 1 some inputs rejected (each named on stderr with its reason),
2 usage error.  Bad input never produces a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from strikes.errors import StrikesError
from strikes.settings import Settings


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.txt .md .html)")
    p.add_argument("--manifest", type=Path, help="manifest.csv (file,published,outlet,url[,title])")
    p.add_argument("--max-bytes", type=int, help="reject files larger than this (default 5 MB)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m strikes", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("articles", help="load and clean documents; one article per line")
    _add_input_args(p)
    p.add_argument("--format", choices=["jsonl", "table"], default="jsonl")

    p = sub.add_parser("extract", help="extract merged strike events (the event contract)")
    _add_input_args(p)
    p.add_argument("--format", choices=["jsonl", "csv", "geojson"], default="jsonl")
    p.add_argument("--out", type=Path, help="write here instead of stdout")
    p.add_argument("--claims", action="store_true", help="write unmerged claims with their rule")

    p = sub.add_parser("ingest", help="add documents to the event store")
    _add_input_args(p)
    p.add_argument("--db", type=Path, help="DuckDB file (default data/strikes.duckdb)")
    p.add_argument("--dask", metavar="ADDRESS", help="scheduler address, or 'local'")
    p.add_argument("--partitions", type=int)
    p.add_argument("--parquet", type=Path, metavar="DIR")

    p = sub.add_parser("export", help="export the stored events")
    p.add_argument("--db", type=Path)
    p.add_argument("--format", choices=["csv", "geojson", "parquet", "acled"], default="csv")
    p.add_argument("--out", type=Path)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--attacker", action="append")
    p.add_argument("--weapon", action="append")
    p.add_argument("--country", action="append")
    p.add_argument(
        "--include-undated",
        action="store_true",
        help="also write the events without a date (left out by default, as on the Data page; "
        "date bounds do not apply to them; never in the ACLED format)",
    )

    p = sub.add_parser(
        "delete-article",
        help="remove articles and everything derived from them from the event store",
    )
    p.add_argument("refs", nargs="+", metavar="ARTICLE", help="article id, or file name as stored")
    p.add_argument("--db", type=Path, help="DuckDB file (default data/strikes.duckdb)")
    p.add_argument("--dry-run", action="store_true", help="only say what would be removed")

    from strikes.cli.review import add_review_parser

    add_review_parser(sub)

    p = sub.add_parser("gazetteer", help="build the offline gazetteer index into data/")
    p.add_argument("action", choices=["build", "check"])

    p = sub.add_parser("official", help="official nightly tallies: import a file, compare")
    acts = p.add_subparsers(dest="action", required=True)
    a = acts.add_parser("import", help="load a file in the shape of missile_attacks_daily.csv")
    a.add_argument("file", type=Path, metavar="FILE.csv")
    a.add_argument("--db", type=Path, help="DuckDB file (default data/strikes.duckdb)")
    a = acts.add_parser("compare", help="official vs news figures per night, class and model")
    a.add_argument("--db", type=Path)
    a.add_argument("--from", dest="date_from", help="first night (YYYY-MM-DD)")
    a.add_argument("--to", dest="date_to", help="last night (YYYY-MM-DD)")
    a.add_argument("--format", choices=["table", "csv"], default="table")
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0) and EXIT_USAGE
    overrides = {}
    if getattr(args, "max_bytes", None):
        overrides["max_file_bytes"] = args.max_bytes
    if getattr(args, "db", None):
        overrides["db_path"] = args.db
    try:
        settings = Settings.from_env(**overrides)
        handler = _handler(args.command)
        return handler(args, settings=settings, out=out, err=err)
    except StrikesError as exc:
        print(f"strikes: {exc}", file=err)
        return EXIT_REJECTED
    except BrokenPipeError:
        return EXIT_OK


def _handler(command: str):
    # Imported lazily so `articles` does not pay for the gazetteer, the store or Dask.
    if command == "articles":
        from strikes.cli.articles import cli_articles

        return cli_articles
    if command == "extract":
        from strikes.cli.extract import cli_extract

        return cli_extract
    if command == "ingest":
        from strikes.cli.ingest import cli_ingest

        return cli_ingest
    if command == "export":
        from strikes.cli.export import cli_export

        return cli_export
    if command == "review":
        from strikes.cli.review import cli_review

        return cli_review
    if command == "delete-article":
        from strikes.cli.manage import cli_delete

        return cli_delete
    if command == "gazetteer":
        from strikes.cli.gazetteer import cli_gazetteer

        return cli_gazetteer
    if command == "official":
        from strikes.cli.official import cli_official

        return cli_official
    raise AssertionError(command)
