"""The event table as a compact card list, for phones (pure HTML rendering, no Streamlit).

A 14-column table is unreadable at 390 px: each event becomes a card of three lines (date and
kind; attacker and place; the reported figures, weapons and sources).  Every value is escaped.
"""

from __future__ import annotations

import pandas as pd

from ui.render.highlight import esc
from ui.render.theme import (
    attacker_color,
    fmt_date,
    fmt_figure,
    is_floor,
    is_missing,
    kind_label,
    place_label,
    sources_text,
    weapon_label,
)

FIGURES = ("launched", "intercepted", "hit", "killed", "injured")

# Shown below this width instead of the table (and hidden above it); see `responsive_css`.
PHONE_MAX_PX = 640

_CARD_CSS = """
.ev-cards{display:flex;flex-direction:column;gap:6px;max-height:70vh;overflow-y:auto}
.ev-card{border:1px solid rgba(128,128,128,.35);border-radius:6px;padding:6px 9px;
 font-size:.86rem;line-height:1.35}
.ev-card .l1{display:flex;justify-content:space-between;gap:8px;opacity:.8;font-size:.78rem}
.ev-card .l2{font-weight:600}
.ev-card .att{display:inline-block;width:.7em;height:.7em;border-radius:50%;
 margin-right:.35em;vertical-align:baseline}
.ev-card .fig{font-variant-numeric:tabular-nums}
.ev-card .warn{color:#B8860B}
"""


def responsive_css(wide_class: str, cards_class: str, *, max_px: int = PHONE_MAX_PX) -> str:
    """CSS that shows the element with class `cards_class` only on narrow screens and the one
    with `wide_class` only on wide ones (Streamlit gives a keyed container the class
    ``st-key-<key>``)."""
    return (
        f"<style>@media (max-width:{max_px}px){{.{wide_class}{{display:none!important}}}}"
        f"@media (min-width:{max_px + 1}px){{.{cards_class}{{display:none!important}}}}"
        f"{_CARD_CSS}</style>"
    )


def _card(ev: dict) -> str:
    date = fmt_date(ev.get("date"), ev.get("date_precision"))
    kind = kind_label(ev)
    attacker = "unknown attacker" if is_missing(ev.get("attacker")) else str(ev["attacker"])
    place = place_label(ev) or "unresolved place"
    figures = [
        f"{f} <span class='fig'>{esc(fmt_figure(ev.get(f), is_floor(ev.get('bounds'), f)))}</span>"
        for f in FIGURES
        if not is_missing(ev.get(f))
    ]
    weapons = ev.get("weapons")
    weapons = [weapon_label(w).lower() for w in weapons] if isinstance(weapons, list) else []
    label = ev.get("sources_label")
    if not isinstance(label, str) or not label:
        label = sources_text(ev.get("n_articles"), ev.get("n_outlets"))
    conflicts = ev.get("conflicts")
    warn = (
        f" <span class='warn'>⚠ {esc(', '.join(conflicts))}</span>"
        if isinstance(conflicts, dict) and conflicts
        else ""
    )
    line3 = " · ".join(
        [*(figures or ["no figures reported"]), *([esc(", ".join(weapons))] if weapons else [])]
    )
    return (
        "<div class='ev-card'>"
        f"<div class='l1'><span>{esc(date)}</span><span>{esc(kind)}</span></div>"
        f"<div class='l2'><span class='att' style='background:{attacker_color(attacker)}'>"
        f"</span>{esc(attacker)} → {esc(place)}</div>"
        f"<div>{line3}</div>"
        f"<div class='l1'><span>{esc(label)}{warn}</span></div>"
        "</div>"
    )


def event_cards_html(events: pd.DataFrame) -> str:
    """The events (in the order given) as a card list."""
    return "<div class='ev-cards'>" + "".join(map(_card, events.to_dict("records"))) + "</div>"
