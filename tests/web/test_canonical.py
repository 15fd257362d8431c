"""One URL per page: other spellings of a path are redirected (308) before they can fill a cache."""

import pytest

from webapp.articles.library import get_library


@pytest.fixture
def slug(app) -> str:
    """An article that has at least one FAQ answer."""
    with app.app_context():
        return next(a.slug for a in get_library().articles if a.faq)


def page_keys(app) -> set[str]:
    """The page-cache keys stored so far (the in-process cache)."""
    return {key for key in app.extensions["page_cache"].store.pages if "|" in key}


@pytest.mark.parametrize(
    "asked, canonical",
    [
        ("/page/01", "/page/1"),
        ("/page/0002", "/page/2"),
        ("/page/\u0662", "/page/2"),  # ARABIC-INDIC DIGIT TWO: Werkzeug's int converter takes it
        ("/articles/{slug}/faq/001", "/articles/{slug}/faq/1"),
        ("/articles/{slug}/faq/00000000000000000000000000001", "/articles/{slug}/faq/1"),
        ("/tags/sleep/page/02?utm_source=x", "/tags/sleep/page/2?utm_source=x"),
    ],
)
def test_a_number_spelt_another_way_is_redirected_before_rendering(app, client, slug, asked, canonical):
    asked, canonical = asked.format(slug=slug), canonical.format(slug=slug)
    before = page_keys(app)
    for method in ("GET", "HEAD"):
        response = client.open(asked, method=method, headers={"HX-Request": "true"})
        assert response.status_code == 308, (method, response.status_code)
        assert response.headers["Location"] == canonical
    assert page_keys(app) == before  # nothing rendered, nothing cached


def test_the_canonical_paths_themselves_are_served(client, slug):
    assert client.get(f"/articles/{slug}/faq/1").status_code == 200
    assert client.get("/page/1").status_code == 308  # the home page's own redirect, kept
    assert client.get("/page/99999").status_code == 404


def test_percent_encoded_spellings_are_redirected_when_the_server_passes_the_raw_path(client, slug):
    escaped = "/articles/%" + f"{ord(slug[0]):02x}" + slug[1:]
    response = client.get(escaped, environ_overrides={"RAW_URI": escaped})
    assert response.status_code == 308 and response.headers["Location"] == f"/articles/{slug}"
    plain = client.get(f"/articles/{slug}", environ_overrides={"RAW_URI": f"/articles/{slug}"})
    assert plain.status_code == 200
