"""The domain's vocabulary, named once: figure fields, weapon classes, place precisions, kinds.

Every stage, the exports and the dashboard take these names from here.
"""

from __future__ import annotations

FIGURES: tuple[str, ...] = ("launched", "intercepted", "hit", "killed", "injured")
"""The figures a claim or an event may report, in contract order."""
WEAPON_COUNT_FIELDS: tuple[str, ...] = ("launched", "intercepted", "hit")
CASUALTY_FIELDS: tuple[str, ...] = ("killed", "injured")

WEAPON_CLASSES: tuple[str, ...] = (
    "drone",
    "missile",
    "glide_bomb",
    "artillery",
    "aircraft",
    "other",
)
"""The weapon classes of the contract, in display order; bit i of a weapon mask is class i."""
AIR_WEAPONS = frozenset({"drone", "aircraft", "glide_bomb"})
"""Weapon classes delivered through the air (ACLED's "Air/drone strike")."""

PRECISIONS: tuple[str, ...] = ("city", "region", "country")
"""How precisely a gazetteer place locates an event (`geo_precision`)."""
PLACE_KINDS: tuple[str, ...] = (*PRECISIONS, "unknown")
"""What a place mention in text names; "unknown" is a proper name the gazetteer lacks."""

EVENT_KINDS: tuple[str, ...] = ("strike", "total")
"""An event is one strike, or a period total (a tally for a night or a longer span)."""
