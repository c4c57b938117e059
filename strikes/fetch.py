"""Fetching one article page by URL without letting the server be used as a proxy (SSRF).

A visitor's URL is fetched only when every address its host resolves to is globally routable
(`ipaddress` ``is_global``: no loopback, private, link-local, cloud-metadata, shared or reserved
address, in any spelling: ``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]``, ...).  The
connection goes to the address that was checked (the URL is rewritten to it; the Host header
and the TLS server name stay the host's), so a second DNS answer cannot swap in an internal
address.  Redirects are followed here, at most `MAX_REDIRECTS`, each hop checked the same way
(http and https only).  One deadline and one byte cap cover the whole fetch, redirects
included.  Error messages name what went wrong in our words: they never repeat the remote
reply, and every way of not reaching a server reads the same, so the fetch cannot be used to
tell open ports from closed ones.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from strikes.errors import InputRejected
from strikes.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses it resolves to, as strings.
Resolver = Callable[[str, int], Sequence[str]]
# (address, port) -> whether it may be connected to.
AddressPolicy = Callable[[IPAddress, int], bool]

MAX_REDIRECTS = 3
USER_AGENT = "strike-tracker/0.1 (+dashboard article fetch)"
UNREACHABLE = "could not fetch the page (no answer from the server, or it did not answer in time)"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host")


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    content_type: str
    data: bytes


def is_public_address(ip: IPAddress) -> bool:
    """Whether an address is globally routable (and not one that embeds a non-global one)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return bool(ip.is_global) and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def public_only(ip: IPAddress, port: int) -> bool:
    """The default policy: any port of a globally routable address."""
    return is_public_address(ip)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def url_fetch_enabled(
    settings: Settings, *, client_ip: str | None, headers: dict[str, str] | None
) -> tuple[bool, str]:
    """Whether the dashboard offers URL fetch to this visitor, and why not.

    ``settings.url_fetch``: "on", "off" or "auto".  Auto: on behind sign-in, or for a visitor
    on this machine itself (a loopback client address that came through no proxy); off for
    everyone else.  Never in read-only mode.
    """
    mode = settings.url_fetch
    if settings.read_only:
        return False, "this deployment is read-only"
    if mode == "off":
        return False, "URL fetch is switched off on this server (STRIKES_URL_FETCH=off)"
    if mode == "on" or settings.require_login:
        return True, ""
    low = {k.lower() for k in (headers or {})}
    proxied = any(h in low for h in _FORWARDING_HEADERS)
    try:
        local = client_ip is not None and ipaddress.ip_address(client_ip).is_loopback
    except ValueError:
        local = False
    if local and not proxied:
        return True, ""
    return False, (
        "URL fetch is off on a server reachable by others without sign-in "
        "(set STRIKES_REQUIRE_LOGIN=1, or STRIKES_URL_FETCH=on to allow it anyway)"
    )


def _check_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputRejected(_label(url), "only http:// and https:// addresses can be fetched")
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise InputRejected(_label(url), "the address is malformed") from None
    if not host:
        raise InputRejected(_label(url), "the address has no host name")
    if parts.username or parts.password:
        raise InputRejected(_label(url), "addresses with a user name or password are not fetched")
    return parts


def _label(url: str) -> str:
    u = " ".join(str(url or "").split())
    return (u[:200] + "…" if len(u) > 200 else u) or "URL"


def resolve_checked(
    url: str, *, resolver: Resolver = system_resolver, allowed: AddressPolicy = public_only
) -> tuple[urllib.parse.SplitResult, IPAddress]:
    """The URL's parts and the address to connect to; InputRejected unless every address the
    host resolves to is allowed."""
    parts = _check_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = list(dict.fromkeys(resolver(host.rstrip("."), port)))
    except (OSError, UnicodeError):
        raise InputRejected(_label(url), f"the host name {host!r} could not be resolved") from None
    addresses = []
    for raw in found:
        try:
            addresses.append(ipaddress.ip_address(raw.split("%", 1)[0]))
        except ValueError:
            raise InputRejected(_label(url), "the host resolved to an unusable address") from None
    if not addresses:
        raise InputRejected(_label(url), f"the host name {host!r} could not be resolved")
    if not all(allowed(ip, port) for ip in addresses):
        raise InputRejected(
            _label(url),
            "this address is not on the public internet (local, private or reserved network); "
            "only public web pages are fetched",
        )
    return parts, addresses[0]


def fetch(
    url: str,
    *,
    settings: Settings,
    resolver: Resolver = system_resolver,
    allowed: AddressPolicy = public_only,
    verify: object = True,
) -> Fetched:
    """GET one page (see the module doc); InputRejected with a plain reason otherwise.

    ``resolver``/``allowed`` replace DNS and the address policy (tests use local servers);
    ``verify`` is httpx's (an `ssl.SSLContext` for a test's own certificate authority).
    """
    import httpx

    deadline = time.monotonic() + settings.fetch_timeout_s
    limit = settings.max_file_bytes
    current = (url or "").strip()
    received = 0
    # No proxies from the environment: the connection must go to the checked address.
    with httpx.Client(trust_env=False, follow_redirects=False, verify=verify) as client:
        for hop in range(MAX_REDIRECTS + 1):
            parts, ip = resolve_checked(current, resolver=resolver, allowed=allowed)
            host = parts.hostname or ""
            literal = f"[{ip}]" if ip.version == 6 else str(ip)
            netloc = literal + (f":{parts.port}" if parts.port else "")
            pinned = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
            host_header = parts.netloc.rpartition("@")[2]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise InputRejected(_label(url), UNREACHABLE)
            request = client.build_request(
                "GET",
                pinned,
                headers={
                    "Host": host_header,
                    "User-Agent": USER_AGENT,
                    "Accept-Encoding": "identity",
                },
                extensions={
                    "sni_hostname": host,
                    "timeout": httpx.Timeout(remaining, connect=min(remaining, 10.0)).as_dict(),
                },
            )
            try:
                resp = client.send(request, stream=True)
            except httpx.HTTPError:
                raise InputRejected(_label(url), UNREACHABLE) from None
            try:
                if resp.is_redirect:
                    location = resp.headers.get("Location", "")
                    if hop == MAX_REDIRECTS:
                        raise InputRejected(
                            _label(url), f"more than {MAX_REDIRECTS} redirects; not followed"
                        )
                    nxt = urllib.parse.urljoin(current, location)
                    if urllib.parse.urlsplit(nxt).scheme not in ("http", "https"):
                        raise InputRejected(
                            _label(url), "redirected to an address that is not http:// or https://"
                        )
                    current = nxt
                    continue
                if resp.status_code >= 400:
                    raise InputRejected(
                        _label(url), f"the server did not return the page (HTTP {resp.status_code})"
                    )
                if resp.status_code != 200:
                    raise InputRejected(
                        _label(url), f"unexpected answer from the server (HTTP {resp.status_code})"
                    )
                declared = resp.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise InputRejected(_label(url), _too_large(limit))
                chunks = []
                try:
                    for chunk in resp.iter_raw():  # as received (a size would buffer)
                        received += len(chunk)
                        if received > limit:
                            raise InputRejected(_label(url), _too_large(limit))
                        if time.monotonic() > deadline:
                            raise InputRejected(_label(url), UNREACHABLE)
                        chunks.append(chunk)
                except httpx.HTTPError:
                    raise InputRejected(_label(url), UNREACHABLE) from None
                return Fetched(
                    url=current,
                    content_type=resp.headers.get("Content-Type", ""),
                    data=b"".join(chunks),
                )
            finally:
                resp.close()
    raise InputRejected(_label(url), f"more than {MAX_REDIRECTS} redirects; not followed")


def _too_large(limit: int) -> str:
    return f"the page is larger than the limit of {limit:,} bytes"
