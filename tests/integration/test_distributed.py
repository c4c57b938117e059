"""Distributed ingest on a LocalCluster (two worker processes) equals the single-process path.

dask.distributed is a requirement: this module fails (it does not skip) when it is missing.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import distributed  # noqa: F401  - a missing dask must fail this file, not skip it
import pyarrow.parquet as pq
import pytest

import strikes.ingest as ig
from bench.corpus import make_documents, write_corpus
from strikes.cli.main import main
from strikes.distributed import dask_client, expand_paths, ingest_dask
from strikes.settings import Settings
from strikes.store.database import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TABLES = ("articles", "sentences", "claims", "events", "event_sources")


def _records(store: Store) -> dict[str, list[dict]]:
    snap = store.snapshot()
    out = {}
    for t in TABLES:
        df = getattr(snap, t)
        out[t] = df.astype(object).where(df.notna(), None).to_dict("records")
    return out


def _store(path: Path) -> Store:
    return Store(path, settings=Settings(db_path=path))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dask-inputs")
    shutil.copytree(SEEDS, root / "seeds")
    write_corpus(root / "corpus", make_documents(150, seed=21, dup_rate=0.2))
    return root


@pytest.fixture(scope="module")
def client():
    with dask_client("local", workers=2) as c:
        assert len(c.scheduler_info()["workers"]) == 2
        yield c


def test_local_cluster_matches_single_process(inputs: Path, tmp_path: Path, client) -> None:
    single = _store(tmp_path / "single.duckdb")
    rep1 = ig.ingest_paths(single, [inputs / "seeds", inputs / "corpus"])
    dist = _store(tmp_path / "dist.duckdb")
    rep2 = ingest_dask(
        dist,
        [inputs / "seeds", inputs / "corpus"],
        address="local",
        partitions=5,
        client=client,
    )
    assert rep2.n_events == rep1.n_events > 100
    assert rep2.added_articles == rep1.added_articles
    assert [str(r) for r in rep2.rejections] == [str(r) for r in rep1.rejections]
    a, b = _records(single), _records(dist)
    for t in TABLES:
        assert a[t] == b[t], t
    # A second ingest of the same inputs adds nothing, as locally.
    again = ingest_dask(dist, [inputs / "corpus"], address="local", client=client)
    assert not again.added_articles and len(again.duplicate_articles) == 150


def test_globs_and_file_urls(inputs: Path, tmp_path: Path, client) -> None:
    paths = [f"{inputs}/corpus/a000[0-4]*.txt", f"file://{inputs}/corpus/a0005*.txt"]
    assert len(expand_paths(paths)) == 60
    single = _store(tmp_path / "s.duckdb")
    ig.ingest_paths(
        single,
        sorted((inputs / "corpus").glob("a000[0-5]*.txt")),
        manifest=inputs / "corpus/manifest.csv",
    )
    dist = _store(tmp_path / "d.duckdb")
    ingest_dask(
        dist, paths, address="local", manifest=inputs / "corpus/manifest.csv", client=client
    )
    assert _records(single) == _records(dist)


def test_cli_ingest_dask_local_with_parquet(inputs: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    db, pqdir = tmp_path / "cli.duckdb", tmp_path / "pq"
    code = main(
        [
            "ingest",
            str(inputs / "seeds"),
            "--db",
            str(db),
            "--dask",
            "local",
            "--partitions",
            "3",
            "--parquet",
            str(pqdir),
        ],
        out=out,
        err=err,
    )
    assert code == 0, err.getvalue()
    assert "Dask worker" in err.getvalue()
    local = _store(tmp_path / "local.duckdb")
    ig.ingest_paths(local, [inputs / "seeds"])
    assert _records(_store(db)) == _records(local)
    years = sorted(p.name for p in (pqdir / "events").iterdir())
    assert years and all(y.startswith("year=") for y in years)
    table = pq.read_table(pqdir / "events")
    assert table.num_rows == len(local.events())
    assert (pqdir / "events.parquet").is_file()


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    import dask

    err = io.StringIO()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(
            [
                "ingest",
                str(SEEDS),
                "--db",
                str(tmp_path / "x.duckdb"),
                "--dask",
                "tcp://127.0.0.1:9",
            ],
            out=io.StringIO(),
            err=err,
        )
    assert code == 1
    assert "Dask scheduler" in err.getvalue()
