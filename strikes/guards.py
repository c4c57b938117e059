"""Limits on what one article can put into the store (hostile or broken input).

- A sentence repeated verbatim in an article is analysed once: its copies state nothing new,
  and a file of one strike sentence repeated 100,000 times would otherwise give 100,000 claims.
- At most ``settings.max_claims_per_article`` claims per article are kept; the cut is reported.
- A date in the text after the article's publication date (or after today, when it has none)
  cannot be the date of a strike it reports: the claim is kept undated and flagged, so one
  typo cannot stretch everyone's date range into the future.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from strikes.claims import Claim

FUTURE_RULE = "date:after-publication"
# A report published late in the evening can date an overnight attack to the next morning
# (and time zones shift a date by one): a date one day after publication is not refused.
FUTURE_GRACE = _dt.timedelta(days=1)


def first_copies(
    text: str, sentences: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int, int]]:
    """The (sent_idx, start, end) spans whose text has not occurred earlier in the article."""
    seen: set[str] = set()
    out = []
    for span in sentences:
        key = text[span[1] : span[2]].strip()
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


def latest_date(published: str | None, *, today: _dt.date | None = None) -> str:
    """The last date a report published on `published` can give to a strike (ISO)."""
    limit = today or _dt.date.today()
    if published:
        with contextlib.suppress(ValueError):  # an unreadable date limits nothing
            limit = min(limit, _dt.date.fromisoformat(published[:10]))
    return (limit + FUTURE_GRACE).isoformat()


def undate_future(claims: list[Claim], latest: str) -> None:
    """Claims dated after `latest` keep their figures but lose the date, with a flag."""
    for c in claims:
        if c.date and c.date > latest:
            c.rules.append(FUTURE_RULE)
            c.date_source = f"after-publication:{c.date}"
            c.date = c.date_precision = None


def claim_notes(claims: pd.DataFrame, articles: pd.DataFrame, *, cap: int) -> list[str]:
    """One line per article whose claims were cut, and per claim whose date was dropped."""
    if claims.empty:
        return []
    files = dict(zip(articles["article_id"], articles["file"], strict=True))
    out = []
    counts = claims["article_id"].value_counts()
    for aid, n in counts[counts >= cap].items():
        out.append(
            f"{files.get(aid, aid)}: {n:,} or more strike reports in one article; only the "
            f"first {cap:,} were kept (max_claims_per_article)"
        )
    future = claims[claims["rule"].fillna("").str.contains(FUTURE_RULE, regex=False)]
    for r in future.to_dict("records"):
        date = str(r.get("date_source") or "").removeprefix("after-publication:")
        out.append(
            f"{files.get(r['article_id'], r['article_id'])}: the date {date} is after the "
            "article's publication date; that report is kept without a date"
        )
    return out
