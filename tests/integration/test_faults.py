"""Faults around the event store: a full disk, failing fsync/rename, corrupt and foreign files
(moved aside and rebuilt from the seeds), a read-only folder, and several writers in one
process (the Streamlit server runs each session in a thread).  kill -9 during an ingest and
writers in separate processes are in test_store.py.

Extraction is test_store.py's deterministic fake where the extractor does not matter."""

from __future__ import annotations

import errno
import hashlib
import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import strikes.ingest as ig
import strikes.store.database as st
from strikes.documents.articles import RawDocument
from strikes.errors import ReadOnlyStore, StoreError, StoreUnusable
from strikes.settings import Settings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parents[1]
sys.path.insert(0, str(TESTS))
from test_store import doc_text, fake_extract, unique_story, write_doc  # noqa: E402

RUNNER = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
import strikes.ingest as ig
import test_store
ig._extract = test_store.fake_extract
from strikes.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(autouse=True)
def _fake_extraction(monkeypatch):
    monkeypatch.setattr(ig, "_extract", fake_extract)


@pytest.fixture
def settings(tmp_path) -> Settings:
    seeds = tmp_path / "seeds"
    for i, (claim, tag) in enumerate(
        [
            ("Russia launched 40 drones at Odesa", "s1"),
            ("Ukraine launched 12 drones at Belgorod", "s2"),
        ]
    ):
        write_doc(seeds, f"s{i}.txt", doc_text(claim, story=unique_story(tag)))
    return Settings(db_path=tmp_path / "db" / "strikes.duckdb", seeds_dir=seeds)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.db_path.parent.iterdir() if ".tmp-" in p.name)


def new_docs(tmp_path: Path, n: int = 3, tag: str = "n") -> Path:
    folder = tmp_path / f"docs-{tag}"
    for i in range(n):
        write_doc(
            folder,
            f"{tag}{i}.txt",
            doc_text(f"Russia launched {i + 5} drones at Kyiv", story=unique_story(f"{tag}{i}")),
        )
    return folder


# ------------------------------------------------------------------------------ a full disk


def _file_size_limit(limit: int):
    def apply() -> None:  # in the child, before exec: writes past `limit` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # ignored dispositions survive exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


def test_full_disk_during_ingest_fails_cleanly(settings, tmp_path):
    """A write that runs out of space (simulated with RLIMIT_FSIZE: DuckDB's own C++ writes
    fail as on a full disk) is a clear error; the store, its version and folder are as before,
    and the next ingest with room to write succeeds."""
    store = ig.ensure_store(settings=settings)
    digest, version = sha(settings.db_path), store.version()
    docs = new_docs(tmp_path)
    limit = settings.db_path.stat().st_size // 2  # the new copy cannot be written whole
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "ingest", "--db", str(settings.db_path), str(docs)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(limit),
    )
    assert proc.returncode == 1, proc.stderr
    assert "writing the store failed (the disk is full); the store is unchanged" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sha(settings.db_path) == digest and store.version() == version
    assert leftovers(settings) == []
    report = ig.ingest_paths(store, [docs])
    assert len(report.added_articles) == 3


def test_full_disk_in_a_long_running_process(settings, tmp_path, monkeypatch):
    """The server keeps running after a failed write: it still reads, and writes again once
    there is room (the limit is lowered and raised in this very process)."""
    store = ig.ensure_store(settings=settings)
    events = store.events()
    limit = settings.db_path.stat().st_size // 2
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(StoreError, match=r"\(the disk is full\); the store is unchanged"):
            ig.ingest_paths(store, [new_docs(tmp_path)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    pd.testing.assert_frame_equal(store.events(), events)
    assert leftovers(settings) == []
    assert len(ig.ingest_paths(store, [new_docs(tmp_path)]).added_articles) == 3


@pytest.mark.parametrize(
    ("call", "err", "why"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.EIO, ""),
        ("replace", errno.EROFS, "the file system is read-only"),
        ("replace", errno.EACCES, "permission denied"),
    ],
)
def test_failing_fsync_or_rename_aborts_the_write(settings, tmp_path, monkeypatch, call, err, why):
    store = ig.ensure_store(settings=settings)
    digest, version = sha(settings.db_path), store.version()
    real = getattr(os, call)
    failed = []

    def fail(*args, **kwargs):
        failed.append(args)
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, call, fail)
    with pytest.raises(StoreError) as info:
        ig.ingest_paths(store, [new_docs(tmp_path)])
    monkeypatch.setattr(os, call, real)
    assert failed
    message = str(info.value)
    assert (
        f"writing the store failed{f' ({why})' if why else ''}; the store is unchanged" in message
    )
    assert os.strerror(err) in message
    assert sha(settings.db_path) == digest and store.version() == version
    assert leftovers(settings) == []


# ------------------------------------------------------------------------------ unusable files


def _foreign(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (id INTEGER)")
    con.close()


def _damaged_block(path: Path) -> None:
    """A real store with a block in the middle overwritten: it opens, and fails when read."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 65536] = bytes(b ^ 0xFF for b in data[mid : mid + 65536])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"this is not a database" * 100), id="not-duckdb"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:4096]), id="truncated-header"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), id="half"),
        pytest.param(_damaged_block, id="damaged-block"),
        pytest.param(lambda p: (p.unlink(), _foreign(p)), id="foreign-duckdb"),
    ],
)
def test_unusable_store_is_reported_then_moved_aside_and_rebuilt(settings, damage):
    ig.ensure_store(settings=settings)
    damage(settings.db_path)
    bad = settings.db_path.read_bytes()
    with pytest.raises(StoreUnusable):
        st.open_store(settings=settings, read_only=True).snapshot()
    assert settings.db_path.read_bytes() == bad  # reading never repairs or overwrites

    store, backup = ig.rebuild_from_seeds(settings=settings)
    assert backup is not None and backup.name.startswith("strikes.duckdb.unusable-")
    assert backup.read_bytes() == bad  # kept, byte for byte
    assert set(store.events()["location"]) == {"Odesa", "Belgorod"}
    # A second rebuild (another session clicking too) finds a good store and moves nothing.
    again, second = ig.rebuild_from_seeds(settings=settings)
    assert second is None and again.version() == store.version()


def test_rebuild_refused_in_read_only_mode_or_folder(settings, monkeypatch):
    ig.ensure_store(settings=settings)
    settings.db_path.write_bytes(b"junk" * 100)
    with pytest.raises(ReadOnlyStore):
        ig.rebuild_from_seeds(settings=Settings(db_path=settings.db_path, read_only=True))
    folder = settings.db_path.parent.resolve()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: Path(p) != folder and real_access(p, mode, **k)
    )
    with pytest.raises(StoreError, match="is not writable"):
        ig.rebuild_from_seeds(settings=settings)
    assert settings.db_path.read_bytes() == b"junk" * 100
    assert sorted(p.name for p in folder.iterdir()) == ["strikes.duckdb", "strikes.duckdb.lock"]


# ------------------------------------------------------------------------------ read-only


def test_read_only_mode_never_creates_a_store(settings):
    ro = Settings(db_path=settings.db_path, seeds_dir=settings.seeds_dir, read_only=True)
    with pytest.raises(StoreError, match=r"read-only mode .* does not create one"):
        ig.ensure_store(settings=ro)
    assert not settings.db_path.parent.exists()


def test_write_problem_names_the_folder(tmp_path, monkeypatch):
    db = tmp_path / "a" / "b" / "strikes.duckdb"  # not created yet: the nearest parent counts
    assert st.write_problem(db) is None
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: Path(p) != tmp_path and real_access(p, mode, **k)
    )
    assert st.write_problem(db) == f"the folder {tmp_path} is not writable"


def test_read_only_geocode_cache_is_never_written(tmp_path, monkeypatch):
    from test_geocode import FakeNominatim

    import strikes.geo.geocode as geocode_mod
    from strikes.geo.gazetteer import Gazetteer

    monkeypatch.setattr(geocode_mod, "Nominatim", FakeNominatim)
    base = {"online_geocoding": True, "cache_dir": tmp_path, "nominatim_min_delay_s": 0.0}
    gaz = Gazetteer.load(settings=Settings())
    ro = geocode_mod.make_geocoder(settings=Settings(read_only=True, **base), gazetteer=gaz)
    assert ro.geocode("Pulkovo Airport, Saint Petersburg").raw["source"] == "nominatim"
    assert not list(tmp_path.rglob("*"))  # looked up, nothing written
    rw = geocode_mod.make_geocoder(settings=Settings(**base), gazetteer=gaz)
    rw.geocode("Pulkovo Airport, Saint Petersburg")
    assert list((tmp_path / "geocode").glob("nominatim-*.json"))  # the same call writes


# ------------------------------------------------------------------------------ one process


def test_threads_ingesting_and_reading_at_once(settings):
    """What two dashboard sessions uploading at once do: writers in threads of one process
    serialise on the lock, readers never see a partial store, every article lands."""
    ig.ensure_store(settings=settings)
    errors: list[BaseException] = []
    stop = threading.Event()
    reads = [0]

    def reader() -> None:
        store = st.Store(settings.db_path, settings=settings, read_only=True)
        while not stop.is_set():
            try:
                snap = store.snapshot()
                assert len(snap.events) >= 2
                assert set(snap.event_sources["article_id"]) <= set(snap.articles["article_id"])
                reads[0] += 1
            except BaseException as exc:  # noqa: BLE001 - collected for the main thread
                errors.append(exc)
                return

    def writer(tag: str, attacker: str, place: str) -> None:
        store = st.Store(settings.db_path, settings=settings)
        try:
            for i in range(4):
                text = doc_text(
                    f"{attacker} launched {i + 1} drones at {place}",
                    date=f"2025-06-{i + 1:02d}",
                    story=unique_story(f"{tag}{i}"),
                )
                ig.ingest_documents(store, [RawDocument(f"{tag}{i}.txt", text.encode())])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [
        threading.Thread(target=writer, args=("a", "Russia", "Kyiv")),
        threading.Thread(target=writer, args=("b", "Ukraine", "Belgorod")),
    ]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in readers:
        t.join(timeout=30)
    assert not errors, errors
    assert reads[0] > 0
    store = st.open_store(settings=settings, read_only=True)
    assert store.counts()["articles"] == 2 + 8
    assert len(store.events()) == 2 + 8
    assert leftovers(settings) == []
