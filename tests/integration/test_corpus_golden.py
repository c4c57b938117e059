"""Every stage's output on a generated corpus, byte for byte, against recorded golden files.

300 articles from `bench.corpus` (fixed seed: the same bytes every run) through
`python -m strikes articles` and `extract` (events and claims).  Speed work must leave these
identical; a change that is meant to change them re-records them
(tests/golden/record_corpus.py) and says why.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _recorder():
    spec = importlib.util.spec_from_file_location("record_corpus", GOLDEN / "record_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    return _recorder().outputs(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("name", ["articles.jsonl", "events.jsonl", "claims.jsonl"])
def test_output_is_the_golden_one(outputs, name):
    with gzip.open(GOLDEN / "corpus" / f"{name}.gz", "rt", encoding="utf-8") as f:
        want = f.read()
    got = outputs[name]
    if got != want:
        got_lines, want_lines = got.splitlines(), want.splitlines()
        for i, (g, w) in enumerate(zip(got_lines, want_lines, strict=False)):
            assert g == w, f"{name} line {i + 1} differs"
        assert len(got_lines) == len(want_lines), (
            f"{name}: {len(got_lines)} lines, not {len(want_lines)}"
        )
    assert got.count("\n") > 100  # a real output, not an empty one
