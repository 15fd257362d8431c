"""The search page and its fragment, the header form, OpenSearch, hostile input and the cache's bound."""

import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.search import query

FTS_SYNTAX = ['"', '""', "AND", "OR", "NOT", "NEAR(", "NEAR(a b, 2)", "*", "^", ":", "(", ")", "{", "}",
              "title:", "- ", "+", "body:zinc", "{title body}:zinc", "zinc*", "^zinc", "'", "\\", "%",
              "_"]  # fmt: skip


def test_full_page_has_noindex_a_canonical_without_the_query_and_the_query_in_the_box(search_client):
    response = search_client.get("/search?q=magnesium&utm_source=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert '<meta name="robots" content="noindex">' in html
    assert re.search(r'<link rel="canonical" href="[^"?]*/search">', html)
    assert "<title>magnesium: search results · " in html
    assert re.search(r'<input id="q" name="q" type="search"[^>]* value="magnesium">', html)
    assert "4 articles match “magnesium”." in html


def test_htmx_gets_the_fragment_with_title_and_spoken_status(search_client):
    response = search_client.get("/search?q=magnesium", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<header" not in html
    assert html.lstrip().startswith("<title>magnesium: search results · ")
    assert 'class="search-hit"' in html
    assert '<p id="search-status" data-hx-swap-oob="innerHTML">4 articles match “magnesium”.</p>' in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_page_and_the_answers_vary_on_it(search_client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = search_client.get("/search?q=magnesium", headers=headers)
    assert response.get_data(as_text=True).startswith("<!doctype html>")
    assert "HX-Request" in response.headers["Vary"]


def test_every_page_has_the_search_form_and_the_opensearch_link(search_client, search_app):
    slug = search_app.extensions["library"].articles[0].slug
    for path in ("/", f"/articles/{slug}", "/tags/library", "/search", "/no-such-page"):
        html = search_client.get(path).get_data(as_text=True)
        assert re.search(r'<form class="site-search" role="search" action="/search"', html), path
        assert '<label class="visually-hidden" for="q">Search articles</label>' in html, path
        assert 'type="application/opensearchdescription+xml"' in html, path


def test_the_live_search_needs_no_trigger_filter(search_client):
    html = search_client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert 'data-hx-trigger="submit, input changed delay:300ms"' in form
    assert 'data-hx-push-url="true"' in form and 'data-hx-sync="this:replace"' in form
    assert "[" not in form  # a filter expression needs unsafe-eval, which the CSP forbids


def test_opensearch_description(search_client, search_app):
    response = search_client.get("/opensearch.xml")
    site = search_app.config["SITE_URL"].rstrip("/")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    body = response.get_data(as_text=True)
    assert f'template="{site}/search?q={{searchTerms}}"' in body
    assert "<InputEncoding>UTF-8</InputEncoding>" in body


def test_empty_and_blank_queries_invite_a_search(search_client):
    for url in ("/search", "/search?q=", "/search?q=%20%20%09", "/search?q=%22%28%29"):
        response = search_client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "search-hit" not in html, url


def test_fts_syntax_is_matched_as_words_never_run(search_client):
    for text in FTS_SYNTAX:
        for q in (text, f"zinc {text}", f"{text} zinc", f"zinc{text}magnesium"):
            assert search_client.get("/search", query_string={"q": q}).status_code == 200, q
    html = search_client.get("/search", query_string={"q": "zinc OR melatonin"}).get_data(as_text=True)
    assert "No articles match" in html  # OR is a word here, not "either"
    html = search_client.get("/search", query_string={"q": "magnesium NOT cramps"}).get_data(as_text=True)
    assert "No articles match" in html  # NOT is a word, not an exclusion (3 articles would match)


def test_hostile_raw_query_strings(search_client):
    for raw in ("q=%FF%FE", "q=%ED%A0%80", "q=%00%01%02", "q=%C0%AF", "q=a&q=b&q=c", "q[]=x", "q=%",
                "q=" + "a%20" * 3000, "q=" + quote("\u202e\u200bzinc\ufeff")):  # fmt: skip
        response = search_client.get(f"/search?{raw}")
        assert response.status_code == 200, raw


def test_very_long_queries_are_capped(search_client):
    html = search_client.get("/search", query_string={"q": "zinc " * 2000}).get_data(as_text=True)
    shown = re.search(r"<h1>Results for “(.*?)”</h1>", html).group(1)
    assert len(shown) <= query.MAX_LENGTH


def test_repeated_q_uses_the_first(search_client):
    html = search_client.get("/search?q=zinc&q=magnesium").get_data(as_text=True)
    assert "Results for “zinc”" in html


def test_bad_page_numbers_are_a_clear_400(search_client):
    for value in ("0", "-1", "x", "1.5", "51", "٣", "99999999999999999999"):
        response = search_client.get(f"/search?q=zinc&page={value}")
        assert response.status_code == 400, value
        assert "The page number must be a whole number from 1 to 50." in response.get_data(as_text=True)
    fragment = search_client.get("/search?q=zinc&page=x", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.get_data(as_text=True)


def test_a_page_past_the_results_is_404(search_client):
    assert search_client.get("/search?q=zinc&page=2").status_code == 404


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=300) | st.lists(st.sampled_from(FTS_SYNTAX + ["zinc", "melat", " "])).map("".join))
def test_any_text_gets_an_answer_never_an_error(search_client, q):
    response = search_client.get("/search", query_string={"q": q}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<script" not in response.get_data(as_text=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=120))
def test_any_bytes_in_the_query_string_get_an_answer(search_client, raw):
    response = search_client.get("/search?q=" + quote(raw, safe=""))
    assert response.status_code == 200


def test_search_pages_are_cached_per_normalized_query(search_client):
    first = search_client.get("/search?q=melatonin+%20night")
    again = search_client.get("/search?q=melatonin%20night")
    assert first.headers["X-App-Cache"] in ("hit", "miss")
    assert again.headers["X-App-Cache"] == "hit"
    assert first.get_data() == again.get_data()
