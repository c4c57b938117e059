"""Add articles: upload files, paste text or fetch a URL; see what was added and what was
rejected and why.  Disabled when the app runs read-only (STRIKES_READ_ONLY=1)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from strikes.documents.uploads import Prepared, fetch_url, from_text, from_uploads
from strikes.errors import ReadOnlyStore, StoreBusy, StoreError, StrikesError
from strikes.fetch import url_fetch_enabled
from strikes.ingest import set_published
from strikes.worker import ingest_in_worker
from ui.components import md_code, md_escape
from ui.data import get_settings, get_store, plain_error, read_only_reason, without_paths
from ui.page import ensure_navigation
from ui.render.theme import plural

ensure_navigation()

settings = get_settings()
read_only = bool(settings.read_only)
allowed = ", ".join(settings.allowed_suffixes)
# One limit, as the browser counts it: Streamlit's upload widget takes whole MB of 10^6 bytes.
limit_mb = max(1, settings.max_file_bytes // 1_000_000)
# Streamlit gives a visitor on this machine's loopback address as None.
_ip = st.context.ip_address
fetch_on, fetch_off_reason = url_fetch_enabled(
    settings,
    client_ip=_ip if isinstance(_ip, str) else "127.0.0.1",
    headers=dict(st.context.headers),
)

st.title("Add articles")
if read_only:
    st.warning(
        "**This dashboard is read-only.** Adding articles is switched off: "
        f"{md_escape(read_only_reason() or 'read-only mode')}. Run your own copy to add "
        "articles: `pip install -r requirements.txt && streamlit run app.py`.",
        icon=":material/lock:",
    )
else:
    st.markdown(
        f"Add news reports of drone and missile attacks. Accepted: {allowed} files up to "
        f"{settings.max_file_bytes:,} bytes each (at most {settings.max_upload_files} files, "
        f"{settings.max_submission_bytes:,} bytes together), pasted text"
        f"{', or a web page’s address' if fetch_on else ''}. Each article is cleaned, "
        "dated, checked for duplicates, and its strike reports are extracted and merged with "
        "the events already in the store."
    )

LAST = "_add_last_report"


def _meta_fields(prefix: str) -> tuple[str, object, str]:
    c1, c2, c3 = st.columns([3, 1.3, 2])
    title = c1.text_input(
        "Title (optional)", key=f"{prefix}_title", disabled=read_only, max_chars=300
    )
    published = c2.date_input(
        "Publication date (optional)",
        value=None,
        key=f"{prefix}_date",
        disabled=read_only,
        format="YYYY-MM-DD",
        help="Relative dates (“on Sunday”, “last month”) resolve against "
        "it. Leave empty to take it from the article.",
    )
    outlet = c3.text_input(
        "Outlet (optional)", key=f"{prefix}_outlet", disabled=read_only, max_chars=200
    )
    return title, published, outlet


def _nothing_added(summary: str, rejected: list[tuple[str, str]]) -> dict:
    """The result shown when no article was added (and why)."""
    return {
        "summary": summary,
        "added": [],
        "dups": [],
        "near": [],
        "rejected": rejected,
        "ok": False,
    }


def _ingest(prep: Prepared) -> None:
    rejected = [(r.source, r.reason) for r in prep.rejections]
    if not prep.docs:
        st.session_state[LAST] = _nothing_added("Nothing was added.", rejected)
        return
    progress = st.progress(0.0, text=f"Checked {len(prep.docs):,} document(s)…")
    try:
        with st.status("Adding articles…", expanded=True) as status:
            st.write(f"Cleaning and dating {len(prep.docs):,} document(s)…")
            progress.progress(0.3, text="Extracting strike reports and merging events…")
            get_store()  # built from the seeds on first use, as every page does
            # A worker process with a memory and time limit: a submission that needs more
            # fails alone, and this server keeps serving.
            report = ingest_in_worker(prep.docs, settings=settings)
            progress.progress(1.0, text="Done.")
            status.update(label="Articles processed", state="complete", expanded=False)
    except ReadOnlyStore:
        st.session_state[LAST] = _nothing_added(
            "The store is read-only; nothing was added.", rejected
        )
        return
    except StoreBusy as exc:
        st.session_state[LAST] = _nothing_added(
            f"The store is busy (another upload?): {plain_error(exc)}. Try again in a moment.",
            rejected,
        )
        return
    except (StoreError, StrikesError) as exc:
        st.session_state[LAST] = _nothing_added(
            f"Could not add the articles: {plain_error(exc)}", rejected
        )
        return
    rejected += [(r.source, r.reason) for r in report.rejections]
    st.session_state[LAST] = {
        "articles": _added_articles(list(report.added_articles)),
        "summary": report.summary(),
        "added": list(report.added_articles),
        "dups": list(report.duplicate_articles),
        "near": list(report.near_duplicates),
        "rejected": rejected,
        "new_events": report.new_events,
        "updated_events": report.updated_events,
        "notes": list(report.notes),
        "ok": bool(report.added_articles),
    }


def _added_articles(files: list[str]) -> list[dict]:
    """Per added article: id, file, title, published, its events and how many are undated."""
    if not files:
        return []
    store = get_store()
    arts = store.articles(with_text=False)
    arts = arts[arts["file"].isin(files)]
    src = store.event_sources()
    events = store.events().set_index("event_id")
    out = []
    for rec in arts.to_dict("records"):
        ids = list(dict.fromkeys(src.loc[src["article_id"] == rec["article_id"], "event_id"]))
        dates = events.loc[ids, "date"] if ids else pd.Series(dtype="string")
        out.append(
            {
                "article_id": rec["article_id"],
                "file": rec["file"],
                "title": rec["title"] if isinstance(rec["title"], str) else rec["file"],
                "published": rec["published"] if isinstance(rec["published"], str) else None,
                "events": len(ids),
                "undated": int(dates.isna().sum()),
            }
        )
    return out


def _set_date(info: dict, day: object) -> None:
    try:
        report = set_published(get_store(), info["article_id"], str(day))
    except (StoreError, StrikesError) as exc:
        st.session_state[f"redate_msg_{info['article_id']}"] = (
            f"Could not set the date: {plain_error(exc)}"
        )
        return
    fresh = _added_articles([info["file"]])
    if fresh:
        info.update(fresh[0])
    st.session_state[f"redate_msg_{info['article_id']}"] = (
        f"Dated {day}: {plural(report.new_events, 'new event')}, {report.updated_events} updated."
    )


def _show_added(info: dict) -> None:
    """One added article: its events (a link to them) and, when some are undated, a warning
    with a date to set."""
    name = md_escape(info["title"])
    n = info["events"]
    line = f"**{name}** ({md_code(info['file'])}): {plural(n, 'event')}"
    if n:
        st.markdown(line)
        st.page_link(
            "pages/sources.py",
            label=f"Open this article and the {plural(n, 'event')} it added",
            icon=":material/open_in_new:",
            query_params={"article": info["article_id"]},
        )
    else:
        st.markdown(line + " (background or commentary: no strike report found)")
    msg = st.session_state.get(f"redate_msg_{info['article_id']}")
    if msg:
        st.info(md_escape(msg), icon=":material/event:")
    if info["undated"] and not read_only:
        st.warning(
            f"{plural(info['undated'], 'event')} of this article "
            f"{'has' if info['undated'] == 1 else 'have'} no date: the article has no "
            "publication date"
            + (f" (it says {info['published']})" if info["published"] else "")
            + " that its relative dates (“on Sunday”, “overnight”) could resolve against. "
            "Undated events are left out of the timeline and of any date filter. Set the "
            "article's publication date to date them:",
            icon=":material/event_busy:",
        )
        with st.form(f"redate_{info['article_id']}", border=False):
            left, right = st.columns([1, 2], vertical_alignment="bottom")
            day = left.date_input(
                "Publication date", value=None, format="YYYY-MM-DD", key=f"day_{info['article_id']}"
            )
            if right.form_submit_button("Set the date and re-read the article"):
                if day is None:
                    st.session_state[f"redate_msg_{info['article_id']}"] = "Pick a date first."
                else:
                    _set_date(info, day)
                st.rerun()


up_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste text", "Fetch a URL"])
with up_tab, st.form("upload_form", clear_on_submit=True, border=False):
    files = st.file_uploader(
        "Article files",
        type=[s.lstrip(".") for s in settings.allowed_suffixes],
        accept_multiple_files=True,
        disabled=read_only,
        key="upload_files",
        max_upload_size=limit_mb,
        help=f"{allowed}; at most {limit_mb} MB each. Title applies when one file is sent.",
    )
    meta = _meta_fields("up")
    if st.form_submit_button(
        "Upload and add", type="primary", disabled=read_only, icon=":material/upload:"
    ):
        # Contents are read only for the files within the submission's limits.
        pairs = [(f.name, f.getvalue) for f in (files or [])]
        if not pairs:
            st.session_state[LAST] = _nothing_added("Choose at least one file first.", [])
        else:
            _ingest(
                from_uploads(
                    pairs, settings=settings, title=meta[0], published=meta[1], outlet=meta[2]
                )
            )
with paste_tab, st.form("paste_form", clear_on_submit=True, border=False):
    text = st.text_area(
        "Article text",
        height=220,
        disabled=read_only,
        key="paste_text",
        placeholder="Paste the article's text (headline first, if you have it).",
    )
    meta = _meta_fields("paste")
    if st.form_submit_button(
        "Add text", type="primary", disabled=read_only, icon=":material/post_add:"
    ):
        _ingest(
            from_text(text, settings=settings, title=meta[0], published=meta[1], outlet=meta[2])
        )
with url_tab, st.form("url_form", clear_on_submit=False, border=False):
    url_off = read_only or not fetch_on
    if not read_only and not fetch_on:
        st.info(md_escape(fetch_off_reason) + ".", icon=":material/link_off:")
    url = st.text_input(
        "Web address", placeholder="https://…", disabled=url_off, key="fetch_url", max_chars=2000
    )
    meta = _meta_fields("url")
    st.caption(
        "Public web pages only (not local or private network addresses); needs an internet "
        "connection, offline you get a clear message instead."
    )
    if st.form_submit_button(
        "Fetch and add", type="primary", disabled=url_off, icon=":material/download:"
    ):
        if url_off:  # a crafted request for a disabled button
            st.session_state[LAST] = _nothing_added("Fetching web pages is switched off.", [])
        else:
            with st.spinner("Fetching the page…"):
                prep = fetch_url(
                    url, settings=settings, title=meta[0], published=meta[1], outlet=meta[2]
                )
            _ingest(prep)

last = st.session_state.get(LAST)
if last:
    st.subheader("Result")
    (st.success if last.get("ok") else st.warning)(md_escape(without_paths(last["summary"])))
    if last.get("added"):
        st.caption(
            f"{plural(last.get('new_events', 0), 'new event')}, "
            f"{last.get('updated_events', 0):,} updated (the other pages show them at once)."
        )
        for info in last.get("articles", []):
            with st.container(border=True):
                _show_added(info)
    if last.get("dups"):
        st.markdown(
            "**Already in the store (skipped):** " + ", ".join(md_escape(n) for n in last["dups"])
        )
    if last.get("near"):
        st.markdown(
            "**Near-duplicates of stored articles (added to their group):** "
            + ", ".join(md_escape(n) for n in last["near"])
        )
    if last.get("notes"):
        st.markdown("**Notes:**")
        for note in last["notes"]:
            st.markdown(f"- {md_escape(without_paths(note))}")
    if last.get("rejected"):
        st.markdown("**Rejected:**")
        for name, reason in last["rejected"]:
            st.markdown(f"- {md_code(name)} — {md_escape(without_paths(reason))}")
