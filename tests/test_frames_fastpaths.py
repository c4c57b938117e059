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

import hashlib
import math
import random
from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from bench.corpus import make_documents
from strikes import events, pipeline
from strikes.events import FIGURES, merge_claims
from strikes.schema import ARTICLES, CLAIMS, EVENTS, _column, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS

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


def _claim_row_reference(c, k: int) -> dict:
    p = c.place
    precision = getattr(p, "geo_precision", None)
    return {
        "claim_id": f"{c.article_id}-{c.sent_idx:04d}-{k:02d}",
        "article_id": c.article_id,
        "sent_idx": c.sent_idx,
        "sentence": c.sentence,
        "start": c.start,
        "end": c.end,
        "rule": ";".join(r for r in c.rules if r),
        "attacker": c.attacker,
        "kind": "total" if precision == "country" else "strike",
        "date": c.date,
        "date_precision": c.date_precision,
        "date_source": c.date_source,
        "place_text": c.place_text,
        "place_start": c.place_start,
        "place_end": c.place_end,
        "target": c.target,
        "weapons": list(c.weapons),
        "weapon_models": list(c.weapon_models),
        "launched": c.launched,
        "intercepted": c.intercepted,
        "hit": c.hit,
        "killed": c.killed,
        "injured": c.injured,
        "vague": dict(c.vague),
        "spans": list(c.spans),
        "claimed_by": pipeline._claimant_display(c.claimed_by, p),
        "followups": list(c.extra_sources),
        "geonameid": getattr(p, "geonameid", None),
        "location": getattr(p, "name", None),
        "admin1": getattr(p, "admin1", None),
        "country_code": getattr(p, "country_code", None),
        "lat": getattr(p, "lat", None),
        "lon": getattr(p, "lon", None),
        "geo_precision": precision,
        "geo_radius_km": getattr(p, "radius_km", None),
        "geo_source": getattr(p, "source", None),
    }


def _pipeline_claims(monkeypatch, n: int, seed: int) -> tuple[list[list], pd.DataFrame, object]:
    """The Claim lists of each article of a synthetic corpus, the claims frame and the batch."""
    from strikes.documents.articles import load_documents

    batch = load_documents(make_documents(n, seed=seed), settings=DEFAULT_SETTINGS)
    seen: list[list] = []
    original = pipeline.extract_article_claims

    def keep(**kwargs):
        out = original(**kwargs)
        seen.append(list(out))
        return out

    monkeypatch.setattr(pipeline, "extract_article_claims", keep)
    frame = pipeline.extract_claims(batch.articles, batch.sentences, settings=DEFAULT_SETTINGS)
    return seen, frame, batch


def _stand_in_claims() -> list:
    """Duck-typed claims with the attributes the row builder reads: no place, a place missing
    some attributes, a country-level place, a claimant naming "the country"."""
    base = dict(
        article_id="art",
        sentence="Drones hit the city.",
        start=10,
        end=30,
        rules=["verb", "", "near"],
        attacker="Russia",
        date="2025-03-01",
        date_precision="day",
        date_source="explicit",
        place_text=None,
        place_start=None,
        place_end=None,
        weapons=["drone"],
        weapon_models=[],
        launched=None,
        intercepted=5,
        hit=None,
        killed=None,
        injured=2,
        vague={"launched": "dozens"},
        spans=[{"start": 10, "end": 16, "label": "weapon"}],
        claimed_by=None,
        target=None,
        extra_sources=[],
    )
    city = SimpleNamespace(
        geonameid=703448,
        name="Kyiv",
        admin1="Kyiv City",
        country_code="UA",
        lat=50.45,
        lon=30.52,
        geo_precision="city",
        radius_km=15.0,
    )
    partial = SimpleNamespace(name="Somewhere", country_code="RU", geo_precision="region")
    country = SimpleNamespace(
        geonameid=690791,
        name="Ukraine",
        admin1=None,
        country_code="UA",
        lat=49.0,
        lon=32.0,
        geo_precision="country",
        radius_km=400.0,
    )
    return [
        SimpleNamespace(**base, sent_idx=0, place=None),
        SimpleNamespace(**{**base, "claimed_by": "country's air force"}, sent_idx=1, place=city),
        SimpleNamespace(**{**base, "claimed_by": "the mayor"}, sent_idx=2, place=partial),
        SimpleNamespace(**{**base, "claimed_by": "country’s army"}, sent_idx=3, place=country),
    ]


def _claims_frame_reference(claim_lists: list[list]) -> pd.DataFrame:
    rows = [_claim_row_reference(c, k) for claims in claim_lists for k, c in enumerate(claims)]
    return conform(rows, CLAIMS)


def _claims_frame_fast(claim_lists: list[list]) -> pd.DataFrame:
    rows = [row for claims in claim_lists for row in map(pipeline._claim_values, claims, range(99))]
    return pipeline._claims_frame(rows)


def test_claims_frame_matches_dict_rows(monkeypatch) -> None:
    claim_lists, frame, _ = _pipeline_claims(monkeypatch, 150, seed=3)
    assert len(frame) > 100
    assert_same_frame(frame, _claims_frame_reference(claim_lists))
    stand_ins = [_stand_in_claims(), [], _stand_in_claims()[1:]]
    assert_same_frame(_claims_frame_fast(stand_ins), _claims_frame_reference(stand_ins))
    assert_same_frame(_claims_frame_fast([]), empty_frame(CLAIMS))


def test_claim_values_follow_the_schema_order() -> None:
    for c in _stand_in_claims():
        row = dict(zip(CLAIMS, pipeline._claim_values(c, 4), strict=True))
        assert row == _claim_row_reference(c, 4)


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


# --- merge ----------------------------------------------------------------------------------
# The merge as it was: one dict of every column per claim.


def _missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float) and math.isnan(v)


def _val(v: object) -> object:
    return None if _missing(v) else v


def _place_key(row: dict) -> str:
    gid = row.get("geonameid")
    if gid is not None and not _missing(gid):
        return f"g{int(gid)}"
    return f"{row.get('geo_precision')}:{row.get('country_code')}:{(row.get('location') or '').lower()}"


def _event_key(row: dict) -> tuple[str, ...]:
    key = (
        str(row.get("attacker") or ""),
        str(row.get("date") or ""),
        str(row.get("date_precision") or ""),
        _place_key(row),
        str(row.get("kind") or "strike"),
    )
    # Undated claims never merge: one event each.
    return key if not _missing(row.get("date")) and key[1] else (*key, f"claim:{row['claim_id']}")


_PLACE_COLUMNS = (
    "location", "admin1", "country_code", "lat", "lon", "geo_precision", "geo_radius_km", "geonameid",
    "geo_source",
)  # fmt: skip


def _plain_values(s: pd.Series) -> list:
    values = s.tolist()
    if s.dtype != object:
        return [None if v is pd.NA else v for v in values] if s.hasnans else values
    return [None if v is pd.NA else v.item() if isinstance(v, np.generic) else v for v in values]


def _records(df: pd.DataFrame) -> list[dict]:
    cols = list(df.columns)
    lists = [_plain_values(df[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*lists, strict=True)]


def _join_nights(groups: dict) -> dict:
    """A night dated a day apart by different articles (a night claim on either side): the
    later day's event."""
    night = events.NIGHT_SOURCES
    moved: dict = {}
    for key in sorted(groups):
        if len(key) != 5 or key[1][:2] != "20" or key[2] != "day":
            continue
        nxt = (date.fromisoformat(key[1]) + timedelta(days=1)).isoformat()
        later = (key[0], nxt, *key[2:])
        if later not in groups or key in moved.values() or later in moved:
            continue
        both = groups[key] + groups[later]
        arts = ({r["article_id"] for r in groups[key]}, {r["article_id"] for r in groups[later]})
        if any(r.get("date_source") in night for r in both) and not arts[0] & arts[1]:
            moved[key] = later
    out = {k: list(v) for k, v in groups.items() if k not in moved}
    for key, later in moved.items():
        out[later] = out[later] + groups[key]
    return out


def _fold(groups: dict) -> dict:
    cities: dict = {}
    for key, members in groups.items():
        m = members[0]
        if key[1] and m.get("geo_precision") == "city" and not _missing(m.get("admin1")):
            cities.setdefault(
                (key[0], key[1], str(m.get("country_code")), str(m["admin1"])), []
            ).append(key)
    out: dict = {}
    folded: dict = {}
    for key, members in groups.items():
        m = members[0]
        if (
            key[1]
            and m.get("geo_precision") == "region"
            and not any(_val(r.get(f)) is not None for r in members for f in FIGURES)
        ):
            targets = cities.get(
                (key[0], key[1], str(m.get("country_code")), str(m.get("location"))), []
            )
            if len(targets) == 1:
                folded.setdefault(targets[0], []).extend(members)
                continue
        out[key] = list(members)
    for key, extra in folded.items():
        out[key].extend({**r, **{c: out[key][0].get(c) for c in _PLACE_COLUMNS}} for r in extra)
    return out


def _pick_figure(fld: str, members: list[dict], published: dict) -> tuple:
    per_article: dict = {}
    for r in members:
        v = _val(r.get(fld))
        if v is not None:
            per_article.setdefault(r["article_id"], int(v))
        else:
            vague = (r.get("vague") or {}).get(fld)
            if vague and r["article_id"] not in per_article:
                per_article[r["article_id"]] = str(vague)
    if not per_article:
        return None, []
    numbers = [(a, v) for a, v in per_article.items() if isinstance(v, int)]
    chosen = max(numbers, key=lambda av: (published.get(av[0], ""), av[1]))[1] if numbers else None
    if len(set(per_article.values())) <= 1:
        return chosen, []
    return chosen, [{"value": v, "article": a} for a, v in sorted(per_article.items())]


def _merge_group(key: tuple, members: list[dict], published: dict) -> dict:
    members = sorted(members, key=lambda r: (r["article_id"], int(r["sent_idx"]), r["claim_id"]))
    first = members[0]
    out: dict = {
        "event_id": hashlib.sha1("|".join(key).encode()).hexdigest()[:16],
        "date": key[1] if len(key) == 5 and key[1][:2] == "20" else _val(first["date"]),
        "date_precision": _val(first["date_precision"]),
        "attacker": first["attacker"],
        "kind": _val(first.get("kind")) or "strike",
    }
    for col in _PLACE_COLUMNS:
        out[col] = _val(first.get(col))
    weapons: list = []
    models: list = []
    claimed: list = []
    sources: list = []
    vague: dict = {}
    target = None
    for r in members:
        for w in r.get("weapons") or []:
            if w not in weapons:
                weapons.append(w)
        for m in r.get("weapon_models") or []:
            if m not in models:
                models.append(m)
        c = _val(r.get("claimed_by"))
        if c and c not in claimed:
            claimed.append(c)
        if target is None and _val(r.get("target")):
            target = r["target"]
        for k, v in (r.get("vague") or {}).items():
            vague.setdefault(k, v)
        sources.append(
            {
                "article": r["article_id"],
                "sentence": r["sentence"],
                "start": int(r["start"]),
                "end": int(r["end"]),
                "claim_id": r["claim_id"],
                "rule": r["rule"],
            }
        )
        for f in r.get("followups") or []:
            sources.append({**f, "claim_id": r["claim_id"]})
    out.update(weapons=weapons, weapon_models=models, claimed_by=claimed, target=target)
    conflicts: dict = {}
    for fld in FIGURES:
        value, differing = _pick_figure(fld, members, published)
        out[fld] = value
        if differing:
            conflicts[fld] = differing
    out["vague"] = {k: v for k, v in vague.items() if out.get(k) is None or k in conflicts}
    out["conflicts"] = conflicts
    seen: set = set()
    out["sources"] = []
    for s in sources:
        if (s["article"], s["start"], s["end"]) not in seen:
            seen.add((s["article"], s["start"], s["end"]))
            out["sources"].append(s)
    out["n_sources"] = len(out["sources"])
    out["n_articles"] = len({s["article"] for s in out["sources"]})
    return out


def merge_reference(claims: pd.DataFrame, *, articles: pd.DataFrame) -> pd.DataFrame:
    if claims.empty:
        return empty_frame(EVENTS)
    published = {}
    if not articles.empty:
        published = dict(zip(articles["article_id"], articles["published"].fillna(""), strict=True))
    groups: dict = {}
    for r in _records(claims):
        if _missing(r.get("attacker")) or _missing(r.get("geo_precision")):
            continue
        groups.setdefault(_event_key(r), []).append(r)
    groups = _fold(_join_nights(groups))
    rows = [_merge_group(key, members, published) for key, members in sorted(groups.items())]
    return conform(rows, EVENTS)


# Places of the random claims: (geonameid, location, admin1, country, precision), with a region
# whose name is a city's admin1 (folding), two cities in it (no folding), a place without a
# geonameid spelled two ways, and a country.
PLACES = [
    (703448, "Kyiv", "Kyiv City", "UA", "city"),
    (709930, "Dnipro", "Dnipropetrovsk", "UA", "city"),
    (709931, "Kamianske", "Dnipropetrovsk", "UA", "city"),
    (687700, "Zaporizhzhia", "Zaporizhzhia", "UA", "city"),
    (687699, "Zaporizhzhia", "Zaporizhzhia", "UA", "region"),
    (709929, "Dnipropetrovsk", "Dnipropetrovsk", "UA", "region"),
    (None, "Kherson region", None, "UA", "region"),
    (None, "KHERSON REGION", None, "UA", "region"),
    (None, "Belgorod", None, None, "city"),
    (690791, "Ukraine", None, "UA", "country"),
    (None, None, None, None, None),
]


def _random_claims(rng: random.Random, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles = [f"a{i:02d}" for i in range(12)]
    rows = []
    for _ in range(n):
        aid = rng.choice(articles)
        gid, loc, admin1, cc, precision = rng.choice(PLACES)
        figures = {f: rng.choice([None, None, None, 0, 3, 12, 40]) for f in FIGURES}
        vague = {}
        if rng.random() < 0.3:
            vague[rng.choice([*FIGURES, "killed_min", "implausible", "target"])] = rng.choice(
                ["dozens", "several", "implausible: 9000"]
            )
        if rng.random() < 0.3:
            figures = dict.fromkeys(FIGURES)  # figure-less claims fold
        sent = rng.randrange(6)
        rows.append(
            {
                "claim_id": f"{aid}-{sent:04d}-{rng.randrange(2):02d}",  # ids may repeat
                "article_id": aid,
                "sent_idx": sent,
                "sentence": f"Sentence {sent} of {aid}.",
                "start": sent * 40,
                "end": sent * 40 + rng.randrange(10, 40),
                "rule": rng.choice(["verb", "verb;near", ""]),
                "attacker": rng.choice(["Russia", "Russia", "Ukraine", None]),
                "kind": rng.choice(["strike", "strike", "total", None]),
                "date": rng.choice(["2025-03-01", "2025-03-02", "", None]),
                "date_precision": rng.choice(["day", "day", "month", None]),
                "date_source": "explicit",
                "place_text": loc,
                "target": rng.choice([None, None, "", "the port", "a substation"]),
                "weapons": rng.sample(["drone", "missile", "bomb"], rng.randrange(3)),
                "weapon_models": rng.sample(["Shahed", "Kh-101"], rng.randrange(2)),
                **figures,
                "vague": vague,
                "spans": [],
                "claimed_by": rng.choice([None, "", "the air force", "the governor"]),
                "followups": rng.choice(
                    [[], [], [{"article": "a01", "sentence": "More.", "start": 0, "end": 5}]]
                ),
                "geonameid": gid,
                "location": loc,
                "admin1": admin1,
                "country_code": cc,
                "lat": None if loc is None else rng.choice([50.0, 48.5]),
                "lon": None if loc is None else 30.5,
                "geo_precision": precision,
                "geo_radius_km": None if loc is None else 10.0,
            }
        )
    arts = pd.DataFrame(
        {
            "article_id": articles,
            "published": [rng.choice(["2025-03-01", "2025-03-03", None]) for _ in articles],
        }
    ).astype("string")
    return conform(rows, CLAIMS), arts


def test_merge_matches_the_dict_per_claim_merge_on_random_claims() -> None:
    rng = random.Random(RNG_SEED)
    for n in (1, 5, 40, 300, 300, 300):
        claims, arts = _random_claims(rng, n)
        want = merge_reference(claims, articles=arts)
        assert_same_frame(merge_claims(claims, articles=arts), want)
        # Shuffled rows (the store reads claims back in another order): still the same.
        shuffled = claims.sample(frac=1, random_state=n).reset_index(drop=True)
        assert_same_frame(
            merge_claims(shuffled, articles=arts), merge_reference(shuffled, articles=arts)
        )
    assert_same_frame(merge_claims(claims.iloc[:0], articles=arts), empty_frame(EVENTS))


def test_random_claims_reach_every_merge_rule() -> None:
    claims, arts = _random_claims(random.Random(RNG_SEED), 300)
    events = merge_claims(claims, articles=arts)
    folded = events[events["sources"].map(lambda s: len({x["claim_id"] for x in s}) > 1)]
    assert len(folded) and events["conflicts"].map(bool).any()
    assert events["vague"].map(bool).any() and (events["location"] == "Kherson region").any()
    kherson = claims[claims["location"].str.lower() == "kherson region"].fillna(
        {"date": "", "date_precision": "", "kind": "strike"}
    )
    spellings = kherson.groupby(["attacker", "date", "date_precision", "kind"])["location"]
    assert (spellings.nunique() > 1).any()  # one event from two spellings
    region_ids = set(claims.loc[claims["geo_precision"] == "region", "claim_id"])
    in_cities = {
        s["claim_id"]
        for srcs in events.loc[events["geo_precision"] == "city", "sources"]
        for s in srcs
    }
    assert region_ids & in_cities  # some region claims folded into a city's event


def test_merge_matches_the_dict_per_claim_merge_on_pipeline_claims(monkeypatch) -> None:
    _, claims, batch = _pipeline_claims(monkeypatch, 300, seed=11)
    want = merge_reference(claims, articles=batch.articles)
    assert len(want) > 50
    assert_same_frame(merge_claims(claims, articles=batch.articles), want)


def test_merge_reads_frames_that_are_not_conformed() -> None:
    """An object-typed frame (NaN for missing, numpy scalars) merges as the old code did."""
    claims, arts = _random_claims(random.Random(RNG_SEED + 1), 200)
    loose = claims.astype(object).replace({pd.NA: np.nan})
    for col in ("launched", "killed", "geonameid", "sent_idx", "start", "end"):
        loose[col] = [v if v is np.nan else np.int64(v) for v in loose[col]]
    assert_same_frame(merge_claims(loose, articles=arts), merge_reference(loose, articles=arts))


def _claim(**values) -> dict:
    base = {
        "claim_id": "a1-0001-00",
        "article_id": "a1",
        "sent_idx": 1,
        "sentence": "Drones struck.",
        "start": 0,
        "end": 14,
        "rule": "verb",
        "attacker": "Russia",
        "kind": "strike",
        "date": "2025-03-01",
        "date_precision": "day",
        "weapons": [],
        "weapon_models": [],
        "vague": {},
        "spans": [],
        "followups": [],
        "location": "Kherson region",
        "country_code": "UA",
        "geo_precision": "region",
    }
    return {**base, **values}


EDGE_CASES = {
    # One key from two spellings, rows interleaved, the claims' order tied (same id): the
    # event's sources keep the rows' order.
    "spellings": [
        _claim(location="KHERSON REGION", start=0),
        _claim(start=20),
        _claim(location="KHERSON REGION", start=40),
    ],
    # Only vague words, and they differ between articles: a conflict without a number.
    "vague only": [
        _claim(vague={"killed": "several"}),
        _claim(article_id="a2", claim_id="a2-0001-00", vague={"killed": "dozens"}),
    ],
    # A figure-less region folds into its only city; the city's first claim gives the place.
    "fold": [
        _claim(location="Zaporizhzhia", geo_precision="region", claim_id="a0-0000-00",
               article_id="a0"),
        _claim(location="Zaporizhzhia", admin1="Zaporizhzhia", geo_precision="city",
               geonameid=687700, lat=47.8, lon=35.2, injured=9, start=30),
        _claim(location="Zaporizhzhia", admin1="Zaporizhzhia", geo_precision="city",
               geonameid=687700, lat=47.9, lon=35.1, start=60, sent_idx=2),
    ],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_merge_edge_cases_match_the_dict_per_claim_merge(case: str) -> None:
    claims = conform(EDGE_CASES[case], CLAIMS)
    arts = pd.DataFrame({"article_id": ["a0", "a1", "a2"], "published": [None] * 3})
    got = merge_claims(claims, articles=arts)
    assert_same_frame(got, merge_reference(claims, articles=arts))
    assert len(got) == 1
