"""The nginx config we ship (deploy/nginx/), checked by nginx itself and run in front of a stub app."""

import http.client
import importlib.util
import json
import shutil
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from webapp.web import htmx
from webapp.web.htmx import is_htmx

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("nginx_harness", ROOT / "bench" / "nginx_harness.py")
harness = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(harness)

HOST = "healthytips.example"


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StubApp(BaseHTTPRequestHandler):
    """Answers like our app (public Cache-Control, Vary) and echoes what nginx forwarded."""

    hits: list[tuple[str, str]] = []

    def answer(self) -> None:
        """Count the request and echo its forwarding headers as JSON."""
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        StubApp.hits.append((self.command, self.path))
        names = ("X-Real-IP", "X-Forwarded-For", "X-Forwarded-Proto", "Host", "Accept-Encoding", "HX-Request",
                 "HX-History-Restore-Request")  # fmt: skip
        body = json.dumps({name: self.headers.get(name) for name in names} | {"n": len(self.hits)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=300, stale-while-revalidate=60")
        self.send_header("Vary", htmx.vary("Accept-Encoding"))  # as the app's pages do
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def nginx_bin():
    """nginx must be there (`make test` installs it): a missing one fails, never skips."""
    if not Path(harness.NGINX).exists():
        pytest.fail("nginx is not installed: run `make test` (it installs Debian's nginx)", pytrace=False)
    return harness.NGINX


@pytest.fixture(scope="module")
def deployed(nginx_bin, tmp_path_factory):
    """The shipped config running on loopback with a throwaway certificate, in front of StubApp."""
    prefix = tmp_path_factory.mktemp("nginx")
    cert, key = harness.self_signed(prefix)
    app = ThreadingHTTPServer(("127.0.0.1", 0), StubApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    site = harness.site_config(
        prefix, f"127.0.0.1:{app.server_port}", http_port, https_port, cert, key, access_log=True
    )
    conf = harness.write(prefix, site)
    checked = harness.check(conf)
    assert checked.returncode == 0, checked.stderr
    process = harness.start(conf, https_port)
    yield {"http": http_port, "https": https_port, "cert": cert, "conf": conf, "checked": checked,
           "log": prefix / "access.log"}  # fmt: skip
    harness.stop(process)
    app.shutdown()


def request(deployed, method: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One HTTPS request to nginx, trusting only the throwaway certificate."""
    context = ssl.create_default_context(cafile=str(deployed["cert"]))
    conn = http.client.HTTPSConnection("127.0.0.1", deployed["https"], context=context, timeout=5)
    conn.request(method, path, body=b"email=a%40b.example" if method == "POST" else None,
                 headers={"Host": HOST, **(headers or {})})  # fmt: skip
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_nginx_accepts_the_shipped_config(deployed):
    assert "syntax is ok" in deployed["checked"].stderr
    assert "test is successful" in deployed["checked"].stderr


def test_plain_http_redirects_to_https(deployed):
    conn = http.client.HTTPConnection("127.0.0.1", deployed["http"], timeout=5)
    conn.request("GET", "/articles/sleep?x=1", headers={"Host": HOST})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/articles/sleep?x=1"


def test_public_pages_are_cached_honouring_vary(deployed):
    StubApp.hits.clear()
    chrome = {"Accept-Encoding": "gzip, deflate, br"}
    first = request(deployed, "GET", "/articles/a", chrome)
    again = request(deployed, "GET", "/articles/a", chrome)
    gzip = request(deployed, "GET", "/articles/a", {"Accept-Encoding": "gzip"})
    fragment = request(deployed, "GET", "/articles/a", {**chrome, "HX-Request": "true"})
    assert first.getheader("X-Cache-Status") == "MISS"
    assert again.getheader("X-Cache-Status") == "HIT" and again.body == first.body
    assert json.loads(first.body)["Accept-Encoding"] == "br"  # folded to what the app distinguishes
    assert json.loads(gzip.body)["Accept-Encoding"] == "gzip" and gzip.getheader("X-Cache-Status") == "MISS"
    assert json.loads(fragment.body)["HX-Request"] == "true"
    assert fragment.getheader("X-Cache-Status") == "MISS"
    assert StubApp.hits == [("GET", "/articles/a")] * 3


def test_admin_newsletter_posts_and_signed_in_requests_are_never_cached(deployed):
    StubApp.hits.clear()
    for _ in range(2):
        request(deployed, "GET", "/admin/")
        request(deployed, "GET", "/newsletter/signup")
        request(deployed, "POST", "/newsletter/signup")
        request(deployed, "POST", "/articles/b")
        request(deployed, "GET", "/articles/c", {"Cookie": "session=abc"})
    assert len(StubApp.hits) == 10


def test_nginx_and_is_htmx_agree_on_what_a_history_restore_is(deployed):
    """`HX-Request: true` with `HX-History-Restore-Request: false` is a fragment request for both."""

    StubApp.hits.clear()
    fragment = {"HX-Request": "true", "HX-History-Restore-Request": "false"}
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    plain_htmx = {"HX-Request": "true"}
    first = json.loads(request(deployed, "GET", "/articles/restore", fragment).body)
    restored = json.loads(request(deployed, "GET", "/articles/restore", restore).body)
    again = json.loads(request(deployed, "GET", "/articles/restore", restore).body)
    assert first["HX-History-Restore-Request"] == "false" and first["n"] == 1
    assert restored["HX-History-Restore-Request"] == "true" and restored["n"] == 2  # never the fragment
    assert again == restored  # the restore's page is cached for restores
    asked = [is_htmx(EnvironBuilder(headers=h).get_request()) for h in (fragment, restore, plain_htmx)]
    assert asked == [True, False, True]


def test_the_access_log_masks_client_addresses_and_capabilities(deployed):
    token = "MQ.0Kp2Xr3bq9ZkT1yq4wQfGv8mN2s"
    request(deployed, "GET", f"/newsletter/unsubscribe/{token}", {"X-Forwarded-For": "203.0.113.77"})
    request(deployed, "GET", f"/newsletter/confirm/{token}?x=1", {"X-Forwarded-For": "2001:db8:aa:bb::1"})
    request(deployed, "GET", "/articles/jane.doe@example.com?email=jane.doe%40example.com")
    conn = http.client.HTTPConnection("127.0.0.1", deployed["http"], timeout=5)  # the HTTP redirect too
    conn.request("GET", f"/newsletter/unsubscribe/{token}", headers={"Host": HOST})
    conn.getresponse().read()
    conn.close()
    log = deployed["log"].read_text()
    assert token not in log and "jane.doe" not in log and "203.0.113.77" not in log and ":bb::1" not in log
    assert "203.0.113.0 [" in log and "2001:db8:aa:: [" in log and "127.0.0.0 [" in log
    assert "GET /newsletter/unsubscribe/[token] HTTP/1.1" in log
    assert "GET /newsletter/confirm/[token]?[query] HTTP/1.1" in log
    assert "GET /articles/***@example.com?[query] HTTP/1.1" in log


def test_hashed_static_files_are_cached(deployed):
    StubApp.hits.clear()
    for _ in range(3):
        response = request(deployed, "GET", "/static/css/site.0123456789ab.css", {"Accept-Encoding": "br"})
    assert response.getheader("X-Cache-Status") == "HIT"
    assert len(StubApp.hits) == 1


def test_the_app_learns_the_real_client_and_scheme(deployed):
    echoed = json.loads(request(deployed, "GET", "/articles/forwarded-check").body)
    assert echoed["X-Real-IP"] == "127.0.0.1"
    assert echoed["X-Forwarded-For"] == "127.0.0.1"
    assert echoed["X-Forwarded-Proto"] == "https"
    assert echoed["Host"] == HOST


def test_a_trusted_load_balancer_passes_the_reader_address_on(deployed):
    headers = {"X-Forwarded-For": "203.0.113.7"}  # we connect from 127.0.0.1, a trusted proxy
    echoed = json.loads(request(deployed, "GET", "/articles/behind-lb", headers).body)
    assert echoed["X-Real-IP"] == "203.0.113.7"


def test_the_harness_fails_loudly_when_the_shipped_config_changes_shape(tmp_path, monkeypatch):
    shipped = tmp_path / "nginx"
    shutil.copytree(harness.SHIPPED, shipped)
    text = (shipped / "healthytips.conf").read_text().replace("proxy_cache_path", "# gone")
    (shipped / "healthytips.conf").write_text(text)
    monkeypatch.setattr(harness, "SHIPPED", shipped)
    with pytest.raises(ValueError, match="proxy_cache_path"):
        harness.site_config(tmp_path, "127.0.0.1:1", 1, 2, Path("c"), Path("k"))
