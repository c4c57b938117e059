"""The articles stage's fast paths give exactly what the plain code they stand in for gives.

Each fast path (bytes.translate + split instead of a regex, a byte search before a regex, ...)
is checked against the original expression on every relevant character and on random text.
"""

from __future__ import annotations

import itertools
import random
import re

import pytest

from strikes.documents import decode, metadata, neardup, sentences
from strikes.documents.articles import _title_key

RNG_SEED = 20240601


def _random_text(rng: random.Random, alphabet: str, max_len: int = 40) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(max_len)))


# Characters that matter to the patterns below, plus a spread of others.
ALPHABET = (
    "".join(chr(c) for c in range(128))
    + "\u00a0\u00a9\u00ad\u00c2\u00c3\u00e9\u00f4\u00ff\u0420\u0421\u0430\u0456\u2013\u2014"
    + "\u2018\u2019\u201c\u201d\u200b\u2060\u202a\u2066\ufeff\ufffd\ue000\uf8ff\U0001f600"
    + "\u0130\u0131\u017f\u212a\u00df\u1e9e"
)


def test_neardup_words_match_the_word_regex_on_every_byte() -> None:
    for b in range(256):
        data = bytes([65, b, 66, b, b, 0x80, b, 67])
        assert neardup._WORD.findall(data) == data.translate(neardup._SPACE_OUT).split(), b


def test_neardup_words_match_the_word_regex_on_random_text() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(3000):
        text = _random_text(rng, ALPHABET)
        folded = text.casefold()
        if not folded.isascii():
            folded = neardup._PUNCT.sub(" ", folded)
        assert neardup._words_of(text) == neardup._WORD.findall(folded.encode("utf-8"))


def test_neardup_sketch_ignores_repeated_shingles() -> None:
    text = "the same words again and again and again and again the same words"
    with_repeats = neardup._shingles(text, 2)
    assert len(with_repeats) > len(neardup.shingle_hashes(text, 2))
    assert (
        neardup.minhash(with_repeats, num_perm=64)
        == neardup.minhash(neardup.shingle_hashes(text, 2), num_perm=64)
    ).all()


def _title_key_reference(s: str) -> str:
    s = s.casefold().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\W+", " ", s).strip()


def test_title_key_fast_path_matches_the_regex() -> None:
    rng = random.Random(RNG_SEED)
    ascii_chars = "".join(chr(c) for c in range(128))
    for c in ascii_chars:
        assert _title_key(f"A{c}b {c}") == _title_key_reference(f"A{c}b {c}")
    for _ in range(5000):
        text = _random_text(rng, ascii_chars if rng.random() < 0.8 else ALPHABET)
        assert _title_key(text) == _title_key_reference(text), repr(text)


def test_count_non_text_matches_the_regex() -> None:
    rng = random.Random(RNG_SEED)
    for c in ALPHABET:
        assert decode._count_non_text(f"a{c}b{c}") == len(decode._NON_TEXT.findall(f"a{c}b{c}"))
    for _ in range(5000):
        text = _random_text(rng, ALPHABET)
        assert decode._count_non_text(text) == len(decode._NON_TEXT.findall(text)), repr(text)
    lone_surrogate = "a\ud800b"
    assert decode._count_non_text(lone_surrogate) == 0


def test_mojibake_byte_gate_never_hides_a_hint() -> None:
    # The gate skips the regex only when none of its first characters is in the text.
    for c in range(0x10000):
        ch = chr(c)
        raw = ch.encode("utf-8", "surrogatepass")
        if not any(lead in raw for lead in decode._MOJIBAKE_LEADS):
            assert not decode._MOJIBAKE_HINT.search(ch + "\u0080\u20ac\u2019\u0402"), hex(c)


@pytest.mark.parametrize(
    "text",
    [
        "Ð¡Ð»Ð°Ð²Ð°",  # UTF-8 Cyrillic read as cp1252
        "Kyivâ€™s mayor",  # a curly apostrophe read as cp1252
        "Р’РѕР№РЅР°",  # UTF-8 Cyrillic read as cp1251
        "clean © text — with “quotes”",
    ],
)
def test_repair_mojibake_unchanged_by_the_gate(text: str) -> None:
    import ftfy

    expected = (
        text
        if text.isascii() or not decode._MOJIBAKE_HINT.search(text)
        else ftfy.fix_text(text, config=decode._ftfy_config())
    )
    assert decode.repair_mojibake(text) == expected


def test_binary_magic_still_named() -> None:
    for magic, what in decode._MAGIC:
        with pytest.raises(decode.InputRejected, match=re.escape(what)):
            decode.decode_bytes(magic + b"rest of file", source="x")


def test_missed_boundary_needs_an_abbreviation_word() -> None:
    # Wherever the regex finds a boundary, the piece has a whitespace-delimited "Abbr." word.
    rng = random.Random(RNG_SEED)
    words = ["he", "left.", "said!", "Col.", "Gen.", "Dr.", "Mr.", "stayed.", "“Go.”", "us?"]
    seps = [" ", "  ", "\u00a0", "\t", "\u2003", "\x1c"]
    for _ in range(5000):
        piece = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randrange(8)))
        if sentences._MISSED_BOUNDARY.search(piece):
            assert not sentences._ABBREVIATION_WORDS.isdisjoint(piece.split()), repr(piece)


def test_suffix_is_path_suffix() -> None:
    from pathlib import Path

    from strikes.documents.articles import _suffix

    names = ["a.txt", "a.TXT", ".txt", "a.", "a..", "..", ".", "", "a.b.c", "a", "x/y.md", "x/"]
    names += ["dir.d/file", "a.tar.gz", " .txt", "a .txt", "a\x00.txt", "résumé.Html", "a\\b.txt"]
    for name in names:
        assert _suffix(name) == Path(name).suffix, repr(name)


def test_promo_keyword_test_covers_every_literal_of_the_pattern() -> None:
    from strikes.documents import boilerplate as bp
    from strikes.speed.fastmatch import literal_prefixes

    literals = literal_prefixes(bp._PROMO_KEYWORDS)
    assert literals
    for lit in literals:
        assert bp._has_promo_keyword(f"xx {lit} yy"), lit
    assert not bp._has_promo_keyword("russia launched drones at the city overnight")


def test_byline_and_breadcrumb_prechecks_are_necessary() -> None:
    from strikes.documents import boilerplate as bp

    for verb in ("writes", "write", "reports", "report", "reported", "wrote", "contributed"):
        assert any(v in verb for v in bp._BYLINE_VERBS), verb
        line = f"Jane Doe {verb} for the Associated Press."
        assert bp._BYLINE[1].match(line), line
    for by in ("By", "by", "BY"):
        assert by in bp._BY and bp._BYLINE[0].match(f"{by} Jane Doe")
    assert not bp._BYLINE[0].match("bY Jane Doe")
    for sep in ">›»/":
        assert sep in bp._BREADCRUMB_SEPARATORS
        assert bp._BREADCRUMB.match(f"World {sep} Europe {sep} Ukraine")
    assert not bp._BREADCRUMB.match("World | Europe | Ukraine")


def test_line_reasons_unchanged_on_known_junk() -> None:
    from strikes.documents import boilerplate as bp

    cases = {
        "By Jane Doe and John Roe": "byline",
        "Novikov and Burrows write for the Associated Press.": "byline",
        "Doe reported from Kyiv.": "byline",
        "Home > World > Europe": "breadcrumb",
        "Get the latest news delivered straight to your inbox": "promo",
        "Read our privacy policy and terms of use before you sign in": "promo",
        "Download it now, available on the App Store and Google Play": "promo",
        "Russian drones struck the port of Odesa overnight, the governor said.": None,
    }
    for line, reason in cases.items():
        assert bp.line_reason(line) == reason, line


@pytest.mark.parametrize(("block", "texts_per_block"), [(1, 256), (7, 5), (1 << 14, 1), (8, 1000)])
def test_batched_sketches_equal_one_text_at_a_time(monkeypatch, block, texts_per_block) -> None:
    from bench.corpus import make_documents

    monkeypatch.setattr(neardup, "_BLOCK_SHINGLES", block)
    monkeypatch.setattr(neardup, "_SKETCH_TEXTS", texts_per_block)
    texts = [d.data.decode("utf-8") for d in make_documents(40, seed=3)]
    texts[3:3] = ["", "one", "two words", "!!!", "a b c d", "a b c d e"]
    for k in (1, 2, 5):
        sketches, present = neardup._sketch_all(texts, k, 64)
        for i, text in enumerate(texts):
            hashes = neardup.shingle_hashes(text, k)
            assert present[i] == (len(hashes) > 0)
            if len(hashes):
                assert (sketches[i] == neardup.minhash(hashes, num_perm=64)).all(), (i, k)
    assert neardup._sketch_all([], 5, 64)[1] == []
    assert neardup._sketch_all(["", "..."], 5, 64)[1] == [False, False]


def test_title_key_starts_with_a_leading_ascii_word_character() -> None:
    from strikes.documents.articles import _ASCII_WORD_CHARS

    rng = random.Random(RNG_SEED)
    for _ in range(5000):
        text = rng.choice(sorted(_ASCII_WORD_CHARS)) + _random_text(rng, ALPHABET)
        assert _title_key(text)[:1] == text[0].lower(), repr(text)


def test_dateline_first_character_gate_is_exact() -> None:
    # Every character the gate turns away fails all three dateline patterns.
    from strikes.documents.metadata import _DATELINE_FIRST

    tails = ["ate: 2024-01-05", "ublished July 1, 2025", "onday, 3 March 2024", "024-01-05", ""]
    for c in map(chr, range(128)):
        if c in _DATELINE_FIRST or c.isspace():
            continue
        for tail in tails:
            for line in (c + tail, "  " + c + tail):
                assert not (
                    metadata._DATELINE_LABELED.match(line)
                    or metadata._DATELINE_ISO.match(line)
                    or metadata._DATELINE_ALONE.match(line)
                ), repr(line)
                assert metadata.match_dateline(line) is None
    assert metadata.match_dateline("Published: July 1, 2025") is not None
    assert metadata.match_dateline("  2024-01-05 Kyiv") is not None
    assert metadata.match_dateline("Monday, 3 March 2024") is not None


def test_has_control_matches_the_regex() -> None:
    # Every character up to U+FFFF alone and between letters (Latin-1 text takes the byte
    # path, any other the regex), then random mixes.
    for cp in range(0x10000):
        c = chr(cp)
        for text in (c, f"a{c}b", f"©{c}"):
            assert decode._has_control(text) == bool(decode._CONTROL.search(text)), hex(cp)
    rng = random.Random(RNG_SEED)
    latin1 = "".join(chr(c) for c in range(256))
    for _ in range(5000):
        text = _random_text(rng, latin1 if rng.random() < 0.7 else ALPHABET)
        assert decode._has_control(text) == bool(decode._CONTROL.search(text)), repr(text)


def test_clean_unicode_unchanged_by_the_control_gate() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(3000):
        text = _random_text(rng, ALPHABET)
        expected = decode._NEWLINES.sub("\n", text)
        expected = decode._CONTROL.sub("", expected)
        assert decode.clean_unicode(text) == expected, repr(text)


@pytest.mark.parametrize(
    "data",
    [
        b"plain ascii\r\nline two\x0b",
        "© 2024 Daily Ledger. All rights reserved.\u00ad".encode(),
        "curly ’quotes’ and \u200b zero width".encode(),
        "Ã©tÃ© mojibake â€œquotedâ€\x9d".encode(),
        "\ufffd\ufffd bad bytes \ue000".encode(),
        b"\xef\xbb\xbfwith a BOM",
        "cp1251 Привет".encode("cp1251"),
    ],
)
def test_decode_bytes_reuses_the_utf8_bytes_exactly(data: bytes) -> None:
    # Passing the document's own bytes for its UTF-8 form changes nothing.
    got = decode.decode_bytes(data, source="x")
    text = data.decode("utf-8", "replace")
    if got.encoding == "utf-8":
        assert decode._count_non_text(text, data) == decode._count_non_text(text)
        assert decode.repair_mojibake(text, data) == decode.repair_mojibake(text)
        assert got.text == decode.clean_unicode(decode.repair_mojibake(text))


def test_social_precheck_is_is_social_rows_first_test() -> None:
    # _line_reason skips the cached is_social_row when _starts_social fails: every row it
    # accepts must pass that test.
    from strikes.documents import boilerplate as bp

    lines = ["Facebook Twitter Email", "Share: Facebook, X", "x", "The city", "", "   "]
    lines += ["LinkedIn Facebook", "print share copy", "Facebook is a network", ".:|Facebook"]
    rng = random.Random(RNG_SEED)
    words = [*sorted(bp._SOCIAL_WORDS), "the", "Kyiv", "|", "·", "...", "X.", "Facebook:"]
    for _ in range(3000):
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randrange(6))))
    rows = 0
    for line in lines:
        if bp.is_social_row(line):
            rows += 1
            assert bp._starts_social(line), repr(line)
    assert rows > 100
    assert bp.line_reason("Facebook Twitter Email") == "social-links"


def test_breadcrumb_separators_are_the_ones_tested_inline() -> None:
    from strikes.documents import boilerplate as bp

    assert bp._BREADCRUMB_SEPARATORS == (">", "/", "›", "»")
    for sep in bp._BREADCRUMB_SEPARATORS:
        assert bp.line_reason(f"World {sep} Europe {sep} Ukraine") == "breadcrumb"


def test_vectorised_crc_is_zlibs_for_every_length_and_byte() -> None:
    import zlib

    rng = random.Random(RNG_SEED)
    word_bytes = [b for b in range(256) if b != 32]
    words = [bytes([b]) for b in word_bytes]  # every byte alone
    words += [bytes(rng.choice(word_bytes) for _ in range(n)) for n in range(1, 200)]
    words += [
        bytes(rng.choice(word_bytes) for _ in range(rng.randrange(1, 12))) for _ in range(3000)
    ]
    buf = b"  " + b" ".join(words) + b" "
    crc, starts = neardup._crc_words(buf)
    assert crc.tolist() == [zlib.crc32(w) for w in words]
    expected = list(itertools.accumulate((len(w) + 1 for w in words[:-1]), initial=2))
    assert starts.tolist() == expected
    assert len(neardup._crc_words(b"")[0]) == 0
    assert len(neardup._crc_words(b"   ")[0]) == 0


@pytest.mark.parametrize("chunk", [1, 50, 1 << 20])
def test_batch_tokens_equal_tokens_one_text_at_a_time(monkeypatch, chunk: int) -> None:
    import numpy as np

    from bench.corpus import make_documents

    monkeypatch.setattr(neardup, "_CHUNK_BYTES", chunk)
    rng = random.Random(RNG_SEED)
    texts = [d.data.decode("utf-8") for d in make_documents(30, seed=5)]
    texts += [_random_text(rng, ALPHABET, 120) for _ in range(400)]
    texts += ["", "   ", "!!!", "x" * 300, "日本語のテキスト" * 30, "ΣΊΣΥΦΟΣ Straße ǅ İstanbul K"]
    texts += ["word " + "y" * n for n in range(60, 70)]  # around _LONG_WORD
    rng.shuffle(texts)
    every, counts = neardup._batch_tokens(texts)
    assert len(counts) == len(texts) and sum(counts) == len(every)
    offset = 0
    for text, n in zip(texts, counts, strict=True):
        assert np.array_equal(every[offset : offset + n], neardup._tokens(text)), repr(text[:40])
        offset += n
    assert neardup._batch_tokens([])[1] == []


def _merge_reference(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """sentences._merge with its abbreviation test written out plainly."""
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged:
            pa, pb = merged[-1]
            if "\n" not in text[pb:a]:
                m = sentences._LAST_TOKEN.search(text, max(pa, pb - 16), pb)
                if (m and m.group(1) in sentences.TITLE_ABBREVIATIONS) or (
                    sentences._STARTS_LOWER.match(text, a, b)
                ):
                    merged[-1] = (pa, b)
                    continue
        merged.append((a, b))
    return merged


def test_sentence_merge_prechecks_are_exact() -> None:
    rng = random.Random(RNG_SEED)
    words = [a + "." for a in sorted(sentences.TITLE_ABBREVIATIONS)]
    words += ["x" + a + "." for a in ("Gen", "Col", "Dr", "St")] + ["-Gen.", "Lt-Gen.", "of."]
    words += ["said.", "it", "he", "“quoted.”", "(a", "Kyiv.", "Зеленський.", "\n", "'no"]
    for _ in range(4000):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 12)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(1, 8))))
        pieces = []
        for a, b in itertools.pairwise(cuts):
            a, b = sentences._strip(text, a, b)
            if a < b:
                pieces.append((a, b))
        assert sentences._merge(text, pieces) == _merge_reference(text, pieces), (text, pieces)


def test_blingfire_spans_equal_blingfires_own_wrapper() -> None:
    # _blingfire_spans calls the C function itself (newlines counted in its buffer, ends made
    # exclusive lazily): the spans are the ones blingfire's Python wrapper gives.
    import blingfire

    from bench.corpus import make_documents

    rng = random.Random(RNG_SEED)
    texts = [d.data.decode("utf-8") for d in make_documents(20, seed=6)]
    texts += [_random_text(rng, ALPHABET + " . . ! ? \n\n Mr. ", 300) for _ in range(300)]
    texts += ["Hello there. Київ is «big». Mr. X left.\n\nNext one!", "x", "a.b.c. d", "😀. é!"]
    texts += ["Word. " * 5000]  # longer than the first buffer: it grows
    for text in texts:
        if not text.strip():
            continue
        want = blingfire.text_to_sentences_and_offsets(text)[1]
        assert list(sentences._blingfire_spans(text)) == want, repr(text[:60])


def test_whitespace_is_what_the_regex_calls_whitespace() -> None:
    import sys

    from strikes.documents import boilerplate as bp

    space = re.compile(r"\s")
    regex = {c for c in map(chr, range(sys.maxunicode + 1)) if space.match(c)}
    assert regex == set(bp._WHITESPACE)


def _norm_reference(text: str) -> str:
    """boilerplate._norm with the two regex substitutions it had."""
    t = text.strip().lower()
    if not t.isascii():
        t = t.replace("’", "'").replace("‘", "'")
    t = re.sub(r"[\s:.…|>»›]+$", "", re.sub(r"^[\s\-–—•·*>#|]+", "", t))
    return re.sub(r"\s+", " ", t) if "  " in t or "\t" in t else t


def test_norm_strips_what_the_regexes_removed() -> None:
    from strikes.documents import boilerplate as bp

    rng = random.Random(RNG_SEED)
    edge = " \t\n\x1c\x85\xa0\u2003\u3000-–—•·*>#|:.…»›x'’‘A\u00e9"
    for _ in range(4000):
        text = _random_text(rng, edge, 12) + _random_text(rng, ALPHABET, 12)
        text += _random_text(rng, edge, 12)
        assert bp._norm(text) == _norm_reference(text), repr(text)
    for text in ["", "   ", "->|", "Related Articles:", "  — Most read …", "x\n", "a >> b »"]:
        assert bp._norm(text) == _norm_reference(text), repr(text)


def _social_lines(rng: random.Random) -> list[str]:
    from strikes.documents import boilerplate as bp

    words = [*sorted(bp._SOCIAL_WORDS), "the", "Kyiv", "|", "·", "...", "X.", "Facebook:"]
    words += ["FACEBOOK", "Share,", "•Email", "\u212aiev", "said.", "\u00a0", "\t", "(AP)"]
    lines = ["Facebook Twitter Email", "  Share: Facebook, X  ", "x", "", "   ", "© 2024 Wire"]
    lines += [" ".join(rng.choice(words) for _ in range(rng.randrange(9))) for _ in range(3000)]
    lines += ["Facebook " + "word " * n + "Twitter" for n in (1, 3, 80, 100)]  # around 400
    return lines


def test_classify_social_flags_are_strip_social_runs_own_tests() -> None:
    # strip_social_runs reads the first/last-word tests from the cached _classify, and
    # _classify hands the first to _line_reason in place of _starts_social: the same answers.
    from strikes.documents import boilerplate as bp

    for line in _social_lines(random.Random(RNG_SEED)):
        head = line[:16].split(maxsplit=1)
        tail = line[-16:].rsplit(maxsplit=1)
        at_start = bool(head) and bp._social_word(head[0])
        at_end = bool(tail) and bp._social_word(tail[-1])
        _, reason, _, start, end = bp._classify.__wrapped__(line)
        assert (start, end) == (at_start, at_end) == (bp._starts_social(line), at_end), line
        if len(line) <= bp.MAX_JUNK_LINE:
            s = line.strip()
            t = bp._norm(s) if len(s) <= 100 else s.lower().replace("’", "'")
            assert reason == bp._line_reason(s, t), repr(line)


def _split_lines_reference(text: str) -> list:
    """boilerplate.split_lines with a Seg of its own for every blank line (at its offset)."""
    from strikes.documents import boilerplate as bp

    segs, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            a = pos + len(line) - len(line.lstrip())
            segs.append(bp.Seg(a, a + len(stripped), stripped))
        else:
            segs.append(bp.Seg(pos, pos, "", True, False))
        pos += len(line) + 1
    return segs


def test_shared_blank_seg_changes_no_article(monkeypatch) -> None:
    from bench.corpus import make_documents
    from strikes.documents import articles
    from strikes.documents import boilerplate as bp
    from strikes.documents.articles import RawDocument, process_documents

    docs = make_documents(80, seed=11)
    story = "Drones struck a depot overnight, the governor said on Saturday, officials added."
    for gap in (0, 1, 50, 390, 500):  # the dateline window ends after or inside the blanks
        text = "Headline\n" + "\n" * gap + "Published: 3 March 2024\n" + story + "\n\n\n"
        docs.append(RawDocument(f"gap{gap}.txt", text.encode()))
    docs.append(RawDocument("md.md", b"# Title\n\n\n**Bold** text here, said.\n\n---\n\n"))
    got = process_documents(docs)
    monkeypatch.setattr(articles.bp, "split_lines", _split_lines_reference)
    want = process_documents(docs)
    for (_, a, na), (_, b, nb) in zip(got, want, strict=True):
        assert (a and (a.record, a.spans)) == (b and (b.record, b.spans))
        assert [str(n) for n in na] == [str(n) for n in nb]
    sources = {a.record["file"]: a.record["published_source"] for _, a, _ in got if a}
    assert sources["gap0.txt"] == "document" and sources["gap500.txt"] == "unknown"
    for text in ["", "\n", "a\n\n  b \n", " \t\n\nx"]:
        for s, r in zip(bp.split_lines(text), _split_lines_reference(text), strict=True):
            assert (s.blank, s.alive, s.text) == (r.blank, r.alive, r.text)
            assert s.blank or (s.start, s.end) == (r.start, r.end)
    with pytest.raises(AttributeError):
        bp.BLANK.alive = True
