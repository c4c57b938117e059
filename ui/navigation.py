"""The one door to Streamlit's private page manager (`streamlit.runtime.pages_manager`).

Streamlit decides per process whether an app with a ``pages/`` folder is a legacy multipage
app; until the first `st.navigation` call of the process (and in every AppTest run) a request
for a page URL runs the page file alone, without app.py.  No public API switches that mode, so
the switch lives here only, for the Streamlit versions we test on; `tests/unit/test_navigation.py`
fails loudly when the private attribute moves.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Tested on these Streamlit releases (major, minor); another must pass tests/unit/test_navigation.py.
TESTED_VERSIONS = ((1, 67),)


def streamlit_version() -> tuple[int, int]:
    major, minor = st.__version__.split(".")[:2]
    return int(major), int(minor)


def legacy_pages_mode() -> bool:
    """Whether this process still treats pages/ as a legacy multipage app."""
    return bool(PagesManager.uses_pages_directory)


def use_navigation_mode() -> None:
    """From now on, page URLs go through app.py's st.navigation."""
    PagesManager.uses_pages_directory = False


def keep_navigation_mode(patch: Callable[[object, str, object], None]) -> None:
    """For AppTest, which resets the mode before every run: `patch(obj, name, value)` (pytest's
    monkeypatch.setattr) makes every new page manager start in st.navigation mode."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    patch(PagesManager, "__init__", init)
