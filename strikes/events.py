"""Claims -> events: one event per (attacker, date, place, kind), every report kept.

Claims from several sentences and several articles (syndicated copies and independent reports)
that describe the same attack merge into one event.  Where sources disagree, the event keeps the
most specific figure (a number beats a vague word beats silence; between two numbers the later
report wins, casualty counts being revised upward as bodies are found) and `conflicts` lists
every differing value with the article that gave it.

Blocking is by exact key, so merging is a hash group-by: linear in the number of claims.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import compress, repeat
from operator import is_not

import numpy as np
import pandas as pd

from strikes.schema import EVENTS, conform, empty_frame
from strikes.vocab import FIGURES

CONTRACT_FIELDS = (
    "event_id", "date", "date_precision", "attacker", "location", "admin1", "country_code",
    "lat", "lon", "geo_precision", "weapons", "weapon_models", "launched", "intercepted",
    "killed", "injured", "kind", "claimed_by", "sources", "conflicts",
)  # fmt: skip
EXTRA_FIELDS = (
    "hit", "target", "vague", "bounds", "geo_radius_km", "geonameid", "geo_source", "n_sources",
    "n_articles",
)  # fmt: skip


def event_id_for(key: tuple[str, ...]) -> str:
    return hashlib.sha1("|".join(key).encode()).hexdigest()[:16]


def _missing(v: object) -> bool:
    if v is None or v is _NA:
        return True
    return isinstance(v, float) and math.isnan(v)


_NA = pd.NA


def _val(v: object) -> object:
    # `None if _missing(v) else v` in one call (the merge makes tens of thousands).
    if v is None or v is _NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def merge_claims(claims: pd.DataFrame, *, articles: pd.DataFrame) -> pd.DataFrame:
    """Merge claims into events (schema.EVENTS); deterministic, ids stable across runs."""
    if claims.empty:
        return empty_frame(EVENTS)
    published = {}
    if not articles.empty:
        published = dict(
            zip(
                articles["article_id"].tolist(),
                articles["published"].fillna("").tolist(),
                strict=True,
            )
        )
    c = _Claims(claims)
    groups, place_of = _fold_regions_into_cities(_join_nights(_group(c), c), c)
    rows = [
        _merge_group(key, members, c, place_of, published)
        for key, members in sorted(groups.items())
    ]
    return conform(rows, EVENTS)


_PLACE_COLUMNS = (
    "location", "admin1", "country_code", "lat", "lon", "geo_precision", "geo_radius_km", "geonameid",
    "geo_source",
)  # fmt: skip


class _Claims:
    """The claim columns the merge reads, as plain lists (missing values as None, numpy scalars
    as Python ones, an absent column all None): the merge works on row numbers, not on a dict
    per claim (building those cost more than the merge itself)."""

    def __init__(self, df: pd.DataFrame) -> None:
        n = len(df)

        def col(name: str) -> list:
            return _plain_values(df[name]) if name in df.columns else [None] * n

        self.article_id = col("article_id")
        self.sent_idx = col("sent_idx")
        self.claim_id = col("claim_id")
        self.sentence = col("sentence")
        self.start = col("start")
        self.end = col("end")
        self.rule = col("rule")
        self.attacker = col("attacker")
        self.date = col("date")
        self.date_precision = col("date_precision")
        self.date_source = col("date_source")
        self.kind = col("kind")
        self.weapons = col("weapons")
        self.weapon_models = col("weapon_models")
        self.claimed_by = col("claimed_by")
        self.target = col("target")
        self.vague = col("vague")
        self.followups = col("followups")
        self.figures = [_figure_values(col(f)) for f in FIGURES]
        self.place = [col(p) for p in _PLACE_COLUMNS]
        # Per figure, the rows that give it.
        self.with_figure = [
            set(compress(range(n), map(is_not, f, repeat(None)))) for f in self.figures
        ]
        # Per figure, the rows that give it as a lower bound ("at least 18").
        bounds = col("bounds")
        self.bound = [
            {i for i, b in enumerate(bounds) if b is not None and len(b) and f in b}
            for f in FIGURES
        ]
        # The order of an event's sources; a missing sent_idx fails like int(None) would, but
        # only when its row is merged.
        try:
            self.order: list[tuple] | None = list(
                zip(self.article_id, map(int, self.sent_idx), self.claim_id, strict=True)
            )
        except (TypeError, ValueError):
            self.order = None


def _figure_values(values: list) -> list:
    """A figure column as the merge reads it: int, or None when missing."""
    if set(map(type, values)) <= {int, _NONE}:
        return values  # an Int64 column: nothing to convert
    return [None if _missing(v) else int(v) for v in values]


_NONE = type(None)


def _group(c: _Claims) -> dict[tuple[str, ...], list[int]]:
    """Row numbers by event key (attacker, date, date precision, place, kind), in row order;
    claims without an attacker or a place stay out."""
    location, _admin1, country, _lat, _lon, precision, _radius, geonameid, _src = c.place
    # First by the raw values (a C-level zip and one dict lookup per claim), then each distinct
    # combination's key: equal values always give equal keys, and a few distinct ones do too
    # ("Kyiv"/"KYIV" without a geonameid, a date None or "").
    raw: defaultdict[tuple, list[int]] = defaultdict(list)
    for i, values in enumerate(
        zip(
            c.attacker,
            c.date,
            c.date_precision,
            c.kind,
            geonameid,
            precision,
            country,
            location,
            strict=True,
        )
    ):
        raw[values].append(i)
    groups: dict[tuple[str, ...], list[int]] = {}
    joined = set()
    for (attacker, date, date_precision, kind, gid, prec, cc, loc), rows in raw.items():
        if _missing(attacker) or _missing(prec):
            continue
        if gid is not None and not _missing(gid):
            place = f"g{int(gid)}"
        else:
            place = f"{prec}:{cc}:{(loc or '').lower()}"
        key = (
            str(attacker or ""),
            str(date or ""),
            str(date_precision or ""),
            place,
            str(kind or "strike"),
        )
        if _missing(date) or not key[1]:
            # Undated claims never merge: nothing says two of them are one attack (the same
            # town is struck again and again across articles and years).  Each stays its own
            # event, keyed by its claim.
            for i in rows:
                groups[(*key, f"claim:{c.claim_id[i] or i}")] = [i]
            continue
        if key in groups:
            groups[key].extend(rows)
            joined.add(key)
        else:
            groups[key] = rows
    for key in joined:
        groups[key].sort()
    return groups


# Date sources of a night's attack (claims.py): one outlet dates it by its evening ("on the
# night of July 3"), another by its morning ("overnight", read on July 4).
NIGHT_SOURCES = frozenset({
    "overnight", "overnight-into", "overnight-on", "overnight-of-statement", "overnight-context",
    "night-range", "night-of", "weekday-night",
})  # fmt: skip


def _join_nights(
    groups: dict[tuple[str, ...], list[int]], c: _Claims
) -> dict[tuple[str, ...], list[int]]:
    """The same night's attack dated a day apart by different articles is one event, dated by
    its morning (the later day): same attacker, place and kind, a claim on either side read as
    a night's, and no article on both sides (one article's two days are two attacks)."""
    by_rest: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in groups:
        if key[1] and key[2] == "day" and len(key) == 5:
            by_rest.setdefault((key[0], key[3], key[4]), []).append(key)
    moves: dict[tuple[str, ...], tuple[str, ...]] = {}
    targets: set[tuple[str, ...]] = set()
    for keys in by_rest.values():
        if len(keys) < 2:
            continue
        days = {_dt.date.fromisoformat(k[1]): k for k in keys if _iso_day(k[1])}
        for day in sorted(days):
            later = days.get(day + _dt.timedelta(days=1))
            earlier = days[day]
            # A day joins one other day at most (d->d+1 then d+1->d+2 would chain three).
            if later is None or earlier in targets or later in moves or later in targets:
                continue
            a, b = groups[earlier], groups[later]
            if not any(c.date_source[i] in NIGHT_SOURCES for i in (*a, *b)):
                continue
            if {c.article_id[i] for i in a} & {c.article_id[i] for i in b}:
                continue
            moves[earlier] = later
            targets.add(later)
    if not moves:
        return groups
    out = {k: list(v) for k, v in groups.items() if k not in moves}
    for earlier, later in moves.items():
        out[later].extend(groups[earlier])
        out[later].sort()
    return out


def _iso_day(value: str) -> bool:
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fold_regions_into_cities(
    groups: dict[tuple[str, ...], list[int]], c: _Claims
) -> tuple[dict[tuple[str, ...], list[int]], dict[int, int]]:
    """A region named without any figure on the day a city inside it was hit is that city's
    strike reported less precisely ("strikes in the Zaporizhzhia region" ... "in the city of
    Zaporizhzhia, nine people were injured"): its reports join the city's event.

    Only figure-less region claims fold, so a regional tally never disappears into a city.
    Returns the groups and, for each folded row, the row whose place it now has (the city's
    first claim).
    """
    location, admin1, country, _lat, _lon, precision, _radius, _gid, _src = c.place
    cities: dict[tuple[str, str, str, str], list[tuple[str, ...]]] = {}
    for key, members in groups.items():
        m = members[0]
        if key[1] and precision[m] == "city" and not _missing(admin1[m]):
            cities.setdefault((key[0], key[1], str(country[m]), str(admin1[m])), []).append(key)
    out: dict[tuple[str, ...], list[int]] = {}
    folded: dict[tuple[str, ...], list[int]] = {}
    for key, members in groups.items():
        m = members[0]
        if (
            key[1]  # an undated region is no dated city's, nor another undated one's
            and precision[m] == "region"
            and all(s.isdisjoint(members) for s in c.with_figure)
        ):
            targets = cities.get((key[0], key[1], str(country[m]), str(location[m])), [])
            if len(targets) == 1:
                folded.setdefault(targets[0], []).extend(members)
                continue
        out[key] = members
    place_of: dict[int, int] = {}
    for key, extra in folded.items():
        place_of.update(dict.fromkeys(extra, out[key][0]))
        out[key].extend(extra)
    return out, place_of


def _plain_values(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.Int64Dtype) or (
        isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is _NA
    ):
        # Python str/int, and None for <NA> (faster than tolist and a pass).
        return s.to_numpy(dtype=object, na_value=None).tolist()
    values = s.tolist()
    if s.dtype != object:
        # Nullable and arrow dtypes give Python scalars; only their missing values need care.
        return [None if v is pd.NA else v for v in values] if s.hasnans else values
    if not any(t is _NA_TYPE or issubclass(t, np.generic) for t in set(map(type, values))):
        return values  # lists, dicts, text: nothing to convert
    return [None if v is pd.NA else v.item() if isinstance(v, np.generic) else v for v in values]


_NA_TYPE = type(pd.NA)


def _merge_group(
    key: tuple[str, ...],
    members: list[int],
    c: _Claims,
    place_of: dict[int, int],
    published: dict[str, str],
) -> dict:
    aid, sent_idx, claim_id = c.article_id, c.sent_idx, c.claim_id
    if c.order is not None:
        members = sorted(members, key=c.order.__getitem__)
    else:
        members = sorted(members, key=lambda i: (aid[i], int(sent_idx[i]), claim_id[i]))
    first = members[0]
    out: dict = {
        "event_id": event_id_for(key),
        # Joined nights: the morning's day (the key's).
        "date": key[1] if len(key) == 5 and _iso_day(key[1]) else _val(c.date[first]),
        "date_precision": _val(c.date_precision[first]),
        "attacker": c.attacker[first],
        "kind": _val(c.kind[first]) or "strike",
    }
    place_row = place_of.get(first, first)
    for col, values in zip(_PLACE_COLUMNS, c.place, strict=True):
        out[col] = _val(values[place_row])
    weapons: list[str] = []
    models: list[str] = []
    claimed: list[str] = []
    sources: list[dict] = []
    seen: set[tuple] = set()
    vague: dict[str, str] = {}
    target = None
    c_weapons, c_models, c_claimed, c_target, c_vague = (
        c.weapons, c.weapon_models, c.claimed_by, c.target, c.vague,
    )  # fmt: skip
    sentence, start, end, rule, followups = c.sentence, c.start, c.end, c.rule, c.followups
    # `or ()` rather than `or []`: no new empty list per claim.
    for i in members:
        for w in c_weapons[i] or ():
            if w not in weapons:
                weapons.append(w)
        for m in c_models[i] or ():
            if m not in models:
                models.append(m)
        v = c_claimed[i]
        if v.__class__ is not str:  # text is its own `_val`
            v = _val(v)
        if v and v not in claimed:
            claimed.append(v)
        if target is None and c_target[i] and _val(c_target[i]):
            target = c_target[i]
        if c_vague[i]:
            for k, v in c_vague[i].items():
                vague.setdefault(k, v)
        # Each source once, the first time it comes (by article and span).
        cid = claim_id[i]
        span = (aid[i], int(start[i]), int(end[i]))
        if span not in seen:
            seen.add(span)
            sources.append(
                {
                    "article": span[0],
                    "sentence": sentence[i],
                    "start": span[1],
                    "end": span[2],
                    "claim_id": cid,
                    "rule": rule[i],
                }
            )
        for f in followups[i] or ():
            span = (f["article"], f["start"], f["end"])
            if span not in seen:
                seen.add(span)
                sources.append({**f, "claim_id": cid})
    out.update(weapons=weapons, weapon_models=models, claimed_by=claimed, target=target)
    conflicts: dict[str, list] = {}
    bounds: list[str] = []
    for fld, values, given, bound in zip(FIGURES, c.figures, c.with_figure, c.bound, strict=True):
        if fld not in vague and given.isdisjoint(members):
            out[fld] = None  # the common case: no report gives this figure, not even vaguely
            continue
        value, differing, is_bound = _pick_figure(
            fld,
            values,
            members,
            aid,
            c_vague if fld in vague else None,
            published,
            bound if not bound.isdisjoint(members) else None,
        )
        out[fld] = value
        if is_bound:
            bounds.append(fld)
        if differing:
            conflicts[fld] = differing
    # A vague note for a field that has a firm number is itself a disagreement worth showing.
    out["vague"] = {k: v for k, v in vague.items() if out.get(k) is None or k in conflicts}
    out["conflicts"] = conflicts
    out["bounds"] = bounds
    out["sources"] = sources
    out["n_sources"] = len(sources)
    out["n_articles"] = len({s["article"] for s in sources})
    return out


def _pick_figure(
    fld: str,
    values: list,
    members: list[int],
    article_id: list,
    vague_of: list | None,
    published: dict[str, str],
    bound_rows: set[int] | None = None,
) -> tuple[int | None, list, bool]:
    """(chosen value, [{value, article[, lower_bound]}] when reports differ, whether the chosen
    value is a lower bound); `vague_of` None when no member has a vague note on `fld`,
    `bound_rows` None when no member gives it as a lower bound."""
    per_article: dict[str, object] = {}
    bound_of: set[str] = set()  # articles whose figure is a lower bound
    if vague_of is None:  # the usual case: numbers only
        for i in members:
            if values[i] is not None and article_id[i] not in per_article:
                per_article[article_id[i]] = values[i]
                if bound_rows is not None and i in bound_rows:
                    bound_of.add(article_id[i])
    else:
        for i in members:
            v = values[i]
            aid = article_id[i]
            if v is not None:
                if aid not in per_article:
                    per_article[aid] = v
                    if bound_rows is not None and i in bound_rows:
                        bound_of.add(aid)
            else:
                vague = (vague_of[i] or {}).get(fld)
                if vague and aid not in per_article:
                    per_article[aid] = str(vague)
    if not per_article:
        return None, [], False
    if len(per_article) == 1:
        a, v = next(iter(per_article.items()))
        return (v, [], a in bound_of) if isinstance(v, int) else (None, [], False)
    # The latest report wins; same day: the larger figure (tallies are revised upward).
    dated = [(published.get(a, ""), v) for a, v in per_article.items() if isinstance(v, int)]
    chosen = max(dated)[1] if dated else None
    # A floor only when no report gives the chosen figure as exact ("at least 18" and "18": 18).
    is_bound = chosen is not None and all(
        a in bound_of for a, v in per_article.items() if v == chosen
    )
    distinct = set(per_article.values())
    if len(distinct) <= 1:
        return chosen, [], is_bound
    differing = [
        {"value": v, "article": a, "lower_bound": True}
        if a in bound_of
        else {"value": v, "article": a}
        for a, v in sorted(per_article.items())
    ]
    return chosen, differing, is_bound


def event_records(events: pd.DataFrame) -> list[dict]:
    """JSON-ready dicts in the event contract's field order (plus the extra fields)."""
    out = []
    for row in events.to_dict("records"):
        rec = {}
        for f in (*CONTRACT_FIELDS, *EXTRA_FIELDS):
            v = row.get(f)
            rec[f] = _json_value(v)
        out.append(rec)
    return out


def _json_value(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    if _missing(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def to_jsonl(records: Iterable[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# The article fields a source carries into exports and the dashboard (joined from ARTICLES).
SOURCE_ARTICLE_FIELDS = ("title", "outlet", "url", "published")


def article_meta(articles: pd.DataFrame) -> dict[str, dict]:
    """article_id -> {title, outlet, url, published} (missing values as None)."""
    if articles is None or articles.empty:
        return {}
    cols = [c for c in SOURCE_ARTICLE_FIELDS if c in articles.columns]
    ids = articles["article_id"].astype("string").tolist()
    values = [articles[c].astype("string").to_numpy(dtype=object, na_value=None) for c in cols]
    return {
        str(a): dict(zip(cols, row, strict=True))
        for a, *row in zip(ids, *values, strict=True)
        if a is not None and a is not pd.NA
    }


def source_articles(sources: object, meta: dict[str, dict]) -> list[dict]:
    """The distinct articles of an event's sources, in source order, each with its title,
    outlet, url and publication date (None where the article does not say)."""
    out: list[dict] = []
    seen: set[str] = set()
    for s in sources if isinstance(sources, list | tuple | np.ndarray) else ():
        if not isinstance(s, dict) or _missing(s.get("article")):
            continue
        a = str(s["article"])
        if a in seen:
            continue
        seen.add(a)
        m = meta.get(a, {})
        out.append({"article": a, **{f: m.get(f) for f in SOURCE_ARTICLE_FIELDS}})
    return out


def outlet_count(sources: object, meta: dict[str, dict]) -> int:
    """Distinct known outlets among an event's source articles (case-insensitive)."""
    outlets = {
        str(a["outlet"]).strip().casefold()
        for a in source_articles(sources, meta)
        if a["outlet"] and str(a["outlet"]).strip()
    }
    return len(outlets)
