"""``python -m strikes review list|set|dismiss|confirm|merge|split|export|import``: analysts'
decisions from the command line (strikes.review).  Every command takes ``--db FILE``; exit 0 on
success, 1 on a rejected decision (the reason on stderr, nothing written), 2 on usage errors."""

from __future__ import annotations

import dataclasses
import getpass
import json
from pathlib import Path
from typing import Any, TextIO

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from strikes.review import (
    FIELDS,
    FIGURE_FIELDS,
    REASONS,
    Decision,
    export_jsonl,
    filter_review,
    import_jsonl,
    load_corrections,
    plain_value,
    record,
    review_queue,
    reviewed_events,
)
from strikes.settings import Settings
from strikes.store.database import Store, open_store


def add_review_parser(sub: Any) -> None:
    """The ``review`` command and its subcommands (called by strikes.cli.build_parser)."""
    p = sub.add_parser("review", help="analyst review: list, correct, dismiss, merge, split")
    rsub = p.add_subparsers(dest="review_command", required=True)

    def common(q: Any, *, by: bool = True) -> None:
        q.add_argument("--db", type=Path, help="DuckDB file (default data/strikes.duckdb)")
        if by:
            q.add_argument("--note", default="", help="why (shown beside the decision)")
            q.add_argument("--by", help="reviewer name (default: the login name)")

    q = rsub.add_parser("list", help="events by review status, or orphaned decisions")
    common(q, by=False)
    q.add_argument(
        "--status",
        choices=[
            "unreviewed",
            "corrected",
            "dismissed",
            "confirmed",
            "reviewed",
            "orphaned",
            "all",
        ],
        default="unreviewed",
        help="unreviewed: the review queue, most in need of a person first",
    )
    q.add_argument("--format", choices=["table", "jsonl"], default="table")
    q = rsub.add_parser("set", help="correct a field of an event")
    common(q)
    q.add_argument("event_id", metavar="EVENT_ID")
    q.add_argument("field", metavar="FIELD", choices=FIELDS, help=", ".join(FIELDS))
    q.add_argument("value", metavar="VALUE")
    q = rsub.add_parser("dismiss", help="dismiss an event (hidden from pages and exports)")
    common(q)
    q.add_argument("event_id", metavar="EVENT_ID")
    q.add_argument("--reason", choices=REASONS, required=True)
    q = rsub.add_parser("confirm", help="confirm an event as extracted")
    common(q)
    q.add_argument("event_id", metavar="EVENT_ID")
    q = rsub.add_parser("merge", help="merge events into the first one")
    common(q)
    q.add_argument("event_ids", metavar="EVENT_ID", nargs="+")
    q = rsub.add_parser("split", help="split the claims of a sentence (or article) out")
    common(q)
    q.add_argument("event_id", metavar="EVENT_ID")
    q.add_argument("--article", required=True, metavar="ARTICLE_ID")
    q.add_argument("--sentence", type=int, metavar="START", help="the sentence's start offset")
    q = rsub.add_parser("export", help="the decisions as JSON lines")
    common(q, by=False)
    q.add_argument("--out", type=Path)
    q = rsub.add_parser("import", help="add the decisions of a JSON-lines export")
    common(q, by=False)
    q.add_argument("file", metavar="FILE", type=Path)


def cli_review(args: Any, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    cmd = args.review_command
    path = Path(settings.db_path)
    if not path.exists():
        if getattr(args, "db", None) is not None:
            print(f"strikes review: {path}: no event store here", file=err)
            return EXIT_REJECTED
        from strikes.ingest import ensure_store

        ensure_store(settings=settings)  # the default store is built from the seeds, as export
    if cmd == "list":
        store = open_store(settings=settings, read_only=True)
        return _cli_list(store, args, out=out, err=err)
    if cmd == "export":
        store = open_store(settings=settings, read_only=True)
        text = export_jsonl(load_corrections(store))
        if args.out is not None:
            from strikes.store.atomic import write_atomic

            if not Path(args.out).parent.is_dir():
                print(f"strikes review: no such directory: {Path(args.out).parent}", file=err)
                return EXIT_REJECTED
            write_atomic(Path(args.out), text.encode("utf-8"))
            n = text.count("\n")
            print(f"strikes review: exported {n} decision(s) to {args.out}", file=err)
        else:
            out.write(text)
        return EXIT_OK
    store = Store(path, settings=settings)
    if cmd == "import":
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"strikes review: cannot read {args.file}: {exc}", file=err)
            return EXIT_REJECTED
        rep = import_jsonl(store, text, source=str(args.file))
        print(
            f"strikes review: imported {rep.added} decision(s), {rep.already} already stored"
            + (
                f", {rep.orphaned} orphaned (their event is not in this store)"
                if rep.orphaned
                else ""
            ),
            file=out,
        )
        return EXIT_OK
    by = args.by or _login_name()
    if cmd == "set":
        d = Decision(action="set", event_id=args.event_id, field=args.field, value=args.value)
    elif cmd == "dismiss":
        d = Decision(action="dismiss", event_id=args.event_id, reason=args.reason)
    elif cmd == "confirm":
        d = Decision(action="confirm", event_id=args.event_id)
    elif cmd == "merge":
        if len(args.event_ids) < 2:
            print("strikes review merge: name at least two events", file=err)
            return EXIT_USAGE
        d = Decision(action="merge", event_id=args.event_ids[0], others=tuple(args.event_ids[1:]))
    elif cmd == "split":
        d = Decision(
            action="split",
            event_id=args.event_id,
            article_id=args.article,
            sentence_start=args.sentence,
        )
    else:  # pragma: no cover - argparse limits the choices
        raise AssertionError(cmd)
    row = record(
        store, dataclasses.replace(d, note=args.note or "", reviewer=by), settings=settings
    )
    print(f"strikes review: recorded {cmd} on {row['event_id']} ({row['correction_id']})", file=out)
    return EXIT_OK


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _cli_list(store: Store, args: Any, *, out: TextIO, err: TextIO) -> int:
    applied = reviewed_events(store)
    if len(applied.orphans):
        print(
            f"strikes review: {len(applied.orphans)} orphaned decision(s) "
            "(their event no longer exists; `review list --status orphaned`)",
            file=err,
        )
    if args.status == "orphaned":
        rows = [
            {k: plain_value(v) for k, v in r.items()} for r in applied.orphans.to_dict("records")
        ]
        cols = ["correction_id", "action", "event_id", "field", "reviewer", "created_at", "why"]
    else:
        ev = applied.events
        if args.status == "unreviewed":
            ev = review_queue(ev)
        elif args.status != "all":
            ev = (
                filter_review(ev, [args.status])
                if args.status != "confirmed"
                else ev[(ev["reviewed"] == "confirmed").to_numpy(dtype=bool)]
            )
        rows = []
        for r in ev.to_dict("records"):
            rec = {
                "event_id": r["event_id"],
                "reviewed": r["reviewed"],
                "date": r["date"],
                "attacker": r["attacker"],
                "location": r["location"],
                "kind": r["kind"],
                **{f: r.get(f) for f in FIGURE_FIELDS},
                "n_articles": r.get("n_articles"),
            }
            if "priority" in r:
                rec["priority"] = r["priority"]
                rec["reasons"] = r["reasons"]
            rec["corrected"] = sorted((r.get("review") or {}).get("fields", {}))
            rows.append({k: plain_value(v) for k, v in rec.items()})
        cols = list(rows[0]) if rows else ["event_id", "reviewed"]
    if args.format == "jsonl":
        out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return EXIT_OK
    out.write(_table(rows, cols))
    print(f"strikes review: {len(rows)} row(s)", file=err)
    return EXIT_OK


def _table(rows: list[dict], cols: list[str]) -> str:
    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)

    grid = [[c for c in cols]] + [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [min(40, max(len(row[i]) for row in grid)) for i in range(len(cols))]
    return "".join(
        "  ".join(v[:40].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in grid
    )
