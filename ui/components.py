"""Page pieces shared by several pages: escaping, empty states, headline metrics and the
"sources behind an event" panel (source sentences with highlighted spans, disagreements)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import PurePath

import pandas as pd
import streamlit as st

from ui.render.filters import Filters
from ui.render.highlight import esc, highlight, legend_html, link, text_block
from ui.render.metrics import Headline
from ui.render.theme import (
    PRECISION_LABELS,
    fmt_date,
    fmt_figure,
    fmt_int,
    fmt_list,
    fmt_pct,
    is_floor,
    is_missing,
    kind_label,
    sources_text,
    total_label,
    vague_items,
    weapon_label,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Text safe to put into st.markdown / labels: markdown and HTML characters escaped."""
    if text is None or is_missing(text):
        return ""
    s = " ".join(str(text).split()) if "\n" in str(text) else str(text)
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(text: object) -> str:
    """`text` as a markdown code span, shown exactly as written (no backslashes: markdown
    escapes are not undone inside code); the fence is longer than any backtick run in it."""
    s = " ".join(str(text).split()) if not is_missing(text) else ""
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def short_file(name: object) -> str:
    if is_missing(name):
        return ""
    return PurePath(str(name)).name


def empty_state(message: str, *, hint: str | None = None) -> None:
    text = message if hint is None else f"{message}\n\n{hint}"
    st.info(text, icon=":material/info:")


def no_events_for_filters(filters: Filters, total: int) -> None:
    if total == 0:
        empty_state(
            "The store has no events yet.",
            hint="Add news articles on the **Add articles** page (upload files or paste text).",
        )
    else:
        empty_state(
            f"No event matches the current filters (the store has {total:,} events).",
            hint="Widen the date range, clear a filter in the sidebar, or press **Reset filters**.",
        )


def filter_caption(filters: Filters, shown: int, total: int) -> None:
    parts = []
    if filters.date_from or filters.date_to:
        lo = fmt_date(filters.date_from) if filters.date_from else "the start"
        hi = fmt_date(filters.date_to) if filters.date_to else "the end"
        parts.append(f"{lo} – {hi}")
    for label, values in (
        ("attacker", filters.attackers),
        ("weapon", [weapon_label(w) for w in filters.weapons]),
        ("country", filters.countries),
        ("region", filters.regions),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    if filters.text.strip():
        parts.append(f"search “{filters.text.strip()}”")
    if filters.review:
        parts.append(f"review: {', '.join(filters.review)}")
    what = "; ".join(parts) if parts else "no filters"
    st.caption(f"Showing **{shown:,}** of {total:,} events · {md_escape(what)}")


def _rate_label(h: Headline) -> str:
    if not h.rate_nights:
        return "Intercept rate"
    return f"Intercept rate · {h.rate_nights:,} night{'s' if h.rate_nights != 1 else ''}"


def _headline_block(h: Headline) -> None:
    """One attacker's cards (figures ending in "+" are lower bounds: "more than 500")."""
    floor = (
        "A figure ending in + is a lower bound: a report behind it said “at least” or “more than”."
    )
    cols = [c for _ in range(2) for c in st.columns(2)]
    cols[0].metric(
        "Barrages (nights)",
        f"{h.barrages:,}",
        help=f"Nights with a day-dated report of attacks by {h.attacker}, national tallies and "
        "local strikes together.",
        border=True,
    )
    cols[1].metric(
        "Launched",
        fmt_figure(h.launched, "launched" in h.floors),
        border=True,
        help=f"Drones and missiles launched by {h.attacker}, summed over nights: the national "
        "tally where one was reported, else the sum of the local reports. — means no report "
        "gives the figure. " + floor,
    )
    cols[2].metric(
        "Intercepted",
        fmt_figure(h.intercepted, "intercepted" in h.floors),
        border=True,
        help="Shot down or jammed, as reported, summed over nights. " + floor,
    )
    rate_help = (
        f"Intercepted ÷ launched over the {h.rate_nights:,} night(s) that report both figures "
        f"(of {h.barrages:,} night(s) in the selection)."
        if h.rate_nights
        else "No night in this selection reports both launched and intercepted."
    )
    cols[3].metric(_rate_label(h), fmt_pct(h.intercept_rate), help=rate_help, border=True)
    cols = [c for _ in range(2) for c in st.columns(2)]
    cols[0].metric(
        "Killed",
        fmt_figure(h.killed, "killed" in h.floors),
        border=True,
        help="Per night the larger of the national and the summed local figures. " + floor,
    )
    cols[1].metric("Injured", fmt_figure(h.injured, "injured" in h.floors), border=True)
    cols[2].metric(
        "Places hit",
        f"{h.places_hit:,}",
        border=True,
        help="Distinct towns, cities and regions with a reported strike (national "
        "tallies and interceptions alone do not count).",
    )
    cols[3].metric(
        "Events",
        f"{h.events:,}",
        border=True,
        help="Rows of the event table for this attacker (incl. monthly totals).",
    )


def headline_metrics(heads: Sequence[Headline], *, events: int) -> None:
    """Headline cards per attacker, side by side (stacked on a phone): the two sides' attacks
    are never added together."""
    if not heads:
        st.caption(f"{events:,} event(s) in this selection, none with a known attacker.")
        return
    # Eight cards per attacker in half the width: smaller figures, labels that wrap, so that
    # "1,126+" and "Intercept rate · 12 nights" are never cut.
    # Two cards a row in each attacker's half; on a phone the halves stack but the pairs stay
    # side by side (Streamlit would stack every card: sixteen screens of cards).
    st.html(
        "<style>.st-key-headline_cards [data-testid='stMetricValue']{font-size:1.6rem}"
        "@media (max-width:640px){.st-key-headline_cards [data-testid='stColumn'] "
        "[data-testid='stHorizontalBlock']{flex-wrap:nowrap!important}"
        ".st-key-headline_cards [data-testid='stColumn'] [data-testid='stColumn']"
        "{min-width:0!important;flex:1 1 0!important}}</style>"
    )
    with st.container(key="headline_cards"):
        blocks = (
            st.columns(len(heads), gap="large")
            if len(heads) <= 2
            else [st.container() for _ in heads]
        )
        for block, h in zip(blocks, heads, strict=True):
            with block:
                st.markdown(f"**Attacks by {md_escape(h.attacker)}**")
                _headline_block(h)
    unattributed = events - sum(h.events for h in heads)
    if unattributed > 0:
        st.caption(f"{unattributed:,} event(s) without a known attacker are in no card.")


# --------------------------------------------------------------------------------------------
# One event and its sources
# --------------------------------------------------------------------------------------------


def event_title(ev: Mapping) -> str:
    """Plain-text one-line summary of an event (escape before using it as markdown)."""
    date = fmt_date(ev.get("date"), ev.get("date_precision"))
    place = ev.get("location")
    place = "unresolved place" if is_missing(place) else str(place)
    prec = ev.get("geo_precision")
    where = f"{place} ({prec})" if not is_missing(prec) else place
    kind = total_label(ev)
    kind = f" · {kind}" if kind else ""
    attacker = "unknown attacker" if is_missing(ev.get("attacker")) else str(ev["attacker"])
    figures = [
        f"{f} {fmt_figure(ev.get(f), is_floor(ev.get('bounds'), f))}"
        for f in ("launched", "intercepted", "hit", "killed", "injured")
        if not is_missing(ev.get(f))
    ]
    weapons = fmt_list(ev.get("weapons"), label=lambda w: weapon_label(w).lower(), missing="")
    bits = [f"{date}{kind}", f"{attacker} → {where}"]
    if weapons:
        bits.append(weapons)
    if figures:
        bits.append(", ".join(figures))
    return " · ".join(bits)


_STEMS = {"Russia": "Russia", "Ukraine": "Ukrain"}


def actor_spans(sentence: str, offset: int, ev: Mapping) -> list[dict]:
    """Spans of the attacker's and the claimant's names in a source sentence (for display).

    Whole words: "Russia" marks "Russian" and "Russia's" entirely, never part of a word.
    """
    names: list[str] = []
    attacker = ev.get("attacker")
    if not is_missing(attacker):
        names.append(_STEMS.get(str(attacker), str(attacker)))
    claimed = ev.get("claimed_by")
    if isinstance(claimed, list | tuple):
        names += [str(c) for c in claimed if c]
    spans = []
    for name in names:
        n = name.strip()
        if len(n) < 3:
            continue
        for m in re.finditer(r"\b" + re.escape(n) + r"[\w’']*", sentence, flags=re.IGNORECASE):
            spans.append({"start": offset + m.start(), "end": offset + m.end(), "label": "actor"})
    return spans


def _without_overlaps(extra: list[dict], spans: list[dict]) -> list[dict]:
    """The ``extra`` spans that touch none of ``spans`` (extracted spans take precedence)."""
    out = []
    for e in extra:
        if all(
            int(e["end"]) <= int(s.get("start", 0)) or int(e["start"]) >= int(s.get("end", 0))
            for s in spans
            if isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
        ):
            out.append(e)
    return out


# Lookups built once per frame.  The dashboard's frames are cached objects shared by every
# run (ui.data), so an index keyed on the frame object serves every panel of every run until
# the store changes; a weak reference tells a new frame that reuses an old id apart.
_INDEXES: dict[tuple[int, str], tuple[weakref.ref, object]] = {}
_INDEXES_MAX = 16


def _frame_index(frame: pd.DataFrame, what: str, build: Callable[[pd.DataFrame], object]):
    key = (id(frame), what)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    value = build(frame)
    if len(_INDEXES) >= _INDEXES_MAX:
        _INDEXES.pop(next(iter(_INDEXES)), None)
    _INDEXES[key] = (weakref.ref(frame), value)
    return value


def _positions(column: str) -> Callable[[pd.DataFrame], dict]:
    def build(frame: pd.DataFrame) -> dict:
        if frame.empty or column not in frame.columns:
            return {}
        return frame.groupby(frame[column].astype("string"), sort=False).indices

    return build


def _article_titles(articles: pd.DataFrame) -> dict[str, str]:
    cols = [c for c in ("article_id", "title", "file", "outlet", "published") if c in articles]
    return {str(r["article_id"]): _article_label(r) for r in articles[cols].to_dict("records")}


def _article_urls(articles: pd.DataFrame) -> dict[str, str]:
    if "url" not in articles:
        return {}
    sub = articles[articles["url"].notna()]
    return dict(zip(sub["article_id"].astype(str), sub["url"].astype(str), strict=True))


def _claim_spans(claims: pd.DataFrame, claim_id: object) -> list[dict]:
    if is_missing(claim_id) or claims.empty:
        return []
    rows = _frame_index(claims, "claim_id", _positions("claim_id")).get(str(claim_id))
    if rows is None or not len(rows):
        return []
    spans = claims["spans"].iat[int(rows[0])]
    if not isinstance(spans, list):
        return []
    return [s for s in spans if isinstance(s, dict)]


def _article_label(row: Mapping) -> str:
    title = row.get("title")
    title = short_file(row.get("file")) if is_missing(title) else str(title)
    outlet = "" if is_missing(row.get("outlet")) else str(row["outlet"])
    date = row.get("published")
    bits = [title]
    if outlet:
        bits.append(outlet)
    bits.append(
        f"published {fmt_date(date)}" if not is_missing(date) else "publication date unknown"
    )
    return " · ".join(bits)


def _conflict_lines(ev: Mapping, titles: Mapping[str, str]) -> list[str]:
    conflicts = ev.get("conflicts")
    lines = []
    if isinstance(conflicts, dict):
        for field, reports in conflicts.items():
            if not isinstance(reports, list | tuple) or not reports:
                continue
            vals = []
            for r in reports:
                if not isinstance(r, dict):
                    continue
                v = r.get("value")
                v_txt = (
                    fmt_figure(v, r.get("lower_bound") is True)
                    if isinstance(v, int | float)
                    else str(v)
                )
                art = titles.get(str(r.get("article")), short_file(r.get("article")))
                vals.append(f"<b>{esc(v_txt)}</b> ({esc(art)})")
            kept = ev.get(field)
            kept_txt = (
                f"; the table keeps <b>{esc(fmt_figure(kept, is_floor(ev.get('bounds'), field)))}"
                "</b> (the most specific figure)"
                if not is_missing(kept) and not isinstance(kept, list | dict)
                else ""
            )
            lines.append(f"Sources disagree on <b>{esc(field)}</b>: {'; '.join(vals)}{kept_txt}.")
    vague = ev.get("vague")
    if isinstance(vague, dict):
        for field, text, low in vague_items(vague):
            bound = f", at least {esc(fmt_int(low))}" if low is not None else ""
            lines.append(
                f"<b>{esc(field)}</b> was reported only vaguely, as “{esc(text)}”{bound} "
                "(no number is counted for it)."
            )
    return lines


def event_sources_text(ev: Mapping) -> str:
    """ "3 articles, 2 outlets" of an event (ui.data adds the label; counted here otherwise)."""
    label = ev.get("sources_label")
    if isinstance(label, str) and label:
        return label
    return sources_text(ev.get("n_articles"), ev.get("n_outlets"))


def event_facts(ev: Mapping) -> None:
    rows = {
        "Date": fmt_date(ev.get("date"), ev.get("date_precision"))
        + (
            ""
            if ev.get("date_precision") in (None, "day")
            else f" ({ev.get('date_precision')} precision)"
        ),
        "Attacker": "—" if is_missing(ev.get("attacker")) else str(ev["attacker"]),
        "Place": "—" if is_missing(ev.get("location")) else str(ev["location"]),
        "Region / country": " / ".join(
            str(ev[c]) for c in ("admin1", "country_code") if not is_missing(ev.get(c))
        )
        or "—",
        "Location precision": PRECISION_LABELS.get(str(ev.get("geo_precision")), "unresolved"),
        "Weapons": fmt_list(ev.get("weapons"), label=weapon_label),
        "Models named": fmt_list(ev.get("weapon_models")),
        "Target": "—" if is_missing(ev.get("target")) else str(ev["target"]),
        **{
            f.capitalize(): fmt_figure(ev.get(f), is_floor(ev.get("bounds"), f))
            for f in ("launched", "intercepted", "hit", "killed", "injured")
        },
        "Claimed by": fmt_list(ev.get("claimed_by")),
        "Kind": kind_label(ev),
        "Sources": event_sources_text(ev),
    }
    # Fields an analyst corrected (strikes.review) are marked; the machine's value and the
    # note are in the review panel below the sources.
    corrected = (
        (ev.get("review") or {}).get("fields", {}) if isinstance(ev.get("review"), dict) else {}
    )
    labels = {"date": "Date", "attacker": "Attacker", "place": "Place", "weapons": "Weapons"}
    labels |= {"kind": "Kind"} | {
        f: f.capitalize() for f in ("launched", "intercepted", "killed", "injured")
    }
    for fld in corrected:
        if labels.get(fld) in rows:
            rows[labels[fld]] += "  ✎ corrected"
    body = "".join(
        f"<tr><th style='text-align:left;padding:2px 12px 2px 0;font-weight:600'>{esc(k)}</th>"
        f"<td style='padding:2px 0'>{esc(v)}</td></tr>"
        for k, v in rows.items()
    )
    st.html(f"<table style='font-size:0.9rem;border-collapse:collapse'>{body}</table>")


SOURCES_PER_PAGE = 20


def event_sources_panel(
    ev: Mapping,
    *,
    event_sources: pd.DataFrame,
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    show_facts: bool = True,
    key_prefix: str = "ev",
) -> None:
    """The facts of one event, its source sentences (highlighted, `SOURCES_PER_PAGE` at a
    time) and any disagreements.  `key_prefix` tells apart two panels of one event on a page."""
    eid = str(ev.get("event_id"))
    srcs = None
    if not event_sources.empty:
        rows = _frame_index(event_sources, "event_id", _positions("event_id")).get(eid)
        srcs = event_sources.iloc[rows if rows is not None else []]
    titles = _frame_index(articles, "titles", _article_titles) if not articles.empty else {}
    urls = _frame_index(articles, "urls", _article_urls) if not articles.empty else {}
    if show_facts:
        left, right = st.columns([2, 3])
        with left:
            event_facts(ev)
        target = right
    else:
        target = st.container()
    with target:
        lines = _conflict_lines(ev, titles)
        if lines:
            st.html(
                "<div style='background:rgba(255,170,0,0.12);border-left:4px solid #E69F00;"
                "padding:0.5rem 0.8rem;border-radius:4px;font-size:0.92rem'>"
                "<div style='font-weight:600;margin-bottom:0.2rem'>⚠ Reports differ</div>"
                + "<br>".join(lines)
                + "</div>"
            )
        if srcs is None or srcs.empty:
            all_rows = [s for s in (ev.get("sources") or []) if isinstance(s, dict)]
            total = len(all_rows)
        else:
            srcs = srcs.sort_values("ord")
            total = len(srcs)
        if not total:
            st.caption("No source sentence is recorded for this event.")
            return
        # A bounded page of sources: one event can cite thousands of sentences (a paste of
        # one report repeated), and each is a highlighted block in the browser.
        first = 0
        if total > SOURCES_PER_PAGE:
            pages = -(-total // SOURCES_PER_PAGE)
            page = st.number_input(
                f"Sources page (of {pages:,}; {total:,} sources)",
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key=f"src_page_{key_prefix}_{eid}",
            )
            first = (int(page) - 1) * SOURCES_PER_PAGE
        if srcs is None or srcs.empty:
            rows = all_rows[first : first + SOURCES_PER_PAGE]
        else:
            rows = srcs.iloc[first : first + SOURCES_PER_PAGE].to_dict("records")
            for r in rows:
                r.setdefault("article", r.get("article_id"))
        st.html(legend_html(("number", "casualty", "place", "weapon", "actor")))
        for i, s in enumerate(rows, start=first + 1):
            art_id = s.get("article_id") or s.get("article")
            label = titles.get(str(art_id), short_file(art_id))
            url = s.get("url") if not is_missing(s.get("url")) else urls.get(str(art_id))
            sentence = s.get("sentence")
            start = s.get("start")
            if is_missing(sentence) or not isinstance(sentence, str):
                body = "<i>(sentence text not stored)</i>"
            else:
                off = 0 if is_missing(start) else int(start)
                spans = _claim_spans(claims, s.get("claim_id"))
                spans += _without_overlaps(actor_spans(sentence, off, ev), spans)
                body = highlight(sentence, spans, offset=off)
            rule = s.get("rule")
            rule_txt = (
                f"<div style='font-size:0.75rem;opacity:0.7;margin-top:0.25rem'>extraction rule: "
                f"{esc(rule)}</div>"
                if not is_missing(rule) and rule
                else ""
            )
            st.html(
                f"<div style='font-size:0.8rem;opacity:0.8;margin:0.4rem 0 0.15rem 0'>Source {i}: "
                f"{link(label, url)}</div>" + text_block(body) + rule_txt
            )


def events_by_id(events: pd.DataFrame, ids: Iterable[str]) -> list[dict]:
    ids = [str(i) for i in ids]
    if not ids or events.empty:
        return []
    sub = events[events["event_id"].isin(ids)]
    order = {e: i for i, e in enumerate(ids)}
    recs = sub.to_dict("records")
    recs.sort(key=lambda r: order.get(str(r["event_id"]), 0))
    return recs


TALLIES_SHOWN = 40


def tally_panel(tallies: pd.DataFrame) -> None:
    """National tallies and monthly totals as a list of badges (one per report, latest first)
    beside the map: counts over a whole country are not places, so they are not drawn."""
    from strikes.export import country_name

    st.markdown(f"**National tallies ({len(tallies):,})**")
    if tallies.empty:
        st.caption("No national tally or monthly total in this selection.")
        return
    items = []
    for r in tallies.head(TALLIES_SHOWN).to_dict("records"):
        when = fmt_date(r.get("date"), r.get("date_precision"))
        period = " (month)" if r.get("date_precision") == "month" else ""
        attacker = "unknown" if is_missing(r.get("attacker")) else str(r["attacker"])
        cc = r.get("country_code")
        where = "?" if is_missing(cc) else country_name(cc)
        figures = " · ".join(
            f"{fmt_figure(r[f], is_floor(r.get('bounds'), f))} {f}"
            for f in ("launched", "intercepted", "killed", "injured")
            if not is_missing(r.get(f))
        )
        items.append(
            "<div style='border:1px solid rgba(128,128,128,0.35);border-radius:6px;"
            "padding:0.3rem 0.5rem;margin-bottom:0.35rem;font-size:0.85rem'>"
            f"<b>{esc(when)}{esc(period)}</b><br>{esc(attacker)} → {esc(where)}<br>"
            f"{esc(figures or 'no figures')}<br>"
            f"<span style='opacity:0.75'>{esc(event_sources_text(r))}</span></div>"
        )
    more = len(tallies) - TALLIES_SHOWN
    tail = (
        f"<div style='font-size:0.8rem;opacity:0.8'>… and {more:,} more (Events page)</div>"
        if more > 0
        else ""
    )
    st.html(
        "<div style='max-height:520px;overflow-y:auto' data-testid='tally-panel'>"
        + "".join(items)
        + tail
        + "</div>"
    )


def undated_reason(ev: Mapping, published: Mapping[str, object]) -> str:
    """Why an event has no date, from its sources' articles (``published``: article id ->
    publication date or None)."""
    arts = []
    for s in ev.get("sources") or []:
        if isinstance(s, dict):
            a = s.get("article") or s.get("article_id")
            if a is not None:
                arts.append(str(a))
    if arts and all(is_missing(published.get(a)) for a in arts):
        return "the article has no publication date and its text names no date"
    return "the text's date could not be resolved (e.g. “last week”)"


def undated_events(undated: pd.DataFrame, *, articles: pd.DataFrame) -> None:
    """The undated events of the current filters, apart from the dated ones: never on a
    timeline, the map or in the dated totals, but not hidden either."""
    if undated.empty:
        return
    n = len(undated)
    published: dict[str, object] = {}
    if not articles.empty and "published" in articles.columns:
        published = dict(
            zip(
                articles["article_id"].astype(str),
                articles["published"].astype(object).where(articles["published"].notna(), None),
                strict=True,
            )
        )
    label = f"{n:,} undated event{'s' if n != 1 else ''} (not on the timeline, map or totals)"
    with st.expander(label, icon=":material/event_busy:"):
        rows = [
            f"<li>{esc(event_title(ev))}<br><span style='opacity:0.75'>Undated: "
            f"{esc(undated_reason(ev, published))}. Set the article's date on the Add articles "
            "page to place it.</span></li>"
            for ev in undated.head(200).to_dict("records")
        ]
        more = f"<p>… and {n - 200:,} more.</p>" if n > 200 else ""
        st.html(f"<ul style='font-size:0.9rem'>{''.join(rows)}</ul>{more}")
