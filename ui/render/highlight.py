"""Escaped HTML of article text with the extracted spans highlighted.

Every piece of text that came from a document (article text, sentences, titles, outlets) is
passed through `html.escape` before it is put between tags; the only markup in the output is
the <mark>/<span> tags written here.  Offsets are character offsets into the cleaned article
text; spans that overlap are clipped so the marks never nest.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from ui.render.theme import SPAN_LABELS, SPAN_STYLES

_DEFAULT_STYLE = ("#EEEEEE", "2px solid #777777")


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL with a host and nothing to break out of an
    attribute with; else None (a javascript: or data: URL is never linked)."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not u or any(c.isspace() or ord(c) < 32 or c in "<>\"'`" for c in u):
        return None
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return u


def link(text: object, url: object) -> str:
    """`text` as a link to `url` opened in a new tab without giving it this page (rel
    noopener noreferrer); escaped plain text when the URL is not a safe http(s) one."""
    href = safe_url(url)
    if href is None:
        return esc(text)
    return (
        f'<a href="{html.escape(href, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">{esc(text)}</a>'
    )


def esc(text: object) -> str:
    """HTML-escaped text (quotes too); None -> ""."""
    return "" if text is None else html.escape(str(text), quote=True)


def _clean_spans(spans: Iterable[Mapping], *, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) runs within [lo, hi).

    Where spans overlap, the shorter (more specific) one wins its characters and the longer
    one keeps the rest: "550 drones" (weapon) around "550" (number) becomes "550" + "drones".
    Marks never nest; whitespace at the edges of a run is left unmarked.
    """
    parsed = []
    for s in spans:
        try:
            start, end = int(s["start"]), int(s["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(start, lo), min(end, hi)
        if end > start:
            parsed.append((end - start, start, end, str(s.get("label") or "number")))
    if not parsed:
        return []
    parsed.sort()
    first = min(p[1] for p in parsed)
    owner: list[str | None] = [None] * (max(p[2] for p in parsed) - first)
    for _, start, end, label in parsed:
        for i in range(start - first, end - first):
            if owner[i] is None:
                owner[i] = label
    runs: list[tuple[int, int, str]] = []
    i = 0
    while i < len(owner):
        label = owner[i]
        j = i + 1
        while j < len(owner) and owner[j] == label:
            j += 1
        if label is not None:
            runs.append((first + i, first + j, label))
        i = j
    return runs


def mark(text: str, label: str) -> str:
    bg, underline = SPAN_STYLES.get(label, _DEFAULT_STYLE)
    name = SPAN_LABELS.get(label, label)
    return (
        f'<mark class="st-span st-span-{esc(label)}" title="{esc(name)}" '
        f'style="background:{bg};border-bottom:{underline};padding:0 2px;border-radius:2px;'
        f'color:inherit">{esc(text)}</mark>'
    )


def highlight(
    text: str,
    spans: Iterable[Mapping],
    *,
    offset: int = 0,
    start: int | None = None,
    end: int | None = None,
) -> str:
    """HTML of ``text[start:end]`` (offsets relative to ``offset``) with the spans marked.

    ``text`` is the piece of the article that starts at article offset ``offset`` (the whole
    cleaned text with offset 0, or one sentence with offset = its start); span offsets are
    article offsets.  Spans outside the piece are ignored.
    """
    text = "" if text is None else str(text)
    lo = offset if start is None else max(start, offset)
    hi = offset + len(text) if end is None else min(end, offset + len(text))
    parts: list[str] = []
    pos = lo
    for s, e, label in _clean_spans(spans, lo=lo, hi=hi):
        piece = text[s - offset : e - offset]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if lead == len(piece):
            continue  # only whitespace
        s2, e2 = s + lead, e - trail
        parts.append(esc(text[pos - offset : s2 - offset]))
        parts.append(mark(text[s2 - offset : e2 - offset], label))
        pos = e2
    parts.append(esc(text[pos - offset : hi - offset]))
    return "".join(parts)


def legend_html(labels: Iterable[str] = ("number", "casualty", "place", "weapon")) -> str:
    items = " ".join(mark(SPAN_LABELS.get(lab, lab), lab) for lab in labels)
    return f'<div style="font-size:0.85rem;margin:0.2rem 0 0.6rem 0">Highlighted: {items}</div>'


def text_block(inner_html: str, *, max_height: str | None = None) -> str:
    """A block that keeps the text's line breaks (pre-wrap) around already-escaped HTML."""
    scroll = f"max-height:{max_height};overflow-y:auto;" if max_height else ""
    return (
        '<div class="st-article" style="white-space:pre-wrap;line-height:1.6;'
        "font-size:0.95rem;border:1px solid rgba(128,128,128,0.3);border-radius:6px;"
        f'padding:0.75rem 1rem;{scroll}">{inner_html}</div>'
    )
