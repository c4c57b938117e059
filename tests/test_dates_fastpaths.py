"""The date finder's shortcuts give what the plain reading gives: month shapes skipped past the
last month word, and the event date of a single mention taken without ranking."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from strikes import dates
from strikes.corpus import make_documents

CASES = Path(__file__).parent / "cases"

# Month words (and words that merely start like one) next to the words that open the other
# shapes ("on Sunday", "in", digits), so month shapes are tried before, at and after the last
# month word, and at the end of the text; "İzmir" sends a text down the non-ASCII path.
_WORDS = [
    "on", "in", "of", "since", "during", "for", "night", "Sunday", "friday", "said", "late",
    "May", "may", "mayor", "March", "market", "Mar.", "Sept.", "sep", "separatists", "Dec",
    "decided", "jan", "January", "Jun", "June", "Jul", "Oct.", "nov", "November", "aug", "Apr",
    "feb", "5", "11", "12", "3rd", "21st", "2024", "1999", "last", "this", "next", "year",
    "drones", "Kyiv", "—", "İzmir",
]  # fmt: skip
_SEPS = [" ", " ", " ", ", ", ". ", "-", "/", "\n", "", "(", "'"]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_WORDS) + rng.choice(_SEPS) for _ in range(rng.randrange(1, 12)))
        for _ in range(n)
    ]


def _texts() -> list[str]:
    from strikes.articles import load_documents

    corpus = load_documents(make_documents(200, seed=11)).sentences["text"].tolist()
    cases = json.loads((CASES / "dates.json").read_text())["cases"]
    framed = [f"Drones struck the city {c[0]}" for c in cases]  # the date ends the text
    return [*dict.fromkeys(corpus), *framed, *_random_texts(4000, 7)]


def _plain_shapes(text: str) -> tuple:
    """Every date shape by plain finditer, pattern by pattern (the definition)."""
    out = []
    for kind, pattern in dates._PATTERNS:
        for m in pattern.finditer(text):
            if kind == "explicit" and dates._may_as_verb(text, m):
                continue
            out.append(dates._shape(kind, m))
    return tuple(out)


def test_month_shapes_skipped_past_the_last_month_word_are_the_plain_matches() -> None:
    texts = _texts()
    month_shapes = 0
    for t in texts:
        expected = _plain_shapes(t)
        assert dates._date_shapes.__wrapped__(t) == expected, t
        month_shapes += sum(kind in dates._MONTH_KINDS for kind, *_ in expected)
    assert month_shapes > 500  # the texts do name months


def test_every_month_shape_holds_a_month_mark_at_or_after_its_start() -> None:
    """What the skip rests on: the gate marks a month word inside every month shape."""
    checked = 0
    for t in _texts():
        if not t.isascii():
            continue
        marks = [s for i, s in dates._WORD_GATE.candidates(t) if i == dates._MONTH_MARK]
        for kind, pattern in dates._PATTERNS:
            if kind not in dates._MONTH_KINDS:
                continue
            for m in pattern.finditer(t):
                assert any(m.start() <= s < m.end() for s in marks), (t, m)
                checked += 1
    assert checked > 500


def test_marks_sort_after_every_shape_candidate() -> None:
    cands = dates._WORD_GATE.candidates("On Sunday, May 5, in June 2024 drones hit Kyiv in May")
    marks = [c for c in cands if c[0] == dates._MONTH_MARK]
    assert len(marks) == 3 and cands[-len(marks) :] == marks
    assert dates._NEEDS_MONTH.count(True) == len(dates._MONTH_KINDS)


def test_every_kind_is_ranked() -> None:
    """The single-mention shortcut skips the rank lookup: no kind may lack a rank."""
    assert {kind for kind, _p in dates._PATTERNS} <= set(dates._EVENT_RANK)


def test_pick_event_date_is_the_ranked_minimum() -> None:
    def plain(mentions):
        return (
            min(mentions, key=lambda d: (dates._EVENT_RANK[d.kind], d.start)) if mentions else None
        )

    published = date(2025, 7, 6)
    picked = 0
    for t in _texts():
        found = dates.find_dates(t, published=published)
        for k in range(len(found) + 1):
            assert dates.pick_event_date(found[:k]) is plain(found[:k])
        picked += len(found)
    assert picked > 1000
