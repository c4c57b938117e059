"""The event store: one DuckDB file holding articles, sentences, claims, events and their sources.

    store = ensure_store(settings=settings)      # builds data/strikes.duckdb from seeds/ if absent
    store.events(); store.articles(); ...         # frames with the declared dtypes
    store.version()                               # cache key: changes whenever the content does
    store.ingest_documents([RawDocument(...)])    # the dashboard's upload page
    python -m strikes ingest PATH... [--db FILE] [--manifest FILE]

Layout.  Tables ``articles``, ``sentences``, ``claims`` (schema.ARTICLES, SENTENCES, CLAIMS),
``events`` (schema.EVENTS), ``event_sources`` (one row per source of an event, see
`EVENT_SOURCES`), ``official_tallies`` (schema.OFFICIAL_TALLIES, written by `strikes.official`)
and ``meta`` (key/value: app, schema_version, content_version, timestamps).
List and dict columns are stored as JSON text and decoded on read; every table has a hidden
``_row`` column that keeps insertion order.  Columns are created from the schema dicts, so a
column added to a schema later appears in new stores and reads back as missing from old ones.

Writes are atomic and serialised.
  * A writer takes an exclusive lock on ``<db>.lock`` (filelock; waits ``lock_timeout`` seconds,
    then raises `StoreBusy`).  Readers take no lock.
  * A writer never modifies the live file: it builds a complete new database in a temporary
    file beside it (attaching the live one read-only and copying its tables in one DuckDB
    transaction), checkpoints and fsyncs it, then ``os.replace``-s it over the live file.  A
    crash, ``kill -9`` or power cut at any point leaves either the old or the new store, never
    a mix; a leftover temporary file is removed by the next writer.  Readers that already had
    the old file open keep reading it; new reads see the new one.
  * Nothing is written when nothing changes: ingesting the same documents twice leaves the
    file, and `Store.version`, untouched.

Incremental ingest.  New documents go through the articles stage; those whose ``article_id``
(content-derived) is already stored are reported as duplicates and skipped.  Near-duplicate
groups are recomputed over stored + new articles (`strikes.neardup`), so a syndicated copy joins
its stored group (and an undated one takes its date).  Claims are extracted for the new articles
(and re-extracted for stored ones whose publication date changed); then the events of every
(attacker, date) block those claims touch are merged again from all stored claims of the block
(`_merge_blocks`), so a new report of a stored attack becomes another source of the same event.
Events of untouched blocks stay as stored; the table reads back exactly as if every claim had
been re-merged (same rows, same order), which `INCREMENTAL_MERGE = False` still does.

Schema versions.  ``meta.schema_version`` is `SCHEMA_VERSION` for stores written by this code.
Opening an older store for writing migrates it (`MIGRATIONS`); opening it read-only says what
to do.  A newer store, a DuckDB file that is not a Strike Tracker store, and a file that is not
a DuckDB database at all each give a `StoreError` that says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import math
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd

from strikes.errors import InputRejected, ReadOnlyStore, StoreBusy, StoreError, StoreUnusable
from strikes.schema import (
    ARTICLES,
    CLAIMS,
    CORRECTIONS,
    EVENTS,
    OFFICIAL_TALLIES,
    SENTENCES,
    Schema,
    conform,
    empty_frame,
)
from strikes.settings import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from strikes.articles import ArticleBatch, RawDocument

APP_ID = "strike-tracker"
SCHEMA_VERSION = 2
PROGRESS_MIN_DOCS = 200  # show a progress bar for more new documents than this (or on a tty)
EXTRACT_CHUNK = 20  # articles per extraction call (progress granularity)
# Ingest re-merges only the (attacker, date) blocks the new claims touch (`_merge_blocks`);
# False re-merges every stored claim (the reference the tests compare it with).
INCREMENTAL_MERGE = True

EVENT_SOURCES: Schema = {
    "event_id": "string",
    "ord": "Int64",  # position of the source in the event's `sources` list
    "article_id": "string",
    "sentence": "string",
    "start": "Int64",
    "end": "Int64",
    "claim_id": "string",
    "rule": "string",
}
EVENT_SOURCES_READ: Schema = EVENT_SOURCES | {
    # Joined from articles on read (not stored twice).
    "file": "string",
    "title": "string",
    "outlet": "string",
    "url": "string",
    "published": "string",
    "published_source": "string",
}

TABLES: dict[str, Schema] = {
    "articles": ARTICLES,
    "sentences": SENTENCES,
    "claims": CLAIMS,
    "events": EVENTS,
    "event_sources": EVENT_SOURCES,
    "corrections": CORRECTIONS,  # analysts' decisions (strikes.review); never re-derived
    "official_tallies": OFFICIAL_TALLIES,  # strikes.official; replaced whole by each import
}
KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "sentences": ("article_id", "sent_idx"),
    "claims": ("claim_id",),
    "events": ("event_id",),
    "event_sources": ("event_id", "ord"),
    "corrections": ("correction_id",),
    "official_tallies": ("line",),
}
_SQL_TYPES = {"string": "VARCHAR", "Int64": "BIGINT", "Float64": "DOUBLE", "object": "VARCHAR"}
ARTICLE_META_COLS = tuple(c for c in ARTICLES if c not in ("text", "removed"))
_GROUP_COLS = ("published", "published_source", "published_ref", "duplicate_of", "dup_group")

# Migrations: MIGRATIONS[v] upgrades a store at schema version v to v + 1.  It runs inside the
# writer's transaction on the *new* database, after the tables of the current schema were
# created and the old tables attached as ``old``; it must copy what `_copy_table` cannot
# (renamed or re-encoded columns).  Columns merely added to a schema need no migration.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    # 2 adds the corrections table (created empty; official_tallies came with it).  The version goes up so that an older
    # Strike Tracker refuses to write the store instead of dropping its decisions.
    1: lambda con: None,
}

# (articles, sentences, *, settings, progress) -> claims (schema.CLAIMS): see Store.ingest_batch.
Extractor = Callable[..., pd.DataFrame]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Encoding frames <-> tables
# --------------------------------------------------------------------------------------------


def _json_ready(v: object) -> object:
    if isinstance(v, dict):
        return {str(k): _json_ready(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [_json_ready(x) for x in v]
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _dump(v: object) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return json.dumps(_json_ready(v), ensure_ascii=False, separators=(",", ":"))


def _load_json_column(values: Sequence[object]) -> list[object]:
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


def _encode(frame: pd.DataFrame, schema: Schema, *, row0: int = 0) -> pd.DataFrame:
    """The frame as the table stores it: object columns JSON text, plus _row."""
    df = conform(frame[[c for c in frame.columns if c in schema]], schema)
    out = {}
    for c, t in schema.items():
        if t == "object":
            out[c] = pd.array([_dump(v) for v in df[c].array], dtype="string")
        else:
            out[c] = df[c].array
    out["_row"] = np.arange(row0, row0 + len(df), dtype=np.int64)
    return pd.DataFrame(out)


def _decode(raw: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    cols = {}
    for c, t in schema.items():
        if c not in raw.columns:
            continue
        if t == "object":
            cols[c] = pd.Series(_load_json_column(raw[c].tolist()), index=raw.index, dtype="object")
        else:
            cols[c] = raw[c]
    return conform(pd.DataFrame(cols, index=raw.index), schema)


def event_sources_frame(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (event, source) from the events' `sources` lists (schema EVENT_SOURCES)."""
    cols: dict[str, list] = {c: [] for c in EVENT_SOURCES}
    for eid, srcs in zip(events["event_id"], events["sources"], strict=True):
        if not isinstance(srcs, list | tuple):
            continue
        for i, s in enumerate(srcs):
            if not isinstance(s, dict):
                continue
            cols["event_id"].append(eid)
            cols["ord"].append(i)
            cols["article_id"].append(s.get("article"))
            sent = s.get("sentence")
            cols["sentence"].append(None if sent is None else str(sent))
            cols["start"].append(s.get("start"))
            cols["end"].append(s.get("end"))
            cols["claim_id"].append(s.get("claim_id"))
            cols["rule"].append(s.get("rule"))
    return conform(pd.DataFrame(cols), EVENT_SOURCES)


# --------------------------------------------------------------------------------------------
# The report of an ingest
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did.  Names are the files (or upload names) as given."""

    added_articles: tuple[str, ...] = ()
    duplicate_articles: tuple[str, ...] = ()  # same text already stored: skipped
    near_duplicates: tuple[str, ...] = ()  # added, and joined a stored article's group
    rejections: tuple[InputRejected, ...] = ()
    new_events: int = 0  # events whose id was not in the store before
    updated_events: int = 0  # events already stored whose content changed (new sources, ...)
    removed_events: int = 0  # events no longer produced (e.g. a re-dated article)
    n_events: int = 0  # events in the store afterwards
    n_articles: int = 0  # articles in the store afterwards
    added_claims: int = 0
    changed: bool = False  # whether the store was written
    version: str = ""  # Store.version() afterwards
    notes: tuple[str, ...] = ()  # added but not read for events (not English), flagged figures
    deleted_articles: tuple[str, ...] = ()  # files of the articles Store.delete_articles removed

    def summary(self) -> str:
        parts = [f"added {len(self.added_articles)} article(s)"]
        if self.duplicate_articles:
            parts.append(f"{len(self.duplicate_articles)} already stored")
        if self.near_duplicates:
            parts.append(f"{len(self.near_duplicates)} near-duplicate(s) of stored articles")
        if self.rejections:
            parts.append(f"{len(self.rejections)} rejected")
        parts.append(
            f"{self.new_events} new event(s), {self.updated_events} updated; "
            f"{self.n_events} events from {self.n_articles} articles in the store"
        )
        return ", ".join(parts)


@dataclass(frozen=True)
class StoreSnapshot:
    """All tables read in one connection (consistent with each other) and their version."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    claims: pd.DataFrame
    events: pd.DataFrame
    event_sources: pd.DataFrame
    version: str


# --------------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------------


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        msg = str(exc)
        low = msg.lower()
        if (
            "not a valid duckdb database" in low
            or "database file" in low
            or "could not read enough bytes" in low  # truncated
            or "checksum" in low
        ):
            raise StoreUnusable(
                f"{path}: not a Strike Tracker store (not a DuckDB database, or corrupt): {msg}"
            ) from exc
        if "lock" in msg.lower():
            raise StoreBusy(f"{path}: in use by another process ({msg})") from exc
        raise StoreError(f"{path}: cannot open the store: {msg}") from exc


def _meta(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    import duckdb

    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    except duckdb.Error as exc:
        raise StoreUnusable(f"{path}: cannot read the store (corrupt?): {exc}") from exc
    if "meta" not in tables:
        raise StoreUnusable(
            f"{path}: a DuckDB database, but not a Strike Tracker store (no meta table)"
        )
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error as exc:
        raise StoreUnusable(f"{path}: unreadable meta table (corrupt?): {exc}") from exc
    if meta.get("app") != APP_ID:
        raise StoreUnusable(
            f"{path}: a DuckDB database, but not a Strike Tracker store (app={meta.get('app')!r})"
        )
    try:
        meta["schema_version"] = str(int(meta.get("schema_version", "")))
    except ValueError as exc:
        raise StoreUnusable(
            f"{path}: invalid schema_version {meta.get('schema_version')!r}"
        ) from exc
    return meta


def _check_version(meta: dict[str, str], path: Path, *, for_write: bool) -> int:
    v = int(meta["schema_version"])
    if v > SCHEMA_VERSION:
        raise StoreUnusable(
            f"{path}: written by a newer Strike Tracker (store schema {v}, this version reads "
            f"up to {SCHEMA_VERSION}); upgrade Strike Tracker or use another --db"
        )
    if v < SCHEMA_VERSION and not for_write:
        raise StoreError(
            f"{path}: written by an older Strike Tracker (store schema {v}, this version needs "
            f"{SCHEMA_VERSION}); open it once for writing to upgrade it in place (start the app "
            f"without STRIKES_READ_ONLY, or `python -m strikes ingest --db {path} FILE...`), "
            f"or rebuild it from the source documents"
        )
    missing = [v2 for v2 in range(v, SCHEMA_VERSION) if v2 not in MIGRATIONS]
    if missing and v < SCHEMA_VERSION:
        raise StoreUnusable(
            f"{path}: store schema {v} cannot be upgraded to {SCHEMA_VERSION} automatically; "
            f"rebuild it from the source documents (python -m strikes ingest --db NEW PATH...)"
        )
    return v


def _lock_timeout(settings: Settings, override: float | None) -> float:
    if override is not None:
        return float(override)
    return float(settings.store_lock_timeout_s)


def open_store(
    *,
    settings: Settings = DEFAULT_SETTINGS,
    read_only: bool = False,
    lock_timeout: float | None = None,
) -> Store:
    """Open the store at ``settings.db_path``.

    Read-only: the file must exist and be a current store; nothing is ever written (works in a
    read-only directory).  Read-write: a missing file becomes an empty store, an older one is
    migrated.  Raises `StoreError` (or `StoreBusy` when another writer holds the lock for longer
    than ``lock_timeout`` seconds while creating/migrating).
    """
    path = Path(settings.db_path)
    store = Store(path, settings=settings, read_only=read_only, lock_timeout=lock_timeout)
    if read_only:
        if not path.exists():
            raise StoreError(
                f"{path}: no event store here (create it with `python -m strikes ingest`)"
            )
        with store._read() as con:  # validates format and version
            del con
        return store
    if not path.exists():
        store._write(lambda w: None, force=True)
        return store
    with store._read(for_write=True) as con:
        meta = _meta(con, path)
    if int(meta["schema_version"]) < SCHEMA_VERSION:
        store._write(lambda w: None, force=True)  # the writer migrates
    return store


def ensure_store(
    *, settings: Settings = DEFAULT_SETTINGS, lock_timeout: float | None = None
) -> Store:
    """The store at ``settings.db_path``, built from ``settings.seeds_dir`` if the file is absent.

    This is what the app calls on start, so a fresh clone works with no other step.  Two
    processes starting at once build it once (the second waits for the lock, then finds it).
    A store that exists is opened (read-only when ``settings.read_only``) and migrated when it
    is older and writable.
    """
    path = Path(settings.db_path)
    store = Store(path, settings=settings, read_only=settings.read_only, lock_timeout=lock_timeout)
    if path.exists():
        return open_store(
            settings=settings, read_only=settings.read_only, lock_timeout=lock_timeout
        )
    if settings.read_only:  # read-only mode never writes, not even a first build
        raise StoreError(
            f"{path}: no event store here, and read-only mode (STRIKES_READ_ONLY) does not "
            f"create one; build it before deploying: python -m strikes ingest --db {path} "
            f"{settings.seeds_dir}"
        )
    seeds = Path(settings.seeds_dir)
    writer = Store(path, settings=settings, read_only=False, lock_timeout=lock_timeout)
    writer.ingest_paths([seeds] if seeds.is_dir() else [], create_only=True)
    return store


def write_problem(path: Path) -> str | None:
    """Why the store at `path` cannot be written here (None when it can).

    A write creates a new file and a lock file in the store's folder, so that folder (or the
    nearest existing parent, for a store not created yet) must be writable.  `os.access`
    answers for the real user, and for root too on a read-only mount.
    """
    folder = Path(path).resolve().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        read_only_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_fs = False
    return f"the folder {folder} is " + (
        "on a read-only file system" if read_only_fs else "not writable"
    )


def rebuild_from_seeds(
    *, settings: Settings = DEFAULT_SETTINGS, lock_timeout: float | None = None
) -> tuple[Store, Path | None]:
    """Move an unusable store file aside and build a new store from ``settings.seeds_dir``.

    The old file is never deleted: under the write lock it is renamed
    ``<name>.unusable-<UTC time>`` (its WAL too), then the store is built as on a first start.
    A file that turns out to be readable (another session rebuilt it meanwhile) is left alone.
    Returns the store and the backup's path (None when nothing was moved).
    """
    from filelock import FileLock, Timeout

    path = Path(settings.db_path)
    if settings.read_only:
        raise ReadOnlyStore(f"{path}: read-only mode; the store cannot be rebuilt here")
    problem = write_problem(path)
    if problem:
        raise StoreError(f"{path}: the store cannot be rebuilt: {problem}")
    probe = Store(path, settings=settings, read_only=True)
    lock = FileLock(str(probe.lock_path), timeout=_lock_timeout(settings, lock_timeout))
    backup: Path | None = None
    try:
        with lock:
            if path.exists():
                try:
                    probe.snapshot()  # reads every table: a damaged block shows up too
                except StoreUnusable:
                    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
                    backup = path.with_name(f"{path.name}.unusable-{stamp}")
                    n = 1
                    while backup.exists():
                        n += 1
                        backup = path.with_name(f"{path.name}.unusable-{stamp}-{n}")
                    os.replace(path, backup)
                    wal = Path(str(path) + ".wal")
                    if wal.exists():
                        os.replace(wal, Path(str(backup) + ".wal"))
    except Timeout as exc:
        raise StoreBusy(f"{path}: another process is writing to the store; try again") from exc
    except OSError as exc:
        raise StoreError(f"{path}: cannot move the unusable store aside: {exc}") from exc
    return ensure_store(settings=settings, lock_timeout=lock_timeout), backup


def store_for_reading(*, settings: Settings = DEFAULT_SETTINGS, must_exist: bool = False) -> Store:
    """A store to read (the export CLI): an explicit path must exist; the default one is built."""
    if must_exist and not Path(settings.db_path).exists():
        raise StoreError(
            f"{settings.db_path}: no event store here (create it with `python -m strikes ingest "
            f"--db {settings.db_path} PATH...`)"
        )
    if Path(settings.db_path).exists():
        return open_store(settings=settings, read_only=True)
    return ensure_store(settings=settings)


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class Store:
    """A handle on one store file.  Holds no connection: every read opens a short read-only one."""

    def __init__(
        self,
        path: Path,
        *,
        settings: Settings = DEFAULT_SETTINGS,
        read_only: bool = False,
        lock_timeout: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.settings = settings
        self.read_only = read_only
        self.lock_timeout = _lock_timeout(settings, lock_timeout)
        self._version_cache: tuple[tuple[int, int, int], str] | None = None

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Store({str(self.path)!r}, {mode})"

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # ---------------------------------------------------------------- reading

    @contextlib.contextmanager
    def _read(self, *, for_write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb

        if not self.path.exists():
            raise StoreError(f"{self.path}: no event store here")
        con = _connect(self.path, read_only=True)
        try:
            meta = _meta(con, self.path)
            _check_version(meta, self.path, for_write=for_write)
            try:
                yield con
            except duckdb.Error as exc:  # a damaged block shows up only when it is read
                raise StoreUnusable(
                    f"{self.path}: reading the store failed (corrupt?): {exc}"
                ) from exc
        finally:
            con.close()

    def _select(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        schema: Schema,
        *,
        where: str = "",
        params: Sequence[object] = (),
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        have = _table_columns(con, table)
        wanted = [c for c in (columns or schema) if c in have]
        if not wanted:
            return empty_frame({c: schema[c] for c in (columns or schema)})
        sql = f"SELECT {', '.join(_q(c) for c in wanted)} FROM {_q(table)} {where} ORDER BY _row"
        raw = con.execute(sql, list(params)).df()
        sub = {c: schema[c] for c in (columns or schema)}
        return _decode(raw, sub)

    def _read_table(self, table: str, **kw) -> pd.DataFrame:
        with self._read() as con:
            return self._select(con, table, TABLES[table], **kw)

    def events(self) -> pd.DataFrame:
        """All events (schema.EVENTS; weapons, sources, conflicts... as lists and dicts)."""
        return self._read_table("events")

    def articles(self, *, with_text: bool = True) -> pd.DataFrame:
        """All articles (schema.ARTICLES); ``with_text=False`` leaves text/removed empty (fast)."""
        cols = None if with_text else list(ARTICLE_META_COLS)
        df = self._read_table("articles", columns=cols)
        return conform(df, ARTICLES) if not with_text else df

    def article(self, article_id: str) -> dict | None:
        """One article as a dict (text and removed boilerplate included), or None."""
        df = self._read_table("articles", where="WHERE article_id = ?", params=[article_id])
        return None if df.empty else df.iloc[0].to_dict()

    def sentences(self, article_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Sentences (schema.SENTENCES), of the given articles only if ``article_ids``."""
        if article_ids is None:
            return self._read_table("sentences")
        ids = list(article_ids)
        if not ids:
            return empty_frame(SENTENCES)
        marks = ", ".join("?" for _ in ids)
        return self._read_table("sentences", where=f"WHERE article_id IN ({marks})", params=ids)

    def claims(self, article_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Claims (schema.CLAIMS), of the given articles only if ``article_ids``."""
        if article_ids is None:
            return self._read_table("claims")
        ids = list(article_ids)
        if not ids:
            return empty_frame(CLAIMS)
        marks = ", ".join("?" for _ in ids)
        return self._read_table("claims", where=f"WHERE article_id IN ({marks})", params=ids)

    def event_sources(self, event_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per (event, source) with the article's file/title/outlet/url/published."""
        with self._read() as con:
            return self._event_sources(con, event_ids)

    def _event_sources(
        self, con: duckdb.DuckDBPyConnection, event_ids: Sequence[str] | None = None
    ) -> pd.DataFrame:
        have = _table_columns(con, "articles")
        joined = [c for c in EVENT_SOURCES_READ if c not in EVENT_SOURCES and c in have]
        cols = [f"s.{_q(c)}" for c in EVENT_SOURCES] + [f"a.{_q(c)}" for c in joined]
        where, params = "", []
        if event_ids is not None:
            params = list(event_ids)
            if not params:
                return empty_frame(EVENT_SOURCES_READ)
            where = f"WHERE s.event_id IN ({', '.join('?' for _ in params)})"
        sql = (
            f"SELECT {', '.join(cols)} FROM event_sources s "
            f"LEFT JOIN articles a ON a.article_id = s.article_id {where} ORDER BY s._row"
        )
        raw = con.execute(sql, params).df()
        return conform(raw, EVENT_SOURCES_READ)

    def snapshot(self) -> StoreSnapshot:
        """Every table from one connection (a consistent view for the dashboard)."""
        with self._read() as con:
            version = dict(con.execute("SELECT key, value FROM meta").fetchall())["content_version"]
            return StoreSnapshot(
                articles=self._select(con, "articles", ARTICLES),
                sentences=self._select(con, "sentences", SENTENCES),
                claims=self._select(con, "claims", CLAIMS),
                events=self._select(con, "events", EVENTS),
                event_sources=self._event_sources(con),
                version=version,
            )

    def counts(self) -> dict[str, int]:
        """Rows per table (cheap); 0 for a table a store written before it existed lacks."""
        with self._read() as con:
            return {
                t: int(con.execute(f"SELECT count(*) FROM {_q(t)}").fetchall()[0][0])
                if _table_columns(con, t)
                else 0
                for t in TABLES
            }

    def read_table(self, table: str) -> pd.DataFrame:
        """One table of `TABLES` with its declared dtypes, in stored order (empty when an older
        store lacks it): for tables other modules own, e.g. ``official_tallies``."""
        return self._read_table(table)

    def write(self, work: Callable[[_Writer], None]) -> None:
        """Run ``work`` in one atomic, locked write (see the module doc); the file is replaced
        only when ``work`` sets the writer's ``changed``."""
        self._write(work)

    def meta(self) -> dict[str, str]:
        with self._read() as con:
            return _meta(con, self.path)

    def version(self) -> str:
        """A token that changes whenever the content changes (the dashboard's cache key).

        The content version written with every change, re-read only when the file itself
        changed (every write replaces the file, so its inode/mtime/size change too).
        """
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return "absent"
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._version_cache is not None and self._version_cache[0] == key:
            return self._version_cache[1]
        with self._read() as con:
            version = dict(con.execute("SELECT key, value FROM meta").fetchall()).get(
                "content_version", ""
            )
        self._version_cache = (key, version)
        return version

    # ---------------------------------------------------------------- writing

    def ingest_documents(
        self, docs: Sequence[RawDocument], *, progress: TextIO | None = None
    ) -> IngestReport:
        """Add uploaded / pasted documents (the dashboard's upload page)."""
        from strikes.articles import load_documents

        docs = list(docs)
        return self._ingest(lambda: load_documents(docs, settings=self.settings), progress=progress)

    def ingest_paths(
        self,
        paths: Sequence[str | Path],
        *,
        manifest: Path | None = None,
        progress: TextIO | None = None,
        create_only: bool = False,
    ) -> IngestReport:
        """Add files and folders (with their manifest.csv) — ``python -m strikes ingest``."""
        from strikes.articles import load_articles

        paths = list(paths)
        return self._ingest(
            lambda: load_articles(paths, manifest=manifest, settings=self.settings),
            progress=progress,
            create_only=create_only,
        )

    def ingest_batch(
        self,
        load: Callable[[], ArticleBatch],
        *,
        extract: Extractor | None = None,
        progress: TextIO | None = None,
    ) -> IngestReport:
        """Add the articles `load()` returns (called once, under the write lock).

        `extract(articles, sentences, settings=, progress=)` replaces the in-process claims
        extraction (strikes.distributed runs it on a Dask cluster); the merge stays here.
        """
        return self._ingest(load, progress=progress, extract=extract)

    def _ingest(
        self,
        load: Callable[[], ArticleBatch],
        *,
        progress: TextIO | None,
        create_only: bool = False,
        extract: Extractor | None = None,
    ) -> IngestReport:
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only; cannot add documents")
        box: dict[str, IngestReport] = {}

        def work(w: _Writer) -> None:
            box["report"] = _ingest_into(
                w, load(), settings=self.settings, progress=progress, extract=extract
            )

        self._write(work, create_only=create_only)
        report = box.get("report") or IngestReport()
        return dataclasses.replace(report, version=self.version())

    def delete_articles(self, article_ids: Sequence[str]) -> IngestReport:
        """Remove articles and everything derived from them: their sentences and claims, the
        events only they reported (the others lose them as a source and are re-merged), and
        what other articles took from them (near-duplicate group, an inherited date: those
        articles are regrouped and, when their date changes, re-extracted).  Unknown ids are
        ignored; ``deleted_articles`` names what was removed."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only; cannot delete articles")
        box: dict[str, IngestReport] = {}
        ids = [str(a) for a in article_ids]

        def work(w: _Writer) -> None:
            box["report"] = _delete_into(w, ids, settings=self.settings)

        self._write(work)
        return dataclasses.replace(box.get("report") or IngestReport(), version=self.version())

    def rebuild(self, *, progress: TextIO | None = None) -> IngestReport:
        """Re-extract every stored article's claims and re-merge the events.

        For after an extractor or gazetteer upgrade: the articles stay, their claims and the
        events are recomputed with the current code.
        """
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only")
        box: dict[str, IngestReport] = {}

        def work(w: _Writer) -> None:
            box["report"] = _rebuild_into(w, settings=self.settings, progress=progress)

        self._write(work)
        return dataclasses.replace(box.get("report") or IngestReport(), version=self.version())

    def _write(
        self, work: Callable[[_Writer], None], *, force: bool = False, create_only: bool = False
    ) -> None:
        """Run ``work`` against a fresh copy of the store, then swap it in (see module doc)."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only")
        from filelock import FileLock, Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store's folder: {exc}") from exc
        lock = FileLock(str(self.lock_path), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout as exc:
            raise StoreBusy(
                f"{self.path}: another process is writing to the store (lock {self.lock_path} "
                f"held for more than {self.lock_timeout:g} s); try again when it has finished"
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot take the write lock {self.lock_path}: {exc}"
            ) from exc
        try:
            if create_only and self.path.exists():
                return  # another process built it while we waited
            self._remove_stale_temporaries()
            _write_new_file(self.path, work, force=force)
        finally:
            lock.release()

    def _remove_stale_temporaries(self) -> None:
        # Only called with the lock held: any temporary of ours is a crashed writer's.
        for p in self.path.parent.glob(f"{self.path.name}.tmp-*"):
            with contextlib.suppress(OSError):
                p.unlink()


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database()",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def _attached_columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [db, table],
    ).fetchall()
    return [r[0] for r in rows]


@dataclass
class _Writer:
    """The open new database during a write; `changed` decides whether it replaces the old."""

    con: duckdb.DuckDBPyConnection
    path: Path
    existed: bool
    changed: bool = False
    old_version: int = SCHEMA_VERSION
    notes: list[str] = field(default_factory=list)

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        article_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        schema = TABLES[table]
        have = _table_columns(self.con, table)
        wanted = [c for c in (columns or schema) if c in have]
        sub = {c: schema[c] for c in (columns or schema)}
        if not wanted or (article_ids is not None and not article_ids):
            return empty_frame(sub)
        where, params = "", []
        if article_ids is not None:
            params = list(article_ids)
            where = f"WHERE article_id IN ({', '.join('?' for _ in params)})"
        sql = f"SELECT {', '.join(_q(c) for c in wanted)} FROM {_q(table)} {where} ORDER BY _row"
        return _decode(self.con.execute(sql, params).df(), sub)

    def read_raw(self, table: str) -> pd.DataFrame:
        cols = ", ".join(_q(c) for c in TABLES[table])
        return self.con.execute(f"SELECT {cols} FROM {_q(table)} ORDER BY _row").df()

    def ids(self, table: str, column: str) -> set[str]:
        return {r[0] for r in self.con.execute(f"SELECT {_q(column)} FROM {_q(table)}").fetchall()}

    def next_row(self, table: str) -> int:
        return int(
            self.con.execute(f"SELECT coalesce(max(_row) + 1, 0) FROM {_q(table)}").fetchall()[0][0]
        )

    def append(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Add rows after the stored ones; returns them as stored (encoded)."""
        if frame.empty:
            return frame
        enc = _encode(frame, TABLES[table], row0=self.next_row(table))
        self._insert(table, enc)
        return enc

    def read_in_blocks(
        self, table: str, blocks: pd.DataFrame, *, raw: bool = False
    ) -> pd.DataFrame:
        """Rows of ``table`` whose (attacker, date) is one of ``blocks`` (columns ``attacker``,
        ``date``; a missing value is ""), in stored order; encoded as stored when ``raw``."""
        schema = TABLES[table]
        have = _table_columns(self.con, table)
        wanted = [c for c in schema if c in have]
        if blocks.empty:
            return empty_frame(schema)
        cols = ", ".join(f"t.{_q(c)}" for c in wanted)
        self.con.register("_blocks", blocks[["attacker", "date"]].astype(str))
        try:
            df = self.con.execute(
                f"SELECT {cols} FROM {_q(table)} t JOIN _blocks b "
                "ON coalesce(t.attacker, '') = b.attacker AND coalesce(t.date, '') = b.date "
                "ORDER BY t._row"
            ).df()
        finally:
            self.con.unregister("_blocks")
        return df if raw else _decode(df, {c: schema[c] for c in wanted})

    def read_matching(
        self, table: str, column: str, values: Sequence[str], *, columns: Sequence[str]
    ) -> pd.DataFrame:
        """``columns`` of the rows whose ``column`` is one of ``values`` (any number of them)."""
        schema = TABLES[table]
        sub = {c: schema[c] for c in columns}
        if not len(values):
            return empty_frame(sub)
        self.con.register("_keys", pd.DataFrame({"v": pd.array(list(values), dtype="string")}))
        try:
            cols = ", ".join(f"t.{_q(c)}" for c in columns)
            df = self.con.execute(
                f"SELECT {cols} FROM {_q(table)} t "
                f"WHERE t.{_q(column)} IN (SELECT v FROM _keys) ORDER BY t._row"
            ).df()
        finally:
            self.con.unregister("_keys")
        return _decode(df, sub)

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        self.con.execute(f"DELETE FROM {_q(table)}")
        if not frame.empty:
            self._insert(table, _encode(frame, TABLES[table]))

    def delete(self, table: str, column: str, values: Sequence[str]) -> None:
        if not values:
            return
        self.con.register("_del", pd.DataFrame({"v": pd.array(list(values), dtype="string")}))
        try:
            self.con.execute(f"DELETE FROM {_q(table)} WHERE {_q(column)} IN (SELECT v FROM _del)")
        finally:
            self.con.unregister("_del")

    def update_articles(self, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        """Set ``columns`` of the stored articles in ``frame`` (by article_id)."""
        if frame.empty:
            return
        df = conform(
            frame[["article_id", *columns]], {c: ARTICLES[c] for c in ("article_id", *columns)}
        )
        self.con.register("_upd", df)
        try:
            sets = ", ".join(f"{_q(c)} = _upd.{_q(c)}" for c in columns)
            self.con.execute(
                f"UPDATE articles SET {sets} FROM _upd WHERE articles.article_id = _upd.article_id"
            )
        finally:
            self.con.unregister("_upd")

    def _insert(self, table: str, enc: pd.DataFrame) -> None:
        self.con.register("_new", enc)
        try:
            cols = ", ".join(_q(c) for c in enc.columns)
            self.con.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM _new")
        finally:
            self.con.unregister("_new")


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for table, schema in TABLES.items():
        cols = [f"{_q(c)} {_SQL_TYPES[t]}" for c, t in schema.items()]
        cols.append("_row BIGINT")
        con.execute(f"CREATE TABLE {_q(table)} ({', '.join(cols)})")


def _copy_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Copy old.<table> into <table>: shared columns by name, new columns left NULL."""
    old_cols = set(_attached_columns(con, "old", table))
    if not old_cols:
        return
    cols = [c for c in (*TABLES[table], "_row") if c in old_cols]
    if "_row" not in old_cols:  # pragma: no cover - every version had _row
        return
    names = ", ".join(_q(c) for c in cols)
    con.execute(f"INSERT INTO {_q(table)} ({names}) SELECT {names} FROM old.{_q(table)}")


def _set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for k, v in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [k, v])


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_new_file(path: Path, work: Callable[[_Writer], None], *, force: bool) -> None:
    import duckdb

    existed = path.exists()
    old_meta: dict[str, str] = {}
    old_version = SCHEMA_VERSION
    if existed:
        # A WAL beside the live file means something wrote it outside this module; fold it in
        # (we hold the lock) so that attaching read-only sees everything.
        if Path(str(path) + ".wal").exists():
            con = _connect(path, read_only=False)
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
        con = _connect(path, read_only=True)
        try:
            old_meta = _meta(con, path)
            old_version = _check_version(old_meta, path, for_write=True)
        finally:
            con.close()

    # Named like the store ("strikes.duckdb.tmp-...") so the store's ignore rules cover it.
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    swapped = False
    try:
        try:
            con = _connect(tmp, read_only=False)
        except StoreError as exc:  # cannot even create the new file (full, read-only, ...)
            raise _write_failed(path, exc.__cause__ or exc) from exc
        try:
            if existed:
                con.execute(f"ATTACH {_sql_str(str(path))} AS old (READ_ONLY)")
            con.execute("BEGIN TRANSACTION")
            _create_tables(con)
            if existed:
                for table in TABLES:
                    _copy_table(con, table)
                for v in range(old_version, SCHEMA_VERSION):
                    MIGRATIONS[v](con)
            writer = _Writer(con=con, path=path, existed=existed, old_version=old_version)
            work(writer)
            changed = writer.changed or force or not existed or old_version < SCHEMA_VERSION
            if not changed:
                con.execute("ROLLBACK")
                return
            _set_meta(
                con,
                {
                    "app": APP_ID,
                    "schema_version": str(SCHEMA_VERSION),
                    "content_version": uuid.uuid4().hex,
                    "created_at": old_meta.get("created_at") or _now(),
                    "updated_at": _now(),
                    "strikes_version": _strikes_version(),
                },
            )
            con.execute("COMMIT")
            if existed:
                con.execute("DETACH old")
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise _write_failed(path, exc) from exc
        finally:
            con.close()
        try:
            if Path(str(tmp) + ".wal").exists():  # pragma: no cover - CHECKPOINT folds the WAL
                con = _connect(tmp, read_only=False)
                con.execute("CHECKPOINT")
                con.close()
            # The new file must be on disk before it replaces the old one: an fsync that fails
            # (a full disk found late, an I/O error) aborts the write.
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except (OSError, duckdb.Error) as exc:
            raise _write_failed(path, exc) from exc
        swapped = True
        _fsync(path.parent)
    finally:
        if not swapped:
            for p in (tmp, Path(str(tmp) + ".wal")):
                with contextlib.suppress(OSError):
                    p.unlink()


def _write_failed(path: Path, exc: BaseException) -> StoreError:
    """The error of a write that failed before the swap, saying why when it is known."""
    import errno

    text = str(exc)
    low = text.lower()
    code = getattr(exc, "errno", None)
    why = ""
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(
        s in low for s in ("no space left", "file too large", "disk quota")
    ):
        why = " (the disk is full)"
    elif code == errno.EROFS or "read-only file system" in low:
        why = " (the file system is read-only)"
    elif code in (errno.EACCES, errno.EPERM) or "permission denied" in low:
        why = " (permission denied)"
    return StoreError(f"{path}: writing the store failed{why}; the store is unchanged: {text}")


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _strikes_version() -> str:
    from strikes import __version__

    return __version__


# --------------------------------------------------------------------------------------------
# The ingest itself (runs inside a write)
# --------------------------------------------------------------------------------------------


def _ingest_into(
    w: _Writer,
    batch: ArticleBatch,
    *,
    settings: Settings,
    progress: TextIO | None,
    extract: Extractor | None = None,
) -> IngestReport:
    arts = batch.articles
    stored_ids = w.ids("articles", "article_id")
    is_dup = (
        arts["article_id"].isin(stored_ids).to_numpy(dtype=bool) if len(arts) else np.zeros(0, bool)
    )
    duplicates = tuple(str(f) for f in arts.loc[is_dup, "file"])
    new = arts.loc[~is_dup].reset_index(drop=True)
    rejections = tuple(batch.rejections)
    if new.empty:
        n_events = int(w.con.execute("SELECT count(*) FROM events").fetchall()[0][0])
        n_articles = len(stored_ids)
        return IngestReport(
            duplicate_articles=duplicates,
            rejections=rejections,
            n_events=n_events,
            n_articles=n_articles,
        )
    new_sents = batch.sentences.loc[batch.sentences["article_id"].isin(set(new["article_id"]))]

    # Near-duplicate groups over stored + new articles.
    stored_meta = w.read("articles", columns=[*ARTICLE_META_COLS, "text"])
    new, regrouped, redated, joined = _regroup(stored_meta, new, settings=settings)
    near = tuple(str(f) for f, j in zip(new["file"], joined, strict=True) if j)

    # Claims: new articles, and stored ones whose date changed.
    redo_ids = list(redated["article_id"]) if not redated.empty else []
    to_extract = pd.concat([new, redated], ignore_index=True) if redo_ids else new
    sentences_for = new_sents
    if redo_ids:
        old_sents = w.read("sentences", article_ids=redo_ids)
        sentences_for = pd.concat([new_sents, old_sents], ignore_index=True)
    claims_new = (extract or _extract)(
        to_extract, sentences_for, settings=settings, progress=progress
    )
    from strikes.guards import claim_notes
    from strikes.pipeline import figure_notes, language_notes

    notes = tuple(
        language_notes(new)
        + figure_notes(claims_new, to_extract)
        + claim_notes(claims_new, to_extract, cap=settings.max_claims_per_article)
    )

    w.append("articles", new)
    w.append("sentences", new_sents)
    if not regrouped.empty:
        w.update_articles(regrouped, _GROUP_COLS)
    old_blocks = empty_frame({"attacker": "string", "date": "string"})
    if redo_ids:
        # The re-extracted articles' old claims leave their events: those blocks change too.
        old_blocks = w.read_matching("claims", "article_id", redo_ids, columns=["attacker", "date"])
        w.delete("claims", "article_id", redo_ids)
    if INCREMENTAL_MERGE:
        report_events = _merge_blocks(w, claims_new, old_blocks)
    else:
        w.append("claims", claims_new)
        report_events = _remerge(w)
    w.changed = True
    n_articles = len(stored_ids) + len(new)
    return IngestReport(
        added_articles=tuple(str(f) for f in new["file"]),
        duplicate_articles=duplicates,
        near_duplicates=near,
        rejections=rejections,
        added_claims=len(claims_new),
        n_articles=n_articles,
        notes=notes,
        **report_events,
    )


def _delete_into(w: _Writer, ids: Sequence[str], *, settings: Settings) -> IngestReport:
    stored = w.read("articles", columns=[*ARTICLE_META_COLS, "text"])
    doomed = stored["article_id"].isin(set(ids)).to_numpy(dtype=bool)
    gone = stored.loc[doomed, "article_id"].astype(str).tolist()
    if not gone:
        n_events = int(w.con.execute("SELECT count(*) FROM events").fetchall()[0][0])
        return IngestReport(n_events=n_events, n_articles=len(stored))
    files = tuple(str(f) for f in stored.loc[doomed, "file"])
    old_blocks = w.read_matching("claims", "article_id", gone, columns=["attacker", "date"])
    for table in ("claims", "sentences", "articles"):
        w.delete(table, "article_id", gone)
    remaining = stored.loc[~doomed].reset_index(drop=True)
    _, regrouped, redated, _ = _regroup(remaining, remaining.iloc[0:0], settings=settings)
    if not regrouped.empty:
        w.update_articles(regrouped, _GROUP_COLS)
    claims_new = empty_frame(CLAIMS)
    if not redated.empty:
        redo = redated["article_id"].astype(str).tolist()
        old_blocks = pd.concat(
            [
                old_blocks,
                w.read_matching("claims", "article_id", redo, columns=["attacker", "date"]),
            ],
            ignore_index=True,
        )
        sentences = w.read("sentences", article_ids=redo)
        claims_new = _extract(redated, sentences, settings=settings, progress=None)
        w.delete("claims", "article_id", redo)
    report_events = _merge_blocks(w, claims_new, old_blocks)
    w.changed = True
    return IngestReport(
        deleted_articles=files, n_articles=len(remaining), added_claims=0, **report_events
    )


def _rebuild_into(w: _Writer, *, settings: Settings, progress: TextIO | None) -> IngestReport:
    articles = w.read("articles")
    sentences = w.read("sentences")
    claims = _extract(articles, sentences, settings=settings, progress=progress)
    w.replace("claims", claims)
    report_events = _remerge(w)
    w.changed = True
    return IngestReport(added_claims=len(claims), n_articles=len(articles), **report_events)


def _blocks_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct merge blocks (attacker, date; "" where missing) of claims or events."""
    if frame.empty:
        return pd.DataFrame({"attacker": pd.Series(dtype=str), "date": pd.Series(dtype=str)})
    keys = pd.DataFrame(
        {
            "attacker": frame["attacker"].astype("string").fillna("").astype(str),
            "date": frame["date"].astype("string").fillna("").astype(str),
        }
    )
    return keys.drop_duplicates(ignore_index=True)


def _merge_blocks(w: _Writer, claims_new: pd.DataFrame, old_blocks: pd.DataFrame) -> dict:
    """Store ``claims_new`` and re-merge only the events their blocks touch.

    `strikes.events.merge_claims` never lets claims of different (attacker, date) blocks meet:
    the event key starts with both, and a figure-less region folds only into a city hit by the
    same attacker on the same day.  So the events of a block depend on that block's claims
    (and their articles' dates) alone, and merging the touched blocks' claims, fed in stored
    order as a full re-merge would read them, gives exactly the full re-merge's events for
    those blocks; every other event stays as stored.  The events table keeps the full merge's
    order (by attacker, date, then the merge's order within a block), so the store reads back
    the same table either way (tests/test_store_incremental.py).
    """
    from strikes.events import merge_claims

    blocks = pd.concat([_blocks_of(claims_new), _blocks_of(old_blocks)]).drop_duplicates(
        ignore_index=True
    )
    stored = w.read_in_blocks("claims", blocks)
    enc = w.append("claims", claims_new)
    # The new claims as a read would return them (JSON round trip), like the stored ones.
    fresh = _decode(enc, CLAIMS) if not claims_new.empty else empty_frame(CLAIMS)
    claims = pd.concat([stored, fresh], ignore_index=True) if len(stored) else fresh
    cited = claims["article_id"].dropna().unique().tolist() if len(claims) else []
    articles = w.read_matching("articles", "article_id", cited, columns=["article_id", "published"])
    events = merge_claims(claims, articles=articles) if len(claims) else empty_frame(EVENTS)

    old = w.read_in_blocks("events", blocks, raw=True)
    new_enc = _encode(events, EVENTS, row0=w.next_row("events"))
    counts = _compare_events(old, new_enc)
    w.delete("events", "event_id", old["event_id"].dropna().tolist())
    w.delete("event_sources", "event_id", old["event_id"].dropna().tolist())
    if len(new_enc):
        w._insert("events", new_enc)
        w.append("event_sources", event_sources_frame(events))
    _renumber(w)
    n_events = int(w.con.execute("SELECT count(*) FROM events").fetchall()[0][0])
    return {**counts, "n_events": n_events, "changed": True}


def _renumber(w: _Writer) -> None:
    """_row of events in the full merge's order (attacker, date, then stored order inside a
    block, which is the merge's: a block is replaced as a whole); event_sources follow."""
    w.con.execute(
        "UPDATE events SET _row = r.n FROM (SELECT event_id, row_number() OVER "
        "(ORDER BY attacker, coalesce(date, ''), _row) - 1 AS n FROM events) r "
        "WHERE events.event_id = r.event_id"
    )
    w.con.execute(
        "UPDATE event_sources SET _row = r.n FROM (SELECT s.event_id, s.ord, row_number() "
        "OVER (ORDER BY e._row, s.ord) - 1 AS n FROM event_sources s "
        "JOIN events e ON e.event_id = s.event_id) r "
        "WHERE event_sources.event_id = r.event_id AND event_sources.ord = r.ord"
    )


def _compare_events(old: pd.DataFrame, new_enc: pd.DataFrame) -> dict[str, int]:
    """new / updated / removed counts between stored (encoded) events and new encoded ones."""

    def rows(df: pd.DataFrame) -> dict:
        cols = df[list(EVENTS)]
        return {
            r[0]: r for r in cols.astype(object).where(cols.notna(), None).itertuples(index=False)
        }

    old_rows, new_rows = rows(old), rows(new_enc)
    return {
        "new_events": sum(1 for k in new_rows if k not in old_rows),
        "updated_events": sum(
            1 for k, r in new_rows.items() if k in old_rows and tuple(old_rows[k]) != tuple(r)
        ),
        "removed_events": sum(1 for k in old_rows if k not in new_rows),
    }


def _remerge(w: _Writer) -> dict[str, int]:
    """Merge all stored claims into events; replace events and event_sources."""
    from strikes.events import merge_claims

    claims = w.read("claims")
    articles = w.read("articles", columns=list(ARTICLE_META_COLS))
    events = merge_claims(claims, articles=articles) if not claims.empty else empty_frame(EVENTS)
    counts = _compare_events(w.read_raw("events"), _encode(events, EVENTS))
    w.replace("events", events)
    w.replace("event_sources", event_sources_frame(events))
    return {**counts, "n_events": len(events), "changed": True}


def _regroup(
    stored: pd.DataFrame, new: pd.DataFrame, *, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[bool]]:
    """Near-duplicate groups over stored + new articles (strikes.neardup).

    Returns (new articles with group fields and dates updated, stored articles whose group
    fields changed, stored articles whose publication date changed, per new article whether
    it shares a group with a stored one).
    """
    from strikes.neardup import Member, find_groups, resolve_groups

    empty = stored.iloc[0:0]
    if stored.empty:
        return new, empty, empty, [False] * len(new)
    allart = pd.concat([stored, new[stored.columns.intersection(new.columns)]], ignore_index=True)
    texts = [t if isinstance(t, str) else "" for t in allart["text"].tolist()]
    groups = find_groups(texts, settings=settings)

    def val(v: object) -> str | None:
        return (
            None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
        )

    # Column lists, not to_dict("records"): a dict of every column per stored article cost
    # more than the grouping itself.
    cols = ("article_id", "published", "published_source", "published_ref")
    cols += ("duplicate_of", "dup_group")
    members = [
        Member(
            article_id=str(aid),
            text_len=len(text),
            published=val(pub),
            published_source=val(src) or "unknown",
            published_ref=val(ref),
            duplicate_of=val(dup),
            dup_group=val(group),
        )
        for text, aid, pub, src, ref, dup, group in zip(
            texts, *(allart[c].tolist() for c in cols), strict=True
        )
    ]
    resolve_groups(members, groups)
    fields = {c: [getattr(m, c) for m in members] for c in _GROUP_COLS}
    updated = allart.copy()
    for c, vals in fields.items():
        updated[c] = pd.array(vals, dtype="string")

    n_stored = len(stored)
    old_vals = (
        stored[list(_GROUP_COLS)].astype(object).where(stored[list(_GROUP_COLS)].notna(), None)
    )
    new_vals = updated.iloc[:n_stored][list(_GROUP_COLS)].astype(object)
    new_vals = new_vals.where(new_vals.notna(), None)
    diff = (old_vals.to_numpy() != new_vals.to_numpy()).any(axis=1)
    regrouped = updated.iloc[:n_stored].loc[diff].reset_index(drop=True)
    date_diff = old_vals["published"].to_numpy() != new_vals["published"].to_numpy()
    redated = updated.iloc[:n_stored].loc[date_diff].reset_index(drop=True)

    new_out = new.copy()
    tail = updated.iloc[n_stored:].reset_index(drop=True)
    for c in _GROUP_COLS:
        new_out[c] = tail[c].astype("string").array
    stored_groups = {m.dup_group for m in members[:n_stored]}
    joined = [m.dup_group in stored_groups for m in members[n_stored:]]
    return new_out, regrouped, redated, joined


def _extract(
    articles: pd.DataFrame, sentences: pd.DataFrame, *, settings: Settings, progress: TextIO | None
) -> pd.DataFrame:
    """Claims of the given articles, in chunks (with a progress bar on long runs)."""
    from strikes.pipeline import extract_claims, make_geo

    if articles.empty:
        return empty_frame(CLAIMS)
    geo = make_geo(settings=settings)
    n = len(articles)
    show = progress is not None and (_isatty(progress) or n > PROGRESS_MIN_DOCS)
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=n, desc="extracting", unit="article", file=progress, leave=True)
    by_article = sentences.groupby("article_id", sort=False).indices if len(sentences) else {}
    frames = []
    try:
        for i in range(0, n, EXTRACT_CHUNK):
            chunk = articles.iloc[i : i + EXTRACT_CHUNK]
            rows = (
                np.concatenate(
                    [by_article.get(a, np.zeros(0, dtype=np.int64)) for a in chunk["article_id"]]
                ).astype(np.int64)
                if len(chunk)
                else np.zeros(0, dtype=np.int64)
            )
            sents = sentences.iloc[rows] if len(rows) else sentences.iloc[0:0]
            frames.append(extract_claims(chunk, sents, settings=settings, geo=geo))
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    frames = [f for f in frames if not f.empty]
    return conform(pd.concat(frames, ignore_index=True), CLAIMS) if frames else empty_frame(CLAIMS)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# CLI: python -m strikes ingest PATH... [--db FILE] [--manifest FILE]
# --------------------------------------------------------------------------------------------


def cli_ingest(args, *, settings: Settings, out: TextIO, err: TextIO) -> int:
    from strikes.cli import EXIT_OK, EXIT_REJECTED, report_rejections

    # The write creates the store if it is missing and migrates an older one.
    store = Store(Path(settings.db_path), settings=settings)
    if getattr(args, "dask", None):
        from strikes.distributed import ingest_dask

        report = ingest_dask(
            store,
            args.paths,
            address=args.dask,
            partitions=getattr(args, "partitions", None),
            manifest=args.manifest,
            parquet=getattr(args, "parquet", None),
            progress=err,
        )
    else:
        if getattr(args, "partitions", None):
            print("strikes: --partitions applies with --dask only; running locally", file=err)
        report = store.ingest_paths(args.paths, manifest=args.manifest, progress=err)
    report_rejections(report.rejections, err)
    for name in report.duplicate_articles:
        print(f"strikes: already stored: {name}", file=err)
    for note in report.notes:
        print(f"strikes: note: {note}", file=err)
    print(f"strikes: {report.summary()} ({store.path})", file=out)
    if getattr(args, "parquet", None):
        from strikes.export import to_parquet, write_atomic

        folder = Path(args.parquet)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "events.parquet", to_parquet(store.events()))
    if not report.added_articles and not report.duplicate_articles and not report.rejections:
        print("strikes: no documents found", file=err)
        return EXIT_REJECTED
    return EXIT_REJECTED if report.rejections else EXIT_OK


__all__ = [
    "EVENT_SOURCES",
    "SCHEMA_VERSION",
    "IngestReport",
    "Store",
    "StoreSnapshot",
    "cli_ingest",
    "ensure_store",
    "event_sources_frame",
    "open_store",
    "rebuild_from_seeds",
    "store_for_reading",
    "write_problem",
]
