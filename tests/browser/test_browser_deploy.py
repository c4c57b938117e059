"""Deployment screens in real headless Chromium, each on its own `streamlit run` (conftest's
server serves the normal store): the rebuild offered for a corrupt store, and the sign-in gate
sending the browser to the identity provider (a stand-in OpenID discovery document on
127.0.0.1; no request leaves this machine)."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_browser import open_page, screenshot, wait_idle

from tools.serve import ServerDidNotStart, free_port, serve

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def streamlit(
    folder: Path, env: dict[str, str], *args: str, port: int | None = None
) -> Iterator[str]:
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STRIKES_")},
        "STRIKES_DB_PATH": str(folder / "strikes.duckdb"),
        "STRIKES_CACHE_DIR": str(folder / "cache"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        **env,
    }
    try:
        with serve(env=full_env, log_path=folder / "server.log", args=args, port=port) as (url, _p):
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


def test_corrupt_store_is_rebuilt_from_the_browser(browser, seed_db, tmp_path, artifacts):
    db = tmp_path / "strikes.duckdb"
    db.write_bytes(seed_db.read_bytes()[:4096])  # a store cut short: not readable
    bad = db.read_bytes()
    with streamlit(tmp_path, {}) as url:
        page = open_page(browser, url + "/events")
        try:
            main = page.locator('[data-testid="stMain"]')
            assert "The event store cannot be opened" in main.inner_text()
            button = page.get_by_role(
                "button", name="Move the file aside and rebuild from the seeds"
            )
            button.wait_for(timeout=30000)
            screenshot(page, artifacts / "store-unusable.png")
            button.click()
            time.sleep(0.5)
            wait_idle(page, timeout=120)
            # The same page, now on the rebuilt store.
            page.get_by_role("heading", name="Events").first.wait_for(timeout=60000)
            assert "cannot be opened" not in main.inner_text()
            assert "Showing" in main.inner_text()
            screenshot(page, artifacts / "store-rebuilt.png")
            assert not page.dialogs
        finally:
            page.close()
    (backup,) = tmp_path.glob("strikes.duckdb.unusable-*")
    assert backup.read_bytes() == bad


class _Provider(BaseHTTPRequestHandler):
    """Just enough of an OpenID provider for Streamlit to build its sign-in redirect."""

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/.well-known/openid-configuration":
            body = json.dumps(
                {
                    "issuer": base,
                    "authorization_endpoint": base + "/authorize",
                    "token_endpoint": base + "/token",
                    "jwks_uri": base + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            ).encode()
            ctype = "application/json"
        else:
            body, ctype = (
                b"<html><body><h1>Stand-in identity provider</h1></body></html>",
                "text/html",
            )
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_sign_in_gate_sends_the_browser_to_the_provider(browser, seed_db, tmp_path, artifacts):
    provider = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    idp = f"http://127.0.0.1:{provider.server_port}"
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-only-cookie-secret-0123456789"\n'
        'client_id = "strike-tracker-test"\n'
        'client_secret = "test-only-client-secret"\n'
        f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n'
    )
    (tmp_path / "strikes.duckdb").write_bytes(seed_db.read_bytes())
    env = {"STRIKES_REQUIRE_LOGIN": "1", "STRIKES_ALLOWED_USERS": "@team.example"}
    try:
        with streamlit(tmp_path, env, "--secrets.files", str(secrets), port=port) as url:
            page = open_page(browser, url + "/sources")
            try:
                main = page.locator('[data-testid="stMain"]').inner_text()
                assert "Sign in to continue" in main
                assert "Sources" not in main and "Showing" not in main
                assert (
                    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count()
                    == 0
                )
                assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
                screenshot(page, artifacts / "sign-in.png")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(idp + "/authorize*", timeout=30000)
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
                assert query["client_id"] == ["strike-tracker-test"]
                assert query["redirect_uri"] == [f"http://127.0.0.1:{port}/oauth2callback"]
                assert "openid" in query["scope"][0].split()
                assert query["state"][0] and query["nonce"][0]
            finally:
                page.close()
    finally:
        provider.shutdown()
