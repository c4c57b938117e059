"""A bounded load test of the dashboard: N concurrent sessions for T seconds on 127.0.0.1.

    python tools/load_test.py                          # 20 sessions, 60 s, own server (make load)
    python tools/load_test.py --sessions 5 --duration 10 --json result.json
    python tools/load_test.py --think 10               # readers pausing 10 s between clicks
    python tools/load_test.py --url http://127.0.0.1:8501   # against a running local server

Each session speaks Streamlit's own protocol (the browser's websocket, /_stcore/stream, with
BackMsg/ForwardMsg protobufs), so what is measured is what a visitor waits for on the server:
the time from asking for a page (with or without filters in its URL) to the end of the script
run that renders it.  A session walks through every page, reconnecting as a new visitor every
few pages; a probe fetches the HTML shell (GET /) once a second.  An error is an exception
shown on a page, an error box, a page not found, a run that does not finish within the
timeout, or a failed connection.

Bounded by construction: at most 50 sessions and 600 seconds, and only a server on this
machine (127.0.0.1 / localhost / ::1).  Without --url it starts `streamlit run app.py` on a free
local port over a temporary copy of the store (--db, else one built from seeds/) and stops it
at the end; then the server's peak memory and CPU use are reported too.

Exit status: 0 without errors, 1 with errors, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, or imported by file path from the tests
    sys.path.insert(0, str(ROOT))

from tools.serve import serve  # noqa: E402

MAX_SESSIONS = 50
MAX_DURATION_S = 600.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
RUN_TIMEOUT_S = 60.0
# (page url path, query string): every page, some with filters from the address bar.
VISITS = [
    ("", ""),
    ("map", ""),
    ("events", ""),
    ("sources", ""),
    ("data", ""),
    ("add_articles", ""),
    ("events", "attacker=Russia"),
    ("", "weapon=drone&from=2025-07-01"),
    ("map", "attacker=Ukraine"),
    ("events", "q=kyiv"),
    ("sources", "country=UA"),
    ("data", "attacker=Russia&weapon=missile"),
]
PAGES_PER_VISIT = 6  # then the session reconnects as a new visitor


@dataclass
class Run:
    page: str
    query: str
    seconds: float
    error: str | None = None


@dataclass
class Summary:
    sessions: int
    think_s: float
    duration_s: float
    runs: int
    errors: int
    error_kinds: dict[str, int]
    runs_per_s: float
    latency_s: dict[str, float]  # p50 p90 p95 p99 max mean
    per_page: dict[str, dict[str, float]]
    shell_get_s: dict[str, float]
    server: dict[str, float] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        lat = self.latency_s
        lines = [
            f"{self.sessions} sessions for {self.duration_s:.0f} s"
            + (f" ({self.think_s:g} s between clicks)" if self.think_s else "")
            + f": {self.runs:,} page runs "
            f"({self.runs_per_s:.1f}/s), {self.errors} error(s)"
            + (f" {self.error_kinds}" if self.errors else ""),
            "page latency (s): "
            + "  ".join(f"{k} {lat[k]:.2f}" for k in ("p50", "p90", "p95", "p99", "max")),
            f"HTML shell GET / (s): p50 {self.shell_get_s.get('p50', 0):.3f}  "
            f"max {self.shell_get_s.get('max', 0):.3f}",
        ]
        for page, s in sorted(self.per_page.items()):
            lines.append(
                f"  {page or '(overview)':<24} n={int(s['n']):>4}  p50 {s['p50']:.2f}  "
                f"p95 {s['p95']:.2f}  max {s['max']:.2f}"
            )
        if self.server:
            lines.append(
                f"server: peak RSS {self.server.get('peak_rss_mb', 0):.0f} MB, CPU "
                f"{self.server.get('cpu_percent', 0):.0f}% of one core on average"
            )
        lines.append("machine: " + ", ".join(f"{k} {v}" for k, v in self.machine.items() if v))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# One session


def _messages():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return BackMsg, ForwardMsg


def run_page(ws, page: str, query: str, *, timeout: float = RUN_TIMEOUT_S) -> Run:
    """Ask for one page on an open session and wait until its script run has finished."""
    back_msg, forward_msg = _messages()
    msg = back_msg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    started = time.monotonic()
    ws.send(msg.SerializeToString())
    error = None
    deadline = started + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return Run(page, query, time.monotonic() - started, "timeout")
        try:
            raw = ws.recv(timeout=left)
        except TimeoutError:
            return Run(page, query, time.monotonic() - started, "timeout")
        if isinstance(raw, str):
            continue
        fm = forward_msg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            element = fm.delta.new_element
            what = element.WhichOneof("type")
            if what == "exception":
                error = error or f"exception: {element.exception.type}"
            elif what == "alert" and element.alert.format == element.alert.ERROR:
                error = error or "error box: " + element.alert.body[:80]
        elif kind == "page_not_found":
            error = error or "page not found"
        elif kind == "script_finished":
            status = fm.script_finished
            if status == fm.FINISHED_EARLY_FOR_RERUN:
                continue  # st.rerun(): the run that renders the page follows
            if status == fm.FINISHED_WITH_COMPILE_ERROR:
                error = error or "compile error"
            return Run(page, query, time.monotonic() - started, error)


def session(
    url: str,
    index: int,
    stop_at: float,
    runs: list[Run],
    lock: threading.Lock,
    think: float = 0.0,
) -> None:
    from websockets.sync.client import connect

    ws_url = urllib.parse.urlsplit(url)._replace(scheme="ws", path="/_stcore/stream").geturl()
    step = index * 5  # sessions start at different pages
    while time.monotonic() < stop_at:
        try:
            with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30) as ws:
                for _ in range(PAGES_PER_VISIT):
                    if time.monotonic() >= stop_at:
                        return
                    page, query = VISITS[step % len(VISITS)]
                    step += 1
                    run = run_page(ws, page, query)
                    with lock:
                        runs.append(run)
                    if run.error == "timeout":
                        break  # the session is stuck: reconnect
                    if think:  # a reader looking at the page before the next click
                        time.sleep(max(0.0, min(think, stop_at - time.monotonic())))
        except (OSError, TimeoutError, Exception) as exc:  # noqa: BLE001 - every failure counts
            with lock:
                runs.append(Run("(connect)", "", 0.0, f"connection: {type(exc).__name__}"))
            time.sleep(0.5)


def _probe(url: str, stop_at: float, out: list[float]) -> None:
    while time.monotonic() < stop_at:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url + "/", timeout=10) as r:  # local: check_local()
                r.read()
            out.append(time.monotonic() - started)
        except OSError:
            out.append(float("inf"))
        time.sleep(1.0)


# --------------------------------------------------------------------------------------------
# The run


def _pct(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    v = sorted(values)

    def at(q: float) -> float:
        return v[min(len(v) - 1, round(q * (len(v) - 1)))]

    return {
        "n": len(v),
        "p50": at(0.50),
        "p90": at(0.90),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": v[-1],
        "mean": statistics.fmean(v),
    }


def machine() -> dict[str, str]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    return {
        "cores": str(os.cpu_count() or "?"),
        "cpu": model,
        "memory": mem,
        "python": platform.python_version(),
    }


def check_local(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise ValueError(f"only a server on this machine can be load-tested, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def run_load(
    url: str,
    *,
    sessions: int,
    duration: float,
    server_pid: int | None = None,
    think: float = 0.0,
) -> Summary:
    """Drive `sessions` sessions against the local server at `url` for `duration` seconds."""
    url = check_local(url)
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be between 1 and {MAX_SESSIONS}")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"duration must be above 0 and at most {MAX_DURATION_S:g} s")
    runs: list[Run] = []
    shell: list[float] = []
    lock = threading.Lock()
    cpu0 = _cpu_seconds(server_pid)
    started = time.monotonic()
    stop_at = started + duration
    threads = [
        threading.Thread(target=session, args=(url, i, stop_at, runs, lock, think), daemon=True)
        for i in range(sessions)
    ]
    threads.append(threading.Thread(target=_probe, args=(url, stop_at, shell), daemon=True))
    peak = [0.0]
    sampler = threading.Thread(target=_sample_rss, args=(server_pid, stop_at, peak), daemon=True)
    for t in [*threads, sampler]:
        t.start()
    for t in threads:
        t.join(timeout=duration + RUN_TIMEOUT_S + 30)
    elapsed = time.monotonic() - started
    cpu1 = _cpu_seconds(server_pid)
    with lock:
        done = list(runs)
    errors = [r for r in done if r.error]
    kinds: dict[str, int] = {}
    for r in errors:
        kinds[r.error] = kinds.get(r.error, 0) + 1
    pages = [r for r in done if r.page != "(connect)" and not r.error]
    per_page: dict[str, list[float]] = {}
    for r in pages:
        per_page.setdefault(r.page + (f"?{r.query}" if r.query else ""), []).append(r.seconds)
    server = {}
    if server_pid:
        server["peak_rss_mb"] = peak[0]
        if cpu0 is not None and cpu1 is not None:
            server["cpu_percent"] = 100 * (cpu1 - cpu0) / elapsed
    return Summary(
        sessions=sessions,
        think_s=think,
        duration_s=elapsed,
        runs=len(done),
        errors=len(errors),
        error_kinds=kinds,
        runs_per_s=len(done) / elapsed,
        latency_s={k: v for k, v in _pct([r.seconds for r in pages]).items() if k != "n"},
        per_page={k: _pct(v) for k, v in per_page.items()},
        shell_get_s=_pct([s for s in shell if s != float("inf")]),
        server=server,
        machine=machine(),
    )


def _cpu_seconds(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sample_rss(pid: int | None, stop_at: float, peak: list[float]) -> None:
    while pid and time.monotonic() < stop_at:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        time.sleep(0.5)


# --------------------------------------------------------------------------------------------
# A server of our own


@contextlib.contextmanager
def local_server(db: Path | None = None) -> Iterator[tuple[str, int]]:
    """`streamlit run app.py` on a free 127.0.0.1 port over a temporary copy of the store."""
    folder = Path(tempfile.mkdtemp(prefix="strikes-load-"))
    try:
        target = folder / "strikes.duckdb"
        env = {
            **os.environ,
            "STRIKES_DB_PATH": str(target),
            "STRIKES_CACHE_DIR": str(folder / "cache"),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("STRIKES_READ_ONLY", None)
        if db is not None:
            shutil.copyfile(db, target)
        else:  # built from seeds/ before the clock starts
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "strikes",
                    "ingest",
                    "--db",
                    str(target),
                    str(ROOT / "seeds"),
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        with serve(env=env, log_path=folder / "server.log") as (url, proc):
            yield url, proc.pid
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(url: str) -> None:
    """One visit of every page, so the first run of a page (imports, caches) is not counted."""
    from websockets.sync.client import connect

    ws_url = urllib.parse.urlsplit(url)._replace(scheme="ws", path="/_stcore/stream").geturl()
    with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30) as ws:
        for page, query in VISITS:
            run_page(ws, page, query)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tools/load_test.py", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20, help=f"1..{MAX_SESSIONS} (default 20)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds (default 60, max 600)")
    p.add_argument("--url", help="a running server on this machine (default: start one)")
    p.add_argument("--db", type=Path, help="store to copy for the server (default: from seeds)")
    p.add_argument("--think", type=float, default=0.0, help="seconds between clicks (default 0)")
    p.add_argument("--json", type=Path, help="also write the summary here as JSON")
    args = p.parse_args(argv)
    try:
        if args.url:
            check_local(args.url)
        if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.duration <= MAX_DURATION_S:
            raise ValueError(
                f"--sessions must be 1..{MAX_SESSIONS} and --duration 0..{MAX_DURATION_S:g} s"
            )
    except ValueError as exc:
        print(f"load_test: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.url:
            url, pid = args.url, None
        else:
            url, pid = stack.enter_context(local_server(args.db))
        warm_up(url)
        summary = run_load(
            url,
            sessions=args.sessions,
            duration=args.duration,
            server_pid=pid,
            think=max(0.0, min(args.think, 60.0)),
        )
    print(summary.text())
    if args.json:
        args.json.write_text(json.dumps(asdict(summary), indent=2) + "\n", encoding="utf-8")
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
