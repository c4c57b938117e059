"""The dashboard's ingest, in a worker process with a memory and a time limit.

A submission that needs more memory than ``settings.ingest_memory_mb`` (the worker's address
space, `resource.RLIMIT_AS`, set in the worker before it imports the pipeline) or more time
than ``settings.ingest_timeout_s`` fails alone: the server process that serves the dashboard
never holds its data, and the store is unchanged (every write builds a new file and swaps it
in only when complete).  Parent -> worker: a pickle on stdin (the worker trusts its parent);
worker -> parent: one JSON line on stdout (the parent does not unpickle anything).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from strikes import errors
from strikes.errors import IngestFailed, InputRejected
from strikes.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # pragma: no cover
    from strikes.documents.articles import RawDocument
    from strikes.ingest import IngestReport

# Errors the worker reports by name, re-raised as the same class in the parent.
_PASSED_ON = ("StoreBusy", "ReadOnlyStore", "StoreUnusable", "StoreError", "StrikesError")
_ALLOCATION = re.compile(r"failed to allocate|bad allocation|out of memory", re.IGNORECASE)
_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def ingest_in_worker(docs: Sequence[RawDocument], *, settings: Settings) -> IngestReport:
    """`strikes.ingest.ingest_documents` on ``settings.db_path``, run in a worker process."""
    payload = pickle.dumps({"settings": settings, "docs": list(docs)})
    env = dict(os.environ)
    env.update(dict.fromkeys(_THREADS, "1"))  # thread stacks count against the address space
    try:
        done = subprocess.run(
            [sys.executable, "-m", "strikes.worker"],
            input=payload,
            capture_output=True,
            timeout=settings.ingest_timeout_s,
            env=env,
            cwd=str(PROJECT_ROOT),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise IngestFailed(
            f"processing took longer than {settings.ingest_timeout_s:g} s and was stopped; "
            "nothing was added (send fewer or smaller files)"
        ) from None
    except OSError as exc:
        raise IngestFailed(f"the ingest worker could not be started ({exc.strerror})") from None
    answer = _answer(done.stdout)
    if answer is None or done.returncode not in (0, 1):
        raise IngestFailed(_crashed(done.returncode, settings))
    if "error" in answer:
        kind, message = answer["error"], answer.get("message", "")
        if kind == "memory":
            raise IngestFailed(_out_of_memory(settings))
        cls = getattr(errors, kind) if kind in _PASSED_ON else IngestFailed
        raise cls(message)
    return _report(answer["report"])


def _answer(stdout: bytes) -> dict | None:
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        value = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _out_of_memory(settings: Settings) -> str:
    return (
        f"processing needed more than the worker's {settings.ingest_memory_mb:,} MB of memory "
        "and was stopped; nothing was added (send fewer or smaller files)"
    )


def _crashed(code: int, settings: Settings) -> str:
    return (
        f"the ingest worker stopped unexpectedly (exit status {code}), possibly out of its "
        f"{settings.ingest_memory_mb:,} MB of memory; nothing was added"
    )


def _report(d: dict) -> IngestReport:
    from strikes.ingest import IngestReport

    fields = {f.name for f in dataclasses.fields(IngestReport)}
    values = {k: v for k, v in d.items() if k in fields}
    for k in ("added_articles", "duplicate_articles", "near_duplicates", "notes"):
        values[k] = tuple(values.get(k, ()))
    values["rejections"] = tuple(InputRejected(s, r) for s, r in values.get("rejections", ()))
    return IngestReport(**values)


def _limit_memory(mb: int) -> None:
    import resource

    limit = int(mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> int:
    request = pickle.load(sys.stdin.buffer)
    settings: Settings = request["settings"]
    out = sys.stdout
    try:
        _limit_memory(settings.ingest_memory_mb)
        from strikes.ingest import ingest_documents
        from strikes.store.database import Store

        store = Store(settings.db_path, settings=settings, read_only=settings.read_only)
        report = ingest_documents(store, request["docs"])
    except MemoryError:
        print(json.dumps({"error": "memory"}), file=out)
        return 1
    except errors.StrikesError as exc:
        # DuckDB reports its own failed allocations as errors of the write.
        kind = "memory" if _ALLOCATION.search(str(exc)) else type(exc).__name__
        print(json.dumps({"error": kind, "message": str(exc)}), file=out)
        return 1
    d = dataclasses.asdict(report)
    d["rejections"] = [[r.source, r.reason] for r in report.rejections]
    print(json.dumps(d and {"report": d}, default=str), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
