"""Manage articles: delete an article and everything derived from it (operators only; off in
read-only mode).  The command line does the same: `python -m strikes delete-article`."""

from __future__ import annotations

import streamlit as st

from strikes.errors import StrikesError
from strikes.ingest import delete_articles
from strikes.manage import derived
from ui.auth import may_delete
from ui.components import md_escape, short_file
from ui.data import get_settings, get_store, plain_error
from ui.page import page_context

DONE = "_manage_last"

ctx = page_context()
settings = get_settings()
allowed, why_not = may_delete(settings)
st.title("Manage articles")
st.markdown(
    "Delete an article that should not be in the store (a wrong or hostile submission). Its "
    "sentences and strike reports go with it; events only it reported disappear, events other "
    "articles also reported lose it as a source and are merged again."
)
if not allowed:
    st.warning(
        f"Deleting articles is not available here: {md_escape(why_not)}.", icon=":material/lock:"
    )

last = st.session_state.pop(DONE, None)
if last:
    (st.success if last["ok"] else st.error)(md_escape(last["text"]))

arts = ctx.data.articles
if arts.empty:
    st.info("The store has no articles.", icon=":material/info:")
    st.stop()

labels = {
    str(a): f"{t if isinstance(t, str) and t else short_file(f)} · {short_file(f)} · {a}"
    for a, t, f in zip(arts["article_id"], arts["title"], arts["file"], strict=True)
}
choice = st.selectbox(
    "Article",
    list(labels),
    index=None,
    format_func=labels.get,
    placeholder="Choose an article (type to search titles, files and ids)",
    key="manage_article",
    disabled=not allowed,
)
if choice:
    d = derived(get_store(), choice)
    st.markdown(
        f"Deleting **{md_escape(labels[choice])}** removes {d.sentences:,} sentences and "
        f"{d.claims:,} strike reports; {d.events_only_from_it:,} event(s) only it reported "
        f"disappear, {d.events_shared:,} other event(s) lose it as a source."
    )
    sure = st.checkbox("Yes, delete this article", key="manage_confirm", disabled=not allowed)
    if st.button(
        "Delete article",
        type="primary",
        icon=":material/delete:",
        disabled=not (allowed and sure),
        key="manage_delete",
    ):
        allowed, why_not = may_delete(get_settings())  # checked again: a crafted click
        if not allowed:
            st.session_state[DONE] = {"ok": False, "text": f"Not deleted: {why_not}."}
        else:
            try:
                report = delete_articles(get_store(), [choice])
            except StrikesError as exc:
                st.session_state[DONE] = {"ok": False, "text": f"Not deleted: {plain_error(exc)}"}
            else:
                st.session_state[DONE] = {
                    "ok": bool(report.deleted_articles),
                    "text": (
                        f"Deleted {', '.join(short_file(f) for f in report.deleted_articles)}: "
                        f"{report.removed_events} event(s) removed, {report.updated_events} "
                        f"updated; {report.n_events:,} events from {report.n_articles:,} "
                        "articles in the store."
                    ),
                }
        st.session_state.pop("manage_article", None)
        st.session_state.pop("manage_confirm", None)
        st.rerun()
