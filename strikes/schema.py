"""Declared columns and dtypes of every frame that flows between stages.

Each stage returns frames built with `conform`, so a missing column or a wrong dtype is caught
where it is produced rather than three stages later.  "object" columns hold Python lists or
dicts (weapons, sources, removed boilerplate); "string" columns hold text or <NA>.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from operator import itemgetter

import pandas as pd
import pyarrow as pa

# The "string" columns live in Arrow buffers.  pyarrow's default allocator (mimalloc) keeps
# freed pages for reuse, and a batch builds and drops its frames stage by stage: on the
# 5,000-article bench the pipeline peaked ~35 MB higher with it (390 MB against 355 MB).  The
# system allocator hands large buffers back.  A pool chosen in ARROW_DEFAULT_MEMORY_POOL wins.
if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
    pa.set_memory_pool(pa.system_memory_pool())

Schema = dict[str, str]

ARTICLES: Schema = {
    "article_id": "string",  # content-derived, stable
    "file": "string",  # the path as given (or upload name)
    "title": "string",
    "published": "string",  # YYYY-MM-DD or <NA>
    "published_source": "string",  # document|html-metadata|manifest|near-duplicate|unknown
    "published_ref": "string",  # article_id the date was inferred from (near-duplicate)
    "outlet": "string",
    "url": "string",
    "duplicate_of": "string",  # article_id of the group's first member, <NA> if none
    "dup_group": "string",  # article_id of the group's representative (itself if alone)
    "language": "string",  # "en" or a best guess of another language
    "encoding": "string",  # detected source encoding
    "text": "string",  # cleaned text; every offset points into it
    "removed": "object",  # list[{"text", "reason", "start", "end"}] (offsets in decoded text)
    "n_sentences": "Int64",
    "n_bytes": "Int64",
}

SENTENCES: Schema = {
    "article_id": "string",
    "sent_idx": "Int64",
    "start": "Int64",  # offsets into ARTICLES.text
    "end": "Int64",
    "text": "string",
}

CLAIMS: Schema = {
    "claim_id": "string",
    "article_id": "string",
    "sent_idx": "Int64",
    "sentence": "string",
    "start": "Int64",  # sentence span in the cleaned text
    "end": "Int64",
    "rule": "string",  # which extraction rule fired
    "attacker": "string",
    "kind": "string",  # strike|total
    "date": "string",  # YYYY-MM-DD (month precision: first of month) or <NA>
    "date_precision": "string",  # day|month|year or <NA>
    "date_source": "string",  # e.g. "weekday:Sunday", "explicit", "overnight-into:Friday", "context"
    "place_text": "string",  # the mention as written
    "place_start": "Int64",  # offsets of the mention in the cleaned text
    "place_end": "Int64",
    "target": "string",  # facility named ("Kupol Electromechanical Plant", "port infrastructure")
    "weapons": "object",  # list[str] weapon classes
    "weapon_models": "object",  # list[str]
    "launched": "Int64",
    "intercepted": "Int64",
    "hit": "Int64",
    "killed": "Int64",
    "injured": "Int64",
    "vague": "object",  # dict field -> text kept for vague amounts ("dozens", "several")
    "bounds": "object",  # list[str] figures given as a lower bound ("more than 500": 500+)
    "spans": "object",  # list[{"start","end","label"}] highlighted spans in the cleaned text
    "claimed_by": "string",
    "followups": "object",  # list[{"article","sentence","start","end","rule"}] sentences that added detail
    # Geocoding (filled by geocode stage).
    "geonameid": "Int64",
    "location": "string",
    "admin1": "string",
    "country_code": "string",
    "lat": "Float64",
    "lon": "Float64",
    "geo_precision": "string",  # point|city|region|country
    "geo_radius_km": "Float64",
    "geo_source": "string",  # gazetteer|nominatim (strikes.geo.online)
}

EVENTS: Schema = {
    "event_id": "string",
    "date": "string",
    "date_precision": "string",
    "attacker": "string",
    "location": "string",
    "admin1": "string",
    "country_code": "string",
    "lat": "Float64",
    "lon": "Float64",
    "geo_precision": "string",
    "geo_radius_km": "Float64",
    "geonameid": "Int64",
    "geo_source": "string",  # gazetteer|nominatim
    "weapons": "object",
    "weapon_models": "object",
    "launched": "Int64",
    "intercepted": "Int64",
    "hit": "Int64",
    "killed": "Int64",
    "injured": "Int64",
    "kind": "string",
    "target": "string",
    "claimed_by": "object",  # list[str]
    "sources": "object",  # list[{"article","sentence","start","end","claim_id","rule"}]
    "conflicts": "object",  # dict field -> list of differing values
    "vague": "object",
    "bounds": "object",  # list[str] figures whose value is a lower bound ("at least 18": 18+)
    "n_sources": "Int64",
    "n_articles": "Int64",
}

CORRECTIONS: Schema = {
    # One analyst decision (strikes.review).  Attached to the event's source sentences
    # (`anchors`), so it re-applies after re-extraction, re-merge and a rebuilt store.
    "correction_id": "string",  # content-derived: an import adds each decision once
    "action": "string",  # set|dismiss|confirm|merge|split
    "event_id": "string",  # the event the decision was made on (ids can change; anchors stay)
    "anchors": "object",  # list[{"article","start","end"}]: that event's source sentences
    "field": "string",  # set: attacker|place|date|kind|weapons|launched|intercepted|killed|injured
    "value": "object",  # set: the corrected value (place: dict of place columns; date: dict)
    "machine_value": "object",  # set: the machine's value when the decision was made
    "reason": "string",  # dismiss: not-a-strike|background|duplicate|wrong-article
    "others": "object",  # merge: list[{"event_id","anchors"}] merged into event_id
    "article_id": "string",  # split: the article whose sentence leaves the event
    "sentence_start": "Int64",  # split: that sentence's start offset (<NA>: the whole article)
    "note": "string",
    "reviewer": "string",
    "created_at": "string",  # UTC, ISO 8601
}


# Official nightly tallies (strikes.official): one row per weapon model per reporting window of
# an imported file in the shape of Petro Ivaniuk's "Massive Missile Attacks on Ukraine" dataset.
OFFICIAL_TALLIES: Schema = {
    "line": "Int64",  # line of the row in the imported file (header = line 1)
    "night": "string",  # YYYY-MM-DD: the morning the window ends on (see strikes.official)
    "time_start": "string",  # as published (local time), normalised to YYYY-MM-DD[ HH:MM]
    "time_end": "string",
    "window_hours": "Float64",  # <NA> when a time is a bare date
    "model": "string",  # as published ("Shahed-136/131", "Iskander-M/KN-23")
    "weapon_class": "string",  # a timeline.WEAPON_CLASSES value, "mixed", or <NA> (unmapped)
    "extractor_models": "object",  # list[str]: the extractor's model names it corresponds to
    "launched": "Int64",
    "destroyed": "Int64",
    "not_reach_goal": "Int64",
    "still_attacking": "Int64",
    "launch_place": "string",
    "target": "string",
    "source": "string",  # the row's own source column (the Air Force post it was taken from)
    "source_file": "string",  # provenance: the imported file's name ...
    "source_sha256": "string",  # ... and the sha256 of its bytes
    "imported_at": "string",  # UTC, ISO 8601
}


def empty_frame(schema: Schema) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})


def conform(df: pd.DataFrame | list[dict], schema: Schema) -> pd.DataFrame:
    """Return a frame with exactly the schema's columns, in order, with its dtypes.

    Missing columns are added as all-missing; unknown columns are an error (a typo in a stage
    should fail loudly, not vanish).
    """
    if not isinstance(df, pd.DataFrame):
        return _from_rows(list(df), schema)
    extra = set(df.columns) - set(schema)
    if extra:
        raise ValueError(f"unexpected columns {sorted(extra)}")
    out = {}
    n = len(df)
    for col, dtype in schema.items():
        s = df[col] if col in df.columns else pd.Series([None] * n, index=df.index)
        if dtype == "object":
            out[col] = s.astype("object")
        elif s.dtype == object:
            # The typed builders of `_column` beat `astype` on an object column.
            out[col] = pd.Series(_column(s.tolist(), dtype), index=s.index, copy=False)
        else:
            out[col] = s.astype(dtype)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def from_columns(columns: Sequence[Sequence], schema: Schema) -> pd.DataFrame:
    """`conform` of the schema's columns given as value lists, in the schema's order (a stage
    that collects its values column-wise skips the row dicts)."""
    if len(columns) != len(schema):
        raise ValueError(f"{len(columns)} columns for a schema of {len(schema)}")
    if not len(columns[0]):
        return empty_frame(schema)
    out = {
        col: _column(values, dtype)
        for (col, dtype), values in zip(schema.items(), columns, strict=True)
    }
    return pd.DataFrame(out, copy=False)


def _from_rows(rows: list[dict], schema: Schema) -> pd.DataFrame:
    """`conform` of a list of row dicts (keys outside the schema are not read)."""
    if not rows:
        return empty_frame(schema)
    cols = list(schema)
    try:
        # One C-level getter per row and a transpose: the common case, every key present.
        columns = list(zip(*map(itemgetter(*cols), rows), strict=True))
    except KeyError:
        columns = [[r.get(c) for r in rows] for c in cols]
    return from_columns(columns, schema)


_NONE = type(None)
# Value types each dtype's arrow fast path takes exactly as `astype` would; any other value
# (bool, numpy scalars, NaN in an int column, numbers as text ...) takes the `astype` path.
_ARROW_TYPES = {
    "string": (pa.large_string(), frozenset({str, _NONE})),
    "Int64": (pa.int64(), frozenset({int, _NONE})),
    "Float64": (pa.float64(), frozenset({float, _NONE})),
}


def _column(values: Sequence, dtype: str) -> pd.api.extensions.ExtensionArray | pd.Series:
    """`pd.Series(values, dtype=object).astype(dtype)`'s values, built straight from the Python
    values through arrow when their types allow (2-4x faster)."""
    if dtype == "object":
        return pd.Series(list(values), dtype=object)
    fast = _ARROW_TYPES.get(dtype)
    if fast is not None and set(map(type, values)) <= fast[1]:
        try:
            # from_pandas: a float NaN is missing, as `astype("Float64")` makes it.
            arr = pa.array(values, type=fast[0], from_pandas=True)
        except (pa.ArrowInvalid, OverflowError):
            pass  # an int beyond int64: `astype` decides (it raises)
        else:
            return pd.api.types.pandas_dtype(dtype).__from_arrow__(arr)
    return pd.Series(list(values), dtype=object).astype(dtype).array
