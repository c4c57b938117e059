"""Analyst review: corrections kept apart from the machine's events and applied on read.

One row of the store's ``corrections`` table (schema.CORRECTIONS) is one decision:

    set      a field of an event (FIELDS: attacker, place, date, kind, weapons and the figures)
    dismiss  an event, with a reason (REASONS)
    confirm  an event as extracted
    merge    events into the first one named
    split    the claims of one source sentence (or one article) out of an event

with a note, the reviewer and the time.  Event ids are derived from an event's merge key, so
they change when a re-extraction moves an event to another place or date.  A decision is
therefore attached to stable keys: the source sentences of the event it was made on (article id
and character offsets, ``anchors``).  On read, each decision finds the event that now holds most
of its sentences (the recorded event id breaks ties and is the fallback); a decision that finds
none is *orphaned*: it is listed (`apply_corrections` returns it), never dropped.  So decisions
survive a re-ingest, a re-merge of their block and a store rebuilt from its sources.

Applied on read (`apply_corrections`): splits and merges first, in the order they were made,
then field corrections (the latest per field wins), then the status (the latest of dismiss and
confirm wins).  The returned frame has the corrected values and, per event, ``reviewed``
(unreviewed | confirmed | corrected | dismissed), ``review`` (a dict with every decision, the
machine values and notes) and ``<field>_machine`` columns (the machine's value of each corrected
field, else None) that the exports write beside the corrected ones.

Writes go through the store's write path (`Store.write`: file lock, copy and atomic replace), one
decision per write and validated inside it against the store as it is then, so two reviewers
never lose each other's decisions and a rejected decision writes nothing.

CLI: ``python -m strikes review list|set|dismiss|confirm|merge|split|export|import``
(`strikes.cli.review`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from strikes.errors import DecisionRejected
from strikes.schema import CLAIMS, CORRECTIONS, EVENTS, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS, Settings


class Writer(Protocol):
    """What a decision needs of the store's writer (strikes.store.database.Writer)."""

    changed: bool

    def read(self, table: str, *, columns: Sequence[str] | None = None) -> pd.DataFrame: ...
    def read_matching(
        self, table: str, column: str, values: Sequence[str], *, columns: Sequence[str]
    ) -> pd.DataFrame: ...
    def ids(self, table: str, column: str) -> set[str]: ...
    def append(self, table: str, frame: pd.DataFrame) -> pd.DataFrame: ...


class Store(Protocol):
    """What review needs of a store (strikes.store.database.Store).  The store is used through
    this interface only: the store package stays apart from the pipeline (claims, merging)."""

    path: Path
    settings: Settings

    def events(self) -> pd.DataFrame: ...
    def articles(self, *, with_text: bool = True) -> pd.DataFrame: ...
    def claims(self, article_ids: Sequence[str] | None = None) -> pd.DataFrame: ...
    def event_sources(self, event_ids: Sequence[str] | None = None) -> pd.DataFrame: ...
    def read_table(self, table: str) -> pd.DataFrame: ...
    def write(self, work: Callable[[Writer], None]) -> None: ...


ACTIONS = ("set", "dismiss", "confirm", "merge", "split")
FIELDS = (
    "attacker",
    "place",
    "date",
    "kind",
    "weapons",
    "launched",
    "intercepted",
    "killed",
    "injured",
)
FIGURE_FIELDS = ("launched", "intercepted", "killed", "injured")
REASONS = ("not-a-strike", "background", "duplicate", "wrong-article")
REASON_LABELS = {
    "not-a-strike": "not a strike",
    "background": "background mention, not a new strike",
    "duplicate": "duplicate of another event",
    "wrong-article": "wrong article",
}
STATUSES = ("unreviewed", "confirmed", "corrected", "dismissed")
# The filter's choices: "reviewed" is any status but unreviewed.
FILTER_STATUSES = ("reviewed", "unreviewed", "corrected", "dismissed")
# The events-frame column that holds a corrected field (place: location and the other place
# columns follow it; date: date_precision follows).
FIELD_COLUMN = {f: f for f in FIELDS} | {"place": "location"}
MACHINE_COLUMNS = tuple(f"{FIELD_COLUMN[f]}_machine" for f in FIELDS)
REVIEW_COLUMNS = ("reviewed", "review", *MACHINE_COLUMNS)
PLACE_COLUMNS = (
    "location",
    "admin1",
    "country_code",
    "lat",
    "lon",
    "geo_precision",
    "geo_radius_km",
    "geonameid",
)
MAX_NOTE = 2000
MAX_NAME = 120
# The review queue: why an event most likely needs a person, and how much.
QUEUE_WEIGHTS = {
    "conflicting sources": 4,
    "implausible figures": 4,
    "undated": 3,
    "low-precision place": 2,
    "single source": 1,
}
# More weapons than this at one city is more than the largest barrages reported on a whole
# country in a night: a national figure bound to a city.
CITY_LAUNCHED_LIMIT = 1000

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def plain_value(v: object) -> object:
    """JSON-ready value (numpy scalars unwrapped, NA -> None)."""
    if isinstance(v, dict):
        return {str(k): plain_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [plain_value(x) for x in v]
    if _missing(v):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def anchors_of(ev: Mapping) -> list[dict]:
    """The stable keys of an event: its source sentences (article, start, end)."""
    out = []
    for s in ev.get("sources") or ():
        if isinstance(s, dict) and not _missing(s.get("article")) and not _missing(s.get("start")):
            end = s.get("end")
            out.append(
                {
                    "article": str(s["article"]),
                    "start": int(s["start"]),
                    "end": None if _missing(end) else int(end),
                }
            )
    return out


# --------------------------------------------------------------------------------------------
# Decisions: validation and rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One decision as a reviewer states it (before it is attached to an event's anchors)."""

    action: str
    event_id: str
    field: str | None = None
    value: Any = None
    reason: str | None = None
    others: tuple[str, ...] = ()  # merge: the events merged into `event_id`
    article_id: str | None = None  # split
    sentence_start: int | None = None  # split: the sentence's start offset (None: whole article)
    note: str = ""
    reviewer: str = ""


def parse_value(fld: str, raw: object, *, settings: Settings = DEFAULT_SETTINGS) -> object:
    """A field's value from what a reviewer typed, or `DecisionRejected` saying why not.

    Figures: a whole number (thousands separators allowed) or "none"/"" to clear one (a figure
    from another attack).  Date: YYYY-MM-DD, YYYY-MM (month) or YYYY (year).  Weapons: classes
    separated by commas.  Place: a name the offline gazetteer knows ("Kharkiv", "Lyman, Donetsk
    Oblast"); the value keeps the place's coordinates, so applying it needs no gazetteer.
    """
    if fld not in FIELDS:
        raise DecisionRejected(f"unknown field {fld!r}; one of {', '.join(FIELDS)}")
    if fld == "place" and isinstance(raw, dict):
        return _check_place_dict(raw)
    if fld == "weapons" and isinstance(raw, list | tuple):
        raw = ",".join(str(w) for w in raw)
    if isinstance(raw, bool):
        raise DecisionRejected(f"{fld}: {raw!r} is not a valid value")
    text = "" if raw is None else str(raw).strip()
    if fld in FIGURE_FIELDS:
        if isinstance(raw, int):
            n = raw
        elif text.lower() in ("", "none", "null", "-", "—"):
            return None
        else:
            digits = text.replace(",", "").replace("_", "").replace(" ", "")
            if not digits.isdigit():
                raise DecisionRejected(
                    f"{fld}: {text!r} is not a whole number (or 'none' to clear the figure)"
                )
            n = int(digits)
        limit = (
            settings.max_plausible_casualties
            if fld in ("killed", "injured")
            else settings.max_plausible_count
        )
        if n < 0 or n > limit:
            raise DecisionRejected(f"{fld}: {n} is outside 0-{limit:,}")
        return n
    if fld == "date":
        m = _DATE.match(text)
        if not m:
            raise DecisionRejected(
                f"date: {text!r} is not a date (YYYY-MM-DD, or YYYY-MM / YYYY when only the "
                "month or the year is known)"
            )
        y, mo, d = m.group(1), m.group(2) or "01", m.group(3) or "01"
        try:
            day = _dt.date(int(y), int(mo), int(d))
        except ValueError as exc:
            raise DecisionRejected(f"date: {text!r} is not a valid date ({exc})") from exc
        precision = "day" if m.group(3) else "month" if m.group(2) else "year"
        return {"date": day.isoformat(), "precision": precision}
    if fld == "kind":
        if text not in ("strike", "total"):
            raise DecisionRejected(f"kind: {text!r} is not one of strike, total")
        return text
    if fld == "weapons":
        from strikes.views import WEAPON_CLASSES

        items = [w.strip().lower().replace(" ", "_") for w in text.split(",") if w.strip()]
        bad = [w for w in items if w not in WEAPON_CLASSES]
        if bad:
            raise DecisionRejected(
                f"weapons: unknown weapon class {bad[0]!r}; one or more of "
                f"{', '.join(WEAPON_CLASSES)}, separated by commas"
            )
        return list(dict.fromkeys(items))
    if fld == "attacker":
        if not text or len(text) > 60 or not re.fullmatch(r"[^\W\d_][\w .'’-]*", text):
            raise DecisionRejected(f"attacker: {text!r} is not a name (e.g. Russia, Ukraine)")
        return text
    # place
    if not text:
        raise DecisionRejected("place: give a place name (e.g. Kharkiv, Odesa region)")
    from strikes.geo.gazetteer import Gazetteer
    from strikes.geo.geocode import query_places

    places = query_places(text[:200], gazetteer=Gazetteer.load(settings=settings))
    if not places:
        raise DecisionRejected(f"place: {text!r} is not in the offline gazetteer")
    p = places[0]
    return {
        "location": p.name,
        "admin1": p.admin1,
        "country_code": p.country_code,
        "lat": float(p.lat),
        "lon": float(p.lon),
        "geo_precision": p.geo_precision,
        "geo_radius_km": float(p.radius_km),
        "geonameid": None if p.geonameid is None else int(p.geonameid),
    }


def _check_place_dict(d: dict) -> dict:
    if not isinstance(d.get("location"), str) or not d["location"].strip():
        raise DecisionRejected("place: the value needs a location name")
    for c in ("lat", "lon", "geo_radius_km"):
        if d.get(c) is not None and not isinstance(d[c], int | float):
            raise DecisionRejected(f"place: {c} must be a number")
    return {c: d.get(c) for c in PLACE_COLUMNS}


def _check_text(what: str, text: object, limit: int) -> str:
    s = "" if text is None else str(text).strip()
    if len(s) > limit:
        raise DecisionRejected(f"{what}: longer than {limit} characters")
    return s


def correction_id(row: Mapping) -> str:
    """Content-derived id: the same decision imported twice is one row."""
    keys = (
        "action",
        "event_id",
        "anchors",
        "field",
        "value",
        "reason",
        "others",
        "article_id",
        "sentence_start",
        "note",
        "reviewer",
        "created_at",
    )
    text = json.dumps([plain_value(row.get(k)) for k in keys], sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Applying corrections
# --------------------------------------------------------------------------------------------


@dataclass
class Applied:
    """The reviewed events and what could not be applied."""

    events: pd.DataFrame  # schema.EVENTS + REVIEW_COLUMNS; dismissed events included
    orphans: pd.DataFrame  # corrections whose event no longer exists, with a `why` column
    structural: bool = False  # whether a merge or split changed events' sources


@dataclass
class _Work:
    rows: list[dict]
    by_id: dict[str, int] = field(default_factory=dict)
    by_anchor: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def reindex(self) -> None:
        self.by_id = {}
        self.by_anchor = {}
        for i, r in enumerate(self.rows):
            if r.get("_gone"):
                continue
            self.by_id[str(r["event_id"])] = i
            for a in anchors_of(r):
                self.by_anchor.setdefault((a["article"], a["start"]), []).append(str(r["event_id"]))

    def resolve(self, event_id: object, anchors: object) -> str | None:
        """The event that now holds most of the anchors (the recorded id breaks ties; it is
        also the fallback when no anchor is found)."""
        counts: dict[str, int] = {}
        for a in anchors if isinstance(anchors, list) else ():
            if not isinstance(a, dict) or a.get("article") is None or a.get("start") is None:
                continue
            for eid in self.by_anchor.get((str(a["article"]), int(a["start"])), ()):
                counts[eid] = counts.get(eid, 0) + 1
        eid = None if _missing(event_id) else str(event_id)
        if counts:
            best = max(counts.values())
            tied = [e for e, n in counts.items() if n == best]
            return eid if eid in tied else tied[0]
        return eid if eid in self.by_id else None


def _correction_rows(corrections: pd.DataFrame | None) -> list[dict]:
    if corrections is None or corrections.empty:
        return []
    recs = conform(corrections[[c for c in corrections.columns if c in CORRECTIONS]], CORRECTIONS)
    out = [{k: plain_value(v) for k, v in r.items()} for r in recs.to_dict("records")]
    # Stored order is decision order; created_at orders imported decisions among local ones.
    order = sorted(range(len(out)), key=lambda i: (str(out[i].get("created_at") or ""), i))
    return [out[i] for i in order]


def apply_corrections(
    events: pd.DataFrame,
    corrections: pd.DataFrame | None,
    *,
    claims: pd.DataFrame | None = None,
    articles: pd.DataFrame | None = None,
    event_sources: pd.DataFrame | None = None,
) -> Applied:
    """The events with every decision applied (see the module doc); ``claims`` are needed only
    for splits (the two events are merged again from their claims), ``articles`` for their
    publication dates; ``event_sources`` (the store's table of the same events) finds the
    events a decision may touch without reading every event's sources."""
    base = conform(events[[c for c in events.columns if c in EVENTS]], EVENTS)
    decisions = _correction_rows(corrections)
    if not decisions:
        return Applied(events=_unreviewed(base), orphans=_orphan_frame([]))
    # Only the events holding a decision's sentences (or its recorded id) can be touched: the
    # rest are marked unreviewed column-wise (a store of 100,000 events reads in no time).
    touched = _touched(base, decisions, event_sources)
    rows = [dict(r) for r in base.iloc[touched].to_dict("records")]
    for pos, r in zip(touched, rows, strict=True):
        r["_review"] = {"decisions": [], "fields": {}}
        r["_pos"] = float(pos)
    work = _Work(rows)
    work.reindex()
    orphans: list[dict] = []
    structural = False

    def orphan(c: dict, why: str) -> None:
        orphans.append({**c, "why": why})

    # 1. Splits and merges, in decision order.
    for c in decisions:
        if c["action"] == "split":
            eid = work.resolve(c.get("event_id"), c.get("anchors"))
            if eid is None:
                orphan(c, "the event no longer exists")
                continue
            done = _apply_split(work, eid, c, claims, articles)
            if done is None:
                orphan(c, "the sentence is no longer a source of the event")
                continue
            structural = structural or done
        elif c["action"] == "merge":
            first = work.resolve(c.get("event_id"), c.get("anchors"))
            others = []
            missing = []
            for o in c.get("others") or []:
                oid = work.resolve(o.get("event_id"), o.get("anchors"))
                if oid is None:
                    missing.append(str(o.get("event_id")))
                elif oid != first and oid not in others:
                    others.append(oid)
            if first is None:
                orphan(c, "the event merged into no longer exists")
                continue
            if others:
                _apply_merge(work, first, others, c)
                structural = True
            else:
                _record(work, first, c)
            if missing:
                orphan(c, f"merged event(s) no longer exist: {', '.join(missing)}")

    # 2. Field corrections and statuses, on the events as merged and split.
    for c in decisions:
        if c["action"] in ("split", "merge"):
            continue
        eid = work.resolve(c.get("event_id"), c.get("anchors"))
        if eid is None:
            orphan(c, "the event no longer exists")
            continue
        r = work.rows[work.by_id[eid]]
        if c["action"] == "set":
            _apply_set(r, c)
        _record(work, eid, c)

    out_rows = [r for r in work.rows if not r.get("_gone")]
    done = _finish(out_rows)
    if [r["_pos"] for r in out_rows] == [float(p) for p in touched]:
        # Same events in the same places (no merge or split): set the touched rows in place.
        frame = _unreviewed(base)
        for c in done.columns:
            if c in EVENTS and base[c].iloc[touched].reset_index(drop=True).equals(done[c]):
                continue  # unchanged (setting an Arrow string column costs ~0.1 s per column)
            col = frame[c].copy()
            col.iloc[touched] = done[c].to_numpy(dtype=object) if col.dtype == object else done[c]
            frame[c] = col
        return Applied(events=frame, orphans=_orphan_frame(orphans), structural=structural)
    untouched = np.ones(len(base), dtype=bool)
    untouched[touched] = False
    rest = _unreviewed(base[untouched])
    keys = np.concatenate(
        [np.flatnonzero(untouched).astype(float), np.array([r["_pos"] for r in out_rows])]
    )
    frame = pd.concat([rest, done], ignore_index=True) if len(done) else rest
    frame = frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)
    return Applied(events=frame, orphans=_orphan_frame(orphans), structural=structural)


def _touched(
    base: pd.DataFrame, decisions: list[dict], event_sources: pd.DataFrame | None
) -> list[int]:
    """Positions of the events that hold an anchor of some decision, or its recorded id."""
    keys: set[tuple[str, int]] = set()
    ids: set[str] = set()

    def add(event_id: object, anchors: object) -> None:
        if not _missing(event_id):
            ids.add(str(event_id))
        for a in anchors if isinstance(anchors, list) else ():
            if isinstance(a, dict) and a.get("article") is not None and a.get("start") is not None:
                keys.add((str(a["article"]), int(a["start"])))

    for c in decisions:
        add(c.get("event_id"), c.get("anchors"))
        for o in c.get("others") or ():
            if isinstance(o, dict):
                add(o.get("event_id"), o.get("anchors"))
    if event_sources is not None:
        wanted = pd.DataFrame(
            {
                "article_id": pd.array([k[0] for k in keys], dtype="string"),
                "start": pd.array([k[1] for k in keys], dtype="Int64"),
            }
        )
        es = event_sources[["event_id", "article_id", "start"]].astype(
            {"article_id": "string", "start": "Int64"}
        )
        ids |= set(es.merge(wanted, on=["article_id", "start"])["event_id"].astype(str))
        return np.flatnonzero(base["event_id"].astype(str).isin(ids).to_numpy(dtype=bool)).tolist()
    out = []
    eids = base["event_id"].astype(object).tolist()
    for i, (eid, srcs) in enumerate(zip(eids, base["sources"], strict=True)):
        if eid in ids or any(
            isinstance(x, dict) and (str(x.get("article")), x.get("start")) in keys
            for x in srcs or ()
        ):
            out.append(i)
    return out


def _unreviewed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (schema.EVENTS) with the review columns of events nobody has reviewed."""
    n = len(frame)
    out = frame.reset_index(drop=True).copy()
    out["reviewed"] = pd.array(["unreviewed"] * n, dtype="string")
    out["review"] = pd.Series([None] * n, dtype=object)
    for c in MACHINE_COLUMNS:
        out[c] = pd.Series([None] * n, dtype=object)
    return out


def _record(work: _Work, eid: str, c: dict) -> None:
    r = work.rows[work.by_id[eid]]
    r["_review"]["decisions"].append(_summary(c))


def _summary(c: dict) -> dict:
    return {
        k: c.get(k)
        for k in (
            "correction_id",
            "action",
            "field",
            "value",
            "reason",
            "note",
            "reviewer",
            "created_at",
        )
    }


def _apply_set(r: dict, c: dict) -> None:
    fld = c.get("field")
    if fld not in FIELDS:
        return
    value = c.get("value")
    machine_src = r["_review"].setdefault("_machine", {})
    if fld == "place":
        if fld not in machine_src:
            machine_src[fld] = {col: r.get(col) for col in PLACE_COLUMNS}
        for col in PLACE_COLUMNS:
            r[col] = (value or {}).get(col)
        machine = machine_src[fld].get("location")
        shown = (value or {}).get("location")
    elif fld == "date":
        if fld not in machine_src:
            machine_src[fld] = {"date": r.get("date"), "precision": r.get("date_precision")}
        r["date"] = (value or {}).get("date")
        r["date_precision"] = (value or {}).get("precision")
        machine = machine_src[fld]["date"]
        shown = r["date"]
    else:
        if fld not in machine_src:
            machine_src[fld] = plain_value(r.get(fld))
        r[fld] = list(value or []) if fld == "weapons" else value
        machine = machine_src[fld]
        shown = value
    r["_review"]["fields"][fld] = {
        "value": shown,
        "machine": plain_value(machine),
        "note": c.get("note") or "",
        "reviewer": c.get("reviewer"),
        "created_at": c.get("created_at"),
    }


def _merged_sources(rows: Iterable[dict]) -> list[dict]:
    seen: set[tuple] = set()
    out = []
    for r in rows:
        for s in r.get("sources") or ():
            if not isinstance(s, dict):
                continue
            key = (s.get("article"), s.get("start"), s.get("end"))
            if key not in seen:
                seen.add(key)
                out.append(s)
    return out


def _apply_merge(work: _Work, first: str, others: list[str], c: dict) -> None:
    keep = work.rows[work.by_id[first]]
    gone = [work.rows[work.by_id[o]] for o in others]
    keep["sources"] = _merged_sources([keep, *gone])
    for col in ("weapons", "weapon_models", "claimed_by"):
        vals = list(keep.get(col) or [])
        for g in gone:
            vals += [v for v in g.get(col) or [] if v not in vals]
        keep[col] = vals
    conflicts = dict(keep.get("conflicts") or {})
    for fld in ("launched", "intercepted", "hit", "killed", "injured"):
        values = [(keep, keep.get(fld))] + [(g, g.get(fld)) for g in gone]
        given = [(r, v) for r, v in values if not _missing(v)]
        if _missing(keep.get(fld)) and given:
            keep[fld] = given[0][1]
        if len({v for _, v in given}) > 1:
            reports = list(conflicts.get(fld) or [])
            for r, v in given:
                art = anchors_of(r)[0]["article"] if anchors_of(r) else None
                if not any(x.get("value") == v and x.get("article") == art for x in reports):
                    reports.append({"value": plain_value(v), "article": art})
            conflicts[fld] = reports
    keep["conflicts"] = conflicts
    keep["n_sources"] = len(keep["sources"])
    keep["n_articles"] = len({s.get("article") for s in keep["sources"]})
    keep["_review"]["decisions"].append(
        {**_summary(c), "merged": [str(g["event_id"]) for g in gone]}
    )
    keep["_review"]["structural"] = True
    for g in gone:
        keep["_review"]["decisions"] += g["_review"]["decisions"]
        g["_gone"] = True
    work.reindex()


def _apply_split(
    work: _Work,
    eid: str,
    c: dict,
    claims: pd.DataFrame | None,
    articles: pd.DataFrame | None,
) -> bool | None:
    """Split the claims of the decision's sentence out of event ``eid``: True when done, False
    when there is nothing left to split off (already apart), None when the sentence is not a
    source of the event."""
    from strikes.events import event_id_for, merge_claims

    r = work.rows[work.by_id[eid]]
    art, start = c.get("article_id"), c.get("sentence_start")

    def hit(s: dict) -> bool:
        return str(s.get("article")) == str(art) and (start is None or s.get("start") == start)

    srcs = [s for s in r.get("sources") or () if isinstance(s, dict)]
    out_srcs = [s for s in srcs if hit(s)]
    if not out_srcs:
        # Already apart when the sentence is another event's source (the machine no longer
        # merges it here); else the decision has lost its sentence.
        apart = any(
            k[0] == str(art) and (start is None or k[1] == start) and eids
            for k, eids in work.by_anchor.items()
        )
        return False if apart else None
    if len(out_srcs) == len(srcs):
        return False
    cids = {s.get("claim_id") for s in srcs}
    if claims is None or claims.empty:
        ev_claims = empty_frame(CLAIMS)
    else:
        ev_claims = claims[claims["claim_id"].isin(cids).to_numpy(dtype=bool)]
    is_out = (ev_claims["article_id"].astype(str) == str(art)).to_numpy(dtype=bool)
    if start is not None:
        is_out = is_out & (ev_claims["start"] == start).fillna(False).to_numpy(dtype=bool)
    arts = articles if articles is not None else empty_frame({"article_id": "string"})
    new_id = "s" + event_id_for(("split", str(r["event_id"]), str(art), str(start)))[1:]

    def one(part: pd.DataFrame, ident: str, part_srcs: list[dict]) -> dict:
        merged = merge_claims(part, articles=arts) if len(part) else empty_frame(EVENTS)
        recs = merged.to_dict("records")
        if not recs:  # no claims to merge again: the event's fields, these sources
            row = {k: v for k, v in r.items() if k != "_review"}
        else:
            row = dict(next((x for x in recs if x["event_id"] == ident), recs[0]))
        row["sources"] = [s for s in srcs if s in part_srcs]
        row["event_id"] = ident
        row["n_sources"] = len(row["sources"])
        row["n_articles"] = len({s.get("article") for s in row["sources"]})
        return row

    keep_srcs = [s for s in srcs if not hit(s)]
    rest = one(ev_claims[~is_out], str(r["event_id"]), keep_srcs)
    part = one(ev_claims[is_out], new_id, out_srcs)
    summary = {**_summary(c), "split_into": new_id}
    rest["_pos"] = r["_pos"]
    part["_pos"] = r["_pos"] + 0.5
    rest["_review"] = {
        **r["_review"],
        "decisions": [*r["_review"]["decisions"], summary],
        "structural": True,
    }
    part["_review"] = {"decisions": [summary], "fields": {}, "structural": True}
    work.rows[work.by_id[eid]] = rest
    work.rows.append(part)
    work.reindex()
    return True


def _status(review: dict) -> str:
    decisions = review["decisions"]
    last = None
    for d in decisions:
        if d.get("action") in ("dismiss", "confirm"):
            last = d
    if last is not None and last["action"] == "dismiss":
        return "dismissed"
    if review["fields"] or review.get("structural"):
        return "corrected"
    if decisions:
        return "confirmed"
    return "unreviewed"


def _finish(rows: list[dict]) -> pd.DataFrame:
    machine_cols: dict[str, list] = {c: [] for c in MACHINE_COLUMNS}
    status: list[str] = []
    review: list[dict] = []
    for r in rows:
        rv = r.pop("_review")
        rv.pop("_machine", None)
        s = _status(rv)
        dismissed = next(
            (d for d in reversed(rv["decisions"]) if d.get("action") == "dismiss"), None
        )
        rv["status"] = s
        rv["dismissed"] = dismissed if s == "dismissed" else None
        status.append(s)
        review.append(rv)
        for f in FIELDS:
            info = rv["fields"].get(f)
            machine_cols[f"{FIELD_COLUMN[f]}_machine"].append(
                None if info is None else info["machine"]
            )
    frame = conform([{k: v for k, v in r.items() if k in EVENTS} for r in rows], EVENTS)
    frame["reviewed"] = pd.array(status, dtype="string")
    frame["review"] = pd.Series(review, dtype=object, index=frame.index)
    for c, vals in machine_cols.items():
        frame[c] = pd.Series(vals, dtype=object, index=frame.index)
    return frame


def _orphan_frame(orphans: list[dict]) -> pd.DataFrame:
    cols = {**CORRECTIONS, "why": "string"}
    if not orphans:
        return empty_frame(cols)
    return conform([{k: o.get(k) for k in cols} for o in orphans], cols)


def filter_review(events: pd.DataFrame, statuses: Sequence[str] = ()) -> pd.DataFrame:
    """Events with any of the FILTER_STATUSES; none given: every event but the dismissed."""
    if "reviewed" not in events.columns:
        return events
    s = events["reviewed"].astype("string").fillna("unreviewed")
    wanted = [x for x in statuses if x in FILTER_STATUSES]
    if not wanted:
        mask = s != "dismissed"
    else:
        mask = pd.Series(False, index=events.index)
        for x in wanted:
            mask |= s != "unreviewed" if x == "reviewed" else s == x
    return events[mask.to_numpy(dtype=bool)]


# --------------------------------------------------------------------------------------------
# The review queue
# --------------------------------------------------------------------------------------------


def queue_flags(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per QUEUE_WEIGHTS reason, which events have it (vectorised: the queue of 100,000 events
    is built in well under a second)."""
    n = len(events)

    def num(c: str) -> np.ndarray:
        if c not in events.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(events[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def text(c: str) -> pd.Series:
        col = events[c] if c in events.columns else pd.Series([None] * n, index=events.index)
        return col.astype("string")

    launched, intercepted, hit = num("launched"), num("intercepted"), num("hit")
    prec = text("geo_precision")
    with np.errstate(invalid="ignore"):
        implausible = (
            (intercepted > launched)
            | (hit > launched)
            | (prec.isin(["city", "point"]).to_numpy(dtype=bool) & (launched > CITY_LAUNCHED_LIMIT))
        )
    tally = ((text("kind") == "total") & (prec == "country")).fillna(False).to_numpy(dtype=bool)
    coarse = prec.isin(["region", "country"]).fillna(False).to_numpy(dtype=bool) & ~tally
    unplaced = (prec.isna() | text("location").isna()).to_numpy(dtype=bool)
    conflicts = events["conflicts"] if "conflicts" in events.columns else pd.Series([None] * n)
    return {
        "conflicting sources": np.fromiter(
            (isinstance(c, dict) and bool(c) for c in conflicts), dtype=bool, count=n
        ),
        "implausible figures": implausible,
        "undated": text("date").isna().to_numpy(dtype=bool),
        "low-precision place": coarse | unplaced,
        "single source": num("n_articles") <= 1,
    }


def queue_reasons(ev: Mapping) -> list[str]:
    """Why an event most likely needs a person (QUEUE_WEIGHTS' keys), most important first."""
    flags = queue_flags(pd.DataFrame([dict(ev)]))
    return [k for k in QUEUE_WEIGHTS if flags[k][0]]


def review_queue(events: pd.DataFrame) -> pd.DataFrame:
    """Unreviewed events ordered by what most likely needs a person: the score (sum of
    QUEUE_WEIGHTS of the reasons), then newest first, then stored order.  Adds ``priority``
    and ``reasons``."""
    ev = events
    if "reviewed" in ev.columns:
        ev = ev[(ev["reviewed"].astype("string").fillna("unreviewed") == "unreviewed").to_numpy()]
    flags = queue_flags(ev)
    score = np.zeros(len(ev), dtype=np.int64)
    for k, w in QUEUE_WEIGHTS.items():
        score += w * flags[k]
    # The reasons of a row from its bit pattern: one list per distinct pattern (at most 32).
    names = list(QUEUE_WEIGHTS)
    bits = np.zeros(len(ev), dtype=np.int64)
    for j, k in enumerate(names):
        bits |= flags[k].astype(np.int64) << j
    lists = {b: [k for j, k in enumerate(names) if b >> j & 1] for b in set(bits.tolist())}
    reasons = [lists[b] for b in bits.tolist()]
    out = ev.copy()
    out["priority"] = pd.array(score, dtype="Int64")
    out["reasons"] = pd.Series(reasons, dtype=object, index=out.index)
    if not len(out):
        return out
    dates = out["date"].astype("string").str.slice(0, 10)
    codes, _ = pd.factorize(dates, sort=True)  # missing -> -1: sorts last below
    newest = np.where(codes < 0, np.inf, -codes.astype(float))
    return out.iloc[np.lexsort((np.arange(len(out)), newest, -score))]


# --------------------------------------------------------------------------------------------
# Store access
# --------------------------------------------------------------------------------------------


def load_corrections(store: Store) -> pd.DataFrame:
    """Every decision in the store, in the order they were recorded."""
    return store.read_table("corrections")


def reviewed_events(store: Store) -> Applied:
    """The store's events with its corrections applied.  Reads the claims only when a split
    needs them (those of the events citing a split's article)."""
    events = store.events()
    corrections = load_corrections(store)
    if corrections.empty:
        return apply_corrections(events, corrections)
    split_arts = set(corrections.loc[corrections["action"] == "split", "article_id"].dropna())
    claims = None
    if split_arts:
        cited = {
            str(x.get("article"))
            for srcs in events["sources"]
            if any(isinstance(x, dict) and x.get("article") in split_arts for x in srcs or ())
            for x in srcs
            if isinstance(x, dict)
        }
        claims = store.claims(sorted(cited))
    return apply_corrections(
        events,
        corrections,
        claims=claims,
        articles=store.articles(with_text=False),
        event_sources=store.event_sources(),
    )


def _claims_for(w: Writer, events: pd.DataFrame, corrections: list[dict]) -> pd.DataFrame:
    """The claims a split needs: those of the events citing an article some split names."""
    arts = {str(c.get("article_id")) for c in corrections if c.get("action") == "split"}
    if not arts:
        return empty_frame(CLAIMS)
    cids = sorted(
        {
            str(s.get("claim_id"))
            for srcs in events["sources"]
            for s in (srcs or ())
            if isinstance(s, dict) and any(str(x.get("article")) in arts for x in srcs or ())
        }
    )
    return w.read_matching("claims", "claim_id", cids, columns=list(CLAIMS))


def _applied_in(w: Writer, extra: list[dict] = ()) -> tuple[Applied, pd.DataFrame]:
    events = w.read("events")
    stored = w.read("corrections")
    rows = _correction_rows(stored) + list(extra)
    claims = _claims_for(w, events, rows)
    arts = w.read("articles", columns=["article_id", "published"])
    frame = conform(pd.DataFrame(rows), CORRECTIONS) if rows else empty_frame(CORRECTIONS)
    sources = w.read("event_sources", columns=["event_id", "article_id", "start"])
    applied = apply_corrections(events, frame, claims=claims, articles=arts, event_sources=sources)
    return applied, stored


def record(
    store: Store, decision: Decision, *, settings: Settings | None = None, now: str | None = None
) -> dict:
    """Validate ``decision`` against the store as it is under the write lock and add it.

    Returns the stored row.  Raises `DecisionRejected` (nothing written) when the event does not
    exist, a value has the wrong type, ... ; `StoreBusy` when another writer holds the lock.
    """
    settings = settings or store.settings
    d = decision
    if d.action not in ACTIONS:
        raise DecisionRejected(f"unknown action {d.action!r}; one of {', '.join(ACTIONS)}")
    note = _check_text("note", d.note, MAX_NOTE)
    reviewer = _check_text("reviewer", d.reviewer, MAX_NAME)
    if not reviewer:
        raise DecisionRejected("reviewer: say who decides (a name, or sign in)")
    value = None
    if d.action == "set":
        if d.field not in FIELDS:
            raise DecisionRejected(f"unknown field {d.field!r}; one of {', '.join(FIELDS)}")
        value = parse_value(d.field, d.value, settings=settings)
    if d.action == "dismiss" and d.reason not in REASONS:
        raise DecisionRejected(f"unknown reason {d.reason!r}; one of {', '.join(REASONS)}")
    if d.action == "merge" and not [o for o in d.others if o != d.event_id]:
        raise DecisionRejected("merge: name at least one other event to merge into this one")
    if d.action == "split" and not d.article_id:
        raise DecisionRejected("split: name the article whose sentence leaves the event")
    box: dict[str, dict] = {}

    def work(w: Writer) -> None:
        applied, _stored = _applied_in(w)
        ev = applied.events
        by_id = {str(e): i for i, e in enumerate(ev["event_id"])}

        def row_of(eid: str) -> dict:
            if eid not in by_id:
                raise DecisionRejected(f"no event {eid!r} in {store.path}")
            return ev.iloc[by_id[eid]].to_dict()

        target = row_of(d.event_id)
        row: dict[str, Any] = {
            "action": d.action,
            "event_id": d.event_id,
            "anchors": anchors_of(target),
            "field": d.field if d.action == "set" else None,
            "value": value,
            "machine_value": None,
            "reason": d.reason if d.action == "dismiss" else None,
            "others": None,
            "article_id": None,
            "sentence_start": None,
            "note": note,
            "reviewer": reviewer,
            "created_at": now or _now(),
        }
        if d.action == "set":
            info = (target.get("review") or {}).get("fields", {}).get(d.field)
            col = FIELD_COLUMN[d.field]
            row["machine_value"] = plain_value(info["machine"] if info else target.get(col))
        elif d.action == "merge":
            others = list(dict.fromkeys(o for o in d.others if o != d.event_id))
            row["others"] = [{"event_id": o, "anchors": anchors_of(row_of(o))} for o in others]
        elif d.action == "split":
            srcs = anchors_of(target)
            hits = [
                a
                for a in srcs
                if a["article"] == d.article_id
                and (d.sentence_start is None or a["start"] == d.sentence_start)
            ]
            where = f"article {d.article_id}" + (
                "" if d.sentence_start is None else f" sentence at {d.sentence_start}"
            )
            if not hits:
                raise DecisionRejected(f"split: {where} is not a source of event {d.event_id}")
            if len(hits) == len(srcs):
                raise DecisionRejected(
                    f"split: {where} is every source of event {d.event_id}; nothing is left"
                )
            row["article_id"] = d.article_id
            row["sentence_start"] = d.sentence_start
        row["correction_id"] = correction_id(row)
        box["row"] = row
        if row["correction_id"] in w.ids("corrections", "correction_id"):
            return  # the same decision sent twice (a double click): stored once
        w.append("corrections", conform([row], CORRECTIONS))
        w.changed = True

    store.write(work)
    return box["row"]


def export_jsonl(corrections: pd.DataFrame) -> str:
    """The decisions as JSON lines (one object per decision, every column)."""
    rows = _correction_rows(corrections)
    return "".join(
        json.dumps({c: r.get(c) for c in CORRECTIONS}, ensure_ascii=False) + "\n" for r in rows
    )


@dataclass(frozen=True)
class ImportReport:
    added: int
    already: int
    orphaned: int


def parse_jsonl(text: str, *, source: str = "input") -> list[dict]:
    """Decisions from JSON lines; `DecisionRejected` naming the line and the reason."""
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DecisionRejected(f"{where}: not a JSON object ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise DecisionRejected(f"{where}: not a JSON object")
        unknown = sorted(set(obj) - set(CORRECTIONS))
        if unknown:
            raise DecisionRejected(f"{where}: unknown key(s) {', '.join(unknown)}")
        act = obj.get("action")
        if act not in ACTIONS:
            raise DecisionRejected(f"{where}: action {act!r} is not one of {', '.join(ACTIONS)}")
        if not isinstance(obj.get("event_id"), str) or not obj["event_id"]:
            raise DecisionRejected(f"{where}: event_id missing")
        if not isinstance(obj.get("anchors"), list):
            raise DecisionRejected(f"{where}: anchors must be a list")
        try:
            if act == "set":
                obj["value"] = parse_value(str(obj.get("field")), _import_value(obj))
            if act == "dismiss" and obj.get("reason") not in REASONS:
                raise DecisionRejected(f"reason {obj.get('reason')!r} is not one of {REASONS}")
            if act == "merge" and not isinstance(obj.get("others"), list):
                raise DecisionRejected("a merge needs its others")
            if act == "split" and not obj.get("article_id"):
                raise DecisionRejected("a split needs its article_id")
        except DecisionRejected as exc:
            raise DecisionRejected(f"{where}: {exc}") from exc
        if not obj.get("reviewer") or not obj.get("created_at"):
            raise DecisionRejected(f"{where}: reviewer and created_at are required")
        cid = correction_id(obj)
        if obj.get("correction_id") not in (None, cid):
            raise DecisionRejected(f"{where}: correction_id does not match the decision's content")
        obj["correction_id"] = cid
        rows.append(obj)
    return rows


def _import_value(obj: dict) -> object:
    v = obj.get("value")
    if obj.get("field") == "date" and isinstance(v, dict):
        d, p = v.get("date"), v.get("precision")
        if isinstance(d, str) and p in ("day", "month", "year"):
            return d if p == "day" else d[:7] if p == "month" else d[:4]
    return v


def import_jsonl(store: Store, text: str, *, source: str = "input") -> ImportReport:
    """Add the decisions of a JSON-lines export that the store does not have yet (by
    correction_id): importing the same file twice changes nothing the second time."""
    rows = parse_jsonl(text, source=source)
    box: dict[str, ImportReport] = {}

    def work(w: Writer) -> None:
        have = w.ids("corrections", "correction_id")
        new = []
        for r in rows:
            if r["correction_id"] not in have:
                have.add(r["correction_id"])
                new.append(r)
        orphaned = 0
        if new:
            applied, _ = _applied_in(w, new)
            ids = {o for o in applied.orphans["correction_id"].dropna()}
            orphaned = sum(1 for r in new if r["correction_id"] in ids)
            w.append("corrections", conform(new, CORRECTIONS))
            w.changed = True
        box["r"] = ImportReport(added=len(new), already=len(rows) - len(new), orphaned=orphaned)

    store.write(work)
    return box["r"]


__all__ = [
    "ACTIONS",
    "FIELDS",
    "FILTER_STATUSES",
    "MACHINE_COLUMNS",
    "REASONS",
    "STATUSES",
    "Applied",
    "Decision",
    "ImportReport",
    "anchors_of",
    "apply_corrections",
    "export_jsonl",
    "filter_review",
    "import_jsonl",
    "load_corrections",
    "parse_value",
    "record",
    "review_queue",
    "reviewed_events",
]
