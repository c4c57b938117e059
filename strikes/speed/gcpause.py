"""Fewer garbage-collector passes while a batch runs.

A batch builds hundreds of thousands of small objects (mentions, claims, rows) that live until
the batch ends, and almost none of them form reference cycles.  With CPython's default
thresholds the collector keeps re-walking all of them (and the gazetteer, and the sentence
caches).  A larger first-generation threshold for the duration of the batch removes most of
those passes; reference counting still frees everything as usual, and the old thresholds come
back afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from strikes.settings import DEFAULT_SETTINGS, Settings

__all__ = ["batch_gc"]

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] | None = None


@contextmanager
def batch_gc(*, settings: Settings = DEFAULT_SETTINGS) -> Iterator[None]:
    """Raise the collector's first threshold while the block runs (nesting and threads: the
    outermost block restores the thresholds)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            if settings.batch_gc_threshold > _saved[0]:
                gc.set_threshold(settings.batch_gc_threshold, *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
