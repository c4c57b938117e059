"""Operator tasks on the store: finding an article and what was derived from it, deleting it
(`python -m strikes delete-article`, and the dashboard's Manage articles page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from strikes.store.database import Store


@dataclass(frozen=True)
class Derived:
    """What one article contributed to the store."""

    article_id: str
    file: str
    sentences: int
    claims: int
    events_only_from_it: int  # events that disappear with it
    events_shared: int  # events that lose it as a source and stay


def resolve_refs(articles: pd.DataFrame, refs: Sequence[str]) -> tuple[list[str], list[str]]:
    """Article ids for references (an id, or a file name as stored) and the references that
    match nothing or more than one article (with the reason)."""
    ids, problems = [], []
    by_id = set(articles["article_id"].astype(str))
    files = articles["file"].astype(str)
    for ref in refs:
        if ref in by_id:
            ids.append(ref)
            continue
        hits = articles.loc[(files == ref) | files.str.endswith("/" + ref), "article_id"]
        if len(hits) == 1:
            ids.append(str(hits.iloc[0]))
        elif len(hits) > 1:
            problems.append(
                f"{ref}: {len(hits)} articles have this file name; give one of their ids: "
                + ", ".join(map(str, hits))
            )
        else:
            problems.append(f"{ref}: no article with this id or file name in the store")
    return list(dict.fromkeys(ids)), problems


def derived(store: Store, article_id: str) -> Derived:
    """Counts of what deleting `article_id` would remove or change."""
    sources = store.event_sources()
    mine = sources["article_id"].astype(str) == article_id
    events = set(sources.loc[mine, "event_id"])
    others = set(sources.loc[~mine & sources["event_id"].isin(events), "event_id"])
    art = store.articles(with_text=False)
    row = art[art["article_id"].astype(str) == article_id]
    return Derived(
        article_id=article_id,
        file=str(row["file"].iloc[0]) if len(row) else article_id,
        sentences=len(store.sentences([article_id])),
        claims=len(store.claims([article_id])),
        events_only_from_it=len(events - others),
        events_shared=len(others),
    )
