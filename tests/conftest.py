"""Fixtures of the dashboard tests: a store built once from the seeds (in a temp dir, never
data/strikes.duckdb), per-test copies of it for AppTest, one `streamlit run` server per session
and a headless Chromium (Debian's, driven by playwright) for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.serve import ServerDidNotStart, serve

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("STRIKES_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _store_settings(folder: Path):
    from strikes.settings import Settings

    return Settings.from_env(
        env={},
        db_path=folder / "strikes.duckdb",
        cache_dir=folder / "cache",
        seeds_dir=ROOT / "seeds",
        data_dir=ROOT / "data",
    )


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from seeds/ once per session, in a temporary directory."""
    from strikes.ingest import ensure_store

    settings = _store_settings(tmp_path_factory.mktemp("seed-store"))
    ensure_store(settings=settings)
    return Path(settings.db_path)


def _app_environ(folder: Path, seed_db: Path) -> dict[str, str]:
    db = folder / "strikes.duckdb"
    shutil.copyfile(seed_db, db)
    return {
        "STRIKES_DB_PATH": str(db),
        "STRIKES_CACHE_DIR": str(folder / "cache"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }


@pytest.fixture
def app_env_raw(seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment of an AppTest run: its own copy of the seed store; returns the DB path."""
    for key, value in _app_environ(tmp_path, seed_db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("STRIKES_READ_ONLY", raising=False)
    return tmp_path / "strikes.duckdb"


@pytest.fixture
def app_env(app_env_raw: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`app_env_raw` with AppTest kept in st.navigation mode (see below)."""
    _navigation_mode_for_apptest(monkeypatch)
    return app_env_raw


def _navigation_mode_for_apptest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep AppTest in st.navigation mode.

    AppTest resets ``PagesManager.uses_pages_directory`` before every run, so with a pages/
    folder each rerun would start as a legacy multipage app and run the page file alone; the
    app then reruns itself through app.py (ui.page.ensure_navigation), which drops a button
    click.  A real server decides this once per process, at its first run.
    """
    from ui.navigation import keep_navigation_mode

    keep_navigation_mode(monkeypatch.setattr)


@pytest.fixture(scope="session")
def streamlit_server(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free local port over a copy of the seed store."""
    folder = tmp_path_factory.mktemp("server")
    env = {**os.environ, **_app_environ(folder, seed_db)}
    env.pop("STRIKES_READ_ONLY", None)
    try:
        with serve(env=env, log_path=folder / "server.log") as (url, _proc):
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium. Missing Chromium is a failure, not a skip (CI installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get update && apt-get install -y chromium chromium-driver`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
