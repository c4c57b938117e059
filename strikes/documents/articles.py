"""The articles stage: raw documents -> clean articles with trustworthy metadata + sentences.

    load_articles(paths, manifest=...)  files and folders (+ manifest.csv) -> ArticleBatch
    load_documents(docs)                in-memory uploads / pasted text  -> ArticleBatch

Per document: decode (decode.py) -> HTML main text (htmltext.py) or the plain text itself ->
inline dateline and social-link rows cut -> boilerplate cut (boilerplate.py) -> title ->
broken lines re-joined -> cleaned `text` (paragraphs separated by a blank line) -> sentence
spans (sentences.py).  Then, over the batch: exact duplicates dropped (reported), near-
duplicates grouped and undated members dated from their group (neardup.py).

Publication date precedence: manifest (curated; also the `published` of a RawDocument) >
document (inline dateline) > html-metadata > near-duplicate > unknown.

Every cut is kept in `removed` as {"text", "reason", "start", "end"}; offsets are into the
decoded document (for HTML: into the text extracted from the markup).
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from strikes.documents import boilerplate as bp
from strikes.documents.decode import clean_unicode, decode_bytes
from strikes.documents.htmltext import (
    count_elements,
    declared_charset,
    extract_html,
    looks_like_html,
)
from strikes.documents.metadata import (
    MANIFEST_NAME,
    ManifestEntry,
    guess_language,
    match_dateline,
    outlet_from_signals,
    parse_date,
    read_manifest,
    title_from_paragraph,
)
from strikes.documents.neardup import Member, find_groups, resolve_groups
from strikes.documents.sentences import split_sentences
from strikes.errors import InputRejected
from strikes.schema import ARTICLES, SENTENCES, conform, empty_frame
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.speed.gcpause import batch_gc

__all__ = ["ArticleBatch", "RawDocument", "load_articles", "load_documents"]

HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
# A first line longer than this is a lede paragraph, not a headline.
TITLE_LINE_MAX = 200


@dataclass(frozen=True)
class RawDocument:
    """One document to load: a file's bytes, an upload, or pasted text (encoded)."""

    name: str
    data: bytes
    published: str | None = None  # YYYY-MM-DD, curated (counts as source "manifest")
    outlet: str | None = None
    url: str | None = None
    title: str | None = None

    @classmethod
    def with_entry(cls, name: str, data: bytes, entry: object | None) -> RawDocument:
        """A document with the metadata of its manifest row (`entry`, or none)."""
        return cls(
            name=name,
            data=data,
            published=getattr(entry, "published", None),
            outlet=getattr(entry, "outlet", None),
            url=getattr(entry, "url", None),
            title=getattr(entry, "title", None),
        )


@dataclass(frozen=True)
class ArticleBatch:
    articles: pd.DataFrame  # schema.ARTICLES
    sentences: pd.DataFrame  # schema.SENTENCES
    rejections: list[InputRejected] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Public entry points.


def load_documents(
    docs: Sequence[RawDocument], *, settings: Settings = DEFAULT_SETTINGS
) -> ArticleBatch:
    return _load(list(docs), [], settings)


def load_articles(
    paths: Sequence[str | Path],
    *,
    manifest: Path | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ArticleBatch:
    """Load files and folders (recursively; hidden entries skipped).

    A `manifest.csv` inside a given folder, or beside a file given by name, applies
    automatically (for a file given by name, only its own rows are checked and reported); an
    explicit `manifest` wins over those.  Files with other suffixes are skipped silently
    inside folders and rejected when named explicitly.  A path that does not exist is
    rejected; the other inputs are still loaded.
    """
    docs, rejections = read_documents(paths, manifest=manifest, settings=settings)
    return _load(docs, rejections, settings)


def read_documents(
    paths: Sequence[str | Path],
    *,
    manifest: Path | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> tuple[list[RawDocument], list[InputRejected]]:
    """The files `load_articles` would load, read (with their manifest metadata), and what
    it would reject on the way; nothing is processed yet (strikes.distributed ships these)."""
    rejections: list[InputRejected] = []
    files: list[tuple[str, Path]] = []
    manifests: list[Path] = []
    seen: set[Path] = set()
    allowed = tuple(s.lower() for s in settings.allowed_suffixes)

    def add(label: str, path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append((label, path))

    # manifest.csv beside files named one by one: resolved path -> (path as given, files)
    sibling: dict[Path, tuple[Path, set[Path]]] = {}
    for p in paths:
        path = Path(p)
        label = str(p)
        try:
            exists, is_dir = path.exists(), path.is_dir()
        except (OSError, ValueError) as exc:  # unreadable parent, NUL in the name, ...
            rejections.append(InputRejected(label, f"cannot open: {exc}"))
            continue
        if not exists:
            rejections.append(InputRejected(label, "no such file or directory"))
        elif is_dir:
            try:
                children = sorted(path.rglob("*"))
            except OSError as exc:
                rejections.append(InputRejected(label, f"cannot list folder: {exc}"))
                continue
            root = path.resolve()
            for child in children:
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or not child.is_file():
                    continue
                if not child.resolve().is_relative_to(root):
                    continue  # a symlink out of the folder: not part of what was given
                if child.name.lower() == MANIFEST_NAME:
                    manifests.append(child)
                elif child.suffix.lower() in allowed:
                    add(str(child), child)
        elif path.name.lower() == MANIFEST_NAME:
            manifests.append(path)
        elif not path.is_file():
            rejections.append(InputRejected(label, "not a regular file"))
        elif path.suffix.lower() not in allowed:
            rejections.append(
                InputRejected(
                    label,
                    f"unsupported file type {path.suffix or '(none)'!r} "
                    f"(expected {', '.join(allowed)})",
                )
            )
        else:
            add(label, path)
            beside = path.parent / MANIFEST_NAME
            if beside.is_file():
                sibling.setdefault(beside.resolve(), (beside, set()))[1].add(path.resolve())

    entries: dict[Path, ManifestEntry] = {}
    walked = {m.resolve() for m in manifests}
    for key, (mpath, only) in sibling.items():
        if key not in walked:
            found, errors = read_manifest(mpath, max_bytes=settings.max_file_bytes, only=only)
            entries.update(found)
            rejections.extend(errors)
    if manifest is not None:
        mpath = Path(manifest)
        if not mpath.is_file():
            rejections.append(InputRejected(str(manifest), "manifest file not found"))
        elif mpath.resolve() not in walked:
            manifests.append(mpath)
    for mpath in manifests:  # the explicit manifest comes last and so wins
        found, errors = read_manifest(mpath, max_bytes=settings.max_file_bytes)
        entries.update(found)
        rejections.extend(errors)

    docs: list[RawDocument] = []
    for label, path in files:
        try:
            data = _read_file(path, label, settings.max_file_bytes)
        except InputRejected as exc:
            rejections.append(exc)
            continue
        docs.append(RawDocument.with_entry(label, data, entries.get(path.resolve())))
    return docs, rejections


def _read_file(path: Path, label: str, max_bytes: int) -> bytes:
    """Read a file, checking its size before reading it whole."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputRejected(label, _too_big(size, max_bytes))
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputRejected(label, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat()
        raise InputRejected(label, _too_big(len(data), max_bytes))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, over the {limit:,}-byte limit (--max-bytes)"


# --------------------------------------------------------------------------------------------
# One document.


@dataclass
class _Article:
    record: dict
    spans: list[tuple[int, int]]


def _suffix(name: str) -> str:
    """`Path(name).suffix`, without building a Path for a plain file name (the common case)."""
    if "/" in name or name in ("", "."):
        return Path(name).suffix
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _kind(doc: RawDocument, settings: Settings) -> str:
    suffix = _suffix(doc.name).lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix and suffix != ".txt" and suffix in (s.lower() for s in settings.allowed_suffixes):
        return "text"
    if suffix and re.fullmatch(r"\.[a-z][a-z0-9]{0,4}", suffix) and suffix != ".txt":
        raise InputRejected(
            doc.name,
            f"unsupported file type {suffix!r} (expected {', '.join(settings.allowed_suffixes)})",
        )
    return "text"  # .txt, or an upload / pasted text without a suffix (sniffed for HTML)


def _process(doc: RawDocument, settings: Settings, notes: list[InputRejected]) -> _Article:
    name = doc.name
    if len(doc.data) > settings.max_file_bytes:
        raise InputRejected(name, _too_big(len(doc.data), settings.max_file_bytes))
    kind = _kind(doc, settings)
    declared = declared_charset(doc.data) if kind != "markdown" else None
    decoded = decode_bytes(doc.data, source=name, declared=declared)
    if not decoded.text.strip():
        raise InputRejected(name, "no text (whitespace only)")
    if kind == "text" and looks_like_html(decoded.text):
        kind = "html"
    _check_shape(name, decoded.text, kind, settings)

    html_title = html_date = sitename = html_url = None
    if kind == "html":
        page = extract_html(decoded.text, url=doc.url)
        source = page.text
        html_title, html_date, sitename, html_url = (
            page.title,
            page.published,
            page.sitename,
            page.url,
        )
        if not source.strip():
            raise InputRejected(name, "no article text found in the HTML")
    else:
        source = decoded.text

    removed: list[dict] = []
    segs = bp.split_lines(source)
    if kind == "markdown":
        bp.strip_markdown(segs, removed)
    document_date = _cut_dateline(segs, settings.inline_date_window, removed)
    bp.strip_social_runs(segs, removed)
    bp.remove_junk(segs, source, removed)
    title = _cut_title(segs, removed, given=doc.title, html_title=html_title)
    paragraphs = bp.join_paragraphs(segs)
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise InputRejected(name, "no article text left after removing boilerplate")
    removed.sort(key=_BY_OFFSETS)

    published, published_source = None, "unknown"
    manifest_date = None
    if doc.published:
        manifest_date = parse_date(doc.published)
        if manifest_date is None:
            notes.append(
                InputRejected(
                    name, f"invalid published date {doc.published!r} ignored (expected YYYY-MM-DD)"
                )
            )
    for value, src in (
        (manifest_date, "manifest"),
        (document_date, "document"),
        (html_date, "html-metadata"),
    ):
        if value:
            published, published_source = value, src
            break

    outlet = doc.outlet or sitename or outlet_from_signals(text[:400], removed)
    article_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    spans = split_sentences(text)
    record = {
        "article_id": article_id,
        "file": name,
        "title": clean_meta(title),
        "published": published,
        "published_source": published_source,
        "published_ref": None,
        "outlet": clean_meta(outlet),
        "url": clean_meta(doc.url or html_url),
        "duplicate_of": None,
        "dup_group": article_id,
        "language": guess_language(text),
        "encoding": decoded.encoding,
        "text": text,
        "removed": removed,
        "n_sentences": len(spans),
        "n_bytes": len(doc.data),
    }
    return _Article(record, spans)


_BY_OFFSETS = operator.itemgetter("start", "end")  # a cut's sort key


def clean_meta(value: object) -> str | None:
    """A title, outlet or URL cleaned like article text (no control, zero-width or bidi
    override characters) and on one line; None when nothing is left."""
    if not isinstance(value, str):
        return None
    return " ".join(clean_unicode(value).split()) or None


def _check_shape(name: str, text: str, kind: str, settings: Settings) -> None:
    """Reject documents no article looks like before the costly stages see them."""
    if kind == "html":
        limit = settings.max_html_elements
        tags, attrs = count_elements(text, stop=limit + 1)
        if tags > limit or attrs > 4 * limit:
            what = f"{limit:,} elements" if tags > limit else f"{4 * limit:,} attributes"
            raise InputRejected(
                name, f"HTML with over {what}; not an article page (max_html_elements)"
            )
        return
    # Lines as an editor counts them: a final newline ends the last line, it starts none.
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > settings.max_lines:
        raise InputRejected(
            name, f"{lines:,} lines, over the {settings.max_lines:,}-line limit; not an article"
        )


def _cut_dateline(segs: list[bp.Seg], window: int, removed: list[dict]) -> str | None:
    for seg in segs:
        if seg.start > window:
            break
        if not seg.alive:
            continue
        m = match_dateline(seg.text)
        if m:
            bp.cut_prefix(seg, m.end, "dateline", removed)
            return m.date
    return None


_NON_WORD = re.compile(r"\W+")
# On ASCII text \w is [A-Za-z0-9_]: lower-case it and make every other byte a space in one
# bytes.translate; splitting and joining then gives what the regex gives, several times faster.
_ASCII_KEY = bytes(
    b + 32 if 65 <= b <= 90 else b if (48 <= b <= 57 or 97 <= b <= 122 or b == 95) else 32
    for b in range(256)
)


_ASCII_WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_")


def _title_key(s: str) -> str:
    if s.isascii():
        return b" ".join(s.encode("ascii").translate(_ASCII_KEY).split()).decode("ascii")
    s = s.casefold().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _NON_WORD.sub(" ", s).strip()


def _is_heading(line: str) -> bool:
    t = line.rstrip("\"'”’»)] ")
    return 0 < len(line) <= TITLE_LINE_MAX and not t.endswith(".")


def _cut_title(
    segs: list[bp.Seg], removed: list[dict], *, given: str | None, html_title: str | None
) -> str | None:
    """Choose the title; cut a standalone headline line and repeats of it from the text.

    A plain-text document's first line is its headline when it is short and has no final
    period; it then leaves the text.  Otherwise (a lede paragraph) the title is the lede's
    first sentence, cut at a word boundary, and the lede stays in the text.  For HTML the
    page's metadata title is used, and lines repeating it are cut.
    """
    alive = [s for s in segs if s.alive]
    lede = None
    title = given or html_title
    if html_title is None and alive:
        first = alive[0]
        if _is_heading(first.text) and len(alive) > 1:
            bp.remove_seg(first, "title", removed)
            title = title or first.text
        elif title is None:
            lede = first  # the title is made from it: it is not a repeat of the title
            spans = split_sentences(first.text)
            a, b = spans[0] if spans else (0, len(first.text))
            title = title_from_paragraph(first.text[a:b]) or None
    if not title:
        return None
    keys = {_title_key(title)}
    if html_title:
        keys.add(_title_key(html_title))
    firsts = {key[:1] for key in keys}
    for seg in segs:
        if seg is lede or not seg.alive or len(seg.text) > TITLE_LINE_MAX:
            continue
        # A line starting with an ASCII word character has a key starting with it in lower
        # case: no need to build the key when no title key starts that way.
        first = seg.text[:1]
        if first in _ASCII_WORD_CHARS and first.lower() not in firsts:
            continue
        if _title_key(seg.text) in keys:
            bp.remove_seg(seg, "repeated-title", removed)
    if html_title:
        # A page's <h1> often differs from its meta title by a site suffix or a word.
        from rapidfuzz import fuzz

        key = _title_key(html_title)
        for seg in [s for s in segs if s.alive][:3]:
            if _is_heading(seg.text) and fuzz.ratio(_title_key(seg.text), key) >= 85:
                bp.remove_seg(seg, "repeated-title", removed)
    return title


# --------------------------------------------------------------------------------------------
# The batch.


def _load(
    docs: list[RawDocument], rejections: list[InputRejected], settings: Settings
) -> ArticleBatch:
    with batch_gc(settings=settings):
        processed = process_documents(docs, settings=settings)
        # The line caches serve one batch: the later stages and a long-running server keep none.
        bp.clear_caches()
        return assemble(processed, rejections, settings=settings)


# What one document became: (its name, the article or None, the notes and rejections it gave).
Processed = tuple[str, "_Article | None", list[InputRejected]]


def process_documents(
    docs: Sequence[RawDocument], *, settings: Settings = DEFAULT_SETTINGS
) -> list[Processed]:
    """The per-document part of the articles stage (independent per document)."""
    out: list[Processed] = []
    for doc in docs:
        notes: list[InputRejected] = []
        art: _Article | None = None
        try:
            art = _process(doc, settings, notes)
        except InputRejected as exc:
            notes.append(exc)
        # One odd document must never sink a batch (nor print a traceback): whatever a
        # third-party parser raises on it becomes a rejection naming the file.
        except Exception as exc:  # noqa: BLE001
            notes.append(
                InputRejected(doc.name, f"could not be processed ({type(exc).__name__}: {exc})")
            )
        out.append((doc.name, art, notes))
    return out


def assemble(
    processed: Sequence[Processed],
    rejections: list[InputRejected],
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> ArticleBatch:
    """The batch part of the articles stage: duplicates, near-duplicate groups, the frames."""
    articles: list[_Article] = []
    first_file: dict[str, str] = {}
    by_id: dict[str, _Article] = {}
    for name, art, notes in processed:
        rejections.extend(notes)
        if art is None:
            continue
        aid = art.record["article_id"]
        if aid in first_file:
            kept = by_id[aid].record
            _merge_metadata(kept, art.record)
            rejections.append(
                InputRejected(
                    name,
                    f"same text as {first_file[aid]} (article {aid}); loaded once",
                )
            )
            continue
        first_file[aid] = name
        by_id[aid] = art
        articles.append(art)

    _group_near_duplicates(articles, settings)

    # conform builds the frame from the records a column at a time (no object frame first).
    frame = conform([a.record for a in articles], ARTICLES)
    return ArticleBatch(articles=frame, sentences=_sentence_frame(articles), rejections=rejections)


def _sentence_frame(articles: list[_Article]) -> pd.DataFrame:
    """schema.SENTENCES of the articles, built a column at a time in its final dtypes (an
    object frame converted afterwards costs three times as much): only the sentence texts
    are converted one by one; the ids, indices and offsets are repeated or copied in C."""
    ids: list[str] = []
    counts: list[int] = []
    spans: list[list[tuple[int, int]]] = []
    texts: list[str] = []
    for art in articles:
        if art.spans:
            text = art.record["text"]
            ids.append(art.record["article_id"])
            counts.append(len(art.spans))
            spans.append(art.spans)
            texts.extend([text[a:b] for a, b in art.spans])
    if not texts:
        return empty_frame(SENTENCES)
    n = np.array(counts, dtype=np.int64)
    chain = itertools.chain.from_iterable
    offsets = np.fromiter(chain(chain(spans)), dtype=np.int64, count=2 * len(texts))
    columns = {
        "article_id": _STRING.__from_arrow__(
            pa.array(ids, type=pa.large_string()).take(np.repeat(np.arange(len(ids)), n))
        ),
        "sent_idx": _int64(np.arange(len(texts), dtype=np.int64) - np.repeat(n.cumsum() - n, n)),
        "start": _int64(offsets[0::2].copy()),
        "end": _int64(offsets[1::2].copy()),
        "text": _STRING.__from_arrow__(pa.array(texts, type=pa.large_string())),
    }
    return pd.DataFrame(columns, copy=False)


_STRING = pd.api.types.pandas_dtype("string")  # as schema.conform makes it


def _int64(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An Int64 array of int64 values, none missing (wraps `values`, no copy)."""
    return pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=np.bool_))


_DATE_RANK = {"manifest": 0, "document": 1, "html-metadata": 2, "unknown": 9}


def _merge_metadata(kept: dict, dup: dict) -> None:
    """A second copy of the same text may know more (a manifest date, an outlet): keep it."""
    if _DATE_RANK.get(dup["published_source"], 9) < _DATE_RANK.get(kept["published_source"], 9):
        kept["published"] = dup["published"]
        kept["published_source"] = dup["published_source"]
    for key in ("outlet", "url", "title"):
        if not kept[key] and dup[key]:
            kept[key] = dup[key]


def _group_near_duplicates(articles: list[_Article], settings: Settings) -> None:
    if len(articles) < 2:
        return
    groups = find_groups([a.record["text"] for a in articles], settings=settings)
    if not groups:
        return
    # Only grouped articles change: an article alone keeps its own id as group, no
    # duplicate_of and its own date (fresh records never hold an inherited date).
    grouped = [articles[i] for group in groups for i in group]
    members = [
        Member(
            article_id=a.record["article_id"],
            text_len=len(a.record["text"]),
            published=a.record["published"],
            published_source=a.record["published_source"],
        )
        for a in grouped
    ]
    ends = itertools.accumulate(map(len, groups))  # of each group in `members`
    local = [list(range(end - len(g), end)) for g, end in zip(groups, ends, strict=True)]
    resolve_groups(members, local)
    for a, m in zip(grouped, members, strict=True):
        a.record.update(
            published=m.published,
            published_source=m.published_source,
            published_ref=m.published_ref,
            duplicate_of=m.duplicate_of,
            dup_group=m.dup_group,
        )
