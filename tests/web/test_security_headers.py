"""Security headers on every kind of response, scored the way the MDN HTTP Observatory scores them."""

from urllib.parse import urljoin

import observatory
import pytest

from webapp import create_app
from webapp.articles.library import get_library
from webapp.web.security import CSP

HOST = "healthy.example"
DIRECTIVES = {
    "default-src": {"'none'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "connect-src": {"'self'"},
    "manifest-src": {"'self'"},
    "worker-src": {"'self'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "object-src": {"'none'"},
}


@pytest.fixture
def tls_app(tmp_path):
    """The app as deployed: behind a proxy that terminates TLS."""
    settings = {"TESTING": True, "SECRET_KEY": "test-secret-key-of-32-bytes-or-more"}
    settings["INSTANCE_PATH"] = str(tmp_path)
    return create_app({**settings, "BEHIND_TLS": True, "SESSION_COOKIE_SECURE": True})


def first_article(app):
    """The newest article, which has FAQ answers."""
    with app.app_context():
        return get_library().articles[0]


def targets(app) -> dict[str, tuple[str, dict]]:
    """Every kind of response the site makes: pages, a fragment, errors, feeds, static files."""
    article = first_article(app)
    manifest = app.extensions["assets"]
    image = next(hashed for name, hashed in manifest.items() if name.startswith("images/"))
    found = {
        "home": ("/", {}),
        "tag": (f"/tags/{article.tags[0]}", {}),
        "article": (f"/articles/{article.slug}", {}),
        "faq fragment": (f"/articles/{article.slug}/faq/1", {"HX-Request": "true"}),
        "404 page": ("/no-such-page", {}),
        "404 fragment": ("/articles/no-such-article", {"HX-Request": "true"}),
        "stylesheet": ("/static/" + manifest["css/site.css"], {}),
        "script": ("/static/" + manifest["js/site.js"], {}),
        "image": ("/static/" + image, {}),
    }
    for rule in app.url_map.iter_rules():  # every other page: feeds, the service worker, admin, ...
        if "GET" in rule.methods and not rule.arguments:
            found.setdefault(rule.rule, (rule.rule, {}))
    return found


def scan(client, path: str, headers: dict) -> observatory.Scan:
    """Fetch a path the way the Observatory does: over HTTPS, over plain HTTP (following redirects
    as our TLS proxy forwards them), and with a foreign Origin."""
    response = client.get(path, base_url=f"https://{HOST}", headers=headers)
    route, url = [f"http://{HOST}{path}"], path
    hop = client.get(url, base_url=f"http://{HOST}", headers={**headers, "X-Forwarded-Proto": "http"})
    while hop.status_code in (301, 302, 303, 307, 308) and len(route) < 5:
        route.append(urljoin(route[-1], hop.headers["Location"]))
        hop = client.get(route[-1], headers=headers)
    cors = client.get(
        path, base_url=f"https://{HOST}", headers={**headers, "Origin": "https://elsewhere.test"}
    )
    return observatory.Scan(
        url=f"https://{HOST}{path}",
        headers=list(response.headers.items()),
        body=response.get_data(as_text=True),
        http_route=route,
        cors_headers=list(cors.headers.items()),
        cors_origin="https://elsewhere.test",
    )


def test_every_kind_of_response_scores_a_plus(tls_app):
    client = tls_app.test_client()
    for name, (path, headers) in targets(tls_app).items():
        total, grade, results = observatory.score(scan(client, path, headers))
        assert total >= 100 and grade == "A+", (name, total, results)
        assert results["csp-implemented-with-no-unsafe-default-src-none"] == 10, name
        assert "redirection-to-https" in results and "xfo-implemented-via-csp" in results, (name, results)
        assert "referrer-policy-private" in results, (name, results)
        assert {"cookies-not-found", "cookies-secure-with-httponly-sessions-and-samesite"} & set(results), (
            name
        )


def test_csp_allows_exactly_what_the_site_uses(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CSP
    assert observatory.parse_csp([CSP]) == DIRECTIVES
    assert "unsafe" not in CSP and "data:" not in CSP and "*" not in CSP


def test_headers_on_errors_304s_and_static_files(tls_app):
    client = tls_app.test_client()
    checks = [client.post("/"), client.get("/nowhere"), client.post(targets(tls_app)["stylesheet"][0])]
    for path, headers in targets(tls_app).values():
        first = client.get(path, headers=headers)
        checks.append(first)
        if first.headers.get("ETag"):
            again = client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304, path
            checks.append(again)
    assert {r.status_code for r in checks} >= {200, 304, 404, 405}
    for response in checks:
        assert response.headers["Content-Security-Policy"] == CSP, response
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_hsts_only_over_https_unless_behind_tls(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_plain_http_behind_the_proxy_is_sent_to_https(tls_app, client):
    tls = tls_app.test_client()
    forwarded = {"X-Forwarded-Proto": "http"}
    response = tls.get("/tags/sleep?page=2&q=a%20b", base_url=f"http://{HOST}", headers=forwarded)
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/tags/sleep?page=2&q=a%20b"
    assert response.headers["Content-Security-Policy"] == CSP
    assert tls.post("/anything", base_url=f"http://{HOST}", headers=forwarded).status_code == 308
    static = tls.get(targets(tls_app)["stylesheet"][0], headers=forwarded)
    assert static.status_code == 301 and static.headers["Location"].startswith("https://")
    # Not behind TLS (local runs): the header means nothing and nobody is redirected.
    assert client.get("/", headers=forwarded).status_code == 200


def test_pictures_may_be_embedded_elsewhere_but_nothing_else(client, app):
    paths = targets(app)
    assert client.get(paths["image"][0]).headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert client.get(paths["script"][0]).headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert client.get("/").headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_scorer_matches_the_observatorys_published_examples():
    # A bare response: -25 CSP, -20 HSTS, -20 no redirect, -5 nosniff, -20 framing = 10, an F.
    bare = observatory.Scan(url=f"https://{HOST}/", headers=[], http_route=[f"http://{HOST}/"])
    assert observatory.score(bare)[:2] == (10, "F")
    # Only headers, no bonus below 90: unsafe-inline scripts cost 20 and forfeit every bonus.
    ours = [
        ("Content-Security-Policy", CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")),
        ("Strict-Transport-Security", "max-age=31536000"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
    weak = observatory.Scan(
        url=f"https://{HOST}/", headers=ours, http_route=[f"http://{HOST}/", f"https://{HOST}/"]
    )
    assert observatory.score(weak)[:2] == (80, "B+")
    fixed = [(name, CSP if name == "Content-Security-Policy" else value) for name, value in ours]
    strong = observatory.Scan(url=weak.url, headers=fixed, http_route=weak.http_route)
    assert observatory.score(strong)[:2] == (130, "A+")  # +10 CSP, +5 referrer, +5 frame-ancestors, +10 CORP
    # A session cookie without Secure/HttpOnly over HSTS, and a script from a CDN without SRI.
    cookie = [*strong.headers, ("Set-Cookie", "session=abc; Path=/"), ("Content-Type", "text/html")]
    cdn = '<script src="https://cdn.example.net/x.js"></script>'
    risky = observatory.Scan(url=weak.url, headers=cookie, body=cdn, http_route=weak.http_route)
    total, _, results = observatory.score(risky)
    assert results["cookies-session-without-httponly-flag"] == -30
    assert results["sri-not-implemented-but-external-scripts-loaded-securely"] == -5
    assert total == 100 - 30 - 5  # below 90 without bonuses, so none are added
