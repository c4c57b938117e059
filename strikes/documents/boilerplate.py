"""Cutting what a reader skips: page chrome, promos, appended stories.

The document is handled as a list of lines (`Seg`), each knowing its offsets in the decoded text
so every cut can be recorded as {"text", "reason", "start", "end"}.  Three kinds of cuts:

1. Trailing sections.  A *section marker* line ("Related Articles", "Comments", "Most read",
   "Recommended", "Hashtags", a copyright line, ...) that follows real body text starts page
   furniture that runs to the end of the document: everything from it on is cut, as one block
   per marker (so the reasons say "comments", "related", ...).  This is what removes appended
   stories wholesale, whatever they say.  Markers that could also be a story's subheading
   ("Latest", "Discussion", "Topics") cut only when headline-like lines or junk follow them.
2. Junk lines anywhere: advertisements, social-link rows, app/newsletter promos, image alt
   text ("logo", "Orange background"), bylines and agency credits, photo captions, reading
   times, breadcrumbs.
3. Link lists: a "Read more" / "See also" line and the headline-like lines right after it.

Patterns are matched against a normalised line (lower case, bullets and trailing colons
stripped), and only short lines are candidates, so a body paragraph is never cut by a
pattern that happens to occur inside it.

Then `join_paragraphs` re-joins lines broken mid-sentence and returns one string per paragraph.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from strikes.speed.fastmatch import LiteralGate

__all__ = [
    "Seg",
    "cut_prefix",
    "join_paragraphs",
    "line_reason",
    "remove_junk",
    "remove_seg",
    "section_reason",
    "split_lines",
    "strip_markdown",
    "strip_social_runs",
]

# Lines longer than this are body text, never junk (the longest junk seen is a copyright or
# caption line of a few hundred characters).
MAX_JUNK_LINE = 400


@dataclass(slots=True)
class Seg:
    """One line of the source text (offsets exclude surrounding whitespace)."""

    start: int
    end: int
    text: str  # what goes into the cleaned text (differs from the source only for markdown)
    blank: bool = False  # an empty line in the source (a paragraph break)
    alive: bool = True  # still part of the article
    exact: bool = True  # text == source[start:end] (offsets of partial cuts are exact)


class _BlankSeg(Seg):
    """The one Seg of every blank line (a paragraph break: no text, so nothing is ever cut
    from it or reported at its offsets).  Building a Seg costs more than splitting and
    stripping its line, and half the lines of a page are blank; shared, it must never
    change, so setting an attribute raises."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"the shared blank-line Seg is never changed ({name})")


def _blank_seg() -> _BlankSeg:
    template = Seg(0, 0, "", True, False)  # what every blank line used to get (offsets aside)
    blank = _BlankSeg.__new__(_BlankSeg)
    for name in Seg.__slots__:
        object.__setattr__(blank, name, getattr(template, name))
    return blank


BLANK = _blank_seg()


# Furniture lines ("Advertisement", share rows, copyright) and syndicated paragraphs recur across
# a corpus; a line's class depends on its text alone, so each distinct line is classified once.
LINE_CACHE_SIZE = 1 << 14


def clear_caches() -> None:
    """Forget the cached line classes (the articles stage calls this after each batch)."""
    _classify.cache_clear()
    is_social_row.cache_clear()


def split_lines(text: str) -> list[Seg]:
    segs: list[Seg] = []
    append = segs.append
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            # Most lines have no leading whitespace: no lstrip() copy needed for them.
            a = pos if stripped[0] == line[0] else pos + len(line) - len(line.lstrip())
            append(Seg(a, a + len(stripped), stripped))
        else:
            append(BLANK)  # a paragraph break, not text
        pos += len(line) + 1
    return segs


def remove_seg(seg: Seg, reason: str, removed: list[dict]) -> None:
    if seg.alive:
        removed.append({"text": seg.text, "reason": reason, "start": seg.start, "end": seg.end})
        seg.alive = False


def cut_prefix(seg: Seg, length: int, reason: str, removed: list[dict]) -> None:
    """Cut the first `length` characters of a line (a dateline, a row of social links)."""
    piece = seg.text[:length].strip()
    if not piece:
        return
    start = seg.start
    end = seg.start + length if seg.exact else seg.end
    removed.append({"text": piece, "reason": reason, "start": start, "end": end})
    rest = seg.text[length:]
    stripped = rest.lstrip()
    seg.start = (seg.start + length + len(rest) - len(stripped)) if seg.exact else seg.start
    seg.text = stripped.rstrip()
    if not seg.text:
        seg.alive = False


def cut_suffix(seg: Seg, length: int, reason: str, removed: list[dict]) -> None:
    """Cut the last `length` characters of a line."""
    keep = len(seg.text) - length
    piece = seg.text[keep:].strip()
    if not piece:
        return
    start = seg.start + keep if seg.exact else seg.start
    removed.append({"text": piece, "reason": reason, "start": start, "end": seg.end})
    seg.text = seg.text[:keep].rstrip()
    if seg.exact:
        seg.end = seg.start + len(seg.text)
    if not seg.text:
        seg.alive = False


# --------------------------------------------------------------------------------------------
# Markdown (.md): keep the words, drop the markup.

_MD_HEADING = re.compile(r"^#{1,6}\s+|\s+#+$")
_MD_QUOTE = re.compile(r"^(?:>\s?)+")
_MD_BULLET = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")


def strip_markdown(segs: list[Seg], removed: list[dict]) -> None:
    for seg in segs:
        if not seg.alive:
            continue
        t = seg.text
        if _MD_RULE.match(t):
            remove_seg(seg, "markup", removed)
            continue
        if _MD_IMAGE.fullmatch(t):
            remove_seg(seg, "image", removed)
            continue
        new = _MD_HEADING.sub("", t)
        new = _MD_QUOTE.sub("", new)
        new = _MD_BULLET.sub("", new)
        new = _MD_IMAGE.sub("", new)
        new = _MD_LINK.sub(r"\1", new)
        new = _MD_EMPH.sub(r"\2", new)
        new = new.strip()
        if new != t:
            seg.text = new
            seg.exact = False
            if not new:
                seg.alive = False


# --------------------------------------------------------------------------------------------
# Social-link rows ("Facebook Instagram Twitter Youtube").

_SOCIAL_NETWORKS = {
    "facebook",
    "instagram",
    "twitter",
    "x",
    "youtube",
    "linkedin",
    "tiktok",
    "telegram",
    "whatsapp",
    "pinterest",
    "reddit",
    "flipboard",
    "messenger",
    "threads",
    "bluesky",
    "vk",
    "vkontakte",
    "snapchat",
    "tumblr",
    "mastodon",
    "rss",
}
_SOCIAL_OTHER = {"email", "e-mail", "mail", "print", "share", "copy", "link", "sms", "comment"}
_SOCIAL_TOKEN = re.compile(r"[^\s|·•/,]+")


def _social_run(text: str, *, from_end: bool = False) -> int:
    """Length of the leading (or trailing) run of social-link words, 0 if fewer than 3."""
    tokens = list(_SOCIAL_TOKEN.finditer(text))
    if from_end:
        tokens.reverse()
    count = 0
    networks = 0
    edge = 0
    for m in tokens:
        word = m.group().lower().strip(".:")
        if word in _SOCIAL_NETWORKS:
            networks += 1
        elif word not in _SOCIAL_OTHER:
            break
        count += 1
        edge = m.start() if from_end else m.end()
    if count < 3 or networks < 2:
        return 0
    return len(text) - edge if from_end else edge


def _starts_social(text: str) -> bool:
    """Is the first word of `text` a social-network or sharing word?"""
    first = text[:16].split(maxsplit=1)
    return bool(first) and _social_word(first[0])


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def is_social_row(text: str) -> bool:
    if not _starts_social(text):
        return False
    tokens = _SOCIAL_TOKEN.findall(text)
    if len(tokens) < 2 or len(text) > 200:
        return False
    words = [t.lower().strip(".:") for t in tokens]
    return all(w in _SOCIAL_NETWORKS or w in _SOCIAL_OTHER for w in words) and any(
        w in _SOCIAL_NETWORKS for w in words
    )


_SOCIAL_WORDS = frozenset(_SOCIAL_NETWORKS | _SOCIAL_OTHER)
_SOCIAL_STRIP = ".:|·•,"


def _social_word(word: str) -> bool:
    return word.lower().strip(_SOCIAL_STRIP) in _SOCIAL_WORDS


def _social_ends(t: str) -> tuple[bool, bool]:
    """Are the first and the last word of `t` social-network or sharing words?"""
    head = t[:16].split(maxsplit=1)
    tail = t[-16:].rsplit(maxsplit=1)
    return (
        bool(head) and head[0].lower().strip(_SOCIAL_STRIP) in _SOCIAL_WORDS,
        bool(tail) and tail[-1].lower().strip(_SOCIAL_STRIP) in _SOCIAL_WORDS,
    )


def strip_social_runs(segs: list[Seg], removed: list[dict]) -> None:
    """Cut social-link rows, whole or at the start/end of a line with body text."""
    for seg in segs:
        if not seg.alive or len(seg.text) > 2000:
            continue
        t = seg.text
        # A cheap look at the first and last words before tokenising the line, cached with
        # the line's class (remove_junk then finds the class of the same line in the cache).
        _, _, _, at_start, at_end = _classify(t)
        if not (at_start or at_end):
            continue
        if is_social_row(t):
            remove_seg(seg, "social-links", removed)
            continue
        n = _social_run(t) if at_start else 0
        if n:
            cut_prefix(seg, n, "social-links", removed)
        if seg.alive and at_end:
            n = _social_run(seg.text, from_end=True)
            if n:
                cut_suffix(seg, n, "social-links", removed)


# --------------------------------------------------------------------------------------------
# Classifying lines.


_SPACES = re.compile(r"\s+")
# What the regex `\s` matches (tests/unit/test_articles_fastpaths.py checks it over all of Unicode):
# strip() with these characters does what re.sub of r"^[\s\-–—•·*>#|]+" and r"[\s:.…|>»›]+$"
# did, but looks at the ends of the line only (the failing search tried every position).
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NORM_LEAD_CHARS = _WHITESPACE + "-–—•·*>#|"
_NORM_TRAIL_CHARS = _WHITESPACE + ":.…|>»›"


def _norm(text: str) -> str:
    t = text.strip().lower()
    if not t.isascii():
        t = t.replace("’", "'").replace("‘", "'")
    t = t.lstrip(_NORM_LEAD_CHARS).rstrip(_NORM_TRAIL_CHARS)
    return _SPACES.sub(" ", t) if "  " in t or "\t" in t else t


def _combine(table: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One anchored regex with a named group per reason (one match instead of a loop)."""
    names = {f"g{i}": reason for i, (reason, _) in enumerate(table)}
    body = "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(table))
    return re.compile(rf"^(?:{body})$"), names


def _match_reason(combined: tuple[re.Pattern[str], dict[str, str]], t: str) -> str | None:
    pattern, names = combined
    m = pattern.match(t)
    return names[m.lastgroup] if m and m.lastgroup else None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _alternation(words: str) -> str:
    return "|".join(w.strip() for w in words.strip().splitlines() if w.strip())


# Section markers: the whole (normalised) line is one of these.
_SECTIONS = _combine(
    (
        (
            "related",
            _alternation(r"""
            related(?: articles?| stories| news| content| coverage| posts| reading)?
            related (?:links|topics|videos)
            more (?:related )?(?:stories|news|articles|videos|to read|on this (?:story|topic))
            more from [\w'&.\- ]{2,40}
            other news|also on [\w'&.\- ]{2,30}|around the web|from (?:our|the) partners?
            read next|what to read next|up next|watch next|next up
            you (?:may|might) (?:also )?(?:like|enjoy)|you (?:may|might) (?:also )?be interested in
            recommended(?: for you| stories| articles| reading| videos)?
            editor'?s'? picks?|top stories|latest (?:news|stories|headlines)|latest
            most (?:read|popular|viewed|shared|watched)(?: stories| articles| today| now)?
            popular (?:now|stories|today)|trending(?: now| stories| today)?
            don't miss|in case you missed it|sponsored stories|promoted stories|more videos
            """),
        ),
        (
            "comments",
            _alternation(r"""
            comments?|\d+ comments?|discussion|no comments(?: yet)?|be the first to comment
            leave a (?:comment|reply)|join the (?:conversation|discussion)
            (?:show|view|add|post|read) (?:a |all )?comments?|comments are closed
            """),
        ),
        ("hashtags", r"hashtags?|tags|topics|filed under|categories|keywords"),
        ("ai-promo", r"try our ai features?|explore what .{1,40} ai can do for you"),
    )
)
# Prefix markers: "Tags: Ukraine, Russia", "Filed under: World".
_SECTION_PREFIX = re.compile(r"^(?:tags|topics|filed under|hashtags|keywords)\s*:\s*\S")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.IGNORECASE)


def section_reason(text: str) -> str | None:
    """The reason a line starts a trailing junk section, or None."""
    if len(text) > MAX_JUNK_LINE:
        return None
    if _COPYRIGHT.search(text):
        return "copyright"
    return _section_reason(_norm(text))


def _section_reason(t: str) -> str | None:
    if len(t) > 80:
        return None
    reason = _match_reason(_SECTIONS, t)
    if reason is None and _SECTION_PREFIX.match(t):
        return "hashtags"
    return reason


_LINE_EXACT = _combine(
    (
        (
            "advertisement",
            _alternation(r"""
            advertisements?|ads?|sponsored(?: content)?|paid (?:content|post)|promoted
            partner content
            (?:story|article) continues(?: below)?(?: (?:the )?advertisement)?
            continue reading(?: below)?(?: the)?(?: advertisement)?|skip (?:advertisement|ad)
            (?:advertisement\W+)?scroll to continue(?: with content)?
            show more|load more|see more
            """),
        ),
        (
            "image-alt",
            r"(?:[\w'\-]+ ){0,2}(?:logo|background|icon|thumbnail|placeholder|avatar|banner)"
            r"|image|photo|picture|video|gallery|play video|watch(?: video)?|enlarge|zoom",
        ),
        ("ai-promo", r"try our ai features?|explore what .{1,40} can do for you"),
        (
            "app-promo",
            _alternation(r"""
            (?:get started now\W+)?download (?:the |our )?(?:[\w]+ )?app(?: now| today)?
            get the (?:[\w]+ )?app|app[- ]?store ?(?:and |& )?(?:google )?play[- ]?store
            available on the app store|get it on google play
            """),
        ),
        ("credit", r"\((?:ap|reuters|afp|upi|dpa|ani|pti|cnn|bloomberg|tass|ria novosti)\)"),
        ("comments", r"no comments(?: yet)?|be the first to comment"),
        ("publisher-notice", r"our standards\b.{0,80}|corrections? policy|editorial standards"),
        (
            "timestamp",
            r"(?:time)?(?:updated )?\d{1,3} (?:seconds?|minutes?|mins?|hours?|hrs?|days?)"
            r" ago|\d{1,3} min(?:ute)?s? read|listen(?: to this article)?(?: \(?\d+ min\)?)?",
        ),
        (
            "newsletter-promo",
            r"newsletters?|email address|sign up|subscribe(?: now)?|log ?in|register",
        ),
    )
)

# Imperatives addressed to the reader at the start of a line ...
_PROMO_START = re.compile(
    r"(?:sign up|subscribe|follow\b|join us on|like us on|share (?:this|on|via)"
    r"|click here|tap here|listen to this|print this|email this|copy link|save (?:this )?article"
    r"|gift this article|get (?:the latest|breaking news|our|unlimited|full access)"
    r"|support (?:our|independent|quality) journalism|become a (?:member|subscriber|supporter)"
    r"|already a (?:subscriber|member)|don't have an account|create (?:a free|an) account"
    r"|read (?:the|our) (?:full|latest)|(?:download|get) (?:the |our )?(?:\w+ )?app\b"
    r"|(?:ready|want) to .{0,100}\bdownload\b)"
)
# ... or promo phrases a news sentence does not use (guarded by cheap keyword tests).
_PROMO_KEYWORDS = re.compile(
    r"inbox|signing up|subscribing|privacy|terms of|cookie|\bapp\b|store|play"
)
# The same search, run anchored only where one of its words occurs (exact; strikes.speed.fastmatch).
_PROMO_KEYWORDS_GATE = LiteralGate(_PROMO_KEYWORDS)
_PROMO_ANYWHERE = re.compile(
    r"delivered (?:straight |directly |right )?to your inbox|by (?:signing up|subscribing)"
    r"|\b(?:agree|read|see|view)\b.{0,40}\b(?:privacy policy|terms of (?:use|service))\b"
    r"|\bcookie (?:policy|settings)\b|\byour (?:preferred |favou?rite )?app store\b"
    r"|\b(?:download|available|get it)\b.{0,60}\b(?:app store|google play|play store)\b"
)


def _has_promo_keyword(t: str) -> bool:
    """Does `t` contain one of the literals every _PROMO_KEYWORDS match starts with?  Plain
    substring tests: cheaper than the gate's scan, and few lines pass (tests/
    test_articles_fastpaths.py checks the list against the pattern)."""
    return (
        "app" in t
        or "play" in t
        or "store" in t
        or "privacy" in t
        or "cookie" in t
        or "terms of" in t
        or "inbox" in t
        or "signing up" in t
        or "subscribing" in t
    )


def _is_promo(t: str) -> bool:
    if _PROMO_START.match(t):
        return True
    return (
        _has_promo_keyword(t) and _PROMO_KEYWORDS_GATE.test(t) and bool(_PROMO_ANYWHERE.search(t))
    )


_READ_MORE_LINK = re.compile(
    r"^(?:read more|read also|also read|see also|more on this|related|watch|listen|read)"
    r"\s*[:|–—-]\s*\S"
)
_LINK_LIST_HEADER = re.compile(
    r"^(?:read more|read also|also read|see also|more on this|further reading|explore more)$"
)
_NAME = r"[A-Z][\w.'’\-]*"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,3}}"
_BYLINE = (
    # "By Jane Doe and John Roe" / "By JANE DOE, Associated Press" / "By Jane Doe | Reuters"
    re.compile(
        rf"^(?:[Bb]y|BY)\s+{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*"
        rf"(?:\s*(?:,|\||–|—|-|for)\s*(?:the\s+)?{_NAMES})?$"
    ),
    # "Novikov and Burrows write for the Associated Press." / "Doe reported from Kyiv."
    re.compile(
        rf"^{_NAMES}(?:(?:,\s*|,?\s+and\s+){_NAMES})*\s+"
        r"(?:writes?|reports?|reported|wrote|contributed)\s+(?:for|from)\s+"
        rf"(?:the\s+)?{_NAMES}(?:,\s+{_NAMES})?\.?$"
    ),
    # "(Reporting by ...; Editing by ...)", "Additional reporting by ..."
    re.compile(r"^\(?(?:additional )?(?:reporting|writing|editing) by\b.{0,300}$", re.IGNORECASE),
    # "Associated Press writer Jane Doe in Kyiv contributed to this report."
    re.compile(r"^.{0,250}\bcontributed (?:to this report|reporting|to this story)\.?\)?$"),
)
# A photo caption ends in a credit in parentheses: "(AP Photo/Efrem Lukatsky)",
# "(Sergei Bobylev, Sputnik, Kremlin Pool Photo via AP)", "(Photo by X/Getty Images)".
_CAPTION = re.compile(
    r"\((?:[^()]{0,120}\b(?:photos?|photograph|getty images|afp via getty)\b[^()]{0,80}"
    r"|[A-Z][\w.' \-]{1,40}/(?:AP|Reuters|AFP|EPA|Getty Images|Bloomberg))\)\s*$",
    re.IGNORECASE,
)
_CAPTION_LINE = re.compile(
    r"^(?:photo|image|photograph|picture|credit|source|file photo)\s*:\s*.{1,120}$", re.IGNORECASE
)
_BREADCRUMB = re.compile(r"^(?:[\w'&\- ]{1,30}\s*[>›»/]\s*){2,}[\w'&\- ]{1,30}$")
# What a byline or breadcrumb must contain, tested before the pattern (substring tests are
# far cheaper than a failing match of these patterns, and most lines fail them).
_BY = frozenset({"By", "by", "BY"})  # _BYLINE[0] starts with one of these
_BYLINE_VERBS = ("writ", "report", "wrote", "contributed")  # one is in every _BYLINE[1] match
# _BYLINE[2] is anchored at the start ("(", "additional ", or the verb; lower-cased in `t`),
# _BYLINE[3] at the end of the line.
_BYLINE2_STARTS = ("(", "additional", "reporting", "writing", "editing")
_BYLINE3_ENDINGS = tuple(
    f"contributed {what}{stop}{paren}"
    for what in ("to this report", "reporting", "to this story")
    for stop in ("", ".")
    for paren in ("", ")")
)
_BREADCRUMB_SEPARATORS = (">", "/", "›", "»")


def line_reason(text: str) -> str | None:
    """The reason a single line is junk, or None if it is (or may be) article text."""
    if len(text) > MAX_JUNK_LINE:
        return None
    return _line_reason(text.strip(), _norm(text))


def _line_reason(s: str, t: str, starts_social: bool | None = None) -> str | None:
    """The reason of line_reason, from the stripped line `s` and its normalised form `t`
    (`starts_social`: _starts_social(s), when the caller knows it)."""
    if not t:
        return "markup" if s else None
    if len(t) <= 80:
        reason = _match_reason(_LINE_EXACT, t)
        if reason:
            return reason
    # is_social_row's own first test, made before the cached call: most lines fail it, and a
    # cache entry per body line would only push the furniture lines out.
    if starts_social is None:
        starts_social = _starts_social(s)
    if len(s) <= 200 and starts_social and is_social_row(s):
        return "social-links"
    if _READ_MORE_LINK.match(t):
        return "promo-link"
    if len(t) < 300 and _is_promo(t):
        return "promo"
    if len(s) <= 160:
        if s[:2] in _BY and _BYLINE[0].match(s):
            return "byline"
        if ("writ" in s or "report" in s or "wrote" in s or "contributed" in s) and _BYLINE[
            1
        ].match(s):
            return "byline"
    if (
        t.startswith(_BYLINE2_STARTS)
        and ("reporting" in t or "editing" in t or "writing" in t)
        and _BYLINE[2].match(s)
    ):
        return "byline"
    if s.endswith(_BYLINE3_ENDINGS) and "contributed" in t and _BYLINE[3].match(s):
        return "byline"
    if (s.endswith(")") and _CAPTION.search(s)) or (":" in s[:20] and _CAPTION_LINE.match(s)):
        return "photo-caption"
    if (
        len(s) < 120
        and (">" in s or "/" in s or "›" in s or "»" in s)  # _BREADCRUMB_SEPARATORS
        and _BREADCRUMB.match(s)
    ):
        return "breadcrumb"
    return None


# What _classify knows of a line: (section reason, line reason, whether it heads a link list,
# whether its first word and whether its last word is a social-network or sharing word).
LineClass = tuple[str | None, str | None, bool, bool, bool]


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def _classify(text: str) -> LineClass:
    """The LineClass of a line (strip_social_runs, then remove_junk, ask for every line)."""
    at_start, at_end = _social_ends(text)
    if len(text) > MAX_JUNK_LINE:
        return None, None, False, at_start, at_end
    s = text.strip()
    # Only short lines can be furniture matched whole; long ones just need lower case.
    t = _norm(s) if len(s) <= 100 else s.lower().replace("’", "'")
    copyright_ = ("©" in s or "opyright" in t or "rights reserved" in t or "(c)" in t) and bool(
        _COPYRIGHT.search(s)
    )
    section = "copyright" if copyright_ else _section_reason(t)
    # For a line of 40 characters or fewer, `t` is _norm(text).
    header = len(text) <= 40 and bool(_LINK_LIST_HEADER.match(t))
    # _social_ends(text)[0] is _starts_social(text): the same test, when s is text.
    reason = _line_reason(s, t, at_start if len(s) == len(text) else None)
    return section, reason, header, at_start, at_end


def _has_terminal(text: str) -> bool:
    t = text.rstrip("\"'”’»)] ")
    return bool(t) and t[-1] in ".!?…"


def remove_junk(segs: list[Seg], source: str, removed: list[dict]) -> None:
    """Apply the three kinds of cuts (see the module docstring) in place."""
    live = [seg for seg in segs if seg.alive]
    classes = [_classify(seg.text) for seg in live]
    # 1. The first section marker after real body text cuts the rest of the document.
    body_seen = False
    for k, seg in enumerate(live):
        if (
            body_seen
            and classes[k][0]
            and _opens_section(seg.text, classes[k][0], live[k + 1 : k + 4])
        ):
            _cut_sections(live[k:], classes[k:], source, removed)
            live, classes = live[:k], classes[:k]
            break
        if not body_seen and len(seg.text) >= 60 and _has_terminal(seg.text):
            body_seen = True

    # 2. Junk lines; 3. link lists.
    in_link_list = False
    for seg, (section, reason, header, _, _) in zip(live, classes, strict=True):
        t = seg.text
        if in_link_list:
            if len(t) <= 160 and not _has_terminal(t):
                remove_seg(seg, "link-list", removed)
                continue
            in_link_list = False
        if header:
            remove_seg(seg, "link-list", removed)
            in_link_list = True
            continue
        reason = reason or section
        if reason:
            remove_seg(seg, reason, removed)


# Markers that can also be a subheading inside a story ("Latest", "Discussion", "Topics"):
# they open a trailing section only when what follows looks like furniture.
_NOTICE = re.compile(r"rights reserved|copyright", re.IGNORECASE)
_WEAK_MARKER = re.compile(
    r"^(?:related|latest(?: \w+)?|top stories|trending(?: \w+)?|popular \w+|up next"
    r"|watch next|next up|discussion|comment|tags|topics|categories|keywords|filed under"
    r"|other news|more videos)$"
)


def _opens_section(text: str, reason: str, following: list[Seg]) -> bool:
    """Does this section marker start trailing furniture (not a subheading of the story)?"""
    if reason == "copyright":
        # A page's copyright notice ends the article; a photo credit ("© AFP") does not.
        return bool(_NOTICE.search(text))
    if not _WEAK_MARKER.match(_norm(text)):
        return True
    if not following:
        return True
    # Furniture continues with headline-like lines (no final stop) or more junk.
    return any(
        (len(seg.text) <= 120 and not _has_terminal(seg.text)) or line_reason(seg.text)
        for seg in following
    )


# Junk lines that also open a new block inside a trailing section (for a clearer reason).
_BLOCK_STARTERS = frozenset({"app-promo", "newsletter-promo", "advertisement"})


def _cut_sections(
    segs: list[Seg],
    classes: list[LineClass],
    source: str,
    removed: list[dict],
) -> None:
    blocks: list[list] = []  # [reason, start, end]
    for seg, (section, line, *_) in zip(segs, classes, strict=True):
        reason = section or (line if line in _BLOCK_STARTERS else None)
        if reason and (not blocks or blocks[-1][0] != reason):
            blocks.append([reason, seg.start, seg.end])
        elif blocks:
            blocks[-1][2] = seg.end
        seg.alive = False
    for reason, start, end in blocks:
        removed.append({"text": source[start:end], "reason": reason, "start": start, "end": end})


# --------------------------------------------------------------------------------------------
# Re-joining lines broken mid-sentence.

_CONTINUATION_WORDS = _words(
    """a an the and or but nor of in on at to for from by with into onto upon over under about
    against between among amid through throughout during before after since until till within
    without across along around near than as that which who whom whose where when while if
    because although though whether its their his her our your my this these those is are was
    were be been being has have had will would could should can may might must not also very
    more most such per via including like some many several each every both either neither
    so yet then there here it they he she we i you"""
)
_LAST_WORD = re.compile(r"([A-Za-z]+)$")


def _continues(a: str, b: str) -> bool:
    """Does line `b` continue the sentence broken at the end of line `a`?"""
    if _has_terminal(a) or a.endswith(":"):
        return False
    if a[-1] in ",-–—(/&":
        return True
    if b[0].islower():
        return True
    m = _LAST_WORD.search(a)
    return bool(m) and m.group(1) in _CONTINUATION_WORDS


def _hard_wrap_width(lines: list[str]) -> int:
    """The wrap width of a hard-wrapped text (lines cut at ~60-80 columns), 0 if it is not."""
    if len(lines) < 6:
        return 0
    lengths = list(map(len, lines))
    longest = max(lengths)
    if longest > 110:
        return 0
    in_band = sum(1 for n in lengths if 0.75 * longest <= n <= longest)
    open_ended = sum(1 for t in lines if not _has_terminal(t))
    if in_band >= 0.6 * len(lines) and open_ended >= 0.3 * len(lines):
        return longest
    return 0


def join_paragraphs(segs: list[Seg]) -> list[str]:
    """The alive lines as paragraphs: a line broken mid-sentence is joined to the next one.

    Two lines are joined only when no blank line separates them.  In a hard-wrapped text every
    long line is joined to the next; otherwise a line is joined when it clearly does not end
    its sentence (ends in a comma or a function word like "in", "and", "a", or the next line
    starts in lower case).  Short heading lines without final punctuation stay on their own.
    """
    alive = [s for s in segs if s.alive]
    width = _hard_wrap_width([s.text for s in alive])
    paragraphs: list[str] = []
    prev_gap = True
    last_alive_index = -2
    for idx, seg in enumerate(segs):
        if seg.blank:
            prev_gap = True
            continue
        if not seg.alive:
            continue
        if paragraphs and not prev_gap and last_alive_index >= 0:
            a = paragraphs[-1]
            joined = (width and len(segs[last_alive_index].text) >= 0.75 * width) or _continues(
                a, seg.text
            )
            if joined:
                sep = "" if a.endswith("-") and a[-2:-1].isalpha() else " "
                paragraphs[-1] = a + sep + seg.text
                last_alive_index = idx
                continue
        paragraphs.append(seg.text)
        prev_gap = False
        last_alive_index = idx
    return paragraphs
