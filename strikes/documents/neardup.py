"""Near-duplicate articles (syndicated copies of one story): MinHash + LSH over word shingles.

Each cleaned text becomes the set of its k-word shingles (k = settings.shingle_words) after
case-folding and dropping punctuation (so curly vs straight quotes and "Zelenskyy's" vs
"Zelenskyy’s" do not matter).  A MinHash (settings.minhash_perm permutations; datasketch's
affine32 scheme, computed with numpy in one array operation per text) summarises the set and
LSH banding (datasketch's MinHashLSH parameters for threshold settings.near_dup_threshold)
proposes candidate pairs in about linear time; a candidate becomes an edge only if the
estimated Jaccard similarity reaches the threshold.  Connected components are the groups.

Shingles are hashed cheaply: each word once with CRC-32 (deterministic across processes,
unlike `hash()`), then a k-word window is combined with numpy, so a 700-word article costs
well under a millisecond.  `find_groups` sketches the shingle hashes without de-duplicating
them first: a minimum over a multiset is the minimum over its set, and sorting costs more
than the few repeated shingles do.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from strikes.settings import DEFAULT_SETTINGS, Settings

__all__ = ["Member", "find_groups", "resolve_groups", "shingle_hashes"]

# Words as UTF-8 byte strings: ASCII letters/digits or any non-ASCII byte (letters of other
# scripts).  Typographic punctuation is turned into spaces first, so it never sticks to a word.
_WORD = re.compile(rb"(?:[0-9A-Za-z]|[\x80-\xff])+")
# The same words, found faster: every other byte becomes a space (bytes.translate) and
# bytes.split() cuts at the spaces.  Word bytes are never whitespace, so the runs are exactly
# what _WORD finds (tests/unit/test_neardup.py checks this on every byte value).
_WORD_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") | set(
    range(0x80, 0x100)
)
_SPACE_OUT = bytes(b if b in _WORD_BYTES else 0x20 for b in range(256))
_PUNCT = re.compile("[\u2000-\u206f\u00a0«»‹›¡¿·€£¥°§¶©®™]+")
_MASK = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x01000193)  # FNV prime: mixes the words of a shingle in order


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the k-word shingles of `text` (one shingle if fewer words)."""
    return np.unique(_shingles(text, k))


def _words_of(text: str) -> list[bytes]:
    folded = text.casefold()
    if not folded.isascii():
        folded = _PUNCT.sub(" ", folded)
    return folded.encode("utf-8").translate(_SPACE_OUT).split()


def _tokens(text: str) -> np.ndarray:
    """CRC-32 of each word of `text` (uint64)."""
    words = _words_of(text)
    return np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))


# The same token values for a whole batch of texts (`_batch_tokens`): CRC-32 computed with numpy
# over the words of many texts at once, two bytes per step, instead of one zlib call and one
# Python int per word (those cost more than the rest of the sketching).


def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """zlib's CRC-32 tables: one byte per step (256 entries) and two bytes per step (65536
    entries: the register after two zero bytes, starting from the index)."""
    one = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        one = np.where(one & 1, (one >> 1) ^ np.uint32(0xEDB88320), one >> 1)
    i = np.arange(1 << 16, dtype=np.uint32)
    c = one[i & 0xFF] ^ (i >> 8)
    return one, one[c & 0xFF] ^ (c >> 8)


_CRC1, _CRC2 = _crc_tables()
# _SPACE_OUT after lower-casing ASCII: on ASCII text, casefold() is exactly that.
_FOLD_SPACE_OUT = bytes(_SPACE_OUT[b + 32 if 65 <= b <= 90 else b] for b in range(256))
# Longer words (a run of CJK text has no spaces) take zlib: the numpy loop is one step per
# two bytes of the longest word.
_LONG_WORD = 64
# Bytes of text per numpy pass (bounds the work arrays on a large batch).
_CHUNK_BYTES = 1 << 20


def _word_bytes(text: str) -> bytes:
    """`b" ".join(_words_of(text))` plus spaces: the words of `text`, separated by spaces."""
    if text.isascii():
        return text.encode("ascii").translate(_FOLD_SPACE_OUT)
    folded = text.casefold()
    if not folded.isascii():
        folded = _PUNCT.sub(" ", folded)
    return folded.encode("utf-8").translate(_SPACE_OUT)


def _crc_words(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(`zlib.crc32` of every run of non-space bytes of `buf`, as uint64; their start offsets)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    word = np.zeros(len(arr) + 2, dtype=np.bool_)
    np.not_equal(arr, 32, out=word[1:-1])
    edges = np.flatnonzero(word[1:] != word[:-1])  # start, end, start, end, ...
    starts, ends = edges[0::2], edges[1::2]
    lengths = ends - starts
    if not len(lengths):
        return np.zeros(0, dtype=np.uint64), starts
    # Longest first, so the words still running at each step are a prefix (a radix sort).
    order = np.argsort(np.minimum(lengths, _LONG_WORD + 1).astype(np.uint8), kind="stable")[::-1]
    pos = starts.take(order)  # of each word's next byte
    desc = lengths.take(order)
    pairs = np.zeros(len(arr), dtype=np.uint16)  # bytes i and i+1, little-endian
    pairs[:] = arr
    pairs[:-1] |= pairs[1:] << 8
    crc = np.full(len(pos), 0xFFFFFFFF, dtype=np.uint32)
    steps = min(int(desc[0]), _LONG_WORD) // 2
    running = np.searchsorted(-desc, -2 * np.arange(1, steps + 1), side="right")
    for m in running.tolist():  # words with two more bytes: the first m
        x = crc[:m] ^ pairs.take(pos[:m])
        crc[:m] = _CRC2.take(x & 0xFFFF) ^ (x >> 16)
        pos[:m] += 2
    odd = np.flatnonzero(desc & 1)  # one byte left
    x = crc.take(odd) ^ arr.take(pos.take(odd))
    crc[odd] = _CRC1.take(x & 0xFF) ^ (x >> 8)
    crc ^= np.uint32(0xFFFFFFFF)
    out = np.empty(len(crc), dtype=np.uint64)
    out[order] = crc
    for i in np.flatnonzero(lengths > _LONG_WORD).tolist():
        out[i] = zlib.crc32(buf[starts[i] : ends[i]])
    return out, starts


def _batch_tokens(texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
    """`_tokens` of every text, concatenated, and how many belong to each text."""
    parts: list[np.ndarray] = []
    counts: list[int] = []

    def flush(chunk: list[bytes]) -> None:
        crc, starts = _crc_words(b" ".join(chunk))  # a space never joins two words
        bounds = list(itertools.accumulate(len(b) + 1 for b in chunk))  # each text's end + 1
        counts.extend(np.diff(np.searchsorted(starts, bounds), prepend=0).tolist())
        parts.append(crc)

    # The word bytes are made one chunk at a time: holding a whole batch's at once would add
    # the size of its text to the pipeline's peak memory.
    chunk: list[bytes] = []
    size = -1
    for text in texts:
        buf = _word_bytes(text)
        if chunk and size + 1 + len(buf) > _CHUNK_BYTES:
            flush(chunk)
            chunk, size = [], -1
        chunk.append(buf)
        size += 1 + len(buf)
    if chunk:
        flush(chunk)
    every = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return every, counts


def _windows(tok: np.ndarray, k: int) -> np.ndarray:
    """The hash of every run of k consecutive tokens (len(tok) - k + 1 of them)."""
    n = len(tok) - k + 1
    h = tok[:n].copy()
    for j in range(1, k):
        h *= _MULT
        h ^= tok[j : j + n]
        h &= _MASK
    return h


def _shingles(text: str, k: int) -> np.ndarray:
    """The 32-bit hashes of the k-word shingles of `text`, in text order (repeats kept)."""
    tok = _tokens(text)
    if not len(tok):
        return np.zeros(0, dtype=np.uint64)
    return _windows(tok, max(1, min(k, len(tok))))


# datasketch's "affine32" MinHash (its default since 2.0), reproduced with numpy so that the
# ~1 s import of datasketch (it pulls scipy for the LSH parameters) is not paid on every run;
# tests/integration/test_bench.py checks the sketches and the groups against datasketch itself.
_U32 = np.uint32
_FMIX32 = (_U32(16), _U32(0x85EBCA6B), _U32(13), _U32(0xC2B2AE35), _U32(16))
# (threshold, num_perm) -> (bands, rows), as `lsh_params` computes them.
_LSH_PARAMS: dict[tuple[float, int], tuple[int, int]] = {}


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    return a, b


def minhash(hashes: np.ndarray, *, num_perm: int, seed: int = 1) -> np.ndarray:
    """The MinHash signature (uint32) of 32-bit shingle hashes, as datasketch computes it."""
    a, b = _permutations(num_perm, seed)
    out = np.multiply.outer(_fmix(hashes), a)
    out += b
    return out.min(axis=0)


def _fmix(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser of each hash (datasketch's first step), as uint32."""
    hv = hashes.astype(_U32)  # a copy: updated in place below
    s1, m1, s2, m2, s3 = _FMIX32
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    return hv


# Shingles per block of the batched MinHash: bounds its (shingles x permutations) work array.
_BLOCK_SHINGLES = 1 << 13


# Texts per `_sketch_block`: a whole large batch at once makes work arrays of hundreds of MB
# (14.8 M shingles at 50,000 articles), slower and far more variable than cache-sized blocks.
_SKETCH_TEXTS = 256


def _sketch_all(texts: Sequence[str], k: int, num_perm: int) -> tuple[np.ndarray, list[bool]]:
    """`minhash(_shingles(text, k))` of every text (row i), and whether text i has words."""
    sketches = np.zeros((len(texts), num_perm), dtype=_U32)
    present: list[bool] = []
    for lo in range(0, len(texts), _SKETCH_TEXTS):
        block, has_words = _sketch_block(texts[lo : lo + _SKETCH_TEXTS], k, num_perm)
        sketches[lo : lo + len(block)] = block
        present.extend(has_words)
    return sketches, present


def _sketch_block(texts: Sequence[str], k: int, num_perm: int) -> tuple[np.ndarray, list[bool]]:
    """`minhash(_shingles(text, k))` of every text (row i), and whether text i has words.

    The same sketches, computed for the whole batch at once: the shingles of all texts in one
    pass over their concatenated tokens (a window reaching into the next text is not used),
    the finaliser in one pass, and the minimum over each text's rows of a block with
    `np.minimum.reduceat`.  Per-text numpy calls cost more than their arithmetic here.
    """
    sketches = np.zeros((len(texts), num_perm), dtype=_U32)
    every, counts = _batch_tokens(texts)
    present = [n > 0 for n in counts]
    k = max(1, k)
    batch = _windows(every, k) if len(every) >= k else every[:0]
    parts: list[np.ndarray] = []
    offset = 0
    for n in counts:
        if n >= k:
            parts.append(batch[offset : offset + n - k + 1])
        elif n:  # fewer words than k: one shingle of them all
            parts.append(_windows(every[offset : offset + n], n))
        offset += n
    rows = [i for i, p in enumerate(present) if p]
    if not rows:
        return sketches, present
    hv = _fmix(np.concatenate(parts))
    ends = list(itertools.accumulate(map(len, parts)))  # end of each text's shingles in hv
    starts = np.array([0, *ends], dtype=np.intp)
    a, b = _permutations(num_perm, 1)
    first = 0  # index into `rows` of the block's first text
    while first < len(rows):
        # The texts whose shingles end within the block (at least one text per block).
        last = max(first + 1, bisect.bisect_right(ends, int(starts[first]) + _BLOCK_SHINGLES))
        lo, hi = starts[first], starts[last]
        # Permutations x shingles: reduceat then runs along contiguous rows (six times faster
        # than shingles x permutations reduced along axis 0).
        out = np.multiply.outer(a, hv[lo:hi])
        out += b[:, None]
        mins = np.minimum.reduceat(out, starts[first:last] - lo, axis=1)
        sketches[rows[first:last]] = mins.T
        first = last
    return sketches, present


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """The LSH banding (bands, rows per band) for a Jaccard threshold, as datasketch's MinHashLSH
    chooses it: the split of `num_perm` that minimises the false-positive plus false-negative
    probability mass (equal weights) around the threshold.

    >>> lsh_params(0.5, 64)
    (14, 4)
    """
    params = _LSH_PARAMS.get((threshold, num_perm))
    if params is None:
        params = _LSH_PARAMS[(threshold, num_perm)] = _optimal_banding(threshold, num_perm)
    return params


def _optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    # Gauss-Legendre quadrature of the two error integrals (the integrands are polynomials in s).
    nodes, weights = np.polynomial.legendre.leggauss(96)

    def integral(f, lo: float, hi: float) -> float:
        s = (hi - lo) / 2.0 * nodes + (hi + lo) / 2.0
        return float((hi - lo) / 2.0 * np.dot(weights, f(s)))

    best, best_error = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = integral(lambda s, b=b, r=r: 1.0 - (1.0 - s**r) ** b, 0.0, threshold)
            fn = integral(lambda s, b=b, r=r: (1.0 - s**r) ** b, threshold, 1.0)
            if fp + fn < best_error:
                best, best_error = (b, r), fp + fn
    return best


# Candidate pairs verified per numpy call: bounds the two (pairs x num_perm) gathers.
_PAIR_CHUNK = 1 << 15


def find_groups(texts: Sequence[str], *, settings: Settings = DEFAULT_SETTINGS) -> list[list[int]]:
    """Indices of near-duplicate texts, as groups of 2+ members (sorted, in input order).

    Two texts are linked when they share the values of one LSH band (MinHashLSH's candidates)
    and their estimated Jaccard similarity reaches the threshold; groups are the connected
    components.  The candidates of each band come from one sort of the band's values, and are
    verified in numpy chunks: per-text dictionary lookups grew faster than the corpus, since
    chance band collisions grow with the square of its size.
    """
    num_perm = settings.minhash_perm
    threshold = settings.near_dup_threshold
    bands, rows = lsh_params(threshold, num_perm)
    sketches, present = _sketch_all(texts, settings.shingle_words, num_perm)
    if threshold > 1.0:  # no similarity reaches it
        return []
    parent = np.arange(len(texts))
    # Texts with the same sketch are linked (similarity 1) and have the same candidates, so
    # only the first of each is banded; the others join it.
    idx = np.flatnonzero(np.asarray(present, dtype=bool))
    if len(idx):
        _, first, inverse = np.unique(sketches[idx], axis=0, return_index=True, return_inverse=True)
        same = idx[first[inverse.reshape(-1)]]
        _link(parent, same, idx)
        idx = idx[np.sort(first)]
    for lo, hi in _band_pairs(sketches[idx], bands, rows):
        a, b = sketches[idx[lo]], sketches[idx[hi]]
        ok = np.count_nonzero(a == b, axis=1) / float(num_perm) >= threshold
        _link(parent, idx[lo[ok]], idx[hi[ok]])
    _flatten(parent)
    groups: dict[int, list[int]] = {}
    for i, root in enumerate(parent.tolist()):
        groups.setdefault(root, []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _flatten(parent: np.ndarray) -> None:
    """Point every entry of a union-find forest at its root (pointer jumping)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return
        parent[:] = grand


def _link(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Join the components of each pair (a[k], b[k]).  A component's root is its smallest
    member (so groups come out in the order of their first member)."""
    while len(a):
        _flatten(parent)
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            return
        ra, rb = ra[apart], rb[apart]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        a, b = a[apart], b[apart]


def _band_pairs(
    sketches: np.ndarray, bands: int, rows: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Row pairs (lo < hi) of ``sketches`` that agree on all ``rows`` values of a band, in
    chunks of at most about _PAIR_CHUNK pairs.  A pair sharing several bands comes once per
    band (verifying it again is cheaper than removing repeats)."""
    m = len(sketches)
    if m < 2:
        return
    positions = np.arange(m)
    for k in range(bands):
        cols = sketches[:, k * rows : (k + 1) * rows]
        order = np.lexsort(cols.T[::-1])  # stable: rows of a bucket in ascending order
        ordered = cols[order]
        new = np.ones(m, dtype=bool)
        np.any(ordered[1:] != ordered[:-1], axis=1, out=new[1:])
        starts = np.flatnonzero(new)
        sizes = np.diff(np.append(starts, m))
        bucket_start = np.repeat(starts, sizes)
        rank = positions - bucket_start  # members before this one in its bucket
        # Pairs (member, every earlier member of its bucket), cut into chunks at members.
        cum = np.cumsum(rank)
        done = 0
        while done < m:
            stop = int(np.searchsorted(cum, (cum[done - 1] if done else 0) + _PAIR_CHUNK, "right"))
            stop = max(stop, done + 1)
            r = rank[done:stop]
            total = int(r.sum())
            if total:
                later = np.repeat(positions[done:stop], r)
                offset = np.repeat(np.cumsum(r) - r, r)
                earlier = np.arange(total) - offset + np.repeat(bucket_start[done:stop], r)
                yield order[earlier], order[later]
            done = stop


@dataclass
class Member:
    """What group resolution needs to know about one article (updated in place)."""

    article_id: str
    text_len: int
    published: str | None
    published_source: str  # document|html-metadata|manifest|near-duplicate|unknown
    published_ref: str | None = None
    duplicate_of: str | None = None
    dup_group: str | None = None


def resolve_groups(members: list[Member], groups: list[list[int]]) -> None:
    """Pick each group's representative and share its date with undated members.

    Representative: a member with a known date of its own, then the longest text, then the
    smallest id.  `dup_group` is the representative's id for every member (an article alone
    is its own group); `duplicate_of` is set on the others.  Dates inherited in an earlier
    run (source "near-duplicate") are dropped first, so re-grouping never leaves a stale one.
    """
    for m in members:
        m.dup_group = m.article_id
        m.duplicate_of = None
        if m.published_source == "near-duplicate":  # inherited earlier: recomputed below
            m.published, m.published_source, m.published_ref = None, "unknown", None
    for group in groups:
        ms = [members[i] for i in group]
        rep = min(
            ms,
            key=lambda m: (
                m.published is None or m.published_source == "near-duplicate",
                -m.text_len,
                m.article_id,
            ),
        )
        for m in ms:
            m.dup_group = rep.article_id
            if m is rep:
                continue
            m.duplicate_of = rep.article_id
            if m.published is None and rep.published is not None:
                m.published = rep.published
                m.published_source = "near-duplicate"
                m.published_ref = rep.article_id
