"""`strikes.speed.arrays.unique_ints` gives exactly `np.unique`'s answer."""

from __future__ import annotations

import numpy as np
import pytest

from strikes.speed.arrays import unique_ints


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.intp, np.uint32, np.uint64, np.int8])
def test_unique_ints_is_np_unique(dtype) -> None:
    rng = np.random.default_rng(3)
    info = np.iinfo(dtype)
    for n in (0, 1, 2, 3, 17, 1000, 100_000):
        for hi in (2, 50, int(info.max)):
            values = rng.integers(max(info.min, -hi), hi, n, endpoint=True, dtype=dtype)
            got = unique_ints(values)
            want = np.unique(values)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)


def test_unique_ints_leaves_its_input_alone_and_flattens() -> None:
    values = np.array([[5, 1], [5, 3]], dtype=np.int64)
    np.testing.assert_array_equal(unique_ints(values), [1, 3, 5])
    np.testing.assert_array_equal(values, [[5, 1], [5, 3]])  # sorted a copy


def test_unique_ints_rejects_other_dtypes() -> None:
    with pytest.raises(TypeError, match="float64"):
        unique_ints(np.array([1.0, np.nan]))
