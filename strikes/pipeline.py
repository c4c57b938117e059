"""The whole pandas layer in one call: documents -> articles -> claims (geocoded) -> events.

`run_pipeline(paths)` and `run_documents(docs)` return every intermediate frame, so the store can
persist provenance and the CLI can print any stage.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from pathlib import Path

import pandas as pd

from strikes.claims import Claim, Geo, extract_article_claims
from strikes.documents.articles import ArticleBatch, RawDocument, load_articles, load_documents
from strikes.errors import InputRejected
from strikes.events import merge_claims
from strikes.guards import first_copies, latest_date, undate_future
from strikes.schema import CLAIMS, empty_frame, from_columns
from strikes.settings import DEFAULT_SETTINGS, Settings
from strikes.speed.gcpause import batch_gc


@dataclass(frozen=True)
class PipelineResult:
    articles: pd.DataFrame
    sentences: pd.DataFrame
    claims: pd.DataFrame
    events: pd.DataFrame
    rejections: list[InputRejected]


def make_geo(*, settings: Settings = DEFAULT_SETTINGS) -> Geo:
    """The gazetteer-backed functions the extractor calls (one `Geo` per gazetteer: the
    extractor caches sentence analyses keyed on `Geo.find`).  With `settings.online_geocoding`
    the places the gazetteer lacks are asked of Nominatim (strikes.geo.online)."""
    online = None
    if settings.online_geocoding:
        online = (
            settings.nominatim_domain,
            settings.nominatim_scheme,
            settings.nominatim_user_agent,
            settings.nominatim_min_delay_s,
            str(settings.cache_dir),
            settings.read_only,
        )
    return _geo_for(str(settings.data_dir), settings.fuzzy_threshold, online)


@functools.lru_cache(maxsize=8)
def _geo_for(data_dir: str, fuzzy_threshold: float, online: tuple | None = None) -> Geo:
    from strikes.geo.gazetteer import Gazetteer
    from strikes.geo.geocode import GeoContext, find_places, resolve

    settings = dataclasses.replace(
        DEFAULT_SETTINGS, data_dir=data_dir, fuzzy_threshold=fuzzy_threshold
    )
    gz = Gazetteer.load(settings=settings)

    if online is None:

        def _find(text: str) -> list:
            return find_places(text, gazetteer=gz)

    else:
        # geopy is imported only when the fallback is on.
        from strikes.geo.online import OnlinePlaces

        domain, scheme, agent, delay, cache_dir, read_only = online
        places = OnlinePlaces(
            settings=dataclasses.replace(
                settings,
                nominatim_domain=domain,
                nominatim_scheme=scheme,
                nominatim_user_agent=agent,
                nominatim_min_delay_s=delay,
                cache_dir=Path(cache_dir),
                read_only=read_only,
            )
        )

        def _find(text: str) -> list:
            return places.complete(text, find_places(text, gazetteer=gz), gazetteer=gz)

    def _resolve(mention: object, prefer: Sequence[str], near: Sequence[object]) -> object | None:
        cands = mention.candidates  # type: ignore[attr-defined]
        if len(cands) < 2:
            return cands[0] if cands else None  # what resolve answers: no context needed
        ctx = GeoContext(country_codes=tuple(prefer), near=tuple(near))
        return resolve(mention, context=ctx, gazetteer=gz)

    return Geo(find=_find, resolve=_resolve, country=gz.country)


def clear_caches() -> None:
    """Forget every per-text analysis cached in this process (benchmarks start cold)."""
    from strikes import claims
    from strikes.documents import boilerplate

    claims.clear_caches()
    boilerplate.clear_caches()


_last_hit_rate: float | None = None


def sentence_cache_hit_rate() -> float | None:
    """The share of candidate sentences (those past the prefilter) whose analysis came from
    the cache in the last `extract_claims` batch."""
    return _last_hit_rate


def extract_claims(
    articles: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    geo: Geo | None = None,
) -> pd.DataFrame:
    """Geocoded claims (schema.CLAIMS) of every English article."""
    if articles.empty:
        return empty_frame(CLAIMS)
    with batch_gc(settings=settings):
        return _extract_claims(articles, sentences, settings=settings, geo=geo)


def _extract_claims(
    articles: pd.DataFrame, sentences: pd.DataFrame, *, settings: Settings, geo: Geo | None
) -> pd.DataFrame:
    geo = geo or make_geo(settings=settings)
    by_article: dict[str, list[tuple[int, int, int]]] = {}
    # Plain lists: iterating Arrow-backed columns element by element is several times slower.
    ids = sentences["article_id"].tolist()
    spans = list(
        zip(
            sentences["sent_idx"].tolist(),
            sentences["start"].tolist(),
            sentences["end"].tolist(),
            strict=True,
        )
    )
    # An article's sentences come in one run: one step per run, not per sentence (a split run
    # still joins its article's list).
    pos = 0
    for aid, run in groupby(ids):
        n = len(list(run))
        by_article.setdefault(aid, []).extend(spans[pos : pos + n])
        pos += n
    rows: list[tuple] = []
    for article_id, text, published, language in zip(
        articles["article_id"].tolist(),
        articles["text"].tolist(),
        articles["published"].tolist(),
        articles["language"].tolist(),
        strict=True,
    ):
        if isinstance(language, str) and language not in ("", "en"):
            continue  # reported by the articles stage; English rules would misread it
        published = published if isinstance(published, str) else None
        claims = extract_article_claims(
            article_id=article_id,
            text=text,
            sentences=first_copies(text, sorted(by_article.get(article_id, []))),
            published=published,
            geo=geo,
            settings=settings,
        )
        del claims[settings.max_claims_per_article :]
        undate_future(claims, latest_date(published))
        rows.extend(map(_claim_values, claims, range(len(claims))))
    _end_of_batch()
    return _claims_frame(rows)


def _claims_frame(rows: list[tuple]) -> pd.DataFrame:
    """schema.CLAIMS of `_claim_values` rows: transposed in one go, each column built in its
    dtype (no dict per claim)."""
    if not rows:
        return empty_frame(CLAIMS)
    return from_columns(list(zip(*rows, strict=True)), CLAIMS)


def _end_of_batch() -> None:
    """The sentence caches serve one batch: a long-running server keeps none of them, and the
    batch's frames never share memory with them."""
    global _last_hit_rate
    from strikes import claims

    _last_hit_rate = claims.cache_hit_rate()
    claims.clear_caches()


def _claim_values(c: Claim, k: int) -> tuple:
    """The claim's CLAIMS row as a tuple in the schema's column order.  The row takes the
    claim's own lists and dict (no copies): `_extract_claims` drops each claim once its row is
    made."""
    p = c.place
    place = _NO_PLACE if p is None else _place_values(p)
    precision = place[_PRECISION_AT]
    return (
        f"{c.article_id}-{c.sent_idx:04d}-{k:02d}",
        c.article_id,
        c.sent_idx,
        c.sentence,
        c.start,
        c.end,
        ";".join(filter(None, c.rules)),
        c.attacker,
        "total" if precision == "country" else "strike",
        c.date,
        c.date_precision,
        c.date_source,
        c.place_text,
        c.place_start,
        c.place_end,
        c.target,
        c.weapons,
        c.weapon_models,
        c.launched,
        c.intercepted,
        c.hit,
        c.killed,
        c.injured,
        c.vague,
        c.bounds,
        c.spans,
        _claimant_display(c.claimed_by, p),
        c.extra_sources,
        *place,
    )


# The place attributes giving the geocoding columns (the last ones of CLAIMS, in its order).
_PLACE_ATTRS = (
    "geonameid", "name", "admin1", "country_code", "lat", "lon", "geo_precision", "radius_km",
    "source",
)  # fmt: skip
_PRECISION_AT = _PLACE_ATTRS.index("geo_precision")
_NO_PLACE = (None,) * len(_PLACE_ATTRS)
_place_attrs = attrgetter(*_PLACE_ATTRS)


def _place_values(p: object) -> tuple:
    """A resolved place's CLAIMS geocoding values (the place is duck-typed: absent attributes
    are missing values)."""
    try:
        return _place_attrs(p)  # one C call: a gazetteer Place has them all
    except AttributeError:
        return tuple(getattr(p, a, None) for a in _PLACE_ATTRS)


_COUNTRY_NAMES = {"UA": "Ukraine", "RU": "Russia"}


def _claimant_display(name: str | None, place: object | None) -> str | None:
    """ "the country's air force" names the country the claim is about."""
    if not name or name[0] not in "cC":
        return name  # only "c"/"C" lower-case to a "c" (tests/unit/test_frames_fastpaths.py)
    low = name.lower()
    for prefix in ("country's ", "country’s "):
        if low.startswith(prefix):
            country = _COUNTRY_NAMES.get(getattr(place, "country_code", ""))
            if country:
                return f"{country}'s {name[len(prefix) :]}"
    return name


def language_notes(articles: pd.DataFrame) -> list[str]:
    """One line per article that was loaded but not read for events (not English)."""
    if articles.empty:
        return []
    other = articles[articles["language"].fillna("en") != "en"]
    return [
        f"{f}: language looks like {lang!r}, not English: stored, no events extracted"
        for f, lang in zip(other["file"], other["language"], strict=True)
    ]


def figure_notes(claims: pd.DataFrame, articles: pd.DataFrame) -> list[str]:
    """One line per claim with an implausible figure (flagged, never stored as a number)."""
    if claims.empty or "rule" not in claims:
        return []
    files = dict(zip(articles["article_id"], articles["file"], strict=True))
    out = []
    flagged = claims[claims["rule"].fillna("").str.contains("implausible:", regex=False)]
    for r in flagged.to_dict("records"):
        vague = r.get("vague") if isinstance(r.get("vague"), dict) else {}
        values = [
            str(v).removeprefix("implausible: ")
            for k, v in vague.items()
            if k == "implausible" or str(v).startswith("implausible")
        ]
        sentence = " ".join(str(r.get("sentence") or "").split())
        sentence = sentence if len(sentence) <= 100 else sentence[:99] + "…"
        out.append(
            f"{files.get(r['article_id'], r['article_id'])}: implausible figure "
            f"{', '.join(values) or '?'} not stored as a fact (in: {sentence!r})"
        )
    return out


def _finish(batch: ArticleBatch, settings: Settings) -> PipelineResult:
    claims = extract_claims(batch.articles, batch.sentences, settings=settings)
    events = merge_claims(claims, articles=batch.articles)
    return PipelineResult(batch.articles, batch.sentences, claims, events, list(batch.rejections))


def run_pipeline(
    paths: Sequence[str | Path],
    *,
    manifest: Path | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> PipelineResult:
    with batch_gc(settings=settings):
        return _finish(load_articles(paths, manifest=manifest, settings=settings), settings)


def run_documents(
    docs: Sequence[RawDocument], *, settings: Settings = DEFAULT_SETTINGS
) -> PipelineResult:
    with batch_gc(settings=settings):
        return _finish(load_documents(docs, settings=settings), settings)
