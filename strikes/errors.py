"""The small exception hierarchy of the pandas layer.

Every error a user can cause carries the input it concerns and a readable reason, so the CLI
and the dashboard can report it without a traceback.
"""

from __future__ import annotations


class StrikesError(Exception):
    """Base class of every error raised on purpose by `strikes`."""


class InputRejected(StrikesError):
    """One input (file, upload, manifest row) cannot be used; the others still can."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):  # picklable, so rejections can come back from Dask workers
        return (type(self), (self.source, self.reason))


class ManifestError(InputRejected):
    """A manifest row (or the whole manifest) is malformed."""


class ConfigError(StrikesError):
    """A setting has an invalid value."""


class StoreError(StrikesError):
    """The event store cannot be opened, read or written."""


class StoreUnusable(StoreError):
    """The file at the store's path is not a usable Strike Tracker store: corrupt, not a DuckDB
    database, another program's database, or written by an incompatible version.  It is never
    modified; `strikes.ingest.rebuild_from_seeds` moves it aside and builds a new store."""


class StoreBusy(StoreError):
    """Another process holds the store's write lock."""


class ReadOnlyStore(StoreError):
    """A write was attempted on a store opened read-only."""


class DecisionRejected(StrikesError):
    """An analyst's decision (strikes.review) cannot be recorded: unknown event, field or
    reason, a value of the wrong type, ...  Nothing is written."""


class GeocodeError(StrikesError):
    """A geocoder (offline index or online fallback) failed."""


class IngestFailed(StrikesError):
    """The dashboard's ingest worker could not finish (memory or time limit, or it crashed);
    nothing was added."""
