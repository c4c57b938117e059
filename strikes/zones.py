"""Document zones: what part of an article a sentence sits in, and so what it is evidence of.

The extractor reads every sentence as a report of the article's own events; these zones say
where that is not so:

* ``teaser``: the outlet's other headlines ("MORE ABOUT", "Recent posts", "Latest news", a list
  of time-stamped headlines): never evidence, even about the same attack.
* ``background``: a past attack recalled ("As a reminder, ...", "It comes after ...",
  "Previously, ...", "The attack follows ..."): an event only with its own date, never a
  follow-up of the current attack, and its date never dates the sentences after it.
* ``caption``: a photo caption ("Rescuers at a damaged house in Odesa, March 3, 2025"): its own
  date dates its claims and nothing else.
* ``quote``: a sentence that opens with a quotation mark.
* ``bullet``: a line of a bulleted list.
* ``body``: everything else.

Zones are found per sentence from the sentence's own opening words and from its line (many
articles, such as the daily briefings, have no paragraph breaks at all, so nothing here
depends on them).  `is_furniture_title` tells page furniture ("403", "War", "This audio is
created with AI assistance") from a headline.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["ZONES", "Zoner", "clause_zone", "is_furniture_title", "sentence_zone"]

ZONES = ("body", "background", "caption", "quote", "bullet", "teaser")

# Opening words of a sentence that recalls an earlier attack.
BACKGROUND_RE = re.compile(
    r"\A\W{0,3}(?:"
    r"as\s+a\s+reminder|recall\s+that|(?:it|this|that)\s+is\s+worth\s+recalling|previously|"
    r"earlier\s+(?:this|last)\s+(?:week|month|year)|last\s+(?:week|month|year)|"
    r"in\s+(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s*,|before\s+that|"
    r"(?:it|this|that|the\s+(?:\w+\s+){0,3}?(?:attack|strike|barrage|assault|bombardment|raid|"
    r"onslaught)s?)\s+(?:\w+\s+){0,2}?(?:comes?|came|follows?|followed)\s+(?:just\s+|only\s+)?"
    r"(?:(?:a|one|two|three|four|five|six|several|few|\d+)\s+)?(?:days?|hours?|weeks?|months?)?"
    r"\s*(?:after|on\s+the\s+heels\s+of|a\s+day\s+after)\b"
    r"|(?:it|this|that|the\s+(?:\w+\s+){0,3}?(?:attack|strike|barrage|assault))\s+(?:follows|"
    r"followed)\b"
    r")",
    re.I,
)
QUOTE_OPEN_RE = re.compile(r"\A\s*[\"“‘«]")
BULLET_RE = re.compile(r"\A\s*(?:[•▪●◦‣∙·*]|-\s|–\s|—\s)")
# A line heading the outlet's list of other stories.
TEASER_MARKER_RE = re.compile(
    r"\A\W*(?:more\s+about|more\s+on\s+(?:this|that)(?:\s+story)?|recent\s+posts|"
    r"latest\s+(?:news|stories|headlines|posts|updates)|read\s+(?:also|more)|see\s+also|"
    r"related(?:\s+(?:news|stories|articles|posts|coverage))?|most\s+read|top\s+stories|"
    r"you\s+may\s+(?:also\s+)?(?:like|be\s+interested\s+in)|news\s+feed)\b[\W]*\Z",
    re.I,
)
# A headline listed with its time ("14:05 Drones attack Kharkiv", "10:42 AM Russia strikes ...").
TIMED_HEADLINE_RE = re.compile(r"\A\W{0,2}\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?\s+\S", re.I)
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A caption ends with its own date: "..., March 3, 2025", "... on 3 March 2025." (a credit in
# parentheses may follow).
CAPTION_END_RE = re.compile(
    rf",\s*(?:(?:on\s+)?{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|(?:on\s+)?\d{{1,2}}\s+{_MONTHS}\s+\d{{4}})"
    r"\.?\s*(?:\([^()]{1,80}\))?\s*\Z",
    re.I,
)
CAPTION_MAX = 300
HEADLINE_MAX = 160
_DIGIT_RE = re.compile(r"\d")
# Every BACKGROUND_RE opening starts with one of these words (checked before the pattern).
_BACKGROUND_FIRST_WORDS = frozenset(
    {"as", "recall", "it", "this", "that", "previously", "earlier", "last", "in", "before", "the"}
)
_FIRST_WORD_RE = re.compile(r"\W{0,3}(\w+)")


def _first_word(sentence: str) -> str:
    m = _FIRST_WORD_RE.match(sentence)
    return m.group(1).lower() if m else ""


def sentence_zone(sentence: str, line: str | None = None) -> str:
    """The zone of one sentence from its own words and (when known) its whole line; a teaser
    also needs the lines before it (see `Zoner`)."""
    if line is not None:
        ln = line.strip()
        # Cheap tests first: most lines are long paragraphs that open with a word.
        if (
            len(ln) <= HEADLINE_MAX + 10
            and _DIGIT_RE.search(ln, 0, 3)
            and TIMED_HEADLINE_RE.match(ln)
        ):
            return "teaser"
        if (
            len(ln) <= CAPTION_MAX
            and (ln.rstrip(". ")[-1:].isdigit() or ln.endswith(")"))
            and CAPTION_END_RE.search(ln)
            and ln.count(". ") == 0
        ):
            return "caption"
        if BULLET_RE.match(ln):
            return "bullet"
    if _first_word(sentence) in _BACKGROUND_FIRST_WORDS and BACKGROUND_RE.match(sentence):
        return "background"
    if QUOTE_OPEN_RE.match(sentence):
        return "quote"
    return "body"


# The end of a clause split that opens a recalled attack: "..., days after", "came just hours
# after" (claims.CLAUSE_SPLIT_RE leaves these words between two clauses).
_AFTER_SPLIT_RE = re.compile(r"\b(?:after|follow(?:s|ed|ing)|on\s+the\s+heels\s+of)\s*\Z", re.I)


def clause_zone(sentence_zone: str, sent: str, c_start: int, *, after_report: bool) -> str:
    """The zone of the clause at sent[c_start:]: background when it follows "days after" and
    the like right after a clause that reported an attack (`after_report`: "Drones hit Kharkiv,
    days after a strike on Odesa ..."; in "Zelenskyy spoke hours after an attack on Kyiv ..."
    the attack is the story's own), else its sentence's zone."""
    if after_report and c_start and _AFTER_SPLIT_RE.search(sent, max(0, c_start - 30), c_start):
        return "background"
    return sentence_zone


class Zoner:
    """Zones of an article's sentences, found lazily (only sentences that might report an
    attack are asked about)."""

    __slots__ = ("_line_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: list[int] | None = None

    def _lines(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def _line(self, k: int) -> str:
        starts = self._lines()
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(self.text)
        return self.text[starts[k] : end]

    def zone(self, start: int, end: int) -> str:
        """The zone of the sentence at text[start:end]."""
        text = self.text
        if "\n" not in text:
            return sentence_zone(text[start:end])
        starts = self._lines()
        k = bisect.bisect_right(starts, start) - 1
        line = self._line(k)
        z = sentence_zone(text[start:end], line)
        ln = line.strip()
        if z != "body" or len(ln) > HEADLINE_MAX or ln.endswith((".", "!", "?", "”", '"')):
            return z  # a headline has no final stop; a sentence of the story has one
        # A short line under a teaser marker, with only short lines between them.
        for j in range(k - 1, max(-1, k - 12), -1):
            prev = self._line(j).strip()
            if not prev:
                continue
            if TEASER_MARKER_RE.match(prev):
                return "teaser"
            if len(prev) > HEADLINE_MAX or (prev.endswith((".", ":")) and len(prev) > 60):
                break
        return z


# A first line that is page furniture, not a headline: an HTTP status, a one-word section
# label, an audio or reading-time note, a site's navigation words.
_FURNITURE_TITLE_RE = re.compile(
    r"\A\W*(?:\d{3}(?:\s+\w+){0,2}|"
    r"this\s+(?:audio|article|story)\s+(?:is|was)\s+(?:created|generated|produced|read)\b.*|"
    r"listen\s+to\s+(?:this\s+)?(?:article|story)\b.*|\d+\s+min(?:ute)?s?\s+(?:read|listen)|"
    r"(?:skip\s+to\s+(?:main\s+)?content|advertisement|sponsored|breaking(?:\s+news)?|live|"
    r"menu|search|home|share|print|subscribe|sign\s+in|log\s+in)"
    r")\W*\Z",
    re.I,
)


def is_furniture_title(line: str) -> bool:
    """Whether a candidate title line is page furniture ("403", "War", "Facts", "This audio is
    created with AI assistance") rather than a headline."""
    s = line.strip()
    if not s or not any(ch.isalpha() for ch in s):
        return True
    if _FURNITURE_TITLE_RE.match(s):
        return True
    # One short word ("War", "Facts", "Opinion"): a section label.
    return len(s.split()) == 1 and len(s) <= 20
