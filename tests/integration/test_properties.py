"""Property tests of the text pipeline: it never raises, offsets stay inside the text, events
always satisfy the contract, and every pattern stays linear on adversarial text."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strikes.documents.articles import RawDocument
from strikes.documents.sentences import MAX_SENTENCE_CHARS
from strikes.events import event_records
from strikes.pipeline import run_documents

# Words from the domain so generated text reaches the extraction rules, not only the prefilter.
VOCAB = [
    "Russia", "Ukraine", "Russian", "Ukrainian", "launched", "fired", "shot down", "drones",
    "missiles", "Shahed", "glide bombs", "killed", "injured", "at least", "more than", "two",
    "dozens", "550", "5,438", "overnight", "on Sunday", "into Friday", "last month", "in",
    "over", "Kyiv", "Kharkiv", "the Rostov region", "Crimea", "Izhevsk", "said", "according to",
    "Gov.", "officials", "and", ",", ".", "\n", "no casualties", "a fifth", "of them", "the",
    "attack", "strike", "hit", "struck", "Moscow time", "Kim", "including", "17", "(", ")",
]  # fmt: skip
CONTRACT = {
    "event_id", "date", "date_precision", "attacker", "location", "admin1", "country_code",
    "lat", "lon", "geo_precision", "weapons", "weapon_models", "launched", "intercepted",
    "killed", "injured", "kind", "claimed_by", "sources", "conflicts",
}  # fmt: skip

domain_text = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=80).map(" ".join)
any_text = st.text(min_size=1, max_size=400)


def _check(text: str, published: str | None) -> None:
    doc = RawDocument(
        name="prop.txt", data=text.encode("utf-8", "surrogatepass"), published=published
    )
    result = run_documents([doc])
    texts = dict(zip(result.articles["article_id"], result.articles["text"], strict=True))
    for row in result.sentences.itertuples():
        assert 0 <= row.start < row.end <= len(texts[row.article_id])
        assert row.end - row.start <= MAX_SENTENCE_CHARS
    for c in result.claims.itertuples():
        assert texts[c.article_id][c.start : c.end] == c.sentence
        for span in c.spans:
            assert 0 <= span["start"] < span["end"] <= len(texts[c.article_id])
    for e in event_records(result.events):
        assert set(e) >= CONTRACT
        assert e["attacker"] and e["geo_precision"] in {"point", "city", "region", "country"}
        assert e["kind"] in {"strike", "total"}
        for f in ("launched", "intercepted", "killed", "injured"):
            assert e[f] is None or (isinstance(e[f], int) and 0 <= e[f] <= 20_000)
        for s in e["sources"]:
            assert texts[s["article"]][s["start"] : s["end"]] == s["sentence"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domain_text, st.sampled_from([None, "2025-07-06"]))
def test_domain_text_never_breaks_the_contract(text, published):
    _check(text, published)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_arbitrary_text_never_raises(text):
    _check(text.replace("\x00", ""), "2025-07-06")


# Run-on text without full stops: sentences longer than the cap, cut into bounded pieces.
run_on_text = st.lists(
    st.sampled_from([w for w in VOCAB if w not in {".", "\n"}]), min_size=200, max_size=700
).map(" ".join)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_on_text)
def test_run_on_text_keeps_the_contract(text):
    _check(text, "2025-07-06")


ADVERSARIAL = [
    "1," * 20_000,
    "a " * 30_000,
    "Russian " * 10_000 + "drones",
    "(" * 20_000,
    "at least " * 5_000 + "5",
    "killed " * 10_000,
    "Gov. " * 10_000,
    "U.S. " * 10_000,
    "Lt. Gen. " * 5_000 + "Kellogg said.",
    "Moscow's " * 8_000 + "airport",
    "said " * 10_000,
    "according to " * 5_000,
    "the city of " * 5_000 + "Kyiv",
    "drones and " * 8_000 + "missiles",
    "x" * 200_000,
    ("Kyiv, " * 4_000) + "and Lviv were hit by Russian drones.",
]


def test_patterns_stay_linear_on_adversarial_text():
    for text in ADVERSARIAL:
        started = time.process_time()
        _check(text, "2025-07-06")
        assert time.process_time() - started < 5, text[:40]
