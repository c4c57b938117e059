"""Turning uploads, pasted text and fetched pages into `RawDocument`s (pure; no streamlit).

Nothing here trusts a name from the user as a path: an upload is stored under a generated
name, ``upload-<first 10 hex digits of its SHA-256>-<plain base name>`` (the base name reduced
to safe characters, kept only as a readable label and for its suffix; nothing is ever written
to disk under it), the suffix must be an allowed one, at most ``settings.max_upload_files``
files are taken per submission, and every document is checked against
``settings.max_file_bytes`` before it is read further.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from strikes.documents.articles import RawDocument
from strikes.errors import InputRejected
from strikes.fetch import fetch
from strikes.settings import Settings

_UNSAFE = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


@dataclass(frozen=True)
class Prepared:
    docs: list[RawDocument]
    rejections: list[InputRejected]


def safe_name(name: object, *, default: str = "upload.txt") -> str:
    """A plain file name (no directories, no control characters, at most 120 chars)."""
    raw = str(name or "")
    base = PureWindowsPath(PurePosixPath(raw).name).name  # strips a/b/ and C:\a\ alike
    base = _UNSAFE.sub("_", base).strip(" ._") or default
    if len(base) > 120:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[:110] + dot + suffix[:9]) if dot else base[:120]
    return base


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _published(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    return _dt.date.fromisoformat(str(value)[:10]).isoformat()


def _clean(value: object) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return s[:300] or None


def from_uploads(
    files: Iterable[tuple[str, bytes | Callable[[], bytes]]],
    *,
    settings: Settings,
    title: str | None = None,
    published: object = None,
    outlet: str | None = None,
) -> Prepared:
    """Uploaded files -> documents; wrong types, empty and oversized files are rejected.

    A file's content may be given as a function returning it: files past the per-submission
    file and byte limits are then never read."""
    allowed = tuple(s.lower() for s in settings.allowed_suffixes)
    docs, rejected = [], []
    files = list(files)
    limit = max(1, settings.max_upload_files)
    for raw_name, _ in files[limit:]:
        rejected.append(
            InputRejected(safe_name(raw_name), f"more than {limit} files in one upload; not read")
        )
    files = files[:limit]
    total = 0
    for raw_name, content in files:
        name = safe_name(raw_name)
        if _suffix(name) not in allowed:
            rejected.append(
                InputRejected(name, f"file type not allowed (use {', '.join(allowed)})")
            )
            continue
        if total >= settings.max_submission_bytes:
            rejected.append(InputRejected(name, _over_submission(settings)))
            continue
        data = content() if callable(content) else content
        if len(data) > settings.max_file_bytes:
            rejected.append(
                InputRejected(
                    name,
                    f"too large ({len(data):,} bytes; the limit is "
                    f"{settings.max_file_bytes:,} bytes)",
                )
            )
        elif total + len(data) > settings.max_submission_bytes:
            rejected.append(InputRejected(name, _over_submission(settings)))
            total = settings.max_submission_bytes
        elif not data.strip():
            rejected.append(InputRejected(name, "empty file"))
        else:
            total += len(data)
            digest = hashlib.sha256(data).hexdigest()[:10]
            docs.append(
                RawDocument(
                    name=safe_name(f"upload-{digest}-{name}"),
                    data=bytes(data),
                    published=_published(published),
                    outlet=_clean(outlet),
                    title=_clean(title) if len(files) == 1 else None,
                )
            )
    return Prepared(docs, rejected)


def _over_submission(settings: Settings) -> str:
    return (
        f"the files of one submission may total at most {settings.max_submission_bytes:,} "
        "bytes; not read (send it separately)"
    )


def from_text(
    text: str,
    *,
    settings: Settings,
    title: str | None = None,
    published: object = None,
    outlet: str | None = None,
    url: str | None = None,
) -> Prepared:
    data = (text or "").encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:10]
    name = f"pasted-{digest}.txt"
    if not data.strip():
        return Prepared([], [InputRejected("pasted text", "nothing was pasted")])
    if len(data) > settings.max_file_bytes:
        return Prepared(
            [],
            [
                InputRejected(
                    "pasted text",
                    f"too long ({len(data):,} bytes; the limit is {settings.max_file_bytes:,})",
                )
            ],
        )
    doc = RawDocument(
        name=name,
        data=data,
        published=_published(published),
        outlet=_clean(outlet),
        url=_clean(url),
        title=_clean(title),
    )
    return Prepared([doc], [])


def fetch_url(
    url: str,
    *,
    settings: Settings,
    title: str | None = None,
    published: object = None,
    outlet: str | None = None,
) -> Prepared:
    """Download one public web page (strikes.fetch: public addresses only, size and time
    limits) as a document; anything else is a rejection with a plain reason."""
    try:
        got = fetch(url, settings=settings)
    except InputRejected as exc:
        return Prepared([], [exc])
    u = got.url
    host = urllib.parse.urlsplit(u).hostname or "page"
    ctype = got.content_type
    low = ctype.lower()
    if low and not any(
        t in low for t in ("text/html", "text/plain", "application/xhtml", "text/markdown")
    ):
        kind = _clean(low.split(";", 1)[0]) or "unknown"
        return Prepared([], [InputRejected(u, f"not an article page (content type {kind})")])
    suffix = ".txt" if "text/plain" in low else ".md" if "markdown" in low else ".html"
    path_name = PurePosixPath(urllib.parse.urlsplit(u).path).name
    name = safe_name((PurePosixPath(path_name).stem or host) + suffix)
    doc = RawDocument(
        name=name,
        data=got.data,
        published=_published(published),
        outlet=_clean(outlet) or host,
        url=u,
        title=_clean(title),
    )
    return Prepared([doc], [])
