"""Byte budgets, compressed as served: what a reader's phone downloads on a first visit to an article."""

import os
from html.parser import HTMLParser

import pytest

from webapp import create_app
from webapp.web import page_cache

KB = 1024
HISTORY = 512  # the article history by the sources (issue 14): ~370 B gzip on the longest article
SEARCH = 300  # the header's search form and OpenSearch link (issue 17): ~295 B gzip, ~245 B br, HTML+CSS
HTML_BUDGET = 12 * KB + HISTORY + SEARCH
FIRST_PAINT_BUDGET = 16 * KB + HISTORY + SEARCH  # HTML + CSS
INSIGHTS = 654  # static/js/insights.js (issue 20): 654 B gzip, 541 B br
FIRST_LOAD_BUDGET = 32 * KB + INSIGHTS + HISTORY + SEARCH  # HTML + CSS + JS
ENCODINGS = ("br", "gzip")


class _Subresources(HTMLParser):
    """Collect the stylesheets and scripts a browser fetches for a page."""

    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note every `<link rel=stylesheet|preload|modulepreload>` and `<script src>`."""
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and a.get("href"):
            if "stylesheet" in rel or ("preload" in rel and a.get("as") == "style"):
                self.css.append(a["href"])
            elif "modulepreload" in rel or ("preload" in rel and a.get("as") == "script"):
                self.js.append(a["href"])
        if tag == "script" and a.get("src"):
            self.js.append(a["src"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One app with the shipped content, shared by the module (start-up builds the assets)."""
    config = {"TESTING": True, "SECRET_KEY": "test-secret-key-of-32-bytes-or-more"}
    config["INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    if os.environ.get("FLASK_CONTENT_DIR"):  # e.g. the budgets of a generated library
        config["CONTENT_DIR"] = os.environ["FLASK_CONTENT_DIR"]
    return create_app(config)


def fetch(client, url: str, encoding: str) -> bytes:
    """GET a URL as a browser would and return the bytes on the wire, checking they are compressed."""
    response = client.get(url, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert response.status_code == 200, url
    assert response.headers.get("Content-Encoding") == encoding, f"{url} is not served with {encoding}"
    return response.data


def first_load(client, slug: str, encoding: str) -> dict[str, dict[str, int]]:
    """Compressed bytes of an article page and everything it links, by kind then URL."""
    url = f"/articles/{slug}"
    html_bytes = fetch(client, url, encoding)
    parser = _Subresources()
    parser.feed(client.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True))
    return {
        "html": {url: len(html_bytes)},
        "css": {href: len(fetch(client, href, encoding)) for href in dict.fromkeys(parser.css)},
        "js": {src: len(fetch(client, src, encoding)) for src in dict.fromkeys(parser.js)},
    }


def over_budget(site, check) -> list[str]:
    """Run `check(slug, encoding, sizes)` for every article and encoding; collect the failures."""
    client = site.test_client()
    failures = []
    for article in site.extensions["library"].articles:
        for encoding in ENCODINGS:
            sizes = first_load(client, article.slug, encoding)
            totals = {kind: sum(files.values()) for kind, files in sizes.items()}
            message = check(totals)
            if message:
                failures.append(f"{article.slug} ({encoding}): {message}; by file: {sizes}")
    return failures


def test_every_article_page_links_its_stylesheet_and_scripts(site):
    client = site.test_client()
    for article in site.extensions["library"].articles:
        sizes = first_load(client, article.slug, "br")
        assert sizes["css"] and sizes["js"], f"{article.slug} links no stylesheet or no script"


def test_article_html_at_most_12_kb_compressed(site):
    def check(t):
        return t["html"] > HTML_BUDGET and f"HTML is {t['html']} bytes > {HTML_BUDGET}"

    assert not over_budget(site, check)


def test_article_html_and_css_at_most_16_kb_compressed(site):
    def check(t):
        total = t["html"] + t["css"]
        return total > FIRST_PAINT_BUDGET and f"HTML+CSS is {total} bytes > {FIRST_PAINT_BUDGET}"

    assert not over_budget(site, check)


def test_article_first_load_at_most_32_kb_compressed(site):
    def check(t):
        total = t["html"] + t["css"] + t["js"]
        return total > FIRST_LOAD_BUDGET and f"HTML+CSS+JS is {total} bytes > {FIRST_LOAD_BUDGET}"

    assert not over_budget(site, check)


def test_html_is_compressed_once_per_cached_page(site, monkeypatch):
    calls = []
    real = page_cache.compress
    monkeypatch.setattr(page_cache, "compress", lambda *a: calls.append(a) or real(*a))
    with site.app_context():
        page_cache.cache.clear()
    client = site.test_client()
    slug = site.extensions["library"].articles[0].slug
    bodies = {
        enc: {client.get(f"/articles/{slug}", headers={"Accept-Encoding": enc}).data for _ in range(3)}
        for enc in ("br", "gzip", "identity")
    }
    assert len(calls) == 1
    assert all(len(variants) == 1 for variants in bodies.values())
    assert len(bodies["br"] | bodies["gzip"] | bodies["identity"]) == 3
