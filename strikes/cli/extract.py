"""`python -m strikes extract PATH... [--format jsonl|csv|geojson] [--claims]`: the merged events
(the event contract), or the unmerged claims with their rule.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TextIO

import pandas as pd

from strikes.cli.common import EXIT_OK, EXIT_REJECTED, report_rejections
from strikes.events import _json_value, event_records, to_jsonl
from strikes.export import neutralize, to_csv, to_geojson
from strikes.pipeline import figure_notes, language_notes, run_pipeline
from strikes.schema import CLAIMS
from strikes.settings import Settings


def cli_extract(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    result = run_pipeline(args.paths, manifest=args.manifest, settings=settings)
    report_rejections(result.rejections, err)
    for note in language_notes(result.articles) + figure_notes(result.claims, result.articles):
        print(f"strikes: note: {note}", file=err)
    if args.claims:
        text = _claims_output(result.claims, args.format)
    else:
        text = _events_output(result.events, args.format)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        out.write(text)
    if result.articles.empty and not result.rejections:
        print("strikes: no documents found", file=err)
        return EXIT_REJECTED
    return EXIT_REJECTED if result.rejections else EXIT_OK


def _events_output(events: pd.DataFrame, fmt: str) -> str:
    records = event_records(events)
    if fmt == "jsonl":
        return to_jsonl(records)
    if fmt == "geojson":
        return to_geojson(events).decode("utf-8")
    return to_csv(events).decode("utf-8")


def _claims_output(claims: pd.DataFrame, fmt: str) -> str:
    records = [{k: _json_value(v) for k, v in r.items()} for r in claims.to_dict("records")]
    if fmt == "jsonl":
        return to_jsonl(records)
    if fmt == "geojson":
        feats = [
            {
                "type": "Feature",
                "geometry": None
                if r["lat"] is None
                else {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": r,
            }
            for r in records
        ]
        return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CLAIMS))
    w.writeheader()
    for r in records:
        w.writerow({k: _csv_cell(v, neutralize) for k, v in r.items()})
    return buf.getvalue()


def _csv_cell(v: object, neutralize) -> str:
    """Text (and JSON of lists/dicts) with spreadsheet formulas neutralised; numbers as numbers
    (a longitude of -70.6 must stay a number, not become "'-70.6")."""
    if v is None:
        return ""
    if isinstance(v, bool | int | float):
        return str(v)
    if isinstance(v, list | dict):
        return neutralize(json.dumps(v, ensure_ascii=False))
    return neutralize(str(v))
