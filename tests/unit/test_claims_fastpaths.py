"""The sentence analysis' fast paths give what the plain expressions give: the gate scan's
candidate starts, the clause split, the offsets of the cached sentence facts."""

from __future__ import annotations

import functools
import random
import re

import pytest

from bench.corpus import make_documents
from strikes import claims, dates, numbers
from strikes.speed.fastmatch import LiteralGate, MultiGate, TextScan, literal_prefixes

# Words and separators of strike reports, mixed at random (with the non-ASCII characters that
# case-insensitive matching equates with ASCII letters, dashes and clause words).
_WORDS = [
    "Russia", "Ukraine", "drone", "drones", "Shahed", "Kh-101", "missile", "air", "defence",
    "strike", "attacked", "killed", "killing", "injured", "wounded", "no", "casualties",
    "according", "to", "said", "says", "the", "region", "Kyiv", "shot", "down", "120", "of",
    "including", "17", "over", "as", "while", "but", "came", "come", "comes", "just", "two",
    "days", "hours", "weeks", "after", "a day", "adding that", "and said", "İstanbul", "ſhahed",
    "KILLED", "３", "—", "–", "1,200", "at least", "hundreds",
]  # fmt: skip
_SEPS = [" ", " ", " ", "", ", ", "; ", " — ", " – ", "  ", "\t", ",\n", "-"]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_WORDS) + rng.choice(_SEPS) for _ in range(rng.randrange(1, 30)))
        for _ in range(n)
    ]


@functools.cache
def _corpus_sentences() -> tuple[str, ...]:
    from strikes.documents.articles import load_documents

    batch = load_documents(make_documents(300, seed=5))
    return tuple(dict.fromkeys(batch.sentences["text"].tolist()))


def _texts() -> list[str]:
    return [*_corpus_sentences(), *_random_texts(2000, 7)]


# --- the gate scan --------------------------------------------------------------------------


def _naive_starts(gate: MultiGate, text: str) -> list[list[int] | None] | None:
    """Per pattern, every position where one of its literals occurs (sorted, once each)."""
    if not text.isascii() and re.search("[\u0130\u0131\u017f\u212a]", text):
        return None
    low = text.lower()
    fold = gate is claims._SENTENCE_GATES._gate  # its case-sensitive patterns are gated too
    out: list[list[int] | None] = []
    for p in gate.patterns:
        lits = _literals(p, text.isascii(), fold)
        if lits is None:
            out.append(None)
            continue
        out.append(sorted({i for lit in lits for i in _occurrences(low, lit)}))
    return out


@functools.cache
def _literals(p: re.Pattern[str], ascii_text: bool, fold: bool) -> frozenset[str] | None:
    """What a match of `p` starts with (`\\d` read as [0-9] on ASCII text only); None for a
    pattern with no literal start or one that matches the empty string."""
    if p.search(""):
        return None
    return literal_prefixes(p, fold=fold) or (
        literal_prefixes(p, ascii_text=True, fold=fold) if ascii_text else None
    )


def _occurrences(text: str, lit: str) -> list[int]:
    found, i = [], text.find(lit)
    while i >= 0:
        found.append(i)
        i = text.find(lit, i + 1)
    return found


@pytest.mark.parametrize(
    "gate",
    [claims._SENTENCE_GATES._gate, dates._GATE, numbers._NUMBER_GATE],
    ids=["sentence", "dates", "numbers"],
)
def test_scan_gives_every_literal_start_of_every_pattern(gate: MultiGate) -> None:
    for t in _texts()[:3000]:
        got = gate.scan(t)
        want = _naive_starts(gate, t)
        if want is None:
            assert got is None, t
            continue
        assert got is not None
        assert [None if s is None else list(s) for s in got] == want, t


def test_scan_keeps_no_state_between_texts() -> None:
    # () is shared by every pattern without a candidate: a later text must not see starts
    # added for an earlier one.
    gate = claims._SENTENCE_GATES._gate
    first = gate.scan("Drones killed two; drones killed three")
    second = gate.scan("Officials met on Monday")
    i = gate.patterns.index(claims.KILL_RE)
    assert list(first[i]) == [7, 26]
    assert list(second[i]) == []


# --- case-sensitive gates --------------------------------------------------------------------


def _key(m: re.Match[str] | None) -> object:
    return m and (m.span(), m.groupdict())


def test_case_sensitive_patterns_in_the_lower_cased_scan_give_the_pattern_answers() -> None:
    gates = claims._SENTENCE_GATES
    cased = [p for p in gates._gate.patterns if not p.flags & re.IGNORECASE]
    assert set(cased) >= {claims.SUBJECT_VERB_RE, claims.DEFENDER_RE, claims.COUNTRY_WORD_RE}
    assert all(gates.gated(p) for p in cased)
    base = [
        *_texts()[:1500],
        "Russia’s air defences downed 12 drones",
        "by the Russians",
        "Kyiv and Moscow traded blame; RUSSIA and UKRAINE each other",
        "Russian territory was hit, the country said; Ukraine's military intercepted 40",
    ]
    # Other cases of the capitalised names (and the characters İ ı ſ K) must not fool them.
    texts = [v for t in base for v in (t, t.upper(), t.lower(), t.swapcase())]
    matched = 0
    before = TextScan.misplaced
    for t in texts:
        scan = gates.scan(t)
        pieces = [(0, t), (len(t) // 3, t[len(t) // 3 :]), (0, t[: len(t) // 2])]
        for p in cased:
            for base_at, piece in pieces:
                want = p.search(piece)
                matched += want is not None
                assert _key(scan.search(p, piece, base_at)) == _key(want), (p.pattern, piece)
                assert scan.test(p, piece, base_at) == (want is not None)
                assert [_key(m) for m in scan.finditer(p, piece, base_at)] == [
                    _key(m) for m in p.finditer(piece)
                ]
    assert TextScan.misplaced == before
    assert matched > 300


def test_exact_literals_keep_their_case() -> None:
    assert literal_prefixes(re.compile(r"\bKyiv|\bKiev"), exact=True) == {"Kyiv", "Kiev"}
    assert literal_prefixes(re.compile(r"\bKyiv|\bKiev")) is None  # the lower-cased scan: none
    assert literal_prefixes(re.compile(r"Russia’s"), exact=True) == {"Russia’s"}
    # A part that turns case-insensitive matching on: its literals are not as written.
    assert literal_prefixes(re.compile(r"Moscow|(?i:kyiv)"), exact=True) is None
    # A case-insensitive pattern is scanned lower-cased, whatever is asked.
    assert literal_prefixes(re.compile(r"Kyiv", re.I), exact=True) == {"kyiv"}
    # Folded for the lower-cased scan: lower-cased, cut before a non-ASCII character.
    assert literal_prefixes(re.compile(r"\bKyiv|\bKiev"), fold=True) == {"kyiv", "kiev"}
    assert literal_prefixes(re.compile(r"Russia’s|Russian"), fold=True) == {"russia"}
    assert literal_prefixes(re.compile(r"’s|Kyiv"), fold=True) is None  # "’s": no ASCII head
    assert literal_prefixes(re.compile(r"Kyiv", re.I), fold=True) == {"kyiv"}
    gate = LiteralGate(re.compile(r"\b(?:Kyiv|Odesa)\b"))
    assert gate.gated
    assert gate.starts("KYIV, Kyiv and odesa; Odesa") == [6, 22]
    assert gate.search("kyiv and Odesa").span() == (9, 14)


# --- the clause split -----------------------------------------------------------------------

# The split pattern as it was written before its branches were grouped by first character.
_SPLIT_AS_WRITTEN = re.compile(
    r",\s+(?:as|while|whereas|but|although|though|even as|adding that|and added that|and said)\s+"
    r"|;\s+|\s+[—–]\s+|\s+(?:came|come|comes)\s+(?:just\s+)?(?:\w+\s+)?(?:days?|hours?|weeks?)\s+after\s+"
    r"|,\s+(?:a day|days|hours|weeks)\s+after\s+"
)


def _spans_as_written(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SPLIT_AS_WRITTEN.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if e - s > 3]


def test_clause_split_is_the_pattern_as_written() -> None:
    texts = [
        *_texts(),
        "The strike came just two days after talks — and hours after a truce; no one was hurt",
        "Drones hit Kyiv, a day after a missile attack, as officials said, adding that two died",
    ]
    split = 0
    for t in texts:
        want = _spans_as_written(t)
        assert [m.span() for m in claims.CLAUSE_SPLIT_RE.finditer(t)] == [
            m.span() for m in _SPLIT_AS_WRITTEN.finditer(t)
        ], t
        assert claims._clause_spans(t) == want, t
        split += len(want) > 1
    assert split > 500  # the texts exercise the split, not only whole sentences


# --- the cached sentence facts --------------------------------------------------------------


def test_sentence_facts_keep_sentence_and_clause_offsets() -> None:
    from strikes.pipeline import make_geo

    geo = make_geo()
    claims.clear_caches()
    clauses = later = 0
    for sent in _corpus_sentences():
        if not claims.PREFILTER_RE.search(sent):
            continue
        facts = claims._sentence_facts(sent, geo)
        if facts is None:
            continue
        for cf in facts.clauses:
            clauses += 1
            later += cf.start > 0
            assert sent[cf.start : cf.end] == cf.text
            for w in cf.weapons:  # sentence offsets
                assert sent[w.start : w.end] == w.text
            for b in (cf.binding, cf.speaker_binding):
                for c in b.counts if b else ():  # clause offsets
                    assert cf.text[c.amount.start : c.amount.end] == c.amount.text
                    if c.weapon is not None:
                        assert cf.text[c.weapon.start : c.weapon.end] == c.weapon.text
                for cas in b.casualties if b else ():
                    if cas.amount is not None:
                        assert cf.text[cas.amount.start : cas.amount.end] == cas.amount.text
    claims.clear_caches()
    assert clauses > 200 and later > 20


# --- claimant names -------------------------------------------------------------------------


def _clean_claimant_plain(raw: str) -> str | None:
    """claims._clean_claimant without its "day" precheck before the weekday cut."""
    name = raw.replace("’", "'").strip(" ,'\"‘“”")
    name = claims._CLAIMANT_LEAD_RE.sub("", name)
    name = claims._CLAIMANT_WEEKDAY_RE.sub("", name)
    if not name or len(name.split()) > 9 or not claims._LETTER_RE.search(name):
        return None
    if name.lower() in {"he", "she", "it", "they", "we", "i", "you"}:
        return None
    return name


def test_clean_claimant_is_the_plain_reading() -> None:
    days = ["Monday", "Tuesday", "Sunday", "sunday", "MONDAY", "Sun day", "today", "Friday's"]
    rng = random.Random(4)
    names = [
        " ".join(
            rng.choice([*_WORDS, *days, "on", "late", "early", "its", "the"]) for _ in range(k)
        )
        for k in [rng.randrange(1, 8) for _ in range(4000)]
    ]
    cut = 0
    for raw in [*names, *_corpus_sentences()[:500], "the governor on Monday", "Kyiv said Sunday"]:
        want = _clean_claimant_plain(raw)
        assert claims._clean_claimant(raw) == want, raw
        cut += want is not None and want != raw and "day" in raw
    assert cut > 100
