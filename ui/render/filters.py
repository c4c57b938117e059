"""The sidebar's filter model and its URL form (pure; no streamlit).

`Filters` is what every page applies to the events; `Filters.to_query()` is the query string
written to the address bar, `Filters.from_query()` reads one back (unknown values and malformed
dates are dropped, never an error: a shared link from an older data set still opens).

URL keys: ``from``, ``to`` (YYYY-MM-DD), ``attacker``, ``weapon``, ``country`` (ISO alpha-2),
``region`` (repeatable), ``q`` (search words), ``review`` (reviewed, unreviewed, corrected,
dismissed; none: every event but the dismissed).  Keys at their defaults are left out.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from strikes.review import FILTER_STATUSES, filter_review
from strikes.views import WEAPON_CLASSES, filter_events

QUERY_KEYS: tuple[str, ...] = (
    "from",
    "to",
    "attacker",
    "weapon",
    "country",
    "region",
    "q",
    "review",
)
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None
    date_to: str | None = None
    attackers: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    text: str = ""
    review: tuple[str, ...] = ()  # FILTER_STATUSES; empty: all but the dismissed
    # Not part of the URL: the data's own date range (so a full range is "no date filter").
    bounds: tuple[str | None, str | None] = field(default=(None, None), compare=False)

    @property
    def active(self) -> bool:
        return bool(
            self.date_from
            or self.date_to
            or self.attackers
            or self.weapons
            or self.countries
            or self.regions
            or self.text.strip()
            or self.review
        )

    def apply(self, events: pd.DataFrame) -> pd.DataFrame:
        return filter_review(self._apply(events), self.review)

    def _apply(self, events: pd.DataFrame) -> pd.DataFrame:
        return filter_events(
            events,
            date_from=self.date_from,
            date_to=self.date_to,
            attackers=self.attackers,
            weapons=[w for w in self.weapons if w in WEAPON_CLASSES],
            countries=self.countries,
            regions=self.regions,
            text=self.text.strip() or None,
        )

    def to_query(self) -> dict[str, str | list[str]]:
        q: dict[str, str | list[str]] = {}
        if self.date_from:
            q["from"] = self.date_from
        if self.date_to:
            q["to"] = self.date_to
        for key, values in (
            ("attacker", self.attackers),
            ("weapon", self.weapons),
            ("country", self.countries),
            ("region", self.regions),
            ("review", self.review),
        ):
            if values:
                q[key] = list(values)
        if self.text.strip():
            q["q"] = self.text.strip()
        return q

    @classmethod
    def from_query(
        cls,
        query: Mapping[str, object],
        *,
        options: Mapping[str, Sequence[str]] | None = None,
    ) -> Filters:
        """Filters of a query mapping (values: str or list of str); invalid parts are dropped.

        With ``options`` (as from `strikes.views.filter_options`), values the data does not
        have are dropped too; weapons are always checked against the weapon classes.
        """

        def values(key: str) -> list[str]:
            raw = query.get(key)
            if raw is None:
                return []
            items = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]
            out: list[str] = []
            for item in items:
                s = str(item).strip()[:MAX_QUERY_CHARS]
                if s and s not in out:
                    out.append(s)
            return out

        def allowed(key: str, opt_key: str, vals: list[str]) -> tuple[str, ...]:
            if options is None or opt_key not in options:
                return tuple(vals)
            ok = set(options[opt_key])
            return tuple(v for v in vals if v in ok)

        def day(key: str) -> str | None:
            vals = values(key)
            if not vals:
                return None
            try:
                return _dt.date.fromisoformat(vals[0][:10]).isoformat()
            except ValueError:
                return None

        date_from, date_to = day("from"), day("to")
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        countries = [c.upper() for c in values("country")]
        text = values("q")
        return cls(
            date_from=date_from,
            date_to=date_to,
            attackers=allowed("attacker", "attackers", values("attacker")),
            weapons=tuple(w for w in values("weapon") if w in WEAPON_CLASSES),
            countries=allowed("country", "countries", countries),
            regions=allowed("region", "regions", values("region")),
            text=text[0] if text else "",
            review=tuple(v for v in values("review") if v in FILTER_STATUSES),
        )


def query_differs(current: Mapping[str, object], wanted: Mapping[str, object]) -> bool:
    """Whether the filter keys of the address bar differ from ``wanted``."""

    def norm(v: object) -> list[str]:
        if v is None:
            return []
        return [v] if isinstance(v, str) else [str(x) for x in v]  # type: ignore[union-attr]

    return any(norm(current.get(k)) != norm(wanted.get(k)) for k in QUERY_KEYS)
