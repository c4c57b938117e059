"""`python -m bench [--articles N] [--events M] ...`: one JSON line of speed figures (see bench.run)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from bench.run import cli_bench
from strikes.errors import StrikesError
from strikes.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="benchmark the pipeline, store, filters and map payload",
    )
    p.add_argument("--articles", type=int, default=5000)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--repeat", type=int, default=3, help="cold pipeline runs; the fastest is reported"
    )
    p.add_argument("--profile", action="store_true")
    p.add_argument("--scaling", action="store_true", help="also run 10x the articles; print ratios")
    p.add_argument("--no-store", action="store_true", help="skip the DuckDB ingest measurement")
    return p


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0) and 2
    try:
        return cli_bench(args, settings=Settings.from_env(), out=out, err=err)
    except StrikesError as exc:
        print(f"bench: {exc}", file=err)
        return 1


if __name__ == "__main__":
    sys.exit(main())
