"""Sign-in for team deployments: Streamlit's built-in OIDC login (st.login / st.user).

Off by default.  With STRIKES_REQUIRE_LOGIN=1 nothing of the dashboard runs before the user
has signed in with the identity provider configured in the ``[auth]`` section of
``.streamlit/secrets.toml``; STRIKES_ALLOWED_USERS (addresses and "@domain" entries) narrows
who may use it, since a provider such as Google signs in anyone with an account.  A missing
``[auth]`` section, or missing Authlib/httpx (streamlit[auth]), is a configuration error shown
as such: the gate fails closed.
"""

from __future__ import annotations

import streamlit as st

from strikes.settings import Settings
from ui.components import md_escape

__all__ = [
    "cookie_secret_problem",
    "may_delete",
    "may_view",
    "require_login",
    "sign_in_page",
    "user_allowed",
]

# Streamlit signs its identity cookie with [auth] cookie_secret: anyone who knows it can forge
# a signed-in user.  The example file's value is public, and a short one can be guessed.
MIN_COOKIE_SECRET = 32
PLACEHOLDER_PREFIX = "REPLACE-WITH-"


def user_allowed(email: object, verified: object, allowed: tuple[str, ...]) -> bool:
    """Whether a signed-in user may use the dashboard (`allowed` empty: everyone)."""
    if not allowed:
        return True
    if not isinstance(email, str) or "@" not in email or verified is not True:
        return False  # an address the provider does not vouch for proves nothing
    email = email.strip().lower()
    domain = "@" + email.rsplit("@", 1)[1]
    wanted = {a.strip().lower() for a in allowed if a.strip()}
    return email in wanted or domain in wanted


def cookie_secret_problem(secret: object) -> str | None:
    """Why a cookie secret must not be used (None when it may)."""
    if not isinstance(secret, str) or not secret.strip():
        return "`cookie_secret` is missing"
    if secret.strip().upper().startswith(PLACEHOLDER_PREFIX):
        return "`cookie_secret` is still the placeholder from secrets.toml.example"
    if len(secret) < MIN_COOKIE_SECRET:
        return f"`cookie_secret` is shorter than {MIN_COOKIE_SECRET} characters"
    return None


def _secret_problem() -> str | None:
    try:
        auth = st.secrets["auth"]
        secret = auth.get("cookie_secret") if hasattr(auth, "get") else None
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return "`cookie_secret` is missing"
    return cookie_secret_problem(secret)


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, ValueError, OSError):  # no or unreadable secrets.toml
        return False


def _authlib_installed() -> bool:
    """streamlit[auth]: Authlib, and httpx for its Starlette client (the sign-in route)."""
    try:
        import authlib  # noqa: F401
        import httpx  # noqa: F401
    except ImportError:
        return False
    return True


def may_view(settings: Settings | None = None) -> bool:
    """Whether this visitor may see the dashboard (renders nothing; app.py hides the page
    navigation from those who may not)."""
    s = settings or Settings.from_env()
    if not s.require_login:
        return True
    if not _auth_configured() or not _authlib_installed() or _secret_problem():
        return False
    if not st.user.is_logged_in:
        return False
    return user_allowed(st.user.get("email"), st.user.get("email_verified"), s.allowed_users)


def require_login(settings: Settings | None = None) -> None:
    """Stop this run with a sign-in screen unless the user may see the dashboard."""
    s = settings or Settings.from_env()
    if not s.require_login:
        return
    missing = []
    if not _auth_configured():
        missing.append("the `[auth]` section of `.streamlit/secrets.toml`")
    if not _authlib_installed():
        missing.append("Authlib or httpx (`pip install -r requirements.txt`)")
    problem = _secret_problem() if not missing else None
    if problem:
        st.title("Strike Tracker")
        st.error(
            f"**Sign-in is not set up safely.** {problem}: anyone who knows it could sign in "
            f"as anybody. Set a random secret of at least {MIN_COOKIE_SECRET} characters, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`. '
            "Nothing is shown until then.",
            icon=":material/lock:",
        )
        st.stop()
    if missing:
        st.title("Strike Tracker")
        st.error(
            "**Sign-in is required but not set up.** STRIKES_REQUIRE_LOGIN is on, but "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
            "Nothing is shown until it is.",
            icon=":material/lock:",
        )
        st.stop()
    user = st.user
    if not user.is_logged_in:
        st.title("Strike Tracker")
        st.info("This dashboard is for the team. Sign in to continue.", icon=":material/lock:")
        st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)
        st.stop()
    email = user.get("email")
    if not user_allowed(email, user.get("email_verified"), s.allowed_users):
        st.title("Strike Tracker")
        st.error(
            f"The account {md_escape(email) or '(no e-mail address)'} may not use this "
            "dashboard. "
            "Sign out and sign in with your team account.",
            icon=":material/block:",
        )
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {md_escape(user.get('name') or email)}")
        st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)


def sign_in_page() -> None:
    """The only page known before sign-in (app.py): the sign-in screen."""
    require_login()


def may_delete(settings: Settings) -> tuple[bool, str]:
    """Whether this visitor may delete articles on the dashboard, and why not.

    Never in read-only mode.  Behind sign-in only the operators (STRIKES_OPERATORS: addresses
    and "@domain" entries; none by default, then only the command line deletes); without
    sign-in whoever may add articles (a local copy: its user is the operator)."""
    if settings.read_only:
        return False, "this deployment is read-only"
    if not settings.require_login:
        return True, ""
    if not settings.operators:
        return False, (
            "no operators are named (STRIKES_OPERATORS); use "
            "`python -m strikes delete-article` on the server"
        )
    if not may_view(settings):
        return False, "sign in first"
    user = st.user
    if user_allowed(user.get("email"), user.get("email_verified"), settings.operators):
        return True, ""
    return False, "only the operators named in STRIKES_OPERATORS may delete articles"
