"""The frame-building fast paths give exactly what the plain code they replaced gives.

- `schema._column` (arrow-built typed columns) against `pd.Series(values, dtype=object)
  .astype(dtype)`, on every awkward value kind; `conform` of rows and of object frames against
  the column-by-column original.
- `pipeline._claim_values` + `_claims_frame` against the dict-per-claim `_claim_row` + `conform`.
- `events.merge_claims` (row numbers and column lists) against the dict-per-claim merge it
  replaced, on the pipeline's claims and on random claims built to hit every merge rule (region
  folding, vague and conflicting figures, case-only place differences, shared claim ids).

"Exactly" means equal frames with equal dtypes and, cell by cell, values of the same Python
types (an int where there was an int, None where there was None).
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from strikes import pipeline
from strikes.schema import ARTICLES, EVENTS, _column, conform, empty_frame

RNG_SEED = 20240607


# --- strict comparison ----------------------------------------------------------------------


def _same_value(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_value(a[k], b[k]) for k in a)
    if a is None or a is pd.NA:
        return a is b
    return a == b


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    assert list(got.columns) == list(want.columns)
    for col in want.columns:
        assert repr(got[col].dtype) == repr(want[col].dtype), col
        g, w = got[col].array, want[col].array
        if hasattr(w, "_pa_array"):
            assert g._pa_array.type == w._pa_array.type, col
        values_g = list(got[col].to_numpy()) if got[col].dtype == object else got[col].tolist()
        values_w = list(want[col].to_numpy()) if want[col].dtype == object else want[col].tolist()
        for i, (x, y) in enumerate(zip(values_g, values_w, strict=True)):
            assert _same_value(x, y), (col, i, x, y)


# --- schema ---------------------------------------------------------------------------------


def _astype_reference(values: list, dtype: str):
    return pd.Series(values, dtype=object).astype(dtype).array


VALUE_KINDS = [
    None,
    np.nan,
    pd.NA,
    0,
    7,
    -3,
    2**62,
    True,
    False,
    1.0,
    2.5,
    float("inf"),
    np.int64(4),
    np.int32(5),
    np.float64(6.0),
    np.float32(1.5),
    "",
    "Kyiv",
    "Київ",
    "4",
    "1.5",
    np.str_("x"),
]


@pytest.mark.parametrize("dtype", ["string", "Int64", "Float64", "object"])
def test_column_matches_astype_on_every_value_kind(dtype: str) -> None:
    rng = random.Random(RNG_SEED)
    cases = [[v] for v in VALUE_KINDS] + [[v, None] for v in VALUE_KINDS]
    cases += [[None] * 3, [], [2**63], [2**63, None], ["a\ud800", None]]
    cases += [rng.choices(VALUE_KINDS, k=rng.randrange(1, 8)) for _ in range(400)]
    for values in cases:
        try:
            want = _astype_reference(values, dtype)
        except Exception as exc:  # noqa: BLE001 - the fast path must fail the same way
            with pytest.raises(type(exc)):
                _column(values, dtype)
            continue
        got = _column(values, dtype)
        if dtype == "object":  # the values themselves, untouched
            assert got.dtype == object and list(got) == list(want)
            assert all(x is y for x, y in zip(got, want, strict=True))
            continue
        assert_same_frame(pd.DataFrame({"c": got}), pd.DataFrame({"c": want}))


def _from_rows_reference(rows: list[dict], schema: dict) -> pd.DataFrame:
    if not rows:
        return empty_frame(schema)
    out = {}
    for col, dtype in schema.items():
        values = [r.get(col) for r in rows]
        if dtype == "object":
            out[col] = pd.Series(values, dtype=object)
        else:
            out[col] = pd.Series(values, dtype=object).astype(dtype)
    return pd.DataFrame(out)


def _random_event_rows(rng: random.Random, n: int, *, drop_keys: bool) -> list[dict]:
    rows = []
    for i in range(n):
        row = {
            "event_id": f"e{i}",
            "date": rng.choice([None, "2025-01-02", "2024-12-01"]),
            "lat": rng.choice([None, 50.45, 48.0, np.nan, 30]),
            "geonameid": rng.choice([None, 703448, np.int64(5), True]),
            "weapons": rng.choice([[], ["drone"], None]),
            "sources": [{"article": "a", "start": 0}],
            "conflicts": {},
            "n_sources": rng.choice([1, 2, np.int64(3)]),
            "kind": rng.choice(["strike", "total", None, pd.NA]),
        }
        if drop_keys and rng.random() < 0.5:
            row.pop("date")
        rows.append(row)
    return rows


@pytest.mark.parametrize("drop_keys", [False, True])
def test_conform_of_rows_matches_the_column_by_column_original(drop_keys: bool) -> None:
    rng = random.Random(RNG_SEED)
    for n in (1, 2, 17, 200):
        rows = _random_event_rows(rng, n, drop_keys=drop_keys)
        assert_same_frame(conform(rows, EVENTS), _from_rows_reference(rows, EVENTS))
    assert_same_frame(conform([], EVENTS), empty_frame(EVENTS))


def test_conform_of_an_object_frame_matches_astype() -> None:
    rng = random.Random(RNG_SEED)
    rows = _random_event_rows(rng, 60, drop_keys=False)
    frame = pd.DataFrame(rows, index=range(100, 160)).astype(object)
    want = pd.DataFrame(
        {
            c: (frame[c] if c in frame else pd.Series([None] * 60, index=frame.index)).astype(t)
            for c, t in EVENTS.items()
        },
        index=frame.index,
    ).reset_index(drop=True)
    assert_same_frame(conform(frame, EVENTS), want)
    # Already typed columns pass through unchanged.
    typed = conform(frame, EVENTS)
    assert_same_frame(conform(typed, EVENTS), typed)


def test_conform_still_rejects_unknown_columns() -> None:
    with pytest.raises(ValueError, match="unexpected"):
        conform(pd.DataFrame({"event_id": ["a"], "nope": [1]}), EVENTS)
    frame = conform([{"article_id": "a", "text": "x", "surplus": 1}], ARTICLES)
    assert list(frame.columns) == list(ARTICLES)  # row keys outside the schema are not read


# --- claims frame ---------------------------------------------------------------------------


def _claimant_display_reference(name, place):
    if not name:
        return name
    low = name.lower()
    for prefix in ("country's ", "country’s "):
        if low.startswith(prefix):
            country = {"UA": "Ukraine", "RU": "Russia"}.get(getattr(place, "country_code", ""))
            if country:
                return f"{country}'s {name[len(prefix) :]}"
    return name


def test_claimant_display_fast_path() -> None:
    # The fact the shortcut rests on: only "c" and "C" lower-case to something starting "c".
    starts_c = [chr(u) for u in range(0x110000) if chr(u).lower().startswith("c")]
    assert starts_c == ["C", "c"]
    ua = SimpleNamespace(country_code="UA")
    names = [None, "", "country's air force", "Country’s army", "COUNTRY'S NAVY", "the mayor"]
    names += ["countrys army", "c", "Ċountry's army", "ÇOUNTRY'S X", "country's "]
    for name in names:
        for place in (ua, None, SimpleNamespace(country_code="PL")):
            assert pipeline._claimant_display(name, place) == _claimant_display_reference(
                name, place
            ), name
