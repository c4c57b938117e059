"""The event store: one DuckDB file holding articles, sentences, claims, events and their sources.

    store = open_store(settings=settings)        # (strikes.ingest.ensure_store builds it from seeds/)
    store.events(); store.articles(); ...         # frames with the declared dtypes
    store.version()                               # cache key: changes whenever the content does
    store.write(work)                             # work(writer) on a fresh copy, swapped in atomically

Layout.  Tables ``articles``, ``sentences``, ``claims`` (schema.ARTICLES, SENTENCES, CLAIMS),
``events`` (schema.EVENTS), ``event_sources`` (one row per source of an event, see
`codecs.EVENT_SOURCES`), ``official_tallies`` (schema.OFFICIAL_TALLIES, written by
`strikes.official`), ``corrections`` (schema.CORRECTIONS: analysts' decisions, written by
`strikes.review`) and ``meta`` (key/value: app, schema_version, content_version, timestamps).
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

What goes in is decided by `strikes.ingest` (documents -> pipeline -> store); this module
knows frames and tables, not the pipeline.

Schema versions.  ``meta.schema_version`` is `SCHEMA_VERSION` for stores written by this code.
Opening an older store for writing migrates it (`MIGRATIONS`); opening it read-only says what
to do.  A newer store, a DuckDB file that is not a Strike Tracker store, and a file that is not
a DuckDB database at all each give a `StoreError` that says so.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from strikes.errors import ReadOnlyStore, StoreBusy, StoreError, StoreUnusable
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
from strikes.store.atomic import fsync_path
from strikes.store.codecs import decode_frame, encode_frame

if TYPE_CHECKING:  # pragma: no cover
    import duckdb


APP_ID = "strike-tracker"
SCHEMA_VERSION = 2


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
    "official_tallies": OFFICIAL_TALLIES,  # strikes.official; replaced whole by each import
    "corrections": CORRECTIONS,  # analysts' decisions (strikes.review); never re-derived
}

KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "sentences": ("article_id", "sent_idx"),
    "claims": ("claim_id",),
    "events": ("event_id",),
    "event_sources": ("event_id", "ord"),
    "official_tallies": ("line",),
    "corrections": ("correction_id",),
}

_SQL_TYPES = {"string": "VARCHAR", "Int64": "BIGINT", "Float64": "DOUBLE", "object": "VARCHAR"}

ARTICLE_META_COLS = tuple(c for c in ARTICLES if c not in ("text", "removed"))

# Migrations: MIGRATIONS[v] upgrades a store at schema version v to v + 1.  It runs inside the
# writer's transaction on the *new* database, after the tables of the current schema were
# created and the old tables attached as ``old``; it must copy what `_copy_table` cannot
# (renamed or re-encoded columns).  Columns merely added to a schema need no migration.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    # 2 adds the corrections table (created empty).  The version goes up so that an older
    # Strike Tracker refuses to write the store instead of dropping its decisions.
    1: lambda con: None,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


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


def lock_timeout_for(settings: Settings, override: float | None) -> float:
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
        store.write(lambda w: None, force=True)
        return store
    with store._read(for_write=True) as con:
        meta = _meta(con, path)
    if int(meta["schema_version"]) < SCHEMA_VERSION:
        store.write(lambda w: None, force=True)  # the writer migrates
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
        self.lock_timeout = lock_timeout_for(settings, lock_timeout)
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
        return decode_frame(raw, sub)

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

    def write(
        self, work: Callable[[Writer], None], *, force: bool = False, create_only: bool = False
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
class Writer:
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
        return decode_frame(self.con.execute(sql, params).df(), sub)

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
        enc = encode_frame(frame, TABLES[table], row0=self.next_row(table))
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
        return df if raw else decode_frame(df, {c: schema[c] for c in wanted})

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
        return decode_frame(df, sub)

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        self.con.execute(f"DELETE FROM {_q(table)}")
        if not frame.empty:
            self._insert(table, encode_frame(frame, TABLES[table]))

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


def _write_new_file(path: Path, work: Callable[[Writer], None], *, force: bool) -> None:
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
            writer = Writer(con=con, path=path, existed=existed, old_version=old_version)
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
        fsync_path(path.parent)
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


__all__ = [
    "EVENT_SOURCES",
    "SCHEMA_VERSION",
    "Store",
    "StoreSnapshot",
    "Writer",
    "event_sources_frame",
    "open_store",
    "write_problem",
]
