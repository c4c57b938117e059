"""`python -m strikes articles PATH... [--manifest FILE] [--format jsonl|table]`: load and
clean documents, one article per line.
"""

from __future__ import annotations

import json
import re
from typing import TextIO

import pandas as pd

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, report_rejections
from strikes.documents.articles import load_articles
from strikes.settings import Settings


def _na(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def article_json(row: dict) -> dict:
    """The CLI's JSON object for one article row."""
    return {
        "id": row["article_id"],
        "file": row["file"],
        "title": _na(row["title"]),
        "published": _na(row["published"]),
        "published_source": row["published_source"],
        "published_ref": _na(row["published_ref"]),
        "outlet": _na(row["outlet"]),
        "url": _na(row["url"]),
        "duplicate_of": _na(row["duplicate_of"]),
        "dup_group": _na(row["dup_group"]),
        "language": _na(row["language"]),
        "encoding": _na(row["encoding"]),
        "n_bytes": int(row["n_bytes"]),
        "sentences": int(row["n_sentences"]),
        "text": row["text"],
        "removed": row["removed"],
    }


def _table(frame: pd.DataFrame) -> str:
    headers = ["id", "file", "published", "source", "duplicate_of", "outlet", "lang", "sents"]
    headers.append("title")
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            [
                r["article_id"],
                _clip(r["file"], 40, left=True),
                _na(r["published"]) or "-",
                r["published_source"],
                _na(r["duplicate_of"]) or "-",
                _clip(_na(r["outlet"]) or "-", 28),
                _na(r["language"]) or "-",
                str(int(r["n_sentences"])),
                _clip(_na(r["title"]) or "-", 70),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {headers.index("sents")}

    def fmt(cells: list[str]) -> str:
        out = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    lines = [fmt(headers), fmt(["-" * w for w in widths])]
    lines.extend(fmt(row) for row in rows)
    return "\n".join(lines) + "\n"


def _clip(s: str, n: int, *, left: bool = False) -> str:
    s = re.sub(r"\s+", " ", str(s))
    if len(s) <= n:
        return s
    return "…" + s[-(n - 1) :] if left else s[: n - 1] + "…"


def _write(out: TextIO, s: str) -> None:
    """Write, degrading gracefully on a terminal that cannot show every character."""
    try:
        out.write(s)
    except UnicodeEncodeError:
        enc = getattr(out, "encoding", None) or "ascii"
        out.write(s.encode(enc, "backslashreplace").decode(enc))


def cli_articles(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    if settings.max_file_bytes <= 0:
        print("strikes: --max-bytes must be a positive number of bytes", file=err)
        return EXIT_USAGE
    batch = load_articles(
        list(args.paths), manifest=getattr(args, "manifest", None), settings=settings
    )
    try:
        if getattr(args, "format", "jsonl") == "table":
            if len(batch.articles):
                _write(out, _table(batch.articles))
        else:
            for row in batch.articles.to_dict("records"):
                _write(out, json.dumps(article_json(row), ensure_ascii=False) + "\n")
        out.flush()
    except BrokenPipeError:  # `| head`: stop quietly
        return EXIT_OK
    report_rejections(batch.rejections, err)
    return EXIT_REJECTED if batch.rejections else EXIT_OK
