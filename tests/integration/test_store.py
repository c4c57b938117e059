"""The store's mechanics: readers, idempotent and incremental ingest, atomicity under SIGKILL,
concurrent writers, schema versions, foreign files, read-only use, and the ingest/export CLIs.

Extraction is replaced by a tiny deterministic fake (`fake_extract`: "Russia launched 40 drones
at Odesa") so these tests exercise the store, not the extractor, and stay fast.  The real
pipeline on the seeds is tested in test_store_seeds.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import strikes.ingest as ig
import strikes.store.database as st
from strikes.cli.main import main
from strikes.documents.articles import RawDocument
from strikes.errors import ReadOnlyStore, StoreBusy, StoreError
from strikes.schema import ARTICLES, CLAIMS, EVENTS, SENTENCES, conform, empty_frame
from strikes.settings import Settings

TESTS = Path(__file__).resolve().parent
REAL_EXTRACT = ig._extract
ROOT = TESTS.parents[1]

# ------------------------------------------------------------------------------ fake extractor

PLACES = {
    "Odesa": (46.48572, 30.74383, "UA", "Odesa Oblast", 698740),
    "Kyiv": (50.45466, 30.5238, "UA", "Kyiv City", 703448),
    "Kharkiv": (49.98081, 36.25272, "UA", "Kharkiv Oblast", 706483),
    "Belgorod": (50.61074, 36.58015, "RU", "Belgorod Oblast", 578072),
}
CLAIM_RE = re.compile(r"(Russia|Ukraine) launched (\d+) drones at (\w+)")


def fake_extract(articles, sentences, *, settings, progress):
    """Claims for "<attacker> launched N drones at <place>", dated by the article."""
    delay = float(os.environ.get("STRIKES_TEST_SLOW_S", "0") or 0)
    rows = []
    by_article = {a: g for a, g in sentences.groupby("article_id")} if len(sentences) else {}
    for art in articles.to_dict("records"):
        if delay:
            time.sleep(delay)
        sents = by_article.get(art["article_id"])
        if sents is None:
            continue
        published = art.get("published")
        published = None if published is None or pd.isna(published) else published
        for s in sents.to_dict("records"):
            for k, m in enumerate(CLAIM_RE.finditer(s["text"])):
                lat, lon, cc, admin1, gid = PLACES[m.group(3)]
                rows.append(
                    {
                        "claim_id": f"{art['article_id']}-{int(s['sent_idx']):04d}-{k:02d}",
                        "article_id": art["article_id"],
                        "sent_idx": s["sent_idx"],
                        "sentence": s["text"],
                        "start": s["start"],
                        "end": s["end"],
                        "rule": "fake",
                        "attacker": m.group(1),
                        "kind": "strike",
                        "date": published,
                        "date_precision": "day" if published else None,
                        "place_text": m.group(3),
                        "weapons": ["drone"],
                        "weapon_models": [],
                        "launched": int(m.group(2)),
                        "vague": {},
                        "spans": [],
                        "followups": [],
                        "claimed_by": "officials",
                        "geonameid": gid,
                        "location": m.group(3),
                        "admin1": admin1,
                        "country_code": cc,
                        "lat": lat,
                        "lon": lon,
                        "geo_precision": "city",
                        "geo_radius_km": 10.0,
                    }
                )
    return conform(rows, CLAIMS) if rows else empty_frame(CLAIMS)


@pytest.fixture(autouse=True)
def _fake_extraction(monkeypatch):
    monkeypatch.setattr(ig, "_extract", fake_extract)


FILLER = (
    "Officials described the damage in detail and said repair crews were already at work. "
    "Residents reported hearing explosions for several hours before the all-clear sounded. "
    "The regional administration opened shelters and asked people to stay indoors. "
)


WORDS = (  # noqa: SIM905
    "air defence crews regional governor power station rail depot warehouse residents "
    "shelter night sirens damage fire brigade rescuers debris windows apartment block "
    "school hospital bridge road market officials statement ministry report morning "
    "evening district village town city outskirts energy grid substation port harbour "
    "grain terminal convoy trucks"
).split()


def unique_story(tag: str, n: int = 90) -> str:
    """Text no other tag's story shares shingles with (so documents are not near-duplicates)."""
    import random

    rng = random.Random(tag)
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(
        words[i : i + 15] and " ".join(words[i : i + 15]) + "." for i in range(0, n, 15)
    )


def doc_text(claim: str, *, date: str | None = "2025-08-01", story: str = "") -> str:
    head = f"date {date}\n" if date else ""
    return f"{head}Overnight attack report\n\n{claim}, officials said. {story or FILLER}\n"


def write_doc(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def settings(tmp_path) -> Settings:
    seeds = tmp_path / "seeds"
    write_doc(
        seeds, "s1.txt", doc_text("Russia launched 40 drones at Odesa", story=unique_story("s1"))
    )
    write_doc(
        seeds,
        "s2.txt",
        doc_text("Ukraine launched 12 drones at Belgorod", story=unique_story("s2")),
    )
    return Settings(db_path=tmp_path / "db" / "strikes.duckdb", seeds_dir=seeds)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {c: str(t) for c, t in df.dtypes.items()}


def schema_dtypes(schema) -> dict[str, str]:
    return dtypes(empty_frame(schema))


def temporaries(settings: Settings) -> list[Path]:
    return [p for p in settings.db_path.parent.iterdir() if ".tmp-" in p.name]


# ------------------------------------------------------------------------------ opening


def test_open_creates_empty_store(settings):
    store = st.open_store(settings=settings)
    assert settings.db_path.exists()
    assert store.events().empty
    assert dtypes(store.events()) == schema_dtypes(EVENTS)
    assert dtypes(store.articles()) == schema_dtypes(ARTICLES)
    assert store.counts() == {t: 0 for t in st.TABLES}
    meta = store.meta()
    assert meta["app"] == "strike-tracker" and meta["schema_version"] == str(st.SCHEMA_VERSION)
    v = store.version()
    assert v and v == store.version() and v != "absent"


def test_ensure_store_builds_from_seeds_once(settings):
    store = ig.ensure_store(settings=settings)
    assert set(store.articles()["file"].map(lambda f: Path(f).name)) == {"s1.txt", "s2.txt"}
    events = store.events()
    assert set(events["location"]) == {"Odesa", "Belgorod"}
    v = store.version()
    again = ig.ensure_store(settings=settings)
    assert again.version() == v  # not rebuilt


def test_open_read_only_missing_file_is_clear(settings):
    with pytest.raises(StoreError, match="no event store"):
        st.open_store(settings=settings, read_only=True)


# ------------------------------------------------------------------------------ readers


def test_readers_round_trip_types(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    events = store.events()
    assert dtypes(events) == schema_dtypes(EVENTS)
    odesa = events[events["location"] == "Odesa"].iloc[0]
    assert odesa["weapons"] == ["drone"] and isinstance(odesa["weapons"], list)
    assert odesa["launched"] == 40 and odesa["date"] == "2025-08-01"
    assert odesa["lat"] == pytest.approx(46.48572)
    src = odesa["sources"][0]
    assert set(src) >= {"article", "sentence", "start", "end", "claim_id", "rule"}
    assert isinstance(odesa["conflicts"], dict)

    arts = store.articles()
    assert isinstance(arts["removed"].iloc[0], list)  # the dateline cut, with its reason
    assert arts["removed"].iloc[0][0]["reason"]
    meta_only = store.articles(with_text=False)
    assert meta_only["text"].isna().all() and list(meta_only.columns) == list(ARTICLES)

    sents = store.sentences()
    assert dtypes(sents) == schema_dtypes(SENTENCES)
    one = store.sentences([src["article"]])
    assert set(one["article_id"]) == {src["article"]}
    text = store.article(src["article"])["text"]
    assert text[src["start"] : src["end"]] == src["sentence"]  # offsets into the cleaned text

    claims = store.claims()
    assert dtypes(claims) == schema_dtypes(CLAIMS)
    assert claims["weapons"].map(lambda w: w == ["drone"]).all()

    es = store.event_sources()
    assert list(es.columns) == list(st.EVENT_SOURCES_READ)
    assert len(es) == events["n_sources"].sum()
    assert set(es["file"].map(lambda f: Path(f).name)) == {"s1.txt", "s2.txt"}
    assert es.loc[es["event_id"] == odesa["event_id"], "published"].iloc[0] == "2025-08-01"

    snap = store.snapshot()
    assert snap.version == store.version()
    pd.testing.assert_frame_equal(snap.events, events)


# ------------------------------------------------------------------------------ ingest


def test_ingest_is_idempotent(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", doc_text("Russia launched 7 drones at Kyiv", story=unique_story("A")))
    first = ig.ingest_paths(store, [docs])
    assert first.changed and len(first.added_articles) == 1 and first.new_events == 1
    v, digest, events = store.version(), sha(settings.db_path), store.events()

    second = ig.ingest_paths(store, [docs])
    assert not second.changed
    assert second.added_articles == () and len(second.duplicate_articles) == 1
    assert store.version() == v and sha(settings.db_path) == digest
    pd.testing.assert_frame_equal(store.events(), events)
    # The same text under another name is the same article.
    write_doc(tmp_path / "copy", "renamed.txt", (docs / "a.txt").read_text())
    third = ig.ingest_paths(store, [tmp_path / "copy"])
    assert not third.changed and third.duplicate_articles == (
        str(tmp_path / "copy" / "renamed.txt"),
    )
    assert sha(settings.db_path) == digest
    assert temporaries(settings) == []


def test_incremental_ingest_merges_into_stored_events(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    before = store.events()
    odesa_id = before.loc[before["location"] == "Odesa", "event_id"].iloc[0]

    # Another outlet's independent report of the stored Odesa attack, plus a new attack.
    write_doc(
        tmp_path / "new",
        "b.txt",
        doc_text("Russia launched 40 drones at Odesa", story=unique_story("B"))
        + "Russia launched 9 drones at Kharkiv, the governor said.\n",
    )
    report = ig.ingest_paths(store, [tmp_path / "new"])
    assert report.changed and report.added_articles == (str(tmp_path / "new" / "b.txt"),)
    assert report.new_events == 1 and report.updated_events == 1 and report.removed_events == 0
    assert report.n_events == 3 and report.n_articles == 3
    after = store.events().set_index("event_id")
    assert after.loc[odesa_id, "n_articles"] == 2  # one event, two sources
    assert after.loc[odesa_id, "n_sources"] == 2
    assert "Kharkiv" in set(after["location"])
    assert len(store.claims()) == 4  # every claim is kept


def test_near_duplicate_joins_stored_group_and_takes_its_date(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    arts = store.articles()
    s1 = arts[arts["file"].str.endswith("s1.txt")].iloc[0]
    # A syndicated, undated copy of s1, lightly edited.
    copy = (settings.seeds_dir / "s1.txt").read_text().replace("date 2025-08-01\n", "")
    copy = copy.replace("crews were already", "teams were") + "The mayor thanked the rescuers.\n"
    report = ig.ingest_documents(store, [RawDocument(name="syndicated.txt", data=copy.encode())])
    assert report.near_duplicates == ("syndicated.txt",)
    arts = store.articles().set_index("file")
    row = arts.loc["syndicated.txt"]
    assert row["dup_group"] == s1["dup_group"] == s1["article_id"]
    assert row["duplicate_of"] == s1["article_id"]
    assert (row["published"], row["published_source"]) == ("2025-08-01", "near-duplicate")
    # Its claim was dated from the group, so it merged into the stored Odesa event.
    events = store.events()
    odesa = events[events["location"] == "Odesa"]
    assert len(odesa) == 1 and odesa["n_articles"].iloc[0] == 2


def test_stored_undated_article_is_redated_by_a_dated_copy(settings, tmp_path):
    store = st.open_store(settings=settings)
    text = doc_text("Russia launched 5 drones at Kyiv", date=None, story=unique_story("U"))
    ig.ingest_documents(store, [RawDocument(name="undated.txt", data=text.encode())])
    assert store.claims()["date"].isna().all()
    dated = "date 2025-08-03\n" + text + "The mayor thanked the rescuers.\n"
    report = ig.ingest_documents(store, [RawDocument(name="dated.txt", data=dated.encode())])
    assert report.near_duplicates == ("dated.txt",)
    arts = store.articles().set_index("file")
    assert arts.loc["undated.txt", "published"] == "2025-08-03"
    claims = store.claims()
    assert set(claims["date"]) == {"2025-08-03"}  # the stored article's claim was re-extracted
    events = store.events()
    assert len(events) == 1 and events["date"].iloc[0] == "2025-08-03"
    assert events["n_articles"].iloc[0] == 2


def test_ingest_documents_api_reports(settings):
    store = ig.ensure_store(settings=settings)
    docs = [
        RawDocument(name="up1.txt", data=doc_text("Russia launched 3 drones at Kyiv").encode()),
        RawDocument(name="bad.exe", data=b"\x00\x01binary"),
        RawDocument(name="empty.txt", data=b""),
    ]
    report = ig.ingest_documents(store, docs)
    assert report.added_articles == ("up1.txt",)
    assert {r.source for r in report.rejections} >= {"empty.txt"}
    assert report.version == store.version()
    assert "added 1 article" in report.summary()


def test_failure_mid_ingest_leaves_store_untouched(settings, tmp_path, monkeypatch):
    store = ig.ensure_store(settings=settings)
    v, digest = store.version(), sha(settings.db_path)

    def broken(*a, **k):
        raise RuntimeError("extractor crashed")

    monkeypatch.setattr(ig, "_extract", broken)
    write_doc(tmp_path / "new", "c.txt", doc_text("Russia launched 1 drones at Kyiv"))
    with pytest.raises(RuntimeError):
        ig.ingest_paths(store, [tmp_path / "new"])
    assert store.version() == v and sha(settings.db_path) == digest
    assert temporaries(settings) == []


def test_rebuild_reextracts_everything(settings, monkeypatch):
    store = ig.ensure_store(settings=settings)
    events, v = store.events(), store.version()
    report = ig.rebuild(store)
    assert report.new_events == 0 and report.updated_events == 0 and report.n_events == 2
    pd.testing.assert_frame_equal(store.events(), events)
    assert store.version() != v
    # An "improved extractor" that finds nothing: the events go, the articles stay.
    monkeypatch.setattr(ig, "_extract", lambda *a, **k: empty_frame(CLAIMS))
    report = ig.rebuild(store)
    assert report.removed_events == 2 and store.events().empty
    assert store.counts()["articles"] == 2


def test_read_only_store_refuses_writes(settings):
    ig.ensure_store(settings=settings)
    ro = st.open_store(settings=settings, read_only=True)
    with pytest.raises(ReadOnlyStore):
        ig.ingest_documents(
            ro, [RawDocument(name="x.txt", data=b"Russia launched 1 drones at Kyiv.")]
        )


def test_read_only_open_writes_nothing(settings):
    ig.ensure_store(settings=settings)
    folder = settings.db_path.parent
    (folder / "strikes.duckdb.lock").unlink(missing_ok=True)
    before = sorted(p.name for p in folder.iterdir())
    digest = sha(settings.db_path)
    folder.chmod(0o555)
    settings.db_path.chmod(0o444)
    try:
        ro = st.open_store(
            settings=Settings(db_path=settings.db_path, read_only=True), read_only=True
        )
        assert len(ro.events()) == 2 and ro.version() and ro.counts()["articles"] == 2
        ro2 = ig.ensure_store(settings=Settings(db_path=settings.db_path, read_only=True))
        assert ro2.read_only and len(ro2.events()) == 2
    finally:
        folder.chmod(0o755)
        settings.db_path.chmod(0o644)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert sha(settings.db_path) == digest


def test_version_changes_with_content(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    v1 = store.version()
    write_doc(tmp_path / "n", "d.txt", doc_text("Russia launched 2 drones at Kharkiv"))
    ig.ingest_paths(store, [tmp_path / "n"])
    v2 = store.version()
    assert v2 != v1
    # Another handle (another session / process) sees the same token.
    assert st.open_store(settings=settings, read_only=True).version() == v2


def test_progress_bar_on_long_runs(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(ig, "_extract", REAL_EXTRACT)  # the chunking + tqdm around extraction
    monkeypatch.setattr(ig, "make_geo", lambda *, settings: None)
    monkeypatch.setattr(
        ig,
        "extract_claims",
        lambda a, s, *, settings, geo: fake_extract(a, s, settings=settings, progress=None),
    )
    monkeypatch.setattr(ig, "PROGRESS_MIN_DOCS", 2)
    monkeypatch.setattr(ig, "EXTRACT_CHUNK", 1)
    store = st.open_store(settings=settings)
    for i in range(3):
        write_doc(
            tmp_path / "many",
            f"m{i}.txt",
            doc_text(f"Russia launched {i + 1} drones at Kyiv", story=unique_story(f"m{i}")),
        )
    err = io.StringIO()  # not a tty: a bar only because 3 > PROGRESS_MIN_DOCS
    report = ig.ingest_paths(store, [tmp_path / "many"], progress=err)
    assert len(report.added_articles) == 3 and report.added_claims == 3
    assert "extracting" in err.getvalue() and "3/3" in err.getvalue()
    write_doc(
        tmp_path / "one",
        "o.txt",
        doc_text("Russia launched 8 drones at Odesa", story=unique_story("o")),
    )
    err = io.StringIO()
    ig.ingest_paths(store, [tmp_path / "one"], progress=err)
    assert err.getvalue() == ""


# ------------------------------------------------------------------------------ versions / files


def _make_store_with_meta(path: Path, **meta: str) -> None:
    con = duckdb.connect(str(path))
    st._create_tables(con)
    st._set_meta(
        con,
        {"app": "strike-tracker", "schema_version": str(st.SCHEMA_VERSION), "content_version": "x"}
        | meta,
    )
    con.close()


def test_newer_store_is_refused_clearly(settings):
    settings.db_path.parent.mkdir(parents=True)
    _make_store_with_meta(settings.db_path, schema_version="99")
    for ro in (True, False):
        with pytest.raises(StoreError, match="newer Strike Tracker"):
            st.open_store(settings=settings, read_only=ro)


def test_older_store_is_migrated_when_writable(settings, monkeypatch):
    settings.db_path.parent.mkdir(parents=True)
    _make_store_with_meta(settings.db_path, schema_version=str(st.SCHEMA_VERSION - 1))
    with pytest.raises(StoreError, match=r"older Strike Tracker.*open it once for writing"):
        st.open_store(settings=settings, read_only=True)
    monkeypatch.delitem(st.MIGRATIONS, st.SCHEMA_VERSION - 1, raising=False)
    with pytest.raises(StoreError, match="cannot be upgraded"):
        st.open_store(settings=settings)  # no migration registered for that version
    ran = []
    monkeypatch.setitem(st.MIGRATIONS, st.SCHEMA_VERSION - 1, lambda con: ran.append(con))
    store = st.open_store(settings=settings)
    assert ran and store.meta()["schema_version"] == str(st.SCHEMA_VERSION)
    st.open_store(settings=settings, read_only=True)  # now current


def test_store_missing_a_new_column_still_reads(settings, monkeypatch):
    ig.ensure_store(settings=settings)
    # A column added to the schema after the store was written reads back as missing.
    monkeypatch.setitem(st.TABLES, "events", EVENTS | {"extra_field": "string"})
    store = st.open_store(settings=settings, read_only=True)
    assert "event_id" in store._read_table("events").columns


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database" * 100, "not a DuckDB database"),
        (b"DUCK" + os.urandom(4096), "not a DuckDB database"),
    ],
)
def test_corrupt_file_gives_store_error(settings, content, message):
    settings.db_path.parent.mkdir(parents=True)
    settings.db_path.write_bytes(content)
    for ro in (True, False):
        with pytest.raises(StoreError, match=message):
            st.open_store(settings=settings, read_only=ro)
    assert settings.db_path.read_bytes() == content  # never overwritten


def test_foreign_duckdb_file_gives_store_error(settings):
    settings.db_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.db_path))
    con.execute("CREATE TABLE sales (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a Strike Tracker store"):
        st.open_store(settings=settings, read_only=True)
    with pytest.raises(StoreError, match="not a Strike Tracker store"):
        ig.ingest_documents(st.open_store(settings=settings), [])


def test_lock_held_gives_store_busy(settings):
    from filelock import FileLock

    store = ig.ensure_store(settings=settings)
    busy = st.Store(settings.db_path, settings=settings, lock_timeout=0.2)
    with FileLock(str(store.lock_path)):
        with pytest.raises(StoreBusy, match="another process is writing"):
            ig.ingest_documents(
                busy, [RawDocument(name="x.txt", data=b"Russia launched 1 drones at Kyiv.")]
            )
        assert len(store.events()) == 2  # readers are not blocked


# ------------------------------------------------------------------------------ subprocesses

RUNNER = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
import strikes.ingest as ig
import test_store
ig._extract = test_store.fake_extract
from strikes.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def run_cli(args: list[str], *, env: dict | None = None, **kw) -> subprocess.Popen:
    e = dict(os.environ, PYTHONPATH=str(ROOT)) | (env or {})
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args],
        cwd=ROOT,
        env=e,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def many_docs(folder: Path, n: int, *, attacker="Russia", place="Kyiv", tag="") -> Path:
    for i in range(n):
        write_doc(
            folder,
            f"{tag}{i:03d}.txt",
            doc_text(
                f"{attacker} launched {i + 1} drones at {place}",
                date=f"2025-06-{1 + i % 28:02d}",
                story=unique_story(f"{tag}{i}"),
            ),
        )
    return folder


@pytest.mark.slow
def test_killed_ingest_leaves_store_intact(settings, tmp_path):
    store = ig.ensure_store(settings=settings)
    v, digest, events = store.version(), sha(settings.db_path), store.events()
    docs = many_docs(tmp_path / "big", 20)
    db = str(settings.db_path)
    for delay in (0.0, 0.3):
        proc = run_cli(["ingest", "--db", db, str(docs)], env={"STRIKES_TEST_SLOW_S": "0.05"})
        # Wait until the writer is building its new copy, then kill it without warning.
        deadline = time.monotonic() + 30
        while not temporaries(settings) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        assert proc.poll() is None, proc.communicate()
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert sha(settings.db_path) == digest
        ro = st.open_store(settings=settings, read_only=True)
        assert ro.version() == v
        pd.testing.assert_frame_equal(ro.events(), events)
    # The lock died with the process; the next writer cleans up and succeeds.
    proc = run_cli(["ingest", "--db", db, str(docs)])
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert temporaries(settings) == []
    assert st.open_store(settings=settings).counts()["articles"] == 22


@pytest.mark.slow
def test_concurrent_ingests_both_land(settings, tmp_path):
    ig.ensure_store(settings=settings)
    a = many_docs(tmp_path / "a", 10, place="Kyiv", tag="a")
    b = many_docs(tmp_path / "b", 10, attacker="Ukraine", place="Belgorod", tag="b")
    db = str(settings.db_path)
    env = {"STRIKES_TEST_SLOW_S": "0.05"}
    procs = [run_cli(["ingest", "--db", db, str(p)], env=env) for p in (a, b)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    store = st.open_store(settings=settings, read_only=True)
    assert store.counts()["articles"] == 22
    events = store.events()
    assert {"Kyiv", "Belgorod", "Odesa"} <= set(events["location"])
    assert len(events) == 2 + 10 + 10  # distinct dates per place


def test_second_writer_times_out_clearly(settings, tmp_path):
    from filelock import FileLock

    store = ig.ensure_store(settings=settings)
    v = store.version()
    b = many_docs(tmp_path / "b", 2, attacker="Ukraine", place="Belgorod", tag="b")
    with FileLock(str(store.lock_path)):  # another writer is busy
        proc = run_cli(
            ["ingest", "--db", str(settings.db_path), str(b)],
            env={"STRIKES_STORE_LOCK_TIMEOUT_S": "0.3"},
        )
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "another process is writing" in err and "Traceback" not in err
    assert "held for more than 0.3 s" in err  # the setting reached the writer
    assert store.version() == v


# ------------------------------------------------------------------------------ CLIs


def test_cli_ingest_exit_codes(settings, tmp_path, monkeypatch):
    db = str(settings.db_path)
    docs = many_docs(tmp_path / "docs", 2)
    out, err = io.StringIO(), io.StringIO()
    assert main(["ingest", "--db", db, str(docs)], out=out, err=err) == 0
    assert "added 2 articles" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert main(["ingest", "--db", db, str(docs)], out=out, err=err) == 0  # idempotent
    assert "already stored" in err.getvalue() and "added 0 articles" in out.getvalue()
    bad = write_doc(tmp_path / "bad", "x.pdf", "nope")
    out, err = io.StringIO(), io.StringIO()
    assert main(["ingest", "--db", db, str(bad), str(docs)], out=out, err=err) == 1
    assert "rejected" in err.getvalue() and "x.pdf" in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert main(["ingest", "--db", db, str(tmp_path / "missing")], out=out, err=err) == 1
    assert "Traceback" not in err.getvalue()
    # A corrupt --db is a clear error, not a traceback.
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"junk" * 1000)
    err = io.StringIO()
    assert main(["ingest", "--db", str(junk), str(docs)], out=io.StringIO(), err=err) == 1
    assert "not a DuckDB database" in err.getvalue()


def test_cli_ingest_with_manifest(settings, tmp_path):
    docs = tmp_path / "docs"
    write_doc(docs, "m.txt", doc_text("Russia launched 4 drones at Kyiv", date=None))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,published,outlet,url\ndocs/m.txt,2025-08-09,Test Outlet,\n")
    err = io.StringIO()
    args = [
        "ingest",
        "--db",
        str(settings.db_path),
        "--manifest",
        str(manifest),
        str(docs / "m.txt"),
    ]
    assert main(args, out=io.StringIO(), err=err) == 0, err.getvalue()
    store = st.open_store(settings=settings, read_only=True)
    art = store.articles().iloc[0]
    assert (art["published"], art["outlet"]) == ("2025-08-09", "Test Outlet")
    assert store.events()["date"].tolist() == ["2025-08-09"]


@pytest.fixture
def populated(settings, tmp_path) -> Settings:
    ig.ensure_store(settings=settings)
    many_docs(tmp_path / "more", 3, attacker="Russia", place="Kharkiv", tag="k")
    ig.ingest_paths(st.open_store(settings=settings), [tmp_path / "more"])
    return settings


def test_cli_export_formats(populated, tmp_path):
    db = str(populated.db_path)
    out = io.StringIO()
    assert main(["export", "--db", db, "--format", "csv"], out=out, err=io.StringIO()) == 0
    from strikes.export import read_csv

    df = read_csv(out.getvalue().encode())
    assert len(df) == 5
    out = io.StringIO()
    assert (
        main(
            ["export", "--db", db, "--format", "geojson", "--attacker", "Ukraine"],
            out=out,
            err=io.StringIO(),
        )
        == 0
    )
    doc = json.loads(out.getvalue())
    assert [f["properties"]["location"] for f in doc["features"]] == ["Belgorod"]
    target = tmp_path / "out" / "events.parquet"
    target.parent.mkdir()
    err = io.StringIO()
    args = [
        "export",
        "--db",
        db,
        "--format",
        "parquet",
        "--out",
        str(target),
        "--from",
        "2025-06-02",
        "--to",
        "2025-06",
    ]
    assert main(args, out=io.StringIO(), err=err) == 0
    from strikes.export import read_parquet

    assert target.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    back = read_parquet(target.read_bytes())
    assert set(back["date"]) == {"2025-06-02", "2025-06-03"}
    assert "exported 2 events" in err.getvalue()
    out = io.StringIO()
    assert (
        main(
            ["export", "--db", db, "--format", "acled", "--country", "ru"],
            out=out,
            err=io.StringIO(),
        )
        == 0
    )
    assert out.getvalue().splitlines()[0].startswith("event_id_cnty,event_date,year")
    assert len(out.getvalue().splitlines()) == 2


def test_cli_export_usage_errors(populated, tmp_path):
    db = str(populated.db_path)
    err = io.StringIO()
    assert main(["export", "--db", db, "--from", "last week"], out=io.StringIO(), err=err) == 2
    assert "not a date" in err.getvalue()
    err = io.StringIO()
    assert main(["export", "--db", db, "--weapon", "laser"], out=io.StringIO(), err=err) == 2
    err = io.StringIO()
    assert main(["export", "--db", db, "--format", "parquet"], out=io.StringIO(), err=err) == 2
    assert "binary" in err.getvalue()
    err = io.StringIO()
    missing = str(tmp_path / "nope.duckdb")
    assert main(["export", "--db", missing], out=io.StringIO(), err=err) == 1
    assert "no event store" in err.getvalue()
    assert not Path(missing).exists()


def test_cli_export_parquet_to_binary_stdout(populated):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")  # like sys.stdout piped to a file
    assert (
        main(
            ["export", "--db", str(populated.db_path), "--format", "parquet"],
            out=out,
            err=io.StringIO(),
        )
        == 0
    )
    data = raw.getvalue()
    assert data[:4] == b"PAR1"
    from strikes.export import read_parquet

    assert len(read_parquet(data)) == 5


def test_cli_export_leaves_undated_events_out_unless_asked(populated, tmp_path):
    """As on the Data page: the CLI export says how many undated events it left out, and
    --include-undated writes them (with an empty date) whatever the date bounds."""
    write_doc(
        tmp_path / "undated",
        "u.txt",
        doc_text("Russia launched 9 drones at Kharkiv", date=None, story=unique_story("u")),
    )
    ig.ingest_paths(st.open_store(settings=populated), [tmp_path / "undated"])
    events = st.open_store(settings=populated).events()
    n_undated = int(events["date"].isna().sum())
    assert n_undated >= 1, "the article without a date should give an undated event"
    n_dated = len(events) - n_undated
    db = str(populated.db_path)
    from strikes.export import read_csv

    def export(*extra: str) -> tuple[pd.DataFrame, str]:
        out, err = io.StringIO(), io.StringIO()
        assert main(["export", "--db", db, "--format", "csv", *extra], out=out, err=err) == 0
        return read_csv(out.getvalue().encode()), err.getvalue()

    df, note = export()
    assert len(df) == n_dated and df["date"].notna().all()
    assert f"{n_undated} undated event(s) left out" in note and "--include-undated" in note
    df, note = export("--include-undated")
    assert len(df) == len(events) and int(df["date"].isna().sum()) == n_undated
    assert f"{n_undated} undated event(s) included" in note
    # Date bounds select dated events; the undated ones come along only when asked for.
    df, _ = export("--from", "2025-06-02", "--to", "2025-06-03", "--include-undated")
    assert set(df["date"].dropna()) == {"2025-06-02", "2025-06-03"}
    assert int(df["date"].isna().sum()) == n_undated
    # ACLED rows need a date: the same file with or without the option, and the note says so.
    acled = []
    for extra in ([], ["--include-undated"]):
        out, err = io.StringIO(), io.StringIO()
        assert main(["export", "--db", db, "--format", "acled", *extra], out=out, err=err) == 0
        assert f"{n_undated} undated event(s) left out (ACLED needs a date)" in err.getvalue()
        acled.append(out.getvalue())
    assert acled[0] == acled[1] and len(acled[0].splitlines()) > 1
