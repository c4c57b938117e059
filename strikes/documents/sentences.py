"""Sentence spans with character offsets into the cleaned article text.

blingfire (a fast C++ tokenizer) finds the sentence boundaries.  It is called once per text
(one call per paragraph costs more than the segmentation) and every newline is then made a
boundary, so a sentence never runs from one paragraph (or heading) into the next; fix-ups never
merge across a newline either.  (That is not the same as segmenting each paragraph on its own:
blingfire's boundaries can depend on the text across a newline: "No. Lt. Col." is one sentence
alone but two after a line "!"; so paragraphs are not segmented, or cached, one by one.)
A small fix-up pass then
corrects its known mistakes on news copy.  The fix-ups are hand-written on purpose: they cover a
closed list of English title abbreviations and a lower-case-continuation rule, they are cheap (a
few string tests per sentence) and easy to audit, whereas a trained segmenter would be slower and
still need its own exceptions.

What blingfire gets wrong and what the fix-ups do:
- It splits after a title abbreviation that starts a sentence or follows another one
  ("Sgt." "Maj." "Lee agreed.", "Lt." "Col." "Ivanov"): merged back when a piece ends with a
  title abbreviation (Mr., Dr., Gov., Lt., Gen., St., ...), which never ends a sentence in news
  copy.
- It splits after a quoted sentence followed by its attribution ("'This is bad.' | he added."):
  merged back whenever the next piece starts with a lower-case letter, which a real sentence
  does not.
- It misses a boundary before a title abbreviation ("He left. Col. Gen. Ivanov stayed."):
  split after a lower-case word ending in . ! or ? when the next token is a title abbreviation.

blingfire's own Python wrapper maps byte offsets to character offsets with a Python loop over
every byte, which costs more than the segmentation itself; `_blingfire_spans` calls the C
function directly and converts only the few sentence offsets.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterable

import blingfire

# The C entry point of blingfire (see the module docstring for why it is called directly).
_TEXT_TO_SENTENCES = blingfire.blingfire.TextToSentencesWithOffsets

__all__ = ["split_sentences"]


# Abbreviations that precede a name and (practically) never end a sentence.  Jr./Sr./Inc.
# are left out on purpose: they do end sentences.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_ABBREVIATIONS = _words(
    """Mr Mrs Ms Mmes Messrs Dr Drs Prof Gov Govs Lt Gen Gens Col Sgt Maj Capt Cpt Adm Brig Cmdr
    Cmdt Cpl Pvt Pfc Spc Sen Sens Rep Reps Rev Fr Msgr St Ste Mt Ft Pres Amb Hon Supt Insp Det
    Atty Gov-elect Sec Secy Lt-Gen Maj-Gen"""
)

_LAST_TOKEN = re.compile(r"([A-Za-z][A-Za-z-]*)\.$")
_STARTS_LOWER = re.compile(r"[\"'“‘(\[«]*[a-z]")
# A lower-case word ending a sentence, whitespace, then a title abbreviation: a boundary that
# blingfire misses.
_MISSED_BOUNDARY = re.compile(
    r"(?<=[a-z]{2}[.!?])([\"'”’)]?)\s+(?=(?:" + "|".join(sorted(TITLE_ABBREVIATIONS)) + r")\.\s)"
)
_WORD_BEFORE_STOP = re.compile(r"([A-Za-z]+)[.!?]$")
# _MISSED_BOUNDARY needs whitespace, a title abbreviation, "." and whitespace: a piece with no
# whitespace-delimited "Abbr." word cannot match, and str.split() (the same whitespace as the
# regex's \s) finds those words much faster than the regex's look-behind at every position.
_ABBREVIATION_WORDS = frozenset(a + "." for a in TITLE_ABBREVIATIONS)
# Lower-case abbreviations that end in a period without ending the sentence.
_LOWER_ABBREVIATIONS = _words("vs etc approx est al no nos fig figs cf ca pp vol")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of `text`, in order.

    Spans never include surrounding whitespace and never cross a newline.
    """
    if not text or text.isspace():
        return []
    pieces: list[tuple[int, int]] = []
    append = pieces.append
    for a, b in _blingfire_spans(text):
        # A newline always ends a sentence (blingfire may run a heading into the next line).
        while a < b:
            nl = text.find("\n", a, b)
            stop = b if nl < 0 else nl
            if a < stop:
                # Most pieces have no surrounding whitespace: _strip only when they do.
                if text[a].isspace() or text[stop - 1].isspace():
                    s, e = _strip(text, a, stop)
                else:
                    s, e = a, stop
                if s < e:
                    piece = text[s:e]
                    if ". " in piece or "? " in piece or "! " in piece:
                        pieces.extend(_split_missed(text, s, e))
                    else:
                        append((s, e))
            a = stop + 1 if nl >= 0 else b
    return _cap_length(text, _merge(text, pieces))


class _Buffers(threading.local):
    size = 0
    raw: bytearray | None = None  # the memory of `out`: its newlines are counted in place
    out: ctypes.Array | None = None
    starts: ctypes.Array | None = None
    ends: ctypes.Array | None = None


_BUFFERS = _Buffers()
_NEXT = (1).__add__  # e -> e + 1


def _blingfire_spans(text: str) -> Iterable[tuple[int, int]]:
    """Sentence (start, end) character offsets from blingfire's C function."""
    data = text.encode("utf-8")
    size = len(data) * 2 + 16
    buf = _BUFFERS  # per thread (Streamlit runs sessions in threads), grown on demand
    if buf.size < size:
        buf.size = max(size, 65536)
        buf.raw = bytearray(buf.size)
        buf.out = (ctypes.c_char * buf.size).from_buffer(buf.raw)
        buf.starts = (ctypes.c_int32 * buf.size)()
        buf.ends = (ctypes.c_int32 * buf.size)()
    # bytes and ints go to C as char* and int by ctypes' default conversions (no wrappers).
    n = _TEXT_TO_SENTENCES(
        data,
        len(data),
        buf.out,
        buf.starts,
        buf.ends,
        size,  # the needed size, not the buffer's: blingfire's cost grows with it
    )
    if n <= 0 or n > size:
        return [(0, len(text))]
    # One line per sentence; counted in the buffer itself (no copy of it as bytes).
    count = buf.raw.count(b"\n", 0, n) + 1
    starts = buf.starts[:count]
    if len(data) == len(text):  # ASCII: byte offsets are character offsets
        # blingfire's end offsets are inclusive.
        return zip(starts, map(_NEXT, buf.ends[:count]), strict=True)
    ends = [e + 1 for e in buf.ends[:count]]
    # Map byte offsets to character offsets incrementally (they are in increasing order).
    spans = []
    byte_pos = char_pos = 0
    nbytes = len(data)

    def to_char(off: int) -> int:
        nonlocal byte_pos, char_pos
        while off < nbytes and (data[off] & 0xC0) == 0x80:  # inside a character: finish it
            off += 1
        if off < byte_pos:  # not monotonic (never seen): count from the start
            return len(data[:off].decode("utf-8", "ignore"))
        char_pos += len(data[byte_pos:off].decode("utf-8", "ignore"))
        byte_pos = off
        return char_pos

    for a, e in zip(starts, ends, strict=True):
        spans.append((to_char(a), to_char(e)))
    return spans


def _strip(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def _split_missed(line: str, a: int, b: int) -> list[tuple[int, int]]:
    piece = line[a:b]
    if ". " not in piece and "? " not in piece and "! " not in piece:
        return [(a, b)]
    if _ABBREVIATION_WORDS.isdisjoint(piece.split()):
        return [(a, b)]
    out = []
    cur = 0
    for m in _MISSED_BOUNDARY.finditer(piece):
        # A bounded look-back keeps this linear on runs of abbreviations ("Gov. Gov. ...").
        word = _WORD_BEFORE_STOP.search(piece, max(0, m.start() - 40), m.start())
        if word is None or word.group(1).lower() in _LOWER_ABBREVIATIONS:
            continue
        out.append((a + cur, a + m.start() + len(m.group(1))))
        cur = m.end()
    out.append((a + cur, b))
    return out


# No real sentence is this long (the seeds' longest has ~300 characters); a longer "sentence"
# is a run-on without full stops (a 2 MB single line, a pasted table).  Cutting it into pieces
# bounds the cost of every later per-sentence step (the claims' clause rules compare each
# number with each place and weapon of a clause), so hostile text stays linear.
MAX_SENTENCE_CHARS = 1000
_CLAUSE_BREAKS = (", ", "; ", ": ", "\u2014 ", "\u2013 ")


def _cap_length(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans longer than MAX_SENTENCE_CHARS cut in pieces: after the last clause break (", "
    "; " ...) in the second half of the allowed length, else at its last space, else hard."""
    limit = MAX_SENTENCE_CHARS
    for a, b in spans:  # a plain loop: cheaper than all() over a generator
        if b - a > limit:
            break
    else:
        return spans
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > limit:
            lo, hi = a + limit // 2, a + limit
            window = text[lo:hi]
            cut = max(window.rfind(p) for p in _CLAUSE_BREAKS)
            if cut >= 0:
                stop = lo + cut + 1
            else:
                space = max(window.rfind(" "), window.rfind("\t"))
                stop = lo + space if space >= 0 else hi
            s, e = _strip(text, a, stop)
            if s < e:
                out.append((s, e))
            a, b = _strip(text, stop, b)
        if a < b:
            out.append((a, b))
    return out


# Cheap necessary conditions, tested before the two patterns of _merge: _LAST_TOKEN's word can
# be a title abbreviation only if the text before the final "." ends with one, and
# _STARTS_LOWER needs one of these first characters.
_ABBREVIATION_ENDINGS = tuple(sorted(TITLE_ABBREVIATIONS))
# ... and that endswith() needs the two characters before the "." to end an abbreviation (all
# have two or more): one set lookup instead of fifty suffix tests for most sentences.
_ABBREVIATION_TAILS = frozenset(a[-2:] for a in TITLE_ABBREVIATIONS)
_LOWER_STARTS = frozenset("\"'“‘([«abcdefghijklmnopqrstuvwxyz")


def _merge(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged:
            pa, pb = merged[-1]
            if "\n" not in text[pb:a]:
                lo = max(pa, pb - 16)
                # `\.$` at `pb`: the piece ends in "." (pieces end in non-whitespace).
                m = (
                    _LAST_TOKEN.search(text, lo, pb)
                    if text[pb - 1] == "."
                    and text[pb - 3 : pb - 1] in _ABBREVIATION_TAILS
                    and text.endswith(_ABBREVIATION_ENDINGS, lo, pb - 1)
                    else None
                )
                if (m and m.group(1) in TITLE_ABBREVIATIONS) or (
                    text[a] in _LOWER_STARTS and _STARTS_LOWER.match(text, a, b)
                ):
                    merged[-1] = (pa, b)
                    continue
        merged.append((a, b))
    return merged
