"""Official nightly tallies beside the news: read, normalise, store and compare.

The Ukrainian Air Force publishes every morning how many drones and missiles of each model
were launched and destroyed overnight.  The most used public copy is Petro Ivaniuk's "Massive
Missile Attacks on Ukraine" (`DATASET_URL`, file ``missile_attacks_daily.csv``, licence
CC BY-NC-SA 4.0, so not bundled): one row per weapon model per reporting window.

    report = import_file(path, store=store)     # validate, normalise, replace atomically
    tallies = store.read_table(TABLE)
    compare(tallies, events, articles)          # official vs news, per night/class/model

Nights.  A window belongs to the night of the morning it ends on, the product's convention for
overnight attacks (`strikes.dates`: "overnight into Friday" is Friday): 18:00 on 1 July to
09:00 on 2 July is the night of 2 July; a daytime window is its own day.  Without an end, a
window starting at `EVENING_HOUR` or later belongs to the next morning.  `night_of` decides.

Models.  `data/official_models.csv` maps each published model name to a weapon class and to
the model names the extractor uses (`strikes.lexicon`); a combination ("X-101/X-555 and
Kalibr") not listed whole is mapped part by part.  Names the table lacks are stored with no
class and reported by the import.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from strikes.errors import InputRejected, ReadOnlyStore
from strikes.schema import OFFICIAL_TALLIES, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.views import (
    MASK_COL,
    WEAPON_BITS,
    WEAPON_CLASSES,
    barrages_per_night,
    weapon_mask,
)

if TYPE_CHECKING:  # pragma: no cover
    from strikes.store.database import Store, Writer

TABLE = "official_tallies"
DATASET_NAME = 'Petro Ivaniuk, "Massive Missile Attacks on Ukraine" (Kaggle)'
DATASET_URL = "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine"
DATASET_FILE = "missile_attacks_daily.csv"
LICENCE = "CC BY-NC-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/"
MODELS_FILE = "official_models.csv"
# The attacker whose news events the official figures (Russian attacks on Ukraine) compare with.
ATTACKER = "Russia"

# The published columns.  The ones `REQUIRED` must be present; the others are optional.
COLUMNS: tuple[str, ...] = (
    "time_start",
    "time_end",
    "model",
    "launch_place",
    "target",
    "target_main",
    "launched",
    "destroyed",
    "not_reach_goal",
    "still_attacking",
    "border_crossing",
    "is_shahed",
    "num_hit_location",
    "num_fall_fragment_location",
    "carrier",
    "turbojet",
    "turbojet_destroyed",
    "affected region",
    "destroyed_details",
    "launched_details",
    "launch_place_details",
    "source",
)
REQUIRED: tuple[str, ...] = ("time_start", "time_end", "model", "launched", "destroyed")
COUNT_COLUMNS: tuple[str, ...] = ("launched", "destroyed", "not_reach_goal", "still_attacking")
TEXT_COLUMNS: tuple[str, ...] = ("launch_place", "target", "source")

EVENING_HOUR = 18  # a window with no end that starts this late runs into the next morning
MAX_WINDOW_HOURS = 24 * 31  # longer is not a reporting window but a typo
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_PART_SPLIT = re.compile(r"\s+and\s+|\s*,\s*|\s*\+\s*", re.IGNORECASE)

# The comparison's statuses, in the order the dashboard lists them.
MATCH, NEWS_LOWER, NEWS_HIGHER, MIXED_DIFF = "match", "news lower", "news higher", "differs"
NO_NEWS, NO_OFFICIAL = "no news figure", "no official row"
COMPARE_COLUMNS: dict[str, str] = {
    "night": "string",
    "level": "string",  # night | class | model
    "key": "string",  # "all", a weapon class, or the official model name
    "official_launched": "Int64",
    "official_destroyed": "Int64",
    "news_launched": "Int64",
    "news_intercepted": "Int64",
    "diff_launched": "Int64",  # news - official
    "diff_destroyed": "Int64",  # news intercepted - official destroyed
    "status": "string",
    "event_ids": "object",  # list[str]: the news events behind the news figures
    "articles": "object",  # list[str]: "outlet: title (published)" of their sources
}


# --------------------------------------------------------------------------------------------
# Model names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    weapon_class: str | None  # None: unmapped
    extractor_models: tuple[str, ...]


@dataclass(frozen=True)
class ModelTable:
    """The published model names -> weapon class and extractor model names (data/official_models.csv)."""

    entries: dict[str, ModelInfo]  # keyed by the lower-cased, space-normalised name

    @classmethod
    def load(cls, path: Path) -> ModelTable:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputRejected(str(path), f"cannot read the model table: {exc}") from exc
        entries: dict[str, ModelInfo] = {}
        for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            name, cls_ = (row.get("model") or "").strip(), (row.get("weapon_class") or "").strip()
            if not name or cls_ not in WEAPON_CLASSES:
                raise InputRejected(
                    f"{path}, line {n}",
                    f"a model name and a weapon class ({', '.join(WEAPON_CLASSES)}) are "
                    f"required, got {name!r}, {cls_!r}",
                )
            models = tuple(m.strip() for m in (row.get("extractor_models") or "").split(";"))
            entries[_key(name)] = ModelInfo(cls_, tuple(m for m in models if m))
        return cls(entries)

    def lookup(self, model: str) -> ModelInfo:
        """The class and extractor names of a published model string.  Listed whole, or else
        part by part ("X-101/X-555 and Kalibr"): one class if the parts agree, else "mixed";
        unmapped (class None) when any part is unknown."""
        hit = self.entries.get(_key(model))
        if hit is not None:
            return hit
        parts = [p for p in _PART_SPLIT.split(model.strip()) if p]
        infos = [self.entries.get(_key(p)) for p in parts]
        if len(parts) < 2 or any(i is None for i in infos):
            return ModelInfo(None, ())
        classes = {i.weapon_class for i in infos}  # type: ignore[union-attr]
        names: list[str] = []
        for i in infos:
            names += [m for m in i.extractor_models if m not in names]  # type: ignore[union-attr]
        return ModelInfo(classes.pop() if len(classes) == 1 else "mixed", tuple(names))


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def model_table(*, settings: Settings = DEFAULT_SETTINGS) -> ModelTable:
    return ModelTable.load(Path(settings.data_dir) / MODELS_FILE)


# --------------------------------------------------------------------------------------------
# Parsing and night alignment
# --------------------------------------------------------------------------------------------


def parse_time(value: str) -> tuple[_dt.datetime, bool] | None:
    """A published time ("2025-07-01 18:00" or a bare "2025-07-01") and whether it had a time
    of day; None when empty.  Raises ValueError for anything else."""
    s = value.strip()
    if not s:
        return None
    m = _TIME.match(s)
    if not m:
        raise ValueError(f"{s!r} is not YYYY-MM-DD or YYYY-MM-DD HH:MM")
    try:
        day = _dt.datetime.strptime(m.group(1), "%Y-%m-%d")
        if m.group(2) is None:
            return day, False
        hour, minute = int(m.group(2)), int(m.group(3))
        if hour == 24 and minute == 0:  # "24:00" is the end of the day
            return day + _dt.timedelta(days=1), True
        return day.replace(hour=hour, minute=minute), True
    except ValueError as exc:
        raise ValueError(f"{s!r} is not a valid time ({exc})") from None


def night_of(start: tuple[_dt.datetime, bool] | None, end: tuple[_dt.datetime, bool] | None):
    """The night (a date) a window belongs to: the day of its end; without an end, the day of
    its start, or the next one when it starts in the evening (`EVENING_HOUR`)."""
    if end is not None:
        return end[0].date()
    if start is None:
        raise ValueError("neither time_start nor time_end is given")
    when, timed = start
    if timed and when.hour >= EVENING_HOUR:
        return when.date() + _dt.timedelta(days=1)
    return when.date()


def _time(value: str, column: str) -> tuple[_dt.datetime, bool] | None:
    try:
        return parse_time(value)
    except ValueError as exc:
        raise ValueError(f"{column} {exc}") from None


def _count(value: str, column: str, *, limit: int) -> int | None:
    s = value.strip()
    if not s:
        return None
    try:
        x = float(s)  # the published file writes some counts as "12.0"
    except ValueError:
        raise ValueError(f"{column} {s!r} is not a number") from None
    if not math.isfinite(x) or x != int(x):
        raise ValueError(f"{column} {s!r} is not a whole number")
    if x < 0:
        raise ValueError(f"{column} {s!r} is negative")
    if x > limit:  # Settings.max_plausible_count: more in one row is not a tally
        raise ValueError(f"{column} {s!r} is implausibly large (over {limit:,})")
    return int(x)


def _fmt(t: tuple[_dt.datetime, bool] | None) -> str | None:
    if t is None:
        return None
    return t[0].strftime("%Y-%m-%d %H:%M") if t[1] else t[0].strftime("%Y-%m-%d")


@dataclass
class ParsedFile:
    name: str
    sha256: str
    rows: pd.DataFrame  # schema.OFFICIAL_TALLIES
    n_read: int
    rejected: list[InputRejected] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)  # model -> rows


def parse_file(path: str | Path, *, settings: Settings = DEFAULT_SETTINGS) -> ParsedFile:
    """Read and normalise a file in the published shape.  A file that cannot be used at all
    raises `InputRejected`; a bad row is named in ``rejected`` (file, line, reason) and left out."""
    path = Path(path)
    try:
        size, most = path.stat().st_size, settings.max_official_file_bytes
        if size > most:
            raise InputRejected(str(path), f"too large ({size:,} bytes; at most {most:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise InputRejected(str(path), f"cannot read: {exc.strerror or exc}") from exc
    return parse_bytes(data, name=path.name, source=str(path), settings=settings)


def parse_bytes(
    data: bytes,
    *,
    name: str,
    source: str | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    models: ModelTable | None = None,
) -> ParsedFile:
    source = source or name
    sha = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRejected(source, f"not UTF-8 text (byte {exc.start})") from exc
    if "\x00" in text:
        raise InputRejected(source, "binary data, not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputRejected(source, "empty file") from None
    except csv.Error as exc:
        raise InputRejected(source, f"malformed CSV header: {exc}") from exc
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputRejected(
            source,
            f"not in the shape of {DATASET_FILE}: missing column(s) {', '.join(missing)} "
            f"(found {', '.join(header[:8]) or 'none'})",
        )
    index = {c: header.index(c) for c in COLUMNS if c in header}
    models = models or model_table(settings=settings)
    limit = settings.max_plausible_count
    cols: dict[str, list] = {c: [] for c in OFFICIAL_TALLIES}
    rejected: list[InputRejected] = []
    unmapped: Counter[str] = Counter()
    n_read = 0
    line = 1
    imported_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            n_read += 1
            rejected.append(InputRejected(f"{source}, line {line}", f"malformed CSV: {exc}"))
            continue
        line = reader.line_num  # a quoted cell may span lines: the row's last line
        if not any(c.strip() for c in row):
            continue
        n_read += 1
        where = f"{source}, line {line}"
        if len(row) != len(header):
            rejected.append(
                InputRejected(where, f"{len(row)} cells where the header has {len(header)}")
            )
            continue

        def cell(c: str, row=row) -> str:
            i = index.get(c)
            return row[i] if i is not None else ""

        try:
            start, end = (
                _time(cell("time_start"), "time_start"),
                _time(cell("time_end"), "time_end"),
            )
            night = night_of(start, end)
            hours = None
            if start is not None and end is not None:
                if end[0] < start[0]:
                    raise ValueError(f"time_end {_fmt(end)} is before time_start {_fmt(start)}")
                if start[1] and end[1]:
                    hours = (end[0] - start[0]).total_seconds() / 3600
                    if hours > MAX_WINDOW_HOURS:
                        raise ValueError(f"a window of {hours / 24:.0f} days is not a night")
            model = " ".join(cell("model").split())
            if not model:
                raise ValueError("model is empty")
            counts = {c: _count(cell(c), c, limit=limit) for c in COUNT_COLUMNS}
            if counts["launched"] is None and counts["destroyed"] is None:
                raise ValueError("both launched and destroyed are empty")
            if (
                counts["launched"] is not None
                and counts["destroyed"] is not None
                and counts["destroyed"] > counts["launched"]
            ):
                raise ValueError(
                    f"destroyed ({counts['destroyed']}) exceeds launched ({counts['launched']})"
                )
        except ValueError as exc:
            rejected.append(InputRejected(where, str(exc)))
            continue
        info = models.lookup(model)
        if info.weapon_class is None:
            unmapped[model] += 1
        values = {
            "line": line,
            "night": night.isoformat(),
            "time_start": _fmt(start),
            "time_end": _fmt(end),
            "window_hours": hours,
            "model": model,
            "weapon_class": info.weapon_class,
            "extractor_models": list(info.extractor_models),
            **counts,
            **{c: (cell(c).strip() or None) for c in TEXT_COLUMNS},
            "source_file": name,
            "source_sha256": sha,
            "imported_at": imported_at,
        }
        for c in OFFICIAL_TALLIES:
            cols[c].append(values[c])
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    frame = conform(frame, OFFICIAL_TALLIES) if len(frame) else empty_frame(OFFICIAL_TALLIES)
    return ParsedFile(name, sha, frame, n_read, rejected, dict(unmapped.most_common()))


# --------------------------------------------------------------------------------------------
# Import into the store
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    file: str
    sha256: str
    rows_read: int
    rows_loaded: int
    status: str  # imported | replaced | remapped | unchanged
    replaced: tuple[str, str] | None  # (file, sha256) of the import this one replaced
    rejected: tuple[InputRejected, ...]
    unmapped: dict[str, int]
    nights: tuple[str, str] | None  # first and last night loaded

    def summary(self) -> str:
        what = {
            "imported": "imported",
            "replaced": "imported (replacing {0} sha256 {1})",
            "unchanged": "already imported (unchanged)",
            "remapped": "imported again (the model table changed)",
        }[self.status]
        if self.replaced:
            what = what.format(self.replaced[0], self.replaced[1][:12])
        span = f", nights {self.nights[0]} to {self.nights[1]}" if self.nights else ""
        lines = [
            f"{self.file} (sha256 {self.sha256[:12]}): {what}; {self.rows_loaded:,} of "
            f"{self.rows_read:,} rows{span}; {len(self.rejected):,} bad row(s) skipped"
        ]
        if self.unmapped:
            names = ", ".join(f"{m} ({n})" for m, n in self.unmapped.items())
            lines.append(
                f"unmapped model names (no weapon class; add them to data/{MODELS_FILE}): {names}"
            )
        return "\n".join(lines)


def current_import(store: Store) -> dict[str, str] | None:
    """File name, sha256, import time, rows and nights of the stored import (None if none)."""
    t = store.read_table(TABLE)
    return import_info(t)


def import_info(t: pd.DataFrame) -> dict[str, str] | None:
    if t.empty:
        return None
    first = t.iloc[0]
    nights = t["night"].dropna()
    return {
        "file": str(first["source_file"]),
        "sha256": str(first["source_sha256"]),
        "imported_at": str(first["imported_at"]),
        "rows": str(len(t)),
        "first_night": str(nights.min()) if len(nights) else "",
        "last_night": str(nights.max()) if len(nights) else "",
    }


MAPPED = ["weapon_class", "extractor_models"]  # what the model table decides


def _same_mapping(stored: pd.DataFrame, rows: pd.DataFrame) -> bool:
    if len(stored) != len(rows):
        return False
    a = stored[MAPPED].astype(object).where(stored[MAPPED].notna(), None)
    b = rows[MAPPED].astype(object).where(rows[MAPPED].notna(), None)
    return a.to_numpy().tolist() == b.to_numpy().tolist()


def import_parsed(parsed: ParsedFile, *, store: Store) -> ImportReport:
    """Store the parsed rows in one atomic write, replacing any earlier import.  The same file
    (same sha256) again changes nothing; a file without a valid row is refused."""
    if store.read_only:
        raise ReadOnlyStore(f"{store.path}: opened read-only; cannot import official tallies")
    if parsed.rows.empty:
        raise InputRejected(
            parsed.name, f"no valid row ({len(parsed.rejected):,} bad); the store is unchanged"
        )
    box: dict[str, object] = {}
    same = [(parsed.name, parsed.sha256)]

    def work(w: Writer) -> None:
        old = w.con.execute(f'SELECT DISTINCT source_file, source_sha256 FROM "{TABLE}"').fetchall()
        box["old"] = [tuple(r) for r in old]
        if box["old"] == same and _same_mapping(w.read(TABLE, columns=MAPPED), parsed.rows):
            return  # the same file, read the same way: the store file is left as it is
        w.replace(TABLE, parsed.rows)
        w.changed = True
        box["changed"] = True

    store.write(work)
    old: list = box.get("old") or []  # type: ignore[assignment]
    replaced = None
    if not box.get("changed"):
        status = "unchanged"
    elif old == same:
        status = "remapped"  # the same file again after data/official_models.csv changed
    elif old:
        status, replaced = "replaced", (str(old[0][0]), str(old[0][1]))
    else:
        status = "imported"
    nights = parsed.rows["night"]
    return ImportReport(
        file=parsed.name,
        sha256=parsed.sha256,
        rows_read=parsed.n_read,
        rows_loaded=len(parsed.rows),
        status=status,
        replaced=replaced,
        rejected=tuple(parsed.rejected),
        unmapped=parsed.unmapped,
        nights=(str(nights.min()), str(nights.max())),
    )


def import_file(path: str | Path, *, store: Store) -> ImportReport:
    return import_parsed(parse_file(path, settings=store.settings), store=store)


# --------------------------------------------------------------------------------------------
# Series and comparison
# --------------------------------------------------------------------------------------------


def _within(frame: pd.DataFrame, col: str, date_from: str | None, date_to: str | None):
    d = frame[col].astype("string")
    keep = d.notna()
    if date_from:
        keep &= d >= date_from[:10]
    if date_to:
        keep &= d <= date_to[:10]
    return frame[keep.fillna(False).to_numpy(dtype=bool)]


def official_nights(
    tallies: pd.DataFrame, *, date_from: str | None = None, date_to: str | None = None
) -> pd.DataFrame:
    """One row per night: launched, destroyed and intercept rate (destroyed / launched), with
    the launched and destroyed of each weapon class as ``<class>_launched`` columns."""
    t = _within(tallies, "night", date_from, date_to)
    cols = ["night", "launched", "destroyed", "intercept_rate", "models"]
    if t.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    g = t.groupby("night", sort=True)
    out = g[["launched", "destroyed"]].sum(min_count=1)
    out["models"] = g["model"].agg(lambda s: sorted(set(s)))
    by_class = (
        t.assign(weapon_class=t["weapon_class"].fillna("unmapped"))
        .pivot_table(
            index="night",
            columns="weapon_class",
            values=["launched", "destroyed"],
            aggfunc="sum",
            observed=True,
        )
        .astype("Int64")
    )
    for (value, cls_), s in by_class.items():
        out[f"{cls_}_{value}"] = s
    out = out.reset_index()
    out["intercept_rate"] = _rate(out["destroyed"], out["launched"])
    return out


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    n = num.to_numpy(dtype="float64", na_value=np.nan)
    d = den.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(d > 0, n / d, np.nan)
    return pd.Series(pd.array(r, dtype="Float64"), index=num.index)


def monthly_by_model(
    tallies: pd.DataFrame, *, date_from: str | None = None, date_to: str | None = None
) -> pd.DataFrame:
    """Per month (YYYY-MM) and model: launched, destroyed, intercept rate and nights."""
    t = _within(tallies, "night", date_from, date_to)
    cols = {
        "month": "string",
        "model": "string",
        "weapon_class": "string",
        "launched": "Int64",
        "destroyed": "Int64",
        "intercept_rate": "Float64",
        "nights": "Int64",
    }
    if t.empty:
        return empty_frame(cols)
    t = t.assign(month=t["night"].str[:7], weapon_class=t["weapon_class"].fillna("unmapped"))
    g = t.groupby(["month", "model", "weapon_class"], sort=True)
    out = g[["launched", "destroyed"]].sum(min_count=1)
    out["nights"] = g["night"].nunique()
    out = out.reset_index()
    out["intercept_rate"] = _rate(out["destroyed"], out["launched"])
    return out[list(cols)].astype(cols)


def _day_events(events: pd.DataFrame, attacker: str) -> pd.DataFrame:
    prec = events["date_precision"].astype("string")
    keep = (prec == "day") & (events["attacker"].astype("string") == attacker)
    return events[keep.fillna(False).to_numpy(dtype=bool)]


def _figure_events(ev: pd.DataFrame) -> dict[str, list[str]]:
    """Per night, the events the night's news figure comes from (`barrages_per_night`'s rule:
    national tallies where there is one, else the local reports), with a launched or
    intercepted figure."""
    has = (ev["launched"].notna() | ev["intercepted"].notna()).to_numpy(dtype=bool)
    national = ((ev["geo_precision"] == "country") | (ev["kind"] == "total")).fillna(False)
    nat = national.to_numpy(dtype=bool)[has]
    dates = ev["date"].astype(str).to_numpy()[has]
    ids = ev["event_id"].astype(str).to_numpy()[has]
    with_national = set(dates[nat].tolist())
    out: dict[str, list[str]] = {}
    for d, e, n in zip(dates.tolist(), ids.tolist(), nat.tolist(), strict=True):
        if n or d not in with_national:
            out.setdefault(d, []).append(e)
    return out


def _news(ev: pd.DataFrame) -> pd.DataFrame:
    """News launched / intercepted per night and the events behind them."""
    per = barrages_per_night(ev)
    per = per[(per["launched"].notna() | per["intercepted"].notna()).to_numpy(dtype=bool)]
    ids = _figure_events(ev)
    return pd.DataFrame(
        {
            "night": per["date"].astype("string").to_numpy(),
            "news_launched": per["launched"].array,
            "news_intercepted": per["intercepted"].array,
            "event_ids": [ids.get(str(d), []) for d in per["date"]],
        }
    )


def _single_class(ev: pd.DataFrame, cls_: str) -> pd.DataFrame:
    """The events of weapon class ``cls_`` alone (``ev`` carries the weapon mask column)."""
    return ev[(ev[MASK_COL] == WEAPON_BITS[cls_]).to_numpy(dtype=bool)]


def _naming(ev: pd.DataFrame, models: list[frozenset], names: Sequence[str]) -> pd.DataFrame:
    """The events naming one of ``names`` (``models``: each event's model names)."""
    wanted = frozenset(names)
    return ev[np.fromiter((not wanted.isdisjoint(m) for m in models), bool, len(models))]


def _article_labels(articles: pd.DataFrame | None) -> dict[str, str]:
    if articles is None or articles.empty:
        return {}
    out = {}
    for a in articles[["article_id", "title", "outlet", "published", "file"]].itertuples():
        title = a.title if isinstance(a.title, str) and a.title else a.file
        outlet = f"{a.outlet}: " if isinstance(a.outlet, str) and a.outlet else ""
        day = f" ({a.published})" if isinstance(a.published, str) and a.published else ""
        out[str(a.article_id)] = f"{outlet}{title}{day}"
    return out


def _status(row: dict) -> str:
    if row["official_launched"] is None and row["official_destroyed"] is None:
        return NO_OFFICIAL
    if row["news_launched"] is None and row["news_intercepted"] is None:
        return NO_NEWS
    diffs = [d for d in (row["diff_launched"], row["diff_destroyed"]) if d is not None]
    if not diffs:
        return NO_NEWS  # news has only the figure the official row leaves empty
    if all(d == 0 for d in diffs):
        return MATCH
    if all(d <= 0 for d in diffs):
        return NEWS_LOWER
    if all(d >= 0 for d in diffs):
        return NEWS_HIGHER
    return MIXED_DIFF


def _int(v: object) -> int | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else int(v)


def compare(
    tallies: pd.DataFrame,
    events: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    attacker: str = ATTACKER,
) -> pd.DataFrame:
    """Official figures beside the news figures, per night, and per weapon class and official
    model on the nights the news names one (`COMPARE_COLUMNS`).

    The news figure of a night is `strikes.views.barrages_per_night`'s for ``attacker``
    (the national tally where one was reported, else the sum of local reports); per class it
    is that of the events of that class alone, per model that of the events naming one of
    the model's extractor names.  Nights only the news has are listed inside the official
    file's range of nights; beyond it there is nothing to compare with.
    """
    t = _within(tallies, "night", date_from, date_to)
    ev = _within(_day_events(events, attacker), "date", date_from, date_to)
    if MASK_COL not in ev.columns:  # prepared events (the dashboard's) have it already
        ev = ev.assign(**{MASK_COL: weapon_mask(ev["weapons"]).to_numpy()})
    if tallies.empty:
        return empty_frame(COMPARE_COLUMNS)
    lo, hi = str(tallies["night"].min()), str(tallies["night"].max())
    ev = _within(ev, "date", lo, hi)
    labels = _article_labels(articles)
    sources = dict(zip(ev["event_id"].astype(str), ev["sources"], strict=True))
    rows: list[dict] = []

    def add(level: str, key: str, off: pd.DataFrame, news: pd.DataFrame, *, every: bool):
        o = off.groupby("night")[["launched", "destroyed"]].sum(min_count=1).to_dict("index")
        n = news.set_index("night").to_dict("index")
        # Every night at the night level; per class or model only where the news gives one.
        nights = sorted(set(o) | set(n) if every else set(n) & set(o))
        for night in nights:
            on, nn = o.get(night, {}), n.get(night, {})
            ol, od = _int(on.get("launched")), _int(on.get("destroyed"))
            nl, ni = _int(nn.get("news_launched")), _int(nn.get("news_intercepted"))
            ids = list(nn.get("event_ids") or [])
            arts: list[str] = []
            for eid in ids:
                for s in sources.get(eid) or []:
                    a = s.get("article") if isinstance(s, dict) else None
                    label = labels.get(str(a), str(a)) if a else None
                    if label and label not in arts:
                        arts.append(label)
            row = {
                "night": night,
                "level": level,
                "key": key,
                "official_launched": ol,
                "official_destroyed": od,
                "news_launched": nl,
                "news_intercepted": ni,
                "diff_launched": nl - ol if nl is not None and ol is not None else None,
                "diff_destroyed": ni - od if ni is not None and od is not None else None,
                "event_ids": ids,
                "articles": arts,
            }
            row["status"] = _status(row)
            rows.append(row)

    add("night", "all", t, _news(ev), every=True)
    for cls_ in [c for c in WEAPON_CLASSES if c in set(t["weapon_class"].dropna())]:
        news = _news(_single_class(ev, cls_))
        add("class", cls_, t[(t["weapon_class"] == cls_).fillna(False)], news, every=False)
    models = [
        frozenset(m) if isinstance(m, list | tuple | np.ndarray) else frozenset()
        for m in ev["weapon_models"]
    ]
    for model, part in t.groupby("model", sort=True):
        names = sorted({m for ms in part["extractor_models"] for m in (ms or [])})
        generic = {"ballistic", "cruise", "guided", "hypersonic", "decoy"}
        specific = [m for m in names if m not in generic]
        if not specific:
            continue  # "cruise" alone would match every cruise-missile report
        news = _news(_naming(ev, models, specific))
        add("model", str(model), part, news, every=False)
    if not rows:
        return empty_frame(COMPARE_COLUMNS)
    out = pd.DataFrame(rows)
    level_order = {"night": 0, "class": 1, "model": 2}
    out = out.assign(_l=out["level"].map(level_order)).sort_values(
        ["night", "_l", "key"], kind="stable"
    )
    return conform(out.drop(columns="_l"), COMPARE_COLUMNS)


def night_rows(tallies: pd.DataFrame, night: str) -> pd.DataFrame:
    """The official rows of one night (for the event panel)."""
    if tallies.empty:
        return tallies
    return tallies[(tallies["night"] == night).fillna(False).to_numpy(dtype=bool)]


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def how_to_import() -> str:
    return (
        f"Download {DATASET_FILE} from {DATASET_NAME}, {DATASET_URL} (licence {LICENCE}; not "
        f"bundled), then run: python -m strikes official import {DATASET_FILE}"
    )
