"""Frames <-> table rows for any schema: list and dict columns as JSON text, plus ``_row``.

The tables themselves (which schema each has, their keys) are `strikes.store.database`'s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from strikes.schema import Schema, conform


def json_ready(v: object) -> object:
    if isinstance(v, dict):
        return {str(k): json_ready(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [json_ready(x) for x in v]
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def dump_json(v: object) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return json.dumps(json_ready(v), ensure_ascii=False, separators=(",", ":"))


def load_json_column(values: Sequence[object]) -> list[object]:
    """Decode JSON cells; short repeated lists of scalars ('["drone"]') are parsed once."""
    cache: dict[str, tuple[object, bool]] = {}
    out: list[object] = []
    loads = json.loads
    for v in values:
        if not isinstance(v, str):
            out.append(None)
        elif v == "[]":
            out.append([])
        elif v == "{}":
            out.append({})
        elif len(v) < 64:
            hit = cache.get(v)
            if hit is None:
                parsed = loads(v)
                flat = isinstance(parsed, list) and not any(
                    isinstance(i, list | dict) for i in parsed
                )
                hit = cache[v] = (parsed, flat)
            out.append(list(hit[0]) if hit[1] else loads(v))  # a fresh object per row
        else:
            out.append(loads(v))
    return out


def encode_frame(frame: pd.DataFrame, schema: Schema, *, row0: int = 0) -> pd.DataFrame:
    """The frame as the table stores it: object columns JSON text, plus _row."""
    df = conform(frame[[c for c in frame.columns if c in schema]], schema)
    out = {}
    for c, t in schema.items():
        if t == "object":
            out[c] = pd.array([dump_json(v) for v in df[c].array], dtype="string")
        else:
            out[c] = df[c].array
    out["_row"] = np.arange(row0, row0 + len(df), dtype=np.int64)
    return pd.DataFrame(out)


def decode_frame(raw: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    cols = {}
    for c, t in schema.items():
        if c not in raw.columns:
            continue
        if t == "object":
            cols[c] = pd.Series(load_json_column(raw[c].tolist()), index=raw.index, dtype="object")
        else:
            cols[c] = raw[c]
    return conform(pd.DataFrame(cols, index=raw.index), schema)
