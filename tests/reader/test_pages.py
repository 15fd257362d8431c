"""Every reader route through the test client: pages, fragments, Vary, 404s, caching, ETags."""

import gzip
import re

import brotli
import pytest

from webapp.articles.library import get_library
from webapp.articles.markdown import headings

SLUG = "gut-melatonin-sleep"
HX = {"HX-Request": "true"}


def test_home_lists_every_article_newest_first(app, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with app.app_context():
        articles = get_library().articles
    positions = [html.index(f'href="/articles/{a.slug}"') for a in articles]
    assert positions == sorted(positions)
    assert [a.published for a in articles] == sorted((a.published for a in articles), reverse=True)
    for article in articles:
        assert f"{article.reading_minutes} min read" in html


def test_tag_page_lists_only_that_tag(app, client):
    with app.app_context():
        library = get_library()
        tag = library.articles[0].tags[0]
        expected = {a.slug for a in library.articles if tag in a.tags}
        others = {a.slug for a in library.articles} - expected
    html = client.get(f"/tags/{tag}").get_data(as_text=True)
    for slug in expected:
        assert f'href="/articles/{slug}"' in html
    for slug in others:
        assert f'<a href="/articles/{slug}"' not in html.split('class="card-grid"')[1]


def test_unknown_tag_is_404(client):
    assert client.get("/tags/no-such-tag").status_code == 404


def test_article_page_has_every_part_in_order(app, client):
    with app.app_context():
        sections = [h.anchor for h in headings(get_library().by_slug[SLUG].body)]
    response = client.get(f"/articles/{SLUG}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(sections) == 4
    markers = [
        "<h1>",
        'class="byline"',
        'class="toc"',
        *(f'id="{anchor}"' for anchor in sections),
        'id="key-insights"',
        'id="common-questions"',
        'id="pictures"',
        'id="misconceptions"',
        'id="who-it-applies-to"',
        'id="final-thoughts"',
        'id="references"',
        'id="article-history"',
        "Medical disclaimer",
        'id="related-title"',
    ]
    positions = [html.index(marker) for marker in markers]
    assert positions == sorted(positions), "the article's parts are out of order"
    assert html.count("<h1") == 1
    assert re.search(
        r'<sup class="cite"><a href="#ref-[a-z0-9-]+" aria-label="Source 1">\[1\]</a></sup>', html
    )


def test_byline_shows_dates_and_reading_time(app, client):
    with app.app_context():
        article = get_library().by_slug[SLUG]
    html = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    for label, value in [
        ("Published", article.published),
        ("Updated", article.updated),
        ("Last reviewed", article.reviewed),
        ("Next review", article.next_review),
    ]:
        link = '<a href="#article-history">' if label == "Updated" else ""
        assert re.search(rf"<dt>{label}</dt><dd>{link}<time datetime=\"{value.isoformat()}\">", html)
    assert f"{article.reading_minutes} min" in html
    assert article.author.name in html and article.reviewer.name in html


def test_gallery_images_have_size_alt_caption_and_lazy_loading(app, client):
    with app.app_context():
        article = get_library().by_slug[SLUG]
    html = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    gallery = html.split('id="pictures"')[1].split("</section>")[0]
    images = re.findall(r"<img [^>]+>", gallery)
    assert len(images) == len(article.gallery)
    for tag, image in zip(images, article.gallery, strict=True):
        assert f'width="{image.width}"' in tag and f'height="{image.height}"' in tag
        assert 'loading="lazy"' in tag and 'alt="' in tag
    assert gallery.count("<figcaption>") == len(article.gallery)


def test_unknown_article_is_a_friendly_404(client):
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "We could not find that page" in html
    assert 'href="/articles/' in html
    assert "HX-Request" in response.headers["Vary"]


def test_faq_fragment_for_htmx_and_page_otherwise(app, client):
    with app.app_context():
        article = get_library().by_slug[SLUG]
    fragment = client.get(f"/articles/{SLUG}/faq/1", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.startswith('<div class="faq-answer-body">')
    assert article.faq[0].answer.split()[0] in body
    assert "HX-Request" in fragment.headers["Vary"]

    page = client.get(f"/articles/{SLUG}/faq/1")
    html = page.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert "HX-Request" in page.headers["Vary"]
    assert 'aria-expanded="true" aria-controls="faq-a-1"' in html
    assert 'aria-expanded="false" aria-controls="faq-a-2"' in html
    assert body in html  # the page includes the very fragment the endpoint returns


def test_history_restore_request_gets_the_page(client):
    response = client.get(f"/articles/{SLUG}/faq/1", headers={**HX, "HX-History-Restore-Request": "true"})
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_hx_request_must_be_exactly_true(client):
    response = client.get(f"/articles/{SLUG}/faq/1", headers={"HX-Request": "false"})
    assert response.get_data(as_text=True).startswith("<!doctype html>")


@pytest.mark.parametrize("number", ["0", "99", "-1", "x"])
def test_unknown_question_is_404(client, number):
    assert client.get(f"/articles/{SLUG}/faq/{number}", headers=HX).status_code == 404
    assert client.get(f"/articles/{SLUG}/faq/{number}").status_code == 404


def test_faq_fragment_404_is_a_fragment(client):
    response = client.get(f"/articles/{SLUG}/faq/99", headers=HX)
    assert "<html" not in response.get_data(as_text=True)


def test_head_works_everywhere(client):
    for path in ["/", "/tags/sleep", f"/articles/{SLUG}", f"/articles/{SLUG}/faq/1", "/nope"]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code
        assert head.get_data() == b""


def test_cached_pages_carry_no_cookie_and_short_public_lifetime(client):
    for _ in range(2):  # a miss, then a hit
        response = client.get(f"/articles/{SLUG}")
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"].startswith("public, max-age=300")
        assert response.headers["ETag"].startswith('W/"')


def test_conditional_request_gets_304(client):
    first = client.get(f"/articles/{SLUG}")
    again = client.get(f"/articles/{SLUG}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    changed = client.get(f"/articles/{SLUG}", headers={"If-None-Match": 'W/"something-else"'})
    assert changed.status_code == 200


def test_compression_follows_accept_encoding(client):
    plain = client.get(f"/articles/{SLUG}").get_data()
    br = client.get(f"/articles/{SLUG}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == plain
    gz = client.get(f"/articles/{SLUG}", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()) == plain
    refused = client.get(f"/articles/{SLUG}", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    assert "Accept-Encoding" in br.headers["Vary"]


def test_page_and_fragment_are_cached_separately(client):
    client.get(f"/articles/{SLUG}/faq/2", headers=HX)
    page = client.get(f"/articles/{SLUG}/faq/2").get_data(as_text=True)
    fragment = client.get(f"/articles/{SLUG}/faq/2", headers=HX).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and not fragment.startswith("<!doctype html>")


def test_related_never_self_and_never_missing(app, client):
    with app.app_context():
        library = get_library()
        for article in library.articles:
            related = library.related(article)
            assert article.slug not in {r.slug for r in related}
            assert all(r.slug in library.by_slug for r in related)
            explicit = [s for s in article.related]
            assert [r.slug for r in related[: len(explicit)]] == explicit


def test_tracking_parameters_share_the_cached_page(client):
    first = client.get(f"/articles/{SLUG}?utm_source=newsletter")
    second = client.get(f"/articles/{SLUG}?utm_source=chat&x=<script>")
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.headers["X-App-Cache"] == "hit"
    assert b"x=<script>" not in second.get_data()
