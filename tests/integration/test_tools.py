"""The fuzz target and the load test in tools/: they import, run briefly, and can fail.  The
real runs (`python tools/fuzz_pipeline.py -max_total_time=60`, `python tools/load_test.py`) are
not part of pytest."""

from __future__ import annotations

import importlib.util
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fuzz():
    return _tool("fuzz_pipeline")


@pytest.fixture(scope="module")
def load():
    return _tool("load_test")


# ------------------------------------------------------------------------------ fuzz target


def test_fuzz_target_accepts_odd_inputs(fuzz):
    rng = random.Random(3)
    inputs = [
        b"",
        b"\x00",
        b"\x02<html><body><p>Russian drones hit Kyiv overnight, killing 2.</p>" + b"<!--" * 500,
        b"\x04" + (ROOT / "seeds" / "000_f84e9bf7f0104544.txt").read_bytes(),
        b"\x08" + " ".join(fuzz.DICTIONARY).encode("utf-8", "surrogatepass"),
        b"\x01" + rng.randbytes(3000),
        b"\x00" + b"Russia launched 40 drones at Kyiv. " * 400,
        # What the fuzzer found: a follow-up's implausible figure reaching an event.
        b"\x04Russia launched 40 drones at Kharkiv overnight, officials said. "
        b"The strike killed 99999999 people, the governor added.",
    ]
    for data in inputs:
        fuzz.check_one(data)


def test_fuzz_target_reports_broken_invariants(fuzz, monkeypatch):
    import strikes.claims

    followup = (
        b"\x04Russia launched 40 drones at Kharkiv overnight, officials said. "
        b"The strike killed 99999999 people, the governor added."
    )
    with monkeypatch.context() as m:  # the plausibility check off: an absurd figure escapes
        m.setattr(strikes.claims, "_check_plausible", lambda c, settings: None)
        with pytest.raises(AssertionError, match="killed"):
            fuzz.check_one(followup)
    with monkeypatch.context() as m:  # every input is "slow"
        m.setattr(fuzz, "SLOW_S", 0.0)
        with pytest.raises(AssertionError, match="took"):
            fuzz.check_one(b"\x00Russian drones hit Kyiv overnight.")


def test_fuzz_command_runs(tmp_path):
    """A few runs through atheris/libFuzzer itself (instrumentation, seeds, dictionary)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "fuzz_pipeline.py"), "-runs=30", "-seed=1"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # libFuzzer stops at the first report past -runs (30 or 31, by where its counters fall).
    done = re.search(r"Done (\d+) runs", proc.stderr)
    assert done and int(done.group(1)) >= 30, proc.stderr[-3000:]
    assert "INITED" in proc.stderr  # the seed corpus was read
    assert not list(tmp_path.glob("crash-*"))


# ------------------------------------------------------------------------------ load test


def test_load_test_stays_local_and_bounded(load):
    for url in ("http://example.org:8501", "http://10.0.0.1:8501", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="only a server on this machine"):
            load.check_local(url)
    assert load.check_local("http://localhost:8501/x?y") == "http://localhost:8501"
    with pytest.raises(ValueError, match="sessions"):
        load.run_load("http://127.0.0.1:9", sessions=51, duration=1)
    with pytest.raises(ValueError, match="duration"):
        load.run_load("http://127.0.0.1:9", sessions=1, duration=601)
    assert load.main(["--sessions", "500"]) == 2
    assert load.main(["--url", "http://example.org"]) == 2


def test_load_test_counts_connection_failures(load):
    """Nothing listens on port 9: every attempt is an error, none is a page run."""
    summary = load.run_load("http://127.0.0.1:9", sessions=2, duration=1.5)
    assert summary.errors == summary.runs > 0
    assert set(summary.error_kinds) == {"connection: ConnectionRefusedError"}


@pytest.mark.load
def test_five_sessions_for_ten_seconds(load, streamlit_server):
    """A short version of `python tools/load_test.py` against the test server."""
    load.warm_up(streamlit_server)
    summary = load.run_load(streamlit_server, sessions=5, duration=10)
    print("\n" + summary.text())
    assert summary.errors == 0, summary.error_kinds
    assert summary.runs >= 10
    assert {p.split("?")[0] for p in summary.per_page} >= {"", "map", "events", "sources"}
    assert summary.latency_s["p95"] < 20  # ~2-4 s here with 5 sessions on 2 cores
    assert summary.shell_get_s["n"] >= 5
