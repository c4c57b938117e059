"""Near-duplicate articles (syndicated copies of one story): MinHash + LSH over word shingles.

Each cleaned text becomes the set of its k-word shingles (k = settings.shingle_words) after
case-folding and dropping punctuation (so curly vs straight quotes and "Zelenskyy's" vs
"Zelenskyy’s" do not matter).  A datasketch MinHash (settings.minhash_perm permutations)
summarises the set and MinHashLSH (threshold settings.near_dup_threshold) proposes candidate
pairs in about linear time; a candidate becomes an edge only if the estimated Jaccard
similarity reaches the threshold.  Connected components are the groups.

Shingles are hashed cheaply: each word once with CRC-32 (deterministic across processes,
unlike `hash()`), then a k-word window is combined with numpy, so a 700-word article costs
well under a millisecond.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strikes.settings import DEFAULT_SETTINGS, Settings

__all__ = ["Member", "find_groups", "resolve_groups", "shingle_hashes"]

# Words as UTF-8 byte strings: ASCII letters/digits or any non-ASCII byte (letters of other
# scripts).  Typographic punctuation is turned into spaces first, so it never sticks to a word.
_WORD = re.compile(rb"(?:[0-9A-Za-z]|[\x80-\xff])+")
_PUNCT = re.compile("[\u2000-\u206f\u00a0«»‹›¡¿·€£¥°§¶©®™]+")
_MASK = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x01000193)  # FNV prime: mixes the words of a shingle in order


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the k-word shingles of `text` (one shingle if fewer words)."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _PUNCT.sub(" ", folded)
    words = _WORD.findall(folded.encode("utf-8"))
    if not words:
        return np.zeros(0, dtype=np.uint64)
    tok = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    k = max(1, min(k, len(tok)))
    n = len(tok) - k + 1
    h = tok[:n].copy()
    for j in range(1, k):
        h = ((h * _MULT) ^ tok[j : j + n]) & _MASK
    return np.unique(h)


def find_groups(texts: Sequence[str], *, settings: Settings = DEFAULT_SETTINGS) -> list[list[int]]:
    """Indices of near-duplicate texts, as groups of 2+ members (sorted, in input order)."""
    from datasketch import MinHash, MinHashLSH

    num_perm = settings.minhash_perm
    threshold = settings.near_dup_threshold
    # The shingles are hashed already (shingle_hashes); `int` passes them through at C speed.
    template = MinHash(num_perm=num_perm, seed=1, hashfunc=int)
    perms, scheme = template.permutations, template.scheme
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches: list[MinHash | None] = []
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, text in enumerate(texts):
        hashes = shingle_hashes(text, settings.shingle_words)
        if len(hashes) == 0:
            sketches.append(None)
            continue
        m = MinHash(num_perm=num_perm, seed=1, hashfunc=int, permutations=perms, scheme=scheme)
        m.update_batch(hashes.tolist())
        sketches.append(m)
        for j in lsh.query(m):
            ri, rj = find(i), find(j)
            if ri != rj and m.jaccard(sketches[j]) >= threshold:
                parent[max(ri, rj)] = min(ri, rj)
        lsh.insert(i, m)

    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


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
