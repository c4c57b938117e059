"""The review form on an event's panel, its review details, and the review queue's table.

Decisions go through `strikes.review.record` (validated against the store under its write lock;
a rejected one is shown with its reason and writes nothing).  The reviewer is the signed-in user
when sign-in is on, else a name typed once and remembered for the browser session.  Read-only
deployments show the decisions but no form.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from strikes.errors import StrikesError
from strikes.review import (
    FIELDS,
    REASON_LABELS,
    REASONS,
    Decision,
    anchors_of,
    record,
    review_queue,
)
from ui.components import event_title, md_escape
from ui.data import Data, get_settings, get_store, read_only_reason
from ui.render.theme import fmt_date, fmt_int, is_missing, weapon_label

K_NAME = "review_name"
K_REVIEWER = "_reviewer"  # survives pages where the name field is not drawn
K_DONE = "_review_done"
ACTIONS = {
    "set": "Correct a field",
    "dismiss": "Dismiss",
    "confirm": "Confirm",
    "merge": "Merge with…",
    "split": "Split a source out",
}
FIELD_LABELS = {
    "attacker": "Attacker",
    "place": "Place",
    "date": "Date",
    "kind": "Kind (strike / total)",
    "weapons": "Weapons",
    "launched": "Launched",
    "intercepted": "Intercepted",
    "killed": "Killed",
    "injured": "Injured",
}
FIELD_HELP = {
    "attacker": "A name, e.g. Russia or Ukraine.",
    "place": "A place the offline gazetteer knows: Kharkiv, Odesa region, Lyman, Donetsk Oblast.",
    "date": "YYYY-MM-DD; YYYY-MM or YYYY when only the month or the year is known.",
    "kind": "strike, or total (a national or monthly tally).",
    "weapons": "Classes separated by commas: drone, missile, glide_bomb, artillery, aircraft, "
    "other.",
}
FIGURE_HELP = "A whole number, or none to clear a figure that belongs to another attack."


def _current(ev: Mapping, fld: str) -> str:
    if fld == "place":
        v = ev.get("location")
    elif fld == "date":
        return fmt_date(ev.get("date"), ev.get("date_precision")) if ev.get("date") else "—"
    else:
        v = ev.get(fld)
    if fld == "weapons":
        return ", ".join(str(w) for w in v) if isinstance(v, list | tuple) and v else "—"
    if is_missing(v):
        return "—"
    return fmt_int(v) if isinstance(v, int | float) else str(v)


def _plain_value(fld: str, v: object) -> str:
    if v is None:
        return "—"
    if fld == "weapons" and isinstance(v, list):
        return ", ".join(weapon_label(w) for w in v) or "—"
    if isinstance(v, dict):
        return str(v.get("location") or v.get("date") or v)
    return fmt_int(v) if isinstance(v, int | float) else str(v)


def review_details(ev: Mapping) -> None:
    """The analysts' decisions on an event: corrected values beside the machine's, notes."""
    rv = ev.get("review")
    if not isinstance(rv, dict) or not rv.get("decisions"):
        return
    status = str(ev.get("reviewed") or "unreviewed")
    fields = rv.get("fields") or {}
    what = ", ".join(FIELD_LABELS[f].split(" ")[0].lower() for f in fields if f in FIELD_LABELS)
    label = {
        "corrected": f"✎ Corrected{': ' + what if what else ''} — machine values and notes",
        "confirmed": "✓ Confirmed by a reviewer",
        "dismissed": "✕ Dismissed — reason and notes",
    }.get(status, "Review")
    # A popover, not an expander: the Events page's list already puts the panel in one.
    with st.popover(label, width="stretch"):
        if fields:
            table = pd.DataFrame(
                [
                    {
                        "field": FIELD_LABELS.get(f, f),
                        "corrected": _plain_value(f, info.get("value")),
                        "machine": _plain_value(f, info.get("machine")),
                        "note": info.get("note") or "",
                        "by": info.get("reviewer") or "",
                        "when": str(info.get("created_at") or "")[:16].replace("T", " "),
                    }
                    for f, info in fields.items()
                ]
            )
            st.dataframe(table, hide_index=True, width="stretch")
        dismissed = rv.get("dismissed")
        if status == "dismissed" and isinstance(dismissed, dict):
            reason = REASON_LABELS.get(str(dismissed.get("reason")), dismissed.get("reason"))
            note = f" — “{dismissed['note']}”" if dismissed.get("note") else ""
            st.markdown(
                f"Dismissed as **{md_escape(reason)}** by {md_escape(dismissed.get('reviewer'))}"
                f"{md_escape(note)}"
            )
        lines = []
        for d in sorted(rv["decisions"], key=lambda d: str(d.get("created_at") or "")):
            when = str(d.get("created_at") or "")[:16].replace("T", " ")
            bits = [str(d.get("action"))]
            if d.get("field"):
                bits.append(str(d["field"]))
            if d.get("merged"):
                bits.append("absorbed " + ", ".join(d["merged"]))
            if d.get("split_into"):
                bits.append("into " + str(d["split_into"]))
            note = f" — {d['note']}" if d.get("note") else ""
            lines.append(md_escape(f"{when} · {d.get('reviewer')}: {' '.join(bits)}{note}"))
        st.markdown("**History**\n\n" + "\n".join(f"- {line}" for line in lines))


def reviewer_name() -> str:
    """The signed-in user, or the name field (remembered for the session)."""
    s = get_settings()
    if s.require_login:
        try:
            if st.user.is_logged_in:
                return str(st.user.get("email") or st.user.get("name") or "")
        except (AttributeError, KeyError):
            pass
    ss = st.session_state
    if K_NAME not in ss:
        ss[K_NAME] = ss.get(K_REVIEWER, "")
    st.text_input(
        "Your name",
        key=K_NAME,
        max_chars=120,
        placeholder="recorded with each decision",
        help="Kept for this browser session; every decision records who made it.",
    )
    ss[K_REVIEWER] = ss[K_NAME]
    return str(ss[K_NAME]).strip()


def show_done() -> None:
    """The message of the decision recorded in the previous run (the page reran since)."""
    msg = st.session_state.pop(K_DONE, None)
    if msg:
        st.success(msg, icon=":material/check_circle:")


def _merge_candidates(ev: Mapping, events: pd.DataFrame) -> list[str]:
    """Other events of the same attacker within two days, nearest first (then any)."""
    eid = str(ev.get("event_id"))
    pool = events[(events["event_id"] != eid).to_numpy(dtype=bool)]
    if "reviewed" in pool.columns:
        pool = pool[(pool["reviewed"] != "dismissed").to_numpy(dtype=bool)]
    same = pool[(pool["attacker"] == ev.get("attacker")).fillna(False).to_numpy(dtype=bool)]
    day = pd.to_datetime(ev.get("date"), errors="coerce")
    if pd.notna(day) and len(same):
        gap = (pd.to_datetime(same["date"], errors="coerce") - day).abs().dt.days
        same = same.assign(_gap=gap.fillna(9999)).sort_values("_gap", kind="mergesort")
        same = same[(same["_gap"] <= 2).to_numpy(dtype=bool)]
    return same["event_id"].astype(str).tolist()[:200]


def review_form(ev: Mapping, *, data: Data, key: str) -> None:
    """Correct a field, dismiss, confirm, merge or split this event (the event panel's form)."""
    eid = str(ev.get("event_id"))
    reason = read_only_reason()
    if reason:
        st.caption(f"Review is off: {md_escape(reason)}.")
        return
    st.markdown("**Review this event**")
    name = reviewer_name()
    action = st.segmented_control(
        "Decision",
        list(ACTIONS),
        format_func=ACTIONS.get,
        default="set",
        key=f"{key}_action",
        required=True,
    )
    titles = {}
    with st.form(f"{key}_form", clear_on_submit=True, border=False):
        fld = value = why = other = split = None
        if action == "set":
            fld = st.selectbox(
                "Field", list(FIELDS), format_func=FIELD_LABELS.get, key=f"{key}_field"
            )
            value = st.text_input(
                "Corrected value",
                key=f"{key}_value",
                help=FIELD_HELP.get(str(fld), FIGURE_HELP) + f" Now: {_current(ev, str(fld))}.",
            )
        elif action == "dismiss":
            why = st.selectbox(
                "Reason", list(REASONS), format_func=REASON_LABELS.get, key=f"{key}_reason"
            )
        elif action == "merge":
            ids = _merge_candidates(ev, data.events)
            recs = data.events[data.events["event_id"].isin(ids).to_numpy(dtype=bool)]
            titles = dict(
                zip(recs["event_id"], map(event_title, recs.to_dict("records")), strict=True)
            )
            other = st.selectbox(
                "Merge into this event",
                ids,
                format_func=lambda i: titles.get(i, i),
                index=None,
                placeholder="an event of the same attacker within two days",
                key=f"{key}_other",
            )
            typed = st.text_input("or its event id", key=f"{key}_other_id")
            other = typed.strip() or other
        elif action == "split":
            srcs = anchors_of(ev)
            labels = {
                i: f"{s['article']} · sentence at {s['start']}: "
                + str((ev.get("sources") or [{}])[i].get("sentence") or "")[:90]
                for i, s in enumerate(srcs)
            }
            split = st.selectbox(
                "Source sentence that is another attack",
                list(labels),
                format_func=labels.get,
                key=f"{key}_split",
            )
        note = st.text_input("Note (why)", key=f"{key}_note", max_chars=2000)
        sent = st.form_submit_button(
            "Record decision", type="primary", icon=":material/done:", disabled=not eid
        )
    if not sent:
        return
    if not name:
        st.error("Give your name above first: every decision records who made it.")
        return
    if action == "set":
        d = Decision(action="set", event_id=eid, field=fld, value=value)
    elif action == "dismiss":
        d = Decision(action="dismiss", event_id=eid, reason=why)
    elif action == "confirm":
        d = Decision(action="confirm", event_id=eid)
    elif action == "merge":
        if not other:
            st.error("Pick the event to merge into this one.")
            return
        d = Decision(action="merge", event_id=eid, others=(str(other),))
    else:
        src = anchors_of(ev)[int(split or 0)] if anchors_of(ev) else {}
        d = Decision(
            action="split",
            event_id=eid,
            article_id=src.get("article"),
            sentence_start=src.get("start"),
        )
    d = dataclasses.replace(d, note=note or "", reviewer=name)
    try:
        record(get_store(), d)
    except StrikesError as exc:
        st.error(f"Not recorded: {md_escape(str(exc))}", icon=":material/error:")
        return
    what = ACTIONS[str(action)].rstrip("…").lower()
    st.session_state[K_DONE] = f"Recorded: {what} — {event_title(ev)}"
    st.rerun()


def review_panel(ev: Mapping, *, data: Data, key: str) -> None:
    """Review details and the form, below an event's sources."""
    review_details(ev)
    with st.container(border=True):
        review_form(ev, data=data, key=key)


@st.cache_resource(show_spinner=False, max_entries=8)
def _queue(version: str, view: str, _events: pd.DataFrame) -> pd.DataFrame:
    return queue_frame(_events)


def queue_for(data: Data, view: Mapping, events: pd.DataFrame) -> pd.DataFrame:
    """`queue_frame` of ``events`` (``data`` filtered as ``view`` says), once per store version
    and filter view: reruns of the Review page (a row selected, the name typed) reuse it."""
    return _queue(data.version, json.dumps(view, sort_keys=True), events)


def queue_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The review queue (strikes.review.review_queue) of ``events`` as the table shows it."""
    q = review_queue(events)
    return pd.DataFrame(
        {
            "priority": q["priority"],
            "why": q["reasons"].map(lambda r: ", ".join(r)),
            "date": q["date"].astype("string"),
            "attacker": q["attacker"].astype("string"),
            "place": q["location"].astype("string"),
            "launched": q["launched"],
            "killed": q["killed"],
            "injured": q["injured"],
            "sources": q["n_articles"],
            "event_id": q["event_id"].astype("string"),
        }
    ).reset_index(drop=True)


def orphans_notice(orphans: pd.DataFrame) -> None:
    if orphans is None or orphans.empty:
        return
    st.warning(
        f"**{len(orphans)} decision(s) no longer find their event** (the sentences they were "
        "made on are no longer a source of any event, e.g. after a rebuild). They are kept in "
        "the store and apply again if their event comes back.",
        icon=":material/link_off:",
    )
    cols = ["action", "event_id", "field", "reason", "note", "reviewer", "created_at", "why"]
    st.dataframe(orphans[[c for c in cols if c in orphans.columns]], hide_index=True)


__all__ = [
    "orphans_notice",
    "queue_for",
    "queue_frame",
    "review_details",
    "review_form",
    "review_panel",
    "reviewer_name",
    "show_done",
]
