"""HTML -> main text and metadata (title, publication date, site name, canonical URL).

trafilatura does the main-text extraction and reads the metadata (OpenGraph, article:*,
JSON-LD, Dublin Core).  Its date search is restricted to the page's markup
(`extensive_search=False`), so a date only mentioned in the body is not taken for the
publication date.  If trafilatura is unavailable, fails, or finds no text, a small stdlib
extractor takes over: it drops script/style/nav/header/footer/aside/form and friends, keeps
block structure as lines, and reads the same metadata tags.  Either way, scripts and styles
never reach the text.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from strikes.documents.metadata import parse_date

__all__ = ["HtmlDoc", "count_elements", "declared_charset", "extract_html", "looks_like_html"]

# trafilatura reports unusable pages through logging; without a handler Python's last-resort
# handler would print those warnings on stderr in the middle of the CLI output.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("htmldate").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class HtmlDoc:
    text: str  # main text, one paragraph per line
    title: str | None
    published: str | None  # YYYY-MM-DD from the page's metadata
    sitename: str | None
    url: str | None
    extractor: str  # "trafilatura" or "fallback"


_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|article|"
    r"meta|title|p|div)[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag (first 4 KB), if any."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


_ELEMENT_START = re.compile(r"<[A-Za-z]")
_ATTRIBUTE = re.compile(r"=\s*[\"']")


def count_elements(html: str, *, stop: int | None = None) -> tuple[int, int]:
    """(start tags, quoted attribute values) in `html`, each counted up to `stop` and
    `4 * stop`: upper bounds ("<a" in a script counts too).  Linear, cheap next to parsing;
    the parsers' memory grows with both (~1 KB per attribute)."""
    from itertools import islice

    tags = sum(1 for _ in islice(_ELEMENT_START.finditer(html), stop))
    attrs = sum(1 for _ in islice(_ATTRIBUTE.finditer(html), None if stop is None else 4 * stop))
    return tags, attrs


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2048]))


def extract_html(html: str, *, url: str | None = None) -> HtmlDoc:
    doc = _with_trafilatura(html, url)
    if doc is not None and doc.text.strip():
        if doc.title and doc.published and doc.sitename:
            return doc
        # Fill metadata trafilatura did not find from our own reading of the tags.
        meta = _Fallback.parse(html).meta
        return HtmlDoc(
            text=doc.text,
            title=doc.title or meta.title,
            published=doc.published or meta.published,
            sitename=doc.sitename or meta.sitename,
            url=doc.url or meta.url or url,
            extractor=doc.extractor,
        )
    parsed = _Fallback.parse(html)
    meta = parsed.meta
    if doc is not None:  # trafilatura found metadata but no text
        meta = _Meta(
            title=doc.title or meta.title,
            published=doc.published or meta.published,
            sitename=doc.sitename or meta.sitename,
            url=doc.url or meta.url,
        )
    return HtmlDoc(
        text=parsed.text,
        title=meta.title,
        published=meta.published,
        sitename=meta.sitename,
        url=meta.url or url,
        extractor="fallback",
    )


_TRAFILATURA: object = None


def _trafilatura():
    global _TRAFILATURA
    if _TRAFILATURA is None:
        try:
            import trafilatura
        except ImportError:  # missing optional dependency (e.g. lxml_html_clean): fall back
            _TRAFILATURA = False
        else:
            _TRAFILATURA = trafilatura
    return _TRAFILATURA or None


def _with_trafilatura(html: str, url: str | None) -> HtmlDoc | None:
    traf = _trafilatura()
    if traf is None:
        return None
    try:
        result = traf.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    # trafilatura and lxml fail in many ways on hostile markup (ValueError, lxml errors,
    # RecursionError...); any of them means "use the fallback", never a crash.
    except Exception:  # noqa: BLE001
        return None
    if result is None:
        return None
    get = result.get if isinstance(result, dict) else lambda k: getattr(result, k, None)
    text = get("text") or ""
    date = get("date")
    return HtmlDoc(
        text=_normalise_text(text),
        title=_clean(get("title")),
        published=parse_date(date) if isinstance(date, str) and date else None,
        sitename=_clean(get("sitename")),
        url=_clean(get("url")),
        extractor="trafilatura",
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    v = re.sub(r"\s+", " ", html_lib.unescape(value)).strip()
    return v or None


def _normalise_text(text: str) -> str:
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------------------------
# The stdlib fallback.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIP = _words(
    """script style noscript template svg math iframe object embed canvas nav header footer aside
    form button select option textarea label figure figcaption head video audio picture dialog
    menu"""
)
_BLOCK = _words(
    """p div br li ul ol h1 h2 h3 h4 h5 h6 article section main blockquote pre tr table dd dt
    hr address center"""
)
_VOID = _words("area base br col embed hr img input link meta param source track wbr")
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publish-date",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


@dataclass(frozen=True)
class _Meta:
    title: str | None = None
    published: str | None = None
    sitename: str | None = None
    url: str | None = None


class _Fallback(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.skip_stack: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title_parts: list[str] = []
        self.in_title = False
        self.h1: list[str] = []
        self.in_h1 = False
        self.in_ld = False
        self.ld_parts: list[str] = []

    @classmethod
    def parse(cls, html: str) -> _Parsed:
        p = cls()
        if _feed_with_lxml(p, html):
            return p.result()
        try:
            p.feed(html)
            p.close()
        except (AssertionError, ValueError):  # malformed markup: keep what was read
            pass
        return p.result()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.canonical = a.get("href")
            return
        if tag == "title":
            self.in_title = True
            return
        if tag == "script" and "ld+json" in a.get("type", "").lower():
            self.in_ld = True
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip_stack.append(tag)
            return
        if tag == "h1" and not self.skip_stack:
            self.in_h1 = True
        if tag in _BLOCK and not self.skip_stack:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if tag == "script":
            self.in_ld = False
        if self.skip_stack:
            if tag in self.skip_stack:
                while self.skip_stack and self.skip_stack.pop() != tag:
                    pass
            return
        if tag == "h1":
            self.in_h1 = False
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.in_ld:
            self.ld_parts.append(data)
            return
        if self.skip_stack:
            return
        if self.in_h1:
            self.h1.append(data)
        self.parts.append(data)

    def result(self) -> _Parsed:
        m = self.meta
        published = None
        for key in _DATE_META:
            if m.get(key):
                published = parse_date(m[key][:25].strip()) or published
                if published:
                    break
        if published is None:
            ld = _LD_DATE.search("".join(self.ld_parts))
            if ld:
                published = parse_date(ld.group(1)[:25])
        if published is None:
            for raw in self.ld_parts:
                try:
                    data = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("datePublished"), str):
                    published = parse_date(data["datePublished"][:25])
        title = (
            _clean(m.get("og:title"))
            or _clean("".join(self.h1))
            or _clean("".join(self.title_parts))
        )
        meta = _Meta(
            title=title,
            published=published,
            sitename=_clean(m.get("og:site_name") or m.get("application-name")),
            url=_clean(m.get("og:url") or self.canonical),
        )
        return _Parsed(text=_normalise_text("".join(self.parts)), meta=meta)


def _feed_with_lxml(p: _Fallback, html: str) -> bool:
    """Drive `p`'s handlers from lxml's HTML parser (C, linear); False when lxml is missing.

    Python 3.11's html.parser is quadratic on unclosed comments and tags ("<!--" or '<a b="'
    repeated: hours for a 5 MB page); libxml2 reads the same hostile markup in milliseconds and
    recovers from broken markup the way browsers do.
    """
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a runtime requirement
        return False

    class _Target:
        def start(self, tag: object, attrib: dict) -> None:
            if isinstance(tag, str):
                p.handle_starttag(tag.lower(), list(attrib.items()))

        def end(self, tag: object) -> None:
            if isinstance(tag, str) and tag.lower() not in _VOID:
                p.handle_endtag(tag.lower())

        def data(self, data: str) -> None:
            p.handle_data(data)

        def close(self) -> None:
            return None

    parser = etree.HTMLParser(target=_Target(), recover=True, no_network=True)
    try:
        parser.feed(html)
        parser.close()
    except (etree.LxmlError, ValueError):  # what was read so far is kept
        pass
    return True


@dataclass(frozen=True)
class _Parsed:
    text: str
    meta: _Meta
