"""The dashboard's URL fetch cannot reach internal services (issue 20, item 1).

Every request in this file goes to a server the test started on 127.0.0.1 or [::1]; the
refusal of private, link-local and metadata addresses is tested on the address check itself
and with a resolver stub, never by sending traffic there.
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from strikes.documents.uploads import fetch_url
from strikes.errors import InputRejected
from strikes.fetch import fetch, is_public_address, resolve_checked, url_fetch_enabled
from strikes.settings import Settings

ARTICLE = (
    b"<html><head><title>Drones over Kharkiv</title></head><body><article><p>Russia launched "
    b"40 drones at Kharkiv overnight, the air force said on Tuesday.</p></article></body></html>"
)


class _Server:
    def __init__(self, handler: Callable[[http.server.BaseHTTPRequestHandler], None], host: str):
        hits: list[tuple[str, str]] = []
        self.hits = hits

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append((self.path, self.headers.get("Host", "")))
                handler(self)

            def log_message(self, *a):
                pass

        cls = http.server.ThreadingHTTPServer
        if ":" in host:

            class V6(http.server.ThreadingHTTPServer):
                address_family = socket.AF_INET6

            cls = V6
        self.httpd = cls((host, 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serve(handler, host: str = "127.0.0.1") -> Iterator[_Server]:
    srv = _Server(handler, host)
    try:
        yield srv
    finally:
        srv.close()


def page(body: bytes = ARTICLE, ctype: str = "text/html; charset=utf-8"):
    def h(req):
        req.send_response(200)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    return h


def redirect(location: str):
    def h(req):
        req.send_response(302)
        req.send_header("Location", location)
        req.send_header("Content-Length", "0")
        req.end_headers()

    return h


def only(port: int):
    """A policy for the tests: this one local port counts as 'public', nothing else local."""

    def allowed(ip, p):
        return (ip == ipaddress.ip_address("127.0.0.1") and p == port) or is_public_address(ip)

    return allowed


S = Settings.from_env(env={})


def _refused(url: str, **kw) -> str:
    with pytest.raises(InputRejected) as exc:
        fetch(url, settings=S, **kw)
    return exc.value.reason


# ---------------------------------------------------------------- the address check


@pytest.mark.parametrize(
    "addr",
    [
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "169.254.169.254",  # cloud metadata (link-local)
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
        "224.0.0.1",
        "255.255.255.255",
    ],
)
def test_non_public_addresses_are_refused(addr):
    assert not is_public_address(ipaddress.ip_address(addr))


@pytest.mark.parametrize("addr", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass_the_check(addr):
    assert is_public_address(ipaddress.ip_address(addr))


@pytest.mark.parametrize(
    "answers",
    [
        ["169.254.169.254"],
        ["fd00:ec2::254"],
        ["10.1.2.3"],
        ["93.184.216.34", "127.0.0.1"],  # one bad answer among good ones refuses the host
        ["1.1.1.1", "fe80::1%eth0"],
    ],
)
def test_a_host_resolving_to_any_internal_address_is_refused(answers):
    calls = []

    def stub(host, port):
        calls.append((host, port))
        return answers

    with pytest.raises(InputRejected) as exc:
        resolve_checked("http://news.example/a", resolver=stub)
    assert calls == [("news.example", 80)]
    assert "not on the public internet" in exc.value.reason


def test_unresolvable_host_is_a_plain_rejection():
    def stub(host, port):
        raise socket.gaierror("Name or service not known")

    assert "could not be resolved" in _refused("https://nowhere.example/", resolver=stub)


# ---------------------------------------------------------------- loopback in every spelling


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",  # decimal
        "0x7f.1",  # hex, short form
        "0x7f000001",
        "0177.0.0.1",  # octal
        "127.1",
        "[::ffff:127.0.0.1]",
    ],
)
def test_loopback_in_every_spelling_is_refused_and_never_contacted(spelling):
    with serve(page()) as srv:
        reason = _refused(f"http://{spelling}:{srv.port}/secret")
    assert "not on the public internet" in reason
    assert srv.hits == []


def test_ipv6_loopback_is_refused_and_never_contacted():
    with serve(page(), host="::1") as srv:
        for url in (f"http://[::1]:{srv.port}/secret", f"http://[0:0::1]:{srv.port}/"):
            assert "not on the public internet" in _refused(url)
    assert srv.hits == []


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "file:///etc/passwd", "gopher://example.org/", "http:///nohost"],
)
def test_only_http_and_https_with_a_host(url):
    reason = _refused(url)
    assert "http" in reason or "host" in reason


def test_credentials_in_the_url_are_refused():
    assert "user name" in _refused("http://user:pw@news.example/")


# ---------------------------------------------------------------- pinning, redirects, limits


def test_connects_to_the_checked_address_with_the_right_host_header():
    lookups = []

    def stub(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    with serve(page()) as srv:
        got = fetch(f"http://news.example:{srv.port}/story", settings=S, resolver=stub,
                    allowed=only(srv.port))  # fmt: skip
    assert got.data == ARTICLE
    assert srv.hits == [("/story", f"news.example:{srv.port}")]
    assert lookups == ["news.example"]  # one lookup, no second resolution by the client


def test_redirect_to_loopback_is_refused():
    with serve(page(b"internal secret")) as inner:
        with serve(redirect(f"http://127.0.0.1:{inner.port}/admin")) as outer:
            reason = _refused(f"http://127.0.0.1:{outer.port}/", allowed=only(outer.port))
        with serve(redirect(f"http://localhost:{inner.port}/admin")) as outer:
            reason2 = _refused(f"http://127.0.0.1:{outer.port}/", allowed=only(outer.port))
    assert "not on the public internet" in reason and "not on the public internet" in reason2
    assert inner.hits == []
    assert "internal secret" not in reason


def test_redirect_to_another_scheme_is_refused():
    with serve(redirect("ftp://127.0.0.1/pub/file")) as srv:
        reason = _refused(f"http://127.0.0.1:{srv.port}/", allowed=only(srv.port))
    assert "not http:// or https://" in reason


def test_redirects_are_followed_at_most_three_times():
    def h(req):
        n = int(req.path.strip("/") or 0)
        if n >= 10:
            page()(req)
        else:
            redirect(f"/{n + 1}")(req)

    with serve(h) as srv:
        reason = _refused(f"http://127.0.0.1:{srv.port}/0", allowed=only(srv.port))
        assert "more than 3 redirects" in reason
        assert len(srv.hits) == 4
        srv.hits.clear()
        got = fetch(f"http://127.0.0.1:{srv.port}/7", settings=S, allowed=only(srv.port))
    assert got.data == ARTICLE and got.url.endswith("/10")
    assert len(srv.hits) == 4  # three redirects, then the page


def test_slow_drip_server_hits_the_overall_deadline():
    def drip(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.end_headers()
        try:
            for _ in range(60):
                req.wfile.write(b"<p>x</p>")
                req.wfile.flush()
                time.sleep(0.25)
        except (BrokenPipeError, ConnectionResetError):
            pass

    s = Settings.from_env(env={}, fetch_timeout_s=1.5)
    with serve(drip) as srv:
        t0 = time.monotonic()
        with pytest.raises(InputRejected) as exc:
            fetch(f"http://127.0.0.1:{srv.port}/", settings=s, allowed=only(srv.port))
        took = time.monotonic() - t0
    assert took < 4.0
    assert "did not answer in time" in exc.value.reason


def test_oversized_body_is_cut_off_declared_or_not():
    s = Settings.from_env(env={}, max_file_bytes=10_000)
    big = b"<p>" + b"a" * 50_000 + b"</p>"

    def undeclared(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.end_headers()
        req.wfile.write(big)

    for handler in (page(big), undeclared):
        with serve(handler) as srv, pytest.raises(InputRejected) as exc:
            fetch(f"http://127.0.0.1:{srv.port}/", settings=s, allowed=only(srv.port))
        assert "larger than the limit of 10,000 bytes" in exc.value.reason


def test_errors_do_not_echo_the_reply_or_tell_ports_apart():
    def err(req):
        body = b"SECRET-TOKEN-123 internal stack trace"
        req.send_response(500, "SECRET-TOKEN-123")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    with serve(err) as srv:
        reason = _refused(f"http://127.0.0.1:{srv.port}/", allowed=only(srv.port))
    assert "SECRET" not in reason and "HTTP 500" in reason
    # A closed port and a port whose server hangs up read the same.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    closed_reason = _refused(f"http://127.0.0.1:{closed}/", allowed=only(closed))

    def hang_up(req):
        req.close_connection = True
        req.wfile.write(b"garbage\r\n")

    with serve(hang_up) as srv:
        hung_reason = _refused(f"http://127.0.0.1:{srv.port}/", allowed=only(srv.port))
    assert closed_reason == hung_reason
    assert "refused" not in closed_reason.lower() and "errno" not in closed_reason.lower()


def test_https_keeps_the_host_name_for_sni_and_the_certificate(tmp_path):
    """TLS to the pinned address: the certificate is checked against the URL's host name."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "news.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("news.example")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "c.pem").write_bytes(cert_pem)
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    sni: list[str | None] = []
    server_ctx.sni_callback = lambda sock, server_name, ctx: sni.append(server_name)
    client_ctx = ssl.create_default_context(cadata=cert_pem.decode())

    with serve(page()) as srv:
        srv.httpd.socket = server_ctx.wrap_socket(srv.httpd.socket, server_side=True)
        got = fetch(
            f"https://news.example:{srv.port}/story",
            settings=S,
            resolver=lambda h, p: ["127.0.0.1"],
            allowed=only(srv.port),
            verify=client_ctx,
        )
        assert got.data == ARTICLE
        assert sni == ["news.example"]
        # Another name on the same address: the certificate does not match, nothing is fetched.
        reason = _refused(
            f"https://other.example:{srv.port}/story",
            resolver=lambda h, p: ["127.0.0.1"],
            allowed=only(srv.port),
            verify=client_ctx,
        )
    assert "could not fetch" in reason
    assert srv.hits == [("/story", f"news.example:{srv.port}")]


# ---------------------------------------------------------------- the dashboard's switch


def test_fetch_url_returns_a_document_or_a_plain_rejection():
    with serve(page()) as srv:
        prep = fetch_url(f"http://127.0.0.1:{srv.port}/story.html", settings=S)
    assert prep.docs == [] and "not on the public internet" in prep.rejections[0].reason
    assert srv.hits == []


@pytest.mark.parametrize(
    ("env", "ip", "headers", "on"),
    [
        ({}, "127.0.0.1", {}, True),  # a local run, visitor on this machine
        ({}, "::1", {}, True),
        ({}, "203.0.113.7", {}, False),  # public host, no sign-in
        ({}, "127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, False),  # behind a proxy
        ({}, None, {}, False),
        ({"STRIKES_REQUIRE_LOGIN": "1"}, "203.0.113.7", {}, True),
        ({"STRIKES_URL_FETCH": "off"}, "127.0.0.1", {}, False),
        ({"STRIKES_URL_FETCH": "on"}, "203.0.113.7", {}, True),
        ({"STRIKES_READ_ONLY": "1", "STRIKES_URL_FETCH": "on"}, "127.0.0.1", {}, False),
        ({"STRIKES_READ_ONLY": "1", "STRIKES_REQUIRE_LOGIN": "1"}, "127.0.0.1", {}, False),
    ],
)
def test_url_fetch_switch(env, ip, headers, on):
    enabled, why = url_fetch_enabled(Settings.from_env(env=env), client_ip=ip, headers=headers)
    assert enabled is on
    assert bool(why) is not on


def test_url_fetch_setting_is_validated():
    from strikes.errors import ConfigError

    with pytest.raises(ConfigError, match="STRIKES_URL_FETCH"):
        Settings.from_env(env={"STRIKES_URL_FETCH": "maybe"})
