"""`streamlit run app.py` on a free 127.0.0.1 port, waited for until it answers, and stopped.

One helper for the browser tests' fixtures and the load test, so they start the app the same way.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_FLAGS = (
    "--server.address", "127.0.0.1", "--server.headless", "true",
    "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
)  # fmt: skip


class ServerDidNotStart(RuntimeError):
    """The app exited or did not answer its health check in time (the log's tail attached)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(
    *,
    env: Mapping[str, str],
    log_path: Path,
    args: Sequence[str] = (),
    port: int | None = None,
    timeout_s: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield (url, process) of a running app; stop it (terminate, then kill) on exit."""
    port = port or free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
             str(port), *SERVER_FLAGS, *args],
            cwd=ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                with (
                    contextlib.suppress(OSError),
                    urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r,
                ):
                    if r.status == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = log_path.read_text(errors="replace")[-3000:]
                    raise ServerDidNotStart(f"streamlit did not start:\n{tail}")
                time.sleep(0.3)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def wait_idle(page, timeout: float = 60.0) -> None:  # a Playwright page
    """Wait until the app's script run has finished (and stays finished for a moment)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        state = page.evaluate(
            "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
            " return a ? a.getAttribute('data-test-script-state') : null }"
        )
        quiet = quiet + 1 if state == "notRunning" else 0
        if quiet >= 4:
            return
        time.sleep(0.25)
    raise AssertionError("the app kept running")
