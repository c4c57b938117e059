"""Coverage-guided fuzzing of the text pipeline with atheris (libFuzzer).  Not part of pytest.

    python tools/fuzz_pipeline.py -max_total_time=60              # a bounded run (make fuzz)
    python tools/fuzz_pipeline.py -max_total_time=3600 fuzz-corpus/   # longer, keeping a corpus
    python tools/fuzz_pipeline.py crash-1a2b3c...                  # replay one finding

Each input is one document: its first byte picks the file name (.txt, .md, .html or a pasted
text without one) and the curated publication date (none, a real one, an impossible one); the
rest are the document's bytes.  It runs through the whole text pipeline (load_documents ->
extract_claims -> merge_claims) and must

  * never raise (a rejection is an answer, an exception is a finding),
  * give sentence, claim and span offsets inside the cleaned text, sentences of at most
    MAX_SENTENCE_CHARS characters, claims whose sentence is the text at their offsets,
  * give events that satisfy the event contract (fields, precision, kind, plausible figures),
  * finish within ``-timeout`` seconds (20 unless given: a slow input is a finding too).

Only the ``strikes`` package is instrumented (coverage of pandas or lxml would only slow the
search).  Without a corpus folder on the command line the run starts from a temporary one
seeded with seeds/ and tests/bad_inputs/ (so is an empty corpus folder given), and uses a dictionary of the extractor's vocabulary
and of HTML/encoding tricks.  libFuzzer writes what it finds as ``crash-*`` / ``timeout-*``
files in the working directory.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NAMES = ("fuzz.txt", "fuzz.md", "fuzz.html", "pasted")
DATES = (None, "2025-07-06", "2099-13-45")
CONTRACT = {
    "event_id", "date", "date_precision", "attacker", "location", "admin1", "country_code",
    "lat", "lon", "geo_precision", "weapons", "weapon_models", "launched", "intercepted",
    "killed", "injured", "kind", "claimed_by", "sources", "conflicts",
}  # fmt: skip
SLOW_S = 20.0  # per input, also libFuzzer's -timeout unless given

# Tokens libFuzzer splices into inputs: the extractor's vocabulary and markup/encoding tricks.
DICTIONARY = [
    "Russia", "Ukraine", "Russian", "Ukrainian", "launched", "shot down", "drones", "missiles",
    "Shahed", "Iskander", "glide bombs", "killed", "injured", "at least", "more than", "dozens",
    "overnight", "on Sunday", "into Friday", "last month", "Kyiv", "Kharkiv", "Odesa",
    "the Rostov region", "Crimea", "officials said", "according to", "Gov.", "550", "5,438",
    "999999999999", "1e9", "of them", "date 2025-07-01", "Related Articles", "Advertisement",
    "<p>", "</p>", "<!--", "-->", "<script>", "<![CDATA[", "<meta charset=cp1251>", "&#x41;",
    "<title>", "\xef\xbb\xbf", "\xff\xfe", "\xe2\x80\xae", "\x00", "\r\n", "\xd0\x9a",
]  # fmt: skip


def split_input(data: bytes):
    """The document one fuzz input stands for."""
    from strikes.documents.articles import RawDocument

    head = data[0] if data else 0
    return RawDocument(NAMES[head % 4], data[1:], published=DATES[(head >> 2) % 3])


_GEO = None


def _geo():
    global _GEO
    if _GEO is None:
        from strikes.pipeline import make_geo

        _GEO = make_geo()
    return _GEO


def check_one(data: bytes) -> None:
    """Run one input through the pipeline; AssertionError (or any exception) is a finding."""
    from strikes.documents.articles import load_documents
    from strikes.documents.sentences import MAX_SENTENCE_CHARS
    from strikes.events import event_records, merge_claims
    from strikes.pipeline import extract_claims

    started = time.monotonic()
    doc = split_input(data)
    batch = load_documents([doc])
    assert len(batch.articles) + len(batch.rejections) >= 1, "no article and no rejection"
    for r in batch.rejections:
        assert r.source and r.reason, r
    texts = dict(zip(batch.articles["article_id"], batch.articles["text"], strict=True))
    for t in texts.values():
        assert t.strip(), "an article without text"
    for s in batch.sentences.itertuples():
        text = texts[s.article_id]
        assert 0 <= s.start < s.end <= len(text), (s.start, s.end, len(text))
        assert s.end - s.start <= MAX_SENTENCE_CHARS, s.end - s.start
        assert text[s.start : s.end] == s.text
    claims = extract_claims(batch.articles, batch.sentences, geo=_geo())
    for c in claims.itertuples():
        text = texts[c.article_id]
        assert text[c.start : c.end] == c.sentence, "claim offsets"
        for span in c.spans:
            assert 0 <= span["start"] < span["end"] <= len(text), span
    events = merge_claims(claims, articles=batch.articles)
    for e in event_records(events):
        assert set(e) >= CONTRACT, CONTRACT - set(e)
        assert e["attacker"], e
        assert e["geo_precision"] in {"point", "city", "region", "country"}, e["geo_precision"]
        assert e["kind"] in {"strike", "total"}, e["kind"]
        for f in ("launched", "intercepted", "killed", "injured"):
            assert e[f] is None or (isinstance(e[f], int) and 0 <= e[f] <= 20_000), (f, e[f])
        for src in e["sources"]:
            assert texts[src["article"]][src["start"] : src["end"]] == src["sentence"]
    elapsed = time.monotonic() - started
    assert elapsed < SLOW_S, f"{len(data):,} bytes took {elapsed:.1f} s"


def _seed_corpus(folder: Path) -> None:
    """seeds/ and tests/bad_inputs/, each file once per document kind (first byte)."""
    files = [
        *sorted((ROOT / "seeds").glob("*.txt")),
        *sorted((ROOT / "tests" / "bad_inputs").iterdir()),
    ]
    for i, path in enumerate(p for p in files if p.is_file()):
        data = path.read_bytes()[:65536]
        kind = 2 if path.suffix in (".html", ".htm") else 1 if path.suffix == ".md" else 0
        (folder / f"seed-{i:03d}").write_bytes(bytes([kind + 4]) + data)


def _dictionary(path: Path) -> None:
    def quote(token: str) -> str:
        raw = token.encode("latin-1", "backslashreplace") if token.isascii() else token.encode()
        out = "".join(
            chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02x}" for b in raw
        )
        return f'"{out}"'

    path.write_text("\n".join(quote(t) for t in DICTIONARY) + "\n", encoding="ascii")


def main(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["strikes"]):
        import strikes.claims
        import strikes.documents.articles
        import strikes.events
        import strikes.pipeline  # noqa: F401
    _geo()  # load the gazetteer before the clock starts

    args = list(argv)
    opts = [a for a in args[1:] if a.startswith("-")]
    paths = [a for a in args[1:] if not a.startswith("-")]
    work = Path(tempfile.mkdtemp(prefix="strikes-fuzz-"))
    if not any(o.startswith("-timeout=") for o in opts):
        args.append(f"-timeout={int(SLOW_S)}")
    if not any(o.startswith("-dict=") for o in opts):
        _dictionary(work / "strikes.dict")
        args.append(f"-dict={work / 'strikes.dict'}")
    if not paths:  # no corpus folder and no input to replay: start from the seeds
        corpus = work / "corpus"
        corpus.mkdir()
        _seed_corpus(corpus)
        args.append(str(corpus))
    for folder in map(Path, paths):  # a new corpus folder starts from the seeds too
        if folder.is_dir() and not any(folder.iterdir()):
            _seed_corpus(folder)
    atheris.Setup(args, check_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
