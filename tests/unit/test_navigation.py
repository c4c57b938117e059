"""ui/navigation.py leans on Streamlit's private page manager: fail loudly when it moves."""

from __future__ import annotations

from ui import navigation


def test_the_streamlit_version_is_one_we_tested():
    assert navigation.streamlit_version() in navigation.TESTED_VERSIONS, (
        "a new Streamlit: check ui/navigation.py against its page manager, then add the version"
    )


def test_the_mode_switch_reads_and_writes_the_page_managers_flag(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    assert navigation.legacy_pages_mode()
    navigation.use_navigation_mode()
    assert not navigation.legacy_pages_mode()
    assert PagesManager.uses_pages_directory is False
