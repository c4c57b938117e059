"""Sources: every article with its metadata and date provenance, the cleaned text with the
extracted spans highlighted, the removed boilerplate, and the events it contributed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.components import md_escape, short_file
from ui.page import filtered_page
from ui.render.highlight import esc, highlight, legend_html, link, text_block
from ui.render.theme import fmt_date, fmt_int
from ui.tables import ARTICLE_SORTS, article_order, events_table, page_of, table_order

DATE_SOURCES = {
    "document": "dateline in the article text",
    "html-metadata": "the web page's metadata",
    "manifest": "set by a curator (manifest / upload form)",
    "near-duplicate": "taken from a dated copy of the same story",
    "unknown": "unknown — relative dates in it stay unresolved",
}

# The sidebar's filters apply here as on every page: the articles behind the filtered events.
ctx = filtered_page("Sources", stop_when_empty=False)
data = ctx.data
arts = data.articles
if arts.empty:
    st.info(
        "No articles in the store yet. Add some on the **Add articles** page.",
        icon=":material/info:",
    )
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=2)
def _article_table(version: str, _articles: pd.DataFrame, _src: pd.DataFrame) -> pd.DataFrame:
    """Every article's row of the table (all but "in_filter"), once per store version."""
    arts = _articles
    contrib = (
        _src.groupby("article_id")["event_id"].nunique() if not _src.empty else pd.Series(dtype=int)
    )
    # The group representative's title by id (one lookup per copy, not a scan of every article).
    title_of = dict(zip(arts["article_id"], arts["title"], strict=True))
    files = arts["file"].map(short_file)
    return pd.DataFrame(
        {
            "title": arts["title"].fillna(files),
            "outlet": arts["outlet"],
            "published": pd.to_datetime(arts["published"], errors="coerce"),
            "published_source": arts["published_source"].map(
                lambda s: DATE_SOURCES.get(str(s), str(s)) if isinstance(s, str) else "unknown"
            ),
            "dup": [
                "" if pd.isna(g) or g == a else "copy of " + short_file(title_of.get(g, g))
                for a, g in zip(arts["article_id"], arts["dup_group"], strict=True)
            ],
            "events": arts["article_id"].map(contrib).fillna(0).astype(int),
            "in_filter": 0,
            "file": files,
            "article_id": arts["article_id"],
        }
    )


src = data.event_sources
table = _article_table(data.version, arts, src)
if len(ctx.events) == ctx.total:
    table = table.assign(in_filter=table["events"])
elif not src.empty:
    mine = src["event_id"].isin(ctx.events["event_id"]).to_numpy(dtype=bool)
    in_filter = src.loc[mine].groupby("article_id")["event_id"].nunique()
    table = table.assign(in_filter=arts["article_id"].map(in_filter).fillna(0).astype(int))

if ctx.filters.active:
    table = table[table["in_filter"] > 0]
    st.caption(
        f"**{len(table):,} article(s)** behind the filtered events (the sidebar's filters apply "
        "to every page; clear them to list every article, also those without events). Select "
        "one to read it with the extracted figures highlighted."
    )
else:
    st.caption(
        f"**{len(table):,} article(s)**: every article in the store, also those without events. "
        "Select one to read it with the extracted figures highlighted."
    )
if table.empty:
    st.info(
        "No article is behind the filtered events. Widen or clear the filters in the sidebar.",
        icon=":material/info:",
    )
    st.stop()
start, stop = page_of(len(table), key="sources_table", sorts=ARTICLE_SORTS)
by = table_order("sources_table", ARTICLE_SORTS, n=len(table))
table = table.iloc[article_order(table, by)]
sel = st.dataframe(
    table.iloc[start:stop],
    hide_index=True,
    placeholder="—",
    width="stretch",
    # One key per page and order: a selection made on one must not select a row of another.
    key="sources_table" if start == 0 and by == "newest" else f"sources_table_{by}_from{start}",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "title": st.column_config.TextColumn("Title", width="large"),
        "outlet": st.column_config.TextColumn("Outlet"),
        "published": st.column_config.DateColumn("Published", format="D MMM YYYY"),
        "published_source": st.column_config.TextColumn("Date from"),
        "dup": st.column_config.TextColumn(
            "Duplicate group", help="Near-duplicate (syndicated) copies of one story."
        ),
        "events": st.column_config.NumberColumn("Events", help="Events it contributed to."),
        "in_filter": st.column_config.NumberColumn(
            "In filter", help="Of those, events matching the filters."
        ),
        "file": st.column_config.TextColumn("File"),
        "article_id": None,
    },
)
rows = sel.selection.rows if sel is not None and hasattr(sel, "selection") else []
ids = table["article_id"].iloc[start:stop].tolist()
# ?article=<id> (the Add articles page links a new article so): that article until a row is
# selected, even when its events are outside the filters.
linked = st.query_params.get("article")
if rows and 0 <= rows[0] < len(ids):
    chosen = ids[rows[0]]
elif linked is not None and (arts["article_id"] == linked).any():
    chosen = linked
    st.caption("Showing the linked article; select a row above to read another.")
else:
    chosen = ids[0]
    st.caption("Showing the first article of the page; select a row above to read another.")
labels = dict(zip(table["article_id"], table["title"].astype(str), strict=True))
if chosen not in labels:  # a linked article outside the filtered list
    row = arts[arts["article_id"] == chosen].iloc[0]
    labels[chosen] = row["title"] if isinstance(row["title"], str) else short_file(row["file"])

art = arts[arts["article_id"] == chosen].iloc[0].to_dict()
st.subheader(md_escape(labels.get(chosen, chosen)))
meta = [
    ("Outlet", art.get("outlet") if isinstance(art.get("outlet"), str) else "unknown"),
    ("Published", fmt_date(art.get("published"), missing="unknown")),
    ("Date from", DATE_SOURCES.get(str(art.get("published_source")), "unknown")),
    ("File", short_file(art.get("file"))),
    ("Language", art.get("language") or "—"),
    ("Sentences", fmt_int(art.get("n_sentences"))),
]
if isinstance(art.get("published_ref"), str) and art["published_ref"]:
    meta.append(("Date taken from", labels.get(art["published_ref"], art["published_ref"])))
items = [f"<b>{esc(k)}:</b> {esc(v)}" for k, v in meta]
if isinstance(art.get("url"), str) and art["url"]:
    items.append(f"<b>URL:</b> {link(art['url'], art['url'])}")  # linked when http(s) only
st.html("<div style='font-size:0.9rem'>" + " · ".join(items) + "</div>")

claims = data.claims[data.claims["article_id"] == chosen] if not data.claims.empty else None
spans: list[dict] = []
if claims is not None:
    for sp in claims["spans"]:
        if isinstance(sp, list):
            spans += [s for s in sp if isinstance(s, dict)]
text = art.get("text") if isinstance(art.get("text"), str) else ""
removed = art.get("removed") if isinstance(art.get("removed"), list) else []

left, right = st.columns([3, 2])
with left:
    st.markdown("**Cleaned text**")
    st.html(legend_html())
    st.html(text_block(highlight(text, spans) if text else "<i>(empty)</i>", max_height="640px"))
with right:
    st.markdown(f"**Removed boilerplate** ({len(removed):,} piece(s))")
    if not removed:
        st.caption("Nothing was cut from this article.")
    for i, r in enumerate(removed, start=1):
        if not isinstance(r, dict):
            continue
        reason = str(r.get("reason") or "removed")
        piece = str(r.get("text") or "")
        preview = " ".join(piece.split())[:60]
        with st.expander(f"{i}. {md_escape(reason)} — {md_escape(preview)}…"):
            st.html(text_block(esc(piece), max_height="300px"))

st.markdown("**Events it contributed**")
ev_ids = set(src.loc[src["article_id"] == chosen, "event_id"]) if not src.empty else set()
mine = ctx.events[ctx.events["event_id"].isin(ev_ids)]
if not ev_ids:
    st.caption("No event was extracted from this article (it may be background or commentary).")
else:
    outside = len(ev_ids) - len(mine)
    if outside:
        st.caption(f"{outside:,} more of its events are outside the sidebar's filters.")
    if not mine.empty:
        events_table(mine, key="sources_events")
