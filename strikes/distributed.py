"""Distributed ingest on Dask: `python -m strikes ingest PATH... --dask ADDRESS|local`.

The per-article stages run on the cluster; everything that looks across articles runs here,
exactly as in the single-process path, so the store ends up with the same articles, claims
and events:

    here      list the inputs (folders, globs, fsspec URLs such as s3://bucket/wire/*.txt) and
              read them with their manifest.csv metadata          articles.read_documents
    cluster   decode, clean, metadata, sentences per document     articles.process_documents
    here      exact duplicates, near-duplicate groups and dates   articles.assemble
    cluster   claims + geocoding per article (each worker loads   pipeline.extract_claims
              its own gazetteer once)
    here      merge across sources, write the store               store (events.merge_claims)

Documents travel to the workers as bytes (so the workers need no access to the client's
files), in `partitions` pieces (default: four per worker thread).  ADDRESS is a scheduler
address ("tcp://10.0.0.5:8786") or "local" for a LocalCluster of one single-threaded worker
process per core on this machine.  Workers need this package importable (same version) with
its data/ folder; they find the gazetteer there.

With `--parquet DIR` the events are also written as a Parquet dataset partitioned by year
(DIR/events/year=2025/...), beside the single-file DIR/events.parquet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from strikes.documents.articles import (
    ArticleBatch,
    RawDocument,
    assemble,
    process_documents,
    read_documents,
)
from strikes.documents.metadata import read_manifest
from strikes.errors import InputRejected, StrikesError
from strikes.export import to_parquet
from strikes.geo.gazetteer import INDEX_NAME
from strikes.ingest import ingest_batch
from strikes.pipeline import extract_claims
from strikes.schema import CLAIMS, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS, Settings

__all__ = [
    "DaskUnavailable",
    "dask_client",
    "expand_paths",
    "ingest_dask",
    "load_batch_dask",
    "make_extractor",
]

_GLOB_CHARS = frozenset("*?[")


class DaskUnavailable(StrikesError):
    """dask.distributed is not installed, or the scheduler cannot be reached."""


# --------------------------------------------------------------------------------------------
# Inputs


def _is_url(p: str) -> bool:
    return "://" in p and not p.startswith("file://")


def expand_paths(paths: Sequence[str | Path]) -> list[str]:
    """Local globs expanded (sorted); a glob that matches nothing is kept as given, so the
    articles stage reports it as missing.  URLs pass through (see `_read_remote`)."""
    out: list[str] = []
    for p in paths:
        s = str(p)
        if s.startswith("file://"):
            s = s[len("file://") :]
        if not _is_url(s) and _GLOB_CHARS & set(s):
            hits = sorted(glob.glob(s, recursive=True))
            out.extend(hits or [s])
        else:
            out.append(s)
    return out


def _read_remote(
    urls: Sequence[str], *, settings: Settings
) -> tuple[list[RawDocument], list[InputRejected]]:
    """Documents behind fsspec URLs (globs and folders too), with a manifest.csv beside them."""
    import fsspec

    docs: list[RawDocument] = []
    rejections: list[InputRejected] = []
    allowed = tuple(s.lower() for s in settings.allowed_suffixes)
    for url in urls:
        try:
            fs, root = fsspec.core.url_to_fs(url)
            if _GLOB_CHARS & set(root):
                found = sorted(fs.glob(root))
            elif fs.isdir(root):
                found = sorted(fs.find(root))
            else:
                found = [root]
        except (OSError, ValueError, ImportError) as exc:
            rejections.append(InputRejected(url, f"cannot list: {exc}"))
            continue
        if not found:
            rejections.append(InputRejected(url, "no such file or directory"))
            continue
        proto = url.split("://", 1)[0]
        files = [f for f in found if not any(part.startswith(".") for part in f.split("/")[-1:])]
        manifests = {f.rsplit("/", 1)[0] for f in files if f.rsplit("/", 1)[-1] == "manifest.csv"}
        meta: dict[str, Any] = {}
        for folder in sorted(manifests):
            meta.update(_remote_manifest(fs, folder, settings, rejections, proto))
        for f in files:
            name = f.rsplit("/", 1)[-1]
            if name == "manifest.csv" or not name.lower().endswith(allowed):
                continue
            label = f"{proto}://{f}"
            try:
                with fs.open(f, "rb") as fh:
                    data = fh.read(settings.max_file_bytes + 1)
            except OSError as exc:
                rejections.append(InputRejected(label, f"cannot read file: {exc}"))
                continue
            if len(data) > settings.max_file_bytes:
                rejections.append(
                    InputRejected(label, f"file is over the {settings.max_file_bytes:,}-byte limit")
                )
                continue
            docs.append(RawDocument.with_entry(label, data, meta.get(f)))
    return docs, rejections


def _remote_manifest(fs, folder: str, settings: Settings, rejections: list, proto: str) -> dict:
    """Read a remote manifest.csv with the usual reader (via a local copy); keys: remote paths."""
    with tempfile.TemporaryDirectory(prefix="strikes-manifest-") as tmp:
        local = Path(tmp) / "manifest.csv"
        try:
            with fs.open(f"{folder}/manifest.csv", "rb") as fh:
                local.write_bytes(fh.read(settings.max_file_bytes + 1))
        except OSError as exc:
            rejections.append(InputRejected(f"{proto}://{folder}/manifest.csv", str(exc)))
            return {}
        found, errors = read_manifest(local, max_bytes=settings.max_file_bytes)
        base = Path(tmp).resolve()
        out = {}
        for path, entry in found.items():
            with contextlib.suppress(ValueError):
                out[f"{folder}/{path.relative_to(base).as_posix()}"] = entry
    rejections.extend(
        InputRejected(f"{proto}://{folder}/manifest.csv", getattr(e, "reason", str(e)))
        for e in errors
    )
    return out


def read_inputs(
    paths: Sequence[str | Path], *, manifest: Path | None, settings: Settings
) -> tuple[list[RawDocument], list[InputRejected]]:
    """Local paths exactly as `load_articles` reads them; URLs through fsspec."""
    expanded = expand_paths(paths)
    local = [p for p in expanded if not _is_url(p)]
    remote = [p for p in expanded if _is_url(p)]
    docs: list[RawDocument] = []
    rejections: list[InputRejected] = []
    if local:
        docs, rejections = read_documents(local, manifest=manifest, settings=settings)
    if remote:
        more, rej = _read_remote(remote, settings=settings)
        docs += more
        rejections += rej
    return docs, rejections


# --------------------------------------------------------------------------------------------
# The cluster


@contextlib.contextmanager
def dask_client(address: str, *, workers: int | None = None) -> Iterator[Any]:
    """A distributed Client: `local` starts (and stops) a LocalCluster of worker processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a requirement
        raise DaskUnavailable(
            "--dask needs dask.distributed (pip install -r requirements.txt)"
        ) from exc
    if address == "local":
        n = workers or os.cpu_count() or 1
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with a running one
                silence_logs=40,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(address)  # waits distributed.comm.timeouts.connect (dask config)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()


def _n_partitions(client: Any, n_items: int, partitions: int | None) -> int:
    if partitions:
        return max(1, min(int(partitions), n_items))
    threads = sum(client.nthreads().values()) or 1
    return max(1, min(4 * threads, n_items))


def _split(items: Sequence, k: int) -> list[list]:
    size = math.ceil(len(items) / k) if items else 0
    return [list(items[i : i + size]) for i in range(0, len(items), size)] if size else []


def _worker_settings(settings: Settings) -> Settings:
    """The client's settings, with this machine's data folder if the client's is not here."""
    if (Path(settings.data_dir) / INDEX_NAME).is_file():
        return settings
    return dataclasses.replace(settings, data_dir=DEFAULT_SETTINGS.data_dir)


def _process_part(docs: list[RawDocument], settings: Settings) -> list:
    # InputRejected does not survive pickling (its __init__ takes two arguments): ship its parts.
    return [
        (name, art, [(type(n), n.source, n.reason) for n in notes])
        for name, art, notes in process_documents(docs, settings=_worker_settings(settings))
    ]


def _extract_part(articles: pd.DataFrame, sentences: pd.DataFrame, settings: Settings):
    return extract_claims(articles, sentences, settings=_worker_settings(settings))


def load_batch_dask(
    client: Any,
    docs: Sequence[RawDocument],
    rejections: list[InputRejected],
    *,
    settings: Settings,
    partitions: int | None = None,
) -> ArticleBatch:
    """The articles stage with the per-document work on the cluster (same batch as locally)."""
    parts = _split(list(docs), _n_partitions(client, len(docs), partitions))
    processed: list = []
    if parts:
        futures = client.map(_process_part, client.scatter(parts), settings=settings, pure=False)
        for chunk in client.gather(futures):
            processed.extend(
                (name, art, [cls(src, why) for cls, src, why in notes])
                for name, art, notes in chunk
            )
    return assemble(processed, list(rejections), settings=settings)


def make_extractor(client: Any, *, partitions: int | None = None):
    """A claims extractor for `strikes.ingest.ingest_batch` that runs on the cluster."""

    def extract(
        articles: pd.DataFrame,
        sentences: pd.DataFrame,
        *,
        settings: Settings,
        progress: TextIO | None = None,
    ) -> pd.DataFrame:
        if articles.empty:
            return empty_frame(CLAIMS)
        k = _n_partitions(client, len(articles), partitions)
        size = math.ceil(len(articles) / k)
        by_article = sentences.groupby("article_id", sort=False).indices if len(sentences) else {}
        pieces = []
        for i in range(0, len(articles), size):
            part = articles.iloc[i : i + size].reset_index(drop=True)
            rows = [j for a in part["article_id"] for j in by_article.get(a, ())]
            pieces.append((part, sentences.iloc[sorted(rows)].reset_index(drop=True)))
        if progress is not None:
            print(
                f"strikes: extracting claims of {len(articles)} article(s) in "
                f"{len(pieces)} partition(s) on the cluster",
                file=progress,
            )
        futures = [
            client.submit(_extract_part, *client.scatter(list(p)), settings, pure=False)
            for p in pieces
        ]
        frames = [f for f in client.gather(futures) if not f.empty]
        if not frames:
            return empty_frame(CLAIMS)
        return conform(pd.concat(frames, ignore_index=True), CLAIMS)

    return extract


def ingest_dask(
    store: Any,
    paths: Sequence[str | Path],
    *,
    address: str,
    partitions: int | None = None,
    manifest: Path | None = None,
    parquet: Path | None = None,
    progress: TextIO | None = None,
    client: Any = None,
) -> Any:
    """`strikes.ingest.ingest_paths` with the per-article stages on Dask; returns the IngestReport."""
    settings: Settings = store.settings
    docs, rejections = read_inputs(paths, manifest=manifest, settings=settings)
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(address))
        if progress is not None:
            workers = len(client.scheduler_info().get("workers", {}))
            print(
                f"strikes: {len(docs)} document(s) to {workers} Dask worker(s) "
                f"({'LocalCluster' if address == 'local' else address})",
                file=progress,
            )
        report = ingest_batch(
            store,
            lambda: load_batch_dask(
                client, docs, rejections, settings=settings, partitions=partitions
            ),
            extract=make_extractor(client, partitions=partitions),
            progress=progress,
        )
    if parquet is not None:
        write_partitioned(store.events(), Path(parquet) / "events")
    return report


def write_partitioned(events: pd.DataFrame, folder: Path) -> Path:
    """The events as a Parquet dataset partitioned by year (hive style: year=2025/)."""
    import io
    import shutil

    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(to_parquet(events)))
    year = pa.array([None if d is None else str(d)[:4] for d in table.column("date").to_pylist()])
    table = table.append_column("year", year)
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    ds.write_dataset(
        table,
        tmp,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("year", pa.string())]), flavor="hive"),
        existing_data_behavior="overwrite_or_ignore",
    )
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return folder
