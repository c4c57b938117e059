"""`python -m bench` and what the speed-ups rest on: exact regex gates, the numpy
MinHash, the reproducible corpus.  Small sizes: values are checked for sanity, not speed."""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.corpus import make_documents, make_events, write_corpus
from strikes import claims, dates, numbers
from strikes.documents import boilerplate, neardup
from strikes.schema import EVENTS
from strikes.settings import DEFAULT_SETTINGS
from strikes.speed.fastmatch import LiteralGate, MultiGate, TextScan, literal_prefixes

ROOT = Path(__file__).resolve().parents[2]
KEYS = (
    "articles_per_s",
    "mb_per_s",
    "gazetteer_load_s",
    "peak_rss_mb",
    "store_ingest_per_s",
    "filter_ms",
    "map_payload_ms",
)


def test_bench_cli_prints_one_json_line_without_streamlit() -> None:
    code = (
        "import sys\n"
        "from bench.__main__ import main\n"
        "rc = main(['--articles', '200', '--events', '5000', '--seed', '3',"
        " '--repeat', '2'])\n"
        "assert 'streamlit' not in sys.modules, 'bench imported streamlit'\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    res = json.loads(lines[0])
    for k in KEYS:
        assert k in res, k
    assert res["articles"] == 200 and res["events"] == 5000
    assert res["articles_per_s"] > 10 and res["mb_per_s"] > 0
    # The headline is the fastest of the cold runs; every run is reported.
    runs = res["articles_per_s_runs"]
    assert len(runs) == 2 and res["articles_per_s"] == max(runs)
    assert min(runs) <= res["articles_per_s_median"] <= max(runs)
    assert 0 < res["gazetteer_load_s"] < 5
    assert 50 < res["peak_rss_mb"] < 2000
    assert res["store_ingest_per_s"] > 5 and res["store_events"] == res["pipeline_events"]
    assert 0 < res["filter_ms"] < 5000
    assert res["map_payload_ms"] is None or res["map_payload_ms"] > 0
    # The corpus has what the pipeline must handle: copies, and attacks reported many times.
    assert res["near_duplicates"] > 0 and res["multi_source_events"] > 0
    assert res["pipeline_events"] > 50
    # Syndicated copies repeat sentences, but the timed run starts with empty caches.
    assert 0 < res["sentence_cache_hit_rate"] < 1


@pytest.mark.parametrize(
    ("load", "cpus", "busy"),
    [
        (0.2, 2, False),
        (1.0, 2, False),
        (1.3, 2, True),
        (3.9, 4, True),
        (2.9, 4, False),
        (0.9, 1, True),
        (None, 2, False),
        (5.0, None, False),
    ],
)
def test_busy_warning_when_no_core_is_left_idle(load, cpus, busy) -> None:
    from bench.run import busy_warning

    note = busy_warning(load, cpus)
    assert (note is not None) == busy
    if busy:
        assert f"{load:.2f} on {cpus} CPUs" in note and "articles_per_cpu_s" in note


def test_bench_records_the_load_it_started_under(monkeypatch) -> None:
    import io

    from bench import run as bench
    from bench.__main__ import main

    monkeypatch.setattr(bench.os, "getloadavg", lambda: (7.5, 7.0, 6.0))
    out, err = io.StringIO(), io.StringIO()
    assert (
        main(
            ["--articles", "20", "--events", "0", "--no-store", "--repeat", "1"],
            out=out,
            err=err,
        )
        == 0
    )
    res = json.loads(out.getvalue())
    assert res["machine"]["load_avg_1m_at_start"] == 7.5
    assert "the machine was busy" in err.getvalue()


def test_bench_profile_goes_to_stderr() -> None:
    import io

    from bench.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    rc = main(["--articles", "30", "--events", "0", "--no-store", "--profile"], out=out, err=err)
    assert rc == 0
    assert "hottest functions" in err.getvalue() and "tottime" in err.getvalue()
    res = json.loads(out.getvalue())
    assert "store_ingest_per_s" not in res and "filter_ms" not in res


def test_scaling_reports_both_sizes_and_ratios() -> None:
    from bench.run import scaling

    res = scaling(20, seed=1, settings=DEFAULT_SETTINGS, factor=2)
    assert res["factor"] == 2
    assert res["large"]["articles"] > res["small"]["articles"]
    assert set(res["ratio"]) >= {"merge_s", "neardup_s", "cross_source_s", "total_s"}


def test_stage_times_merge_like_the_pipeline(monkeypatch) -> None:
    """Every timed stage runs with the batch's collector threshold, as in run_documents."""
    import gc

    from bench.run import stage_times
    from strikes import events

    seen = []
    real_merge = events.merge_claims

    def merge(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(events, "merge_claims", merge)
    before = gc.get_threshold()
    res = stage_times(make_documents(5, seed=3), settings=DEFAULT_SETTINGS)
    assert seen == [max(DEFAULT_SETTINGS.batch_gc_threshold, before[0])]
    assert res["events"] > 0 and gc.get_threshold() == before


def test_bench_rejects_bad_sizes() -> None:
    import io

    from bench.__main__ import main

    err = io.StringIO()
    assert main(["--articles", "0"], out=io.StringIO(), err=err) == 2
    assert "--articles" in err.getvalue()
    err = io.StringIO()
    assert main(["--repeat", "0"], out=io.StringIO(), err=err) == 2
    assert "--repeat" in err.getvalue()


# --- the corpus -----------------------------------------------------------------------------


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    a = make_documents(40, seed=5)
    b = make_documents(40, seed=5)
    assert [(d.name, d.data, d.published) for d in a] == [(d.name, d.data, d.published) for d in b]
    assert [d.data for d in make_documents(40, seed=6)] != [d.data for d in a]
    folder = write_corpus(tmp_path / "c", a)
    assert len(list(folder.glob("*.txt"))) == 40
    assert (folder / "manifest.csv").read_text().startswith("file,published,outlet,url")


def test_events_table_has_the_schema() -> None:
    ev = make_events(300, seed=2)
    assert list(ev.columns) == list(EVENTS)
    assert len(ev) == 300 and ev["event_id"].is_unique
    assert {"Russia", "Ukraine"} <= set(ev["attacker"])
    assert (ev["geo_precision"] == "country").any() and ev["lat"].notna().all()


# --- exact regex gates ----------------------------------------------------------------------

EXOTIC = {0x130, 0x131, 0x17F, 0x212A}


def test_unicode_facts_the_gates_rely_on() -> None:
    ascii_letter = re.compile(r"(?i)[a-z]")
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if ascii_letter.fullmatch(ch):
            assert cp in EXOTIC, hex(cp)
        if cp not in EXOTIC:
            low = ch.lower()
            assert len(low) == 1 and not low.isascii(), hex(cp)


def _gates():
    for mod in (claims, boilerplate):
        for name, value in vars(mod).items():
            if isinstance(value, LiteralGate):
                yield name, value


def test_the_hot_patterns_are_gated() -> None:
    names = dict(_gates())
    for n in ("_PREFILTER", "_PROMO_KEYWORDS_GATE"):
        assert names[n].gated, n
    gates = claims._SENTENCE_GATES
    for p in (claims.WEAPON_RE, claims.KILL_RE, claims.TARGET_CUE_BEFORE_RE, claims.SAID_RE):
        assert gates.gated(p), p.pattern
    assert gates.gated(claims.SUBJECT_VERB_RE)  # upper-case literals: scanned lower-cased
    assert literal_prefixes(re.compile(r"\d+ drones")) is None  # no literal start: no gate
    assert literal_prefixes(re.compile(r"\d+ drones"), ascii_text=True) is not None


def _random_texts(n: int, seed: int) -> list[str]:
    words = [
        "Russia",
        "Ukraine",
        "drone",
        "drones",
        "missile",
        "Shahed",
        "Kh-101",
        "S-300",
        "air",
        "strike",
        "airstrike",
        "attack",
        "attacked",
        "killed",
        "killing",
        "injured",
        "wounded",
        "no",
        "casualties",
        "overnight",
        "into",
        "Friday",
        "on",
        "Monday",
        "May",
        "5",
        "2025-07-04",
        "last",
        "month",
        "since",
        "the",
        "start",
        "of",
        "the",
        "war",
        "according",
        "to",
        "said",
        "says",
        "the",
        "region",
        "oblast",
        "Kyiv",
        "Kharkiv",
        "shot",
        "down",
        "120",
        "of",
        "300",
        "including",
        "17",
        "over",
        "Crimea",
        "could",
        "will",
        "deal",
        "budget",
        "a",
        "day",
        "earlier",
        "that",
        "night",
        "hours",
        "later",
        "explosions",
        "İstanbul",
        "ſhahed",
        "KILLED",
        "３",
        "٣",
        "—",
        "1,200",
        "at least",
        "twenty-one",
        "a dozen",
        "hundreds",
        "3.5",
        "2 million",
        "’",
        ",",
        ".",
        ";",
        "(",
        ")",
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randrange(1, 30)
        sep = rng.choice([" ", " ", " ", "", "-", ", "])
        out.append(sep.join(rng.choice(words) for _ in range(k)))
    return out


def _spans(it) -> list:
    return [(m.span(), m.groupdict()) for m in it]


def test_gates_return_what_the_patterns_return() -> None:
    texts = _random_texts(1500, 11) + [s.text for s in _seed_sentences()]
    for name, gate in _gates():
        for t in texts:
            a, b = gate.pattern.search(t), gate.search(t)
            assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), (
                name,
                t,
            )
            assert _spans(gate.pattern.finditer(t)) == _spans(gate.finditer(t)), (name, t)
            assert gate.test(t) == (a is not None), (name, t)
    rng = random.Random(3)
    joined = " ".join(texts[:400])
    cuts = sorted(rng.sample(range(len(joined)), 300))
    spans = [(a, b) for a, b in itertools.pairwise(cuts) if rng.random() < 0.8]
    for name, gate in _gates():
        expected = [gate.pattern.search(joined[a:b]) is not None for a, b in spans]
        assert gate.test_spans(joined, spans) == expected, name
    for t in texts:
        starts = dates._GATE.scan(t)
        for i, (_kind, pattern) in enumerate(dates._PATTERNS):
            assert _spans(pattern.finditer(t)) == _spans(dates._GATE.finditer(i, t, starts))
        flat = numbers._NUMBER_GATE
        assert _spans(numbers.NUMBER_RE.finditer(t)) == _spans(flat.finditer(0, t, flat.scan(t)))
        window = t[-60:]
        a, b = claims.WEAPON_PREFIX_RE.search(window), claims._weapon_prefix(window)
        assert (a and a.span()) == (b and b.span())


def test_target_facility_gate_keeps_the_answer() -> None:
    names = ["Novoshakhtinsk Oil Refinery", "Saky Air Base", "Kyiv Thermal Power Plant", "Port"]
    texts = _random_texts(400, 8) + [s.text for s in _seed_sentences()]
    texts += [f"drones struck the {n} overnight" for n in names]
    for t in texts:
        m = claims.NAMED_FACILITY_RE.search(t)
        expected = m.group("t").strip() if m else None
        if expected is None and (m := claims.TARGET_FACILITY_RE.search(t)):
            expected = re.sub(r"^(?:a|an|the)\s+", "", m.group("t").strip(), flags=re.I)
        assert claims._target_facility.__wrapped__(t) == expected, t
    assert claims._target_facility.__wrapped__("drones struck the Saky Air Base") == "Saky Air Base"


def _match_key(m):
    return m and (m.span(), m.groupdict())


def test_sentence_gates_answer_for_pieces_what_the_patterns_answer() -> None:
    texts = _random_texts(300, 5) + [s.text for s in _seed_sentences()]
    rng = random.Random(9)
    gates = claims._SENTENCE_GATES
    before = TextScan.misplaced
    for t in texts:
        scan = gates.scan(t)
        for _ in range(3):
            a = rng.randrange(len(t) + 1)
            b = rng.randrange(a, len(t) + 1)
            piece = t[a:b]
            for p in gates.patterns:
                expected = p.search(piece)
                assert _match_key(scan.search(p, piece, a)) == _match_key(expected), (p, piece)
                assert scan.test(p, piece, a) == (expected is not None), (p, piece)
                assert _spans(scan.finditer(p, piece, a)) == _spans(p.finditer(piece)), (p, piece)
            window = piece[-60:]
            got = claims._weapon_prefix(window, scan, b - len(window))
            assert _match_key(got) == _match_key(claims.WEAPON_PREFIX_RE.search(window))
    assert TextScan.misplaced == before
    # A piece given at the wrong offset still gets the pattern's answer, and is counted.
    scan = gates.scan("Russia launched 40 drones at Kyiv overnight")
    assert scan.test(claims.WEAPON_RE, "drones", 0)
    assert not scan.test(claims.KILL_RE, "drones", 0)
    assert TextScan.misplaced == before + 2


def test_extraction_gives_every_gated_piece_its_true_offset() -> None:
    from strikes.documents.articles import load_articles
    from strikes.pipeline import extract_claims

    batch = load_articles([ROOT / "seeds", ROOT / "tests" / "fixtures"])
    before = TextScan.misplaced
    claims.clear_caches()
    found = extract_claims(batch.articles, batch.sentences)
    assert len(found) > 20
    assert TextScan.misplaced == before


def test_multigate_without_literals_scans_in_full() -> None:
    gate = MultiGate([re.compile(r"\w+"), re.compile(r"(?i)drones?")])
    t = "Two DRONES, then a drone"
    st = gate.scan(t)
    assert st[0] is None
    assert _spans(gate.finditer(0, t, st)) == _spans(re.finditer(r"\w+", t))
    assert [m.group(0) for m in gate.finditer(1, t, st)] == ["DRONES", "drone"]


def _seed_sentences():
    from strikes.documents.articles import load_articles

    batch = load_articles([ROOT / "seeds"])

    class S:
        def __init__(self, text: str) -> None:
            self.text = text

    return [S(t) for t in batch.sentences["text"].tolist()]


# --- near-duplicates: numpy MinHash == datasketch -------------------------------------------


def test_numpy_minhash_equals_datasketch() -> None:
    from datasketch import MinHash, MinHashLSH

    rng = np.random.default_rng(4)
    for size in (1, 7, 300):
        hashes = np.unique(rng.integers(0, 2**32, size, dtype=np.uint64))
        m = MinHash(num_perm=64, seed=1, hashfunc=int)
        m.update_batch(hashes.tolist())
        assert (neardup.minhash(hashes, num_perm=64) == m.hashvalues).all()
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    assert neardup._LSH_PARAMS[(0.5, 64)] == (lsh.b, lsh.r)


@pytest.mark.slow
def test_groups_equal_datasketch_lsh() -> None:
    from datasketch import MinHash, MinHashLSH

    from strikes.documents.articles import load_documents

    texts = load_documents(make_documents(400, seed=9, dup_rate=0.3)).articles["text"].tolist()
    rng = random.Random(1)
    for t in texts[:80]:  # copies trimmed by a third: near the threshold
        w = t.split()
        k = rng.randrange(len(w))
        texts.append(" ".join(w[:k] + w[k + len(w) // 3 :]))
    template = MinHash(num_perm=64, seed=1, hashfunc=int)
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    sketches = []
    for i, t in enumerate(texts):
        m = MinHash(
            num_perm=64,
            seed=1,
            hashfunc=int,
            permutations=template.permutations,
            scheme=template.scheme,
        )
        m.update_batch(neardup.shingle_hashes(t, 5).tolist())
        sketches.append(m)
        for j in lsh.query(m):
            ri, rj = find(i), find(j)
            if ri != rj and m.jaccard(sketches[j]) >= 0.5:
                parent[max(ri, rj)] = min(ri, rj)
        lsh.insert(i, m)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(find(i), []).append(i)
    expected = [g for g in groups.values() if len(g) > 1]
    assert neardup.find_groups(texts) == expected
    assert len(expected) > 20


# --- batches: fewer collector passes, thresholds restored ------------------------------------


def test_batch_gc_raises_the_threshold_and_restores_it() -> None:
    import gc
    import threading

    from strikes.settings import Settings
    from strikes.speed.gcpause import batch_gc

    before = gc.get_threshold()
    settings = Settings(batch_gc_threshold=before[0] * 10)
    with batch_gc(settings=settings):
        assert gc.get_threshold()[0] == before[0] * 10
        with batch_gc(settings=settings):  # nested: still raised
            assert gc.get_threshold()[0] == before[0] * 10
        assert gc.get_threshold()[0] == before[0] * 10
    assert gc.get_threshold() == before

    # Overlapping batches in two threads: the last one out restores the thresholds.
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with batch_gc(settings=settings):
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=other)
    with batch_gc(settings=settings):
        t.start()
        assert inside.wait(5)
    assert gc.get_threshold()[0] == before[0] * 10  # the other batch still runs
    leave.set()
    t.join(5)
    assert gc.get_threshold() == before

    with pytest.raises(RuntimeError), batch_gc(settings=settings):
        raise RuntimeError("a failing batch")
    assert gc.get_threshold() == before


@pytest.mark.parametrize(("env", "backend"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_arrow_buffers_use_the_system_allocator_unless_told(env, backend) -> None:
    """mimalloc kept freed pages for reuse and raised the pipeline's peak RSS by ~35 MB; an
    explicit ARROW_DEFAULT_MEMORY_POOL is still obeyed."""
    import os

    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env:
        environ["ARROW_DEFAULT_MEMORY_POOL"] = env
    code = (
        "import pyarrow as pa, strikes.schema\n"
        "import pandas as pd\n"
        "s = pd.Series(['a', 'b'], dtype='string')\n"
        "print(pa.default_memory_pool().backend_name, pa.default_memory_pool().bytes_allocated())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    name, allocated = proc.stdout.split()
    assert name == backend
    assert int(allocated) > 0  # the string column's buffers came from that pool


def test_sentence_caches_serve_one_batch_and_change_nothing(monkeypatch) -> None:
    import functools

    from strikes import claims, pipeline

    docs = make_documents(150, seed=5)
    pipeline.clear_caches()
    cached = pipeline.run_documents(docs)
    assert claims._sentence_facts.cache_info().currsize == 0  # nothing kept after the batch
    rate = pipeline.sentence_cache_hit_rate()
    assert rate is not None and 0 < rate < 1  # copies in the corpus repeat sentences
    # Every sentence analysed afresh: the very same claims and events.
    for name in ("_sentence_facts", "_target_facility", "_implausible_in"):
        fresh = functools.lru_cache(maxsize=0)(getattr(claims, name).__wrapped__)
        monkeypatch.setattr(claims, name, fresh)
    monkeypatch.setattr(
        dates, "_date_shapes", functools.lru_cache(maxsize=0)(dates._date_shapes.__wrapped__)
    )
    uncached = pipeline.run_documents(docs)
    assert pipeline.sentence_cache_hit_rate() == 0
    pd.testing.assert_frame_equal(cached.claims, uncached.claims)
    pd.testing.assert_frame_equal(cached.events, uncached.events)
