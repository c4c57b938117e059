"""The per-article layer's shortcuts give what the plain code gives: the plausibility check's
gate (and its second pass only over claims a follow-up changed), dates read only for clauses that become claims, the speaker lookup skipped without a speaker,
and the sentences grouped by article run rather than row by row."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from bench.corpus import make_documents
from strikes import claims as C
from strikes import pipeline
from strikes.documents.articles import load_documents
from strikes.settings import DEFAULT_SETTINGS

FIGURES = ("launched", "intercepted", "hit", "killed", "injured")


# --- _check_plausible -----------------------------------------------------------------------


# --- the article loop -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch():
    return load_documents(make_documents(150, seed=5), settings=DEFAULT_SETTINGS)


def _frame(batch, sentences: pd.DataFrame) -> pd.DataFrame:
    return pipeline.extract_claims(batch.articles, sentences, settings=DEFAULT_SETTINGS)


def test_dates_read_only_for_claims_change_nothing(batch, monkeypatch) -> None:
    """Dates are read once a clause becomes a claim, and for the sentences without a claim
    (they move the article's current day); reading them again for every sentence gives the
    same claims: the reading is pure."""
    lazy = _frame(batch, batch.sentences)
    assert (~lazy["date_source"].isin(["publication", "context"])).sum() > 20  # dates were read
    original_find, original_claims = C.find_dates, C._sentence_claims
    read: list[str] = []
    sentences: list[str] = []

    def counted_find(text, *, published):
        read.append(text)
        return original_find(text, published=published)

    def counted_claims(**kwargs):
        sentences.append(kwargs["sent"])
        return original_claims(**kwargs)

    monkeypatch.setattr(C, "find_dates", counted_find)
    monkeypatch.setattr(C, "_sentence_claims", counted_claims)
    pd.testing.assert_frame_equal(_frame(batch, batch.sentences), lazy)
    # Sentences the prefilter drops are read for their dates too.
    assert len(set(read)) > len(set(sentences)) > 0

    def eager(**kwargs):
        original_find(kwargs["sent"], published=kwargs["ctx"].published)
        return original_claims(**kwargs)

    monkeypatch.setattr(C, "_sentence_claims", eager)
    pd.testing.assert_frame_equal(_frame(batch, batch.sentences), lazy)


def test_sentences_grouped_by_runs_in_any_row_order(batch) -> None:
    """The sentences of an article need not be one run, nor in order."""
    want = _frame(batch, batch.sentences)
    assert len(want) > 50
    shuffled = batch.sentences.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(_frame(batch, shuffled), want)
    # Runs split in two: the first half of every article, then all the second halves.
    half = batch.sentences.groupby("article_id", sort=False).cumcount() % 2 == 0
    split = pd.concat([batch.sentences[half], batch.sentences[~half]], ignore_index=True)
    pd.testing.assert_frame_equal(_frame(batch, split), want)


@pytest.mark.parametrize(("count", "casualties"), [(20_000, 10_000), (3, 1), (0, 0)])
def test_second_plausibility_check_changes_only_followed_up_claims(count, casualties) -> None:
    """The article loop checks again only the claims a follow-up sentence changed: checking
    any other claim a second time (as the loop did) changes nothing."""
    settings = replace(
        DEFAULT_SETTINGS, max_plausible_count=count, max_plausible_casualties=casualties
    )
    batch = load_documents(make_documents(120, seed=9), settings=settings)
    geo = pipeline.make_geo(settings=settings)
    spans: dict[str, list] = {}
    for aid, i, s, e in batch.sentences[["article_id", "sent_idx", "start", "end"]].itertuples(
        index=False
    ):
        spans.setdefault(aid, []).append((i, s, e))
    seen = flagged = followed = 0
    for aid, text, published in batch.articles[["article_id", "text", "published"]].itertuples(
        index=False
    ):
        for c in C.extract_article_claims(
            article_id=aid,
            text=text,
            sentences=sorted(spans.get(aid, [])),
            published=published,
            geo=geo,
            settings=settings,
        ):
            before = (list(c.rules), dict(c.vague), *(getattr(c, f) for f in FIGURES))
            C._check_plausible(c, settings)
            assert (list(c.rules), dict(c.vague), *(getattr(c, f) for f in FIGURES)) == before
            seen += 1
            flagged += any(r.startswith("implausible:") for r in c.rules)
            followed += "followup" in c.rules
    assert seen > 100 and followed > 5
    assert flagged > 5 or count == 20_000


def test_no_speaker_span_names_no_claim() -> None:
    """_sentence_claims asks for the claim a speaker names only when the sentence has a
    speaker span: without one there is none to find."""
    geo = pipeline.make_geo(settings=DEFAULT_SETTINGS)
    batch = load_documents(make_documents(60, seed=4), settings=DEFAULT_SETTINGS)
    claims = pipeline.extract_claims(batch.articles, batch.sentences, settings=DEFAULT_SETTINGS)
    made = [
        C.Claim(
            article_id="a", sent_idx=0, sentence="", start=0, end=0, rules=[], attacker=None,
            date=None, date_precision=None, date_source="", place=SimpleNamespace(name=name),
            place_text=None, place_start=None, place_end=None,
        )
        for name in claims["location"].dropna().unique()[:40]
    ]  # fmt: skip
    asked = named = 0
    for text in batch.sentences["text"].tolist()[:400]:
        mentions = geo.find(text)
        if mentions:
            asked += 1
            assert C._claim_named_by_speaker(made, made[0], mentions, (), geo) is None
            whole = ((0, len(text)),)  # the same mentions inside a speaker span name some
            named += C._claim_named_by_speaker(made, made[0], mentions, whole, geo) is not None
    assert asked > 50 and named > 5
