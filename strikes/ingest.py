"""Documents -> pipeline -> store: the only module that knows both sides.

    store = ensure_store(settings=settings)        # builds data/strikes.duckdb from seeds/ if absent
    ingest_documents(store, [RawDocument(...)])    # the dashboard's upload page
    ingest_paths(store, paths, manifest=...)        # python -m strikes ingest PATH...

Incremental ingest.  New documents go through the articles stage; those whose ``article_id``
(content-derived) is already stored are reported as duplicates and skipped.  Near-duplicate
groups are recomputed over stored + new articles (`strikes.documents.neardup`), so a syndicated
copy joins its stored group (and an undated one takes its date).  Claims are extracted for the
new articles (and re-extracted for stored ones whose publication date changed); then the events
of every (attacker, date) block those claims touch are merged again from all stored claims of
the block (`_merge_blocks`), so a new report of a stored attack becomes another source of the
same event.  Events of untouched blocks stay as stored; the table reads back exactly as if every
claim had been re-merged (same rows, same order), which `INCREMENTAL_MERGE = False` still does.
Every write goes through `Store.write` (atomic, serialised; see `strikes.store.database`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from strikes.documents.articles import ArticleBatch, RawDocument, load_articles, load_documents
from strikes.documents.neardup import Member, find_groups, resolve_groups
from strikes.errors import InputRejected, ReadOnlyStore, StoreBusy, StoreError, StoreUnusable
from strikes.events import merge_claims
from strikes.guards import claim_notes
from strikes.pipeline import extract_claims, figure_notes, language_notes, make_geo
from strikes.schema import CLAIMS, EVENTS, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.store.codecs import decode_frame, encode_frame
from strikes.store.database import (
    ARTICLE_META_COLS,
    Store,
    Writer,
    event_sources_frame,
    lock_timeout_for,
    open_store,
    write_problem,
)

PROGRESS_MIN_DOCS = 200  # show a progress bar for more new documents than this (or on a tty)

EXTRACT_CHUNK = 20  # articles per extraction call (progress granularity)

# Ingest re-merges only the (attacker, date) blocks the new claims touch (`_merge_blocks`);
# False re-merges every stored claim (the reference the tests compare it with).
INCREMENTAL_MERGE = True

_GROUP_COLS = ("published", "published_source", "published_ref", "duplicate_of", "dup_group")

# (articles, sentences, *, settings, progress) -> claims (schema.CLAIMS): see Store.ingest_batch.
Extractor = Callable[..., pd.DataFrame]


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
    deleted_articles: tuple[str, ...] = ()  # files of the articles delete_articles removed

    def summary(self) -> str:
        parts = [f"added {_count(len(self.added_articles), 'article')}"]
        if self.duplicate_articles:
            parts.append(f"{len(self.duplicate_articles)} already stored")
        if self.near_duplicates:
            n = len(self.near_duplicates)
            parts.append(f"{_count(n, 'near-duplicate')} of stored articles")
        if self.rejections:
            parts.append(f"{len(self.rejections)} rejected")
        parts.append(
            f"{_count(self.new_events, 'new event')}, {self.updated_events} updated; "
            f"{_count(self.n_events, 'event')} from {_count(self.n_articles, 'article')} in the "
            "store"
        )
        return ", ".join(parts)


def _count(n: int, word: str) -> str:
    """ "1 event", "2 events"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


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
    ingest_paths(writer, [seeds] if seeds.is_dir() else [], create_only=True)
    return store


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
    lock = FileLock(str(probe.lock_path), timeout=lock_timeout_for(settings, lock_timeout))
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


def ingest_documents(
    store: Store, docs: Sequence[RawDocument], *, progress: TextIO | None = None
) -> IngestReport:
    """Add uploaded / pasted documents (the dashboard's upload page)."""
    docs = list(docs)
    return _ingest(store, lambda: load_documents(docs, settings=store.settings), progress=progress)


def ingest_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    manifest: Path | None = None,
    progress: TextIO | None = None,
    create_only: bool = False,
) -> IngestReport:
    """Add files and folders (with their manifest.csv) — ``python -m strikes ingest``."""
    paths = list(paths)
    return _ingest(
        store,
        lambda: load_articles(paths, manifest=manifest, settings=store.settings),
        progress=progress,
        create_only=create_only,
    )


def ingest_batch(
    store: Store,
    load: Callable[[], ArticleBatch],
    *,
    extract: Extractor | None = None,
    progress: TextIO | None = None,
) -> IngestReport:
    """Add the articles `load()` returns (called once, under the write lock).

    `extract(articles, sentences, settings=, progress=)` replaces the in-process claims
    extraction (strikes.distributed runs it on a Dask cluster); the merge stays here.
    """
    return _ingest(store, load, progress=progress, extract=extract)


def _ingest(
    store: Store,
    load: Callable[[], ArticleBatch],
    *,
    progress: TextIO | None,
    create_only: bool = False,
    extract: Extractor | None = None,
) -> IngestReport:
    if store.read_only:
        raise ReadOnlyStore(f"{store.path}: opened read-only; cannot add documents")
    box: dict[str, IngestReport] = {}

    def work(w: Writer) -> None:
        box["report"] = _ingest_into(
            w, load(), settings=store.settings, progress=progress, extract=extract
        )

    store.write(work, create_only=create_only)
    report = box.get("report") or IngestReport()
    return dataclasses.replace(report, version=store.version())


def rebuild(store: Store, *, progress: TextIO | None = None) -> IngestReport:
    """Re-extract every stored article's claims and re-merge the events.

    For after an extractor or gazetteer upgrade: the articles stay, their claims and the
    events are recomputed with the current code.
    """
    if store.read_only:
        raise ReadOnlyStore(f"{store.path}: opened read-only")
    box: dict[str, IngestReport] = {}

    def work(w: Writer) -> None:
        box["report"] = _rebuild_into(w, settings=store.settings, progress=progress)

    store.write(work)
    return dataclasses.replace(box.get("report") or IngestReport(), version=store.version())


def set_published(store: Store, article_id: str, published: str) -> IngestReport:
    """Set a stored article's publication date as a curator would (date source "manifest")
    and re-extract its claims, so that its relative dates ("on Sunday", "last night") resolve
    and its undated events get a date."""
    from strikes.documents.metadata import parse_date

    if store.read_only:
        raise ReadOnlyStore(f"{store.path}: opened read-only")
    iso = parse_date(str(published))
    if iso is None:
        raise InputRejected(str(published), "not a real, past YYYY-MM-DD date")
    box: dict[str, IngestReport] = {}

    def work(w: Writer) -> None:
        box["report"] = _redate_into(w, article_id, iso, settings=store.settings)

    store.write(work)
    return dataclasses.replace(box.get("report") or IngestReport(), version=store.version())


def _redate_into(w: Writer, article_id: str, published: str, *, settings: Settings) -> IngestReport:
    art = w.read("articles", article_ids=[article_id])
    if art.empty:
        raise InputRejected(article_id, "no such article in the store")
    art = art.assign(
        published=pd.array([published], dtype="string"),
        published_source=pd.array(["manifest"], dtype="string"),
        published_ref=pd.array([None], dtype="string"),
    )
    w.update_articles(art, ["published", "published_source", "published_ref"])
    sentences = w.read("sentences", article_ids=[article_id])
    claims = _extract(art, sentences, settings=settings, progress=None)
    # Its old claims leave their events: those blocks change too.
    old_blocks = w.read_matching("claims", "article_id", [article_id], columns=["attacker", "date"])
    w.delete("claims", "article_id", [article_id])
    report_events = _merge_blocks(w, claims, old_blocks)
    w.changed = True
    n_articles = int(w.con.execute("SELECT count(*) FROM articles").fetchall()[0][0])
    return IngestReport(added_claims=len(claims), n_articles=n_articles, **report_events)


def delete_articles(store: Store, article_ids: Sequence[str]) -> IngestReport:
    """Remove articles and everything derived from them: their sentences and claims, the
    events only they reported (the others lose them as a source and are re-merged), and
    what other articles took from them (near-duplicate group, an inherited date: those
    articles are regrouped and, when their date changes, re-extracted).  Unknown ids are
    ignored; ``deleted_articles`` names what was removed."""
    if store.read_only:
        raise ReadOnlyStore(f"{store.path}: opened read-only; cannot delete articles")
    box: dict[str, IngestReport] = {}
    ids = [str(a) for a in article_ids]

    def work(w: Writer) -> None:
        box["report"] = _delete_into(w, ids, settings=store.settings)

    store.write(work)
    return dataclasses.replace(box.get("report") or IngestReport(), version=store.version())


def _delete_into(w: Writer, ids: Sequence[str], *, settings: Settings) -> IngestReport:
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


def _ingest_into(
    w: Writer,
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


def _rebuild_into(w: Writer, *, settings: Settings, progress: TextIO | None) -> IngestReport:
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


def _with_adjacent_nights(w: Writer, blocks: pd.DataFrame) -> pd.DataFrame:
    """``blocks`` and every stored (attacker, day) joined to them through days one apart.

    `merge_claims` joins one night dated by its evening in one article and by its morning in
    another, so a block's events can depend on the blocks a day either side; the closure over
    such neighbours makes the touched set self-contained again."""
    stored = w.con.execute("SELECT DISTINCT attacker, date FROM claims").fetchall()
    days: dict[str, set[_dt.date]] = {}
    for attacker, day in stored:
        if attacker and isinstance(day, str) and len(day) == 10:
            days.setdefault(attacker, set()).add(_dt.date.fromisoformat(day))
    out = {(str(a), str(d)) for a, d in blocks.itertuples(index=False)}
    todo = [(a, _dt.date.fromisoformat(d)) for a, d in out if len(d) == 10]
    while todo:
        attacker, day = todo.pop()
        for near in (day - _dt.timedelta(days=1), day + _dt.timedelta(days=1)):
            key = (attacker, near.isoformat())
            if near in days.get(attacker, ()) and key not in out:
                out.add(key)
                todo.append((attacker, near))
    return pd.DataFrame(sorted(out), columns=["attacker", "date"])


def _merge_blocks(w: Writer, claims_new: pd.DataFrame, old_blocks: pd.DataFrame) -> dict:
    """Store ``claims_new`` and re-merge only the events their blocks touch.

    `strikes.events.merge_claims` never lets claims of different (attacker, date) blocks meet:
    the event key starts with both, and a figure-less region folds only into a city hit by the
    same attacker on the same day.  So the events of a block depend on that block's claims
    (and their articles' dates) alone, and merging the touched blocks' claims, fed in stored
    order as a full re-merge would read them, gives exactly the full re-merge's events for
    those blocks (widened to the days next to them: `_with_adjacent_nights`); every other
    event stays as stored.  The events table keeps the full merge's
    order (by attacker, date, then the merge's order within a block), so the store reads back
    the same table either way (tests/integration/test_store_incremental.py).
    """
    blocks = pd.concat([_blocks_of(claims_new), _blocks_of(old_blocks)]).drop_duplicates(
        ignore_index=True
    )
    blocks = _with_adjacent_nights(w, blocks)
    stored = w.read_in_blocks("claims", blocks)
    enc = w.append("claims", claims_new)
    # The new claims as a read would return them (JSON round trip), like the stored ones.
    fresh = decode_frame(enc, CLAIMS) if not claims_new.empty else empty_frame(CLAIMS)
    claims = pd.concat([stored, fresh], ignore_index=True) if len(stored) else fresh
    cited = claims["article_id"].dropna().unique().tolist() if len(claims) else []
    articles = w.read_matching("articles", "article_id", cited, columns=["article_id", "published"])
    events = merge_claims(claims, articles=articles) if len(claims) else empty_frame(EVENTS)

    old = w.read_in_blocks("events", blocks, raw=True)
    new_enc = encode_frame(events, EVENTS, row0=w.next_row("events"))
    counts = _compare_events(old, new_enc)
    w.delete("events", "event_id", old["event_id"].dropna().tolist())
    w.delete("event_sources", "event_id", old["event_id"].dropna().tolist())
    if len(new_enc):
        w._insert("events", new_enc)
        w.append("event_sources", event_sources_frame(events))
    _renumber(w)
    n_events = int(w.con.execute("SELECT count(*) FROM events").fetchall()[0][0])
    return {**counts, "n_events": n_events, "changed": True}


def _renumber(w: Writer) -> None:
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


def _remerge(w: Writer) -> dict[str, int]:
    """Merge all stored claims into events; replace events and event_sources."""
    claims = w.read("claims")
    articles = w.read("articles", columns=list(ARTICLE_META_COLS))
    events = merge_claims(claims, articles=articles) if not claims.empty else empty_frame(EVENTS)
    counts = _compare_events(w.read_raw("events"), encode_frame(events, EVENTS))
    w.replace("events", events)
    w.replace("event_sources", event_sources_frame(events))
    return {**counts, "n_events": len(events), "changed": True}


def _regroup(
    stored: pd.DataFrame, new: pd.DataFrame, *, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[bool]]:
    """Near-duplicate groups over stored + new articles (strikes.documents.neardup).

    Returns (new articles with group fields and dates updated, stored articles whose group
    fields changed, stored articles whose publication date changed, per new article whether
    it shares a group with a stored one).
    """
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


__all__ = [
    "IngestReport",
    "ensure_store",
    "ingest_batch",
    "ingest_documents",
    "ingest_paths",
    "rebuild",
    "rebuild_from_seeds",
    "store_for_reading",
]
