"""Small numpy helpers the dashboard's aggregations share."""

from __future__ import annotations

import numpy as np

__all__ = ["unique_ints"]


def unique_ints(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` for an integer array: its distinct values, sorted.

    numpy 2.x answers a plain `np.unique` from a hash table, much slower on the dashboard's
    integer codes than a sort and a comparison of neighbours (the way `np.unique` itself works
    when asked for indices).  The dashboard does this on every filter change.
    """
    arr = np.asarray(values)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"unique_ints wants integers, got {arr.dtype}")
    arr = np.sort(arr.ravel())
    if len(arr) < 2:
        return arr
    keep = np.empty(len(arr), dtype=bool)
    keep[0] = True
    np.not_equal(arr[1:], arr[:-1], out=keep[1:])
    return arr[keep]
