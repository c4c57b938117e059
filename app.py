"""Strike Tracker dashboard: `streamlit run app.py`.

Page config, the navigation between the pages in pages/, and the one sidebar of filters
(synced with the URL) shared by every page.  Data comes from the event store through the
cached loaders in ui/data.py (the store is built from seeds/ on the first start).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="Strike Tracker",
    page_icon=":material/radar:",
    layout="wide",
    # "auto": open on a wide screen, closed on a phone (content first, filters one tap away).
    initial_sidebar_state="auto",
    menu_items={"About": "Strike Tracker: sourced, geocoded drone and missile strike events."},
)

from ui.auth import may_view, require_login, sign_in_page  # noqa: E402  (set_page_config comes first)
from ui.data import get_data  # noqa: E402
from ui.sidebar import render_sidebar  # noqa: E402

# Each url_path is its file's stem: until the first st.navigation call of a server process,
# Streamlit treats pages/ as a legacy page folder and resolves URLs by file name.
PAGES = [
    st.Page(
        "pages/overview.py",
        title="Overview",
        icon=":material/monitoring:",
        url_path="overview",
        default=True,
    ),
    st.Page("pages/map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page("pages/events.py", title="Events", icon=":material/table_rows:", url_path="events"),
    st.Page("pages/sources.py", title="Sources", icon=":material/article:", url_path="sources"),
    st.Page("pages/review.py", title="Review", icon=":material/rule:", url_path="review"),
    st.Page(
        "pages/official.py",
        title="Official tallies",
        icon=":material/fact_check:",
        url_path="official",
    ),
    st.Page("pages/data.py", title="Data", icon=":material/download:", url_path="data"),
    st.Page(
        "pages/add_articles.py",
        title="Add articles",
        icon=":material/upload_file:",
        url_path="add_articles",
    ),
    st.Page(
        "pages/manage_articles.py",
        title="Manage articles",
        icon=":material/delete:",
        url_path="manage_articles",
    ),
]

# Before sign-in (STRIKES_REQUIRE_LOGIN) the browser learns of no page but the sign-in screen,
# and nothing below runs.
if may_view():
    page = st.navigation(PAGES, position="sidebar")
else:
    page = st.navigation(
        [st.Page(sign_in_page, title="Sign in", icon=":material/lock:", url_path="sign_in")],
        position="hidden",
    )
require_login()
with st.sidebar:
    st.markdown("## Strike Tracker")
data = get_data()
render_sidebar(data)
page.run()
