"""Deployment: read-only mode writes nothing, a read-only data folder still serves, an unusable
store file offers a rebuild from the seeds, the sign-in gate, and the server configuration.
AppTest on a copy of the seed store (conftest.py)."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import strikes.ingest as ig
from strikes.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/events.py",
    "pages/sources.py",
    "pages/data.py",
    "pages/add_articles.py",
]
ARTICLE = (
    "Russian drones hit Poltava overnight\n\ndate 2025-08-10\n\nA Russian drone hit an "
    "apartment building in Poltava, killing two people, the regional governor said.\n"
)


def tree(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `folder`: (size, mtime in ns, sha256)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            s = p.stat()
            out[str(p.relative_to(folder))] = (
                s.st_size,
                s.st_mtime_ns,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def run_every_page(at: AppTest) -> None:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == "pages/map.py":
            for view in ("heat", "hexagons"):
                at.segmented_control(key="map_view").set_value(view).run()
                assert not at.exception


def refuses_writes() -> None:
    """The store handle the pages use refuses writes: the guard that counts, since a crafted
    client could submit a form whose button the page shows disabled."""
    from strikes.documents.articles import RawDocument
    from strikes.errors import ReadOnlyStore
    from ui.data import get_store

    store = get_store()
    assert store.read_only
    with pytest.raises(ReadOnlyStore):
        ig.ingest_documents(store, [RawDocument("x.txt", ARTICLE.encode())])


@pytest.fixture
def fresh_caches():
    """Streamlit's in-memory caches outlive an AppTest: clear them so this test's runs really
    compute (and would write) what they cache."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


# ------------------------------------------------------------------------------ read-only


def test_read_only_mode_writes_nothing(app_env, monkeypatch, fresh_caches):
    """STRIKES_READ_ONLY=1: every page and an (attempted) upload leave the store, its folder
    and the cache folders exactly as they were."""
    folder = app_env.parent  # the store, its lock, and cache/ (XDG_CACHE_HOME, STRIKES_CACHE_DIR)
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")
    before = tree(folder)
    at = new_app()
    run_every_page(at)
    assert any("read-only" in w.value for w in at.warning)
    assert all(b.disabled for b in at.button if b.label in ("Upload and add", "Add text"))
    refuses_writes()
    assert tree(folder) == before


def test_read_only_folder_serves_read_only(app_env, monkeypatch, fresh_caches):
    """A data folder the app cannot write (a read-only mount: simulated, since root ignores
    file modes) is not an error: the dashboard serves, says why it cannot add articles, and
    writes nothing."""
    folder = app_env.parent.resolve()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: Path(p) != folder and real_access(p, mode, **k)
    )
    before = tree(folder)
    at = new_app()
    run_every_page(at)
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown-escaped
    assert "read-only" in warning and f"the folder {folder.name} is not writable" in warning
    assert str(folder.parent) not in warning  # no server paths on the page (issue 20)
    assert all(b.disabled for b in at.button if b.label in ("Upload and add", "Add text"))
    refuses_writes()
    assert tree(folder) == before


# ------------------------------------------------------------------------------ rebuild


def _damage_block(db: Path) -> None:
    data = bytearray(db.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 65536] = bytes(b ^ 0xFF for b in data[mid : mid + 65536])
    db.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda db: db.write_bytes(b"not a database " * 1000), id="not-duckdb"),
        pytest.param(_damage_block, id="damaged-block"),
    ],
)
def test_unusable_store_offers_a_rebuild_from_the_seeds(app_env, damage, fresh_caches):
    damage(app_env)
    bad = app_env.read_bytes()
    at = new_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "The event store cannot be opened" in at.error[0].value
    assert "corrupt" in at.error[0].value or "not a Strike Tracker store" in at.error[0].value
    assert not at.title  # nothing of the pages ran
    button = at.button(key="rebuild_store")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Overview"]
    backups = list(app_env.parent.glob("strikes.duckdb.unusable-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == bad
    assert any("rebuilt from the seeds" in t.value for t in at.toast)
    from strikes.store.database import open_store

    assert len(open_store(settings=Settings(db_path=app_env), read_only=True).events()) > 5


def test_unusable_store_in_read_only_mode_offers_no_rebuild(app_env, monkeypatch, fresh_caches):
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")
    app_env.write_bytes(b"not a database " * 1000)
    before = tree(app_env.parent)
    at = new_app()
    at.run()
    assert not at.exception
    assert "The event store cannot be opened" in at.error[0].value
    assert not [b for b in at.button if b.key == "rebuild_store"]
    assert any("Nothing can be repaired from here" in i.value for i in at.info)
    assert tree(app_env.parent) == before


# ------------------------------------------------------------------------------ sign-in

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-of-forty-characters",
    "client_id": "test-client",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_sign_in_required_but_not_configured_fails_closed(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    at = new_app()
    at.user = {"is_logged_in": True, "email": "ana@team.example"}  # no [auth]: still refused
    at.run()
    assert not at.exception
    assert "Sign-in is required but not set up" in at.error[0].value
    assert "[auth]" in at.error[0].value
    assert not at.multiselect and not at.dataframe  # no filters, no data


def test_signed_out_user_sees_only_the_sign_in_screen(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    app_env.write_bytes(b"unreadable")  # proves the store is not even opened before sign-in
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.error and not at.multiselect and not at.dataframe
    # No page but the sign-in screen is registered, so no page URL gets around it.
    assert [i.get("page_name") for i in at._registered_pages.values()] == ["Sign in"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/sources.py")


def test_signed_in_team_member_uses_the_dashboard(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("STRIKES_ALLOWED_USERS", "@team.example, guest@partner.example")
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {
        "is_logged_in": True,
        "name": "Ana *Bold*",
        "email": "ana@team.example",
        "email_verified": True,
    }
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert any(c.value == r"Signed in as Ana \*Bold\*" for c in at.sidebar.caption)
    assert any(b.label == "Sign out" for b in at.sidebar.button)


@pytest.mark.parametrize(
    "user",
    [
        {"email": "eve@elsewhere.example", "email_verified": True},
        {"email": "ana@team.example", "email_verified": False},  # unverified address
        {"email": "ana@team.example.evil.example"},
        {"email": "ana@team.example"},  # email_verified not stated
        {"name": "No Mail"},
    ],
)
def test_other_accounts_are_refused(app_env, monkeypatch, user):
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("STRIKES_ALLOWED_USERS", "@team.example")
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **user}
    at.run()
    assert not at.exception
    assert "may not use this dashboard" in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.title[1:] and not at.multiselect and not at.dataframe


def test_user_allowed_rules():
    from ui.auth import user_allowed

    assert user_allowed(None, None, ())  # no list: whoever the provider signs in
    team = ("@team.example", "Guest@Partner.example")
    assert user_allowed("ana@team.example", True, team)
    assert user_allowed("ANA@TEAM.EXAMPLE", True, team)
    assert not user_allowed("ana@team.example", None, team)  # not stated: not verified
    assert user_allowed("guest@partner.example", True, team)
    assert not user_allowed("other@partner.example", True, team)
    assert not user_allowed("ana@team.example", False, team)
    assert not user_allowed("ana@sub.team.example", True, team)
    assert not user_allowed("team.example", True, team)
    assert not user_allowed(None, True, team)


# ------------------------------------------------------------------------------ configuration


def test_server_configuration():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, settings = config["server"], Settings.from_env(env={})
    assert server["maxUploadSize"] * 1_000_000 == settings.max_file_bytes  # the browser's MB
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    # Static serving is on for the map's base layer only: ./static holds nothing else.
    assert server["enableStaticServing"] is True
    assert sorted(p.name for p in (ROOT / "static").iterdir()) == ["countries-50m.geojson"]
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"


def test_no_secrets_in_the_repository():
    import subprocess

    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, ".streamlit/secrets.toml must be git-ignored"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if f.endswith("secrets.toml")]
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())["auth"]
    assert set(example) >= set(AUTH)
    for key in ("cookie_secret", "client_id", "client_secret"):
        assert example[key].startswith("REPLACE-WITH-"), key
