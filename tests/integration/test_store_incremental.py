"""Incremental ingest re-merges only the (attacker, date) blocks that new claims touch; the
store must read back exactly what re-merging every stored claim gives.

Two stores get the same batches (the real pipeline: the seeds, a generated corpus with
syndicated copies split across batches, an undated copy of a seed that a later batch re-dates,
repeated documents): one with the incremental merge, one with `INCREMENTAL_MERGE = False`
(every claim re-merged on every ingest, the old behaviour).  After every batch their reports,
events and event sources are equal, and equal to `merge_claims` over all stored claims.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import strikes.ingest as ig
import strikes.store.database as st
from bench.corpus import make_documents
from strikes.documents.articles import RawDocument
from strikes.events import merge_claims
from strikes.schema import EVENTS
from strikes.settings import Settings
from strikes.store.codecs import encode_frame

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _settings(folder: Path) -> Settings:
    return Settings.from_env(
        env={},
        db_path=folder / "strikes.duckdb",
        cache_dir=folder / "cache",
        seeds_dir=SEEDS,
        data_dir=ROOT / "data",
    )


def _undated_copy_of_a_seed() -> RawDocument:
    # Seed 000 is dated by the manifest only; this copy (not byte-identical, so a new article)
    # arrives first, undated, and is re-dated when the seeds join its near-duplicate group.
    text = (SEEDS / "000_f84e9bf7f0104544.txt").read_text(encoding="utf-8")
    text = text.replace(" said ", " stated ", 1) + "\nThe mayor thanked the rescuers.\n"
    return RawDocument(name="undated-copy.txt", data=text.encode())


def _batches() -> list[tuple[str, object]]:
    corpus = make_documents(360, seed=23)
    return [
        ("documents", [_undated_copy_of_a_seed(), *corpus[:80]]),
        ("paths", [SEEDS]),
        ("documents", corpus[80:200]),
        ("documents", [*corpus[200:250], *corpus[40:60]]),  # 20 already stored
        ("documents", corpus[250:]),
    ]


def _ingest(store: st.Store, kind: str, what) -> ig.IngestReport:
    if kind == "paths":
        return ig.ingest_paths(store, what)
    return ig.ingest_documents(store, what)


def _encoded(events: pd.DataFrame) -> pd.DataFrame:
    """Events as the store writes them (JSON text for lists and dicts), for exact comparison."""
    return encode_frame(events, EVENTS).drop(columns="_row")


REPORT_FIELDS = (
    "added_articles",
    "duplicate_articles",
    "near_duplicates",
    "new_events",
    "updated_events",
    "removed_events",
    "n_events",
    "n_articles",
    "added_claims",
)


def test_incremental_merge_equals_a_full_remerge(tmp_path: Path, monkeypatch) -> None:
    inc = st.Store(tmp_path / "inc" / "strikes.duckdb", settings=_settings(tmp_path / "inc"))
    full = st.Store(tmp_path / "full" / "strikes.duckdb", settings=_settings(tmp_path / "full"))
    touched_stored = removed = 0
    for i, (kind, what) in enumerate(_batches()):
        r_inc = _ingest(inc, kind, what)
        with monkeypatch.context() as m:
            m.setattr(ig, "INCREMENTAL_MERGE", False)
            r_full = _ingest(full, kind, what)
        a, b = dataclasses.asdict(r_inc), dataclasses.asdict(r_full)
        assert {f: a[f] for f in REPORT_FIELDS} == {f: b[f] for f in REPORT_FIELDS}, i
        touched_stored += r_inc.updated_events + r_inc.removed_events
        removed += r_inc.removed_events

        # The same events table, row for row in the same order, and the same sources.
        ev_inc, ev_full = inc.events(), full.events()
        pd.testing.assert_frame_equal(_encoded(ev_inc), _encoded(ev_full))
        pd.testing.assert_frame_equal(inc.event_sources(), full.event_sources())
        # ... which is what merging every stored claim gives.
        again = merge_claims(inc.claims(), articles=inc.articles(with_text=False))
        pd.testing.assert_frame_equal(_encoded(ev_inc), _encoded(again))

    assert touched_stored > 0  # later batches did change stored events (shared nights)
    assert removed > 0  # the re-dated copy's undated events left their blocks
    arts = inc.articles(with_text=False).set_index("file")
    assert arts.loc["undated-copy.txt", "published_source"] == "near-duplicate"  # re-dated
    assert len(inc.events()) > 100


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    store = st.Store(tmp_path / "strikes.duckdb", settings=_settings(tmp_path))
    docs = make_documents(30, seed=5)
    ig.ingest_documents(store, docs)
    version = store.version()
    report = ig.ingest_documents(store, docs[:10])
    assert not report.changed and report.duplicate_articles and store.version() == version


@pytest.mark.parametrize("incremental", [True, False])
def test_events_read_back_in_merge_order(tmp_path: Path, monkeypatch, incremental) -> None:
    monkeypatch.setattr(ig, "INCREMENTAL_MERGE", incremental)
    store = st.Store(tmp_path / "strikes.duckdb", settings=_settings(tmp_path))
    docs = make_documents(60, seed=31)
    ig.ingest_documents(store, docs[30:])  # later nights first
    ig.ingest_documents(store, docs[:30])
    events = store.events()
    keys = list(zip(events["attacker"], events["date"].fillna(""), strict=True))
    assert keys == sorted(keys)  # blocks in (attacker, date) order, as merge_claims returns
    sources = store.event_sources()
    order = {e: i for i, e in enumerate(events["event_id"])}
    ranks = [(order[e], o) for e, o in zip(sources["event_id"], sources["ord"], strict=True)]
    assert ranks == sorted(ranks)
